// `fused_simt`: one fused online-softmax attention kernel on CUDA cores, exact fp32 arithmetic
// (fp16/bf16 inputs are widened to fp32 on load). The fp32 path that tensor-core libraries lack.
//
// A block of 16x16 threads owns 64 query rows and walks the keys in 64-key tiles. Q and K sit in
// shared memory transposed ((head_dim, rows)) so each thread reads its 4 rows and its 4 keys as
// one float4 each per head_dim step: a 4x4 register tile of S costs 2 shared loads per 16 FMAs.
// The 16 threads that share rows are one half-warp, so row max and sum are 4 shuffles. P goes
// through shared memory (row-major) and O (4 rows x head_dim/16 columns a thread) stays in registers.
#include <cuda_runtime.h>

#include "common.h"
#include "cuda_check.h"
#include "element.cuh"

namespace attnsweep::cuda {
namespace {

constexpr int kRows = 64;        // query rows per block
constexpr int kKeys = 64;        // keys per tile
constexpr int kThreads = 256;    // 16 x 16
constexpr int kPStride = kKeys + 4;  // P row pitch: keeps float4 rows aligned

template <int D>
constexpr std::size_t smem_bytes() {
  return sizeof(float) * (D * kRows + D * kKeys + kKeys * D + kRows * kPStride);
}

// Four consecutive elements as floats (16 bytes of fp32 or 8 bytes of fp16/bf16).
template <typename T>
__device__ __forceinline__ float4 load4(const T* p) {
  if constexpr (std::is_same_v<T, float>) {
    return *reinterpret_cast<const float4*>(p);
  } else {
    const uint2 raw = *reinterpret_cast<const uint2*>(p);
    const T* e = reinterpret_cast<const T*>(&raw);
    return make_float4(to_float(e[0]), to_float(e[1]), to_float(e[2]), to_float(e[3]));
  }
}

template <typename T>
__device__ __forceinline__ void store4(T* p, float4 v) {
  if constexpr (std::is_same_v<T, float>) {
    *reinterpret_cast<float4*>(p) = v;
  } else {
    T e[4] = {from_float<T>(v.x), from_float<T>(v.y), from_float<T>(v.z), from_float<T>(v.w)};
    *reinterpret_cast<uint2*>(p) = *reinterpret_cast<const uint2*>(e);
  }
}

// (rows, D) global tile -> (D, rows) shared, rows >= valid zero-filled. Consecutive threads take
// consecutive rows, so the transposed stores hit consecutive banks.
template <int D, int R, typename T>
__device__ __forceinline__ void load_transposed(float* dst, const T* src, std::int64_t row_stride, int valid) {
  for (int idx = threadIdx.x; idx < R * D / 4; idx += kThreads) {
    const int row = idx % R, chunk = idx / R;
    const float4 v = row < valid ? load4(src + row * row_stride + chunk * 4) : make_float4(0, 0, 0, 0);
    dst[(chunk * 4 + 0) * R + row] = v.x;
    dst[(chunk * 4 + 1) * R + row] = v.y;
    dst[(chunk * 4 + 2) * R + row] = v.z;
    dst[(chunk * 4 + 3) * R + row] = v.w;
  }
}

// (rows, D) global tile -> (rows, D) shared, rows >= valid zero-filled.
template <int D, int R, typename T>
__device__ __forceinline__ void load_rows(float* dst, const T* src, std::int64_t row_stride, int valid) {
  for (int idx = threadIdx.x; idx < R * D / 4; idx += kThreads) {
    const int row = idx / (D / 4), chunk = idx % (D / 4);
    const float4 v = row < valid ? load4(src + row * row_stride + chunk * 4) : make_float4(0, 0, 0, 0);
    *reinterpret_cast<float4*>(dst + row * D + chunk * 4) = v;
  }
}

template <int D, typename T>
__global__ void __launch_bounds__(kThreads) fused_simt_fwd(const AttentionArgs a) {
  constexpr int kCols = D / 64;  // float4 column groups of O per thread: columns tx*4 + 64*c
  extern __shared__ __align__(16) float smem[];
  float* sQt = smem;                 // (D, kRows)
  float* sKt = sQt + D * kRows;      // (D, kKeys)
  float* sV = sKt + D * kKeys;       // (kKeys, D)
  float* sP = sV + kKeys * D;        // (kRows, kPStride)

  const AttentionProblem& p = a.problem;
  const int q_n = static_cast<int>(p.q_n), k_n = static_cast<int>(p.k_n);
  const int m0 = (gridDim.x - 1 - blockIdx.x) * kRows;  // the longest causal blocks start first
  const int h = blockIdx.y, b = blockIdx.z;
  const T* q = static_cast<const T*>(a.q) + b * a.q_batch_stride + h * a.q_head_stride + m0 * a.q_row_stride;
  const T* k = static_cast<const T*>(a.k) + b * a.k_batch_stride + h * a.k_head_stride;
  const T* v = static_cast<const T*>(a.v) + b * a.v_batch_stride + h * a.v_head_stride;
  T* o = static_cast<T*>(a.o) + b * a.o_batch_stride + h * a.o_head_stride + m0 * a.o_row_stride;
  const int tx = threadIdx.x % 16, ty = threadIdx.x / 16;  // keys tx*4.., rows ty*4..
  const float scale_log2 = a.softmax_scale * 1.44269504088896340736f;
  const int n_end = p.causal ? min(k_n, m0 + kRows) : k_n;

  load_transposed<D, kRows>(sQt, q, a.q_row_stride, q_n - m0);

  float acc[4][kCols][4] = {};  // O rows ty*4+i, columns tx*4 + 64*c + e
  float row_max[4], row_sum[4];
#pragma unroll
  for (int i = 0; i < 4; ++i) row_max[i] = -INFINITY, row_sum[i] = 0.f;

  for (int n0 = 0; n0 < n_end; n0 += kKeys) {
    __syncthreads();  // the previous tile's K, V and P are no longer read
    load_transposed<D, kKeys>(sKt, k + n0 * a.k_row_stride, a.k_row_stride, k_n - n0);
    load_rows<D, kKeys>(sV, v + n0 * a.v_row_stride, a.v_row_stride, k_n - n0);
    __syncthreads();

    // S (4 rows, 4 keys) = Q K^T, pre-multiplied by scale*log2(e) for exp2
    float s[4][4] = {};
#pragma unroll 8
    for (int d = 0; d < D; ++d) {
      const float4 qv = *reinterpret_cast<const float4*>(sQt + d * kRows + ty * 4);
      const float4 kv = *reinterpret_cast<const float4*>(sKt + d * kKeys + tx * 4);
      const float qa[4] = {qv.x, qv.y, qv.z, qv.w}, ka[4] = {kv.x, kv.y, kv.z, kv.w};
#pragma unroll
      for (int i = 0; i < 4; ++i)
#pragma unroll
        for (int j = 0; j < 4; ++j) s[i][j] = fmaf(qa[i], ka[j], s[i][j]);
    }

    const bool need_mask = n0 + kKeys > k_n || (p.causal && n0 + kKeys - 1 > m0);
#pragma unroll
    for (int i = 0; i < 4; ++i) {
      const int row = m0 + ty * 4 + i;
      float mx = row_max[i];
#pragma unroll
      for (int j = 0; j < 4; ++j) {
        const int key = n0 + tx * 4 + j;
        s[i][j] = (need_mask && (key >= k_n || (p.causal && key > row))) ? -INFINITY : s[i][j] * scale_log2;
        mx = fmaxf(mx, s[i][j]);
      }
#pragma unroll
      for (int off = 1; off < 16; off <<= 1) mx = fmaxf(mx, __shfl_xor_sync(0xffffffffu, mx, off));
      const float base = mx == -INFINITY ? 0.f : mx;  // a row with no key yet stays at zero
      const float alpha = exp2f(row_max[i] - base);
      row_max[i] = mx;
      float sum = 0.f;
#pragma unroll
      for (int j = 0; j < 4; ++j) {
        s[i][j] = exp2f(s[i][j] - base);
        sum += s[i][j];
      }
      row_sum[i] = row_sum[i] * alpha + sum;  // this thread's keys; the half-warp sums at the end
#pragma unroll
      for (int c = 0; c < kCols; ++c)
#pragma unroll
        for (int e = 0; e < 4; ++e) acc[i][c][e] *= alpha;
      *reinterpret_cast<float4*>(sP + (ty * 4 + i) * kPStride + tx * 4) = make_float4(s[i][0], s[i][1], s[i][2], s[i][3]);
    }
    __syncthreads();

    // O (4 rows, D/16 columns) += P (4 rows, kKeys) V (kKeys, D)
    const int keys = min(kKeys, n_end - n0);
    for (int j0 = 0; j0 < keys; j0 += 4) {
      float pr[4][4];
#pragma unroll
      for (int i = 0; i < 4; ++i) {
        const float4 t = *reinterpret_cast<const float4*>(sP + (ty * 4 + i) * kPStride + j0);
        pr[i][0] = t.x, pr[i][1] = t.y, pr[i][2] = t.z, pr[i][3] = t.w;
      }
#pragma unroll
      for (int jj = 0; jj < 4; ++jj) {
#pragma unroll
        for (int c = 0; c < kCols; ++c) {
          const float4 vv = *reinterpret_cast<const float4*>(sV + (j0 + jj) * D + c * 64 + tx * 4);
#pragma unroll
          for (int i = 0; i < 4; ++i) {
            acc[i][c][0] = fmaf(pr[i][jj], vv.x, acc[i][c][0]);
            acc[i][c][1] = fmaf(pr[i][jj], vv.y, acc[i][c][1]);
            acc[i][c][2] = fmaf(pr[i][jj], vv.z, acc[i][c][2]);
            acc[i][c][3] = fmaf(pr[i][jj], vv.w, acc[i][c][3]);
          }
        }
      }
    }
  }

#pragma unroll
  for (int i = 0; i < 4; ++i) {
    float l = row_sum[i];
#pragma unroll
    for (int off = 1; off < 16; off <<= 1) l += __shfl_xor_sync(0xffffffffu, l, off);
    const float inv = l > 0.f ? 1.f / l : 0.f;  // l > 0 for every real row: each sees key 0
    const int row = ty * 4 + i;
    if (row < q_n - m0)
#pragma unroll
      for (int c = 0; c < kCols; ++c)
        store4(o + row * a.o_row_stride + c * 64 + tx * 4,
               make_float4(acc[i][c][0] * inv, acc[i][c][1] * inv, acc[i][c][2] * inv, acc[i][c][3] * inv));
  }
}

template <int D, typename T>
void launch(const AttentionArgs& a) {
  const auto& p = a.problem;
  constexpr std::size_t smem = smem_bytes<D>();
  ATTNSWEEP_CUDA_CALL(cudaFuncSetAttribute(fused_simt_fwd<D, T>, cudaFuncAttributeMaxDynamicSharedMemorySize, smem));
  const dim3 grid(static_cast<unsigned>((p.q_n + kRows - 1) / kRows), static_cast<unsigned>(p.heads),
                  static_cast<unsigned>(p.batch));
  fused_simt_fwd<D, T><<<grid, kThreads, smem, static_cast<cudaStream_t>(a.stream)>>>(a);
  ATTNSWEEP_CUDA_CHECK_LAUNCH();
}

class FusedSimtKernel final : public CudaKernel {
 public:
  FusedSimtKernel()
      : CudaKernel("fused_simt", "one fused online-softmax kernel on CUDA cores, exact fp32 arithmetic",
                   "vectorized_torch_compiled") {}

