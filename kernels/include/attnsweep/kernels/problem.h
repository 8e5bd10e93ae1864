#pragma once
// One attention-forward problem and the arguments a kernel receives (flash-attention's
// Flash_fwd_params in spirit: plain pointers, strides and sizes).
//
// Layout: Q [batch, heads, q_n, head_dim], K and V [batch, heads, k_n, head_dim], O like Q.
// The last dimension is contiguous; the other strides are given in elements.
// Causal masking is top-left aligned, as PyTorch's is_causal: query row i sees keys j <= i.
#include <cmath>
#include <cstdint>

#include "attnsweep/kernels/dtype.h"

namespace attnsweep {

struct AttentionProblem {
  std::int64_t batch = 1;
  std::int64_t heads = 1;
  std::int64_t q_n = 1;
  std::int64_t k_n = 1;
  std::int64_t head_dim = 64;
  bool causal = false;
  DType dtype = DType::fp32;

  std::uint64_t q_elements() const { return static_cast<std::uint64_t>(batch * heads * q_n * head_dim); }
  std::uint64_t kv_elements() const { return static_cast<std::uint64_t>(batch * heads * k_n * head_dim); }
  float softmax_scale() const { return 1.0f / std::sqrt(static_cast<float>(head_dim)); }
  // 4*B*H*Q_N*K_N*d (two GEMMs), halved for causal: the convention of FlashAttention's papers.
  double flops() const {
    const double f = 4.0 * batch * heads * static_cast<double>(q_n) * k_n * head_dim;
    return causal ? f / 2 : f;
  }
  // Fewest bytes a fused kernel must move: read Q, K, V once, write O once.
  double min_bytes() const { return static_cast<double>(2 * q_elements() + 2 * kv_elements()) * dtype_bytes(dtype); }
};

struct AttentionArgs {
  AttentionProblem problem;
  const void* q = nullptr;
  const void* k = nullptr;
  const void* v = nullptr;
  void* o = nullptr;
  // Strides in elements (the head_dim stride is 1).
  std::int64_t q_batch_stride = 0, q_head_stride = 0, q_row_stride = 0;
  std::int64_t k_batch_stride = 0, k_head_stride = 0, k_row_stride = 0;
  std::int64_t v_batch_stride = 0, v_head_stride = 0, v_row_stride = 0;
  std::int64_t o_batch_stride = 0, o_head_stride = 0, o_row_stride = 0;
  float softmax_scale = 1.0f;
  void* workspace = nullptr;  // kernel-owned scratch of Kernel::workspace_bytes(problem) bytes
  std::uint64_t workspace_bytes = 0;
  void* stream = nullptr;     // cudaStream_t for CUDA kernels; unused on the CPU
};

// Arguments for densely packed [B, H, N, d] tensors.
inline AttentionArgs contiguous_args(const AttentionProblem& p, const void* q, const void* k, const void* v, void* o) {
  AttentionArgs a;
  a.problem = p;
  a.q = q; a.k = k; a.v = v; a.o = o;
  const std::int64_t d = p.head_dim;
  a.q_row_stride = a.o_row_stride = d;
  a.q_head_stride = a.o_head_stride = p.q_n * d;
  a.q_batch_stride = a.o_batch_stride = p.heads * p.q_n * d;
  a.k_row_stride = a.v_row_stride = d;
  a.k_head_stride = a.v_head_stride = p.k_n * d;
  a.k_batch_stride = a.v_batch_stride = p.heads * p.k_n * d;
  a.softmax_scale = p.softmax_scale();
  return a;
}

}  // namespace attnsweep
