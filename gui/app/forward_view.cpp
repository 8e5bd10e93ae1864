#include "app/forward_view.h"

#include <QFontMetrics>
#include <QMouseEvent>
#include <QPainter>
#include <QToolTip>
#include <algorithm>
#include <cmath>
#include <tuple>

#include "app/picture_style.h"
#include "core/colors.h"
#include "core/format.h"
#include "core/ticks.h"

namespace attnsweep::gui {

namespace {

using style::kMargin;
using style::kSubtitleHeight;
using style::kTitleHeight;
constexpr int kLegendHeight = 24;
constexpr int kAxisWidth = 64;
constexpr int kSeqHeight = 18;
constexpr int kGroupHeight = 22;
constexpr double kBarFill = 0.82;  // share of a tier's slot the bars take
constexpr int kMinBar = 12;        // a bar wide enough for a failed cell's status, written up it
constexpr int kStatusPx = 10;      // that status's font size

QColor kernel_colour(const std::string& kernel) { return qcolor(kernel_style(kernel).color); }

}  // namespace

struct ForwardView::Layout {
  QRect plot;
  double slot = 0;  // width of one tier
  double bar = 0;   // width of one bar
  LogRange range;
  double y_of(double v) const {
    const double t = (std::log(v) - std::log(range.lo)) / (std::log(range.hi) - std::log(range.lo));
    return plot.bottom() - t * plot.height();
  }
};

ForwardView::ForwardView(QWidget* parent) : QWidget(parent) {
  setMouseTracking(true);
  setAttribute(Qt::WA_OpaquePaintEvent);
}

void ForwardView::setGrid(HeatGrid grid, QString title, QString subtitle) {
  grid_ = std::move(grid);
  title_ = std::move(title);
  subtitle_ = std::move(subtitle);
  updateGeometry();
  update();
}

ForwardView::Layout ForwardView::layout(const QRect& area) const {
  Layout l;
  const int top = area.top() + kMargin + kTitleHeight + kSubtitleHeight + kLegendHeight + 8;
  const int bottom = area.bottom() - kMargin - kSeqHeight - kGroupHeight;
  l.plot = QRect(area.left() + kMargin + kAxisWidth, top, area.width() - 2 * kMargin - kAxisWidth, bottom - top);
  const std::size_t tiers = std::max<std::size_t>(1, grid_.tiers.size());
  l.slot = static_cast<double>(l.plot.width()) / static_cast<double>(tiers);
  l.bar = l.slot * kBarFill / static_cast<double>(std::max<std::size_t>(1, grid_.kernels.size()));
  l.range = nice_log_range(grid_.lo > 0 ? grid_.lo : 1, grid_.hi > 0 ? grid_.hi : 10);
  return l;
}

int ForwardView::pictureWidth(int width) const { return widthFor(width, kMinBar); }

QSize ForwardView::minimumSizeHint() const { return {widthFor(360, kMinBar / 2), 240}; }

// Each tier's slot holds its bars at `bar` pixels, and each group's slots hold its label.
int ForwardView::widthFor(int width, int bar) const {
  double slot =
      static_cast<double>(bar) * static_cast<double>(std::max<std::size_t>(1, grid_.kernels.size())) / kBarFill;
  const QFontMetrics fm(style::label_font());
  for (const TierGroup& g : grid_.groups)
    slot = std::max(
        slot, (fm.horizontalAdvance(QString::fromStdString(g.label())) + 8.0) / static_cast<double>(g.tiers.size()));
  const double tiers = static_cast<double>(std::max<std::size_t>(1, grid_.tiers.size()));
  return std::max(width, 2 * kMargin + kAxisWidth + static_cast<int>(std::ceil(tiers * slot)));
}

void ForwardView::paintEvent(QPaintEvent*) {
  QPainter p(this);
  paint(p, rect());
}

void ForwardView::paint(QPainter& p, const QRect& area) const {
  p.save();
  p.fillRect(area, style::background());
  p.setRenderHint(QPainter::TextAntialiasing, true);
  style::paint_titles(p, area, title_, subtitle_);
  paintKernelLegend(p, area);
  if (grid_.kernels.empty() || grid_.tiers.empty()) {
    p.drawText(area, Qt::AlignCenter, tr("No results for this slice yet"));
    p.restore();
    return;
  }
  const Layout l = layout(area);
  paintAxis(p, area, l);
  paintBars(p, l);
  paintTierLabels(p, l);
  p.restore();
}

// One swatch per kernel, under the subtitle.
void ForwardView::paintKernelLegend(QPainter& p, const QRect& area) const {
  int x = area.left() + kMargin;
  const int legend_y = area.top() + kMargin + kTitleHeight + kSubtitleHeight + 4;
  p.setFont(style::label_font());
  for (const std::string& k : grid_.kernels) {
    p.fillRect(QRect(x, legend_y + 5, 12, 12), kernel_colour(k));
    const QString name = QString::fromStdString(k);
    p.setPen(style::ink());
    p.drawText(QRect(x + 17, legend_y, 400, kLegendHeight - 2), Qt::AlignLeft | Qt::AlignVCenter, name);
    x += 17 + QFontMetrics(p.font()).horizontalAdvance(name) + 22;
  }
}

// Log ticks with grid lines, and the axis title.
void ForwardView::paintAxis(QPainter& p, const QRect& area, const Layout& l) const {
  p.setFont(style::small_font());
  for (double v : log_ticks(l.range.lo, l.range.hi)) {
    const int y = static_cast<int>(std::lround(l.y_of(v)));
    p.setPen(QPen(style::grid_line(), 1));
    p.drawLine(l.plot.left(), y, l.plot.right(), y);
    p.setPen(style::muted_ink());
    p.drawText(QRect(area.left() + kMargin, y - 8, kAxisWidth - 8, 16), Qt::AlignRight | Qt::AlignVCenter,
               QString::fromStdString(format_tick(v)));
  }
  p.save();
  p.translate(area.left() + kMargin + 4, l.plot.center().y());
  p.rotate(-90);
  p.setPen(style::muted_ink());
  p.drawText(QRect(-120, -2, 240, 16), Qt::AlignCenter, tr("forward time, ms (log)"));
  p.restore();
}

// Bars, and failed slots labelled with their status.
void ForwardView::paintBars(QPainter& p, const Layout& l) const {
  p.setRenderHint(QPainter::Antialiasing, false);
  QFont status_font = style::small_font();
  status_font.setPixelSize(kStatusPx);
  for (std::size_t t = 0; t < grid_.tiers.size(); ++t) {
    const double slot_left = l.plot.left() + l.slot * static_cast<double>(t) + l.slot * (1 - kBarFill) / 2;
    for (std::size_t k = 0; k < grid_.kernels.size(); ++k) {
      const GridCell& c = grid_.at(k, t);
      const QRectF slot(slot_left + l.bar * static_cast<double>(k), l.plot.top(), l.bar, l.plot.height());
      if (c.value) {
        const double y = std::max<double>(l.plot.top(), l.y_of(*c.value));
        p.fillRect(QRectF(slot.left() + 0.5, y, std::max(1.0, slot.width() - 1), l.plot.bottom() - y),
                   kernel_colour(grid_.kernels[k]));
      } else if (c.result) {
        p.save();
        p.translate(slot.center().x(), l.plot.bottom() - 4);
        p.rotate(-90);
        p.setFont(status_font);
        // On a light backing, so a status wider than its slot still reads over its neighbours.
        const QString status = QString::fromStdString(status_label(c.result->status));
        const int text_width = QFontMetrics(status_font).horizontalAdvance(status);
        p.fillRect(QRectF(0, -kStatusPx / 2.0 - 2, text_width + 4, kStatusPx + 4), QColor(255, 255, 255, 220));
        p.setPen(c.result->status == CellStatus::wrong || c.result->status == CellStatus::error ||
                         c.result->status == CellStatus::crashed
                     ? QColor(160, 40, 40)
                     : style::muted_ink());
        p.drawText(QRectF(2, -kStatusPx / 2.0 - 2, 200, kStatusPx + 4), Qt::AlignLeft | Qt::AlignVCenter, status);
        p.restore();
      }
    }
  }
  p.setPen(QPen(style::muted_ink(), 1));
  p.drawLine(l.plot.bottomLeft(), l.plot.bottomRight());
}

// The length that varies under each tier, and a band per group of tiers.
void ForwardView::paintTierLabels(QPainter& p, const Layout& l) const {
  std::size_t start = 0;
  for (const TierGroup& g : grid_.groups) {
    p.setFont(style::small_font());
    p.setPen(style::muted_ink());
    for (std::size_t i = 0; i < g.tiers.size(); ++i) {
      const QRectF r(l.plot.left() + l.slot * static_cast<double>(start + i), l.plot.bottom() + 2, l.slot, kSeqHeight);
      p.drawText(r, Qt::AlignCenter, QString::fromStdString(g.length_label(g.tiers[i])));
    }
    const QRectF band(l.plot.left() + l.slot * static_cast<double>(start), l.plot.bottom() + kSeqHeight + 2,
                      l.slot * static_cast<double>(g.tiers.size()), kGroupHeight);
    p.setPen(QPen(style::grid_line(), 1));
    p.drawLine(QPointF(band.left() + 3, band.top() + 2), QPointF(band.right() - 3, band.top() + 2));
    if (start > 0) p.drawLine(QPointF(band.left(), l.plot.top()), QPointF(band.left(), band.bottom()));
    p.setPen(style::ink());
    p.setFont(style::label_font());
    p.drawText(band.adjusted(0, 4, 0, 0), Qt::AlignHCenter | Qt::AlignTop,
               QFontMetrics(p.font()).elidedText(QString::fromStdString(g.label()), Qt::ElideRight,
                                                 static_cast<int>(band.width()) - 4));
    start += g.tiers.size();
  }
}

const GridCell* ForwardView::cellAt(const QPoint& pos, std::size_t* kernel) const {
  if (grid_.kernels.empty() || grid_.tiers.empty()) return nullptr;
  const Layout l = layout(rect());
  if (!l.plot.contains(pos)) return nullptr;
  const double rel = pos.x() - l.plot.left();
  const std::size_t t = static_cast<std::size_t>(rel / l.slot);
  const double in_slot = rel - l.slot * static_cast<double>(t) - l.slot * (1 - kBarFill) / 2;
  if (in_slot < 0 || t >= grid_.tiers.size()) return nullptr;
  const std::size_t k = static_cast<std::size_t>(in_slot / l.bar);
  if (k >= grid_.kernels.size()) return nullptr;
  *kernel = k;
  return &grid_.at(k, t);
}

void ForwardView::mouseMoveEvent(QMouseEvent* e) {
  std::size_t k = 0;
  const GridCell* c = cellAt(e->position().toPoint(), &k);
  if (!c || !c->result) return QToolTip::hideText();
  const CellResult& r = *c->result;
  QString tip = QString("<b>%1</b><br>%2<br>").arg(QString::fromStdString(r.cell.kernel), QString::fromStdString(r.cell.tier.name));
  if (c->value)
    tip += QString("%1 ms").arg(QString::fromStdString(format_number(*c->value)));
  else
    tip += QString("<b>%1</b> %2").arg(QString::fromStdString(status_label(r.status)), QString::fromStdString(r.message).toHtmlEscaped());
  QToolTip::showText(e->globalPosition().toPoint(), tip, this);
}

}  // namespace attnsweep::gui
