#pragma once
// flash_sm90's compile-time shape: one KernelConfig (kernel_config.h) and the element type, with
// everything that follows from them, as the kernel's pieces read it.
#include <type_traits>

#include "kernel_config.h"

namespace attnsweep::sm90 {

template <class T, int D, int BN, int CONSUMERS, bool CAUSAL, bool PERSISTENT, bool OVERLAP, bool TURNS>
struct KernelTraits {
  using Element = T;  // __half or __nv_bfloat16
  static constexpr KernelConfig kConfig{D, CONSUMERS, BN, CAUSAL, PERSISTENT, OVERLAP, TURNS};
  static_assert(is_valid(kConfig), "not a kernel flash_sm90 has (kernel_config.h: is_valid)");

  static constexpr int kHeadDim = D;
  static constexpr int kBlockN = BN;                     // keys per K/V block
  static constexpr int kConsumers = CONSUMERS;           // consumer warpgroups, 64 query rows each
  static constexpr int kBlockM = block_rows(kConfig);    // query rows per tile
  static constexpr int kThreads = threads(kConfig);
  static constexpr int kStages = stages(kConfig);        // K/V ring depth
  static constexpr int kPanels = D / kPanelCols;         // 64-column panels of a row
  static constexpr bool kCausal = CAUSAL, kPersistent = PERSISTENT, kOverlap = OVERLAP, kTurns = TURNS;

  static constexpr SharedLayout kLayout = shared_layout(kConfig);
  static_assert(kLayout.bytes <= kMaxSmemBytes, "shared memory");
  static_assert(kBlockM <= 256, "a TMA box has at most 256 rows");

  static constexpr bool kHalfDiagonal = halves_diagonal(kConfig);
  static constexpr int kHalf = BN / 2;  // keys of a halved diagonal block
  static constexpr bool kStorePerWarp = stores_o_per_warp(kConfig);
  static constexpr bool kApproxInverse = approx_inverse(kConfig);
  static constexpr bool kEarlyKRelease = early_k_release(kConfig);
  static constexpr bool kPlannedTiles = planned_tiles(kConfig);

  static constexpr Registers kRegisters = registers(kConfig);
  static_assert(kRegisters.producer % 8 == 0 && kRegisters.consumer % 8 == 0, "setmaxnreg needs multiples of 8");
  static_assert(kRegisters.launch - kRegisters.producer >= CONSUMERS * (kRegisters.consumer - kRegisters.launch),
                "the producer must free what the consumers take");
};

// Named barriers (0 is __syncthreads's): the epilogue's per-warpgroup O store uses 1 + c for
// consumer warpgroup c; taking turns, c waits on kTurnBarrier + c.
constexpr int kEpilogueBarrier = 1;
constexpr int kTurnBarrier = 4;

// A consumer thread's place: its warpgroup (0-based among the consumers), thread, warp and lane, and
// its first column in each 8-column chunk of the wgmma accumulator layout.
struct ConsumerThread {
  int consumer, tid, warp, lane, col_in_chunk;
};

// Elements of a register array (an S block of N/2 floats, a P block of N/16 rows of 4 words).
template <class A>
constexpr int extent_of = std::extent_v<std::remove_cvref_t<A>>;

}  // namespace attnsweep::sm90
