#include "attnsweep/engine/clock_watch.h"

#include <algorithm>
#include <cstdint>
#include <utility>

namespace attnsweep {

namespace {

// NVML's clock event reasons that slow the SM clock down (nvml.h, nvmlClocksEventReason*).
constexpr std::pair<std::uint64_t, const char*> kSlowdowns[] = {
    {0x4, "sw_power_cap"},         {0x8, "hw_slowdown"},     {0x20, "sw_thermal_slowdown"},
    {0x40, "hw_thermal_slowdown"}, {0x80, "hw_power_brake"},
};

}  // namespace

std::vector<std::string> slowdown_flags(const ClockReading& r) {
  std::vector<std::string> flags;
  for (const auto& [bit, name] : kSlowdowns)
    if (r.throttle_reasons & bit) flags.emplace_back(name);
  if (r.sm_max_mhz > 0 && r.sm_mhz < kLowClockFraction * r.sm_max_mhz) flags.emplace_back("low_clock");
  return flags;
}

void merge_flags(std::vector<std::string>& into, const std::vector<std::string>& flags) {
  for (const std::string& f : flags)
    if (std::find(into.begin(), into.end(), f) == into.end()) into.push_back(f);
}

ClockWatch::ClockWatch(std::string unavailable) {
  summary_.read = unavailable.empty();
  summary_.why_not = std::move(unavailable);
}

std::vector<std::string> ClockWatch::add(const std::optional<ClockReading>& reading) {
  if (!reading) return {};
  ClockSummary& s = summary_;
  const ClockReading& r = *reading;
  s.sm_mhz_min = s.readings == 0 ? r.sm_mhz : std::min(s.sm_mhz_min, r.sm_mhz);
  s.sm_mhz_max = s.readings == 0 ? r.sm_mhz : std::max(s.sm_mhz_max, r.sm_mhz);
  s.sm_max_mhz = r.sm_max_mhz;
  if (r.power_w) s.power_w_max = std::max(s.power_w_max.value_or(*r.power_w), *r.power_w);
  if (r.temperature_c) s.temperature_c_max = std::max(s.temperature_c_max.value_or(*r.temperature_c), *r.temperature_c);
  ++s.readings;
  s.read = true;
  s.why_not.clear();
  std::vector<std::string> flags = slowdown_flags(r);
  std::vector<std::string> reasons = flags;
  std::erase(reasons, "low_clock");
  merge_flags(s.reasons, reasons);
  return flags;
}

}  // namespace attnsweep
