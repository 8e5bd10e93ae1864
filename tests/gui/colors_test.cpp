#include "core/colors.h"

#include <gtest/gtest.h>

#include <cmath>

#include "core/format.h"
#include "core/ticks.h"

namespace attnsweep::gui {
namespace {

TEST(Colors, ViridisEndsAndGetsBrighter) {
  EXPECT_EQ(viridis(0), (Rgb{68, 1, 84}));
  EXPECT_EQ(viridis(1), (Rgb{253, 231, 37}));
  EXPECT_EQ(viridis(-3), viridis(0));
  EXPECT_EQ(viridis(7), viridis(1));
  EXPECT_FALSE(prefers_dark_text(viridis(0.05)));
  EXPECT_TRUE(prefers_dark_text(viridis(0.95)));
}

// A ratio of 1.0 sits in the middle of a diverging scale: the neutral colour, between red and blue.
TEST(Colors, DivergingIsNeutralInTheMiddle) {
  EXPECT_EQ(diverging(0.5), kNeutral);
  EXPECT_EQ(diverging(0), (Rgb{178, 24, 43}));
  EXPECT_EQ(diverging(1), (Rgb{33, 102, 172}));
  EXPECT_EQ(diverging(-1), diverging(0));
  EXPECT_EQ(diverging(std::nan("")), kNeutral);
  EXPECT_GT(diverging(0.1).r, diverging(0.1).b);
  EXPECT_GT(diverging(0.9).b, diverging(0.9).r);
  EXPECT_TRUE(prefers_dark_text(kNeutral));
}

TEST(Colors, StatusesAreNotOnTheValueScale) {
  for (CellStatus s : {CellStatus::oom, CellStatus::wrong, CellStatus::error, CellStatus::crashed})
    for (double t = 0; t <= 1.0; t += 0.05) EXPECT_NE(status_color(s), viridis(t));
  EXPECT_NE(kernel_color(0), kernel_color(1));
  EXPECT_EQ(kernel_color(0), kernel_color(10));
}

TEST(Ticks, OneTwoFivePerDecadeOrDecadesWhenWide) {
  EXPECT_EQ(log_ticks(0.5, 30), (std::vector<double>{0.5, 1, 2, 5, 10, 20}));
  EXPECT_EQ(log_ticks(0.001, 1000), (std::vector<double>{0.001, 0.01, 0.1, 1, 10, 100, 1000}));
  const LogRange r = nice_log_range(0.6023, 134.29);
  EXPECT_DOUBLE_EQ(r.lo, 0.5);
  EXPECT_DOUBLE_EQ(r.hi, 200);
}

// Numbers of results and statuses are the engine's (tests/engine/format_test.cpp).
TEST(Format, DurationsSizesTicks) {
  EXPECT_EQ(format_duration(65), "1 min 05 s");
  EXPECT_EQ(format_bytes(1536), "1.5 KiB");
  EXPECT_EQ(format_tick(10.0), "10");
  EXPECT_EQ(format_tick(0.5), "0.5");
  EXPECT_EQ(format_tick(200.0), "200");
}

}  // namespace
}  // namespace attnsweep::gui
