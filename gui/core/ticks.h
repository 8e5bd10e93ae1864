#pragma once
// Tick values for log axes: 1-2-5 steps per decade when the range is narrow, decades when wide.
#include <vector>

namespace attnsweep::gui {

struct LogRange {
  double lo = 1, hi = 10;
};
// The decades (or 1-2-5 steps) that enclose [lo, hi]; lo, hi > 0.
LogRange nice_log_range(double lo, double hi);
std::vector<double> log_ticks(double lo, double hi);

}  // namespace attnsweep::gui
