#include "core/views.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <set>
#include <string_view>
#include <tuple>
#include <unordered_set>

#include "attnsweep/engine/baseline.h"
#include "attnsweep/engine/columns.h"
#include "attnsweep/engine/plan.h"

#include "core/format.h"

namespace attnsweep::gui {

namespace {

// The cell's time in `mode`, when it is ok and has one. representative_ms: the median, or the
// mean where a source gave none (the seed), as in the reports.
const Timing* timed(const CellResult& r, TimingMode mode) {
  const Timing* t = r.status == CellStatus::ok ? r.timing(mode) : nullptr;
  return t && representative_ms(t->time_ms) > 0 ? t : nullptr;
}

double flops_of(const Cell& c) { return c.problem().flops(); }

// TFLOP/s at a time in ms; older files (the seed import) carry no tflops field.
double tflops_at(const CellResult& r, double ms) { return ms > 0 ? flops_of(r.cell) / (ms * 1e-3) / 1e12 : 0; }

double tflops_of(const CellResult& r, const Timing& t) {
  return t.tflops > 0 ? t.tflops : tflops_at(r, representative_ms(t.time_ms));
}

auto shape_key(const TierShape& s) {
  return std::tuple(s.head_dim, s.heads, s.batch, s.q_n, s.k_n, s.kv_head_count(), s.window_left, s.window_right, s.align);
}

}  // namespace

bool tier_before(const TierShape& a, const TierShape& b) { return shape_key(a) < shape_key(b); }

std::string short_count(std::int64_t n) {
  if (n >= 1024 && n % 1024 == 0) return std::to_string(n / 1024) + "k";
  return std::to_string(n);
}

std::string TierGroup::label() const {
  std::string s = "d" + std::to_string(head_dim) + " · h" + std::to_string(heads) + " · ";
  s += tokens ? short_count(tokens) + " tokens" : "b" + std::to_string(batch);
  if (axis == LengthAxis::q_n) s += " · K_N " + short_count(fixed_length);
  if (axis == LengthAxis::k_n) s += " · Q_N " + short_count(fixed_length);
  return s;
}

std::string TierGroup::title() const {
  std::string s = "d=" + std::to_string(head_dim) + " · " + std::to_string(heads) + " heads · ";
  s += tokens ? "batch × length = " + short_count(tokens) : "batch " + std::to_string(batch);
  if (axis == LengthAxis::q_n) s += " · K_N = " + short_count(fixed_length);
  if (axis == LengthAxis::k_n) s += " · Q_N = " + short_count(fixed_length);
  return s;
}

std::string TierGroup::axis_title() const {
  switch (axis) {
    case LengthAxis::both: return "sequence length (Q_N = K_N)";
    case LengthAxis::q_n: return "Q_N (K_N = " + short_count(fixed_length) + ")";
    case LengthAxis::k_n: return "K_N (Q_N = " + short_count(fixed_length) + ")";
  }
  return {};
}

std::string TierGroup::length_label(const TierShape& s) const {
  return short_count(static_cast<std::int64_t>(x_of(s)));
}

std::vector<TierGroup> group_tiers(std::vector<TierShape> tiers) {
  std::stable_sort(tiers.begin(), tiers.end(), tier_before);
  tiers.erase(std::unique(tiers.begin(), tiers.end()), tiers.end());

  // Same head_dim, heads and batch; within that, the length that varies.
  std::map<std::tuple<std::int64_t, std::int64_t, std::int64_t>, std::vector<TierShape>> by_batch;
  for (const TierShape& t : tiers) by_batch[{t.head_dim, t.heads, t.batch}].push_back(t);
  std::vector<TierGroup> groups;
  auto add = [&](const std::vector<TierShape>& members, LengthAxis axis, std::int64_t fixed) {
    TierGroup g;
    g.head_dim = members.front().head_dim;
    g.heads = members.front().heads;
    g.batch = members.front().batch;
    g.axis = axis;
    g.fixed_length = fixed;
    g.tiers = members;
    groups.push_back(std::move(g));
  };
  for (const auto& [key, members] : by_batch) {
    const auto all = [&](auto pred) { return std::all_of(members.begin(), members.end(), pred); };
    if (all([](const TierShape& t) { return t.q_n == t.k_n; })) {
      add(members, LengthAxis::both, 0);
    } else if (all([&](const TierShape& t) { return t.q_n == members.front().q_n; })) {
      add(members, LengthAxis::k_n, members.front().q_n);
    } else {
      // K_N fixed (or a Q_N x K_N grid): one group per K_N, along Q_N.
      std::map<std::int64_t, std::vector<TierShape>> by_k;
      for (const TierShape& t : members) by_k[t.k_n].push_back(t);
      for (const auto& [k, same_k] : by_k) add(same_k, LengthAxis::q_n, k);
    }
  }

  // Lone tiers whose batch x length is shared with other lone tiers of the same head_dim and
  // heads are one group along the length: batch x length held constant.
  std::map<std::tuple<std::int64_t, std::int64_t, std::int64_t>, std::vector<std::size_t>> lone_by_tokens;
  for (std::size_t i = 0; i < groups.size(); ++i) {
    const TierGroup& g = groups[i];
    if (g.tiers.size() == 1 && g.axis == LengthAxis::both)
      lone_by_tokens[{g.head_dim, g.heads, g.batch * g.tiers.front().q_n}].push_back(i);
  }
  std::vector<bool> merged(groups.size(), false);
  for (const auto& [key, lone] : lone_by_tokens) {
    if (lone.size() < 2) continue;
    TierGroup g;
    g.head_dim = std::get<0>(key);
    g.heads = std::get<1>(key);
    g.tokens = std::get<2>(key);
    for (std::size_t i : lone) {
      g.tiers.push_back(groups[i].tiers.front());
      merged[i] = true;
    }
    groups.push_back(std::move(g));
  }
  std::vector<TierGroup> out;
  for (std::size_t i = 0; i < groups.size(); ++i)
    if (!merged[i]) out.push_back(std::move(groups[i]));
  for (TierGroup& g : out)
    std::stable_sort(g.tiers.begin(), g.tiers.end(),
                     [&](const TierShape& a, const TierShape& b) { return g.x_of(a) < g.x_of(b); });
  // Reading order: by head_dim and heads; then by each group's first tier.
  std::stable_sort(out.begin(), out.end(), [](const TierGroup& a, const TierGroup& b) {
    return std::tuple(a.head_dim, a.heads, a.tokens == 0, a.batch, a.fixed_length) <
           std::tuple(b.head_dim, b.heads, b.tokens == 0, b.batch, b.fixed_length);
  });
  return out;
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

std::vector<std::string> kernels_of(const std::vector<CellResult>& results) {
  std::vector<std::string> out;
  std::unordered_set<std::string_view> seen;  // views of the results' names: no copies
  for (const CellResult& r : results)
    if (seen.insert(r.cell.kernel).second) out.push_back(r.cell.kernel);
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

  // Rows in first-seen order, looked up by name (a sweep may hold thousands of kernels).
  std::map<std::string, std::size_t> kernel_index;
  std::vector<TierShape> shapes;
  for (const CellResult* r : in_slice) {
    if (kernel_index.emplace(r->cell.kernel, g.kernels.size()).second) g.kernels.push_back(r->cell.kernel);
    shapes.push_back(r->cell.tier.shape);
  }
  g.groups = group_tiers(std::move(shapes));
  for (const TierGroup& group : g.groups)
    for (const TierShape& s : group.tiers) g.tiers.push_back(Tier{tier_name(s), s});
  g.cells.resize(g.kernels.size() * g.tiers.size());
  const TimingMode mode = slice.mode;
  std::map<decltype(shape_key(TierShape{})), std::size_t> tier_index;
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
    case HeatMetric::median_ms:
      g.unit = "ms";
      g.higher_is_better = false;
      g.log_scale = true;
      break;
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
  if (metric == HeatMetric::pct_of_best || metric == HeatMetric::pct_of_peak)
    g.hi = 100;  // the whole of the best, of the peak
  return g;
}

std::vector<ScalingGroup> build_scaling(const std::vector<CellResult>& results, const Slice& slice,
                                        ScalingMetric metric) {
  // The models the results were measured on; more than one: a series per kernel and model.
  auto device_of = [](const CellResult& r) { return r.device_name.empty() ? "an unrecorded device" : r.device_name; };
  std::vector<std::string> devices;
  for (const CellResult& r : results)
    if (std::find(devices.begin(), devices.end(), device_of(r)) == devices.end()) devices.push_back(device_of(r));
  const bool mixed = devices.size() > 1;
  std::vector<const CellResult*> in_slice;
  std::vector<TierShape> shapes;
  for (const CellResult& r : results)
    if (r.cell.dtype == slice.dtype && r.cell.causal == slice.causal) {
      in_slice.push_back(&r);
      shapes.push_back(r.cell.tier.shape);
    }
  std::vector<ScalingGroup> groups;
  std::map<decltype(shape_key(TierShape{})), std::size_t> group_of;
  for (TierGroup& t : group_tiers(std::move(shapes))) {
    for (const TierShape& s : t.tiers) group_of[shape_key(s)] = groups.size();
    ScalingGroup g;
    g.title = t.title() + " · " + slice.label();
    g.tiers = std::move(t);
    g.slice = slice;
    groups.push_back(std::move(g));
  }
  // A kernel's place in kernels_of: those past kMaxScalingKernels are counted, not drawn. Series are
  // looked up by kernel and device, not searched (a sweep may hold thousands of kernels).
  std::map<std::string_view, std::size_t> kernel_place;
  for (const CellResult& r : results) kernel_place.emplace(r.cell.kernel, kernel_place.size());
  std::vector<std::set<std::string_view>> not_drawn(groups.size());
  std::vector<std::map<std::pair<std::string_view, std::string>, std::size_t>> series_index(groups.size());
  for (const CellResult* rp : in_slice) {
    const CellResult& r = *rp;
    const TierShape& s = r.cell.tier.shape;
    const std::size_t gi = group_of.at(shape_key(s));
    ScalingGroup& g = groups[gi];
    if (kernel_place.at(r.cell.kernel) >= kMaxScalingKernels) {
      not_drawn[gi].insert(r.cell.kernel);
      continue;
    }
    const std::string device = mixed ? device_of(r) : "";
    const auto [at, added] = series_index[gi].emplace(std::pair<std::string_view, std::string>(r.cell.kernel, device),
                                                      g.series.size());
    if (added) {
      ScalingSeries series;
      series.kernel = r.cell.kernel;
      series.device = device;
      series.device_index =
          mixed ? static_cast<std::size_t>(std::find(devices.begin(), devices.end(), device) - devices.begin()) : 0;
      series.label = mixed ? r.cell.kernel + " on " + device : r.cell.kernel;
      g.series.push_back(std::move(series));
    }
    const auto it = g.series.begin() + static_cast<std::ptrdiff_t>(at->second);
    const double x = g.tiers.x_of(s);
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

  for (std::size_t gi = 0; gi < groups.size(); ++gi) {
    ScalingGroup& g = groups[gi];
    g.kernels_not_drawn = not_drawn[gi].size();
    bool any_y = false, any_x = false;
    auto widen_x = [&](double x) {
      g.x_lo = any_x ? std::min(g.x_lo, x) : x;
      g.x_hi = any_x ? std::max(g.x_hi, x) : x;
      any_x = true;
    };
    for (ScalingSeries& s : g.series) {
      std::stable_sort(s.points.begin(), s.points.end(),
                       [](const ScalingPoint& a, const ScalingPoint& b) { return a.x < b.x; });
      std::stable_sort(s.failed.begin(), s.failed.end(),
                       [](const FailedPoint& a, const FailedPoint& b) { return a.x < b.x; });
      for (const ScalingPoint& p : s.points) {
        widen_x(p.x);
        const double lo = std::min(p.lo, p.y), hi = std::max(p.hi, p.y);
        g.y_lo = any_y ? std::min(g.y_lo, lo) : lo;
        g.y_hi = any_y ? std::max(g.y_hi, hi) : hi;
        any_y = true;
      }
      for (const FailedPoint& f : s.failed) widen_x(f.x);
    }
  }
  return groups;
}

}  // namespace attnsweep::gui
