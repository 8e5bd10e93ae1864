#pragma once
// Which keys each query row sees, in one place: the key blocks a tile loads and each warpgroup
// computes, the halved diagonal block, and the scores set to -inf (keys past k_n; causal, keys after
// the row, top-left aligned). The host's causal plan counts key blocks with the same rule
// (tile_schedule.h: causal_key_blocks).
#include <cmath>

#include "kernel_traits.cuh"
#include "tile_schedule.h"

namespace attnsweep::sm90 {

template <class K>
struct Mask {
  int q_n, k_n;

  // Key blocks the CTA loads for the tile whose first row is m0: causal, none past its last row.
  __device__ __forceinline__ int cta_key_blocks(int m0) const {
    if constexpr (K::kCausal) return causal_key_blocks(m0, K::kBlockM, K::kBlockN, q_n, k_n);
    return (k_n + K::kBlockN - 1) / K::kBlockN;
  }

  // Of the CTA's n_blocks, those the warpgroup whose rows start at wg_row0 computes: none when all
  // its rows are past q_n (the last tile of a q_n that is not a multiple of kBlockM); causal, none
  // past its own last row. Every loaded block is computed by at least the warpgroup holding row
  // min(m0 + kBlockM, q_n) - 1.
  __device__ __forceinline__ int warpgroup_key_blocks(int wg_row0, int n_blocks) const {
    int blocks = wg_row0 < q_n ? n_blocks : 0;
    if constexpr (K::kCausal) blocks = min(blocks, (wg_row0 + 64 + K::kBlockN - 1) / K::kBlockN);
    return blocks;
  }

  // The block of which the warpgroup computes the first half only (its rows end there, every key of
  // the second half after all of them), or -1.
  __device__ __forceinline__ int half_block(int wg_row0, int my_blocks, bool halves) const {
    return K::kHalfDiagonal && halves && my_blocks > 0 && wg_row0 + 64 - (my_blocks - 1) * K::kBlockN <= K::kHalf ? my_blocks - 1
                                                                                                                  : -1;
  }

  // Sets block j's scores (s: its first kCols keys, in the wgmma m64nN accumulator layout) that
  // the rows do not see to -inf: only in blocks that have such keys (uniform per warpgroup).
  // row0: the thread's first row (its second is row0 + 8); col_in_chunk: its first column in each
  // 8-column chunk.
  template <class S>
  __device__ __forceinline__ void apply(S& s, int j, int wg_row0, int row0, int col_in_chunk) const {
    constexpr int kCols = 2 * extent_of<S>;
    const int col_base = j * K::kBlockN;
    const bool needs_mask = col_base + kCols > k_n || (K::kCausal && col_base + kCols - 1 > wg_row0);
    if (needs_mask) {
#pragma unroll
      for (int i = 0; i < kCols / 2; ++i) {
        const int col = col_base + (i / 4) * 8 + col_in_chunk + (i % 2);
        const int row = row0 + ((i % 4) >= 2 ? 8 : 0);
        if (col >= k_n || (K::kCausal && col > row)) s[i] = -INFINITY;
      }
    }
  }
};

}  // namespace attnsweep::sm90
