#pragma once
// Writes a report folder: report.md / .csv / .json (the engine's reports), a self-contained
// report.html, and the three pictures named as the seed names them, each as PNG and SVG.
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
  QStringList not_drawn;  // pictures too large to draw: "<file>: <why>" (the rest is written)
};

ExportOutcome export_report(const ResultSet& set, const QString& dir);

// Sizes of the exported pictures (logical pixels; PNGs are drawn at 2x for sharpness).
inline constexpr QSize kHeatmapSize{1500, 560};  // the height follows the number of kernels
inline constexpr QSize kForwardSize{1500, 620};
inline constexpr QSize kScalingSize{1500, 980};

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
