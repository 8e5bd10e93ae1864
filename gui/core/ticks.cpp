#include "core/ticks.h"

#include <algorithm>
#include <cmath>

namespace attnsweep::gui {

namespace {
constexpr double kSteps[] = {1, 2, 5};
}

LogRange nice_log_range(double lo, double hi) {
  if (!(lo > 0) || !(hi > 0)) return {};
  if (hi < lo) std::swap(lo, hi);
  if (hi == lo) { lo /= 2; hi *= 2; }
  LogRange r;
  // Round lo down and hi up to the 1-2-5 grid.
  const double dlo = std::pow(10, std::floor(std::log10(lo)));
  r.lo = dlo;
  for (double s : kSteps)
    if (s * dlo <= lo * (1 + 1e-9)) r.lo = s * dlo;
  const double dhi = std::pow(10, std::floor(std::log10(hi)));
  r.hi = 10 * dhi;
  for (double s : {5.0, 2.0, 1.0})
    if (s * dhi >= hi * (1 - 1e-9)) r.hi = s * dhi;
  return r;
}

std::vector<double> log_ticks(double lo, double hi) {
  std::vector<double> out;
  if (!(lo > 0) || !(hi > lo)) return out;
  const bool wide = hi / lo > 2000;  // more than ~3 decades: decades only
  const int first = static_cast<int>(std::floor(std::log10(lo)));
  const int last = static_cast<int>(std::ceil(std::log10(hi)));
  for (int e = first; e <= last; ++e) {
    const double d = std::pow(10, e);
    for (double s : kSteps) {
      if (wide && s != 1) continue;
      const double v = s * d;
      if (v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9)) out.push_back(v);
    }
  }
  return out;
}

double nice_step(double span, int parts) {
  const double rough = span / std::max(1, parts);
  const double decade = std::pow(10, std::floor(std::log10(rough)));
  const double m = rough / decade;
  return (m < 1.5 ? 1 : m < 3.5 ? 2 : m < 7.5 ? 5 : 10) * decade;
}

std::vector<double> linear_ticks(double lo, double hi) {
  std::vector<double> out;
  if (!(hi > lo)) return out;
  const double step = nice_step(hi - lo);
  for (double k = std::ceil(lo / step - 1e-9); k * step <= hi + step * 1e-9; ++k) out.push_back(k * step);
  return out;
}

}  // namespace attnsweep::gui
