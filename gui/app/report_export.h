#pragma once
// Writes a report folder: report.md / .csv / .json (the engine's reports), a self-contained
// report.html, and the seed's three pictures for every dtype x mask slice of the results, each as
// PNG and SVG, named as the engine's picture_name() says (and a speedup heatmap against a baseline
// kernel, of the comparison with a baseline run). Every failure is returned with the path that
// failed, never swallowed.
#include <QRect>
#include <QSize>
#include <QString>
#include <QStringList>

#include <functional>

#include "core/result_set.h"
#include "core/views.h"

class QPainter;
class QWidget;

namespace attnsweep::gui {

class HeatmapView;
class ForwardView;

struct ExportOutcome {
  bool ok = true;
  QStringList written;  // file names, in the order written
  QStringList errors;   // "<path>: <why>"
  QStringList not_drawn;  // pictures too large to draw: "<file>: <why>" (the rest is written)
};

// What the pictures show: the metrics the app's toolbar has chosen, or these. A speedup or a ratio
// against a baseline run has its own picture (kSpeedupPng, kComparisonPng); the heatmap then shows
// the median time.
struct PictureMetrics {
  HeatMetric heatmap = HeatMetric::median_ms;
  ScalingMetric scaling = ScalingMetric::tflops;
};

// `baseline`, a kernel of the set: the reports get its "speedup vs" column (report.h) and the
// folder a heatmap of the speedups against it, kSpeedupPng; "" for none. `compared_with`, a
// baseline run: the engine's comparison report as comparison.md / .json / .html, the heatmap of
// the ratios NEW/BASE with their verdicts, kComparisonPng, and its curves dashed in the scaling
// picture.
ExportOutcome export_report(const ResultSet& set, const QString& dir, const PictureMetrics& metrics = {},
                            const std::string& baseline = {}, const ResultSet* compared_with = nullptr);
inline constexpr const char* kSpeedupPng = "attention_sweep_speedup.png";
inline constexpr const char* kComparisonPng = "attention_sweep_comparison.png";

// The exported pictures' least width and the forward picture's height (logical pixels; PNGs are
// drawn at 2x for sharpness). Each grows to hold every tier and group readable: the widths follow
// the tiers, the heatmap's height the kernels, the scaling picture's the groups.
inline constexpr int kPictureWidth = 1500;
inline constexpr int kForwardHeight = 620;

// The largest picture drawn, in logical pixels. PNGs are drawn at 2x while that stays within the
// limit, else at 1x; a picture larger than the limit is not drawn, and says so: a heatmap of
// thousands of kernels would take gigabytes and minutes to encode, and the report's table holds
// every cell. 100 million pixels take 400 MB as an image and about ten seconds to encode.
inline constexpr qint64 kMaxPicturePixels = 100'000'000;
// Why a picture of `size` is not drawn, or an empty string.
QString too_large_to_draw(QSize size);

// Single pictures (also used by "Export chart…"). `error` gets the reason on failure.
bool save_png(const std::function<void(QPainter&, const QRect&)>& paint, QSize size, const QString& path,
              QString* error);
bool save_svg(const std::function<void(QPainter&, const QRect&)>& paint, QSize size, const QString& path,
              const QString& title, QString* error);
// Paints a widget tree (QtCharts views) at `size`.
std::function<void(QPainter&, const QRect&)> widget_painter(QWidget* w, QSize size);

}  // namespace attnsweep::gui
