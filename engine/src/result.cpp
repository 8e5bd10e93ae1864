#include "attnsweep/engine/result.h"

#include <array>
#include <cmath>
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

}  // namespace attnsweep
