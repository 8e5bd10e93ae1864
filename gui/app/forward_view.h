#pragma once
// The seed's first picture, done properly: forward time per tier, one bar per kernel, on a log
// axis (times span three decades). Tiers are grouped by (head_dim, heads, batch); a failed cell
// leaves its slot empty with its status written at the foot, never a bar of height 0.
#include <QColor>
#include <QWidget>

#include "core/views.h"

namespace attnsweep::gui {

class ForwardView : public QWidget {
  Q_OBJECT
 public:
  explicit ForwardView(QWidget* parent = nullptr);
  // `grid` must be a median_ms grid; kernel colours follow `all_kernels` order.
  void setGrid(HeatGrid grid, std::vector<std::string> all_kernels, QString title, QString subtitle);
  void paint(QPainter& p, const QRect& area) const;
  QSize sizeHint() const override { return {1200, 560}; }
  QSize minimumSizeHint() const override { return {360, 240}; }

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
  QColor kernelColor(const std::string& kernel) const;
  const GridCell* cellAt(const QPoint& pos, std::size_t* kernel) const;

  HeatGrid grid_;
  std::vector<std::string> all_kernels_;
  QString title_, subtitle_;
};

}  // namespace attnsweep::gui
