#pragma once
// The producer warpgroup's one loading thread: TMA loads of each tile's Q into its Q slot and of its
// K and V blocks into the ring, K and V on separate mbarriers so that Q K^T starts before V lands.
// The ring runs on across the CTA's tiles; a K slot is reloaded once every consumer warp is past its
// Q K^T (early_k_release) or its P V, a V slot once every consumer warp is past its P V.
#include <cuda.h>

#include <cstdint>

#include "kernel_traits.cuh"
#include "mask.cuh"
#include "shared_storage.cuh"
#include "sm90_ptx.cuh"
#include "sm90_trace.h"
#include "tile_scheduler.cuh"
#include "tile_schedule.h"

namespace attnsweep::sm90 {

template <class K>
struct Producer {
  const SharedStorage<K>& smem;
  const TileScheduler<K>& scheduler;
  const Mask<K>& mask;

  // The head of K and V that a tile's query head reads: the one place that maps one to the other.
  static __device__ __forceinline__ int kv_head(const TileCoord& c) { return c.head; }

  __device__ __forceinline__ void run(const CUtensorMap& tm_q, const CUtensorMap& tm_k, const CUtensorMap& tm_v,
                                      Tracer& trace) const {
    constexpr int kBlockM = K::kBlockM, BN = K::kBlockN;
    constexpr SharedLayout kLayout = K::kLayout;
    prefetch_tensor_map(&tm_q);
    prefetch_tensor_map(&tm_k);
    prefetch_tensor_map(&tm_v);
    int it = 0;  // key blocks loaded so far, over all of this CTA's tiles: the ring position
    for (int local = 0;; ++local) {
      const int t = scheduler.tile_at(local);
      const int q_slot = scheduler.q_slot_of(local), q_use = scheduler.q_use_of(local);
      if (K::kPersistent && q_use > 0) mbar_wait(&smem.q_empty[q_slot], (q_use - 1) & 1);  // the slot's last Q is no longer read
      if (t < 0) {  // tell the consumers (the one-tile kernel's never get here)
        scheduler.publish_end(q_slot);
        mbar_arrive(&smem.q_full[q_slot]);
        break;
      }
      const TileCoord c = tile_coord(t, scheduler.grid, K::kCausal);
      const int m0 = c.m_block * kBlockM;
      const int n_blocks = mask.cta_key_blocks(m0);
      scheduler.publish(q_slot, c, n_blocks);
      trace(TraceEvent::load_q, local, 0);
      mbar_expect_tx(&smem.q_full[q_slot], kLayout.q_bytes);
      for (int p = 0; p < K::kPanels; ++p)
        tma_load_4d(smem.q + q_slot * kLayout.q_bytes + p * kBlockM * 128, &tm_q, &smem.q_full[q_slot], p * kPanelCols, m0, c.head,
                    c.batch);
      const int head = kv_head(c);
      for (int j = 0; j < n_blocks; ++j, ++it) {
        const int stage = it % K::kStages;
        const std::uint32_t phase = (it / K::kStages) & 1;
        mbar_wait(K::kEarlyKRelease ? &smem.k_empty[stage] : &smem.v_empty[stage], phase ^ 1);
        trace(TraceEvent::load_k, local, j);
        mbar_expect_tx(&smem.k_full[stage], kLayout.kv_bytes);
        for (int p = 0; p < K::kPanels; ++p)
          tma_load_4d(smem.k + stage * kLayout.kv_bytes + p * BN * 128, &tm_k, &smem.k_full[stage], p * kPanelCols, j * BN, head,
                      c.batch);
        if (K::kEarlyKRelease) mbar_wait(&smem.v_empty[stage], phase ^ 1);
        trace(TraceEvent::load_v, local, j);
        mbar_expect_tx(&smem.v_full[stage], kLayout.kv_bytes);
        for (int p = 0; p < K::kPanels; ++p)
          tma_load_4d(smem.v + stage * kLayout.kv_bytes + p * BN * 128, &tm_v, &smem.v_full[stage], p * kPanelCols, j * BN, head,
                      c.batch);
      }
      if constexpr (!K::kPersistent) break;
    }
  }
};

}  // namespace attnsweep::sm90
