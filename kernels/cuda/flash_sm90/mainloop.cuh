#pragma once
// A consumer warpgroup's main loop over one tile's key blocks: S = Q K^T with wgmma (both operands
// from shared memory, K-major, 128-byte swizzle), the mask and online softmax in registers, P packed
// from the accumulator layout straight into the A fragment of O += P V (wgmma RS, V MN-major from
// shared memory). Two schedules:
//  - one block at a time: scores, softmax, then P V, the other warpgroups' GEMMs filling the tensor
//    cores meanwhile;
//  - OVERLAP (FlashAttention-3's intra-warpgroup pipelining): block j's Q K^T and block j-1's P V
//    issued together, block j's softmax computed while the P V runs.
// Taking TURNS (FlashAttention-3's ping-pong), the warpgroups issue their GEMMs in a ring of named
// barriers, so that one's softmax runs under the others' GEMMs instead of all of them computing
// exponentials at once (d=64 1.01-1.08x, d=128 with two warpgroups 1.01-1.07x).
#include <cstdint>

#include "../element.cuh"
#include "kernel_traits.cuh"
#include "mask.cuh"
#include "shared_storage.cuh"
#include "softmax.cuh"
#include "sm90_ptx.cuh"
#include "sm90_trace.h"

namespace attnsweep::sm90 {

using attnsweep::cuda::pack2;

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

// A key block's scores, the factor by which they rescale O and their probabilities packed for P V.
// The kernel keeps one set for all of a CTA's tiles: declared per tile, they are assigned other
// registers in the overlapped d=64 loop, which measured 3-5% slower on the H100.
template <class K>
struct BlockRegisters {
  float s[K::kBlockN / 2], corr[2];
  std::uint32_t p[K::kBlockN / 16][4];
};

// One tile as a consumer warpgroup computes it.
struct ConsumerTile {
  int local;       // the CTA's tile number (the trace's)
  int q_slot;      // where its Q is
  int n_blocks;    // key blocks the CTA loaded for it
  int my_blocks;   // of those, the blocks this warpgroup computes (Mask::warpgroup_key_blocks)
  int half_block;  // the block it computes the first half of (Mask::half_block), or -1
  int wg_row0;     // the warpgroup's first row
  int row0;        // the thread's first row (its second is row0 + 8)
};

template <class K>
struct Mainloop {
  using T = typename K::Element;
  static constexpr int D = K::kHeadDim, BN = K::kBlockN;

  const SharedStorage<K>& smem;
  const ConsumerThread& thread;
  const Mask<K>& mask;
  // Shared-memory descriptors of this warpgroup's Q rows (in slot 0) and of the first K and V slots;
  // each wgmma's operand is one of these plus a constant offset (desc_plus).
  const std::uint64_t q_desc, k_desc, v_desc;
  const bool take_turns;  // takes_turns (kernel_params.h)

  __device__ __forceinline__ Mainloop(const SharedStorage<K>& storage, const ConsumerThread& t, const Mask<K>& m, bool turns)
      : smem(storage),
        thread(t),
        mask(m),
        q_desc(smem_desc(storage.q + t.consumer * 64 * 128, 16, 1024)),
        k_desc(smem_desc(storage.k, 16, 1024)),
        v_desc(smem_desc(storage.v, BN * 128, 1024)),
        take_turns(turns) {}

  // The ring slot of the CTA's key block number n (over all its tiles, as the producer counts) and
  // the parity of that slot's use.
  static __device__ __forceinline__ int stage_of(int n) { return n % K::kStages; }
  static __device__ __forceinline__ std::uint32_t phase_of(int n) { return static_cast<std::uint32_t>((n / K::kStages) & 1); }

  // One arrival per warp on the empty barriers: after wgmma_wait, which the warp's lanes pass
  // together, its reads of the slot are done (32 times fewer shared-memory atomics than per thread).
  __device__ __forceinline__ void release(std::uint64_t* bar) const {
    if (thread.lane == 0) mbar_arrive(bar);
  }

  // Turns: every warpgroup takes the tile's loaded key blocks + 1 turns (one that computes fewer
  // blocks passes the rest on empty), so that the ring stays in step whatever each computes;
  // warpgroup 0 takes the first (start_turns). One block at a time, a turn is a block's P V (to its
  // end) and the next block's Q K^T issued; overlapped, the issue of a block's Q K^T and the
  // previous block's P V.
  __device__ __forceinline__ void start_turns() const {
    if (take_turns && thread.consumer == K::kConsumers - 1) named_barrier_arrive(kTurnBarrier, 256);
  }
  __device__ __forceinline__ void begin_turn() const {
    if (take_turns) named_barrier_sync(kTurnBarrier + thread.consumer, 256);
  }
  __device__ __forceinline__ void end_turn() const {
    if (take_turns) named_barrier_arrive(kTurnBarrier + (thread.consumer + 1) % K::kConsumers, 256);
  }
  __device__ __forceinline__ void pass_turn() const {
    if (take_turns) {
      named_barrier_sync(kTurnBarrier + thread.consumer, 256);
      named_barrier_arrive(kTurnBarrier + (thread.consumer + 1) % K::kConsumers, 256);
    }
  }

