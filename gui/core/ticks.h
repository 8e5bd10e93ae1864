#pragma once
// Tick values for log axes (1-2-5 steps per decade when the range is narrow, decades when wide) and
// for linear ones (1-2-5 steps).
#include <vector>

namespace attnsweep::gui {

struct LogRange {
  double lo = 1, hi = 10;
};
// The decades (or 1-2-5 steps) that enclose [lo, hi]; lo, hi > 0.
LogRange nice_log_range(double lo, double hi);
std::vector<double> log_ticks(double lo, double hi);

// The 1-2-5 step that cuts `span` into about `parts` parts (span > 0).
double nice_step(double span, int parts = 5);
// The multiples of nice_step(hi - lo) within [lo, hi].
std::vector<double> linear_ticks(double lo, double hi);

}  // namespace attnsweep::gui
