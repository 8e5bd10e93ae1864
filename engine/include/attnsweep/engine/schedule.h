#pragma once
// Which cells of a plan one process runs, and in what order, when a sweep is split: a share
// (`run --shard K/N`, for schedulers without MPI) and the largest-first order an MPI sweep hands
// cells out in, so the longest cells do not end up last.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "attnsweep/engine/plan.h"

namespace attnsweep {

// Share `index` (1-based) of `count`.
struct Shard {
  int index = 1;
  int count = 1;
  std::string text() const;  // "2/4"
  bool operator==(const Shard&) const = default;
};

// "K/N" with 1 <= K <= N. Throws std::invalid_argument naming the rule it breaks.
Shard parse_shard(std::string_view text);

// Work estimate of a cell: its FLOPs (4·B·H·Q_N·K_N·d, halved for causal).
double cell_cost(const Cell& cell);

// Indices of plan.cells, largest cell_cost first (then more bytes of Q, K, V and O, then plan order).
std::vector<std::size_t> largest_first(const Plan& plan);

// The cells of share K of N: the largest-first order dealt to the shares back and forth
// (1..N, N..1, ...), so each share gets a like amount of work. It depends on the spec alone (not
// on the device or on what a result file holds), so a share is the same on every host and under
// --resume, and the N shares hold every cell exactly once.
Plan shard_of(const Plan& plan, const Shard& shard);

}  // namespace attnsweep
