#pragma once
// One attention-forward problem and the arguments a kernel receives (flash-attention's
// Flash_fwd_params in spirit: plain pointers, strides and sizes).
//
// Layout: Q [batch, heads, q_n, head_dim], K and V [batch, kv_heads, k_n, head_dim], O like Q.
// The last dimension is contiguous; the other strides are given in elements. Query head h reads
// K/V head h / kv_group (grouped-query attention; kv_group 1 is multi-head, heads is multi-query).
//
// Masks. Query row i sits at key diag(i) = i (top-left, PyTorch's is_causal) or
// i + k_n - q_n (bottom-right, FlashAttention's: the last query at the last key, as in chunked
// prefill and decoding). A causal row sees keys j <= diag(i); a window [left, right] keeps keys
// diag(i) - left <= j <= diag(i) + right (-1: unlimited on that side). A row that sees no key at
// all (bottom-right with q_n > k_n, or a window past the keys) has output 0, as FlashAttention's.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string_view>

#include "attnsweep/kernels/dtype.h"

// The mask functions below run in CUDA kernels too.
#if defined(__CUDACC__)
#define ATTNSWEEP_HOST_DEVICE __host__ __device__
#else
#define ATTNSWEEP_HOST_DEVICE
#endif

namespace attnsweep {

// Where the diagonal of a causal mask (and the centre of a window) sits when q_n != k_n.
enum class CausalAlign { top_left, bottom_right };

constexpr std::string_view causal_align_name(CausalAlign a) {
  return a == CausalAlign::bottom_right ? "bottom-right" : "top-left";
}

// Keys [begin, end) one query row attends to; empty when begin == end.
struct KeyRange {
  std::int64_t begin = 0, end = 0;
  ATTNSWEEP_HOST_DEVICE std::int64_t size() const { return end - begin; }
};

struct AttentionProblem {
  std::int64_t batch = 1;
  std::int64_t heads = 1;
  std::int64_t q_n = 1;
  std::int64_t k_n = 1;
  std::int64_t head_dim = 64;
  bool causal = false;
  DType dtype = DType::fp32;
  std::int64_t kv_group = 1;       // query heads that share one K/V head; divides heads
  std::int64_t window_left = -1;   // keys left of the diagonal a row sees; -1: unlimited
  std::int64_t window_right = -1;  // keys right of it; -1: unlimited (a causal mask makes it 0)
  CausalAlign align = CausalAlign::top_left;

  std::int64_t kv_heads() const { return heads / kv_group; }
  bool has_window() const { return window_left >= 0 || window_right >= 0; }
  // True when masks are only the plain kind every kernel does: no window, and a causal mask (if
  // any) whose two alignments agree (q_n == k_n) or is top-left.
  bool plain_mask() const { return !has_window() && (!causal || align == CausalAlign::top_left || q_n == k_n); }

  std::uint64_t q_elements() const { return static_cast<std::uint64_t>(batch * heads * q_n * head_dim); }
  std::uint64_t kv_elements() const { return static_cast<std::uint64_t>(batch * kv_heads() * k_n * head_dim); }
  float softmax_scale() const { return 1.0f / std::sqrt(static_cast<float>(head_dim)); }

  // The key query row `row` sits at: the causal diagonal and the window's centre.
  ATTNSWEEP_HOST_DEVICE std::int64_t diagonal(std::int64_t row) const {
    return align == CausalAlign::bottom_right ? row + k_n - q_n : row;
  }

  // The keys row `row` sees under the causal mask and the window. Both ends grow with the row.
  ATTNSWEEP_HOST_DEVICE KeyRange visible_keys(std::int64_t row) const {
    const std::int64_t diag = diagonal(row);
    std::int64_t begin = diag - left_reach(), end = diag + right_reach() + 1;
    begin = begin < 0 ? 0 : begin > k_n ? k_n : begin;
    end = end < begin ? begin : end > k_n ? k_n : end;
    return {begin, end};
  }

  // (query, key) pairs the mask keeps, over one (batch, head) slice, in closed form.
  double visible_pairs() const {
    const std::int64_t d0 = diagonal(0);
    return static_cast<double>(clamped_sum(d0 + right_reach() + 1) - clamped_sum(d0 - left_reach()));
  }

  // 4 * B * H * d * (query, key) pairs seen: two GEMMs, query heads counted (GQA too), only the
  // keys each query sees. Under a causal mask the pair on the diagonal counts half, so a square
  // causal problem is exactly half the full one: the convention of FlashAttention's papers and of
  // FlashAttention-3's benchmark (which counts windows key by key, as here).
  double flops() const {
    double pairs = visible_pairs();
    if (causal) {
      const std::int64_t d0 = diagonal(0);  // rows whose diagonal key exists: d0 + i in [0, k_n)
      pairs -= 0.5 * static_cast<double>(std::max<std::int64_t>(0, std::min(d0 + q_n, k_n) - std::max<std::int64_t>(d0, 0)));
    }
    return 4.0 * static_cast<double>(batch) * static_cast<double>(heads) * static_cast<double>(head_dim) * pairs;
  }
  // Fewest bytes a fused kernel must move: read Q, K, V once, write O once.
  double min_bytes() const { return static_cast<double>(2 * q_elements() + 2 * kv_elements()) * dtype_bytes(dtype); }

 private:
  // How far left/right of the diagonal a row reaches; q_n + k_n stands for unlimited (past every key).
  ATTNSWEEP_HOST_DEVICE std::int64_t left_reach() const { return window_left >= 0 ? window_left : q_n + k_n; }
  ATTNSWEEP_HOST_DEVICE std::int64_t right_reach() const {
    return causal ? 0 : window_right >= 0 ? window_right : q_n + k_n;
  }
  // Sum over rows i in [0, q_n) of clamp(first + i, 0, k_n), exactly (values reach 2^65).
  __int128 clamped_sum(std::int64_t first) const {
    const auto below = [this](std::int64_t n) -> __int128 {  // sum of clamp(x, 0, k_n) for x < n
      if (n <= 0) return 0;
      const __int128 m = n, k = k_n;
      return m <= k + 1 ? m * (m - 1) / 2 : k * (k + 1) / 2 + (m - k - 1) * k;
    };
    return below(first + q_n) - below(first);
  }
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
  a.k_batch_stride = a.v_batch_stride = p.kv_heads() * p.k_n * d;
  a.softmax_scale = p.softmax_scale();
  return a;
}

}  // namespace attnsweep
