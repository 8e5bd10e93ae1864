#include "core/views.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <tuple>

#include "attnsweep/engine/baseline.h"
#include "attnsweep/engine/columns.h"
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
  for (const CellResult& r : results)
    if (std::find(out.begin(), out.end(), r.cell.kernel) == out.end()) out.push_back(r.cell.kernel);
  return out;
}

std::string metric_title(HeatMetric m, std::string_view baseline) {
  switch (m) {
    case HeatMetric::median_ms: return "Median time (ms)";
    case HeatMetric::tflops: return "TFLOP/s";
    case HeatMetric::pct_of_best: return "% of the best kernel in the tier";
    case HeatMetric::pct_of_peak: return "% of the card's peak";
    case HeatMetric::speedup: {
      std::string title = speedup_title(baseline);
      title[0] = 'S';
      return title;
    }
    case HeatMetric::ratio: return "Time NEW/BASE";
  }
  return {};
}

namespace {

// A ratio's log distance from 1.0 that reaches an end of the diverging scale: the farthest value
// of the grid, so both ends stay equally far from 1.0 and 1.0 stays in the middle.
double diverging_span(double lo, double hi) {
  return lo > 0 && hi > 0 ? std::max(std::abs(std::log(lo)), std::abs(std::log(hi))) : 0.0;
}

}  // namespace

double HeatGrid::scale_position(double value) const {
  double t = 0.5;
  if (diverging) {
    const double span = diverging_span(lo, hi);
    if (span > 0 && value > 0) t = 0.5 + 0.5 * std::log(value) / span;
  } else {
    if (!(hi > lo)) return 1.0;
    t = log_scale ? (std::log(value) - std::log(lo)) / (std::log(hi) - std::log(lo)) : (value - lo) / (hi - lo);
  }
  t = std::clamp(t, 0.0, 1.0);
  return higher_is_better ? t : 1.0 - t;
}

std::pair<double, double> HeatGrid::scale_ends() const {
  double low = lo, high = hi;
  if (diverging) {
    const double span = diverging_span(lo, hi);
    low = std::exp(-span);
    high = std::exp(span);
  }
  return higher_is_better ? std::pair(low, high) : std::pair(high, low);
}

HeatGrid build_heat_grid(const std::vector<CellResult>& results, const Slice& slice, HeatMetric metric,
                         std::optional<double> peak_tflops, std::string_view baseline) {
  HeatGrid g;
  g.metric = metric;
  g.title = metric_title(metric, baseline);
  std::vector<const CellResult*> in_slice;
  for (const CellResult& r : results)
    if (r.cell.dtype == slice.dtype && r.cell.causal == slice.causal) in_slice.push_back(&r);

  for (const CellResult* r : in_slice) {
    if (std::find(g.kernels.begin(), g.kernels.end(), r->cell.kernel) == g.kernels.end())
      g.kernels.push_back(r->cell.kernel);
    const bool seen = std::any_of(g.tiers.begin(), g.tiers.end(),
                                  [&](const Tier& t) { return t.shape == r->cell.tier.shape; });
    if (!seen) g.tiers.push_back(r->cell.tier);
  }
  std::stable_sort(g.tiers.begin(), g.tiers.end(), [](const Tier& a, const Tier& b) { return tier_before(a.shape, b.shape); });
  g.cells.resize(g.kernels.size() * g.tiers.size());
  const TimingMode mode = slice.mode;

  std::map<std::tuple<std::int64_t, std::int64_t, std::int64_t, std::int64_t, std::int64_t>, std::size_t> tier_index;
  for (std::size_t t = 0; t < g.tiers.size(); ++t) tier_index[shape_key(g.tiers[t].shape)] = t;
  std::map<std::string, std::size_t> kernel_index;
  for (std::size_t k = 0; k < g.kernels.size(); ++k) kernel_index[g.kernels[k]] = k;
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

  // Speedups, from the engine: the slice's cells timed in its mode, each with that time first, so
  // the baseline's time is never one of another mode.
  std::map<const CellResult*, double> speedup;
  if (metric == HeatMetric::speedup) {
    std::vector<const CellResult*> timed_cells;
    std::vector<CellResult> laid_out;
    for (const CellResult* r : in_slice)
      if (timed(*r, mode)) {
        timed_cells.push_back(r);
        laid_out.push_back(*r);
      }
    const std::vector<std::optional<double>> s = speedups_against(with_mode_first(std::move(laid_out), mode), baseline);
    for (std::size_t i = 0; i < timed_cells.size(); ++i)
      if (s[i]) speedup[timed_cells[i]] = *s[i];
  }

  switch (metric) {
    case HeatMetric::median_ms: g.unit = "ms"; g.higher_is_better = false; g.log_scale = true; break;
    case HeatMetric::speedup:
      g.unit = "×";
      g.diverging = true;
      if (std::find(g.kernels.begin(), g.kernels.end(), baseline) == g.kernels.end())
        g.note = "no " + std::string(baseline) + " in this slice: no speedups";
      break;
    case HeatMetric::ratio:
      g.unit = "×";
      g.diverging = true;
      g.higher_is_better = false;
      g.note = "no baseline run: no ratios";
      break;
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
        case HeatMetric::speedup:
          if (const auto it = speedup.find(c.result); it != speedup.end()) c.value = it->second;
          break;
        case HeatMetric::ratio: break;  // build_ratio_grid sets them from the comparison
      }
      if (!c.value) continue;
      g.lo = any ? std::min(g.lo, *c.value) : *c.value;
      g.hi = any ? std::max(g.hi, *c.value) : *c.value;
      any = true;
    }
  }
  if (metric == HeatMetric::pct_of_best || metric == HeatMetric::pct_of_peak) g.lo = 0;  // honest origin for shares
  if (metric == HeatMetric::pct_of_best) g.hi = 100;
  return g;
}

std::vector<ScalingGroup> build_scaling(const std::vector<CellResult>& results, const Slice& slice,
                                        ScalingMetric metric) {
  const std::vector<std::string> kernels = kernels_of(results);
  std::map<ShapeGroup, ScalingGroup> groups;
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
    auto it = std::find_if(g.series.begin(), g.series.end(), [&](const ScalingSeries& x) { return x.kernel == r.cell.kernel; });
    if (it == g.series.end()) {
      ScalingSeries series;
      series.kernel = r.cell.kernel;
      series.color_index = static_cast<std::size_t>(std::find(kernels.begin(), kernels.end(), r.cell.kernel) - kernels.begin());
      g.series.push_back(std::move(series));
      it = g.series.end() - 1;
    }
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
