#pragma once
// The flash_sm90 kernel: FlashAttention forward for Hopper (sm_90a), a composition of its pieces.
//
// A tile is K::kBlockM = 64 * consumers query rows of one (batch, head). A CTA computes tile
// blockIdx.x alone, or, persistent (at most one CTA per SM), the tiles its TileScheduler hands it,
// so that the next tile's Q, K and V load while this tile's last blocks and output are computed.
// (The one-tile kernel is compiled without the tile loop: it keeps fewer registers live, which
// matters at d=256.) 1 + consumers warpgroups:
//   warpgroup 0: the producer (setmaxnreg down to 24 or 32 registers), one thread of which issues
//                the TMA loads (producer.cuh);
//   warpgroups 1..consumers: 64 query rows each (setmaxnreg up to 240/232 with two, 160 with
//                three): per tile, the main loop over its key blocks (mainloop.cuh, with the mask
//                and the softmax), then the epilogue (epilogue.cuh).
#include <cuda.h>

#include <cstdint>

#include "epilogue.cuh"
#include "kernel_params.h"
#include "kernel_traits.cuh"
#include "mainloop.cuh"
#include "mask.cuh"
#include "producer.cuh"
#include "shared_storage.cuh"
#include "softmax.cuh"
#include "sm90_ptx.cuh"
#include "sm90_trace.h"
#include "tile_scheduler.cuh"

namespace attnsweep::sm90 {

template <class K>
__global__ void __launch_bounds__(K::kThreads, 1)
    flash_fwd_sm90(const __grid_constant__ CUtensorMap tm_q, const __grid_constant__ CUtensorMap tm_k,
                   const __grid_constant__ CUtensorMap tm_v, const __grid_constant__ CUtensorMap tm_o, const Params params) {
  extern __shared__ std::uint8_t smem_raw[];
  const SharedStorage<K> smem(smem_raw);
  const TileScheduler<K> scheduler(params, smem);
  const Mask<K> mask{params.q_n, params.k_n};
  if (threadIdx.x == 0) smem.init_barriers();
  __syncthreads();

  // Read from lane 0 so that the compiler knows it is the same across the warp: the Q descriptors
  // built from it then live in uniform registers, one UIADD3 per wgmma instead of six instructions
  // (1.02-1.08x at d=256, 1.08-1.10x causal d=128).
  const int warpgroup = __shfl_sync(0xffffffff, threadIdx.x / 128, 0);
  Tracer trace(params, 1 + K::kConsumers, threadIdx.x % 128 == 0);
  if (warpgroup == 0) {
    regs_dealloc<K::kRegisters.producer>();
    if (threadIdx.x == 0) Producer<K>{smem, scheduler, mask}.run(tm_q, tm_k, tm_v, trace);
    return;
  }

  regs_alloc<K::kRegisters.consumer>();
  const int tid = threadIdx.x % 128;
  const ConsumerThread thread{warpgroup - 1, tid, tid / 32, tid % 32, 2 * (tid % 32 % 4)};
  const Mainloop<K> mainloop(smem, thread, mask, takes_turns<K>(params));
  const Epilogue<K> epilogue{smem, thread, params, tm_o};
  OnlineSoftmax<K> softmax{params.scale_log2};
  const bool halves = halves_diagonal_in_use<K>(params);
  mainloop.start_turns();

  float o[K::kHeadDim / 2];
  BlockRegisters<K> block;  // one set for all tiles (see there)
  int it = 0;  // the ring position, as the producer counts it
  for (int local = 0;; ++local) {
#pragma unroll
    for (int i = 0; i < K::kHeadDim / 2; ++i) o[i] = 0.f;
    softmax.reset();
    // The tile, as the producer worked it out ahead and handed it over with its Q.
    const int q_slot = scheduler.q_slot_of(local);
    mbar_wait(&smem.q_full[q_slot], scheduler.q_use_of(local) & 1);
    trace(TraceEvent::q_ready, local, 0);
    const TileWork work = scheduler.receive(q_slot, thread.lane);
    if (work.coord.m_block < 0) break;
    const int n_blocks = work.n_blocks();
    const int m0 = work.coord.m_block * K::kBlockM;
    const int wg_row0 = m0 + thread.consumer * 64;
    const int my_blocks = mask.warpgroup_key_blocks(wg_row0, n_blocks);
    const ConsumerTile tile{local,     q_slot, n_blocks, my_blocks, mask.half_block(wg_row0, my_blocks, halves),
                            wg_row0, wg_row0 + thread.warp * 16 + thread.lane / 4};
    trace(TraceEvent::tile, local, n_blocks | my_blocks << 16);
    mainloop.tile(o, softmax, block, tile, it, trace);
    it += n_blocks;
    trace(TraceEvent::epilogue, local, 0);

    float inv[2];
    softmax.inverse_sums(inv);
    epilogue.store(o, inv, work.coord, m0, tile.row0, trace);
    trace(TraceEvent::tile_done, local, 0);
    if constexpr (!K::kPersistent) break;
  }
  epilogue.finish();
}

}  // namespace attnsweep::sm90
