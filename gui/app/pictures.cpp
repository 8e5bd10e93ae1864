#include "app/pictures.h"

#include "app/forward_view.h"
#include "app/heatmap_view.h"
#include "app/scaling_view.h"
#include "attnsweep/engine/peaks.h"
#include "attnsweep/engine/report.h"
#include "core/comparison.h"

namespace attnsweep::gui {

Slice main_slice(const ResultSet& set) {
  const std::vector<Slice> slices = result_slices(set.results);
  if (slices.empty()) return {};
  std::size_t best = 0, best_count = 0;
  for (std::size_t i = 0; i < slices.size(); ++i) {
    std::size_t n = 0;
    for (const CellResult& r : set.results)
      if (r.cell.dtype == slices[i].dtype && r.cell.causal == slices[i].causal && r.timing(slices[i].mode)) ++n;
    if (n > best_count) { best = i; best_count = n; }
  }
  return slices[best];
}

QString picture_subtitle(const ResultSet& set, const Slice& slice) {
  QString s = QString::fromStdString(slice.label());
  const std::string env = describe_environment(set.header);
  if (!env.empty()) s += " · " + QString::fromStdString(env);
  if (!set.name.empty() && env.find(set.name) == std::string::npos) s += " · " + QString::fromStdString(set.name);
  return s;
}

void show_heatmap(HeatmapView& view, const ResultSet& set, const Slice& slice, HeatMetric metric,
                  const std::string& baseline) {
  HeatGrid grid = build_heat_grid(set.results, slice, metric, peak_tflops(set.header, slice.dtype), baseline);
  const QString title = QString("Attention forward: %1").arg(QString::fromStdString(grid.title));
  view.setGrid(std::move(grid), title, picture_subtitle(set, slice));
}

void show_comparison_heatmap(HeatmapView& view, const ResultSet& set, const ResultSet& base, const Slice& slice) {
  const auto index = compare_runs(base, set, slice.mode);
  HeatGrid grid = build_ratio_grid(set.results, *index, slice);
  QString subtitle = QString::fromStdString(slice.label()) + " · " +
                     QString::fromStdString(set.name) + " vs " + QString::fromStdString(base.name);
  if (const Comparison& c = index->comparison; c.different_card) {
    const EnvironmentDifference& card = c.environment.front();
    subtitle = QString("different cards: %1 vs %2 · ").arg(QString::fromStdString(card.now), QString::fromStdString(card.base)) +
               subtitle;
  }
  const QString title = QString("Attention forward: %1").arg(QString::fromStdString(grid.title));
  view.setGrid(std::move(grid), title, subtitle);
}

void show_scaling(ScalingView& view, const ResultSet& set, const Slice& slice, ScalingMetric metric,
                  const ResultSet* base) {
  QString subtitle = picture_subtitle(set, slice);
  if (base) subtitle += " · dashed: " + QString::fromStdString(base->name);
  view.setGroups(base ? overlay_scaling(set.results, base->results, slice, metric) : build_scaling(set.results, slice, metric),
                 metric,
                 metric == ScalingMetric::time_ms ? QString("Scaling with sequence length: forward time")
                                                  : QString("Scaling with sequence length: throughput"),
                 subtitle);
}

void show_forward(ForwardView& view, const ResultSet& set, const Slice& slice) {
  view.setGrid(build_heat_grid(set.results, slice, HeatMetric::median_ms, std::nullopt),
               QString("Attention forward time per tier"), picture_subtitle(set, slice));
}

}  // namespace attnsweep::gui
