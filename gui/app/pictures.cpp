#include "app/pictures.h"

#include "app/forward_view.h"
#include "app/heatmap_view.h"
#include "app/scaling_view.h"
#include "attnsweep/engine/peaks.h"
#include "attnsweep/engine/report.h"

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

void show_heatmap(HeatmapView& view, const ResultSet& set, const Slice& slice, HeatMetric metric) {
  view.setGrid(build_heat_grid(set.results, slice, metric, peak_tflops(set.header, slice.dtype)),
               QString("Attention forward: %1").arg(QString::fromStdString(metric_title(metric))),
               picture_subtitle(set, slice));
}

void show_scaling(ScalingView& view, const ResultSet& set, const Slice& slice, ScalingMetric metric) {
  view.setGroups(build_scaling(set.results, slice, metric), metric,
                 metric == ScalingMetric::time_ms ? QString("Scaling with sequence length: forward time")
                                                  : QString("Scaling with sequence length: throughput"),
                 picture_subtitle(set, slice));
}

void show_forward(ForwardView& view, const ResultSet& set, const Slice& slice) {
  view.setGrid(build_heat_grid(set.results, slice, HeatMetric::median_ms, std::nullopt),
               QString("Attention forward time per tier"), picture_subtitle(set, slice));
}

}  // namespace attnsweep::gui
