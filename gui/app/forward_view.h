#pragma once
// The seed's first picture, done properly: forward time per tier, one bar per kernel, on a log
// axis (times span three decades). Tiers are grouped as in every picture (core/views' TierGroup);
// a failed cell leaves its slot empty with its status written up from the foot in a readable
// size, never a bar of height 0.
#include <QColor>
#include <QWidget>

#include "core/views.h"

namespace attnsweep::gui {

class ForwardView : public QWidget {
  Q_OBJECT
 public:
  explicit ForwardView(QWidget* parent = nullptr);
  // `grid` must be a median_ms grid.
  void setGrid(HeatGrid grid, QString title, QString subtitle);
  void paint(QPainter& p, const QRect& area) const;
  QSize sizeHint() const override { return {1200, 560}; }
  // The width a picture needs (at least `width`) for bars wide enough to hold a failed cell's
  // status and for every group's label. The window asks for half the bar width, and scrolls.
  int pictureWidth(int width) const;
  QSize minimumSizeHint() const override;

 protected:
  void paintEvent(QPaintEvent*) override;
  void mouseMoveEvent(QMouseEvent*) override;

 private:
  struct Layout;
  Layout layout(const QRect& area) const;
  void paintKernelLegend(QPainter& p, const QRect& area) const;
  void paintAxis(QPainter& p, const QRect& area, const Layout& l) const;
  void paintBars(QPainter& p, const Layout& l) const;
  void paintTierLabels(QPainter& p, const Layout& l) const;
  const GridCell* cellAt(const QPoint& pos, std::size_t* kernel) const;
  int widthFor(int least, int bar) const;

  HeatGrid grid_;
  QString title_, subtitle_;
};

}  // namespace attnsweep::gui
