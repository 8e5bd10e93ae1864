#pragma once
// Scaling curves: one QtCharts chart per (head_dim, heads, batch) group, one line per kernel
// against sequence length on log axes, a p10-p90 band behind each line, and failed cells as
// grey markers on the floor of the chart (their status on hover), never as values.
#include <QWidget>

#include "core/views.h"

class QGridLayout;
class QLabel;

namespace attnsweep::gui {

class ScalingView : public QWidget {
  Q_OBJECT
 public:
  explicit ScalingView(QWidget* parent = nullptr);
  void setGroups(std::vector<ScalingGroup> groups, const std::vector<std::string>& kernels, ScalingMetric metric,
                 QString title, QString subtitle);
  int chartCount() const { return static_cast<int>(charts_.size()); }

 private:
  QWidget* makeChart(const ScalingGroup& g, ScalingMetric metric);

  QLabel* title_;
  QLabel* legend_;
  QWidget* grid_host_;
  QGridLayout* grid_;
  std::vector<QWidget*> charts_;
  std::vector<ScalingGroup> groups_;
};

// Axis limits with some air, for log axes (factor) or linear ones from zero.
std::pair<double, double> padded_log_range(double lo, double hi);

}  // namespace attnsweep::gui
