#pragma once
// The flash_sm90 device kernel: FlashAttention forward for Hopper (sm_90a).
//
// One CTA computes a 128-row block of O for one (batch, head). Three warpgroups:
//   warpgroup 0  producer: one thread issues TMA loads of Q once and of K, V blocks into a
//                STAGES-deep shared-memory ring, each stage completed on an mbarrier;
//   warpgroups 1, 2  consumers: each owns 64 query rows; S = Q K^T with wgmma (both operands in
//                shared memory), online softmax in registers (exp2, scale folded into one FMA),
//                O += P V with wgmma (P from registers, V from shared memory, MN-major).
// Shared tiles use the 128-byte swizzle that TMA writes and wgmma reads, stored as 64-column
// panels (a swizzled row is at most 128 bytes).
#include <cuda.h>
#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include <cstdint>

#include "sm90_ptx.cuh"
#include "../element.cuh"

namespace attnsweep::sm90 {

using attnsweep::cuda::pack2;

struct OutputParams {
  void* o;
  std::int64_t batch_stride, head_stride, row_stride;  // elements
  int q_n, k_n;
  float scale_log2;  // softmax_scale * log2(e)
};

constexpr int kBlockM = 128;          // query rows per CTA (two consumer warpgroups of 64)
constexpr int kThreads = 3 * 128;
constexpr int kPanelCols = 64;        // 64 16-bit columns = one 128-byte swizzled row

template <int D, int BN, int STAGES>
struct Tiles {
  static constexpr int kPanels = D / kPanelCols;
  static constexpr int kQBytes = kBlockM * D * 2;
  static constexpr int kKVBytes = BN * D * 2;
  static constexpr int kBarriers = 1 + 3 * STAGES;  // q_full, k_full[], v_full[], empty[]
  static constexpr int kSmemBytes = 1024 /* alignment slack */ + kQBytes + 2 * STAGES * kKVBytes + 8 * kBarriers;
};


template <int N, class T>
__device__ __forceinline__ void mma_qk(float (&s)[N / 2], std::uint64_t da, std::uint64_t db, int accumulate) {
  if constexpr (N == 128) wgmma_ss_n128(s, da, db, accumulate, T{});
  else wgmma_ss_n64(s, da, db, accumulate, T{});
}

template <int N, class T>
__device__ __forceinline__ void mma_pv(float (&o)[N / 2], const std::uint32_t (&a)[4], std::uint64_t db) {
  if constexpr (N == 256) wgmma_rs_n256(o, a, db, T{});
  else if constexpr (N == 128) wgmma_rs_n128(o, a, db, T{});
  else wgmma_rs_n64(o, a, db, T{});
}

template <class T, int D, int BN, int STAGES, bool CAUSAL>
__global__ void __launch_bounds__(kThreads, 1)
    flash_fwd_sm90(const __grid_constant__ CUtensorMap tm_q, const __grid_constant__ CUtensorMap tm_k,
                   const __grid_constant__ CUtensorMap tm_v, const OutputParams params) {
  using L = Tiles<D, BN, STAGES>;
  extern __shared__ std::uint8_t smem_raw[];
  std::uint8_t* smem = reinterpret_cast<std::uint8_t*>((reinterpret_cast<std::uintptr_t>(smem_raw) + 1023) & ~std::uintptr_t{1023});
  std::uint8_t* s_q = smem;
  std::uint8_t* s_k = s_q + L::kQBytes;
  std::uint8_t* s_v = s_k + STAGES * L::kKVBytes;
  std::uint64_t* q_full = reinterpret_cast<std::uint64_t*>(s_v + STAGES * L::kKVBytes);
  std::uint64_t* k_full = q_full + 1;
  std::uint64_t* v_full = k_full + STAGES;
  std::uint64_t* empty = v_full + STAGES;

  // Causal: the heaviest row blocks (most keys) start first.
  const int m_block = CAUSAL ? gridDim.x - 1 - blockIdx.x : blockIdx.x;
  const int head = blockIdx.y, batch = blockIdx.z;
  const int m0 = m_block * kBlockM;
  int n_blocks = (params.k_n + BN - 1) / BN;
  if constexpr (CAUSAL) n_blocks = min(n_blocks, (min(m0 + kBlockM, params.q_n) + BN - 1) / BN);

  if (threadIdx.x == 0) {
    mbar_init(q_full, 1);
    for (int s = 0; s < STAGES; ++s) {
      mbar_init(&k_full[s], 1);
      mbar_init(&v_full[s], 1);
      mbar_init(&empty[s], 2 * 128);
    }
    fence_barrier_init();
  }
  __syncthreads();

  const int warpgroup = threadIdx.x / 128;
  if (warpgroup == 0) {
    regs_dealloc<24>();
    if (threadIdx.x == 0) {
      prefetch_tensor_map(&tm_q);
      prefetch_tensor_map(&tm_k);
      prefetch_tensor_map(&tm_v);
      mbar_expect_tx(q_full, L::kQBytes);
      for (int p = 0; p < L::kPanels; ++p)
        tma_load_4d(s_q + p * kBlockM * 128, &tm_q, q_full, p * kPanelCols, m0, head, batch);
      for (int j = 0; j < n_blocks; ++j) {
        const int stage = j % STAGES;
        const std::uint32_t phase = (j / STAGES) & 1;
        mbar_wait(&empty[stage], phase ^ 1);
        mbar_expect_tx(&k_full[stage], L::kKVBytes);
        for (int p = 0; p < L::kPanels; ++p)
          tma_load_4d(s_k + stage * L::kKVBytes + p * BN * 128, &tm_k, &k_full[stage], p * kPanelCols, j * BN, head, batch);
        mbar_expect_tx(&v_full[stage], L::kKVBytes);
        for (int p = 0; p < L::kPanels; ++p)
          tma_load_4d(s_v + stage * L::kKVBytes + p * BN * 128, &tm_v, &v_full[stage], p * kPanelCols, j * BN, head, batch);
      }
    }
    return;
  }

  regs_alloc<240>();
  const int consumer = warpgroup - 1;
  const int tid = threadIdx.x % 128;
  const int warp = tid / 32, lane = tid % 32;
  // This thread's two rows (accumulator layout of wgmma m64nN: row lane/4 and lane/4 + 8 of its warp's 16).
  const int row0 = m0 + consumer * 64 + warp * 16 + lane / 4;
  const int col_in_chunk = 2 * (lane % 4);

  float o[D / 2];
#pragma unroll
  for (int i = 0; i < D / 2; ++i) o[i] = 0.f;
  float row_max[2] = {-INFINITY, -INFINITY};
  float row_sum[2] = {0.f, 0.f};  // this thread's partial sums; the quad is summed at the end
  const float scale_log2 = params.scale_log2;

  mbar_wait(q_full, 0);
  const std::uint8_t* q_tile = s_q + consumer * 64 * 128;

  for (int j = 0; j < n_blocks; ++j) {
    const int stage = j % STAGES;
    const std::uint32_t phase = (j / STAGES) & 1;
    float s[BN / 2];

    mbar_wait(&k_full[stage], phase);
    const std::uint8_t* k_tile = s_k + stage * L::kKVBytes;
    wgmma_fence();
#pragma unroll
    for (int k = 0; k < D / 16; ++k) {
      const int panel = k / 4, step = (k % 4) * 32;
      mma_qk<BN, T>(s, smem_desc(q_tile + panel * kBlockM * 128 + step, 16, 1024),
                    smem_desc(k_tile + panel * BN * 128 + step, 16, 1024), k > 0);
    }
    wgmma_commit();
    wgmma_wait<0>();
    fence_regs(s);

    // Mask the key tail and, for causal, keys after the row. Uniform per warpgroup.
    const int col_base = j * BN;
    const bool needs_mask = col_base + BN > params.k_n || (CAUSAL && col_base + BN - 1 > m0 + consumer * 64);
    if (needs_mask) {
#pragma unroll
      for (int i = 0; i < BN / 2; ++i) {
        const int col = col_base + (i / 4) * 8 + col_in_chunk + (i % 2);
        const int row = row0 + ((i % 4) >= 2 ? 8 : 0);
        if (col >= params.k_n || (CAUSAL && col > row)) s[i] = -INFINITY;
      }
    }

    // Online softmax in base 2: p = exp2(s * scale_log2 - max).
    float corr[2], max_used[2];
#pragma unroll
    for (int r = 0; r < 2; ++r) {
      float mx = -INFINITY;
#pragma unroll
      for (int i = 0; i < BN / 2; ++i)
        if ((i % 4) / 2 == r) mx = fmaxf(mx, s[i]);
      mx = fmaxf(mx, __shfl_xor_sync(0xffffffff, mx, 1));
      mx = fmaxf(mx, __shfl_xor_sync(0xffffffff, mx, 2));
      const float m_new = fmaxf(row_max[r], mx * scale_log2);
      max_used[r] = m_new == -INFINITY ? 0.f : m_new;  // a fully masked row so far: avoid inf - inf
      corr[r] = exp2f(row_max[r] - max_used[r]);
      row_max[r] = m_new;
      row_sum[r] *= corr[r];
    }
#pragma unroll
    for (int i = 0; i < BN / 2; ++i) {
      const int r = (i % 4) / 2;
      s[i] = exp2f(fmaf(s[i], scale_log2, -max_used[r]));
      row_sum[r] += s[i];
    }
#pragma unroll
    for (int i = 0; i < D / 2; ++i) o[i] *= corr[(i % 4) / 2];

    // P as the A operand of m64nDk16: four packed pairs per 16 keys, in accumulator order.
    std::uint32_t p[BN / 16][4];
#pragma unroll
    for (int kk = 0; kk < BN / 16; ++kk)
#pragma unroll
      for (int e = 0; e < 4; ++e) p[kk][e] = pack2<T>(s[8 * kk + 2 * e], s[8 * kk + 2 * e + 1]);

    mbar_wait(&v_full[stage], phase);
    const std::uint8_t* v_tile = s_v + stage * L::kKVBytes;
    fence_regs(o);
    wgmma_fence();
#pragma unroll
    for (int kk = 0; kk < BN / 16; ++kk)
      mma_pv<D, T>(o, p[kk], smem_desc(v_tile + kk * 16 * 128, BN * 128, 1024));
    wgmma_commit();
    wgmma_wait<0>();
    fence_regs(o);
    mbar_arrive(&empty[stage]);
  }

  // Normalise and write O straight from registers.
#pragma unroll
  for (int r = 0; r < 2; ++r) {
    float sum = row_sum[r];
    sum += __shfl_xor_sync(0xffffffff, sum, 1);
    sum += __shfl_xor_sync(0xffffffff, sum, 2);
    const float inv = sum > 0.f ? 1.f / sum : 0.f;
    const int row = row0 + 8 * r;
    if (row < params.q_n) {
      T* out = static_cast<T*>(params.o) + batch * params.batch_stride + head * params.head_stride + row * params.row_stride;
#pragma unroll
      for (int c = 0; c < D / 8; ++c)
        *reinterpret_cast<std::uint32_t*>(out + c * 8 + col_in_chunk) =
            pack2<T>(o[4 * c + 2 * r] * inv, o[4 * c + 2 * r + 1] * inv);
    }
  }
}

}  // namespace attnsweep::sm90
