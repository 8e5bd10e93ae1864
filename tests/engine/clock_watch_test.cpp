#include "attnsweep/engine/clock_watch.h"

#include <gtest/gtest.h>

namespace attnsweep {
namespace {

ClockReading reading(unsigned sm_mhz, std::uint64_t reasons, std::optional<double> power = std::nullopt) {
  ClockReading r;
  r.sm_mhz = sm_mhz;
  r.sm_max_mhz = 1980;
  r.throttle_reasons = reasons;
  r.power_w = power;
  return r;
}

TEST(ClockWatch, SlowdownsAreNamedAndIdleOrSettingsAreNot) {
  EXPECT_TRUE(slowdown_flags(reading(1755, 0x0)).empty());
  EXPECT_TRUE(slowdown_flags(reading(1755, 0x1 | 0x2 | 0x10 | 0x100)).empty());  // idle, app clocks, sync boost, display
  EXPECT_EQ(slowdown_flags(reading(1755, 0x4 | 0x40)),
            (std::vector<std::string>{"sw_power_cap", "hw_thermal_slowdown"}));
  EXPECT_EQ(slowdown_flags(reading(1484, 0x0)), std::vector<std::string>{"low_clock"});  // under 75% of 1980
  EXPECT_TRUE(slowdown_flags(reading(1485, 0x0)).empty());
  ClockReading unknown_max = reading(300, 0x0);
  unknown_max.sm_max_mhz = 0;  // no highest clock known: no low-clock rule
  EXPECT_TRUE(slowdown_flags(unknown_max).empty());
}

TEST(ClockWatch, SumsReadingsAndKeepsEachReasonOnce) {
  ClockWatch watch("");
  EXPECT_TRUE(watch.add(std::nullopt).empty());
  watch.add(reading(1755, 0x4, 650.0));
  watch.add(reading(1410, 0x4));
  watch.add(reading(1980, 0x0, 700.0));
  const ClockSummary& s = watch.summary();
  EXPECT_TRUE(s.read);
  EXPECT_EQ(s.readings, 3);
  EXPECT_EQ(s.sm_mhz_min, 1410u);
  EXPECT_EQ(s.sm_mhz_max, 1980u);
  EXPECT_EQ(s.sm_max_mhz, 1980u);
  EXPECT_EQ(s.power_w_max, 700.0);
  EXPECT_FALSE(s.temperature_c_max.has_value());
  EXPECT_EQ(s.reasons, std::vector<std::string>{"sw_power_cap"});  // low_clock is a sample's flag, not NVML's
}

TEST(ClockWatch, SaysWhyClocksWereNotRead) {
  const ClockWatch watch("NVML (libnvidia-ml.so.1) not found");
  EXPECT_FALSE(watch.summary().read);
  EXPECT_EQ(watch.summary().why_not, "NVML (libnvidia-ml.so.1) not found");
}

}  // namespace
}  // namespace attnsweep
