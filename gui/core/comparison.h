#pragma once
// The current results against a baseline run, as the views show them. Every verdict and ratio is
// the engine's compare() (attnsweep/engine/compare.h); this only lays them out: a heatmap of
// NEW/BASE ratios for one slice, and the table's ratio and verdict texts.
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "attnsweep/engine/compare.h"
#include "core/views.h"

namespace attnsweep::gui {

// One glyph per verdict, drawn beside a ratio: same "=", faster "▲", slower "▼", noisy "≈",
// status-changed "≠", missing "∅", new "+".
std::string verdict_glyph(Verdict v);

// The engine's comparison of `base` with `now` in `mode`, with its cells found by id.
struct ComparisonIndex {
  Comparison comparison;
  std::map<std::string, const CellComparison*> by_id;
  const CellComparison* find(const Cell& c) const;
};
// Kept on the heap so the index's pointers stay valid when it moves.
std::shared_ptr<const ComparisonIndex> compare_runs(const ResultFile& base, const ResultFile& now,
                                                    std::optional<TimingMode> mode = std::nullopt);

// The current results' grid for `slice` (the same kernels, tiers and cells as any other metric),
// each cell's value the ratio NEW/BASE of its times and its verdict: a diverging scale centred on
// 1.0, lower better. A cell not compared on times (new, a status change) has a verdict, no value.
HeatGrid build_ratio_grid(const std::vector<CellResult>& results, const ComparisonIndex& index, const Slice& slice);

// The scaling series of both runs in one set of groups: the current run's as build_scaling makes
// them, then the baseline's of the same shapes marked `baseline` (its failed cells left off: they
// are the comparison's status verdicts). A kernel's style comes from its name (kernel_style), so
// a baseline's curve has its kernel's colour and opening a baseline recolours nothing.
std::vector<ScalingGroup> overlay_scaling(const std::vector<CellResult>& now, const std::vector<CellResult>& base,
                                          const Slice& slice, ScalingMetric metric);

// The table's columns: the engine's ratio with its interval ("0.9731 [0.95, 0.9912]") and the
// verdict with its glyph ("▲ faster").
std::string ratio_with_interval(const CellComparison& c);
std::string verdict_text(const CellComparison& c);

}  // namespace attnsweep::gui
