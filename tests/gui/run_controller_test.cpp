#include "app/run_controller.h"

#include <gtest/gtest.h>

#include <QSignalSpy>
#include <QTemporaryDir>
#include <set>

#include "attnsweep/engine/store.h"

namespace attnsweep::gui {
namespace {

// Small CPU cells: each takes a few milliseconds on two cores.
SweepSpec tiny_spec(int lengths) {
  std::string grid = "[";
  for (int i = 0; i < lengths; ++i) grid += (i ? "," : "") + std::to_string(32 * (i + 1));
  grid += "]";
  const std::string json = R"({"version":1,"name":"gui-test","kernels":["cpu_naive","cpu_flash"],"dtypes":["fp32"],
    "causal":[false],"grid":{"q_n":)" + grid + R"(,"head_dim":[16],"heads":[1],"batch":[1]},
    "timing":{"warmup_ms":0.1,"min_samples":2,"max_samples":3,"target_rel_ci":0.5,"max_cell_s":0.05,"modes":["batch"]},"seed":1})";
  const SpecParseResult parsed = parse_spec(json);
  if (!parsed.spec) {
    std::string all;
    for (const auto& e : parsed.errors) all += e.to_string() + "\n";
    ADD_FAILURE() << all;
    return {};
  }
  return *parsed.spec;
}

const ExecutorChoice kCpu{BackendChoice::cpu};

std::size_t rows_in(const QSignalSpy& spy) {
  std::size_t n = 0;
  for (const auto& args : spy) n += args.at(1).value<std::vector<CellResult>>().size();
  return n;
}

TEST(RunController, RunsOnTheCpuAndDeliversLiveRows) {
  QTemporaryDir dir;
  RunController runner;
  QSignalSpy planned(&runner, &RunController::planned);
  QSignalSpy rows(&runner, &RunController::cellsFinished);
  QSignalSpy started(&runner, &RunController::cellStarted);
  QSignalSpy finished(&runner, &RunController::finished);
  const QString path = dir.filePath("run.jsonl");
  const quint64 id = runner.start(tiny_spec(3), path, false, kCpu);
  ASSERT_NE(id, 0u);
  EXPECT_TRUE(runner.isRunning());
  EXPECT_EQ(runner.start(tiny_spec(3), path, false, kCpu), 0u) << "a second run while one is going must be refused";
  ASSERT_TRUE(finished.wait(60000));
  EXPECT_FALSE(runner.isRunning());
  ASSERT_EQ(planned.size(), 1);
  EXPECT_EQ(planned[0][1].toULongLong(), 6u);
  EXPECT_GE(started.size(), 1);
  EXPECT_EQ(rows_in(rows), 6u);
  for (const auto& args : rows) EXPECT_EQ(args.at(0).toULongLong(), id);
  const auto summary = finished[0][1].value<RunSummary>();
  EXPECT_EQ(summary.measured, 6u);
  EXPECT_FALSE(summary.cancelled);
  EXPECT_EQ(read_result_file(path.toStdString()).results.size(), 6u);
}

TEST(RunController, StopsWithinOneCellAndResumesTheRest) {
  QTemporaryDir dir;
  RunController runner;
  QSignalSpy rows(&runner, &RunController::cellsFinished);
  QSignalSpy finished(&runner, &RunController::finished);
  const QString path = dir.filePath("run.jsonl");
  const SweepSpec spec = tiny_spec(12);  // 24 cells
  ASSERT_NE(runner.start(spec, path, false, kCpu), 0u);
  ASSERT_TRUE(rows.wait(60000));
  const std::size_t seen_at_stop = rows_in(rows);
  runner.stop();
  ASSERT_TRUE(finished.wait(60000));
  const auto stopped = finished[0][1].value<RunSummary>();
  EXPECT_TRUE(stopped.cancelled);
  // Stop lands after the current cell at most: rows the GUI had seen, plus the cell in flight
  // and those already queued for the GUI thread when stop was asked (at most one wake-up's worth).
  EXPECT_LT(stopped.measured, 24u);
  EXPECT_GE(stopped.measured, seen_at_stop);
  const std::size_t in_file = read_result_file(path.toStdString()).results.size();
  EXPECT_EQ(in_file, stopped.measured);

  QSignalSpy planned(&runner, &RunController::planned);
  rows.clear();
  finished.clear();
  ASSERT_NE(runner.start(spec, path, true, kCpu), 0u);
  ASSERT_TRUE(finished.wait(60000));
  ASSERT_EQ(planned.size(), 1);
  EXPECT_EQ(planned[0][2].toULongLong(), in_file);  // already done, not rerun
  const auto resumed = finished[0][1].value<RunSummary>();
  EXPECT_FALSE(resumed.cancelled);
  EXPECT_EQ(resumed.measured, 24u - in_file);
  std::set<std::string> ids;
  for (const CellResult& r : read_result_file(path.toStdString()).results) ids.insert(r.cell.id());
  EXPECT_EQ(ids.size(), 24u);
}

TEST(RunController, ReportsAFailedStartWithItsReason) {
  RunController runner(nullptr, [](const SweepSpec&, const ExecutorChoice&) -> std::unique_ptr<Executor> {
    throw std::runtime_error("no such device");
  });
  QSignalSpy failed(&runner, &RunController::failed);
  QTemporaryDir dir;
  ASSERT_NE(runner.start(tiny_spec(1), dir.filePath("x.jsonl"), false, kCpu), 0u);
  ASSERT_TRUE(failed.wait(10000));
  EXPECT_EQ(failed[0][1].toString(), "no such device");
  EXPECT_FALSE(runner.isRunning());
}

}  // namespace
}  // namespace attnsweep::gui
