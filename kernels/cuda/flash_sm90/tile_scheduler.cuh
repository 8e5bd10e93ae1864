#pragma once
// Which tiles a CTA computes (tile_schedule.h has the order), and how the producer hands each one to
// the consumers: with its Q, in the Q slot's tile coordinates.
#include <cstdint>

#include "kernel_params.h"
#include "shared_storage.cuh"
#include "tile_schedule.h"

namespace attnsweep::sm90 {

// A tile as the consumers receive it: its coordinates (m_block -1: no more tiles) and, broadcast
// once the tile is known to exist, the key blocks the CTA loads for it.
struct TileWork {
  TileCoord coord;
  int lane0_n_blocks;  // lane 0's copy
  __device__ __forceinline__ int n_blocks() const { return __shfl_sync(0xffffffff, lane0_n_blocks, 0); }
};

template <class K>
struct TileScheduler {
  const SharedStorage<K>& smem;
  const TileGrid grid;
  const std::int32_t* my_tiles = nullptr;  // causal persistent: this CTA's planned tiles, my_count of them
  int my_count = 0;
  const int q_slots;  // Q slots in use: tile number `local` uses slot local % q_slots

  __device__ __forceinline__ TileScheduler(const Params& params, const SharedStorage<K>& storage)
      : smem(storage), grid(params.grid), q_slots(q_slots_in_use<K>(params)) {
    if constexpr (K::kPlannedTiles) {
      my_tiles = params.causal_plan + gridDim.x + 1 + params.causal_plan[blockIdx.x];
      my_count = params.causal_plan[blockIdx.x + 1] - params.causal_plan[blockIdx.x];
    }
  }

  // The producer's: this CTA's tile number `local`, or -1 past its last. One tile per CTA: tile
  // blockIdx.x; persistent, non-causal: blockIdx.x, + gridDim.x, ... (row blocks fastest, so that
  // the CTAs running at once share a head's K and V in L2); causal: the host's plan, whose first
  // wave is tile c on CTA c, so that the first tile starts without waiting for the plan's loads.
  __device__ __forceinline__ int tile_at(int local) const {
    if constexpr (K::kPlannedTiles) return local == 0 ? static_cast<int>(blockIdx.x) : local < my_count ? my_tiles[local] : -1;
    const int t = blockIdx.x + local * gridDim.x;
    return t < grid.tiles() ? t : -1;
  }
  __device__ __forceinline__ int q_slot_of(int local) const { return q_slots == 2 ? local & 1 : 0; }
  __device__ __forceinline__ int q_use_of(int local) const { return q_slots == 2 ? local >> 1 : local; }  // the slot's how-manieth use

  // The producer hands the tile over before the slot's q_full arrival (a release that the
  // consumers' wait acquires).
  __device__ __forceinline__ void publish(int q_slot, const TileCoord& c, int n_blocks) const {
    smem.tile_of_slot[q_slot] = make_int4(c.m_block, c.head, c.batch, n_blocks);
  }
  __device__ __forceinline__ void publish_end(int q_slot) const { smem.tile_of_slot[q_slot] = make_int4(-1, 0, 0, 0); }

  // A consumer warp's read, after its q_full wait: lane 0 reads (its release of the slot then
  // orders the read before the producer's next write) and broadcasts, so that the compiler knows
  // the values the same across the warp: the ring position and the K/V descriptors that follow stay
  // in uniform registers. Working the tile out here instead (a load of the plan and integer
  // divisions) took 400-900 cycles a tile; read by every lane it was 5-13% slower.
  __device__ __forceinline__ TileWork receive(int q_slot, int lane) const {
    int4 tile = make_int4(0, 0, 0, 0);
    if (lane == 0) tile = smem.tile_of_slot[q_slot];
    const TileCoord c{__shfl_sync(0xffffffff, tile.x, 0), __shfl_sync(0xffffffff, tile.y, 0), __shfl_sync(0xffffffff, tile.z, 0)};
    return {c, tile.w};
  }
};

}  // namespace attnsweep::sm90
