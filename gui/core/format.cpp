#include "core/format.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace attnsweep::gui {

std::string format_number(double v, int significant) {
  if (!std::isfinite(v)) return std::isnan(v) ? "NaN" : (v > 0 ? "inf" : "-inf");
  if (v == 0) return "0";
  const double mag = std::floor(std::log10(std::fabs(v)));
  const int decimals = std::max(0, significant - 1 - static_cast<int>(mag));
  if (decimals > 8) return format_sci(v);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

std::string format_tick(double v) {
  std::string s = format_number(v, 3);
  if (s.find('.') != std::string::npos && s.find('e') == std::string::npos) {
    while (!s.empty() && s.back() == '0') s.pop_back();
    if (!s.empty() && s.back() == '.') s.pop_back();
  }
  return s;
}

std::string format_ms(double ms) { return format_number(ms, 4); }

std::string format_sci(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.2g", v);
  return buf;
}

std::string timing_marks(const Timing& t) {
  return std::string(t.noisy ? "~" : "") + (t.flagged_samples > 0 ? "!" : "");
}

std::string status_label(CellStatus s) {
  if (s == CellStatus::oom) return "OOM";
  return std::string(status_name(s));
}

std::string causal_label(bool causal) { return causal ? "causal" : "full"; }

std::string format_bytes(double bytes) {
  static const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int u = 0;
  while (bytes >= 1024 && u < 4) { bytes /= 1024; ++u; }
  return format_number(bytes, 3) + " " + units[u];
}

std::string format_duration(double seconds) {
  char buf[64];
  if (!std::isfinite(seconds) || seconds < 0) return "?";
  const long s = std::lround(seconds);
  if (s < 60) std::snprintf(buf, sizeof buf, "%ld s", s);
  else if (s < 3600) std::snprintf(buf, sizeof buf, "%ld min %02ld s", s / 60, s % 60);
  else std::snprintf(buf, sizeof buf, "%ld h %02ld min", s / 3600, (s % 3600) / 60);
  return buf;
}

}  // namespace attnsweep::gui
