#include "core/format.h"

#include <cmath>
#include <cstdio>

namespace attnsweep::gui {

std::string format_tick(double v) { return format_number(v, 3); }

std::string format_duration(double seconds) {
  char buf[64];
  if (!std::isfinite(seconds) || seconds < 0) return "?";
  const long s = std::lround(seconds);
  if (s < 60) std::snprintf(buf, sizeof buf, "%ld s", s);
  else if (s < 3600) std::snprintf(buf, sizeof buf, "%ld min %02ld s", s / 60, s % 60);
  else std::snprintf(buf, sizeof buf, "%ld h %02ld min", s / 3600, (s % 3600) / 60);
  return buf;
}

std::string timing_marks(const Timing& t) {
  return std::string(t.noisy ? "~" : "") + (t.flagged_samples > 0 ? "!" : "");
}

}  // namespace attnsweep::gui
