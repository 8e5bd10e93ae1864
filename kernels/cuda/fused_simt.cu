// `fused_simt`: one fused online-softmax attention kernel on CUDA cores, exact fp32 arithmetic
// (fp16/bf16 inputs are widened to fp32 in registers). The fp32 path that tensor-core libraries lack.
//
// A block of 256 threads owns 64 query rows and walks the keys in 64-key tiles; thread (tx, ty)
// owns rows ty*4+i and keys tx+16j of S, and rows ty*4+i, columns tx*4 + 64c of O (in registers).
// - K and V tiles are copied by cp.async in the storage type, row-major, so one tile's load overlaps
//   math (FlashAttention-2 style, one buffer each): V(n) lands during S(n) = Q K(n)^T and the
//   softmax, K(n+1) during O += P V(n). Loads the SM waited on were what held head_dim 256 back.
// - Q (fp32, read once per block) and P (fp32) are the other operands; no tile is transposed.
// - Per 4 elements of head_dim a thread reads 4 Q and 4 K float4s for 64 FMAs; per key, head_dim/64
//   V float4s for head_dim/4 FMAs. Shared memory returns one register a lane per cycle, so an LDS.128
//   takes 4 cycles unless lanes pair up on one address (then 2): lane bit 0 picks ty and bits 1-4
//   pick tx, so lanes n, n^1 share K and V vectors and lanes n, n^2 share Q and P vectors.
// - Bank conflicts: K rows are padded to head_dim + 4 elements (16 lanes read 16 rows); the two row
//   groups of a warp read Q and P rows 4 apart, which XOR swizzles separate instead of padding, so
//   that two blocks fit an SM at head_dim 128.
// - The 16 lanes sharing a row reduce its max and sum with 4 shuffles.
#include <cuda_runtime.h>

#include "common.h"
#include "cp_async.cuh"
#include "cuda_check.h"
#include "element.cuh"

