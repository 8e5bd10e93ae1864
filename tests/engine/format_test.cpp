// The one number formatter of tables, reports and pictures (format.cpp).
#include "attnsweep/engine/format.h"

#include <gtest/gtest.h>

#include <limits>

namespace attnsweep {
namespace {

TEST(Format, FourSignificantDigitsTrailingZerosDropped) {
  EXPECT_EQ(format_number(0.72934), "0.7293");
  EXPECT_EQ(format_number(116.6522), "116.7");
  EXPECT_EQ(format_number(2598.4), "2598");
  EXPECT_EQ(format_number(1234.6), "1235");
  EXPECT_EQ(format_number(123456.0), "123456");
  EXPECT_EQ(format_number(0.012346), "0.01235");
  EXPECT_EQ(format_number(1.5), "1.5");
  EXPECT_EQ(format_number(0.0056), "0.0056");  // a source's digits, not more
  EXPECT_EQ(format_number(9999.6), "10000");   // rounded before the digits are counted
  EXPECT_EQ(format_number(-0.25), "-0.25");
  EXPECT_EQ(format_number(0), "0");
  EXPECT_EQ(format_number(1.2345e-12), "1.235e-12");
  EXPECT_EQ(format_number(2.0, 3), "2");
  EXPECT_EQ(format_number(std::numeric_limits<double>::quiet_NaN()), "n/a");
  EXPECT_EQ(format_number(std::numeric_limits<double>::infinity()), "n/a");
}

TEST(Format, ErrorsInTwoDigits) {
  EXPECT_EQ(format_sci(3.1e-7), "3.1e-07");
  EXPECT_EQ(format_sci(3.3e-4), "0.00033");
  EXPECT_EQ(format_sci(std::numeric_limits<double>::quiet_NaN()), "n/a");
}

TEST(Format, StatusesAndMasks) {
  EXPECT_EQ(status_label(CellStatus::oom), "OOM");
  EXPECT_EQ(status_label(CellStatus::timeout), "timeout");
  EXPECT_EQ(status_label(CellStatus::ok), "ok");
  EXPECT_EQ(causal_label(true), "causal");
  EXPECT_EQ(causal_label(false), "full");
}

}  // namespace
}  // namespace attnsweep
