#pragma once
// The flash_sm90 device kernel: FlashAttention forward for Hopper (sm_90a).
//
// A tile is a 64*CONSUMERS-row block of O for one (batch, head) (CONSUMERS = 2: 128 rows; 3: 192 rows,
// FlashAttention-3's head_dim-64 tile, also used at d=128). A CTA computes tile blockIdx.x
// alone, or, PERSISTENT (a grid of at most one CTA per SM), tiles blockIdx.x, blockIdx.x + gridDim.x,
// ... in turn (causal: the tiles the host planned for it, tile_schedule.h), so that the next tile's
// Q, K and V load while this tile's last blocks and output are computed. (The one-tile kernel is
// compiled without the tile loop: it keeps fewer registers live, which matters at d=256.)
// 1 + CONSUMERS warpgroups:
//   warpgroup 0  producer (setmaxnreg down to 24): one thread issues TMA loads of each tile's Q and
//                of its K, V blocks into a STAGES-deep shared-memory ring, each stage completed on
//                an mbarrier (the ring runs on across tiles; persistent, Q alternates between two
//                slots where there is room, so that the next tile's Q is in early), and hands the
//                consumers each tile's coordinates with its Q (tile_of_slot); a K slot is
//                reloaded once every consumer warp is past its Q K^T (one-tile kernel) or its P V
//                (persistent), a V slot once every consumer warp is past its P V;
//   warpgroups 1..CONSUMERS  consumers (setmaxnreg up to 240 with 2, 160 with 3): each owns 64 query
//                rows; S = Q K^T with wgmma (both operands in shared memory), online softmax in
//                registers (exp2 as one MUFU.EX2 with .ftz, scale folded into one FMA; O rescaled
//                only when a warp's running max grows by more than 2^8, kLazyMaxGrowth),
//                O += P V with wgmma (P from registers, V from shared memory, MN-major).
//                OVERLAPped (FlashAttention-3's intra-warpgroup pipelining), a warpgroup issues
//                block j's Q K^T and block j-1's P V together and computes block j's softmax while
//                the P V runs; else one block at a time, the other warpgroups' GEMMs filling the
//                tensor cores meanwhile. Taking turns (kTurnBarrier), the warpgroups issue their
//                GEMMs in a ring, so that one's softmax runs under the others' GEMMs.
//                A warpgroup whose rows are all >= q_n, or (causal) whose rows end before a key
//                block, skips that block's math and only releases its ring slot; one whose rows
//                end in the first half of its diagonal block computes only that half (one block
//                at a time, 128-key blocks). The epilogue normalises O and writes it through
//                shared memory and a TMA store where SharedLayout has room for it, else from
//                registers (16-byte stores where O's rows are 16-byte aligned).
// Shared tiles use the 128-byte swizzle that TMA writes and wgmma reads, stored as 64-column
// panels (a swizzled row is at most 128 bytes).
#include <cuda.h>
#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include <cstdint>
#include <type_traits>

#include "sm90_ptx.cuh"
#include "sm90_trace.h"
#include "tile_schedule.h"
#include "../element.cuh"

