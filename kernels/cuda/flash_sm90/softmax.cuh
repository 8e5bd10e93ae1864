#pragma once
// The online softmax of a consumer thread's two rows (the wgmma m64nN accumulator layout: rows
// lane/4 and lane/4 + 8 of its warp's 16), base 2 with the scale folded into one FMA, each
// exponential one MUFU.EX2 (ex2.approx.ftz; exp2f adds a compare and two FMULs).
#include <cmath>

#include "../element.cuh"
#include "kernel_traits.cuh"
#include "sm90_ptx.cuh"
#include "sm90_trace.h"

namespace attnsweep::sm90 {

using attnsweep::cuda::exp2_ftz;

// Lazy rescaling (FlashAttention-4's trick): a warp keeps its stale running max while no row's block
// max exceeds it by more than this (log2 units), so that probabilities stay <= 2^8 and O and the sums
// are rescaled only on a larger jump. Exact: the max used cancels in O / sum. d=256 1.5-6.5% faster,
// d=128 -0.5..+5.5%, d=64 0-4%.
constexpr float kLazyMaxGrowth = 8.f;

template <class K>
struct OnlineSoftmax {
  float scale_log2;                          // softmax_scale * log2(e)
  float row_max[2] = {}, row_sum[2] = {};    // row_sum: this thread's partial sums, the quad's summed at the end

  __device__ __forceinline__ void reset() {
    row_max[0] = row_max[1] = -INFINITY;
    row_sum[0] = row_sum[1] = 0.f;
  }

  // Updates the running max and sum with block j's masked scores s, turns s into unnormalised
  // probabilities exp2(s * scale_log2 - max), and returns in corr the factor by which the output so
  // far must be scaled before this block's P V is added; returns false (warp-uniform) when the max
  // was kept and O needs no scaling.
  template <class S>
  __device__ __forceinline__ bool update(S& s, float (&corr)[2], Tracer& trace, int j) {
    constexpr int kCols = 2 * extent_of<S>;
    float block_max[2], max_used[2];
#pragma unroll
    for (int r = 0; r < 2; ++r) {
      float mx = -INFINITY;
#pragma unroll
      for (int i = 0; i < kCols / 2; ++i)
        if ((i % 4) / 2 == r) mx = fmaxf(mx, s[i]);
      mx = fmaxf(mx, __shfl_xor_sync(0xffffffff, mx, 1));
      mx = fmaxf(mx, __shfl_xor_sync(0xffffffff, mx, 2));
      block_max[r] = mx * scale_log2;
    }
    const bool grow =
        __any_sync(0xffffffff, block_max[0] > row_max[0] + kLazyMaxGrowth || block_max[1] > row_max[1] + kLazyMaxGrowth);
    trace(TraceEvent::max_done, 0, j);
#pragma unroll
    for (int r = 0; r < 2; ++r) {
      const float m_new = grow ? fmaxf(row_max[r], block_max[r]) : row_max[r];
      max_used[r] = m_new == -INFINITY ? 0.f : m_new;  // a fully masked row so far: avoid inf - inf
      corr[r] = exp2_ftz(row_max[r] - max_used[r]);
      row_max[r] = m_new;
      row_sum[r] *= corr[r];
    }
#pragma unroll
    for (int i = 0; i < kCols / 2; ++i) {
      const int r = (i % 4) / 2;
      s[i] = exp2_ftz(fmaf(s[i], scale_log2, -max_used[r]));
      row_sum[r] += s[i];
    }
    return grow;
  }

  __device__ __forceinline__ void rescale(float (&o)[K::kHeadDim / 2], const float (&corr)[2]) const {
#pragma unroll
    for (int i = 0; i < K::kHeadDim / 2; ++i) o[i] *= corr[(i % 4) / 2];
  }

  // 1 / each row's sum (0 for a row that saw no key), the quad's partial sums reduced once: one
  // MUFU.RCP where approx_inverse, else an IEEE division.
  __device__ __forceinline__ void inverse_sums(float (&inv)[2]) const {
#pragma unroll
    for (int r = 0; r < 2; ++r) {
      float sum = row_sum[r];
      sum += __shfl_xor_sync(0xffffffff, sum, 1);
      sum += __shfl_xor_sync(0xffffffff, sum, 2);
      inv[r] = sum > 0.f ? (K::kApproxInverse ? rcp_approx(sum) : 1.f / sum) : 0.f;
    }
  }
};

}  // namespace attnsweep::sm90
