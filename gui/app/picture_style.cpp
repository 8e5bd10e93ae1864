#include "app/picture_style.h"

#include <QApplication>
#include <QFontDatabase>
#include <QPainter>

namespace attnsweep::gui::style {

bool install_embedded_fonts() {
  bool ok = true;
  for (const char* file : {":/fonts/DejaVuSans.ttf", ":/fonts/DejaVuSans-Bold.ttf", ":/fonts/DejaVuSansMono.ttf"})
    ok = QFontDatabase::addApplicationFont(file) >= 0 && ok;
  if (ok) {
    QFont f(kFamily);
    f.setPointSizeF(9.5);
    QApplication::setFont(f);
  }
  return ok;
}

namespace {
// Pixel sizes, not points: a picture must come out the same on any screen DPI.
QFont font_px(int px, bool bold = false) {
  QFont f(kFamily);
  f.setPixelSize(px);
  f.setBold(bold);
  return f;
}
}  // namespace

QFont title_font() { return font_px(15, true); }
QFont label_font() { return font_px(12); }
QFont small_font() { return font_px(11); }
void paint_titles(QPainter& p, const QRect& area, const QString& title, const QString& subtitle) {
  const QRect title_rect(area.left() + kMargin, area.top() + kMargin, area.width() - 2 * kMargin, kTitleHeight);
  p.setPen(ink());
  p.setFont(title_font());
  p.drawText(title_rect, Qt::AlignLeft | Qt::AlignVCenter, title);
  p.setFont(small_font());
  p.setPen(muted_ink());
  p.drawText(QRect(title_rect.left(), title_rect.top() + kTitleHeight, title_rect.width(), kSubtitleHeight),
             Qt::AlignLeft | Qt::AlignVCenter, subtitle);
}

QFont mono_font() {
  QFont f("DejaVu Sans Mono");
  f.setPixelSize(12);
  return f;
}

}  // namespace attnsweep::gui::style
