#pragma once
// flash_mma: FlashAttention-2 forward for fp16/bf16 on mma.sync tensor cores (sm_80 and newer).
//
// One block owns kBlockM query rows of one (batch, head) and walks the key axis in kBlockN-row
// tiles. Q, K and V tiles live in shared memory, filled by cp.async with 16-byte chunks stored
// XOR-swizzled so ldmatrix reads them without bank conflicts. Each warp owns kMTiles 16-row
// slices of the block's queries; S = Q K^T and O += P V run as m16n8k16 MMAs with fp32
// accumulators, and the online softmax (exp2, running max and sum) stays in registers, so
// P never leaves them. The V load of tile j overlaps the S product; the K load of tile j+1
// overlaps the S product, softmax and P V product of tile j with two K buffers, or (one K buffer,
// so that two blocks fit an SM) the softmax and P V product once every warp is done with K tile j.
//
// kShapes: the instantiation for GQA, windows and bottom-right masks (K/V head h / kv_group; each
// block walks only the key tiles its rows see, and masks by each row's key range). Multi-head
// attention with a top-left mask runs the instantiation without it, whose code has none of that.
#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include <cstdint>
#include <type_traits>

#include "attnsweep/kernels/problem.h"
#include "../cp_async.cuh"
#include "../cuda_check.h"
#include "../element.cuh"
#include "flash_mma_config.h"

