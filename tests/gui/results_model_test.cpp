#include "app/results_model.h"

#include <gtest/gtest.h>

#include <QAbstractItemModelTester>
#include <limits>
#include <map>

#include "attnsweep/engine/report.h"
#include "fixtures.h"
#include "support/markdown_rows.h"

namespace attnsweep::gui {
namespace {

using testing::make_result;

ResultSet set_of(std::vector<CellResult> rs) {
  ResultSet s;
  s.name = "test";
  s.results = std::move(rs);
  return s;
}

QString text(const ResultsModel& m, int row, Column c) { return m.index(row, ResultsModel::sectionOf(c)).data().toString(); }

TEST(ResultsModel, PassesTheModelTesterThroughResetAppendSortFilter) {
  ResultsDocument doc;
  ResultsModel model(&doc);
  QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Warning);
  doc.replace(set_of(testing::seed_like_results()));
  EXPECT_EQ(model.rowCount(), 24);
  EXPECT_EQ(model.columnCount(), static_cast<int>(table_columns().size()));
  model.sort(ResultsModel::sectionOf(Column::median_ms), Qt::DescendingOrder);
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
  EXPECT_EQ(text(model, 0, Column::mean_ms), "OOM");
  EXPECT_TRUE(model.index(0, ResultsModel::sectionOf(Column::status)).data(Qt::ToolTipRole).toString().contains("GiB"));
  EXPECT_EQ(text(model, 1, Column::median_ms), "12.5");
  EXPECT_EQ(model.index(1, 0).data(ResultsModel::kResultIndexRole).toULongLong(), 1u);
  EXPECT_EQ(model.headerData(ResultsModel::sectionOf(Column::tflops), Qt::Horizontal).toString(), "tflops");
  EXPECT_EQ(model.headerData(ResultsModel::sectionOf(Column::mean_ms), Qt::Horizontal).toString(), "avg_ms");
}

TEST(ResultsModel, SortKeepsSelectionOnTheSameCell) {
  ResultsDocument doc;
  ResultsModel model(&doc);
  doc.replace(set_of({make_result("a", 512, 64, 3.0), make_result("b", 512, 64, 1.0), make_result("c", 512, 64, 2.0)}));
  QPersistentModelIndex a = model.index(0, 0);
  model.sort(ResultsModel::sectionOf(Column::median_ms), Qt::AscendingOrder);
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

// The cells of a Markdown table by (row, column title).
std::map<std::pair<int, std::string>, std::string> md_cells(const std::string& md) {
  const auto rows = test_support::markdown_rows(md);
  std::map<std::pair<int, std::string>, std::string> out;
  for (std::size_t r = 1; r < rows.size(); ++r)
    for (std::size_t c = 0; c < rows[0].size() && c < rows[r].size(); ++c)
      out[{static_cast<int>(r - 1), rows[0][c]}] = rows[r][c];
  return out;
}

// The table, its "Copy as Markdown" and the engine's Markdown report print every number alike.
TEST(ResultsModel, PrintsEveryNumberAsTheReportDoes) {
  std::vector<CellResult> results = testing::seed_like_results();
  CellResult summary = make_result("vectorized_torch", 2048, 64, 7.25);  // the seed's kind: no median
  summary.timings.front().time_ms.median = std::numeric_limits<double>::quiet_NaN();
  results.push_back(summary);
  results.push_back(make_result("flash_mma", 8192, 64, 0, CellStatus::wrong));
  ResultsDocument doc;
  ResultsModel model(&doc);
  doc.replace(set_of(results));
  ResultFile file;
  file.results = results;
  const auto report = md_cells(report_markdown(file));
  const auto copy = md_cells(model.markdown({}).toStdString());

  int compared = 0;
  for (int row = 0; row < model.rowCount(); ++row) {
    for (Column c : report_columns()) {
      const int section = ResultsModel::sectionOf(c);
      if (section < 0) continue;  // a column the table does not show
      const std::string title(column_info(c).name);
      const std::string in_report = report.at({row, title});
      EXPECT_EQ(model.index(row, section).data().toString().toStdString(), in_report) << row << " " << title;
      EXPECT_EQ(copy.at({row, title}), in_report) << row << " " << title;
      ++compared;
    }
  }
  EXPECT_GT(compared, 26 * 10);
  EXPECT_EQ(report.at({24, "median_ms"}), "n/a");
  EXPECT_EQ(report.at({25, "avg_ms"}), "wrong");
}

// A baseline run adds the ratio and verdict columns (the engine's comparison); the model stays valid
// through setting, live rows and clearing it.
TEST(ResultsModel, ABaselineAddsRatioAndVerdictColumns) {
  ResultsDocument doc;
  ResultsModel model(&doc);
  QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Warning);
  doc.replace(set_of({make_result("a", 512, 64, 1.0), make_result("b", 512, 64, 0, CellStatus::oom)}));
  const int plain = model.columnCount();
  doc.setBaseline(set_of({make_result("a", 512, 64, 1.0), make_result("b", 512, 64, 2.0)}));
  ASSERT_EQ(model.columnCount(), plain + 2);
  EXPECT_EQ(model.headerData(ResultsModel::ratioSection(), Qt::Horizontal).toString(), "NEW/BASE");
  EXPECT_EQ(model.headerData(ResultsModel::verdictSection(), Qt::Horizontal).toString(), "verdict");
  EXPECT_TRUE(model.index(0, ResultsModel::ratioSection()).data().toString().startsWith("1"));
  EXPECT_EQ(model.index(0, ResultsModel::verdictSection()).data().toString(), "= same");
  EXPECT_EQ(model.index(1, ResultsModel::verdictSection()).data().toString(), "≠ status-changed");
  EXPECT_TRUE(model.index(1, ResultsModel::ratioSection()).data().toString().isEmpty());
  doc.append({make_result("c", 512, 64, 3.0)});
  EXPECT_EQ(model.index(2, ResultsModel::verdictSection()).data().toString(), "+ new");
  doc.clearBaseline();
  EXPECT_EQ(model.columnCount(), plain);
}

}  // namespace
}  // namespace attnsweep::gui
