#pragma once
// The data behind the pictures, computed from results without Qt: the heatmap grid
// (kernels x tiers for one dtype/mask slice) and the scaling series (one per kernel, grouped by
// head_dim, heads and batch). Failed cells keep their status; they never become values.
#include <cstddef>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "attnsweep/engine/result.h"

namespace attnsweep::gui {

// One dtype and mask: the heatmap and the charts show one slice at a time.
struct Slice {
  DType dtype = DType::fp32;
  bool causal = false;
  bool operator==(const Slice&) const = default;
  std::string label() const;  // "fp16 · causal"
};
std::vector<Slice> slices_of(const std::vector<CellResult>& results);  // in a stable order

// Tiers in reading order: by head_dim, heads, batch, then sequence length.
bool tier_before(const TierShape& a, const TierShape& b);

// The group a tier is drawn in (one chart, one block of heatmap columns): head_dim, heads, batch.
using ShapeGroup = std::tuple<std::int64_t, std::int64_t, std::int64_t>;
inline ShapeGroup shape_group(const TierShape& s) { return {s.head_dim, s.heads, s.batch}; }

enum class HeatMetric { median_ms, tflops, pct_of_best, pct_of_peak };
std::string metric_title(HeatMetric m);

struct GridCell {
  const CellResult* result = nullptr;  // null: the sweep has no such cell
  std::optional<double> value;         // set only for ok cells (and a known peak, for pct_of_peak)
};

struct HeatGrid {
  HeatMetric metric = HeatMetric::median_ms;
  std::vector<std::string> kernels;  // rows, in first-seen order
  std::vector<Tier> tiers;           // columns, tier_before order
  std::vector<GridCell> cells;       // row-major: kernels.size() x tiers.size()
  double lo = 0, hi = 0;             // value range over the grid (ok cells only)
  bool log_scale = false;            // times span decades: colour by log
  bool higher_is_better = true;
  std::string unit;                  // "ms", "TFLOP/s", "%"
  std::string note;                  // why a metric has no values ("peak of this device unknown")

  const GridCell& at(std::size_t kernel, std::size_t tier) const { return cells[kernel * tiers.size() + tier]; }
  // Where a value sits on the colour scale: 0 worst .. 1 best.
  double scale_position(double value) const;
};

HeatGrid build_heat_grid(const std::vector<CellResult>& results, const Slice& slice, HeatMetric metric,
                         std::optional<double> peak_tflops);

enum class ScalingMetric { time_ms, tflops };

struct ScalingPoint {
  double x = 0;          // sequence length (Q_N)
  double y = 0;          // median (or TFLOP/s from it)
  double lo = 0, hi = 0; // p10..p90 band in the same unit
  const CellResult* result = nullptr;
};
struct FailedPoint {
  double x = 0;
  const CellResult* result = nullptr;
};
struct ScalingSeries {
  std::string kernel;
  std::string device;            // the model its cells ran on, when the results mix models (else "")
  std::string label;             // the legend's name: the kernel, and "on <device>" when the results mix models
  std::size_t device_index = 0;  // the device's place among the results' models (its line style)
  std::size_t color_index = 0;  // same kernel, same colour in every chart
  std::vector<ScalingPoint> points;
  std::vector<FailedPoint> failed;
};
struct ScalingGroup {
  std::int64_t head_dim = 0, heads = 0, batch = 0;
  Slice slice;
  std::string title;  // "d=64 · 12 heads · batch 8 · fp16 · full"
  std::vector<ScalingSeries> series;
  double x_lo = 0, x_hi = 0, y_lo = 0, y_hi = 0;  // over ok points (band included); 0 when none
};

// One group per (head_dim, heads, batch) of the slice; series per kernel in first-seen order. When
// the results were measured on more than one model (an MPI sweep over mixed cards, merged
// shares), one series per kernel and model: no curve joins cells of two cards.
std::vector<ScalingGroup> build_scaling(const std::vector<CellResult>& results, const Slice& slice,
                                        ScalingMetric metric);

// Kernel names in first-seen order across all results (colour indices follow it).
std::vector<std::string> kernels_of(const std::vector<CellResult>& results);

}  // namespace attnsweep::gui
