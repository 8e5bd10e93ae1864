#pragma once
// flash_mma's tile shape per head_dim, and the entry point each instantiation file defines
// (one .cu per dtype x head_dim, so they compile in parallel).
#include "attnsweep/kernels/problem.h"

namespace attnsweep::cuda::flash {

// Tile shapes (kBlockM, kBlockN, warps, K buffers) per head_dim, chosen where the registers allow it:
//  d=64, 128: 128x64, 4 warps -> each warp owns 32 query rows, so every K/V fragment read from
//             shared memory feeds two MMAs (mma.sync on Hopper is limited by shared-memory reads);
//             two K buffers, so K tile j+1 loads during the whole of tile j.
//  d=256:     64x64, 4 warps -> 16 rows a warp (the O accumulator alone is 128 registers) and one
//             K buffer: 96 KiB a block, so two blocks share an SM and each one's barriers and
//             softmax hide behind the other's MMAs (FlashAttention-2's choice on the H100). The
//             previous 128x64 tile with 8 warps and two K buffers, one block an SM, was 3-16% slower
//             on the H100.
template <int kHeadDim> struct Shape;
template <> struct Shape<64> { static constexpr int kBlockM = 128, kBlockN = 64, kWarps = 4, kKBuffers = 2; };
template <> struct Shape<128> { static constexpr int kBlockM = 128, kBlockN = 64, kWarps = 4, kKBuffers = 2; };
template <> struct Shape<256> { static constexpr int kBlockM = 64, kBlockN = 64, kWarps = 4, kKBuffers = 1; };

// Defined in flash_mma_kernel.cuh, instantiated in flash_mma_hd<D>_<type>.cu.
template <typename T, int kHeadDim>
void run(const AttentionArgs& a);

}  // namespace attnsweep::cuda::flash
