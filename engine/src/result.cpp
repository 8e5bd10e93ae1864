#include "attnsweep/engine/result.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <utility>

namespace attnsweep {

namespace {

constexpr std::array<std::pair<CellStatus, std::string_view>, 8> kStatusNames{{
    {CellStatus::ok, "ok"},
    {CellStatus::oom, "oom"},
    {CellStatus::unsupported, "unsupported"},
    {CellStatus::skipped, "skipped"},
    {CellStatus::wrong, "wrong"},
    {CellStatus::error, "error"},
    {CellStatus::crashed, "crashed"},
    {CellStatus::timeout, "timeout"},
}};

}  // namespace

std::string_view status_name(CellStatus s) {
  for (const auto& [status, name] : kStatusNames)
    if (status == s) return name;
  return "?";
}

std::optional<CellStatus> parse_status(std::string_view s) {
  for (const auto& [status, name] : kStatusNames)
    if (name == s) return status;
  return std::nullopt;
}

double representative_ms(const SampleStats& t) { return std::isfinite(t.median) ? t.median : t.mean; }

std::string WallSplit::describe(double wall_s) const {
  char buf[320];
  std::snprintf(buf, sizeof buf,
                "%.1f s in cells: inputs %.1f s, checks (reference included) %.1f s, warm-up %.1f s, settling %.1f s, "
                "timing %.1f s, the rest %.1f s",
                wall_s, inputs, check, warmup, settle, timing, wall_s - total());
  return buf;
}

const Timing* CellResult::timing(TimingMode mode) const {
  for (const Timing& t : timings)
    if (t.mode == mode) return &t;
  return nullptr;
}

bool CellResult::noisy() const {
  return std::any_of(timings.begin(), timings.end(), [](const Timing& t) { return t.noisy; });
}

TimingMode default_view_mode(const std::vector<CellResult>& results) {
  for (TimingMode mode : {TimingMode::cold, TimingMode::batch, TimingMode::unstated})
    for (const CellResult& r : results)
      if (r.timing(mode)) return mode;
  return TimingMode::cold;  // no times at all: what a sweep shows first
}

}  // namespace attnsweep
