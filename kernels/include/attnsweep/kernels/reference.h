#pragma once
// Host-side reference computations, one output row at a time, for checking any kernel.
//
// Both functions read one (batch, head) slice: `q_row` is the query row i (head_dim floats),
// `k` and `v` the head's keys and values ([k_n, head_dim], densely packed). Inputs are floats
// already rounded to the problem's dtype, i.e. exactly what the device saw. Causal masking is
// top-left: row i sees keys j <= i. The softmax scale is the float the kernels receive
// (p.softmax_scale()), so the reference and the kernel scale by the same number.
#include <cstdint>

#include "attnsweep/kernels/problem.h"

namespace attnsweep {

// The exact answer, to double precision: scores, softmax and P·V all in double.
// `out` receives head_dim values.
void reference_row_double(const AttentionProblem& p, const float* q_row, const float* k, const float* v,
                          std::int64_t row, double* out);

// The same row computed the plain way in the kernel's precision, as PyTorch's eager attention does
// it (FlashAttention's error baseline): S = Q·K^T·scale accumulated in fp32 and stored in the
// dtype, softmax in fp32, P stored in the dtype, P·V accumulated in fp32, O stored in the dtype.
// For tf32 (stored as fp32), Q, K, P and V are rounded to tf32 before the products, as tensor cores
// would. `out` receives head_dim values.
void naive_row_in_precision(const AttentionProblem& p, const float* q_row, const float* k, const float* v,
                            std::int64_t row, float* out);

// Rounds to TF32 (10 explicit mantissa bits, round to nearest even), kept in a float.
float round_to_tf32(float f);

}  // namespace attnsweep