  Support supports(const AttentionProblem& p, const DeviceCaps& caps) const override {
    if (auto s = check_shape(p); !s.ok) return s;
    if (p.dtype == DType::tf32) return Support::no("tf32 is a tensor-core mode; fused_simt computes exact fp32");
    if (auto s = check_head_dim_64_128_256(p); !s.ok) return s;
    if (caps.known && caps.smem_per_block_optin > 0) {
      const std::size_t need = p.head_dim == 64 ? smem_bytes<64>() : p.head_dim == 128 ? smem_bytes<128>() : smem_bytes<256>();
      if (need > caps.smem_per_block_optin)
        return Support::no("needs " + std::to_string(need / 1024) + " KiB of shared memory per block; the device has " +
                           std::to_string(caps.smem_per_block_optin / 1024));
    }
    return Support::yes();
  }

  void run(const AttentionArgs& a) const override {
    const auto misaligned = [&](const void* ptr, std::int64_t row_stride) {
      return reinterpret_cast<std::uintptr_t>(ptr) % (4 * dtype_bytes(a.problem.dtype)) != 0 || row_stride % 4 != 0;
    };
    if (misaligned(a.q, a.q_row_stride) || misaligned(a.k, a.k_row_stride) || misaligned(a.v, a.v_row_stride) ||
        misaligned(a.o, a.o_row_stride))
      throw DeviceError("fused_simt: q, k, v, o must be aligned to 4 elements with row strides a multiple of 4", false);
    dispatch_storage(a.problem.dtype, [&]<typename T>() {
      switch (a.problem.head_dim) {
        case 64: launch<64, T>(a); break;
        case 128: launch<128, T>(a); break;
        case 256: launch<256, T>(a); break;
        default: throw DeviceError("fused_simt: head_dim must be 64/128/256", false);
      }
    });
  }
};

}  // namespace

const Kernel* fused_simt_kernel() {
  static const FusedSimtKernel k;
  return &k;
}

}  // namespace attnsweep::cuda
