#pragma once
// flash_mma's tile shape per head_dim, and the entry point each instantiation file defines
// (one .cu per dtype x head_dim, so they compile in parallel).
#include "attnsweep/kernels/problem.h"

namespace attnsweep::cuda::flash {

// Tile shapes (kBlockM, kBlockN, warps) per head_dim, chosen where the registers allow it:
//  d=64, 128: 128x64, 4 warps -> each warp owns 32 query rows, so every K/V fragment read from
//             shared memory feeds two MMAs (mma.sync on Hopper is limited by shared-memory reads).
//  d=256:     128x64, 8 warps -> 16 rows a warp; the O accumulator alone is 128 registers.
template <int kHeadDim> struct Shape;
template <> struct Shape<64> { static constexpr int kBlockM = 128, kBlockN = 64, kWarps = 4; };
template <> struct Shape<128> { static constexpr int kBlockM = 128, kBlockN = 64, kWarps = 4; };
template <> struct Shape<256> { static constexpr int kBlockM = 128, kBlockN = 64, kWarps = 8; };

// Defined in flash_mma_kernel.cuh, instantiated in flash_mma_hd<D>_<type>.cu.
template <typename T, int kHeadDim>
void run(const AttentionArgs& a);

}  // namespace attnsweep::cuda::flash
