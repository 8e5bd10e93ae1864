#pragma once
// One look for every picture and view: the embedded DejaVu fonts, ink and grid colours.
#include <QColor>
#include <QFont>
#include <QImage>
#include <QString>
#include <string>
#include <vector>

#include "core/colors.h"

class QPainter;
class QRect;

namespace attnsweep::gui::style {

// Registers the fonts compiled into the binary, so pictures come out the same on every machine.
// The window itself keeps the desktop's font and size. Returns false if the resource is missing
// (pictures then use the system font).
bool register_picture_fonts();

inline constexpr const char* kFamily = "DejaVu Sans";
QFont title_font();
QFont label_font();
QFont small_font();
QFont mono_font();

// Every picture opens with a title and a subtitle inside the same margin.
inline constexpr int kMargin = 16;
inline constexpr int kTitleHeight = 26;
inline constexpr int kSubtitleHeight = 18;

// Paints the title and, under it, the subtitle, inside the margin of `area`.
void paint_titles(QPainter& p, const QRect& area, const QString& title, const QString& subtitle);

inline QColor background() { return QColor(255, 255, 255); }
inline QColor ink() { return QColor(32, 34, 42); }
inline QColor muted_ink() { return QColor(104, 108, 120); }
inline QColor grid_line() { return QColor(218, 220, 226); }

}  // namespace attnsweep::gui::style

namespace attnsweep::gui {

// A core colour as Qt's.
inline QColor qcolor(Rgb c, int alpha = 255) { return QColor(c.r, c.g, c.b, alpha); }

// A kernel's marker shape, centred on `centre` and `size` pixels across.
void paint_marker(QPainter& p, QPointF centre, double size, Marker marker, const QColor& fill, const QColor& outline);
// The same as an image, for QtCharts' light markers (drawn at 4x for sharpness).
QImage marker_image(Marker marker, const QColor& fill, const QColor& outline);

// The kernels' legend: each kernel's marker in its colour and its name, wrapped to the width of
// `area`. Returns the height it takes; with `p` null it only measures.
int paint_kernel_legend(QPainter* p, const QRect& area, const std::vector<std::string>& kernels);

}  // namespace attnsweep::gui