namespace attnsweep::sm90 {

using attnsweep::cuda::exp2_ftz;
using attnsweep::cuda::pack2;

struct OutputParams {
  void* o;
  std::int64_t batch_stride, head_stride, row_stride;  // elements
  int q_n, k_n;
  int q_slots;       // 1 or 2 (at most SharedLayout::kQSlots): Q tiles in shared memory at once
  bool half_diagonal;  // causal, one block at a time, 128-key blocks: halve the diagonal block where it can
  bool take_turns;     // the consumer warpgroups issue their GEMMs in turn (kTurnBarrier)
  float scale_log2;  // softmax_scale * log2(e)
  TileGrid grid;
  const std::int32_t* causal_plan;  // causal persistent: plan_causal_tiles() for this grid, on the device
  bool o_aligned;                   // O's rows start 16-byte aligned (strides of 8 elements): tm_o describes O
  TraceBuffer trace;                // a trace build's timeline (sm90_trace.h); unused otherwise
};

// Lazy rescaling (FlashAttention-4's trick): a warp keeps its stale running max while no row's block
// max exceeds it by more than this (log2 units), so that probabilities stay <= 2^8 and O and the sums
// are rescaled only on a larger jump. Exact: the max used cancels in O / sum.
constexpr float kLazyMaxGrowth = 8.f;

// Taking turns (FlashAttention-3's ping-pong): consumer warpgroup c issues its GEMMs only in its
// turn, between bar.sync on barrier kTurnBarrier + c and bar.arrive on the next warpgroup's, in a
// ring, so that one warpgroup's softmax runs while the others' GEMMs hold the tensor cores instead
// of all of them computing exponentials at once. One block at a time, a turn is a block's P V (to
// its end) and the next block's Q K^T issued; overlapped, the issue of a block's Q K^T and the
// previous block's P V. (Barriers 1..3 are the epilogue's, one per warpgroup, where it stores O
// per warpgroup: stores_o_per_warp.)
constexpr int kTurnBarrier = 4;

constexpr int kPanelCols = 64;        // 64 16-bit columns = one 128-byte swizzled row
constexpr int kMaxSmemBytes = 227 * 1024;  // opt-in dynamic shared memory per block, sm_90

// setmaxnreg targets (multiples of 8). The CTA starts with the launch's registers per thread (64K
// over its threads, rounded down to 8), and the consumers' increase must come out of what the
// producer gives up, or setmaxnreg.inc waits for ever (the launch hangs). A producer that walks a
// planned tile list spills in 24 registers: it keeps 32, and two consumers get 232 instead of 240.
template <int CONSUMERS, bool PLANNED_TILES>
struct Registers {
  static constexpr int kLaunch = 65536 / (128 * (1 + CONSUMERS)) / 8 * 8;
  static constexpr int kProducer = PLANNED_TILES ? 32 : 24;
  static constexpr int kConsumer = CONSUMERS == 2 ? (PLANNED_TILES ? 232 : 240) : 160;
  static_assert(kProducer % 8 == 0 && kConsumer % 8 == 0, "setmaxnreg needs multiples of 8");
  static_assert(kLaunch - kProducer >= CONSUMERS * (kConsumer - kLaunch), "the producer must free what the consumers take");
};

// CONSUMERS consumer warpgroups of 64 query rows each, plus the producer warpgroup.
template <int D, int BN, int STAGES, int CONSUMERS>
struct Tiles {
  static_assert(CONSUMERS == 2 || CONSUMERS == 3, "two or three consumer warpgroups");
  static constexpr int kBlockM = 64 * CONSUMERS;  // query rows per CTA
  static constexpr int kThreads = 128 * (1 + CONSUMERS);
  static constexpr int kPanels = D / kPanelCols;
  static constexpr int kQBytes = kBlockM * D * 2;
  static constexpr int kKVBytes = BN * D * 2;
  static constexpr int kBarriers = 2 + 4 * STAGES;  // q_full, q_empty, k_full[], v_full[], k_empty[], v_empty[]
  // + 16: the Q slot's tile coordinates (tile_of_slot: the producer hands each tile over with its Q)
  static constexpr int kRingBytes = 1024 /* alignment slack */ + kQBytes + 2 * STAGES * kKVBytes + 8 * kBarriers + 16;
  static_assert(kRingBytes <= kMaxSmemBytes, "shared memory");
  static_assert(kBlockM <= 256, "a TMA box has at most 256 rows");
};

// A CTA's shared memory: Q and the K/V ring, and, where there is room and it pays, an O tile on its
// way to a TMA store, so that a warpgroup's epilogue is D/4 shared stores per row pair and one bulk
// store instead of D/4 four-byte global stores (the stores took up to 21% of the time at N=512).
// Measured on H100 SXM: d=128 1-10% faster; d=64 persistent 2-6%, but d=64 with one
// CTA per tile 2-4% slower from 4096 keys, so not there. No room at d=256 or with 176-key blocks.
// The persistent kernel also gets a second Q slot where there is room (d=64, and d=128 with two
// warpgroups): the next tile's Q then loads while this tile's blocks run, not after its last Q K^T,
// which left the consumers waiting for a Q fetched from memory at every tile start.
template <int D, int BN, int STAGES, int CONSUMERS, bool PERSISTENT>
struct SharedLayout {
  using L = Tiles<D, BN, STAGES, CONSUMERS>;
  static constexpr bool kStagedStore = L::kRingBytes + L::kQBytes <= kMaxSmemBytes && (D == 128 || PERSISTENT);
  static constexpr int kOBytes = kStagedStore ? L::kQBytes : 0;
  static constexpr int kSecondQBytes = L::kQBytes + 32;  // the slot, its two barriers and its tile coordinates
  static constexpr int kQSlots = PERSISTENT && L::kRingBytes + kOBytes + kSecondQBytes <= kMaxSmemBytes ? 2 : 1;
  static constexpr int kBytes = L::kRingBytes + kOBytes + (kQSlots - 1) * kSecondQBytes;
};


// Causal: a warpgroup whose rows end in the first half of its last key block (the diagonal one)
// computes that block's first half only, every key of the second half lying after all its rows:
// half the Q K^T, the exponentials and the P V (m64n64 wgmma). With 128-key blocks, and 64-row
// warpgroups starting at multiples of 64, that is every other warpgroup's diagonal block. One
// block at a time only: the overlapped loop issues a block's Q K^T and P V in different trips,
// and the half block would need a trip of its own. (The host reports the variant with this rule.)
__host__ __device__ constexpr bool halves_diagonal(bool causal, int key_block, bool overlap) { return causal && key_block == 128 && !overlap; }

// The staged O store (SharedLayout::kStagedStore) per warp, 16 rows each, or per warpgroup (64 rows
// between two named barriers): per warp at d=64 and for non-causal d=128, where it measured 1-4%
// faster on short tiles (no warpgroup barrier in the epilogue); causal d=128
// (three warpgroups) measured 1-2% slower per warp. The host's O tensor map has boxes of these rows.
__host__ __device__ constexpr bool stores_o_per_warp(int head_dim, bool causal) { return head_dim == 64 || !causal; }
__host__ __device__ constexpr int o_store_rows(int head_dim, bool causal) { return stores_o_per_warp(head_dim, causal) ? 16 : 64; }

// Elements of a register array (an S block of N/2 floats, a P block of N/16 rows of 4 words).
template <class A>
constexpr int extent_of = std::extent_v<std::remove_cvref_t<A>>;

template <int N, class T>
__device__ __forceinline__ void mma_qk(float (&s)[N / 2], std::uint64_t da, std::uint64_t db, int accumulate) {
  if constexpr (N == 176) wgmma_ss_n176(s, da, db, accumulate, T{});
  else if constexpr (N == 128) wgmma_ss_n128(s, da, db, accumulate, T{});
  else if constexpr (N == 80) wgmma_ss_n80(s, da, db, accumulate, T{});
  else wgmma_ss_n64(s, da, db, accumulate, T{});
}

template <int N, class T>
__device__ __forceinline__ void mma_pv(float (&o)[N / 2], const std::uint32_t (&a)[4], std::uint64_t db) {
  if constexpr (N == 256) wgmma_rs_n256(o, a, db, T{});
  else if constexpr (N == 128) wgmma_rs_n128(o, a, db, T{});
  else wgmma_rs_n64(o, a, db, T{});
}

template <class T, int D, int BN, int STAGES, int CONSUMERS, bool CAUSAL, bool PERSISTENT, bool OVERLAP>
__global__ void __launch_bounds__(Tiles<D, BN, STAGES, CONSUMERS>::kThreads, 1)
    flash_fwd_sm90(const __grid_constant__ CUtensorMap tm_q, const __grid_constant__ CUtensorMap tm_k,
                   const __grid_constant__ CUtensorMap tm_v, const __grid_constant__ CUtensorMap tm_o,
                   const OutputParams params) {
  using L = Tiles<D, BN, STAGES, CONSUMERS>;
  using S = SharedLayout<D, BN, STAGES, CONSUMERS, PERSISTENT>;
  constexpr int kBlockM = L::kBlockM;
  extern __shared__ std::uint8_t smem_raw[];
  std::uint8_t* smem = reinterpret_cast<std::uint8_t*>((reinterpret_cast<std::uintptr_t>(smem_raw) + 1023) & ~std::uintptr_t{1023});
  std::uint8_t* s_q = smem;                        // S::kQSlots Q tiles
  std::uint8_t* s_o = s_q + S::kQSlots * L::kQBytes;  // the O tile on its way to the TMA store (kStagedStore)
  std::uint8_t* s_k = s_o + S::kOBytes;
  std::uint8_t* s_v = s_k + STAGES * L::kKVBytes;
  std::uint64_t* q_full = reinterpret_cast<std::uint64_t*>(s_v + STAGES * L::kKVBytes);
  std::uint64_t* q_empty = q_full + S::kQSlots;  // every consumer warp is done with the slot's Q
  std::uint64_t* k_full = q_empty + S::kQSlots;
  std::uint64_t* v_full = k_full + STAGES;
  // The one-tile kernel frees a K slot right after Q K^T (k_empty) and its V slot after P V (v_empty),
  // as cuDNN does: 0-3% faster with three warpgroups at d=128, level elsewhere. The persistent
  // kernel, where it measured 1-2% slower, frees both after P V (v_empty), unless it OVERLAPs:
  // that holds a V slot until the next block's Q K^T is
  // issued, and K's reload would wait for it.
  constexpr bool kEarlyKRelease = !PERSISTENT || OVERLAP;
  std::uint64_t* k_empty = v_full + STAGES;
  std::uint64_t* v_empty = k_empty + STAGES;
  // Each Q slot's tile: row block, head, batch and key blocks (row block -1: no more tiles), written
  // by the producer before the slot's q_full arrival (a release that the consumers' wait acquires).
  // The consumers read it there instead of working it out at every tile start: a load of the plan
  // and integer divisions (their reciprocals queued behind the other warpgroup's exponentials)
  // took 400-900 cycles there (sm90_trace.h's timeline). 16-byte aligned: the barriers before it are
  // an even number of 8-byte words.
  int4* tile_of_slot = reinterpret_cast<int4*>(v_empty + STAGES);
  // Causal tiles differ in work: the persistent kernel computes the tiles the host planned for it,
  // balanced by their key blocks (tile_schedule.h); the non-causal one takes them in a static turn
  // (blockIdx.x, + gridDim.x, ...).
  constexpr bool kPlannedTiles = CAUSAL && PERSISTENT;
  using R = Registers<CONSUMERS, kPlannedTiles>;
  constexpr bool kHalfDiagonal = halves_diagonal(CAUSAL, BN, OVERLAP);
  constexpr bool kStorePerWarp = stores_o_per_warp(D, CAUSAL);
  // The row sums' inverse in one MUFU.RCP (rcp_approx) but for causal d=128 and d=256, which keep
  // the division: causal d=128 measured 1.4-1.6% slower with it at N=512 on three cards; causal
  // d=256 measured level either way and keeps the division, as checked.
  constexpr bool kApproxInverse = !CAUSAL || D == 64;
  constexpr int kHalf = BN / 2;

  const int tiles = params.grid.tiles();
  const std::int32_t* my_tiles = nullptr;  // causal persistent: this CTA's planned tiles, my_count of them
  int my_count = 0;
  if constexpr (kPlannedTiles) {
    my_tiles = params.causal_plan + gridDim.x + 1 + params.causal_plan[blockIdx.x];
    my_count = params.causal_plan[blockIdx.x + 1] - params.causal_plan[blockIdx.x];
  }
  // The producer's: this CTA's tile number `local`, or -1 past its last. A plan's first wave is tile
  // c on CTA c: the first tile starts without waiting for the plan's loads.
  const auto tile_at = [&](int local) {
    if constexpr (kPlannedTiles) return local == 0 ? static_cast<int>(blockIdx.x) : local < my_count ? my_tiles[local] : -1;
    const int t = blockIdx.x + local * gridDim.x;
    return t < tiles ? t : -1;
  };
  // Key blocks the CTA loads for the tile whose first row is m0 (causal: the rule the host's plan
  // counts with).
  const auto key_blocks = [&](int m0) {
    if constexpr (CAUSAL) return causal_key_blocks(m0, kBlockM, BN, params.q_n, params.k_n);
    return (params.k_n + BN - 1) / BN;
  };

  // The CTA's tile number `local` uses Q slot local % q_slots, for the (local / q_slots)-th time.
  const int q_slots = S::kQSlots > 1 ? params.q_slots : 1;
  const auto q_slot_of = [&](int local) { return q_slots == 2 ? local & 1 : 0; };
  const auto q_use_of = [&](int local) { return q_slots == 2 ? local >> 1 : local; };

  if (threadIdx.x == 0) {
    for (int s = 0; s < S::kQSlots; ++s) {
      mbar_init(&q_full[s], 1);
      mbar_init(&q_empty[s], CONSUMERS * 4);  // the empty barriers count one arrival per consumer warp
    }
    for (int s = 0; s < STAGES; ++s) {
      mbar_init(&k_full[s], 1);
      mbar_init(&v_full[s], 1);
      mbar_init(&k_empty[s], CONSUMERS * 4);
      mbar_init(&v_empty[s], CONSUMERS * 4);
    }
    fence_barrier_init();
  }
  __syncthreads();

  // Read from lane 0 so that the compiler knows it is the same across the warp: the Q descriptors
  // built from it then live in uniform registers, one UIADD3 per wgmma instead of six instructions
  // (a 64-bit add in vector registers and two R2UR, in the SASS of the d=256 loop).
  const int warpgroup = __shfl_sync(0xffffffff, threadIdx.x / 128, 0);
  Tracer trace(params.trace, 1 + CONSUMERS, threadIdx.x % 128 == 0);
  if (warpgroup == 0) {
    regs_dealloc<R::kProducer>();
    if (threadIdx.x == 0) {
      prefetch_tensor_map(&tm_q);
      prefetch_tensor_map(&tm_k);
      prefetch_tensor_map(&tm_v);
      int it = 0;  // key blocks loaded so far, over all of this CTA's tiles: the ring position
      for (int local = 0;; ++local) {
        const int t = tile_at(local);
        const int q_slot = q_slot_of(local), q_use = q_use_of(local);
        if (PERSISTENT && q_use > 0) mbar_wait(&q_empty[q_slot], (q_use - 1) & 1);  // the slot's last Q is no longer read
        if (t < 0) {  // tell the consumers (the one-tile kernel's never get here)
          tile_of_slot[q_slot] = make_int4(-1, 0, 0, 0);
          mbar_arrive(&q_full[q_slot]);
          break;
        }
        const TileCoord c = tile_coord(t, params.grid, CAUSAL);
        const int m0 = c.m_block * kBlockM;
        const int n_blocks = key_blocks(m0);
        tile_of_slot[q_slot] = make_int4(c.m_block, c.head, c.batch, n_blocks);
        trace(TraceEvent::load_q, local, 0);
        mbar_expect_tx(&q_full[q_slot], L::kQBytes);
        for (int p = 0; p < L::kPanels; ++p)
          tma_load_4d(s_q + q_slot * L::kQBytes + p * kBlockM * 128, &tm_q, &q_full[q_slot], p * kPanelCols, m0, c.head, c.batch);
        for (int j = 0; j < n_blocks; ++j, ++it) {
          const int stage = it % STAGES;
          const std::uint32_t phase = (it / STAGES) & 1;
          mbar_wait(kEarlyKRelease ? &k_empty[stage] : &v_empty[stage], phase ^ 1);
          trace(TraceEvent::load_k, local, j);
          mbar_expect_tx(&k_full[stage], L::kKVBytes);
          for (int p = 0; p < L::kPanels; ++p)
            tma_load_4d(s_k + stage * L::kKVBytes + p * BN * 128, &tm_k, &k_full[stage], p * kPanelCols, j * BN, c.head, c.batch);
          if (kEarlyKRelease) mbar_wait(&v_empty[stage], phase ^ 1);
          trace(TraceEvent::load_v, local, j);
          mbar_expect_tx(&v_full[stage], L::kKVBytes);
          for (int p = 0; p < L::kPanels; ++p)
            tma_load_4d(s_v + stage * L::kKVBytes + p * BN * 128, &tm_v, &v_full[stage], p * kPanelCols, j * BN, c.head, c.batch);
        }
        if constexpr (!PERSISTENT) break;
      }
    }
    return;
  }

  regs_alloc<R::kConsumer>();
  const int consumer = warpgroup - 1;
  const int tid = threadIdx.x % 128;
  const int warp = tid / 32, lane = tid % 32;
  const int col_in_chunk = 2 * (lane % 4);
  const float scale_log2 = params.scale_log2;
  // Shared-memory descriptors of this warpgroup's Q rows and of the first K and V slots; each wgmma's
  // operand is one of these plus a constant offset (desc_plus).
  const std::uint64_t q_desc = smem_desc(s_q + consumer * 64 * 128, 16, 1024);
  const std::uint64_t k_desc = smem_desc(s_k, 16, 1024);
  const std::uint64_t v_desc = smem_desc(s_v, BN * 128, 1024);

  // One arrival per warp on the empty barriers: after wgmma_wait, which the warp's lanes pass
  // together, its reads of the slot are done (32 times fewer shared-memory atomics than per thread).
  const auto release = [&](std::uint64_t* bar) {
    if (lane == 0) mbar_arrive(bar);
  };
  // Turns (kTurnBarrier): every warpgroup takes the tile's loaded key blocks + 1 turns (one that
  // computes fewer blocks passes the rest on empty), so that the ring stays in step whatever each
  // computes; warpgroup 0 takes the first.
  const bool take_turns = params.take_turns;
  const auto begin_turn = [&] {
    if (take_turns) named_barrier_sync(kTurnBarrier + consumer, 256);
  };
  const auto end_turn = [&] {
    if (take_turns) named_barrier_arrive(kTurnBarrier + (consumer + 1) % CONSUMERS, 256);
  };
  const auto pass_turn = [&] {
    begin_turn();
    end_turn();
  };
  if (take_turns && consumer == CONSUMERS - 1) named_barrier_arrive(kTurnBarrier, 256);

  float o[D / 2];
  float row_max[2] = {}, row_sum[2] = {};  // set per tile; row_sum: this thread's partial sums, the quad's summed at the end
  int row0 = 0, m0 = 0;          // this thread's first row (wgmma m64nN layout: lane/4 and lane/4 + 8 of its warp's 16)
  std::uint64_t q_tile_desc = q_desc;  // this tile's Q slot

  // S = Q K^T for the key block in `stage`, one asynchronous wgmma group: all BN keys into s[BN / 2],
  // or the first kHalf into s[kHalf / 2].
  const auto issue_qk = [&](auto& s, int stage) {
    constexpr int kCols = 2 * extent_of<decltype(s)>;
    const std::uint64_t k_stage = desc_plus(k_desc, stage * L::kKVBytes);
    wgmma_fence();
#pragma unroll
    for (int k = 0; k < D / 16; ++k) {
      const int panel = k / 4, step = (k % 4) * 32;
      mma_qk<kCols, T>(s, desc_plus(q_tile_desc, panel * kBlockM * 128 + step), desc_plus(k_stage, panel * BN * 128 + step), k > 0);
    }
    wgmma_commit();
  };
  // O += P V for the value block in `stage` (as many of its rows as P has keys), one asynchronous wgmma group.
  const auto issue_pv = [&](const auto& p, int stage) {
    const std::uint64_t v_stage = desc_plus(v_desc, stage * L::kKVBytes);
    fence_regs(o);
    wgmma_fence();
#pragma unroll
    for (int kk = 0; kk < extent_of<decltype(p)>; ++kk)
      mma_pv<D, T>(o, p[kk], desc_plus(v_stage, kk * 16 * 128));
    wgmma_commit();
  };
  // Masks block j's scores (s: its first kCols keys), updates the running max and sum, turns s into
  // unnormalised probabilities p = exp2(s * scale_log2 - max), and returns in corr the factor by
  // which the output so far must be scaled before this block's P V is added; returns false
  // (warp-uniform) when the max was kept (lazy rescaling) and O needs no scaling.
  const auto softmax = [&](auto& s, int j, float (&corr)[2]) {
    constexpr int kCols = 2 * extent_of<decltype(s)>;
    // Mask the key tail and, for causal, keys after the row. Uniform per warpgroup.
    const int col_base = j * BN;
    const bool needs_mask = col_base + kCols > params.k_n || (CAUSAL && col_base + kCols - 1 > m0 + consumer * 64);
    if (needs_mask) {
#pragma unroll
      for (int i = 0; i < kCols / 2; ++i) {
        const int col = col_base + (i / 4) * 8 + col_in_chunk + (i % 2);
        const int row = row0 + ((i % 4) >= 2 ? 8 : 0);
        if (col >= params.k_n || (CAUSAL && col > row)) s[i] = -INFINITY;
      }
    }
    float block_max[2], max_used[2];
#pragma unroll
    for (int r = 0; r < 2; ++r) {
      float mx = -INFINITY;
#pragma unroll
      for (int i = 0; i < kCols / 2; ++i)
        if ((i % 4) / 2 == r) mx = fmaxf(mx, s[i]);
      mx = fmaxf(mx, __shfl_xor_sync(0xffffffff, mx, 1));
      mx = fmaxf(mx, __shfl_xor_sync(0xffffffff, mx, 2));
      block_max[r] = mx * scale_log2;
    }
    const bool grow =
        __any_sync(0xffffffff, block_max[0] > row_max[0] + kLazyMaxGrowth || block_max[1] > row_max[1] + kLazyMaxGrowth);
    trace(TraceEvent::max_done, 0, j);
#pragma unroll
    for (int r = 0; r < 2; ++r) {
      const float m_new = grow ? fmaxf(row_max[r], block_max[r]) : row_max[r];
      max_used[r] = m_new == -INFINITY ? 0.f : m_new;  // a fully masked row so far: avoid inf - inf
      corr[r] = exp2_ftz(row_max[r] - max_used[r]);
      row_max[r] = m_new;
      row_sum[r] *= corr[r];
    }
#pragma unroll
    for (int i = 0; i < kCols / 2; ++i) {
      const int r = (i % 4) / 2;
      s[i] = exp2_ftz(fmaf(s[i], scale_log2, -max_used[r]));
      row_sum[r] += s[i];
    }
    return grow;
  };
  const auto rescale_o = [&](const float (&corr)[2]) {
#pragma unroll
    for (int i = 0; i < D / 2; ++i) o[i] *= corr[(i % 4) / 2];
  };
  // P as the A operand of m64nDk16: four packed pairs per 16 keys, in accumulator order.
  const auto pack_p = [&](const auto& s, auto& p) {
    static_assert(extent_of<decltype(s)> == 8 * extent_of<decltype(p)>, "8 scores per 4 words");
#pragma unroll
    for (int kk = 0; kk < extent_of<decltype(p)>; ++kk)
#pragma unroll
      for (int e = 0; e < 4; ++e) p[kk][e] = pack2<T>(s[8 * kk + 2 * e], s[8 * kk + 2 * e + 1]);
  };
  // The ring slot of the CTA's key block number n (over all its tiles, as the producer counts) and
  // the parity of that slot's use.
  const auto stage_of = [](int n) { return n % STAGES; };
  const auto phase_of = [](int n) { return static_cast<std::uint32_t>((n / STAGES) & 1); };
  float s[BN / 2], corr[2];
  std::uint32_t p[BN / 16][4];
  int it = 0;  // the ring position, as the producer counts it
  for (int local = 0;; ++local) {
#pragma unroll
    for (int i = 0; i < D / 2; ++i) o[i] = 0.f;
    row_max[0] = row_max[1] = -INFINITY;
    row_sum[0] = row_sum[1] = 0.f;
    // The tile, as the producer worked it out ahead and handed it over with its Q (tile_of_slot):
    // lane 0 reads (its release of the slot then orders the read before the producer's next write)
    // and broadcasts, so that the compiler knows the values the same across the warp (as
    // `warpgroup`): the ring position and the K/V descriptors that follow stay in uniform registers.
    // (Working out the first tile here instead, while its Q loads, measured 1-3% slower at d=64.)
    const int q_slot = q_slot_of(local);
    mbar_wait(&q_full[q_slot], q_use_of(local) & 1);
    trace(TraceEvent::q_ready, local, 0);
    int4 tile = make_int4(0, 0, 0, 0);
    if (lane == 0) tile = tile_of_slot[q_slot];
    const TileCoord c{__shfl_sync(0xffffffff, tile.x, 0), __shfl_sync(0xffffffff, tile.y, 0), __shfl_sync(0xffffffff, tile.z, 0)};
    if (c.m_block < 0) break;
    const int n_blocks = __shfl_sync(0xffffffff, tile.w, 0);
    m0 = c.m_block * kBlockM;
    row0 = m0 + consumer * 64 + warp * 16 + lane / 4;
    // Key blocks this warpgroup computes: none when all its rows are past q_n (the last tile of a
    // q_n that is not a multiple of kBlockM); for causal, none past its own last row. The CTA loads
    // n_blocks, and every block is computed by at least the warpgroup holding row min(m0 + kBlockM, q_n) - 1.
    const int wg_row0 = m0 + consumer * 64;
    int my_blocks = wg_row0 < params.q_n ? n_blocks : 0;
    if constexpr (CAUSAL) my_blocks = min(my_blocks, (wg_row0 + 64 + BN - 1) / BN);
    // The block of which this warpgroup computes the first half only (kHalfDiagonal), or -1.
    const int half_block =
        kHalfDiagonal && params.half_diagonal && my_blocks > 0 && wg_row0 + 64 - (my_blocks - 1) * BN <= kHalf ? my_blocks - 1 : -1;
    trace(TraceEvent::tile, local, n_blocks | my_blocks << 16);

    std::uint64_t* const q_done = &q_empty[q_slot];
    q_tile_desc = desc_plus(q_desc, q_slot * L::kQBytes);
    if (PERSISTENT && my_blocks == 0) release(q_done);
    if constexpr (OVERLAP) {
      // FlashAttention-3's intra-warpgroup overlap: block j's softmax runs while the tensor cores
      // compute block j-1's P V (issued right after block j's Q K^T). The wait for that P V sits at
      // the top of the next trip round a loop that is not unrolled: within one trip, ptxas hoisted
      // it above the exponentials (docs/flash_sm90.md).
      if (my_blocks > 0) {
        mbar_wait(&k_full[stage_of(it)], phase_of(it));
        trace(TraceEvent::k_ready, local, 0);
        begin_turn();
        issue_qk(s, stage_of(it));
        end_turn();
        wgmma_wait<0>();
        fence_regs(s);
        release(&k_empty[stage_of(it)]);
        if (PERSISTENT && my_blocks == 1) release(q_done);
        trace(TraceEvent::qk_done, local, 0);
        bool grow = softmax(s, 0, corr);
        trace(TraceEvent::softmax_done, local, 0);
#pragma unroll 1
        for (int j = 1; j <= my_blocks; ++j) {
          wgmma_wait<0>();  // block j-2's P V: its V slot is free, O may be scaled
          fence_regs(o);
          if (j >= 2) release(&v_empty[stage_of(it + j - 2)]);
          if (grow) rescale_o(corr);
          pack_p(s, p);
          if (j == my_blocks) break;
          mbar_wait(&k_full[stage_of(it + j)], phase_of(it + j));
          begin_turn();
          issue_qk(s, stage_of(it + j));
          mbar_wait(&v_full[stage_of(it + j - 1)], phase_of(it + j - 1));
          issue_pv(p, stage_of(it + j - 1));
          end_turn();
          wgmma_wait<1>();  // block j's Q K^T
          fence_regs(s);
          trace(TraceEvent::qk_done, local, j);
          release(&k_empty[stage_of(it + j)]);
          if (PERSISTENT && j + 1 == my_blocks) release(q_done);
          grow = softmax(s, j, corr);
          trace(TraceEvent::softmax_done, local, j);
        }
        const int last = it + my_blocks - 1;
        mbar_wait(&v_full[stage_of(last)], phase_of(last));
        begin_turn();
        issue_pv(p, stage_of(last));
        end_turn();
        wgmma_wait<0>();
        fence_regs(o);
        trace(TraceEvent::pv_done, local, my_blocks - 1);
        release(&v_empty[stage_of(last)]);
      }
    } else {
      // One block at a time: scores, softmax, then P V. The other consumer warpgroups' GEMMs fill
      // the tensor cores meanwhile. `scores` and `probs` hold a whole block or its first half.
      // Taking turns, a turn runs from a block's P V to the next block's Q K^T issued.
      const auto one_block = [&](auto& scores, auto& probs, int j) {
        const int stage = stage_of(it + j);
        const std::uint32_t phase = phase_of(it + j);
        mbar_wait(&k_full[stage], phase);
        trace(TraceEvent::k_ready, local, j);
        issue_qk(scores, stage);
        end_turn();
        wgmma_wait<0>();
        fence_regs(scores);
        trace(TraceEvent::qk_done, local, j);
        if (kEarlyKRelease) release(&k_empty[stage]);
        if (PERSISTENT && j + 1 == my_blocks) release(q_done);  // the next tile's Q may load
        if (softmax(scores, j, corr)) rescale_o(corr);
        pack_p(scores, probs);
        trace(TraceEvent::softmax_done, local, j);
        mbar_wait(&v_full[stage], phase);
        trace(TraceEvent::v_ready, local, j);
        begin_turn();
        trace(TraceEvent::pv_turn, local, j);
        issue_pv(probs, stage);
        wgmma_wait<0>();
        fence_regs(o);
        trace(TraceEvent::pv_done, local, j);
        release(&v_empty[stage]);
      };
      const int whole_blocks = half_block >= 0 ? half_block : my_blocks;
      if (my_blocks > 0) begin_turn();
      trace(TraceEvent::qk_turn, local, 0);
      for (int j = 0; j < whole_blocks; ++j) one_block(s, p, j);
      if constexpr (kHalfDiagonal) {
        if (half_block >= 0) {
          float s_half[kHalf / 2];
          std::uint32_t p_half[kHalf / 16][4];
          one_block(s_half, p_half, half_block);
        }
      }
      if (my_blocks > 0) end_turn();
    }
    // Release the slots of the skipped blocks: the empty barriers count every consumer warp. Waiting
    // for the block's K and V first keeps each arrival out of its slot's previous phase (the reload
    // cannot have started before that phase completed; with kEarlyKRelease, K's reload says nothing
    // about V's slot, which other warpgroups may still be reading). Taking turns, one empty turn
    // after each (and one more without blocks): a block's release comes before the turn that the
    // others' later loads may wait on.
    if (my_blocks == 0) pass_turn();
#pragma unroll 1
    for (int j = my_blocks; j < n_blocks; ++j) {
      const int stage = stage_of(it + j);
      const std::uint32_t phase = phase_of(it + j);
      mbar_wait(&k_full[stage], phase);
      if (kEarlyKRelease) release(&k_empty[stage]);
      mbar_wait(&v_full[stage], phase);
      release(&v_empty[stage]);
      pass_turn();
    }
    it += n_blocks;
    trace(TraceEvent::epilogue, local, 0);

    // Normalise and write O: through shared memory and a TMA store where the tile has room for it,
    // else straight from registers, 16 bytes per lane where O's rows are 16-byte aligned.
    float inv[2];
#pragma unroll
    for (int r = 0; r < 2; ++r) {
      float sum = row_sum[r];
      sum += __shfl_xor_sync(0xffffffff, sum, 1);
      sum += __shfl_xor_sync(0xffffffff, sum, 2);
      inv[r] = sum > 0.f ? (kApproxInverse ? rcp_approx(sum) : 1.f / sum) : 0.f;
    }
    trace(TraceEvent::o_scaled, 0, 0);
    if (S::kStagedStore && params.o_aligned) {
      // Rows of each 64-column panel, 128-byte swizzled as TMA reads them: 16-byte chunk kc of row r
      // sits at chunk kc ^ (r % 8), so a warp's stores hit 32 banks. kStorePerWarp: each warp
      // stages and stores its own 16 rows (lane 0 issues the store), with no warpgroup barrier;
      // else the warpgroup's 64 rows between two named barriers, thread 0 issuing.
      std::uint8_t* o_rows = s_o + (consumer * 64 + (kStorePerWarp ? warp * 16 : 0)) * 128;
      const bool issuer = kStorePerWarp ? lane == 0 : tid == 0;
      const auto sync_writers = [&] {
        if constexpr (kStorePerWarp) __syncwarp();
        else named_barrier_sync(1 + consumer, 128);
      };
      if (issuer) bulk_wait_read<0>();  // the previous tile's store has read these rows
      trace(TraceEvent::o_store_read, 0, 0);
      sync_writers();
      trace(TraceEvent::o_slot_free, 0, 0);
#pragma unroll
      for (int r = 0; r < 2; ++r) {
        // Within o_rows, which start at a multiple of 8 rows (1024 bytes: the swizzle's period).
        const int row = (kStorePerWarp ? 0 : warp * 16) + lane / 4 + 8 * r;
#pragma unroll
        for (int k = 0; k < D / 8; ++k) {
          const int chunk = (k % 8) ^ (row % 8);
          *reinterpret_cast<std::uint32_t*>(o_rows + (k / 8) * kBlockM * 128 + row * 128 + chunk * 16 + col_in_chunk * 2) =
              pack2<T>(o[4 * k + 2 * r] * inv[r], o[4 * k + 2 * r + 1] * inv[r]);
        }
      }
      fence_proxy_async_shared();
      trace(TraceEvent::o_fenced, 0, 0);
      sync_writers();
      if (issuer) {  // rows past q_n fall outside the tensor map and are not written
        const int first_row = m0 + consumer * 64 + (kStorePerWarp ? warp * 16 : 0);
        for (int p = 0; p < L::kPanels; ++p)
          tma_store_4d(&tm_o, o_rows + p * kBlockM * 128, p * kPanelCols, first_row, c.head, c.batch);
        bulk_commit();
      }
    } else if (params.o_aligned) {
      // 16-byte stores: a quad holds 8 columns of each 8-column chunk of its row, two per lane;
      // two butterfly exchanges give lane q all 8 of chunk 4g + q (4x fewer store requests than
      // one 4-byte store per lane and chunk).
      const int q = lane % 4;
      const bool odd = q & 1, upper = q & 2;
#pragma unroll
      for (int r = 0; r < 2; ++r) {
        const int row = row0 + 8 * r;
        T* out = row < params.q_n ? static_cast<T*>(params.o) + c.batch * params.batch_stride + c.head * params.head_stride +
                                        row * params.row_stride
                                  : nullptr;  // past q_n: the quad still shuffles, nothing is stored
#pragma unroll
        for (int g = 0; g < D / 32; ++g) {
          std::uint32_t p[4];
#pragma unroll
          for (int i = 0; i < 4; ++i) p[i] = pack2<T>(o[4 * (4 * g + i) + 2 * r] * inv[r], o[4 * (4 * g + i) + 2 * r + 1] * inv[r]);
          // Lanes q, q^1: lane q keeps 4 columns (at 4 * (q >> 1)) of chunk 4g + (q & 1), and of 4g + 2 + (q & 1).
          const std::uint32_t got_a = __shfl_xor_sync(0xffffffff, odd ? p[0] : p[1], 1);
          const std::uint32_t got_b = __shfl_xor_sync(0xffffffff, odd ? p[2] : p[3], 1);
          const std::uint32_t a_lo = odd ? got_a : p[0], a_hi = odd ? p[1] : got_a;
          const std::uint32_t b_lo = odd ? got_b : p[2], b_hi = odd ? p[3] : got_b;
          // Lanes q, q^2: the lower lane completes chunk 4g + q from its A half, the upper from its B half.
          const std::uint32_t got_lo = __shfl_xor_sync(0xffffffff, upper ? a_lo : b_lo, 2);
          const std::uint32_t got_hi = __shfl_xor_sync(0xffffffff, upper ? a_hi : b_hi, 2);
          const uint4 chunk = upper ? make_uint4(got_lo, got_hi, b_lo, b_hi) : make_uint4(a_lo, a_hi, got_lo, got_hi);
          if (out) *reinterpret_cast<uint4*>(out + (4 * g + q) * 8) = chunk;
        }
      }
    } else {  // O's rows not 16-byte aligned: one 4-byte store per lane and chunk
#pragma unroll
      for (int r = 0; r < 2; ++r) {
        const int row = row0 + 8 * r;
        if (row < params.q_n) {
          T* out = static_cast<T*>(params.o) + c.batch * params.batch_stride + c.head * params.head_stride + row * params.row_stride;
#pragma unroll
          for (int k = 0; k < D / 8; ++k)
            *reinterpret_cast<std::uint32_t*>(out + k * 8 + col_in_chunk) =
                pack2<T>(o[4 * k + 2 * r] * inv[r], o[4 * k + 2 * r + 1] * inv[r]);
        }
      }
    }
    trace(TraceEvent::tile_done, local, 0);
    if constexpr (!PERSISTENT) break;
  }
  // Shared memory outlives the last store's reads (each issuing thread waits for its own).
  if (S::kStagedStore && params.o_aligned && (kStorePerWarp ? lane == 0 : tid == 0)) bulk_wait_read<0>();
}

}  // namespace attnsweep::sm90
