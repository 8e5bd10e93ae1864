#include "attnsweep/kernels/reference.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

namespace attnsweep {

namespace {

// Keys row `row` may attend to: all of them, or j <= row when causal (top-left aligned).
std::int64_t visible_keys(const AttentionProblem& p, std::int64_t row) {
  return p.causal ? std::min(p.k_n, row + 1) : p.k_n;
}

}  // namespace

float round_to_tf32(float f) {
  std::uint32_t x;
  std::memcpy(&x, &f, 4);
  if ((x & 0x7f800000u) != 0x7f800000u) {  // finite: round the low 13 bits away, ties to even
    x += 0xfffu + ((x >> 13) & 1u);
    x &= ~0x1fffu;
  }
  std::memcpy(&f, &x, 4);
  return f;
}

void reference_row_double(const AttentionProblem& p, const float* q_row, const float* k, const float* v,
                          std::int64_t row, double* out) {
  const std::int64_t d = p.head_dim;
  const std::int64_t n = visible_keys(p, row);
  const double scale = p.softmax_scale();
  std::vector<double> s(static_cast<std::size_t>(n));
  double m = -std::numeric_limits<double>::infinity();
  for (std::int64_t j = 0; j < n; ++j) {
    double acc = 0;
    for (std::int64_t c = 0; c < d; ++c) acc += static_cast<double>(q_row[c]) * k[j * d + c];
    s[j] = acc * scale;
    m = std::max(m, s[j]);
  }
  double l = 0;
  for (std::int64_t j = 0; j < n; ++j) {
    s[j] = std::exp(s[j] - m);
    l += s[j];
  }
  std::fill(out, out + d, 0.0);
  for (std::int64_t j = 0; j < n; ++j)
    for (std::int64_t c = 0; c < d; ++c) out[c] += s[j] * v[j * d + c];
  for (std::int64_t c = 0; c < d; ++c) out[c] /= l;
}

void naive_row_in_precision(const AttentionProblem& p, const float* q_row, const float* k, const float* v,
                            std::int64_t row, float* out) {
  const std::int64_t d = p.head_dim;
  const std::int64_t n = visible_keys(p, row);
  const bool tf32 = p.dtype == DType::tf32;
  // Operands of a matrix product as the hardware would take them (inputs are already in dtype).
  auto operand = [&](float x) { return tf32 ? round_to_tf32(x) : x; };

  std::vector<float> s(static_cast<std::size_t>(n));
  float m = -std::numeric_limits<float>::infinity();
  for (std::int64_t j = 0; j < n; ++j) {
    float acc = 0;
    for (std::int64_t c = 0; c < d; ++c) acc += operand(q_row[c]) * operand(k[j * d + c]);
    s[j] = round_to_dtype(acc * p.softmax_scale(), p.dtype);  // S is stored in the dtype
    m = std::max(m, s[j]);
  }
  float l = 0;
  for (std::int64_t j = 0; j < n; ++j) {
    s[j] = std::exp(s[j] - m);
    l += s[j];
  }
  std::vector<float> acc(static_cast<std::size_t>(d), 0.0f);
  for (std::int64_t j = 0; j < n; ++j) {
    const float pj = operand(round_to_dtype(s[j] / l, p.dtype));  // P is stored in the dtype
    for (std::int64_t c = 0; c < d; ++c) acc[c] += pj * operand(v[j * d + c]);
  }
  for (std::int64_t c = 0; c < d; ++c) out[c] = round_to_dtype(acc[c], p.dtype);
}

}  // namespace attnsweep
