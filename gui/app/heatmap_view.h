#pragma once
// Kernels x tiers as coloured cells (one QPainter widget with named layout constants, in the
// spirit of orbit's HistogramWidget). Tiers are grouped by (head_dim, heads, batch) under one
// band; columns are labelled by sequence length. Failed cells are hatched grey with their status,
// never coloured as a value. The same paint() renders the window, the PNG and the SVG.
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
  // The size a picture of this grid needs at `width`: rows of a comfortable height, no blank band.
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

  HeatGrid grid_;
  QString title_, subtitle_;
};

// "512", "2k", "16k"; "1k/4k" when K_N differs from Q_N.
QString seq_label(const TierShape& s);

}  // namespace attnsweep::gui
