#include "app/heatmap_view.h"

#include <QFontMetrics>
#include <QMouseEvent>
#include <QPainter>
#include <QToolTip>
#include <algorithm>
#include <cmath>
#include <tuple>

#include "app/picture_style.h"
#include "core/colors.h"
#include "core/comparison.h"
#include "core/format.h"
#include "core/ticks.h"

namespace attnsweep::gui {

namespace {

using style::kMargin;
using style::kSubtitleHeight;
using style::kTitleHeight;
constexpr int kGroupHeight = 22;
constexpr int kSeqHeight = 20;
constexpr int kMinColumn = 44;
constexpr int kMinRow = 24;
constexpr int kMaxRow = 40;
constexpr int kLegendHeight = 76;  // the bar, its ticks, its direction, and a line for the verdicts
constexpr int kLegendBarWidth = 360;
constexpr int kLegendBarHeight = 12;
constexpr int kTickLabelGap = 8;  // at least this much between two labels under the colour bar

QString value_text(const HeatGrid& g, double v) {
  if (g.unit == "%") return QString::number(v, 'f', v < 10 ? 1 : 0);
  if (g.diverging) return QString::number(v, 'f', 2) + "×";
  return QString::fromStdString(format_number(v, 3));
}

Rgb scale_color(const HeatGrid& g, double position) { return g.diverging ? diverging(position) : viridis(position); }

}  // namespace

struct HeatmapView::Layout {
  QRect cells;     // the grid of cells
  int column = 0;  // cell width
  int row = 0;     // cell height
  int label_width = 0;
  QRect legend;
};

HeatmapView::HeatmapView(QWidget* parent) : QWidget(parent) {
  setMouseTracking(true);
  setAttribute(Qt::WA_OpaquePaintEvent);
}

void HeatmapView::setGrid(HeatGrid grid, QString title, QString subtitle) {
  grid_ = std::move(grid);
  title_ = std::move(title);
  subtitle_ = std::move(subtitle);
  updateGeometry();
  update();
}

int HeatmapView::labelWidth() const {
  const QFontMetrics fm(style::label_font());
  int width = 0;
  for (const std::string& k : grid_.kernels) width = std::max(width, fm.horizontalAdvance(QString::fromStdString(k)));
  return width + 14;
}

// Wide enough for every column's length and for every group's label over its columns.
int HeatmapView::minColumnWidth() const {
  const QFontMetrics fm(style::label_font());
  int column = kMinColumn;
  for (const TierGroup& g : grid_.groups) {
    const int label = fm.horizontalAdvance(QString::fromStdString(g.label())) + 10;
    column = std::max(column, (label + static_cast<int>(g.tiers.size()) - 1) / static_cast<int>(g.tiers.size()));
  }
  return column;
}

HeatmapView::Layout HeatmapView::layout(const QRect& area) const {
  Layout l;
  l.label_width = labelWidth();
  const int top = area.top() + kMargin + kTitleHeight + kSubtitleHeight + kGroupHeight + kSeqHeight;
  const int left = area.left() + kMargin + l.label_width;
  const int tiers = std::max<int>(1, static_cast<int>(grid_.tiers.size()));
  const int kernels = std::max<int>(1, static_cast<int>(grid_.kernels.size()));
  l.column = std::max(minColumnWidth(), (area.right() - kMargin - left) / tiers);
  l.row = std::clamp((area.bottom() - kMargin - kLegendHeight - top) / kernels, kMinRow, kMaxRow);
  l.cells = QRect(left, top, l.column * tiers, l.row * kernels);
  l.legend = QRect(area.left() + kMargin, l.cells.bottom() + 14, area.width() - 2 * kMargin, kLegendHeight - 14);
  return l;
}

QSize HeatmapView::sizeHint() const {
  const int tiers = std::max<int>(1, static_cast<int>(grid_.tiers.size()));
  const int kernels = std::max<int>(1, static_cast<int>(grid_.kernels.size()));
  return {std::min(1600, 200 + tiers * 56), std::min(900, 160 + kernels * 34 + kLegendHeight)};
}

QSize HeatmapView::pictureSize(int width) const {
  constexpr int kPictureRow = 34;
  const int kernels = std::max<int>(1, static_cast<int>(grid_.kernels.size()));
  const int top = kMargin + kTitleHeight + kSubtitleHeight + kGroupHeight + kSeqHeight;
  return {std::max(width, minimumSizeHint().width()), top + kernels * kPictureRow + kLegendHeight + kMargin + 4};
}

QSize HeatmapView::minimumSizeHint() const {
  const int tiers = std::max<int>(1, static_cast<int>(grid_.tiers.size()));
  const int kernels = std::max<int>(1, static_cast<int>(grid_.kernels.size()));
  const int top = kMargin + kTitleHeight + kSubtitleHeight + kGroupHeight + kSeqHeight;
  const int width = kMargin + labelWidth() + tiers * minColumnWidth() + kMargin;
  return {std::max(width, 2 * kMargin + kLegendBarWidth + 240), top + kernels * kMinRow + kLegendHeight + kMargin};
}

void HeatmapView::paintEvent(QPaintEvent*) {
  QPainter p(this);
  paint(p, rect());
}

void HeatmapView::paint(QPainter& p, const QRect& area) const {
  p.save();
  p.setRenderHint(QPainter::Antialiasing, false);
  p.setRenderHint(QPainter::TextAntialiasing, true);
  p.fillRect(area, style::background());
  style::paint_titles(p, area, title_, subtitle_);
  if (grid_.kernels.empty() || grid_.tiers.empty()) {
    p.setFont(style::label_font());
    p.drawText(area, Qt::AlignCenter, tr("No results for this slice yet"));
    p.restore();
    return;
  }
  const Layout l = layout(area);
  paintTierLabels(p, l);
  paintKernelLabels(p, area, l);
  paintCells(p, l);
  paintLegend(p, l);
  p.restore();
}

// A band per group of tiers, and the length that varies over each column.
void HeatmapView::paintTierLabels(QPainter& p, const Layout& l) const {
  int column = 0;
  for (const TierGroup& g : grid_.groups) {
    const int count = static_cast<int>(g.tiers.size());
    const QRect band(l.cells.left() + column * l.column, l.cells.top() - kSeqHeight - kGroupHeight, count * l.column,
                     kGroupHeight);
    p.setPen(style::ink());
    p.setFont(style::label_font());
    p.drawText(band.adjusted(2, 0, -2, -4), Qt::AlignCenter, QString::fromStdString(g.label()));
    p.setPen(QPen(style::grid_line(), 1));
    p.drawLine(band.left() + 3, band.bottom() - 2, band.right() - 3, band.bottom() - 2);
    p.setFont(style::small_font());
    p.setPen(style::muted_ink());
    for (int i = 0; i < count; ++i) {
      const QRect r(l.cells.left() + (column + i) * l.column, l.cells.top() - kSeqHeight, l.column, kSeqHeight);
      p.drawText(r, Qt::AlignCenter, QString::fromStdString(g.length_label(g.tiers[static_cast<std::size_t>(i)])));
    }
    column += count;
  }
}

void HeatmapView::paintKernelLabels(QPainter& p, const QRect& area, const Layout& l) const {
  p.setFont(style::label_font());
  p.setPen(style::ink());
  for (std::size_t k = 0; k < grid_.kernels.size(); ++k) {
    const QRect r(area.left() + kMargin, l.cells.top() + static_cast<int>(k) * l.row, l.label_width - 10, l.row);
    p.drawText(r, Qt::AlignRight | Qt::AlignVCenter, QString::fromStdString(grid_.kernels[k]));
  }
}

// A value's colour and number, or a failed cell hatched with its status; then the group separators.
void HeatmapView::paintCells(QPainter& p, const Layout& l) const {
  QFont cell_font = style::small_font();
  for (std::size_t k = 0; k < grid_.kernels.size(); ++k) {
    for (std::size_t t = 0; t < grid_.tiers.size(); ++t) {
      const QRect r(l.cells.left() + static_cast<int>(t) * l.column, l.cells.top() + static_cast<int>(k) * l.row,
                    l.column, l.row);
      const QRect inner = r.adjusted(1, 1, -1, -1);
      const GridCell& c = grid_.at(k, t);
      if (!c.result) {
        p.fillRect(inner, style::background());
        continue;
      }
      if (c.value) {
        const Rgb bg = scale_color(grid_, grid_.scale_position(*c.value));
        p.fillRect(inner, qcolor(bg));
        p.setPen(prefers_dark_text(bg) ? QColor(20, 20, 28) : QColor(250, 250, 252));
        cell_font.setItalic(false);
        p.setFont(cell_font);
        const std::string marks = c.timing ? timing_marks(*c.timing) : "";
        const QString glyph = c.verdict ? " " + QString::fromStdString(verdict_glyph(*c.verdict)) : QString();
        p.drawText(inner, Qt::AlignCenter, value_text(grid_, *c.value) + QString::fromStdString(marks) + glyph);
      } else {
        const CellStatus st = c.result->status == CellStatus::ok ? CellStatus::skipped : c.result->status;
        p.fillRect(inner, qcolor(status_color(st)));
        p.fillRect(inner, QBrush(QColor(0, 0, 0, 18), Qt::BDiagPattern));
        p.setPen(c.result->status == CellStatus::wrong || c.result->status == CellStatus::crashed ||
                         c.result->status == CellStatus::error
                     ? QColor(150, 30, 30)
                     : style::muted_ink());
        cell_font.setItalic(true);
        p.setFont(cell_font);
        QString label = c.result->status == CellStatus::ok ? QStringLiteral("n/a")
                                                           : QString::fromStdString(status_label(c.result->status));
        if (c.verdict && c.result->status == CellStatus::ok)  // an ok cell without a ratio: new, say
          label = QString::fromStdString(verdict_glyph(*c.verdict) + " " + std::string(verdict_name(*c.verdict)));
        else if (c.verdict)
          label = QString::fromStdString(verdict_glyph(*c.verdict)) + " " + label;
        p.drawText(inner, Qt::AlignCenter, QFontMetrics(cell_font).elidedText(label, Qt::ElideRight, inner.width() - 2));
      }
    }
  }
  p.setPen(QPen(style::background(), 3));
  int column = 0;
  for (const TierGroup& g : grid_.groups) {
    if (column > 0) {
      const int x = l.cells.left() + column * l.column;
      p.drawLine(x, l.cells.top(), x, l.cells.bottom());
    }
    column += static_cast<int>(g.tiers.size());
  }
}

// The colour bar with its range, and what the statuses present look like.
void HeatmapView::paintLegend(QPainter& p, const Layout& l) const {
  const QRect bar(l.legend.left() + l.label_width, l.legend.top() + 4, std::min(kLegendBarWidth, l.legend.width() / 2),
                  kLegendBarHeight);
  p.setFont(style::small_font());
  p.setPen(style::ink());
  p.drawText(QRect(l.legend.left(), bar.top() - 4, l.label_width - 10, kLegendBarHeight + 8),
             Qt::AlignRight | Qt::AlignVCenter, QString::fromStdString(grid_.unit));
  if (grid_.hi > grid_.lo || grid_.hi > 0) {
    for (int x = 0; x < bar.width(); ++x) {
      // Left end = worst, right end = best, whatever the metric's direction.
      p.setPen(qcolor(scale_color(grid_, static_cast<double>(x) / std::max(1, bar.width() - 1))));
      p.drawLine(bar.left() + x, bar.top(), bar.left() + x, bar.bottom());
    }
    // Ticks where the scale has round values (1-2-5 per decade on a log scale), both ends and, on a
    // diverging scale, its centre 1.0.
    const auto [worst, best] = grid_.scale_ends();
    const double low = std::min(worst, best), high = std::max(worst, best);
    std::vector<double> ticks = {low, high};
    if (grid_.diverging) ticks.push_back(1.0);
    if (grid_.log_scale && low > 0) {
      for (double v : log_ticks(low, high))
        if (v > low && v < high) ticks.push_back(v);
    } else {
      for (double v : linear_ticks(low, high))
        if (v > low && v < high) ticks.push_back(v);
    }
    const QFontMetrics fm(p.font());
    std::vector<std::pair<int, QString>> placed;  // x and label, ends first so they always show
    for (double v : ticks) {
      const int x = bar.left() + static_cast<int>(std::lround(grid_.scale_position(v) * (bar.width() - 1)));
      const QString text = value_text(grid_, v);
      const int half = fm.horizontalAdvance(text) / 2 + kTickLabelGap / 2;
      const bool clear = std::all_of(placed.begin(), placed.end(), [&](const auto& other) {
        return std::abs(other.first - x) >= half + fm.horizontalAdvance(other.second) / 2 + kTickLabelGap / 2;
      });
      if (!clear) continue;
      placed.emplace_back(x, text);
      p.setPen(style::muted_ink());
      p.drawLine(x, bar.bottom() + 1, x, bar.bottom() + 4);
      const int left = std::clamp(x - fm.horizontalAdvance(text) / 2, bar.left() - 20,
                                  bar.right() + 20 - fm.horizontalAdvance(text));
      p.drawText(QRect(left, bar.bottom() + 4, fm.horizontalAdvance(text) + 2, 16), Qt::AlignLeft | Qt::AlignTop, text);
    }
    p.drawText(QRect(bar.left(), bar.bottom() + 20, bar.width(), 16), Qt::AlignHCenter | Qt::AlignTop,
               grid_.diverging    ? tr("centred on 1.00× · better →")
               : grid_.log_scale ? tr("log scale · better →")
                                 : tr("better →"));
  } else if (!grid_.note.empty()) {
    p.setPen(style::muted_ink());
    p.drawText(bar.adjusted(0, -4, 200, 8), Qt::AlignLeft | Qt::AlignVCenter, QString::fromStdString(grid_.note));
  }
  int x = bar.right() + 28;
  for (CellStatus st : {CellStatus::oom, CellStatus::unsupported, CellStatus::wrong, CellStatus::error,
                        CellStatus::crashed, CellStatus::timeout, CellStatus::skipped}) {
    const bool present = std::any_of(grid_.cells.begin(), grid_.cells.end(),
                                     [&](const GridCell& c) { return c.result && c.result->status == st; });
    if (!present) continue;
    const QString label = QString::fromStdString(status_label(st));
    const QRect sw(x, bar.top() - 1, 14, 14);
    p.fillRect(sw, qcolor(status_color(st)));
    p.fillRect(sw, QBrush(QColor(0, 0, 0, 18), Qt::BDiagPattern));
    p.setPen(style::muted_ink());
    p.drawText(QRect(sw.right() + 5, sw.top() - 2, 120, 18), Qt::AlignLeft | Qt::AlignVCenter, label);
    x = sw.right() + 5 + QFontMetrics(p.font()).horizontalAdvance(label) + 16;
  }
  // What the verdicts' glyphs mean, for those present.
  QString verdicts;
  for (Verdict v : kAllVerdicts)
    if (std::any_of(grid_.cells.begin(), grid_.cells.end(), [&](const GridCell& c) { return c.verdict == v; }))
      verdicts += QString::fromStdString(verdict_glyph(v) + " " + std::string(verdict_name(v))) + "   ";
  if (!verdicts.isEmpty()) {
    p.setPen(style::ink());
    p.drawText(QRect(l.legend.left() + l.label_width, bar.bottom() + 38, l.legend.width(), 16),
               Qt::AlignLeft | Qt::AlignTop, verdicts.trimmed());
  }
  // What the marks beside values mean, when any value has one.
  const bool marked = std::any_of(grid_.cells.begin(), grid_.cells.end(),
                                  [](const GridCell& c) { return c.timing && !timing_marks(*c.timing).empty(); });
  if (marked) {
    p.setPen(style::muted_ink());
    p.drawText(QRect(x, bar.top() - 3, 320, 18), Qt::AlignLeft | Qt::AlignVCenter,
               tr("~ noisy interval · ! slowed samples (hover)"));
  }
}

std::pair<int, int> HeatmapView::cellAt(const QPoint& pos, const QRect& area) const {
  if (grid_.kernels.empty() || grid_.tiers.empty()) return {-1, -1};
  const Layout l = layout(area);
  if (!l.cells.contains(pos)) return {-1, -1};
  const int t = (pos.x() - l.cells.left()) / l.column;
  const int k = (pos.y() - l.cells.top()) / l.row;
  if (k < 0 || t < 0 || k >= static_cast<int>(grid_.kernels.size()) || t >= static_cast<int>(grid_.tiers.size()))
    return {-1, -1};
  return {k, t};
}

void HeatmapView::mouseMoveEvent(QMouseEvent* e) {
  const auto [k, t] = cellAt(e->position().toPoint(), rect());
  if (k < 0) {
    QToolTip::hideText();
    return;
  }
  const GridCell& c = grid_.at(static_cast<std::size_t>(k), static_cast<std::size_t>(t));
  QString tip = QString("<b>%1</b><br>%2").arg(QString::fromStdString(grid_.kernels[static_cast<std::size_t>(k)]),
                                                 QString::fromStdString(grid_.tiers[static_cast<std::size_t>(t)].name));
  if (!c.result) {
    tip += tr("<br>not in this sweep");
  } else if (c.timing) {
    const SampleStats& s = c.timing->time_ms;
    if (s.median > 0)
      tip += QString("<br>median %1 ms (p10 %2, p90 %3) · %4 samples")
                 .arg(QString::fromStdString(format_number(s.median)), QString::fromStdString(format_number(s.p10)),
                      QString::fromStdString(format_number(s.p90)))
                 .arg(s.samples);
    else  // the seed's rows: mean, std and min only
      tip += QString("<br>mean %1 ms (std %2, min %3)")
                 .arg(QString::fromStdString(format_number(s.mean)), QString::fromStdString(format_number(s.std)),
                      QString::fromStdString(format_number(s.min)));
    if (c.timing->tflops > 0) tip += QString(" · %1 TFLOP/s").arg(QString::fromStdString(format_number(c.timing->tflops, 4)));
    tip += " · " + QString::fromStdString(std::string(timing_mode_name(c.timing->mode)));
    if (c.timing->noisy) tip += tr("<br>~ noisy: the median's interval stayed wider than the target");
    if (c.timing->flagged_samples > 0)
      tip += tr("<br>! %1 samples taken while slowed down (%2)")
                 .arg(c.timing->flagged_samples)
                 .arg(QString::fromStdString([&] {
                   std::string why;
                   for (const std::string& f : c.timing->flags) why += (why.empty() ? "" : ", ") + f;
                   return why;
                 }()));
    if (c.value && grid_.metric != HeatMetric::median_ms && grid_.metric != HeatMetric::tflops)
      tip += QString("<br>%1: %2").arg(QString::fromStdString(grid_.title), value_text(grid_, *c.value) + (grid_.unit == "%" ? " %" : ""));
  } else {
    tip += QString("<br><b>%1</b> %2").arg(QString::fromStdString(status_label(c.result->status)),
                                           QString::fromStdString(c.result->message).toHtmlEscaped());
  }
  if (c.verdict)
    tip += QString("<br>against the baseline run: <b>%1</b>").arg(QString::fromStdString(std::string(verdict_name(*c.verdict))));
  QToolTip::showText(e->globalPosition().toPoint(), tip, this);
}

void HeatmapView::mousePressEvent(QMouseEvent* e) {
  const auto [k, t] = cellAt(e->position().toPoint(), rect());
  if (k < 0) return;
  if (const CellResult* r = grid_.at(static_cast<std::size_t>(k), static_cast<std::size_t>(t)).result) emit cellClicked(r);
}

}  // namespace attnsweep::gui
