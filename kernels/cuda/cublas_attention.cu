// `cublas`: the seed's vectorized_torch. Two cuBLAS strided-batched GEMMs around one fused
// mask/softmax kernel. S = scale * Q K^T lands in the storage type (fp16/bf16 as PyTorch's matmul
// writes it; fp32 for fp32/tf32) with fp32 accumulation; softmax reads each row once, computes in
// fp32 and writes P over it in place; O = P V.
// fp32 is exact fp32 (cuBLAS's default math); the tf32 dtype allows TF32 tensor cores.
// GQA: the query heads that share a K/V head are batched with it, one batched GEMM per position in
// the group. Masks (causal, window, either alignment) live in the softmax.
#include <cublas_v2.h>
#include <cuda_runtime.h>

#include <map>
#include <mutex>

#include "common.h"
#include "cuda_check.h"
#include "element.cuh"
#include "reduce.cuh"

namespace attnsweep::cuda {
namespace {

constexpr int kSoftmaxThreads = 256;
constexpr int kWarpRowKeys = 1024;    // rows up to this long: one warp per row, held in registers
constexpr std::int64_t kMaxKeys = 49152;  // longer rows are cached in shared memory (192 KiB of fp32)

// One cuBLAS handle per device, made on first use and kept for the process.
cublasHandle_t handle_for_current_device() {
  static std::mutex mutex;
  static std::map<int, cublasHandle_t> handles;
  int dev = 0;
  ATTNSWEEP_CUDA_CALL(cudaGetDevice(&dev));
  std::lock_guard lock(mutex);
  auto& h = handles[dev];
  if (!h) ATTNSWEEP_CUBLAS_CALL(cublasCreate(&h));
  return h;
}

template <typename T>
constexpr cudaDataType_t cuda_type() {
  if constexpr (std::is_same_v<T, __half>) return CUDA_R_16F;
  else if constexpr (std::is_same_v<T, __nv_bfloat16>) return CUDA_R_16BF;
  else return CUDA_R_32F;
}

// V consecutive elements of T as floats: one 16-byte access when V * sizeof(T) == 16.
template <typename T, int V>
__device__ __forceinline__ void load_vec(const T* p, float (&out)[V]) {
  if constexpr (V * sizeof(T) == 16) {
    const uint4 raw = *reinterpret_cast<const uint4*>(p);
    const T* e = reinterpret_cast<const T*>(&raw);
#pragma unroll
    for (int i = 0; i < V; ++i) out[i] = to_float(e[i]);
  } else {
#pragma unroll
    for (int i = 0; i < V; ++i) out[i] = to_float(p[i]);
  }
}

template <typename T, int V>
__device__ __forceinline__ void store_vec(T* p, const float (&in)[V]) {
  if constexpr (V * sizeof(T) == 16) {
    uint4 raw;
    T* e = reinterpret_cast<T*>(&raw);
#pragma unroll
    for (int i = 0; i < V; ++i) e[i] = from_float<T>(in[i]);
    *reinterpret_cast<uint4*>(p) = raw;
  } else {
#pragma unroll
    for (int i = 0; i < V; ++i) p[i] = from_float<T>(in[i]);
  }
}

// Short rows (k_n <= kWarpRowKeys): one warp per row, the row in registers, V elements per access.
// Keys the row does not see are -inf, so exp(-inf - max) = 0 masks them; a row that sees no key
// (max -inf) is written 0.
template <typename T, int V>
__global__ void __launch_bounds__(kSoftmaxThreads) softmax_rows_warp(AttentionProblem p, T* s, long long rows) {
  constexpr int kChunks = kWarpRowKeys / (32 * V);
  const long long r = static_cast<long long>(blockIdx.x) * (kSoftmaxThreads / 32) + threadIdx.x / 32;
  if (r >= rows) return;
  const KeyRange keys = p.visible_keys(r % p.q_n);
  const int lane = threadIdx.x % 32, n = static_cast<int>(p.k_n);
  const int begin = static_cast<int>(keys.begin), end = static_cast<int>(keys.end);
  T* x = s + r * n;
  float v[kChunks][V];
  float m = -INFINITY;
#pragma unroll
  for (int c = 0; c < kChunks; ++c) {
    const int j0 = (lane + 32 * c) * V;
    if (j0 < n) load_vec<T, V>(x + j0, v[c]);
#pragma unroll
    for (int e = 0; e < V; ++e) {
      if (j0 + e < begin || j0 + e >= end) v[c][e] = -INFINITY;
      m = fmaxf(m, v[c][e]);
    }
  }
  m = warp_max(m);
  if (m == -INFINITY) m = 0;  // no key seen: every exp below is 0
  float sum = 0;
#pragma unroll
  for (int c = 0; c < kChunks; ++c)
#pragma unroll
    for (int e = 0; e < V; ++e) sum += (v[c][e] = expf(v[c][e] - m));
  sum = warp_sum(sum);
  const float inv = sum > 0 ? 1.f / sum : 0.f;
#pragma unroll
  for (int c = 0; c < kChunks; ++c) {
    const int j0 = (lane + 32 * c) * V;
    if (j0 >= n) break;
#pragma unroll
    for (int e = 0; e < V; ++e) v[c][e] *= inv;
    store_vec<T, V>(x + j0, v[c]);
  }
}

// Long rows: one block per row, read once into shared memory as fp32, P written back in place.
template <typename T, int V>
__global__ void __launch_bounds__(kSoftmaxThreads) softmax_rows_block(AttentionProblem p, T* s) {
  extern __shared__ float row_cache[];
  const long long r = blockIdx.x;
  const KeyRange keys = p.visible_keys(r % p.q_n);
  const int n = static_cast<int>(p.k_n), begin = static_cast<int>(keys.begin), end = static_cast<int>(keys.end);
  T* x = s + r * n;
  float m = -INFINITY;
  for (int c = begin / V + threadIdx.x; c < (end + V - 1) / V; c += kSoftmaxThreads) {
    float v[V];
    load_vec<T, V>(x + c * V, v);
#pragma unroll
    for (int e = 0; e < V; ++e) {
      if (c * V + e < begin || c * V + e >= end) v[e] = -INFINITY;
      row_cache[c * V + e] = v[e];
      m = fmaxf(m, v[e]);
    }
  }
  m = block_reduce(m, true);
  float sum = 0;
  for (int j = begin + threadIdx.x; j < end; j += kSoftmaxThreads) sum += (row_cache[j] = expf(row_cache[j] - m));
  sum = block_reduce(sum, false);  // its barriers also order every read of x before the writes
  const float inv = 1.f / sum;  // used only on a row that sees keys
  for (int c = threadIdx.x; c < n / V; c += kSoftmaxThreads) {
    float v[V];
#pragma unroll
    for (int e = 0; e < V; ++e) v[e] = c * V + e >= begin && c * V + e < end ? row_cache[c * V + e] * inv : 0.f;
    store_vec<T, V>(x + c * V, v);
  }
}

// Softmax over every S row, picking the warp or block form and 16-byte accesses when rows allow.
template <typename T>
void softmax_rows(const AttentionProblem& p, T* s, cudaStream_t stream) {
  constexpr int kVec = 16 / sizeof(T);
  const long long rows = p.batch * p.heads * p.q_n;
  const bool vectorized = p.k_n % kVec == 0 && reinterpret_cast<std::uintptr_t>(s) % 16 == 0;
  auto launch = [&]<int V>() {
    if (p.k_n <= kWarpRowKeys) {
      const auto blocks = static_cast<unsigned>((rows + kSoftmaxThreads / 32 - 1) / (kSoftmaxThreads / 32));
      softmax_rows_warp<T, V><<<blocks, kSoftmaxThreads, 0, stream>>>(p, s, rows);
    } else {
      const std::size_t smem = static_cast<std::size_t>(p.k_n) * sizeof(float);
      if (smem > 48 * 1024)
        ATTNSWEEP_CUDA_CALL(
            cudaFuncSetAttribute(softmax_rows_block<T, V>, cudaFuncAttributeMaxDynamicSharedMemorySize, smem));
      softmax_rows_block<T, V><<<static_cast<unsigned>(rows), kSoftmaxThreads, smem, stream>>>(p, s);
    }
    ATTNSWEEP_CUDA_CHECK_LAUNCH();
  };
  if (vectorized) launch.template operator()<kVec>();
  else launch.template operator()<1>();
}

class CublasKernel final : public CudaKernel {
 public:
  CublasKernel()
      : CudaKernel("cublas",
                   "cuBLAS strided-batched GEMMs + one fused mask/softmax kernel (S in the storage type, softmax in fp32)",
                   "vectorized_torch", {.gqa = true, .window = true, .bottom_right = true}) {}

