// `cublas`: the seed's vectorized_torch. Two cuBLAS strided-batched GEMMs around one fused
// scale/mask/softmax kernel. S = scale * Q K^T lands in fp32 (the workspace); softmax writes P in
// the storage type over the start of each S row, so P costs no extra memory; O = P V.
// fp32 is exact fp32 (cuBLAS's default math); the tf32 dtype allows TF32 tensor cores.
#include <cublas_v2.h>
#include <cuda_runtime.h>

#include <map>
#include <mutex>

#include "common.h"
#include "cuda_check.h"
#include "element.cuh"

namespace attnsweep::cuda {
namespace {

constexpr int kSoftmaxThreads = 256;
constexpr std::int64_t kMaxKeys = 49152;  // one S row is cached in shared memory (192 KiB)

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

__device__ float block_reduce(float v, bool is_max, float* partial) {
  for (int o = 16; o > 0; o >>= 1) {
    const float other = __shfl_xor_sync(0xffffffffu, v, o);
    v = is_max ? fmaxf(v, other) : v + other;
  }
  const int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
  __syncthreads();
  if (lane == 0) partial[warp] = v;
  __syncthreads();
  v = lane < kSoftmaxThreads / 32 ? partial[lane] : (is_max ? -INFINITY : 0.f);
  for (int o = 16; o > 0; o >>= 1) {
    const float other = __shfl_xor_sync(0xffffffffu, v, o);
    v = is_max ? fmaxf(v, other) : v + other;
  }
  return v;
}

// One block per S row: read it once into shared memory, mask, softmax in fp32, write P as T over
// the row's first k_n*sizeof(T) bytes (safe: the whole row is read before anything is written).
template <typename T>
__global__ void __launch_bounds__(kSoftmaxThreads) softmax_rows(AttentionProblem p, float* s) {
  extern __shared__ float row_cache[];
  __shared__ float partial[32];
  const long long r = blockIdx.x;
  const int row = static_cast<int>(r % p.q_n), n = static_cast<int>(p.k_n);
  float* x = s + r * n;
  const int last = p.causal ? min(row, n - 1) : n - 1;
  float m = -INFINITY;
  for (int j = threadIdx.x; j <= last; j += kSoftmaxThreads) {
    const float v = x[j];
    row_cache[j] = v;
    m = fmaxf(m, v);
  }
  m = block_reduce(m, true, partial);
  float sum = 0;
  for (int j = threadIdx.x; j <= last; j += kSoftmaxThreads) {
    const float e = expf(row_cache[j] - m);
    row_cache[j] = e;
    sum += e;
  }
  sum = block_reduce(sum, false, partial);  // its barriers also order the reads of x before the writes
  const float inv = 1.f / sum;
  T* out = reinterpret_cast<T*>(x);
  for (int j = threadIdx.x; j < n; j += kSoftmaxThreads) out[j] = from_float<T>(j <= last ? row_cache[j] * inv : 0.f);
}

class CublasKernel final : public CudaKernel {
 public:
  CublasKernel()
      : CudaKernel("cublas", "cuBLAS strided-batched GEMMs + one fused scale/mask/softmax kernel (S in fp32)",
                   "vectorized_torch") {}

  Support supports(const AttentionProblem& p, const DeviceCaps&) const override {
    if (auto s = check_shape(p); !s.ok) return s;
    if (p.k_n > kMaxKeys) return Support::no("k_n > 49152: a softmax row must fit in shared memory");
    if (p.q_n * p.k_n > (1LL << 31) - 1 || p.q_n * p.heads > (1LL << 31) - 1)
      return Support::no("q_n*k_n must fit cuBLAS's 32-bit sizes");
    return Support::yes();
  }

  std::uint64_t workspace_bytes(const AttentionProblem& p) const override { return scores_bytes(p); }

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
    auto* s = static_cast<float*>(a.workspace);
    const long long s_stride = p.q_n * p.k_n;  // floats per (batch, head)
    const int elems_per_float = sizeof(float) / sizeof(T);
    const float one = 1.f, zero = 0.f;
    // One batched call over batch*heads when the batch stride continues the head stride,
    // else one call per batch entry.
    const bool merge = a.q_batch_stride == p.heads * a.q_head_stride && a.k_batch_stride == p.heads * a.k_head_stride &&
                       a.v_batch_stride == p.heads * a.v_head_stride && a.o_batch_stride == p.heads * a.o_head_stride;
    const int calls = merge ? 1 : static_cast<int>(p.batch);
    const int count = static_cast<int>(merge ? p.batch * p.heads : p.heads);
    const auto* q = static_cast<const T*>(a.q);
    const auto* k = static_cast<const T*>(a.k);
    const auto* v = static_cast<const T*>(a.v);
    auto* o = static_cast<T*>(a.o);

    // Column-major view of row-major tensors: S^T (k_n x q_n) = K (k_n x d) . Q^T (d x q_n).
    for (int b = 0; b < calls; ++b)
      ATTNSWEEP_CUBLAS_CALL(cublasGemmStridedBatchedEx(
          h, CUBLAS_OP_T, CUBLAS_OP_N, p.k_n, p.q_n, p.head_dim, &a.softmax_scale, k + b * a.k_batch_stride, t,
          a.k_row_stride, a.k_head_stride, q + b * a.q_batch_stride, t, a.q_row_stride, a.q_head_stride, &zero,
          s + b * p.heads * s_stride, CUDA_R_32F, p.k_n, s_stride, count, compute, CUBLAS_GEMM_DEFAULT));

    const std::size_t smem = static_cast<std::size_t>(p.k_n) * sizeof(float);
    if (smem > 48 * 1024)
      ATTNSWEEP_CUDA_CALL(cudaFuncSetAttribute(softmax_rows<T>, cudaFuncAttributeMaxDynamicSharedMemorySize, smem));
    softmax_rows<T><<<static_cast<unsigned>(p.batch * p.heads * p.q_n), kSoftmaxThreads, smem,
                      static_cast<cudaStream_t>(a.stream)>>>(p, s);
    ATTNSWEEP_CUDA_CHECK_LAUNCH();

    // O^T (d x q_n) = V^T (d x k_n) . P^T (k_n x q_n); P rows sit at S's row pitch.
    const T* pmat = reinterpret_cast<const T*>(s);
    for (int b = 0; b < calls; ++b)
      ATTNSWEEP_CUBLAS_CALL(cublasGemmStridedBatchedEx(
          h, CUBLAS_OP_N, CUBLAS_OP_N, p.head_dim, p.q_n, p.k_n, &one, v + b * a.v_batch_stride, t, a.v_row_stride,
          a.v_head_stride, pmat + b * p.heads * s_stride * elems_per_float, t, p.k_n * elems_per_float,
          s_stride * elems_per_float, &zero, o + b * a.o_batch_stride, t, a.o_row_stride, a.o_head_stride, count,
          compute, CUBLAS_GEMM_DEFAULT));
  }
};

}  // namespace

const Kernel* cublas_kernel() {
  static const CublasKernel k;
  return &k;
}

}  // namespace attnsweep::cuda
