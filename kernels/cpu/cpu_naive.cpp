// cpu_naive: attention the way PyTorch's math path computes it, in three plain steps per head:
// S = scale * Q K^T written out in full, a softmax over each row of S, then O = P V.
// It is the slow, obviously-right baseline: no tiling, scalar dot products in source order.
#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include "cpu_kernels.h"
#include "cpu_support.h"

namespace attnsweep::cpu {

namespace {

class NaiveKernel final : public Kernel {
 public:
  const KernelInfo& info() const override { return info_; }

  Support supports(const AttentionProblem& p, const DeviceCaps&) const override { return fp32_support(p); }

  // The scores of one (batch, head) at a time: q_n x k_n floats, reused across heads.
  std::uint64_t workspace_bytes(const AttentionProblem& p) const override {
    return static_cast<std::uint64_t>(p.q_n) * static_cast<std::uint64_t>(p.k_n) * sizeof(float);
  }

  void run(const AttentionArgs& a) const override {
    const AttentionProblem& p = a.problem;
    require_fp32_support(p, "cpu_naive");
    if (!a.workspace || a.workspace_bytes < workspace_bytes(p))
      throw std::invalid_argument("cpu_naive: needs a workspace of " + std::to_string(workspace_bytes(p)) +
                                  " bytes for the scores");
    float* s_all = static_cast<float*>(a.workspace);
    const std::int64_t d = p.head_dim, qn = p.q_n, kn = p.k_n;

    for (std::int64_t b = 0; b < p.batch; ++b) {
      for (std::int64_t h = 0; h < p.heads; ++h) {
        const float* q = static_cast<const float*>(a.q) + b * a.q_batch_stride + h * a.q_head_stride;
        const float* k = static_cast<const float*>(a.k) + b * a.k_batch_stride + h * a.k_head_stride;
        const float* v = static_cast<const float*>(a.v) + b * a.v_batch_stride + h * a.v_head_stride;
        float* o = static_cast<float*>(a.o) + b * a.o_batch_stride + h * a.o_head_stride;

#pragma omp parallel
        {
          // Step 1: S = scale * Q K^T; masked entries are -inf.
#pragma omp for schedule(static)
          for (std::int64_t i = 0; i < qn; ++i) {
            float* s = s_all + i * kn;
            for (std::int64_t j = 0; j < kn; ++j) {
              if (p.causal && j > i) {
                s[j] = -std::numeric_limits<float>::infinity();
                continue;
              }
              float acc = 0;
              for (std::int64_t c = 0; c < d; ++c) acc += q[i * a.q_row_stride + c] * k[j * a.k_row_stride + c];
              s[j] = acc * a.softmax_scale;
            }
          }
          // Step 2: P = softmax(S) row by row, in place.
#pragma omp for schedule(static)
          for (std::int64_t i = 0; i < qn; ++i) {
            float* s = s_all + i * kn;
            const float m = *std::max_element(s, s + kn);
            float l = 0;
            for (std::int64_t j = 0; j < kn; ++j) {
              s[j] = std::exp(s[j] - m);
              l += s[j];
            }
            for (std::int64_t j = 0; j < kn; ++j) s[j] /= l;
          }
          // Step 3: O = P V.
#pragma omp for schedule(static)
          for (std::int64_t i = 0; i < qn; ++i) {
            const float* s = s_all + i * kn;
            float* out = o + i * a.o_row_stride;
            std::fill(out, out + d, 0.0f);
            for (std::int64_t j = 0; j < kn; ++j)
              for (std::int64_t c = 0; c < d; ++c) out[c] += s[j] * v[j * a.v_row_stride + c];
          }
        }
      }
    }
  }

 private:
  KernelInfo info_{"cpu_naive", Backend::cpu,
                   "CPU fp32: S = QK^T materialized, row softmax, O = PV (the math path; reference)",
                   "scaled_dot_prod_attention (math path)"};
};

}  // namespace

const Kernel* naive_kernel() {
  static const NaiveKernel kernel;
  return &kernel;
}

}  // namespace attnsweep::cpu
