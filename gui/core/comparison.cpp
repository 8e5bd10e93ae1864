#include "core/comparison.h"

#include <cmath>

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

std::string ratio_with_interval(const CellComparison& c) {
  const std::string ratio = ratio_text(c), interval = ratio_interval_text(c);
  return interval.empty() ? ratio : ratio + " " + interval;
}

std::string verdict_text(const CellComparison& c) { return verdict_glyph(c.verdict) + " " + std::string(verdict_name(c.verdict)); }

}  // namespace attnsweep::gui
