// `naive`: the math path of the seed's scaled_dot_prod_attention as three plain CUDA kernels.
// S = scale * Q K^T is materialised in fp32 (the workspace), softmax runs row by row in place,
// O = P V. Every product and sum is fp32 whatever the storage type. Query head h reads K/V head
// h / kv_group; the softmax keeps each row's visible keys (causal mask, window, either alignment).
#include <cuda_runtime.h>

#include "common.h"
#include "cuda_check.h"
#include "element.cuh"
#include "reduce.cuh"

namespace attnsweep::cuda {
namespace {

constexpr int kTile = 16;  // 16x16 output tile per block, 16-wide slices of the reduction axis

// S[bh] (q_n, k_n) = scale * Q[bh] (q_n, d) . K[bh]^T (d, k_n)
template <typename T>
__global__ void scores_kernel(AttentionArgs a, float* s) {
  __shared__ float q_tile[kTile][kTile + 1];  // (rows, d-slice)
  __shared__ float k_tile[kTile][kTile + 1];  // (keys, d-slice)
  const auto& p = a.problem;
  const int bh = blockIdx.z, b = bh / p.heads, h = bh % p.heads;
  const T* q = static_cast<const T*>(a.q) + b * a.q_batch_stride + h * a.q_head_stride;
  const T* k = static_cast<const T*>(a.k) + b * a.k_batch_stride + h / p.kv_group * a.k_head_stride;
  const int row = blockIdx.y * kTile + threadIdx.y, key = blockIdx.x * kTile + threadIdx.x;
  const int load_key = blockIdx.x * kTile + threadIdx.y;
  float acc = 0;
  for (int d0 = 0; d0 < p.head_dim; d0 += kTile) {
    const int d = d0 + threadIdx.x;
    q_tile[threadIdx.y][threadIdx.x] = (row < p.q_n && d < p.head_dim) ? to_float(q[row * a.q_row_stride + d]) : 0.f;
    k_tile[threadIdx.y][threadIdx.x] = (load_key < p.k_n && d < p.head_dim) ? to_float(k[load_key * a.k_row_stride + d]) : 0.f;
    __syncthreads();
    for (int i = 0; i < kTile; ++i) acc += q_tile[threadIdx.y][i] * k_tile[threadIdx.x][i];
    __syncthreads();
  }
  if (row < p.q_n && key < p.k_n) s[(static_cast<long long>(bh) * p.q_n + row) * p.k_n + key] = acc * a.softmax_scale;
}

// One block per row of S: P = softmax(S) in place over the keys the row sees, 0 elsewhere (a row
// that sees none is all 0, so its output is 0).
__global__ void softmax_kernel(AttentionProblem p, float* s) {
  const long long r = blockIdx.x;
  const KeyRange keys = p.visible_keys(r % p.q_n);
  const int begin = static_cast<int>(keys.begin), end = static_cast<int>(keys.end);
  float* x = s + r * p.k_n;
  float m = -INFINITY;
  for (int j = begin + threadIdx.x; j < end; j += blockDim.x) m = fmaxf(m, x[j]);
  m = block_reduce(m, true);
  float sum = 0;
  for (int j = begin + threadIdx.x; j < end; j += blockDim.x) sum += expf(x[j] - m);
  sum = block_reduce(sum, false);
  const float inv = 1.f / sum;
  for (int j = threadIdx.x; j < p.k_n; j += blockDim.x) x[j] = j >= begin && j < end ? expf(x[j] - m) * inv : 0.f;
}

// O[bh] (q_n, d) = P[bh] (q_n, k_n) . V[bh] (k_n, d)
template <typename T>
__global__ void pv_kernel(AttentionArgs a, const float* s) {
  __shared__ float p_tile[kTile][kTile + 1];  // (rows, keys)
  __shared__ float v_tile[kTile][kTile + 1];  // (keys, d)
  const auto& p = a.problem;
  const int bh = blockIdx.z, b = bh / p.heads, h = bh % p.heads;
  const T* v = static_cast<const T*>(a.v) + b * a.v_batch_stride + h / p.kv_group * a.v_head_stride;
  T* o = static_cast<T*>(a.o) + b * a.o_batch_stride + h * a.o_head_stride;
  const float* prow = s + static_cast<long long>(bh) * p.q_n * p.k_n;
  const int row = blockIdx.y * kTile + threadIdx.y, col = blockIdx.x * kTile + threadIdx.x;
  float acc = 0;
  for (int j0 = 0; j0 < p.k_n; j0 += kTile) {
    const int j = j0 + threadIdx.x, vj = j0 + threadIdx.y;
    p_tile[threadIdx.y][threadIdx.x] = (row < p.q_n && j < p.k_n) ? prow[static_cast<long long>(row) * p.k_n + j] : 0.f;
    v_tile[threadIdx.y][threadIdx.x] = (vj < p.k_n && col < p.head_dim) ? to_float(v[vj * a.v_row_stride + col]) : 0.f;
    __syncthreads();
    for (int i = 0; i < kTile; ++i) acc += p_tile[threadIdx.y][i] * v_tile[i][threadIdx.x];
    __syncthreads();
  }
  if (row < p.q_n && col < p.head_dim) o[row * a.o_row_stride + col] = from_float<T>(acc);
}

class NaiveKernel final : public CudaKernel {
 public:
  NaiveKernel()
      : CudaKernel("naive", "three plain CUDA kernels: S = QK^T in fp32, softmax, O = PV",
                   "scaled_dot_prod_attention", {.gqa = true, .window = true, .bottom_right = true}) {}

  Support supports(const AttentionProblem& p, const DeviceCaps&) const override {
    if (auto s = check_shape(p); !s.ok) return s;
    if (p.dtype == DType::tf32) return Support::no("tf32 is a cuBLAS tensor-core mode; naive computes exact fp32");
    if (p.batch * p.heads > 65535) return Support::no("batch*heads must be <= 65535 (grid limit)");
    if (p.q_n > 65535 * kTile) return Support::no("q_n too large for the grid");
    return Support::yes();
  }

  std::uint64_t workspace_bytes(const AttentionProblem& p) const override { return scores_bytes(p); }

  void run(const AttentionArgs& a) const override {
    const auto& p = a.problem;
    require_workspace(a, workspace_bytes(p), "naive");
    auto* s = static_cast<float*>(a.workspace);
    auto stream = static_cast<cudaStream_t>(a.stream);
    const unsigned bh = static_cast<unsigned>(p.batch * p.heads);
    const dim3 block(kTile, kTile);
    dispatch_storage(p.dtype, [&]<typename T>() {
      scores_kernel<T><<<dim3((p.k_n + kTile - 1) / kTile, (p.q_n + kTile - 1) / kTile, bh), block, 0, stream>>>(a, s);
      ATTNSWEEP_CUDA_CHECK_LAUNCH();
      softmax_kernel<<<static_cast<unsigned>(bh * p.q_n), 256, 0, stream>>>(p, s);
      ATTNSWEEP_CUDA_CHECK_LAUNCH();
      pv_kernel<T><<<dim3((p.head_dim + kTile - 1) / kTile, (p.q_n + kTile - 1) / kTile, bh), block, 0, stream>>>(a, s);
      ATTNSWEEP_CUDA_CHECK_LAUNCH();
    });
  }
};

}  // namespace

const Kernel* naive_kernel() {
  static const NaiveKernel k;
  return &k;
}

}  // namespace attnsweep::cuda
