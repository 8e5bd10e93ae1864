#pragma once
// Watches the clocks while a cell is sampled: gathers NVML readings into the record's
// ClockSummary and says which samples were taken while the card was slowed down: NVML named a
// slowdown reason, or the SM clock was under a set fraction of the card's highest (nvbench's
// rule). Flagged samples are kept in the statistics; the record says how many and why.
#include <optional>
#include <string>
#include <vector>

#include "attnsweep/engine/result.h"
#include "attnsweep/kernels/device.h"

namespace attnsweep {

// nvbench's default threshold: a sample taken under 75% of the card's highest SM clock is slowed.
inline constexpr double kLowClockFraction = 0.75;

// Why a reading marks its sample: NVML's slowdown reasons by name ("sw_power_cap",
// "hw_slowdown", "sw_thermal_slowdown", "hw_thermal_slowdown", "hw_power_brake") and "low_clock";
// empty for a clean reading. Idle, application-clock and sync-boost bits are not slowdowns.
std::vector<std::string> slowdown_flags(const ClockReading& r);

class ClockWatch {
 public:
  // `unavailable`: why the device's clocks cannot be read, or empty when they can.
  explicit ClockWatch(std::string unavailable);
  // Takes one sample's reading (nullopt when none came) and returns that sample's flags.
  std::vector<std::string> add(const std::optional<ClockReading>& reading);
  const ClockSummary& summary() const { return summary_; }

 private:
  ClockSummary summary_;
};

// Adds `flags` to `into`, keeping each name once, in first-seen order.
void merge_flags(std::vector<std::string>& into, const std::vector<std::string>& flags);

}  // namespace attnsweep