namespace attnsweep::cuda {
namespace {

constexpr int kRows = 64;      // query rows per block
constexpr int kKeys = 64;      // keys per tile
constexpr int kThreads = 256;  // tx 0..15 (keys, O columns) x ty 0..15 (rows)
constexpr int kKPad = 4;       // K row pitch head_dim + 4 elements: 8 consecutive K rows hit 8 bank groups

// Blocks per SM each head_dim is built for (registers per thread <= 65536 / (256 * blocks)); shared
// memory allows as many for fp32: 65 KiB, 113 KiB (two are exactly an SM's 228 KiB), 209 KiB.
template <int D>
constexpr int kMinBlocks = D == 64 ? 3 : D == 128 ? 2 : 1;

// Q (kRows, D) and P (kRows, kKeys) in fp32, K (kKeys, D + kKPad) and V (kKeys, D) in the storage type.
constexpr std::size_t smem_bytes(int head_dim, std::size_t element_bytes) {
  return sizeof(float) * (kRows * head_dim + kRows * kKeys) +
         element_bytes * (kKeys * (head_dim + kKPad) + kKeys * head_dim);
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

// Column of element `col` (a multiple of 4) of Q row `row`: rows 4 apart (the two row groups of a
// warp) swap 4-element chunk pairs, so their float4 reads hit different banks.
__device__ __forceinline__ int q_swizzle(int row, int col) { return col ^ (row & 4); }
// Column of key `key` in P row `row`: rows 4 apart swap 16-key halves, so the two row groups'
// scalar stores and float4 reads hit different banks.
__device__ __forceinline__ int p_swizzle(int row, int key) { return key ^ ((row & 4) << 2); }

// Copies 4 elements global -> shared without a register round trip (16 bytes of fp32 via .cg, which
// skips L1; 8 bytes of fp16/bf16 need .ca). `valid` false zero-fills (src-size 0 reads nothing).
template <typename T>
__device__ __forceinline__ void cp_async4(T* dst, const T* src, bool valid) {
  const std::uint32_t d = smem_addr(dst);
  if constexpr (sizeof(T) == 4)
    asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;\n" ::"r"(d), "l"(src), "r"(valid ? 16 : 0) : "memory");
  else
    asm volatile("cp.async.ca.shared.global [%0], [%1], 8, %2;\n" ::"r"(d), "l"(src), "r"(valid ? 8 : 0) : "memory");
}

// Issues the copies of a (R, D) global tile into shared memory with row pitch `Pitch` (Q swizzled);
// rows >= valid (>= 1) are zero-filled so masked keys meet V = 0, never garbage (0 * NaN is NaN).
// Consecutive threads take consecutive chunks of a row, so the global reads coalesce; a thread keeps
// its column and steps down the rows.
template <int D, int R, int Pitch, bool kQSwizzle, typename T>
__device__ __forceinline__ void copy_tile_async(T* dst, const T* src, std::int64_t row_stride, int valid) {
  constexpr int kChunks = D / 4, kRowsPerPass = kThreads / kChunks;
  static_assert(kThreads % kChunks == 0 && R % kRowsPerPass == 0);
  const int row0 = threadIdx.x / kChunks, col = threadIdx.x % kChunks * 4;
#pragma unroll
  for (int pass = 0; pass < R / kRowsPerPass; ++pass) {
    const int row = row0 + pass * kRowsPerPass;
    const bool in = row < valid;  // else row 0: a valid address, though nothing is read
    cp_async4(dst + row * Pitch + (kQSwizzle ? q_swizzle(row, col) : col), src + (in ? row : 0) * row_stride + col, in);
  }
}

// Q (kRows, D) -> fp32 shared (q_swizzle), rows >= valid zero-filled. fp32 goes by cp.async; fp16
// and bf16 are widened here, once per block, so that the Q K^T loop converts only K.
template <int D, typename T>
__device__ __forceinline__ void load_q(float* dst, const T* src, std::int64_t row_stride, int valid) {
  if constexpr (std::is_same_v<T, float>) {
    copy_tile_async<D, kRows, D, true>(dst, src, row_stride, valid);
  } else {
    constexpr int kChunks = D / 4, kRowsPerPass = kThreads / kChunks, kPasses = kRows / kRowsPerPass;
    const int row0 = threadIdx.x / kChunks, col = threadIdx.x % kChunks * 4;
    float4 v[kPasses];  // every load in flight before the first store
#pragma unroll
    for (int pass = 0; pass < kPasses; ++pass) {
      const int row = row0 + pass * kRowsPerPass;
      v[pass] = row < valid ? load4(src + row * row_stride + col) : make_float4(0.f, 0.f, 0.f, 0.f);
    }
#pragma unroll
    for (int pass = 0; pass < kPasses; ++pass) {
      const int row = row0 + pass * kRowsPerPass;
      *reinterpret_cast<float4*>(dst + row * D + q_swizzle(row, col)) = v[pass];
    }
  }
}

// s[i][j] += Q row i . K row 16j over 4 elements of head_dim (q and k point at row 0 of each).
template <int D, int kKPitch, typename T>
__device__ __forceinline__ void qk_step(float (&s)[4][4], const float* q, const T* k) {
  float4 qv[4];
#pragma unroll
  for (int i = 0; i < 4; ++i) qv[i] = *reinterpret_cast<const float4*>(q + i * D);
#pragma unroll
  for (int j = 0; j < 4; ++j) {
    const float4 kv = load4(k + j * 16 * kKPitch);
#pragma unroll
    for (int i = 0; i < 4; ++i) {
      s[i][j] = fmaf(qv[i].x, kv.x, s[i][j]);
      s[i][j] = fmaf(qv[i].y, kv.y, s[i][j]);
      s[i][j] = fmaf(qv[i].z, kv.z, s[i][j]);
      s[i][j] = fmaf(qv[i].w, kv.w, s[i][j]);
    }
  }
}

template <int D, typename T>
__global__ void __launch_bounds__(kThreads, kMinBlocks<D>) fused_simt_fwd(const AttentionArgs a) {
  constexpr int kCols = D / 64;  // float4 column groups of O per thread: columns tx*4 + 64*c
  constexpr int kKPitch = D + kKPad;
  constexpr int kPvUnroll = D == 64 ? 1 : 2;  // d=64 has 80 registers (3 blocks/SM): no room for more
  extern __shared__ __align__(16) float smem[];
  float* sQ = smem;                                    // (kRows, D), q_swizzle
  float* sP = sQ + kRows * D;                          // (kRows, kKeys), p_swizzle
  T* sK = reinterpret_cast<T*>(sP + kRows * kKeys);    // (kKeys, kKPitch)
  T* sV = sK + kKeys * kKPitch;                        // (kKeys, D)

  const AttentionProblem& p = a.problem;
  const int q_n = static_cast<int>(p.q_n), k_n = static_cast<int>(p.k_n);
  const int m0 = (gridDim.x - 1 - blockIdx.x) * kRows;  // the longest causal blocks start first
  const int h = blockIdx.y, b = blockIdx.z;
  const T* q = static_cast<const T*>(a.q) + b * a.q_batch_stride + h * a.q_head_stride + m0 * a.q_row_stride;
  const T* k = static_cast<const T*>(a.k) + b * a.k_batch_stride + h * a.k_head_stride;
  const T* v = static_cast<const T*>(a.v) + b * a.v_batch_stride + h * a.v_head_stride;
  // Keys tx + 16j, rows ty*4 + i; lane bit 0 picks ty and bits 1-4 tx, so that paired lanes share
  // their K and V (n, n^1) and Q and P (n, n^2) vectors: 2-cycle LDS.128s (see the top).
  const int lane = threadIdx.x % 32;
  const int tx = lane >> 1, ty = threadIdx.x / 32 * 2 + (lane & 1);
  const float scale_log2 = a.softmax_scale * 1.44269504088896340736f;
  const int n_end = p.causal ? min(k_n, m0 + kRows) : k_n;

  // This thread's rows all share one swizzle (ty*4 + i has the bit ty & 1): even 4-element chunks
  // of head_dim (d = 0, 8, 16, ...) sit at q_even + d, odd ones (d + 4) at q_odd + d.
  const float* q_rows = sQ + ty * 4 * D;
  const float* q_even = q_rows + q_swizzle(ty * 4, 0);
  const float* q_odd = q_rows + q_swizzle(ty * 4, 4);
  const T* k_row = sK + tx * kKPitch;
  float* p_row = sP + ty * 4 * kKeys;
  const T* v_col = sV + tx * 4;

  load_q<D>(sQ, q, a.q_row_stride, q_n - m0);
  copy_tile_async<D, kKeys, kKPitch, false>(sK, k, a.k_row_stride, k_n);
  cp_async_commit();

  float acc[4][kCols][4] = {};  // O rows ty*4+i, columns tx*4 + 64*c + e
  float row_max[4], row_sum[4];
#pragma unroll
  for (int i = 0; i < 4; ++i) row_max[i] = -INFINITY, row_sum[i] = 0.f;

  for (int n0 = 0; n0 < n_end; n0 += kKeys) {
    cp_async_wait<0>();
    __syncthreads();  // K(n) (and Q) landed for every thread; P V(n-1) no longer reads V or P
    copy_tile_async<D, kKeys, D, false>(sV, v + n0 * a.v_row_stride, a.v_row_stride, k_n - n0);
    cp_async_commit();

    // S (4 rows, 4 keys) = Q K^T, pre-multiplied by scale*log2(e) for exp2
    float s[4][4] = {};
    if constexpr (D == 64) {  // 80 registers: one Q pointer, the swizzle computed per step
#pragma unroll 2
      for (int d = 0; d < D; d += 4) qk_step<D, kKPitch>(s, q_rows + q_swizzle(ty * 4, d), k_row + d);
    } else {
#pragma unroll 2
      for (int d = 0; d < D; d += 8) {
        qk_step<D, kKPitch>(s, q_even + d, k_row + d);
        qk_step<D, kKPitch>(s, q_odd + d, k_row + d + 4);
      }
    }

#pragma unroll
    for (int i = 0; i < 4; ++i) {
      // Keys tx + 16j of this tile that row sees are those with 16j < visible (a select, not a branch).
      const int row = m0 + ty * 4 + i;
      const int visible = (p.causal ? min(k_n, row + 1) : k_n) - n0 - tx;
      float mx = row_max[i];
#pragma unroll
      for (int j = 0; j < 4; ++j) {
        s[i][j] = 16 * j < visible ? s[i][j] * scale_log2 : -INFINITY;
        mx = fmaxf(mx, s[i][j]);
      }
#pragma unroll
      for (int off = 2; off < 32; off <<= 1) mx = fmaxf(mx, __shfl_xor_sync(0xffffffffu, mx, off));
      const float base = mx == -INFINITY ? 0.f : mx;  // a row with no key yet stays at zero
      const float alpha = exp2f(row_max[i] - base);
      row_max[i] = mx;
      float sum = 0.f;
#pragma unroll
      for (int j = 0; j < 4; ++j) {
        s[i][j] = exp2f(s[i][j] - base);
        sum += s[i][j];
        p_row[i * kKeys + p_swizzle(ty * 4, tx + 16 * j)] = s[i][j];
      }
      row_sum[i] = row_sum[i] * alpha + sum;  // this thread's keys; the row's 16 lanes sum at the end
#pragma unroll
      for (int c = 0; c < kCols; ++c)
#pragma unroll
        for (int e = 0; e < 4; ++e) acc[i][c][e] *= alpha;
    }

    cp_async_wait<0>();
    __syncthreads();  // V(n) and P visible to every thread; S(n) no longer reads K
    if (n0 + kKeys < n_end) {
      copy_tile_async<D, kKeys, kKPitch, false>(sK, k + (n0 + kKeys) * a.k_row_stride, a.k_row_stride,
                                                k_n - n0 - kKeys);
      cp_async_commit();
    }

    // O (4 rows, D/16 columns) += P (4 rows, kKeys) V (kKeys, D); keys past n_end have P = 0
    const int keys = min(kKeys, n_end - n0);
#pragma unroll kPvUnroll
    for (int j0 = 0; j0 < keys; j0 += 4) {
      float pr[4][4];
#pragma unroll
      for (int i = 0; i < 4; ++i) {
        const float4 t = *reinterpret_cast<const float4*>(p_row + i * kKeys + p_swizzle(ty * 4, j0));
        pr[i][0] = t.x, pr[i][1] = t.y, pr[i][2] = t.z, pr[i][3] = t.w;
      }
#pragma unroll
      for (int jj = 0; jj < 4; ++jj) {
#pragma unroll
        for (int c = 0; c < kCols; ++c) {
          const float4 vv = load4(v_col + (j0 + jj) * D + c * 64);
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

  T* o = static_cast<T*>(a.o) + b * a.o_batch_stride + h * a.o_head_stride + m0 * a.o_row_stride;
#pragma unroll
  for (int i = 0; i < 4; ++i) {
    float l = row_sum[i];
#pragma unroll
    for (int off = 2; off < 32; off <<= 1) l += __shfl_xor_sync(0xffffffffu, l, off);
    const float inv = l > 0.f ? 1.f / l : 0.f;  // l > 0 for every real row: each sees key 0
    const int row = ty * 4 + i;
    if (m0 + row < q_n)
#pragma unroll
      for (int c = 0; c < kCols; ++c)
        store4(o + row * a.o_row_stride + c * 64 + tx * 4,
               make_float4(acc[i][c][0] * inv, acc[i][c][1] * inv, acc[i][c][2] * inv, acc[i][c][3] * inv));
  }
}

template <int D, typename T>
void launch(const AttentionArgs& a) {
  const auto& p = a.problem;
  constexpr std::size_t smem = smem_bytes(D, sizeof(T));
  ATTNSWEEP_CUDA_CALL(cudaFuncSetAttribute(fused_simt_fwd<D, T>, cudaFuncAttributeMaxDynamicSharedMemorySize, smem));
  // All of L1 as shared memory: kMinBlocks<D> blocks need it (two at d=128 take the SM's last byte).
  ATTNSWEEP_CUDA_CALL(cudaFuncSetAttribute(fused_simt_fwd<D, T>, cudaFuncAttributePreferredSharedMemoryCarveout,
                                           cudaSharedmemCarveoutMaxShared));
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
      const std::size_t need = smem_bytes(static_cast<int>(p.head_dim), dtype_bytes(p.dtype));
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
