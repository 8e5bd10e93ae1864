#include "attnsweep/engine/format.h"

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <cmath>

namespace attnsweep {

namespace {

// Past this many decimals plain notation reads worse than scientific ("0.000000001234").
constexpr int kMaxDecimals = 9;

std::string to_text(double v, std::chars_format format, int precision) {
  char buf[64];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v, format, precision);
  return ec == std::errc() ? std::string(buf, end) : std::string("n/a");
}

}  // namespace

std::string format_number(double v, int significant) {
  if (!std::isfinite(v)) return "n/a";
  if (v == 0) return "0";
  significant = std::max(1, significant);
  // Rounded to the significant digits first, so 9999.6 counts as 1.000e+04.
  const std::string scientific = to_text(v, std::chars_format::scientific, significant - 1);
  const int exponent = std::atoi(scientific.c_str() + scientific.find('e') + 1);
  const int decimals = std::max(0, significant - 1 - exponent);
  if (decimals > kMaxDecimals) return scientific;
  std::string s = to_text(v, std::chars_format::fixed, decimals);
  if (s.find('.') != std::string::npos) {
    s.erase(s.find_last_not_of('0') + 1);
    if (s.back() == '.') s.pop_back();
  }
  return s;
}

std::string format_sci(double v) {
  if (!std::isfinite(v)) return "n/a";
  return to_text(v, std::chars_format::general, 2);
}

std::string status_label(CellStatus s) {
  if (s == CellStatus::oom) return "OOM";
  return std::string(status_name(s));
}

std::string causal_label(bool causal) { return causal ? "causal" : "full"; }

}  // namespace attnsweep
