#include "app/picture_style.h"

#include <QFontDatabase>
#include <QPainter>
#include <QPolygonF>
#include <cmath>

namespace attnsweep::gui::style {

bool register_picture_fonts() {
  bool ok = true;
  for (const char* file : {":/fonts/DejaVuSans.ttf", ":/fonts/DejaVuSans-Bold.ttf", ":/fonts/DejaVuSansMono.ttf"})
    ok = QFontDatabase::addApplicationFont(file) >= 0 && ok;
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

namespace attnsweep::gui {

void paint_marker(QPainter& p, QPointF c, double size, Marker marker, const QColor& fill, const QColor& outline) {
  const double r = size / 2;
  auto polygon = [&](int corners, double start_deg, bool star) {
    QPolygonF poly;
    const int points = star ? 2 * corners : corners;
    for (int i = 0; i < points; ++i) {
      const double a = (start_deg + 360.0 * i / points) * M_PI / 180;
      const double radius = star && i % 2 ? r * 0.45 : r;
      poly << QPointF(c.x() + radius * std::cos(a), c.y() - radius * std::sin(a));
    }
    return poly;
  };
  p.save();
  p.setRenderHint(QPainter::Antialiasing, true);
  p.setBrush(fill);
  p.setPen(QPen(outline, std::max(1.0, size / 9)));
  switch (marker) {
    case Marker::circle: p.drawEllipse(c, r * 0.9, r * 0.9); break;
    case Marker::square: p.drawRect(QRectF(c.x() - r * 0.8, c.y() - r * 0.8, r * 1.6, r * 1.6)); break;
    case Marker::triangle: p.drawPolygon(polygon(3, 90, false)); break;
    case Marker::diamond: p.drawPolygon(polygon(4, 90, false)); break;
    case Marker::star: p.drawPolygon(polygon(5, 90, true)); break;
    case Marker::pentagon: p.drawPolygon(polygon(5, 90, false)); break;
  }
  p.restore();
}

QImage marker_image(Marker marker, const QColor& fill, const QColor& outline) {
  constexpr int kSize = 48;
  QImage img(kSize, kSize, QImage::Format_ARGB32_Premultiplied);
  img.fill(Qt::transparent);
  QPainter p(&img);
  paint_marker(p, QPointF(kSize / 2.0, kSize / 2.0), kSize - 4, marker, fill, outline);
  return img;
}

int paint_kernel_legend(QPainter* p, const QRect& area, const std::vector<std::string>& kernels) {
  constexpr int kMarker = 12, kGap = 6, kSpacing = 22, kLine = 20;
  const QFont font = style::label_font();
  const QFontMetrics fm(font);
  int x = area.left(), y = area.top();
  for (const std::string& k : kernels) {
    const QString name = QString::fromStdString(k);
    const int width = kMarker + kGap + fm.horizontalAdvance(name);
    if (x > area.left() && x + width > area.right()) {
      x = area.left();
      y += kLine;
    }
    if (p) {
      const KernelStyle ks = kernel_style(k);
      paint_marker(*p, QPointF(x + kMarker / 2.0, y + kLine / 2.0), kMarker, ks.marker, qcolor(ks.color),
                   qcolor(ks.color).darker(130));
      p->setFont(font);
      p->setPen(style::ink());
      p->drawText(QRect(x + kMarker + kGap, y, width, kLine), Qt::AlignLeft | Qt::AlignVCenter, name);
    }
    x += width + kSpacing;
  }
  return kernels.empty() ? 0 : y - area.top() + kLine;
}

}  // namespace attnsweep::gui
