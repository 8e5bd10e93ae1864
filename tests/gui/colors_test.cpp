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
}

// A kernel looks the same in every file, whatever else the file holds; no two known kernels alike.
TEST(Colors, KernelStylesAreFixedPerName) {
  const auto known = kernels_with_own_style();
  EXPECT_EQ(known.size(), 15u);
  for (const char* seen : {"naive", "flash_sm90", "cpu_flash", "scaled_dot_prod_attention", "torch.sdpa_math"})
    EXPECT_NE(std::find(known.begin(), known.end(), seen), known.end()) << seen;
  for (std::string_view a : known)
    for (std::string_view b : known)
      if (a != b) {
        EXPECT_NE(kernel_style(a).color, kernel_style(b).color) << a << " " << b;
      }
  EXPECT_EQ(kernel_style("flash_sm90"), kernel_style(std::string("flash_") + "sm90"));
  EXPECT_NE(kernel_style("naive").marker, kernel_style("cublas").marker);
  EXPECT_EQ(kernel_style("my_kernel"), kernel_style("my_kernel"));
  EXPECT_NE(kernel_style("my_kernel"), kernel_style("my_kernel2"));
}

TEST(Ticks, OneTwoFivePerDecadeOrDecadesWhenWide) {
  EXPECT_EQ(log_ticks(0.5, 30), (std::vector<double>{0.5, 1, 2, 5, 10, 20}));
  EXPECT_EQ(log_ticks(0.001, 1000), (std::vector<double>{0.001, 0.01, 0.1, 1, 10, 100, 1000}));
  EXPECT_EQ(linear_ticks(0, 100), (std::vector<double>{0, 20, 40, 60, 80, 100}));
  EXPECT_EQ(linear_ticks(3, 48), (std::vector<double>{10, 20, 30, 40}));
  const std::vector<double> tenths = linear_ticks(0, 0.5);
  ASSERT_EQ(tenths.size(), 6u);
  for (std::size_t i = 0; i < tenths.size(); ++i) EXPECT_NEAR(tenths[i], 0.1 * static_cast<double>(i), 1e-12);
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
