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

void show_heatmap(HeatmapView& view, const ResultSet& set, const Slice& slice, HeatMetric metric);
void show_scaling(ScalingView& view, const ResultSet& set, const Slice& slice, ScalingMetric metric);
void show_forward(ForwardView& view, const ResultSet& set, const Slice& slice);

}  // namespace attnsweep::gui
