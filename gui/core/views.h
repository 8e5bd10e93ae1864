#pragma once
// The data behind the pictures, computed from results without Qt: the groups tiers are drawn in,
// the heatmap grid (kernels x tiers for one dtype/mask slice) and the scaling series (one per
// kernel and group). Failed cells keep their status; they never become values.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "attnsweep/engine/compare.h"
#include "attnsweep/engine/report.h"
#include "attnsweep/engine/result.h"

namespace attnsweep::gui {

// One dtype, mask and timing mode: the heatmap and the charts show one slice at a time.
using Slice = ResultSlice;
// Every dtype and mask of the results, each in every timing mode the results hold; in a stable
// order with the default view mode (default_view_mode) first. (result_slices: the default mode only.)
std::vector<Slice> slices_of(const std::vector<CellResult>& results);

// Tiers in reading order: by head_dim, heads, batch, then sequence length.
bool tier_before(const TierShape& a, const TierShape& b);

// The sequence length a group of tiers varies: Q_N and K_N together, or one at a fixed other.
enum class LengthAxis { both, q_n, k_n };

// Tiers drawn together (one chart of curves, one band of heatmap and bar columns): tiers that
// differ only in sequence length. Either the same head_dim, heads and batch, or, where the batch
// shrinks as the length grows (batch x length held constant, as FlashAttention's benchmarks do),
// the same head_dim, heads and number of tokens.
struct TierGroup {
  std::int64_t head_dim = 0, heads = 0;
  std::int64_t batch = 0;   // 0 when the group holds batch x length constant
  std::int64_t tokens = 0;  // batch x length when held constant; else 0
  LengthAxis axis = LengthAxis::both;
  std::int64_t fixed_length = 0;  // the length that does not vary: K_N for axis q_n, Q_N for k_n
  std::vector<TierShape> tiers;   // by the varying length

  double x_of(const TierShape& s) const { return static_cast<double>(axis == LengthAxis::k_n ? s.k_n : s.q_n); }
  std::string label() const;       // short, over heatmap columns: "d64 · h12 · b8", "d64 · h32 · 16k tokens"
  std::string title() const;       // a chart's: "d=64 · 12 heads · batch 8", "... · batch × length = 16k"
  std::string axis_title() const;  // "sequence length (Q_N = K_N)", "K_N (Q_N = 1k)"
  std::string length_label(const TierShape& s) const;  // a column's: "2k"
};

// The groups of a set of tiers (duplicates dropped), in reading order.
std::vector<TierGroup> group_tiers(std::vector<TierShape> tiers);

// "512", "2k", "16k": a count the way tier names write it.
std::string short_count(std::int64_t n);

// speedup: a baseline kernel's time over each cell's, the engine's speedups_against (baseline.h).
// ratio: NEW/BASE against a baseline run, the engine's compare() (core/comparison.h fills it).
enum class HeatMetric { median_ms, tflops, pct_of_best, pct_of_peak, speedup, ratio };
// "Median time (ms)", ..., "Speedup vs torch.sdpa_cudnn" (the baseline names only the speedup).
std::string metric_title(HeatMetric m, std::string_view baseline = {});

struct GridCell {
  const CellResult* result = nullptr;  // null: the sweep has no such cell
  const Timing* timing = nullptr;      // the cell's time in the slice's mode; null when it has none
  std::optional<double> value;         // set only for timed cells (and a known peak, for pct_of_peak)
  std::optional<Verdict> verdict;      // against a baseline run (HeatMetric::ratio)
};

struct HeatGrid {
  HeatMetric metric = HeatMetric::median_ms;
  std::string title;                 // metric_title, the baseline named
  std::vector<std::string> kernels;  // rows, in first-seen order
  std::vector<Tier> tiers;           // columns, group by group
  std::vector<TierGroup> groups;     // the columns' groups, in order: each spans its tiers.size() columns
  std::vector<GridCell> cells;       // row-major: kernels.size() x tiers.size()
  double lo = 0, hi = 0;             // value range over the grid (ok cells only)
  bool log_scale = false;            // times span decades: colour by log
  bool diverging = false;            // a ratio: coloured by its log distance from 1.0, neutral at 1.0
  bool higher_is_better = true;
  std::string unit;  // "ms", "TFLOP/s", "%"
  std::string note;  // why a metric has no values ("peak of this device unknown")

  const GridCell& at(std::size_t kernel, std::size_t tier) const { return cells[kernel * tiers.size() + tier]; }
  // Where a value sits on the colour scale: 0 worst .. 1 best (0.5 for a ratio of 1.0 when diverging).
  double scale_position(double value) const;
  // The values at the worst and the best end of the colour scale.
  std::pair<double, double> scale_ends() const;
};

// `baseline`: the kernel a speedup is against (only for HeatMetric::speedup; one the results have).
HeatGrid build_heat_grid(const std::vector<CellResult>& results, const Slice& slice, HeatMetric metric,
                         std::optional<double> peak_tflops, std::string_view baseline = {});

enum class ScalingMetric { time_ms, tflops };

struct ScalingPoint {
  double x = 0;           // the group's varying length
  double y = 0;           // median (or TFLOP/s from it)
  double lo = 0, hi = 0;  // p10..p90 band in the same unit
  const CellResult* result = nullptr;
  const Timing* timing = nullptr;  // the time drawn (the slice's mode)
};
struct FailedPoint {  // failed, or not timed in the slice's mode
  double x = 0;
  const CellResult* result = nullptr;
};
struct ScalingSeries {
  std::string kernel;
  std::string device;            // the model its cells ran on, when the results mix models (else "")
  std::string label;             // the legend's name: the kernel, and "on <device>" when the results mix models
  std::size_t device_index = 0;  // the device's place among the results' models (its line style)
  bool baseline = false;         // the baseline run's, drawn dashed over the current run's (overlay_scaling)
  std::vector<ScalingPoint> points;
  std::vector<FailedPoint> failed;
};
// A chart draws the first kMaxScalingKernels kernels of the sweep (in kernels_of order): the time
// to lay out a chart grows with the square of its series, and more lines than this could not be
// told apart anyway (there are ten colours).
inline constexpr std::size_t kMaxScalingKernels = 24;

struct ScalingGroup {
  TierGroup tiers;
  Slice slice;
  std::string title;  // "d=64 · 12 heads · batch 8 · fp16 · full"
  std::vector<ScalingSeries> series;
  std::size_t kernels_not_drawn = 0;  // kernels with cells in this group past kMaxScalingKernels
  double x_lo = 0, x_hi = 0, y_lo = 0, y_hi = 0;  // over ok points (band included); 0 when none
};

// One group per TierGroup of the slice; series per kernel in first-seen order. When the results
// were measured on more than one model (an MPI sweep over mixed cards, merged shares), one series
// per kernel and model: no curve joins cells of two cards.
std::vector<ScalingGroup> build_scaling(const std::vector<CellResult>& results, const Slice& slice,
                                        ScalingMetric metric);

// Kernel names in first-seen order across all results.
std::vector<std::string> kernels_of(const std::vector<CellResult>& results);

}  // namespace attnsweep::gui
