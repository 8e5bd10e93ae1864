#pragma once
// Which flash_sm90 kernel runs a problem, and how its tiles are ordered: the tile, warpgroup and
// schedule choices in one function (choose_launch), each with its measured reason. Plain C++ on the
// host, built and tested in every configuration.
#include <cstdint>
#include <string>

#include "attnsweep/kernels/problem.h"
#include "kernel_config.h"

namespace attnsweep::sm90 {

// What the choice depends on of the GPU: its multiprocessors and its L2 size.
struct GpuShape {
  int sms = 0;
  std::int64_t l2_bytes = 0;
};

// Choices fixed by the caller, to time or test a kernel other than the shipped one (the harness and
// the variant test, in a build with ATTNSWEEP_SM90_EXPERIMENTS); each field left as is takes the
// shipped choice.
struct Sm90Variant {
  int consumers = 0;          // consumer warpgroups: 2 or 3 (d=256 always has 2); 0 = shipped
  int wide_keys = -1;         // key blocks of 176 (d=128, two warpgroups) / 80 (d=256) instead of 128 / 64: 0, 1; -1 = shipped
  int persistent = -1;        // 1: one CTA per SM taking tiles in turn; 0: one CTA per tile; -1 = shipped
  int pairs_per_section = 0;  // causal tile order: (head, batch) pairs walked together; 0 = shipped
  int overlap = -1;           // 1: a warpgroup's softmax overlaps its previous block's P V; 0: one block at a time;
                              // -1 = shipped; never with three warpgroups at d=128
  int q_slots = -1;           // 2: the next tile's Q loads while this one runs (persistent, where there is room); 1; -1 = shipped
  int half_diagonal = -1;     // 1: halve the diagonal block where the kernel can; 0: whole blocks; -1 = shipped
  int turns = -1;             // 1: the consumer warpgroups issue their GEMMs in turn; 0: each when ready; -1 = shipped
  friend bool operator==(const Sm90Variant&, const Sm90Variant&) = default;
};

// A launch: the kernel and the run-time values it takes.
struct LaunchConfig {
  KernelConfig kernel;
  int pairs_per_section = 1;   // causal tile order (tile_schedule.h: TileGrid::section)
  int q_slots = 1;             // Q slots in use: at most shared_layout(kernel).q_slots
  bool half_diagonal = false;  // diagonal blocks halved: only where halves_diagonal(kernel)
};

// "d=128 wg=3 bn=128 causal persistent turns": a kernel in words, for messages.
std::string describe(const KernelConfig& k);

// Tiles of 64 * consumers query rows: one per row block, head and batch.
std::int64_t tile_count(const AttentionProblem& p, int consumers);

// The launch for p on a GPU of this shape: the shipped choices, but those `fixed` sets. Throws
// DeviceError for a fixed consumer count other than 2 or 3.
LaunchConfig choose_launch(const AttentionProblem& p, const GpuShape& gpu, const Sm90Variant& fixed = {});

}  // namespace attnsweep::sm90
