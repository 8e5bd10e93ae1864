#include "core/views.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <set>
#include <string_view>
#include <tuple>
#include <unordered_set>

#include "core/format.h"

namespace attnsweep::gui {

namespace {

// The cell's time in `mode`, when it is ok and has one. representative_ms: the median, or the
// mean where a source gave none (the seed), as in the reports.
const Timing* timed(const CellResult& r, TimingMode mode) {
  const Timing* t = r.status == CellStatus::ok ? r.timing(mode) : nullptr;
  return t && representative_ms(t->time_ms) > 0 ? t : nullptr;
}

double flops_of(const Cell& c) {
  AttentionProblem p;
  p.batch = c.tier.shape.batch;
  p.heads = c.tier.shape.heads;
  p.q_n = c.tier.shape.q_n;
  p.k_n = c.tier.shape.k_n;
  p.head_dim = c.tier.shape.head_dim;
  p.causal = c.causal;
  p.dtype = c.dtype;
  return p.flops();
}

// TFLOP/s at a time in ms; older files (the seed import) carry no tflops field.
double tflops_at(const CellResult& r, double ms) { return ms > 0 ? flops_of(r.cell) / (ms * 1e-3) / 1e12 : 0; }

double tflops_of(const CellResult& r, const Timing& t) {
  return t.tflops > 0 ? t.tflops : tflops_at(r, representative_ms(t.time_ms));
}

auto shape_key(const TierShape& s) { return std::tuple(s.head_dim, s.heads, s.batch, s.q_n, s.k_n); }

}  // namespace

std::string Slice::label() const {
  return std::string(dtype_name(dtype)) + " · " + causal_label(causal) + " · " + std::string(timing_mode_name(mode));
}

std::vector<Slice> slices_of(const std::vector<CellResult>& results) {
  const TimingMode first = default_view_mode(results);
  std::vector<TimingMode> modes{first};
  for (const CellResult& r : results)
    for (const Timing& t : r.timings)
      if (std::find(modes.begin(), modes.end(), t.mode) == modes.end()) modes.push_back(t.mode);
  std::vector<Slice> out;
  for (const CellResult& r : results)
    for (TimingMode m : modes) {
      const Slice s{r.cell.dtype, r.cell.causal, m};
      if (std::find(out.begin(), out.end(), s) == out.end()) out.push_back(s);
    }
  const auto rank = [first](TimingMode m) { return m == first ? -1 : static_cast<int>(m); };
  std::stable_sort(out.begin(), out.end(), [&](const Slice& a, const Slice& b) {
    return std::tuple(static_cast<int>(a.dtype), a.causal, rank(a.mode)) <
           std::tuple(static_cast<int>(b.dtype), b.causal, rank(b.mode));
  });
  return out;
}

bool tier_before(const TierShape& a, const TierShape& b) { return shape_key(a) < shape_key(b); }

std::vector<std::string> kernels_of(const std::vector<CellResult>& results) {
  std::vector<std::string> out;
  std::unordered_set<std::string_view> seen;  // views of the results' names: no copies
  for (const CellResult& r : results)
    if (seen.insert(r.cell.kernel).second) out.push_back(r.cell.kernel);
  return out;
}

std::string metric_title(HeatMetric m) {
  switch (m) {
    case HeatMetric::median_ms: return "Median time (ms)";
    case HeatMetric::tflops: return "TFLOP/s";
    case HeatMetric::pct_of_best: return "% of the best kernel in the tier";
    case HeatMetric::pct_of_peak: return "% of the card's peak";
  }
  return {};
}

double HeatGrid::scale_position(double value) const {
  if (!(hi > lo)) return 1.0;
  double t = log_scale ? (std::log(value) - std::log(lo)) / (std::log(hi) - std::log(lo)) : (value - lo) / (hi - lo);
  t = std::clamp(t, 0.0, 1.0);
  return higher_is_better ? t : 1.0 - t;
}

HeatGrid build_heat_grid(const std::vector<CellResult>& results, const Slice& slice, HeatMetric metric,
                         std::optional<double> peak_tflops) {
  HeatGrid g;
  g.metric = metric;
  std::vector<const CellResult*> in_slice;
  for (const CellResult& r : results)
    if (r.cell.dtype == slice.dtype && r.cell.causal == slice.causal) in_slice.push_back(&r);

  // Rows and columns in first-seen order, looked up by key (a sweep may hold thousands of kernels).
  std::map<std::string, std::size_t> kernel_index;
  std::map<std::tuple<std::int64_t, std::int64_t, std::int64_t, std::int64_t, std::int64_t>, std::size_t> tier_index;
  for (const CellResult* r : in_slice) {
    if (kernel_index.emplace(r->cell.kernel, g.kernels.size()).second) g.kernels.push_back(r->cell.kernel);
    if (tier_index.emplace(shape_key(r->cell.tier.shape), g.tiers.size()).second) g.tiers.push_back(r->cell.tier);
  }
  std::stable_sort(g.tiers.begin(), g.tiers.end(), [](const Tier& a, const Tier& b) { return tier_before(a.shape, b.shape); });
  g.cells.resize(g.kernels.size() * g.tiers.size());
  const TimingMode mode = slice.mode;
  for (std::size_t t = 0; t < g.tiers.size(); ++t) tier_index[shape_key(g.tiers[t].shape)] = t;
  for (const CellResult* r : in_slice) {
    // A later record of the same cell (a rerun) replaces the earlier one.
    g.cells[kernel_index[r->cell.kernel] * g.tiers.size() + tier_index[shape_key(r->cell.tier.shape)]].result = r;
  }

  // Fastest median per tier, for pct_of_best.
  std::vector<double> best(g.tiers.size(), std::numeric_limits<double>::infinity());
  for (std::size_t k = 0; k < g.kernels.size(); ++k)
    for (std::size_t t = 0; t < g.tiers.size(); ++t)
      if (const CellResult* r = g.at(k, t).result; r && timed(*r, mode))
        best[t] = std::min(best[t], representative_ms(timed(*r, mode)->time_ms));

  switch (metric) {
    case HeatMetric::median_ms: g.unit = "ms"; g.higher_is_better = false; g.log_scale = true; break;
    case HeatMetric::tflops: g.unit = "TFLOP/s"; break;
    case HeatMetric::pct_of_best: g.unit = "%"; break;
    case HeatMetric::pct_of_peak:
      g.unit = "%";
      if (!peak_tflops || *peak_tflops <= 0) g.note = "the peak of this device is not known: no values";
      break;
  }

  bool any = false;
  for (std::size_t k = 0; k < g.kernels.size(); ++k) {
    for (std::size_t t = 0; t < g.tiers.size(); ++t) {
      GridCell& c = g.cells[k * g.tiers.size() + t];
      c.timing = c.result ? timed(*c.result, mode) : nullptr;
      if (!c.timing) continue;
      const double ms = representative_ms(c.timing->time_ms);
      switch (metric) {
        case HeatMetric::median_ms: c.value = ms; break;
        case HeatMetric::tflops: c.value = tflops_of(*c.result, *c.timing); break;
        case HeatMetric::pct_of_best: c.value = 100.0 * best[t] / ms; break;
        case HeatMetric::pct_of_peak:
          if (peak_tflops && *peak_tflops > 0) c.value = 100.0 * tflops_of(*c.result, *c.timing) / *peak_tflops;
          break;
      }
      if (!c.value) continue;
      g.lo = any ? std::min(g.lo, *c.value) : *c.value;
      g.hi = any ? std::max(g.hi, *c.value) : *c.value;
      any = true;
    }
  }
  if (metric == HeatMetric::pct_of_best || metric == HeatMetric::pct_of_peak) g.lo = 0;  // honest origin for shares
  if (metric == HeatMetric::pct_of_best || metric == HeatMetric::pct_of_peak) g.hi = 100;  // the whole of the best, of the peak
  return g;
}

std::vector<ScalingGroup> build_scaling(const std::vector<CellResult>& results, const Slice& slice,
                                        ScalingMetric metric) {
  const std::vector<std::string> kernels = kernels_of(results);
  std::map<std::string_view, std::size_t> color_index;  // a kernel's place in kernels_of
  for (const std::string& k : kernels) color_index.emplace(k, color_index.size());
  std::map<ShapeGroup, ScalingGroup> groups;
  std::map<ShapeGroup, std::map<std::string_view, std::size_t>> series_index;  // per group, by kernel
  std::map<ShapeGroup, std::set<std::string_view>> not_drawn;
  for (const CellResult& r : results) {
    if (r.cell.dtype != slice.dtype || r.cell.causal != slice.causal) continue;
    const TierShape& s = r.cell.tier.shape;
    ScalingGroup& g = groups[shape_group(s)];
    if (g.series.empty() && g.title.empty()) {
      g.head_dim = s.head_dim;
      g.heads = s.heads;
      g.batch = s.batch;
      g.slice = slice;
      g.title = "d=" + std::to_string(s.head_dim) + " · " + std::to_string(s.heads) + " heads · batch " +
                std::to_string(s.batch) + " · " + slice.label();
    }
    const std::size_t color = color_index.at(r.cell.kernel);
    if (color >= kMaxScalingKernels) {
      not_drawn[shape_group(s)].insert(r.cell.kernel);
      continue;
    }
    auto& index = series_index[shape_group(s)];
    auto [at, added] = index.emplace(r.cell.kernel, g.series.size());
    if (added) {
      ScalingSeries series;
      series.kernel = r.cell.kernel;
      series.color_index = color;
      g.series.push_back(std::move(series));
    }
    const auto it = g.series.begin() + static_cast<std::ptrdiff_t>(at->second);
    const double x = static_cast<double>(s.q_n);
    const Timing* timing = timed(r, slice.mode);
    if (!timing) {
      it->failed.push_back({x, &r});
      continue;
    }
    const SampleStats& t = timing->time_ms;
    const double y = representative_ms(t);
    // p10..p90 when measured; the seed's rows only have min (and std): min..y then.
    ScalingPoint p{x, y, t.p10 > 0 ? t.p10 : (t.min > 0 ? t.min : y), t.p90 > 0 ? t.p90 : y, &r, timing};
    if (metric == ScalingMetric::tflops) {
      // Faster samples give more TFLOP/s: the band flips.
      p = {x, tflops_of(r, *timing), tflops_at(r, p.hi), tflops_at(r, p.lo), &r, timing};
    }
    it->points.push_back(p);
  }

  std::vector<ScalingGroup> out;
  for (auto& [key, g] : groups) {
    g.kernels_not_drawn = not_drawn[key].size();
    bool any_y = false, any_x = false;
    auto widen_x = [&](double x) {
      g.x_lo = any_x ? std::min(g.x_lo, x) : x;
      g.x_hi = any_x ? std::max(g.x_hi, x) : x;
      any_x = true;
    };
    for (ScalingSeries& s : g.series) {
      std::stable_sort(s.points.begin(), s.points.end(), [](const ScalingPoint& a, const ScalingPoint& b) { return a.x < b.x; });
      std::stable_sort(s.failed.begin(), s.failed.end(), [](const FailedPoint& a, const FailedPoint& b) { return a.x < b.x; });
      for (const ScalingPoint& p : s.points) {
        widen_x(p.x);
        const double lo = std::min(p.lo, p.y), hi = std::max(p.hi, p.y);
        g.y_lo = any_y ? std::min(g.y_lo, lo) : lo;
        g.y_hi = any_y ? std::max(g.y_hi, hi) : hi;
        any_y = true;
      }
      for (const FailedPoint& f : s.failed) widen_x(f.x);
    }
    out.push_back(std::move(g));
  }
  return out;
}

}  // namespace attnsweep::gui
