#pragma once
// Scaling curves: one QtCharts chart per group of tiers that differ only in length, one line per
// kernel (its own colour and marker) against the length that varies, on log axes, a p10-p90 band
// behind each line, and failed cells as grey markers of the kernel's shape on the floor of the
// chart, one row per kernel so none hides another (their status on hover), never as values.
// A baseline run's series (overlay_scaling) are thin dashed lines in the kernel's colour over these.
// Every group gets its chart: the view grows in height (it lives in a scroll area).
#include <QWidget>

#include "core/views.h"

class QGridLayout;
class QLabel;

namespace attnsweep::gui {

class ScalingView : public QWidget {
  Q_OBJECT
 public:
  explicit ScalingView(QWidget* parent = nullptr);
  void setGroups(std::vector<ScalingGroup> groups, ScalingMetric metric, QString title, QString subtitle);
  int chartCount() const { return static_cast<int>(charts_.size()); }
  // The size every chart needs at `width`, for the exported picture.
  QSize pictureSize(int width) const;

 private:
  QWidget* makeChart(const ScalingGroup& g, ScalingMetric metric);
  int columns() const;
  int rows() const;

  QLabel* title_;
  QLabel* subtitle_;
  QWidget* legend_;
  QLabel* devices_;  // the line style of each model, when the results mix models
  QLabel* note_;
  QWidget* grid_host_;
  QGridLayout* grid_;
  std::vector<QWidget*> charts_;
  std::vector<ScalingGroup> groups_;
};

// Axis limits with some air, for log axes (factor) or linear ones from zero.
std::pair<double, double> padded_log_range(double lo, double hi);

}  // namespace attnsweep::gui
