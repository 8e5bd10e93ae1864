#pragma once
// flash_sm90 with its tile and schedule chosen by the caller, for the standalone harness
// (bench_sm90.cu) to time the variants side by side in one run. Not part of the public entry
// (flash_sm90.h): the library's dispatch is launch_flash_sm90(), the shipped choice.
#include "attnsweep/kernels/kernel.h"

namespace attnsweep::cuda {

struct Sm90Variant {
  int consumers_d64 = 0;  // consumer warpgroups at head_dim 64: 2 (128-row tiles), 3 (192), 0 = shipped
  int overlap = -1;       // softmax overlapped with the previous block's P V: 0, 1, -1 = shipped
};

// Launches the variant (head_dim 128/256 always use 2 consumer warpgroups) and returns the one
// used, with the shipped choices filled in. Throws DeviceError as launch_flash_sm90 does, and for
// an unknown consumers_d64.
Sm90Variant launch_flash_sm90_variant(const AttentionArgs& args, Sm90Variant variant);

}  // namespace attnsweep::cuda
