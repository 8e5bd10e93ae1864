#include "core/table_rows.h"

#include <gtest/gtest.h>

#include "fixtures.h"

namespace attnsweep::gui {
namespace {

using testing::make_result;

// What each column shows is the engine's (tests/engine/columns_test.cpp); here: order and filter.
TEST(TableRows, SortKeepsFailedCellsLastInBothDirections) {
  std::vector<CellResult> rs = {make_result("a", 512, 64, 3.0), make_result("b", 512, 64, 0, CellStatus::oom),
                                make_result("c", 512, 64, 1.0), make_result("d", 512, 64, 0, CellStatus::error),
                                make_result("e", 512, 64, 2.0)};
  const std::vector<std::size_t> all = {0, 1, 2, 3, 4};
  EXPECT_EQ(sorted_rows(rs, all, Column::median_ms, true), (std::vector<std::size_t>{2, 4, 0, 1, 3}));
  EXPECT_EQ(sorted_rows(rs, all, Column::median_ms, false), (std::vector<std::size_t>{0, 4, 2, 1, 3}));
  EXPECT_EQ(sorted_rows(rs, all, Column::kernel, false), (std::vector<std::size_t>{4, 3, 2, 1, 0}));
}

TEST(TableRows, TiersSortInReadingOrderNotByLetters) {
  std::vector<CellResult> rs = {make_result("a", 16384, 64, 1.0), make_result("a", 2048, 64, 1.0),
                                make_result("a", 512, 128, 1.0), make_result("a", 512, 64, 1.0)};
  const std::vector<std::size_t> all = {0, 1, 2, 3};
  EXPECT_EQ(sorted_rows(rs, all, Column::tier, true), (std::vector<std::size_t>{3, 1, 0, 2}));
  EXPECT_EQ(sorted_rows(rs, all, Column::tier, false), (std::vector<std::size_t>{2, 0, 1, 3}));
}

TEST(TableRows, FilterNeedsEveryWord) {
  const CellResult r = make_result("flash_mma", 2048, 64, 1.0, CellStatus::oom, DType::bf16, true);
  auto matches = [&](const char* text) { return parse_row_filter(text).matches(r); };
  EXPECT_TRUE(matches(""));
  EXPECT_TRUE(matches("FLASH"));
  EXPECT_TRUE(matches("flash bf16 oom causal"));
  EXPECT_FALSE(matches("flash fp16"));
  EXPECT_FALSE(matches("naive"));
}

TEST(TableRows, FilterTakesConditionsOnNumbers) {
  const CellResult fast = make_result("flash_mma", 4096, 64, 0.5);
  const CellResult slow = make_result("naive", 4096, 64, 20.0);
  const CellResult oom = make_result("naive", 16384, 64, 0, CellStatus::oom);
  auto kept = [&](const std::string& text) {
    const RowFilter f = parse_row_filter(text);
    EXPECT_EQ(f.error, "") << text;
    std::string out;
    for (const CellResult* r : {&fast, &slow, &oom}) out += f.matches(*r) ? "1" : "0";
    return out;
  };
  EXPECT_EQ(kept("median_ms<1"), "100");
  EXPECT_EQ(kept("median_ms >= 1"), "010");
  EXPECT_EQ(kept("tflops>" + std::to_string(fast.timings.front().tflops / 2)), "100");
  EXPECT_EQ(kept("TFLOP/s>0"), "110") << "a failed cell has no number: it fails every condition";
  EXPECT_EQ(kept("q_n=4k naive"), "010");
  EXPECT_EQ(kept("Q_N!=4096"), "001");
  EXPECT_EQ(kept("avg_ms<100 median_ms>1"), "010");

  EXPECT_NE(parse_row_filter("tflop>5").error.find("no numeric column 'tflop' (numeric columns: median_ms, tflops"),
            std::string::npos)
      << parse_row_filter("tflop>5").error;
  EXPECT_NE(parse_row_filter("kernel>5").error.find("no numeric column 'kernel'"), std::string::npos);
  EXPECT_NE(parse_row_filter("tflops>>5").error.find("'>>' is not a comparison"), std::string::npos);
  EXPECT_NE(parse_row_filter("tflops>fast").error.find("'fast' is not a number"), std::string::npos);
}

}  // namespace
}  // namespace attnsweep::gui