  // S = Q K^T for the key block in `stage`, one asynchronous wgmma group: all BN keys into s[BN / 2],
  // or the first kHalf into s[kHalf / 2].
  template <class S>
  __device__ __forceinline__ void issue_qk(S& s, std::uint64_t q_tile_desc, int stage) const {
    constexpr int kCols = 2 * extent_of<S>;
    const std::uint64_t k_stage = desc_plus(k_desc, stage * K::kLayout.kv_bytes);
    wgmma_fence();
#pragma unroll
    for (int k = 0; k < D / 16; ++k) {
      const int panel = k / 4, step = (k % 4) * 32;
      mma_qk<kCols, T>(s, desc_plus(q_tile_desc, panel * K::kBlockM * 128 + step), desc_plus(k_stage, panel * BN * 128 + step),
                       k > 0);
    }
    wgmma_commit();
  }
  // O += P V for the value block in `stage` (as many of its rows as P has keys), one asynchronous
  // wgmma group.
  template <class P>
  __device__ __forceinline__ void issue_pv(float (&o)[D / 2], const P& p, int stage) const {
    const std::uint64_t v_stage = desc_plus(v_desc, stage * K::kLayout.kv_bytes);
    fence_regs(o);
    wgmma_fence();
#pragma unroll
    for (int kk = 0; kk < extent_of<P>; ++kk) mma_pv<D, T>(o, p[kk], desc_plus(v_stage, kk * 16 * 128));
    wgmma_commit();
  }
  // P as the A operand of m64nDk16: four packed pairs per 16 keys, in accumulator order.
  template <class S, class P>
  static __device__ __forceinline__ void pack_p(const S& s, P& p) {
    static_assert(extent_of<S> == 8 * extent_of<P>, "8 scores per 4 words");
#pragma unroll
    for (int kk = 0; kk < extent_of<P>; ++kk)
#pragma unroll
      for (int e = 0; e < 4; ++e) p[kk][e] = pack2<T>(s[8 * kk + 2 * e], s[8 * kk + 2 * e + 1]);
  }

  // Block j's scores into probabilities: the mask, then the softmax (OnlineSoftmax::update).
  template <class S>
  __device__ __forceinline__ bool softmax_block(OnlineSoftmax<K>& softmax, S& s, int j, const ConsumerTile& t, float (&corr)[2],
                                                Tracer& trace) const {
    mask.apply(s, j, t.wg_row0, t.row0, thread.col_in_chunk);
    return softmax.update(s, corr, trace, j);
  }

  // One block at a time: scores, softmax, then P V; taking turns, a turn runs from a block's P V to
  // the next block's Q K^T issued. `scores` and `probs` hold a whole block or its first half.
  template <class S, class P>
  __device__ __forceinline__ void one_block(float (&o)[D / 2], OnlineSoftmax<K>& softmax, S& scores, P& probs, float (&corr)[2], int j,
                                            int it, std::uint64_t q_tile_desc, const ConsumerTile& t, Tracer& trace) const {
    const int stage = stage_of(it + j);
    const std::uint32_t phase = phase_of(it + j);
    mbar_wait(&smem.k_full[stage], phase);
    trace(TraceEvent::k_ready, t.local, j);
    issue_qk(scores, q_tile_desc, stage);
    end_turn();
    wgmma_wait<0>();
    fence_regs(scores);
    trace(TraceEvent::qk_done, t.local, j);
    if (K::kEarlyKRelease) release(&smem.k_empty[stage]);
    if (K::kPersistent && j + 1 == t.my_blocks) release(&smem.q_empty[t.q_slot]);  // the next tile's Q may load
    if (softmax_block(softmax, scores, j, t, corr, trace)) softmax.rescale(o, corr);
    pack_p(scores, probs);
    trace(TraceEvent::softmax_done, t.local, j);
    mbar_wait(&smem.v_full[stage], phase);
    trace(TraceEvent::v_ready, t.local, j);
    begin_turn();
    trace(TraceEvent::pv_turn, t.local, j);
    issue_pv(o, probs, stage);
    wgmma_wait<0>();
    fence_regs(o);
    trace(TraceEvent::pv_done, t.local, j);
    release(&smem.v_empty[stage]);
  }

