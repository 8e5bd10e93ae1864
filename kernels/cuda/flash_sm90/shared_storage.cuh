#pragma once
// A CTA's shared memory (kernel_config.h: SharedLayout), carved from the dynamic allocation: Q slots,
// the O staging tile, the K/V ring, their mbarriers and each Q slot's tile coordinates. Tiles use
// the 128-byte swizzle that TMA writes and wgmma reads, stored as 64-column panels (a swizzled row is
// at most 128 bytes).
#include <cstdint>

#include "sm90_ptx.cuh"

namespace attnsweep::sm90 {

template <class K>
struct SharedStorage {
  static constexpr SharedLayout kLayout = K::kLayout;
  std::uint8_t* q;  // kLayout.q_slots Q tiles
  std::uint8_t* o;  // the O tile on its way to the TMA store (kLayout.staged_store)
  std::uint8_t* k;  // the ring's K blocks
  std::uint8_t* v;  // the ring's V blocks
  std::uint64_t* q_full;   // [q_slots] the slot's Q has landed
  std::uint64_t* q_empty;  // [q_slots] every consumer warp is done with the slot's Q
  std::uint64_t* k_full;   // [stages] the stage's K has landed
  std::uint64_t* v_full;   // [stages]
  std::uint64_t* k_empty;  // [stages] every consumer warp is done with the stage's K
  std::uint64_t* v_empty;  // [stages]
  // Each Q slot's tile: row block, head, batch and key blocks (row block -1: no more tiles), written
  // by the producer before the slot's q_full arrival (a release that the consumers' wait acquires).
  // 16-byte aligned: the barriers before it are an even number of 8-byte words.
  int4* tile_of_slot;

  __device__ __forceinline__ explicit SharedStorage(std::uint8_t* raw) {
    q = reinterpret_cast<std::uint8_t*>((reinterpret_cast<std::uintptr_t>(raw) + 1023) & ~std::uintptr_t{1023});
    o = q + kLayout.q_slots * kLayout.q_bytes;
    k = o + kLayout.o_bytes;
    v = k + K::kStages * kLayout.kv_bytes;
    q_full = reinterpret_cast<std::uint64_t*>(v + K::kStages * kLayout.kv_bytes);
    q_empty = q_full + kLayout.q_slots;
    k_full = q_empty + kLayout.q_slots;
    v_full = k_full + K::kStages;
    k_empty = v_full + K::kStages;
    v_empty = k_empty + K::kStages;
    tile_of_slot = reinterpret_cast<int4*>(v_empty + K::kStages);
  }

  // By one thread, before the CTA's first barrier. The empty barriers count one arrival per
  // consumer warp.
  __device__ __forceinline__ void init_barriers() const {
    for (int s = 0; s < kLayout.q_slots; ++s) {
      mbar_init(&q_full[s], 1);
      mbar_init(&q_empty[s], K::kConsumers * 4);
    }
    for (int s = 0; s < K::kStages; ++s) {
      mbar_init(&k_full[s], 1);
      mbar_init(&v_full[s], 1);
      mbar_init(&k_empty[s], K::kConsumers * 4);
      mbar_init(&v_empty[s], K::kConsumers * 4);
    }
    fence_barrier_init();
  }
};

}  // namespace attnsweep::sm90
