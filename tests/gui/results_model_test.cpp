#include "app/results_model.h"

#include <gtest/gtest.h>

#include <QAbstractItemModelTester>

#include "fixtures.h"

namespace attnsweep::gui {
namespace {

using testing::make_result;

ResultSet set_of(std::vector<CellResult> rs) {
  ResultSet s;
  s.name = "test";
  s.results = std::move(rs);
  return s;
}

QString text(const ResultsModel& m, int row, Column c) { return m.index(row, static_cast<int>(c)).data().toString(); }

TEST(ResultsModel, PassesTheModelTesterThroughResetAppendSortFilter) {
  ResultsDocument doc;
  ResultsModel model(&doc);
  QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Warning);
  doc.replace(set_of(testing::seed_like_results()));
  EXPECT_EQ(model.rowCount(), 24);
  EXPECT_EQ(model.columnCount(), kColumnCount);
  model.sort(static_cast<int>(Column::median_ms), Qt::DescendingOrder);
  doc.append({make_result("late", 512, 64, 100.0), make_result("late", 1024, 64, 0, CellStatus::timeout)});
  EXPECT_EQ(model.rowCount(), 26);
  EXPECT_EQ(text(model, 0, Column::kernel), "late");         // slowest first, live row sorted in
  EXPECT_EQ(text(model, 25, Column::median_ms), "timeout");  // failed rows last
  model.setFilter("oom");
  EXPECT_EQ(model.rowCount(), 2);
  model.setFilter("");
  EXPECT_EQ(model.rowCount(), 26);
}

TEST(ResultsModel, FailedCellsReadAsTheirStatus) {
  ResultsDocument doc;
  ResultsModel model(&doc);
  doc.replace(set_of({make_result("naive", 16384, 64, 0, CellStatus::oom), make_result("flash", 16384, 64, 12.5)}));
  EXPECT_EQ(text(model, 0, Column::median_ms), "OOM");
  EXPECT_EQ(text(model, 0, Column::mean_ms), "");
  EXPECT_TRUE(model.index(0, static_cast<int>(Column::status)).data(Qt::ToolTipRole).toString().contains("GiB"));
  EXPECT_EQ(text(model, 1, Column::median_ms), "12.50");
  EXPECT_EQ(model.index(1, 0).data(ResultsModel::kResultIndexRole).toULongLong(), 1u);
  EXPECT_EQ(model.headerData(static_cast<int>(Column::tflops), Qt::Horizontal).toString(), "TFLOP/s");
}

TEST(ResultsModel, SortKeepsSelectionOnTheSameCell) {
  ResultsDocument doc;
  ResultsModel model(&doc);
  doc.replace(set_of({make_result("a", 512, 64, 3.0), make_result("b", 512, 64, 1.0), make_result("c", 512, 64, 2.0)}));
  QPersistentModelIndex a = model.index(0, 0);
  model.sort(static_cast<int>(Column::median_ms), Qt::AscendingOrder);
  EXPECT_EQ(a.row(), 2);
  EXPECT_EQ(a.data().toString(), "a");
  EXPECT_EQ(model.rowOfResult(1), 0);
}

TEST(ResultsModel, MarkdownOfChosenRows) {
  ResultsDocument doc;
  ResultsModel model(&doc);
  doc.replace(set_of({make_result("a", 512, 64, 3.0), make_result("b", 512, 64, 0, CellStatus::oom)}));
  const QString md = model.markdown({1});
  EXPECT_TRUE(md.startsWith("| Kernel | Tier |"));
  EXPECT_TRUE(md.contains("| b |"));
  EXPECT_TRUE(md.contains("| OOM |"));
  EXPECT_FALSE(md.contains("| a |"));
}

}  // namespace
}  // namespace attnsweep::gui
