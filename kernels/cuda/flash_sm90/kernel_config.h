#pragma once
// One flash_sm90 kernel as a value: the template parameters of flash_fwd_sm90 and what follows from
// them (shared-memory layout, register targets, which epilogue and which edge rules it compiles).
// Plain C++, shared by the host (the choice, the launch, the tests) and the kernel's traits.
#include <array>
#include <cstddef>

#include "host_device.h"

namespace attnsweep::sm90 {

constexpr int kPanelCols = 64;             // 64 16-bit columns = one 128-byte swizzled row
constexpr int kMaxSmemBytes = 227 * 1024;  // opt-in dynamic shared memory per block, sm_90

struct KernelConfig {
  int head_dim = 64;        // 64, 128 or 256
  int consumers = 2;        // consumer warpgroups of 64 query rows each: 2 (128-row tiles) or 3 (192)
  int key_block = 128;      // keys per K/V block: 128 (d=64), 128 or 176 (d=128), 64 or 80 (d=256)
  bool causal = false;      // top-left causal mask
  bool persistent = false;  // one CTA per SM taking tiles in turn (causal: a host plan); else one CTA per tile
  bool overlap = false;     // a warpgroup's softmax of key block j runs while its P V of block j-1 does
  bool turns = false;       // the consumer warpgroups issue their GEMMs in turn (FlashAttention-3's ping-pong)
  friend constexpr bool operator==(const KernelConfig&, const KernelConfig&) = default;
};

// The kernels that can be compiled: the key blocks each head_dim has, two warpgroups at d=256 (O
// alone takes 128 of a third warpgroup's 160 registers), and no overlap for three at d=128 (O, S
// and the previous block's P together take all 160).
constexpr bool is_valid(const KernelConfig& k) {
  if (k.consumers != 2 && k.consumers != 3) return false;
  switch (k.head_dim) {
    case 64: return k.key_block == 128;
    case 128: return k.consumers == 3 ? k.key_block == 128 && !k.overlap : k.key_block == 128 || k.key_block == 176;
    case 256: return k.consumers == 2 && (k.key_block == 64 || k.key_block == 80);
    default: return false;
  }
}

// Ring stages of K/V blocks: as many as fit beside Q (a third stage at d=128 measured 0.99-1.04x).
constexpr int stages(const KernelConfig& k) { return k.head_dim == 64 ? 4 : 2; }
constexpr int block_rows(const KernelConfig& k) { return 64 * k.consumers; }  // query rows per tile
constexpr int threads(const KernelConfig& k) { return 128 * (1 + k.consumers); }  // + the producer warpgroup

// A CTA's shared memory: Q, the K/V ring and its barriers, and where there is room and it pays, an O
// tile on its way to a TMA store (d=128 1-10% faster, d=64 persistent 2-6%; with one CTA per tile at
// d=64 2-4% slower from 4096 keys) and a second Q slot for the persistent grid, so that the next
// tile's Q loads while this tile runs (1.13x at d=64 B=8 N=512, 1.02-1.05x at 1k).
struct SharedLayout {
  int q_bytes, kv_bytes;  // one Q tile, one K or V block (16-bit elements)
  int ring_bytes;         // alignment slack, a Q slot, the ring, the barriers and the slot's tile coordinates
  bool staged_store;      // O goes through shared memory and a TMA store
  int o_bytes, q_slots;   // the O staging tile (0 without), Q slots (1 or 2)
  int bytes;              // dynamic shared memory of the launch
};
constexpr SharedLayout shared_layout(const KernelConfig& k) {
  SharedLayout s{};
  s.q_bytes = block_rows(k) * k.head_dim * 2;
  s.kv_bytes = k.key_block * k.head_dim * 2;
  const int barriers = 2 + 4 * stages(k);  // q_full, q_empty, k_full[], v_full[], k_empty[], v_empty[]
  // + 16: the Q slot's tile coordinates (the producer hands each tile over with its Q)
  s.ring_bytes = 1024 /* alignment slack */ + s.q_bytes + 2 * stages(k) * s.kv_bytes + 8 * barriers + 16;
  s.staged_store = s.ring_bytes + s.q_bytes <= kMaxSmemBytes && (k.head_dim == 128 || k.persistent);
  s.o_bytes = s.staged_store ? s.q_bytes : 0;
  const int second_q_bytes = s.q_bytes + 32;  // the slot, its two barriers and its tile coordinates
  s.q_slots = k.persistent && s.ring_bytes + s.o_bytes + second_q_bytes <= kMaxSmemBytes ? 2 : 1;
  s.bytes = s.ring_bytes + s.o_bytes + (s.q_slots - 1) * second_q_bytes;
  return s;
}

// Causal: a warpgroup whose rows end in the first half of its diagonal key block computes that half
// only (an m64n64 Q K^T, half the P V): with 128-key blocks, every other warpgroup's diagonal block.
// One block at a time only: the overlapped loop issues a block's Q K^T and P V in different trips.
ATTNSWEEP_HOST_DEVICE constexpr bool halves_diagonal(const KernelConfig& k) {
  return k.causal && k.key_block == 128 && !k.overlap;
}
// The staged O store per warp (16 rows, no warpgroup barrier: 1-4% faster on short tiles) at d=64
// and non-causal d=128; per warpgroup (64 rows) for causal d=128, where per warp measured 1-2% slower.
ATTNSWEEP_HOST_DEVICE constexpr bool stores_o_per_warp(const KernelConfig& k) { return k.head_dim == 64 || !k.causal; }
ATTNSWEEP_HOST_DEVICE constexpr int o_store_rows(const KernelConfig& k) { return stores_o_per_warp(k) ? 16 : 64; }
// The row sums' inverse in one MUFU.RCP but for causal d=128 and d=256, which keep the IEEE
// division (causal d=128 N=512 measured 1.4-1.6% slower with it; causal d=256 level).
ATTNSWEEP_HOST_DEVICE constexpr bool approx_inverse(const KernelConfig& k) { return !k.causal || k.head_dim == 64; }
// K's ring slot freed right after Q K^T (as cuDNN does: 0-3% faster with three warpgroups at d=128)
// in the one-tile kernel; the persistent kernel, 1-2% slower so, frees it after P V, unless it
// overlaps: that holds a V slot until the next block's Q K^T is issued, and K's reload would wait.
ATTNSWEEP_HOST_DEVICE constexpr bool early_k_release(const KernelConfig& k) { return !k.persistent || k.overlap; }
// The causal persistent grid walks the host's plan (tile_schedule.h); the others a static turn.
ATTNSWEEP_HOST_DEVICE constexpr bool planned_tiles(const KernelConfig& k) { return k.causal && k.persistent; }

// setmaxnreg targets (multiples of 8). The CTA starts with 64K registers over its threads, rounded
// down to 8, and the consumers' increase must come out of what the producer gives up, or
// setmaxnreg.inc waits for ever. A producer that walks a planned tile list spills in 24 registers:
// it keeps 32, and two consumers get 232 instead of 240.
struct Registers {
  int launch, producer, consumer;
};
constexpr Registers registers(const KernelConfig& k) {
  return {65536 / threads(k) / 8 * 8, planned_tiles(k) ? 32 : 24, k.consumers == 2 ? (planned_tiles(k) ? 232 : 240) : 160};
}

// The kernels the shipped choice (kernel_choice.cpp: choose_launch) reaches, per dtype; the test
// of the choice proves that it reaches each of them and no other.
// {head_dim, consumers, key_block, causal, persistent, overlap, turns}
inline constexpr KernelConfig kShippedKernels[] = {
    {64, 2, 128, false, false, false, true},  {64, 2, 128, false, true, false, true},
    {64, 3, 128, false, true, true, true},    {64, 2, 128, true, false, false, true},
    {64, 2, 128, true, true, false, true},    {64, 3, 128, true, false, false, true},
    {64, 3, 128, true, true, false, true},    {64, 3, 128, true, true, true, true},
    {128, 2, 128, false, false, true, true},  {128, 2, 128, false, true, false, true},
    {128, 2, 128, false, true, true, true},   {128, 3, 128, false, true, false, false},
    {128, 2, 176, true, false, false, true},  {128, 2, 176, true, false, true, true},
    {128, 3, 128, true, false, false, false}, {128, 3, 128, true, false, false, true},
    {128, 3, 128, true, true, false, false},  {128, 3, 128, true, true, false, true},
    {256, 2, 80, false, true, true, true},    {256, 2, 80, true, false, true, true},
    {256, 2, 80, true, true, true, true},     {256, 2, 64, true, false, true, true},
    {256, 2, 64, true, true, true, true},
};

// Every valid kernel: what a build with ATTNSWEEP_SM90_EXPERIMENTS compiles, so that the harness can
// time any choice beside the shipped one.
constexpr auto all_kernels() {
  constexpr int kCount = [] {
    int n = 0;
    for (int d : {64, 128, 256})
      for (int c : {2, 3})
        for (int bn : {64, 80, 128, 176})
          for (int flags = 0; flags < 16; ++flags)
            n += is_valid({d, c, bn, (flags & 1) != 0, (flags & 2) != 0, (flags & 4) != 0, (flags & 8) != 0});
    return n;
  }();
  std::array<KernelConfig, kCount> all{};
  std::size_t i = 0;
  for (int d : {64, 128, 256})
    for (int c : {2, 3})
      for (int bn : {64, 80, 128, 176})
        for (int flags = 0; flags < 16; ++flags) {
          const KernelConfig k{d, c, bn, (flags & 1) != 0, (flags & 2) != 0, (flags & 4) != 0, (flags & 8) != 0};
          if (is_valid(k)) all[i++] = k;
        }
  return all;
}
inline constexpr auto kAllKernels = all_kernels();

// The kernels this build compiles, per dtype.
#if ATTNSWEEP_SM90_EXPERIMENTS
inline constexpr const auto& kCompiledKernels = kAllKernels;
#else
inline constexpr const auto& kCompiledKernels = kShippedKernels;
#endif

constexpr bool fits_shared_memory(const KernelConfig& k) { return shared_layout(k).bytes <= kMaxSmemBytes; }
constexpr bool all_fit() {
  for (const KernelConfig& k : kAllKernels)
    if (!fits_shared_memory(k)) return false;
  return true;
}
static_assert(all_fit(), "every kernel's shared memory fits 227 KB");
constexpr bool shipped_are_valid() {
  for (const KernelConfig& k : kShippedKernels)
    if (!is_valid(k)) return false;
  return true;
}
static_assert(shipped_are_valid(), "the shipped kernels are among the valid ones");

}  // namespace attnsweep::sm90
