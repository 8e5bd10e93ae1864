#pragma once
// Writes a report folder: report.md / .csv / .json (the engine's reports), a self-contained
// report.html, and the three pictures named as the seed names them (and a speedup heatmap against
// a baseline kernel, of the comparison with a baseline run), each as PNG and SVG.
// Every failure is returned with the path that failed, never swallowed.
#include <QRect>
#include <QSize>
#include <QString>
#include <QStringList>

#include <functional>

#include "core/result_set.h"

class QPainter;
class QWidget;

namespace attnsweep::gui {

class HeatmapView;
class ForwardView;

struct ExportOutcome {
  bool ok = true;
  QStringList written;  // file names, in the order written
  QStringList errors;   // "<path>: <why>"
};

// `baseline`, a kernel of the set: the reports get its "speedup vs" column (report.h) and the
// folder a heatmap of the speedups against it, kSpeedupPng; "" for none. `compared_with`, a
// baseline run: the engine's comparison report as comparison.md / .json / .html and the heatmap
// of the ratios NEW/BASE with their verdicts, kComparisonPng.
ExportOutcome export_report(const ResultSet& set, const QString& dir, const std::string& baseline = {},
                            const ResultSet* compared_with = nullptr);
inline constexpr const char* kSpeedupPng = "attention_sweep_speedup.png";
inline constexpr const char* kComparisonPng = "attention_sweep_comparison.png";

// Sizes of the exported pictures (logical pixels; PNGs are drawn at 2x for sharpness).
inline constexpr QSize kHeatmapSize{1500, 560};  // the height follows the number of kernels
inline constexpr QSize kForwardSize{1500, 620};
inline constexpr QSize kScalingSize{1500, 980};

// Single pictures (also used by "Export chart…"). `error` gets the reason on failure.
bool save_png(const std::function<void(QPainter&, const QRect&)>& paint, QSize size, const QString& path,
              QString* error);
bool save_svg(const std::function<void(QPainter&, const QRect&)>& paint, QSize size, const QString& path,
              const QString& title, QString* error);
// Paints a widget tree (QtCharts views) at `size`.
std::function<void(QPainter&, const QRect&)> widget_painter(QWidget* w, QSize size);

}  // namespace attnsweep::gui