  Support supports(const AttentionProblem& p, const DeviceCaps&) const override {
    if (auto s = check_shape(p); !s.ok) return s;
    if (p.k_n > kMaxKeys) return Support::no("k_n > 49152: a softmax row must fit in shared memory");
    if (p.q_n * p.k_n > (1LL << 31) - 1 || p.q_n * p.heads > (1LL << 31) - 1)
      return Support::no("q_n*k_n must fit cuBLAS's 32-bit sizes");
    return Support::yes();
  }

  // S and P share one buffer of the storage type.
  std::uint64_t workspace_bytes(const AttentionProblem& p) const override {
    return scores_bytes(p, dtype_bytes(p.dtype));
  }

  void run(const AttentionArgs& a) const override {
    const auto& p = a.problem;
    require_workspace(a, workspace_bytes(p), "cublas");
    cublasHandle_t h = handle_for_current_device();
    ATTNSWEEP_CUBLAS_CALL(cublasSetStream(h, static_cast<cudaStream_t>(a.stream)));
    dispatch_storage(p.dtype, [&]<typename T>() { run_typed<T>(h, a); });
  }

 private:
  template <typename T>
  void run_typed(cublasHandle_t h, const AttentionArgs& a) const {
    const auto& p = a.problem;
    const cudaDataType_t t = cuda_type<T>();
    const cublasComputeType_t compute = p.dtype == DType::tf32 ? CUBLAS_COMPUTE_32F_FAST_TF32 : CUBLAS_COMPUTE_32F;
    auto* s = static_cast<T*>(a.workspace);
    const long long s_stride = p.q_n * p.k_n;  // elements per (batch, head)
    const float one = 1.f, zero = 0.f;
    // Query head h = kv * group + i reads K/V head kv. Each position i in the group is one batched
    // call over the K/V heads (over batch too when the batch stride continues the head stride, else
    // one call per batch entry); without GQA that is one call, as for multi-head attention.
    const std::int64_t group = p.kv_group, kv_heads = p.kv_heads();
    const bool merge = a.q_batch_stride == p.heads * a.q_head_stride && a.k_batch_stride == kv_heads * a.k_head_stride &&
                       a.v_batch_stride == kv_heads * a.v_head_stride && a.o_batch_stride == p.heads * a.o_head_stride;
    const int calls = merge ? 1 : static_cast<int>(p.batch);
    const int count = static_cast<int>(merge ? p.batch * kv_heads : kv_heads);
    const auto* q = static_cast<const T*>(a.q);
    const auto* k = static_cast<const T*>(a.k);
    const auto* v = static_cast<const T*>(a.v);
    auto* o = static_cast<T*>(a.o);

    // Column-major view of row-major tensors: S^T (k_n x q_n) = K (k_n x d) . Q^T (d x q_n).
    for (int b = 0; b < calls; ++b)
      for (std::int64_t i = 0; i < group; ++i)
        ATTNSWEEP_CUBLAS_CALL(cublasGemmStridedBatchedEx(
            h, CUBLAS_OP_T, CUBLAS_OP_N, p.k_n, p.q_n, p.head_dim, &a.softmax_scale, k + b * a.k_batch_stride, t,
            a.k_row_stride, a.k_head_stride, q + b * a.q_batch_stride + i * a.q_head_stride, t, a.q_row_stride,
            group * a.q_head_stride, &zero, s + (b * p.heads + i) * s_stride, t, p.k_n, group * s_stride, count,
            compute, CUBLAS_GEMM_DEFAULT));

    softmax_rows<T>(p, s, static_cast<cudaStream_t>(a.stream));

    // O^T (d x q_n) = V^T (d x k_n) . P^T (k_n x q_n).
    for (int b = 0; b < calls; ++b)
      for (std::int64_t i = 0; i < group; ++i)
        ATTNSWEEP_CUBLAS_CALL(cublasGemmStridedBatchedEx(
            h, CUBLAS_OP_N, CUBLAS_OP_N, p.head_dim, p.q_n, p.k_n, &one, v + b * a.v_batch_stride, t, a.v_row_stride,
            a.v_head_stride, s + (b * p.heads + i) * s_stride, t, p.k_n, group * s_stride, &zero,
            o + b * a.o_batch_stride + i * a.o_head_stride, t, a.o_row_stride, group * a.o_head_stride, count, compute,
            CUBLAS_GEMM_DEFAULT));
  }
};

}  // namespace

const Kernel* cublas_kernel() {
  static const CublasKernel k;
  return &k;
}

}  // namespace attnsweep::cuda
