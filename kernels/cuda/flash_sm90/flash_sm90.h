#pragma once
// flash_sm90: the Hopper (sm_90a) attention-forward kernel. Built only when CUDA is on.
#include "attnsweep/kernels/kernel.h"

namespace attnsweep {

// The registry entry (kernels/cuda/cuda_kernels.cpp). Supports fp16/bf16, head_dim 64/128/256,
// causal or not, any q_n/k_n >= 1, only on compute capability 9.0.
const Kernel* flash_sm90_kernel();

namespace cuda {
// Enqueues one forward pass on args.stream; throws DeviceError when a tensor map cannot be built
// (unaligned pointer or stride) or the launch fails.
void launch_flash_sm90(const AttentionArgs& args);
}  // namespace cuda

}  // namespace attnsweep
