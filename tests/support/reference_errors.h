#pragma once
// How far a kernel's output is from the double-precision reference, beside how far the naive
// computation in the problem's precision is: the two numbers FlashAttention's accuracy rule
// compares. Every row of a dense [B, H, Q_N, d] output is checked.
#include <cmath>
#include <cstdint>
#include <vector>

#include "attnsweep/kernels/problem.h"
#include "attnsweep/kernels/reference.h"

namespace attnsweep::test_support {

struct ReferenceErrors {
  double kernel = 0, naive = 0;  // ||out - ref|| / ||ref||, ||naive - ref|| / ||ref||
};

// q [B, H, Q_N, d], k and v [B, H, K_N, d], dense, as floats of the problem's dtype.
inline ReferenceErrors errors_against_reference(const AttentionProblem& p, const float* q, const float* k, const float* v,
                                                const std::vector<float>& out) {
  const std::int64_t d = p.head_dim;
  double err2 = 0, naive2 = 0, ref2 = 0;
  std::vector<double> ref(d);
  std::vector<float> naive(d);
  for (std::int64_t bh = 0; bh < p.batch * p.heads; ++bh) {
    const float* k_bh = k + bh * p.k_n * d;
    const float* v_bh = v + bh * p.k_n * d;
    for (std::int64_t i = 0; i < p.q_n; ++i) {
      const std::int64_t row = (bh * p.q_n + i) * d;
      reference_row_double(p, q + row, k_bh, v_bh, i, ref.data());
      naive_row_in_precision(p, q + row, k_bh, v_bh, i, naive.data());
      for (std::int64_t c = 0; c < d; ++c) {
        err2 += (out[row + c] - ref[c]) * (out[row + c] - ref[c]);
        naive2 += (naive[c] - ref[c]) * (naive[c] - ref[c]);
        ref2 += ref[c] * ref[c];
      }
    }
  }
  return {std::sqrt(err2 / ref2), std::sqrt(naive2 / ref2)};
}

}  // namespace attnsweep::test_support
