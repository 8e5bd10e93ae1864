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

TEST(TableRows, FilterNeedsEveryWord) {
  const CellResult r = make_result("flash_mma", 2048, 64, 1.0, CellStatus::oom, DType::bf16, true);
  EXPECT_TRUE(row_matches(r, ""));
  EXPECT_TRUE(row_matches(r, "FLASH"));
  EXPECT_TRUE(row_matches(r, "flash bf16 oom causal"));
  EXPECT_FALSE(row_matches(r, "flash fp16"));
  EXPECT_FALSE(row_matches(r, "naive"));
}

}  // namespace
}  // namespace attnsweep::gui