  // The tile's key blocks from ring position `it` (the CTA's count of key blocks before this tile)
  // into o, whose rows the softmax tracks, through `block`; then the ring slots of the blocks this
  // warpgroup skips.
  __device__ __forceinline__ void tile(float (&o)[D / 2], OnlineSoftmax<K>& softmax, BlockRegisters<K>& block, const ConsumerTile& t,
                                       int it, Tracer& trace) const {
    auto& [s, corr, p] = block;
    const int my_blocks = t.my_blocks, local = t.local;
    std::uint64_t* const q_done = &smem.q_empty[t.q_slot];
    const std::uint64_t q_tile_desc = desc_plus(q_desc, t.q_slot * K::kLayout.q_bytes);
    if (K::kPersistent && my_blocks == 0) release(q_done);
    if constexpr (K::kOverlap) {
      // The wait for block j-1's P V sits at the top of the next trip round a loop that is not
      // unrolled: within one trip, ptxas hoisted it above all the exponentials (3-30% slower).
      if (my_blocks > 0) {
        mbar_wait(&smem.k_full[stage_of(it)], phase_of(it));
        trace(TraceEvent::k_ready, local, 0);
        begin_turn();
        issue_qk(s, q_tile_desc, stage_of(it));
        end_turn();
        wgmma_wait<0>();
        fence_regs(s);
        release(&smem.k_empty[stage_of(it)]);
        if (K::kPersistent && my_blocks == 1) release(q_done);
        trace(TraceEvent::qk_done, local, 0);
        bool grow = softmax_block(softmax, s, 0, t, corr, trace);
        trace(TraceEvent::softmax_done, local, 0);
#pragma unroll 1
        for (int j = 1; j <= my_blocks; ++j) {
          wgmma_wait<0>();  // block j-2's P V: its V slot is free, O may be scaled
          fence_regs(o);
          if (j >= 2) release(&smem.v_empty[stage_of(it + j - 2)]);
          if (grow) softmax.rescale(o, corr);
          pack_p(s, p);
          if (j == my_blocks) break;
          mbar_wait(&smem.k_full[stage_of(it + j)], phase_of(it + j));
          begin_turn();
          issue_qk(s, q_tile_desc, stage_of(it + j));
          mbar_wait(&smem.v_full[stage_of(it + j - 1)], phase_of(it + j - 1));
          issue_pv(o, p, stage_of(it + j - 1));
          end_turn();
          wgmma_wait<1>();  // block j's Q K^T
          fence_regs(s);
          trace(TraceEvent::qk_done, local, j);
          release(&smem.k_empty[stage_of(it + j)]);
          if (K::kPersistent && j + 1 == my_blocks) release(q_done);
          grow = softmax_block(softmax, s, j, t, corr, trace);
          trace(TraceEvent::softmax_done, local, j);
        }
        const int last = it + my_blocks - 1;
        mbar_wait(&smem.v_full[stage_of(last)], phase_of(last));
        begin_turn();
        issue_pv(o, p, stage_of(last));
        end_turn();
        wgmma_wait<0>();
        fence_regs(o);
        trace(TraceEvent::pv_done, local, my_blocks - 1);
        release(&smem.v_empty[stage_of(last)]);
      }
    } else {
      const int whole_blocks = t.half_block >= 0 ? t.half_block : my_blocks;
      if (my_blocks > 0) begin_turn();
      trace(TraceEvent::qk_turn, local, 0);
      for (int j = 0; j < whole_blocks; ++j) one_block(o, softmax, s, p, corr, j, it, q_tile_desc, t, trace);
      if constexpr (K::kHalfDiagonal) {
        if (t.half_block >= 0) {
          float s_half[K::kHalf / 2];
          std::uint32_t p_half[K::kHalf / 16][4];
          one_block(o, softmax, s_half, p_half, corr, t.half_block, it, q_tile_desc, t, trace);
        }
      }
      if (my_blocks > 0) end_turn();
    }
    // Release the slots of the skipped blocks: the empty barriers count every consumer warp. Waiting
    // for the block's K and V first keeps each arrival out of its slot's previous phase (the reload
    // cannot have started before that phase completed; with early_k_release, K's reload says nothing
    // about V's slot, which other warpgroups may still be reading). Taking turns, one empty turn
    // after each (and one more without blocks): a block's release comes before the turn that the
    // others' later loads may wait on.
    if (my_blocks == 0) pass_turn();
#pragma unroll 1
    for (int j = my_blocks; j < t.n_blocks; ++j) {
      const int stage = stage_of(it + j);
      const std::uint32_t phase = phase_of(it + j);
      mbar_wait(&smem.k_full[stage], phase);
      if (K::kEarlyKRelease) release(&smem.k_empty[stage]);
      mbar_wait(&smem.v_full[stage], phase);
      release(&smem.v_empty[stage]);
      pass_turn();
    }
  }
};

}  // namespace attnsweep::sm90
