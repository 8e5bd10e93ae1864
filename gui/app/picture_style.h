#pragma once
// One look for every picture and view: the embedded DejaVu fonts, ink and grid colours.
#include <QColor>
#include <QFont>
#include <QString>

#include "core/colors.h"

class QPainter;
class QRect;

namespace attnsweep::gui::style {

// Registers the fonts compiled into the binary and makes DejaVu Sans the application font.
// Returns false (and the app falls back to the system font) if the resource is missing.
bool install_embedded_fonts();

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

}  // namespace attnsweep::gui
