#include "app/main_window.h"

#include <gtest/gtest.h>

#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include "app/heatmap_view.h"
#include "app/results_model.h"
#include "app/sweep_panel.h"
#include "fixtures.h"

namespace attnsweep::gui {
namespace {

TEST(MainWindow, OpensAFileAndABadOneWithoutLosingIt) {
  QTemporaryDir dir;
  MainWindow w;
  w.resize(1366, 768);
  w.show();
  ASSERT_TRUE(w.openFile(QString::fromStdString(testing::write_result_file(dir, "r.jsonl", testing::seed_like_results()))));
  EXPECT_EQ(w.table()->model()->rowCount(), 24);
  QFile bad(dir.filePath("bad.jsonl"));
  ASSERT_TRUE(bad.open(QIODevice::WriteOnly));
  bad.write("not json at all");
  bad.close();
  QString error;
  EXPECT_FALSE(w.openFile(bad.fileName(), &error));
  EXPECT_TRUE(error.contains("bad.jsonl")) << error.toStdString();
  EXPECT_EQ(w.table()->model()->rowCount(), 24) << "a failed open keeps what was shown";
}

TEST(MainWindow, HeatmapClickSelectsTheCellInTheTable) {
  QTemporaryDir dir;
  MainWindow w;
  w.resize(1366, 768);
  w.show();
  ASSERT_TRUE(w.openFile(QString::fromStdString(testing::write_result_file(dir, "r.jsonl", testing::seed_like_results()))));
  w.tabs()->setCurrentIndex(1);
  HeatmapView* h = w.heatmap();
  ASSERT_EQ(h->grid().kernels.size(), 3u);
  // Find the centre of cell (kernel 0, tier 3): the OOM cell.
  QPoint target;
  for (int y = 0; y < h->height() && target.isNull(); y += 2)
    for (int x = 0; x < h->width(); x += 2)
      if (h->cellAt({x, y}, h->rect()) == std::pair{0, 3}) { target = {x + 6, y + 6}; break; }
  ASSERT_FALSE(target.isNull());
  QTest::mouseClick(h, Qt::LeftButton, {}, target);
  EXPECT_EQ(w.tabs()->currentIndex(), 0);
  const QModelIndexList sel = w.table()->selectionModel()->selectedRows();
  ASSERT_EQ(sel.size(), 1);
  EXPECT_EQ(sel[0].siblingAtColumn(ResultsModel::sectionOf(Column::median_ms)).data().toString(), "OOM");
}

// Compare with a second file: the heatmap turns to the ratios NEW/BASE with verdicts, the table
// gets its two columns; a baseline that does not open is refused, keeping the comparison shown.
TEST(MainWindow, ComparesWithABaselineFile) {
  QTemporaryDir dir;
  MainWindow w;
  w.resize(1366, 768);
  w.show();
  ASSERT_TRUE(w.openFile(QString::fromStdString(testing::write_result_file(dir, "new.jsonl", testing::seed_like_results()))));
  const int plain = w.table()->model()->columnCount();
  ASSERT_TRUE(w.openBaseline(QString::fromStdString(testing::write_result_file(dir, "base.jsonl", testing::seed_like_results()))));
  EXPECT_EQ(w.table()->model()->columnCount(), plain + 2);
  w.tabs()->setCurrentIndex(1);
  const HeatGrid& g = w.heatmap()->grid();
  EXPECT_EQ(g.metric, HeatMetric::ratio);
  ASSERT_TRUE(g.at(2, 0).verdict.has_value());
  EXPECT_EQ(*g.at(2, 0).verdict, Verdict::same);
  QString error;
  EXPECT_FALSE(w.openBaseline(dir.filePath("absent.jsonl"), &error));
  EXPECT_TRUE(error.contains("absent.jsonl")) << error.toStdString();
  EXPECT_EQ(w.table()->model()->columnCount(), plain + 2);
}

// A sweep from the window: rows arrive while it runs. The event loop's worst gap is recorded
// (timings are not pass/fail here; gui_bench measures it for docs/benchmarks-gui.md).
TEST(MainWindow, LiveSweepFillsTheViews) {
  QTemporaryDir dir;
  MainWindow w;
  w.resize(1366, 768);
  w.show();
  w.panel()->selectPreset("smoke");
  w.panel()->setOutputPath(dir.filePath("live.jsonl"));
  w.tabs()->setCurrentIndex(1);  // the heatmap redraws as rows come in
  QSignalSpy finished(&w.runner(), &RunController::finished);
  QElapsedTimer clock;
  qint64 last = 0, worst = 0;
  QTimer tick;
  tick.setInterval(5);
  QObject::connect(&tick, &QTimer::timeout, [&] {
    const qint64 now = clock.elapsed();
    worst = std::max(worst, now - last);
    last = now;
  });
  clock.start();
  tick.start();
  w.startRun(false);
  ASSERT_TRUE(w.runner().isRunning());
  ASSERT_TRUE(finished.wait(120000));
  tick.stop();
  EXPECT_GT(w.document().results().size(), 0u);
  EXPECT_EQ(w.document().results().size(), finished[0][1].value<RunSummary>().planned);
  RecordProperty("worst_event_loop_gap_ms", static_cast<int>(worst));
}

}  // namespace
}  // namespace attnsweep::gui
