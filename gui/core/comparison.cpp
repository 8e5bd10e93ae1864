#include "core/comparison.h"

#include <algorithm>
#include <cmath>
#include <tuple>

#include "attnsweep/engine/compare_report.h"

namespace attnsweep::gui {

std::string verdict_glyph(Verdict v) {
  switch (v) {
    case Verdict::same: return "=";
    case Verdict::faster: return "▲";
    case Verdict::slower: return "▼";
    case Verdict::noisy: return "≈";
    case Verdict::status_changed: return "≠";
    case Verdict::missing: return "∅";
    case Verdict::new_cell: return "+";
  }
  return "?";
}

const CellComparison* ComparisonIndex::find(const Cell& c) const {
  const auto it = by_id.find(c.id());
  return it == by_id.end() ? nullptr : it->second;
}

std::shared_ptr<const ComparisonIndex> compare_runs(const ResultFile& base, const ResultFile& now,
                                                    std::optional<TimingMode> mode) {
  auto index = std::make_shared<ComparisonIndex>();
  CompareOptions options;
  options.mode = mode;
  index->comparison = compare(base, now, options);
  for (const CellComparison& c : index->comparison.cells) index->by_id[c.cell.id()] = &c;
  return index;
}

HeatGrid build_ratio_grid(const std::vector<CellResult>& results, const ComparisonIndex& index, const Slice& slice) {
  HeatGrid g = build_heat_grid(results, slice, HeatMetric::ratio, std::nullopt);
  bool any = false;
  for (GridCell& cell : g.cells) {
    if (!cell.result) continue;
    const CellComparison* c = index.find(cell.result->cell);
    if (!c) continue;
    cell.verdict = c->verdict;
    if (!std::isfinite(c->ratio) || c->ratio <= 0) continue;
    cell.value = c->ratio;
    g.lo = any ? std::min(g.lo, c->ratio) : c->ratio;
    g.hi = any ? std::max(g.hi, c->ratio) : c->ratio;
    any = true;
  }
  g.note = any ? "" : "no cell of this slice compared on times";
  return g;
}

std::vector<ScalingGroup> overlay_scaling(const std::vector<CellResult>& now, const std::vector<CellResult>& base,
                                          const Slice& slice, ScalingMetric metric) {
  // A shape's chart in either run, in reading order (as group_tiers orders them).
  const auto key = [](const ScalingGroup& g) {
    const TierGroup& t = g.tiers;
    return std::tuple(t.head_dim, t.heads, t.tokens == 0, t.batch, t.fixed_length, t.axis);
  };
  const auto widen = [](double& lo, double& hi, double other_lo, double other_hi) {
    if (!(other_hi > 0)) return;  // the other has no points
    lo = hi > 0 ? std::min(lo, other_lo) : other_lo;
    hi = std::max(hi, other_hi);
  };
  std::vector<ScalingGroup> groups = build_scaling(now, slice, metric);
  for (ScalingGroup& b : build_scaling(base, slice, metric)) {
    auto it = std::find_if(groups.begin(), groups.end(), [&](const ScalingGroup& g) { return key(g) == key(b); });
    if (it == groups.end()) {  // a shape only the baseline has
      ScalingGroup frame = b;
      frame.series.clear();
      frame.x_lo = frame.x_hi = frame.y_lo = frame.y_hi = 0;
      groups.push_back(std::move(frame));
      it = groups.end() - 1;
    }
    widen(it->x_lo, it->x_hi, b.x_lo, b.x_hi);
    widen(it->y_lo, it->y_hi, b.y_lo, b.y_hi);
    for (ScalingSeries& series : b.series) {
      if (series.points.empty()) continue;  // its failed cells are the comparison's status verdicts
      series.baseline = true;
      series.failed.clear();
      it->series.push_back(std::move(series));
    }
  }
  std::stable_sort(groups.begin(), groups.end(), [&](const ScalingGroup& x, const ScalingGroup& y) { return key(x) < key(y); });
  return groups;
}

std::string ratio_with_interval(const CellComparison& c) {
  const std::string ratio = ratio_text(c), interval = ratio_interval_text(c);
  return interval.empty() ? ratio : ratio + " " + interval;
}

std::string verdict_text(const CellComparison& c) { return verdict_glyph(c.verdict) + " " + std::string(verdict_name(c.verdict)); }

}  // namespace attnsweep::gui
