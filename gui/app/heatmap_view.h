#pragma once
// Kernels x tiers as coloured cells (one QPainter widget with named layout constants, in the
// spirit of orbit's HistogramWidget). Tiers are grouped (core/views' TierGroup) under one band;
// columns are labelled by the length that varies. Failed cells are hatched grey with their status,
// never coloured as a value. The same paint() renders the window, the PNG and the SVG. Its
// minimum size holds every column and row readable: in the window it lives in a scroll area.
#include <QWidget>

#include "core/views.h"

namespace attnsweep::gui {

class HeatmapView : public QWidget {
  Q_OBJECT
 public:
  explicit HeatmapView(QWidget* parent = nullptr);
  void setGrid(HeatGrid grid, QString title, QString subtitle);
  const HeatGrid& grid() const { return grid_; }

  // Paints the whole picture into `area` (window, PNG or SVG).
  void paint(QPainter& p, const QRect& area) const;
  // The size a picture of this grid needs at `width` (or wider, to hold every column): rows of a
  // comfortable height, no blank band.
  QSize pictureSize(int width) const;
  QSize sizeHint() const override;
  QSize minimumSizeHint() const override;
  // The cell under a point of a picture painted into `area`: (kernel, tier), or (-1, -1).
  std::pair<int, int> cellAt(const QPoint& pos, const QRect& area) const;

 signals:
  void cellClicked(const attnsweep::CellResult* result);

 protected:
  void paintEvent(QPaintEvent*) override;
  void mouseMoveEvent(QMouseEvent*) override;
  void mousePressEvent(QMouseEvent*) override;

 private:
  struct Layout;
  Layout layout(const QRect& area) const;
  void paintTierLabels(QPainter& p, const Layout& l) const;
  void paintKernelLabels(QPainter& p, const QRect& area, const Layout& l) const;
  void paintCells(QPainter& p, const Layout& l) const;
  void paintLegend(QPainter& p, const Layout& l) const;
  int minColumnWidth() const;
  int labelWidth() const;

  HeatGrid grid_;
  QString title_, subtitle_;
};

}  // namespace attnsweep::gui
