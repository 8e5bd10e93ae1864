#pragma once
// How far a kernel's output is from the double-precision reference, beside how far the naive
// computation in the problem's precision is: the two numbers FlashAttention's accuracy rule
// compares (max errors; the production check, engine/src/correctness.cpp, holds the first to
// check_bound of the second). Every row of a dense [B, H, Q_N, d] output is checked.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "attnsweep/kernels/problem.h"
#include "attnsweep/kernels/reference.h"

namespace attnsweep::test_support {

struct ReferenceErrors {
  double kernel = 0, naive = 0;  // max |out - ref|, max |naive - ref|
};

// The double reference of every output row, and how far the naive computation in the problem's
// precision is from it: computed once, for kernels (or variants of one) checked against it in turn.
struct ReferenceRows {
  std::vector<double> rows;  // [B, H, Q_N, d]
  double naive = 0;          // max |naive - ref|
};

// q [B, H, Q_N, d], k and v [B, H, K_N, d], dense, as floats of the problem's dtype.
inline ReferenceRows reference_rows(const AttentionProblem& p, const float* q, const float* k, const float* v) {
  const std::int64_t d = p.head_dim;
  ReferenceRows r;
  r.rows.resize(static_cast<std::size_t>(p.batch * p.heads * p.q_n * d));
  std::vector<float> naive(d);
  for (std::int64_t bh = 0; bh < p.batch * p.heads; ++bh) {
    const float* k_bh = k + bh * p.k_n * d;
    const float* v_bh = v + bh * p.k_n * d;
    for (std::int64_t i = 0; i < p.q_n; ++i) {
      const std::int64_t row = (bh * p.q_n + i) * d;
      double* ref = r.rows.data() + row;
      reference_row_double(p, q + row, k_bh, v_bh, i, ref);
      naive_row_in_precision(p, q + row, k_bh, v_bh, i, naive.data());
      for (std::int64_t c = 0; c < d; ++c) r.naive = std::max(r.naive, std::abs(naive[c] - ref[c]));
    }
  }
  return r;
}

// `out` against rows computed once.
inline ReferenceErrors errors_against(const ReferenceRows& ref, const std::vector<float>& out) {
  double max = 0;
  for (std::size_t i = 0; i < ref.rows.size(); ++i) max = std::max(max, std::abs(out[i] - ref.rows[i]));
  return {max, ref.naive};
}

// q [B, H, Q_N, d], k and v [B, H, K_N, d], dense, as floats of the problem's dtype.
inline ReferenceErrors errors_against_reference(const AttentionProblem& p, const float* q, const float* k, const float* v,
                                                const std::vector<float>& out) {
  return errors_against(reference_rows(p, q, k, v), out);
}

}  // namespace attnsweep::test_support