namespace attnsweep::cuda::flash {

template <int kHeadDim_, int kBlockM_, int kBlockN_, int kWarps_, int kKBuffers_>
struct Traits {
  static constexpr int kHeadDim = kHeadDim_;
  static constexpr int kBlockM = kBlockM_;  // query rows per block
  static constexpr int kBlockN = kBlockN_;  // keys per tile
  static constexpr int kWarps = kWarps_;
  static constexpr int kKBuffers = kKBuffers_;  // 2: K tile j+1 loads during tile j's S product
  static constexpr int kThreads = kWarps * 32;
  static constexpr int kMTiles = kBlockM / (16 * kWarps);  // 16-row MMA tiles per warp
  static constexpr int kNTiles = kBlockN / 8;              // 8-key column tiles of S per warp
  static constexpr int kDTiles = kHeadDim / 8;             // 8-column tiles of O per warp
  static constexpr int kChunks = kHeadDim / 8;             // 16-byte chunks per row
  static constexpr int kSmemElems = (kBlockM + (kKBuffers + 1) * kBlockN) * kHeadDim;  // Q, K tiles, one V tile
  // One K buffer is chosen so that two blocks share an SM (228 KiB, 1 KiB reserved per block).
  static constexpr int kBlocksPerSm = kKBuffers == 1 ? 2 : 0;  // 0: no minimum for ptxas
  static_assert(kKBuffers == 2 || 2 * (kSmemElems * 2 + 1024) <= 228 * 1024, "the blocks must fit an SM's shared memory");
  static_assert(kHeadDim % 64 == 0, "the swizzle permutes groups of 8 chunks: head_dim must be a multiple of 64");
  static_assert(kBlockM % (16 * kWarps) == 0, "each warp owns whole 16-row MMA tiles");
  static_assert(kBlockN % 16 == 0, "keys come in 16-wide MMA k-steps");
  static_assert(kKBuffers == 1 || kKBuffers == 2, "one or two K buffers");
};

// Element offset of 16-byte chunk `chunk` of row `row` in a (rows, kChunks*8) tile: the low three
// bits of the chunk index are XORed with the row, so 8 consecutive rows of one chunk column
// (one ldmatrix 8x8) hit 8 different bank groups.
template <int kChunks>
__device__ __forceinline__ int swizzle(int row, int chunk) {
  return row * kChunks * 8 + ((chunk ^ (row & 7)) * 8);
}


__device__ __forceinline__ void ldmatrix_x4(std::uint32_t (&r)[4], std::uint32_t addr) {
  asm volatile("ldmatrix.sync.aligned.m8n8.x4.shared.b16 {%0,%1,%2,%3}, [%4];\n"
               : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
               : "r"(addr));
}
__device__ __forceinline__ void ldmatrix_x4_trans(std::uint32_t (&r)[4], std::uint32_t addr) {
  asm volatile("ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16 {%0,%1,%2,%3}, [%4];\n"
               : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
               : "r"(addr));
}

// Byte offset, within a row of the swizzled tile, of the chunk whose unswizzled index is
// `chunk` (a compile-time even number) for a thread whose XOR key is `key` (its row & 7, folded
// with its own +0/+1 chunk): only the low three bits are permuted.
__device__ __forceinline__ std::uint32_t chunk_bytes(int chunk, int key) {
  return static_cast<std::uint32_t>(((chunk & ~7) | ((chunk & 7) ^ key)) * 16);
}

// d (16x8, fp32) += a (16x16) . b (16x8)
template <typename T>
__device__ __forceinline__ void mma_16816(float (&d)[4], const std::uint32_t (&a)[4], std::uint32_t b0, std::uint32_t b1) {
  if constexpr (std::is_same_v<T, __half>) {
    asm volatile("mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%0,%1,%2,%3};\n"
                 : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
                 : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
  } else {
    asm volatile("mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%0,%1,%2,%3};\n"
                 : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
                 : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
  }
}


// Copies a (kRows, head_dim) tile into the swizzled shared tile at `smem`, 16 bytes per cp.async;
// rows >= valid_rows are zero-filled. Each thread keeps one chunk column and steps down the rows,
// so its XOR key (row & 7) takes at most two values and the addresses are two bases plus constants:
// one key when a pass covers a multiple of 8 rows, two alternating when it covers 4 (d=256, 4 warps).
template <typename Tr, int kRows, typename T>
__device__ __forceinline__ void load_tile(std::uint32_t smem, const T* gmem, std::int64_t row_stride, int valid_rows) {
  constexpr int kRowsPerPass = Tr::kThreads / Tr::kChunks;
  static_assert(Tr::kThreads % Tr::kChunks == 0 && kRowsPerPass % 4 == 0 && kRows % (2 * kRowsPerPass) == 0,
                "each thread must keep its chunk column, and its row & 7 must repeat every two passes");
  constexpr std::uint32_t kRowBytes = Tr::kHeadDim * sizeof(T);
  const int row0 = threadIdx.x / Tr::kChunks, chunk = threadIdx.x % Tr::kChunks;
  const std::uint32_t dst = smem + row0 * kRowBytes + chunk_bytes(chunk & ~7, (chunk & 7) ^ (row0 & 7));
  const int row1 = row0 + kRowsPerPass;  // the odd passes' first row
  const std::uint32_t dst_odd = smem + row1 * kRowBytes + chunk_bytes(chunk & ~7, (chunk & 7) ^ (row1 & 7));
  const T* src = gmem + row0 * row_stride + chunk * 8;
#pragma unroll
  for (int i = 0; i < kRows / kRowsPerPass; ++i) {
    const int row = row0 + i * kRowsPerPass;
    const bool valid = row < valid_rows;
    const std::uint32_t to = kRowsPerPass % 8 == 0 ? dst + i * kRowsPerPass * kRowBytes
                                                   : (i & 1 ? dst_odd : dst) + (i & ~1) * kRowsPerPass * kRowBytes;
    asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;\n" ::"r"(to),
                 "l"(valid ? src + i * kRowsPerPass * row_stride : gmem), "r"(valid ? 16 : 0));
  }
}

template <typename Tr, typename T, bool kShapes>
__global__ void __launch_bounds__(Tr::kThreads, Tr::kBlocksPerSm) flash_fwd(const AttentionArgs a) {
  constexpr int kBlockM = Tr::kBlockM, kBlockN = Tr::kBlockN, kMTiles = Tr::kMTiles, kNTiles = Tr::kNTiles,
                kDTiles = Tr::kDTiles, kChunks = Tr::kChunks, D = Tr::kHeadDim;
  extern __shared__ __align__(128) unsigned char smem_raw[];
  T* sQ = reinterpret_cast<T*>(smem_raw);  // (kBlockM, D), later the O staging tile
  T* sK = sQ + kBlockM * D;                 // kKBuffers x (kBlockN, D): tile j in buffer j % kKBuffers
  T* sV = sK + Tr::kKBuffers * kBlockN * D;  // (kBlockN, D)

  const AttentionProblem& p = a.problem;
  const int q_n = static_cast<int>(p.q_n), k_n = static_cast<int>(p.k_n);
  const int m_block = gridDim.x - 1 - blockIdx.x;  // the longest causal blocks start first
  const int m0 = m_block * kBlockM;
  const int h = blockIdx.y, b = blockIdx.z;
  const std::int64_t kv_h = kShapes ? h / p.kv_group : h;
  const T* q = static_cast<const T*>(a.q) + b * a.q_batch_stride + h * a.q_head_stride + m0 * a.q_row_stride;
  const T* k = static_cast<const T*>(a.k) + b * a.k_batch_stride + kv_h * a.k_head_stride;
  const T* v = static_cast<const T*>(a.v) + b * a.v_batch_stride + kv_h * a.v_head_stride;
  T* o = static_cast<T*>(a.o) + b * a.o_batch_stride + h * a.o_head_stride + m0 * a.o_row_stride;

  const int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
  // Keys any row of this block sees: both ends of a row's range grow with the row, so the first
  // row's begin and the last row's end bound them; tiles outside are skipped whole. Every row sees
  // every key of a tile in [last row's begin, first row's end): those tiles need no mask.
  KeyRange first_row{0, k_n}, last_row{0, k_n};
  if constexpr (kShapes) {
    first_row = p.visible_keys(m0);
    last_row = p.visible_keys(min(m0 + kBlockM, q_n) - 1);
  }
  const int n_end = kShapes ? static_cast<int>(last_row.end) : p.causal ? min(k_n, m0 + kBlockM) : k_n;
  const int nb_first = kShapes ? static_cast<int>(first_row.begin) / kBlockN : 0;
  const int n_blocks = (n_end + kBlockN - 1) / kBlockN;
  const float scale_log2 = a.softmax_scale * 1.44269504088896340736f;

  // Per-thread shared addresses of the ldmatrix rows (32-bit, so hoisting them costs little).
  // Q (A operand): rows lane&15, chunk +lane/16. K (B, no transpose): keys (lane&7) + 8*(lane/16),
  // chunk +(lane/8)&1. V (B, transposed): keys (lane&7) + 8*((lane/8)&1), chunk +lane/16.
  constexpr std::uint32_t kRowBytes = D * sizeof(T);
  const int q_key = (lane >> 4) ^ (lane & 7), k_key = ((lane >> 3) & 1) ^ (lane & 7);
  const std::uint32_t q_frag = smem_addr(sQ) + ((warp * kMTiles) * 16 + (lane & 15)) * kRowBytes;
  const std::uint32_t k_frag = smem_addr(sK) + ((lane & 7) + ((lane >> 4) << 3)) * kRowBytes;
  const std::uint32_t v_frag = smem_addr(sV) + ((lane & 7) + (((lane >> 3) & 1) << 3)) * kRowBytes;

  load_tile<Tr, kBlockM>(smem_addr(sQ), q, a.q_row_stride, q_n - m0);
  load_tile<Tr, kBlockN>(smem_addr(sK), k + nb_first * kBlockN * a.k_row_stride, a.k_row_stride,
                         k_n - nb_first * kBlockN);
  cp_async_commit();

  float acc_o[kMTiles][kDTiles][4] = {};  // (kMTiles*16, D) per warp, C-fragment layout
  float row_max[kMTiles][2], row_sum[kMTiles][2];  // rows lane/4 and lane/4 + 8 of each tile
#pragma unroll
  for (int i = 0; i < kMTiles; ++i)
#pragma unroll
    for (int hh = 0; hh < 2; ++hh) row_max[i][hh] = -INFINITY, row_sum[i][hh] = 0.f;

  for (int nb = nb_first; nb < n_blocks; ++nb) {
    const int n0 = nb * kBlockN, buffer = nb - nb_first;  // the first tile walked is in K buffer 0
    const bool more = nb + 1 < n_blocks;
    constexpr bool kDoubleK = Tr::kKBuffers == 2;
    cp_async_wait<0>();
    __syncthreads();  // K tile nb (and Q) landed; every warp is done with V tile nb-1 and K tile nb-1
    load_tile<Tr, kBlockN>(smem_addr(sV), v + n0 * a.v_row_stride, a.v_row_stride, k_n - n0);
    cp_async_commit();
    if (kDoubleK && more) {  // K tile nb+1 into the other buffer: it has this whole iteration to land
      load_tile<Tr, kBlockN>(smem_addr(sK) + ((buffer + 1) & 1) * kBlockN * kRowBytes, k + (n0 + kBlockN) * a.k_row_stride,
                             a.k_row_stride, k_n - n0 - kBlockN);
      cp_async_commit();
    }
    const std::uint32_t k_tile = kDoubleK ? k_frag + (buffer & 1) * kBlockN * kRowBytes : k_frag;

    // S (kMTiles*16, kBlockN) = Q K^T for this warp's rows, one (k-step, key pair) at a time. The
    // K fragment of the next step (and Q's, at a new k-step) is read before this step's MMAs (two
    // register sets), as FlashAttention-2 does; ptxas may schedule the same on its own (measured on
    // the H100: within noise of the plain loop, not slower).
    constexpr int kPairs = kNTiles / 2;
    std::uint32_t qa[2][kMTiles][4], kb[2][4];
#pragma unroll
    for (int i = 0; i < kMTiles; ++i) ldmatrix_x4(qa[0][i], q_frag + i * 16 * kRowBytes + chunk_bytes(0, q_key));
    ldmatrix_x4(kb[0], k_tile + chunk_bytes(0, k_key));
    float s[kMTiles][kNTiles][4] = {};
#pragma unroll
    for (int kk = 0; kk < D / 16; ++kk)
#pragma unroll
      for (int np = 0; np < kPairs; ++np) {
        const int cur = (kk * kPairs + np) & 1;
        if (np + 1 < kPairs) {
          ldmatrix_x4(kb[cur ^ 1], k_tile + (np + 1) * 16 * kRowBytes + chunk_bytes(2 * kk, k_key));
        } else if (kk + 1 < D / 16) {
#pragma unroll
          for (int i = 0; i < kMTiles; ++i)
            ldmatrix_x4(qa[(kk + 1) & 1][i], q_frag + i * 16 * kRowBytes + chunk_bytes(2 * (kk + 1), q_key));
          ldmatrix_x4(kb[cur ^ 1], k_tile + chunk_bytes(2 * (kk + 1), k_key));
        }
#pragma unroll
        for (int i = 0; i < kMTiles; ++i) {
          mma_16816<T>(s[i][2 * np], qa[kk & 1][i], kb[cur][0], kb[cur][1]);
          mma_16816<T>(s[i][2 * np + 1], qa[kk & 1][i], kb[cur][2], kb[cur][3]);
        }
      }

    // Mask keys past the end and, when causal, keys after the row (only tiles that need it); with
    // kShapes, the keys outside each row's range.
    const bool tail = n0 + kBlockN > k_n;
    const bool diagonal = kShapes ? n0 < last_row.begin || n0 + kBlockN > first_row.end
                                  : p.causal && n0 + kBlockN - 1 > m0;
    if (tail || diagonal) {
#pragma unroll
      for (int i = 0; i < kMTiles; ++i)
#pragma unroll
        for (int t = 0; t < kNTiles; ++t)
#pragma unroll
          for (int e = 0; e < 4; ++e) {
            const int row = m0 + (warp * kMTiles + i) * 16 + lane / 4 + (e / 2) * 8;
            const int key = n0 + t * 8 + 2 * (lane % 4) + (e % 2);
            if constexpr (kShapes) {
              const KeyRange keys = p.visible_keys(row);
              if (key < keys.begin || key >= keys.end) s[i][t][e] = -INFINITY;
            } else {
              if (key >= k_n || (p.causal && key > row)) s[i][t][e] = -INFINITY;
            }
          }
    }
    if constexpr (!kDoubleK) {
      cp_async_wait<0>();
      __syncthreads();  // V tile nb landed, and every warp is done reading K tile nb: reload its buffer
      if (more) {
        load_tile<Tr, kBlockN>(smem_addr(sK), k + (n0 + kBlockN) * a.k_row_stride, a.k_row_stride, k_n - n0 - kBlockN);
        cp_async_commit();
      }
    }

    // Online softmax: new running max, rescale what was summed so far, exponentiate this tile.
#pragma unroll
    for (int i = 0; i < kMTiles; ++i)
#pragma unroll
      for (int hh = 0; hh < 2; ++hh) {
        float mx = row_max[i][hh];
#pragma unroll
        for (int t = 0; t < kNTiles; ++t) mx = fmaxf(mx, fmaxf(s[i][t][2 * hh], s[i][t][2 * hh + 1]));
        mx = fmaxf(mx, __shfl_xor_sync(0xffffffffu, mx, 1));
        mx = fmaxf(mx, __shfl_xor_sync(0xffffffffu, mx, 2));
        const float mx_scaled = mx == -INFINITY ? 0.f : mx * scale_log2;  // a row with no key yet stays 0
        const float alpha = exp2_ftz(row_max[i][hh] * scale_log2 - mx_scaled);
        row_max[i][hh] = mx;
        float sum = 0.f;
#pragma unroll
        for (int t = 0; t < kNTiles; ++t)
#pragma unroll
          for (int e = 2 * hh; e < 2 * hh + 2; ++e) {
            const float pe = exp2_ftz(fmaf(s[i][t][e], scale_log2, -mx_scaled));
            s[i][t][e] = pe;
            sum += pe;
          }
        row_sum[i][hh] = row_sum[i][hh] * alpha + sum;  // per-thread partial; the quad sums at the end
#pragma unroll
        for (int dt = 0; dt < kDTiles; ++dt) {
          acc_o[i][dt][2 * hh] *= alpha;
          acc_o[i][dt][2 * hh + 1] *= alpha;
        }
      }

    if constexpr (kDoubleK) {
      if (more) cp_async_wait<1>();  // V tile nb landed (K tile nb+1 may still be in flight)
      else cp_async_wait<0>();
      __syncthreads();  // ... for every thread's copies
    }

    // O (kMTiles*16, D) += P (kMTiles*16, kBlockN) V (kBlockN, D); P's C fragments are A fragments.
    // V fragments are read one step ahead, as for S.
    constexpr int kVPairs = kDTiles / 2;
    std::uint32_t vb[2][4];
    ldmatrix_x4_trans(vb[0], v_frag + chunk_bytes(0, q_key));
#pragma unroll
    for (int kk = 0; kk < kBlockN / 16; ++kk) {
      std::uint32_t pa[kMTiles][4];
#pragma unroll
      for (int i = 0; i < kMTiles; ++i) {
        pa[i][0] = pack2<T>(s[i][2 * kk][0], s[i][2 * kk][1]);
        pa[i][1] = pack2<T>(s[i][2 * kk][2], s[i][2 * kk][3]);
        pa[i][2] = pack2<T>(s[i][2 * kk + 1][0], s[i][2 * kk + 1][1]);
        pa[i][3] = pack2<T>(s[i][2 * kk + 1][2], s[i][2 * kk + 1][3]);
      }
#pragma unroll
      for (int dp = 0; dp < kVPairs; ++dp) {
        const int cur = (kk * kVPairs + dp) & 1;
        if (dp + 1 < kVPairs)
          ldmatrix_x4_trans(vb[cur ^ 1], v_frag + kk * 16 * kRowBytes + chunk_bytes(2 * (dp + 1), q_key));
        else if (kk + 1 < kBlockN / 16)
          ldmatrix_x4_trans(vb[cur ^ 1], v_frag + (kk + 1) * 16 * kRowBytes + chunk_bytes(0, q_key));
#pragma unroll
        for (int i = 0; i < kMTiles; ++i) {
          mma_16816<T>(acc_o[i][2 * dp], pa[i], vb[cur][0], vb[cur][1]);
          mma_16816<T>(acc_o[i][2 * dp + 1], pa[i], vb[cur][2], vb[cur][3]);
        }
      }
    }
  }

  // Epilogue: O / row_sum, staged through shared memory (Q's tile) for 16-byte global stores.
  if constexpr (kShapes) cp_async_wait<0>();  // a block whose rows see no key walked no tile: Q may be landing
  __syncthreads();
#pragma unroll
  for (int i = 0; i < kMTiles; ++i)
#pragma unroll
    for (int hh = 0; hh < 2; ++hh) {
      float l = row_sum[i][hh];
      l += __shfl_xor_sync(0xffffffffu, l, 1);
      l += __shfl_xor_sync(0xffffffffu, l, 2);
      const float inv = l > 0.f ? 1.f / l : 0.f;  // l = 0: the row sees no key (kShapes), its output is 0
      const int row = (warp * kMTiles + i) * 16 + lane / 4 + hh * 8;
#pragma unroll
      for (int dt = 0; dt < kDTiles; ++dt)
        *reinterpret_cast<std::uint32_t*>(sQ + swizzle<kChunks>(row, dt) + 2 * (lane % 4)) =
            pack2<T>(acc_o[i][dt][2 * hh] * inv, acc_o[i][dt][2 * hh + 1] * inv);
    }
  __syncthreads();
  constexpr int kTotal = kBlockM * kChunks;
#pragma unroll
  for (int i = 0; i < kTotal / Tr::kThreads; ++i) {
    const int idx = i * Tr::kThreads + threadIdx.x;
    const int row = idx / kChunks, chunk = idx % kChunks;
    if (row < q_n - m0)
      *reinterpret_cast<uint4*>(o + row * a.o_row_stride + chunk * 8) =
          *reinterpret_cast<const uint4*>(sQ + swizzle<kChunks>(row, chunk));
  }
}

// Launches flash_fwd for one traits/type pair on args.stream; throws DeviceError on failure.
template <typename Tr, typename T, bool kShapes>
void launch(const AttentionArgs& a) {
  const auto& p = a.problem;
  constexpr std::size_t smem = Tr::kSmemElems * sizeof(T);
  if constexpr (smem > 48 * 1024)
    ATTNSWEEP_CUDA_CALL(
        cudaFuncSetAttribute(flash_fwd<Tr, T, kShapes>, cudaFuncAttributeMaxDynamicSharedMemorySize, smem));
  if constexpr (Tr::kBlocksPerSm > 1)  // all of L1 as shared memory, so that the blocks fit side by side
    ATTNSWEEP_CUDA_CALL(cudaFuncSetAttribute(flash_fwd<Tr, T, kShapes>, cudaFuncAttributePreferredSharedMemoryCarveout,
                                             cudaSharedmemCarveoutMaxShared));
  const dim3 grid(static_cast<unsigned>((p.q_n + Tr::kBlockM - 1) / Tr::kBlockM), static_cast<unsigned>(p.heads),
                  static_cast<unsigned>(p.batch));
  flash_fwd<Tr, T, kShapes><<<grid, Tr::kThreads, smem, static_cast<cudaStream_t>(a.stream)>>>(a);
  ATTNSWEEP_CUDA_CHECK_LAUNCH();
}

template <typename T, int kHeadDim>
void run(const AttentionArgs& a) {
  using S = Shape<kHeadDim>;
  using Tr = Traits<kHeadDim, S::kBlockM, S::kBlockN, S::kWarps, S::kKBuffers>;
  const AttentionProblem& p = a.problem;
  if (p.kv_group > 1 || !p.plain_mask()) launch<Tr, T, true>(a);
  else launch<Tr, T, false>(a);
}

}  // namespace attnsweep::cuda::flash
