#include "core/table_rows.h"

#include <gtest/gtest.h>

#include "fixtures.h"

namespace attnsweep::gui {
namespace {

using testing::make_result;

TEST(TableRows, FailedCellShowsItsStatusNeverZero) {
  const CellResult oom = make_result("naive", 16384, 64, 0, CellStatus::oom);
  EXPECT_EQ(cell_text(oom, Column::median_ms), "OOM");
  for (Column c : {Column::mean_ms, Column::std_ms, Column::min_ms, Column::p10_ms, Column::p90_ms, Column::tflops})
    EXPECT_EQ(cell_text(oom, c), "") << column_info(c).title;
  EXPECT_FALSE(cell_number(oom, Column::median_ms).has_value());
  EXPECT_EQ(cell_text(oom, Column::q_n), "16384");
  EXPECT_EQ(cell_text(make_result("k", 512, 64, 1, CellStatus::wrong), Column::median_ms), "wrong");
}

TEST(TableRows, FormatsTimesWithFourSignificantDigits) {
  EXPECT_EQ(cell_text(make_result("k", 512, 64, 116.6522), Column::median_ms), "116.7");
  EXPECT_EQ(cell_text(make_result("k", 512, 64, 0.60234), Column::median_ms), "0.6023");
  EXPECT_EQ(cell_text(make_result("k", 512, 64, 0.60234), Column::samples), "20");
}

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

// A row shows the cell's cold time where it has one and names the mode; a noisy time and slowed
// samples mark the status.
TEST(TableRows, ShowsColdFirstNamesTheModeAndMarksTheStatus) {
  CellResult r = make_result("k", 512, 64, 2.0);
  Timing batch = r.timings.front();
  batch.mode = TimingMode::batch;
  batch.time_ms.median = 1.0;
  r.timings.push_back(batch);
  EXPECT_EQ(cell_text(r, Column::mode), "cold");
  EXPECT_EQ(cell_text(r, Column::median_ms), "2.000");
  EXPECT_EQ(cell_text(r, Column::status), "ok");
  r.timings.front().noisy = true;
  r.timings.front().flagged_samples = 3;
  EXPECT_EQ(cell_text(r, Column::status), "ok ~!");

  CellResult only_batch = make_result("k", 512, 64, 1.0);
  only_batch.timings.front().mode = TimingMode::batch;
  EXPECT_EQ(cell_text(only_batch, Column::mode), "batch");
  EXPECT_EQ(cell_text(make_result("k", 512, 64, 0, CellStatus::oom), Column::mode), "");
}

TEST(TableRows, MarkdownHasHeaderSeparatorAndEscapedRows) {
  std::vector<CellResult> rs = {make_result("a", 512, 64, 1.5), make_result("b|c", 1024, 64, 0, CellStatus::oom)};
  const std::string md = rows_markdown(rs, {0, 1}, {Column::kernel, Column::median_ms});
  EXPECT_EQ(md, "| Kernel | median ms |\n|---|---:|\n| a | 1.500 |\n| b\\|c | OOM |\n");
}

}  // namespace
}  // namespace attnsweep::gui
