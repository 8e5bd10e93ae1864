#pragma once
// Fills the three pictures from a result set, the same way for the window and the export:
// titles, subtitles (where it ran, which slice) and the slice's data.
#include <QString>

#include "core/result_set.h"
#include "core/views.h"

namespace attnsweep::gui {

class HeatmapView;
class ScalingView;
class ForwardView;

// The slice with the most measured cells (the one a report pictures), or fp32/full if empty.
Slice main_slice(const ResultSet& set);
QString picture_subtitle(const ResultSet& set, const Slice& slice);

// `baseline`: the kernel a HeatMetric::speedup is against.
void show_heatmap(HeatmapView& view, const ResultSet& set, const Slice& slice, HeatMetric metric,
                  const std::string& baseline = {});
// The results against a baseline run in the slice's mode: ratios NEW/BASE and verdicts, the
// subtitle naming both runs and, first, a different card.
void show_comparison_heatmap(HeatmapView& view, const ResultSet& set, const ResultSet& base, const Slice& slice);
// With `base`, a baseline run: its curves dashed over these (overlay_scaling).
void show_scaling(ScalingView& view, const ResultSet& set, const Slice& slice, ScalingMetric metric,
                  const ResultSet* base = nullptr);
void show_forward(ForwardView& view, const ResultSet& set, const Slice& slice);

}  // namespace attnsweep::gui
