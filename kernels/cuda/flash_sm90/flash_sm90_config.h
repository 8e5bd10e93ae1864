#pragma once
// flash_sm90 with its tile and schedule chosen by the caller, for the standalone harness
// (bench/flash_sm90/bench_sm90.cu) to time the variants side by side in one run. Not part of the public entry
// (flash_sm90.h): the library's dispatch is launch_flash_sm90(), the shipped choice.
#include "attnsweep/kernels/kernel.h"
#include "sm90_trace.h"

namespace attnsweep::cuda {

struct Sm90Variant {
  int consumers = 0;      // consumer warpgroups: 2 (128-row tiles), 3 (192; d=64 and d=128), 0 = shipped;
                          // d=256 always has 2
  int wide_keys = -1;     // key blocks of 176 (d=128) / 80 (d=256) instead of 128 / 64: 0, 1, -1 = shipped
  int persistent = -1;    // 1: one CTA per SM taking tiles (in turn; causal: a host-made plan); 0: one CTA per tile; -1 = shipped
  int pairs_per_section = 0;  // causal tile order: (head, batch) pairs walked together; 0 = shipped
  int overlap = -1;       // 1: a warpgroup's softmax of key block j overlaps its P V of block j-1; 0: one block at a time;
                          // -1 = shipped; 3 warpgroups at d=128 never (no registers for it)
  int q_slots = -1;       // persistent: 2 loads the next tile's Q while this tile runs, 1 after its last Q K^T; -1 = shipped;
                          // the launch reports 1 where the shared-memory layout has no room for 2 (and for one CTA per tile)
  int half_diagonal = -1; // causal: 1 computes only the first half of a warpgroup's diagonal key block where its rows end
                          // there; 0: the whole block; -1 = shipped; the launch reports 0 where the kernel has no halves
                          // (overlapped, or key blocks other than 128)
  int turns = -1;         // 1: the consumer warpgroups issue their GEMMs in turn (FlashAttention-3's ping-pong); 0: each
                          // when ready; -1 = shipped
};

// The variant with the shipped choices filled in for the current device. Throws DeviceError for a
// consumer count other than 0, 2 or 3.
Sm90Variant resolve_flash_sm90_variant(const AttentionProblem& problem, Sm90Variant variant);

// Launches the variant and returns the one used (resolved as above; q_slots and half_diagonal as
// launched). Throws DeviceError as launch_flash_sm90 does.
Sm90Variant launch_flash_sm90_variant(const AttentionArgs& args, Sm90Variant variant);

// In a trace build (sm90_trace.h: kTraceBuilt), the launches that follow record their timelines
// into `buffer` (not thread-safe: the harness's `trace` mode); an empty buffer stops it.
void set_flash_sm90_trace(const sm90::TraceBuffer& buffer);

}  // namespace attnsweep::cuda
