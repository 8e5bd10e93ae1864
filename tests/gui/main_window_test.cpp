#include "app/main_window.h"

#include <gtest/gtest.h>

#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <QAction>
#include <QApplication>
#include <QDockWidget>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QProgressBar>
#include <QPushButton>
#include <QScreen>
#include <QScrollArea>
#include <QScrollBar>
#include <QSettings>
#include <QSpinBox>
#include <QWheelEvent>

#include "app/file_follower.h"
#include "app/heatmap_view.h"
#include "app/results_model.h"
#include "app/sweep_panel.h"
#include "attnsweep/engine/kernel_catalogue.h"
#include "attnsweep/engine/presets.h"
#include "attnsweep/engine/spec.h"
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
// A result file a run is still writing: the table grows as its cells land, the status bar says it
// is followed, and following ends when every planned cell is in.
TEST(MainWindow, FollowsAFileAsARunWritesIt) {
  QTemporaryDir dir;
  const QString path = dir.filePath("run.jsonl");
  const SpecParseResult spec = parse_spec(R"({"name": "followed", "kernels": ["cpu_naive", "cpu_flash"],
    "dtypes": ["fp16"], "causal": [false], "tiers": [{"q_n": 512, "head_dim": 64, "heads": 12, "batch": 1}]})");
  const nlohmann::json header = {
      {"type", "header"}, {"schema", kResultSchema}, {"spec", nlohmann::json::parse(spec_to_json(*spec.spec))}};
  ResultWriter writer = ResultWriter::create(path.toStdString(), header);
  MainWindow w;
  w.show();
  ASSERT_TRUE(w.followFile(path));
  EXPECT_EQ(w.table()->model()->rowCount(), 0);
  EXPECT_TRUE(w.statusText().startsWith("Following run.jsonl · 0 of 2 cells")) << w.statusText().toStdString();

  writer.append(testing::make_result("cpu_naive", 512, 64, 1.0));
  ASSERT_TRUE(QTest::qWaitFor([&] { return w.table()->model()->rowCount() == 1; }, 5000));
  EXPECT_TRUE(w.statusText().startsWith("Following run.jsonl · 1 of 2 cells")) << w.statusText().toStdString();

  writer.append(testing::make_result("cpu_flash", 512, 64, 2.0));
  ASSERT_TRUE(QTest::qWaitFor([&] { return w.table()->model()->rowCount() == 2; }, 5000));
  EXPECT_FALSE(w.follower().isFollowing());
  EXPECT_TRUE(w.statusText().startsWith("run.jsonl · 2 cells")) << w.statusText().toStdString();
  EXPECT_TRUE(w.statusText().endsWith(" · complete")) << w.statusText().toStdString();
}

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

// The bundled results, as a first start shows them.
QString bundled_results() { return QStringLiteral(ATTNSWEEP_SOURCE_DIR "/resources/sample-results/h100-seed.jsonl"); }

// `w` lies wholly inside `window`'s client area and is not hidden: the user can see and reach it.
bool on_screen(QWidget* w, QWidget* window) {
  const QRect r(w->mapTo(window, QPoint(0, 0)), w->size());
  return w->isVisible() && !w->visibleRegion().isEmpty() && window->rect().contains(r);
}

// A laptop screen, 1366x768, with the sweep panel, the log and the toolbar open.
class Laptop : public ::testing::Test {
 protected:
  void SetUp() override {
    QSettings().clear();  // a first start: no remembered layout
    w.resize(1366, 768);
    w.show();
  }
  MainWindow w;
};

TEST_F(Laptop, RunStopAndProgressStayInViewUnderTheForm) {
  SweepPanel* p = w.panel();
  for (QWidget* control : std::initializer_list<QWidget*>{p->runButton(), p->stopButton(), p->progressBar()})
    EXPECT_TRUE(on_screen(control, &w)) << control->metaObject()->className();
  // The form scrolls above them, not with them.
  auto* form_scroll =
      qobject_cast<QScrollArea*>(p->maxSamplesBox()->parentWidget()->parentWidget()->parentWidget()->parentWidget());
  ASSERT_NE(form_scroll, nullptr);
  EXPECT_FALSE(form_scroll->isAncestorOf(p->runButton()));
}

// One notch of the wheel, down, over the middle of `w`; whether `w` took it.
bool wheel_down(QWidget* w) {
  const QPointF at(w->width() / 2.0, w->height() / 2.0);
  QWheelEvent e(at, w->mapToGlobal(at), QPoint(), QPoint(0, -120), Qt::NoButton, Qt::NoModifier, Qt::NoScrollPhase,
                false);
  QApplication::sendEvent(w, &e);
  return e.isAccepted();
}

// A wheel turned over the sweep form while the focus is elsewhere changes no value and is left to
// the form, which scrolls (Qt hands a real wheel event that a widget leaves to its parents; a test's
// event goes to one widget, so each half is checked on its own). Clicked into, the box takes it.
TEST_F(Laptop, AWheelOverTheFormScrollsItAndChangesNoValue) {
  QSpinBox* samples = w.panel()->maxSamplesBox();
  auto* form_scroll = w.panel()->findChild<QScrollArea*>();
  ASSERT_NE(form_scroll, nullptr);
  ASSERT_TRUE(form_scroll->isAncestorOf(samples));
  ASSERT_GT(form_scroll->verticalScrollBar()->maximum(), 0) << "the form is taller than a laptop's panel";
  QApplication::setActiveWindow(&w);
  w.filter()->setFocus();
  ASSERT_FALSE(samples->hasFocus());

  const int value = samples->value();
  EXPECT_FALSE(wheel_down(samples)) << "left to the form";
  EXPECT_EQ(samples->value(), value);
  const int scrolled = form_scroll->verticalScrollBar()->value();
  wheel_down(form_scroll->viewport());
  EXPECT_GT(form_scroll->verticalScrollBar()->value(), scrolled);

  samples->setFocus();
  EXPECT_TRUE(wheel_down(samples));
  EXPECT_EQ(samples->value(), value - 1);
}

TEST_F(Laptop, TheHeatmapScrollsAndLosesNoGroup) {
  // Eight groups of seven lengths: wider than the tab.
  std::vector<CellResult> results;
  for (std::int64_t d : {32, 64, 96, 128, 160, 192, 224, 256})
    for (std::int64_t n = 256; n <= 16384; n *= 2)
      for (const char* k : {"naive", "cublas", "flash_mma"}) results.push_back(testing::make_result(k, n, d, 1e-4 * n));
  QTemporaryDir dir;
  ASSERT_TRUE(w.openFile(QString::fromStdString(testing::write_result_file(dir, "wide.jsonl", results))));
  w.tabs()->setCurrentIndex(1);
  QApplication::processEvents();
  HeatmapView* h = w.heatmap();
  auto* scroll = qobject_cast<QScrollArea*>(h->parentWidget()->parentWidget());
  ASSERT_NE(scroll, nullptr) << "the heatmap lives in a scroll area";
  EXPECT_GT(scroll->horizontalScrollBar()->maximum(), 0) << "wider than the tab: it scrolls";
  EXPECT_GE(h->width(), h->minimumSizeHint().width());
  // The last tier's cell lies inside the widget: reachable by scrolling, not cut off.
  const int last = static_cast<int>(h->grid().tiers.size()) - 1;
  bool found = false;
  for (int x = h->width() - 1; x > h->width() - 200 && !found; x -= 4)
    for (int y = 0; y < h->height() && !found; y += 4) found = h->cellAt({x, y}, h->rect()).second == last;
  EXPECT_TRUE(found) << "the last group's last column is drawn inside the view";
}

TEST_F(Laptop, TheTableOpensInReadingOrderWithTflopsOnScreen) {
  ASSERT_TRUE(w.openFile(bundled_results()));
  QApplication::processEvents();
  QHeaderView* header = w.table()->horizontalHeader();
  EXPECT_TRUE(header->isSortIndicatorShown());
  EXPECT_EQ(header->sortIndicatorSection(), ResultsModel::sectionOf(Column::tier));
  EXPECT_EQ(header->sortIndicatorOrder(), Qt::AscendingOrder);
  auto tier_at = [&](int row) {
    return w.table()->model()->index(row, ResultsModel::sectionOf(Column::tier)).data().toString();
  };
  EXPECT_EQ(tier_at(0), "hd64-h12-b1-n512");
  EXPECT_EQ(tier_at(5), "hd64-h12-b1-n1k") << "five kernels per tier, lengths in order";
  const int tflops = ResultsModel::sectionOf(Column::tflops);
  EXPECT_LE(header->sectionViewportPosition(tflops) + header->sectionSize(tflops), w.table()->viewport()->width())
      << "the TFLOP/s column is on screen";
}

TEST_F(Laptop, TheTierColumnGrowsWithLiveRows) {
  w.document().replace(ResultSet{});  // a live run starts empty
  const int tier = ResultsModel::sectionOf(Column::tier);
  const int empty_width = w.table()->columnWidth(tier);
  CellResult long_name =
      testing::make_result("flash_mma", 16384, 128, 1.0, CellStatus::ok, DType::fp16, false, 128, 128);
  long_name.cell.tier.shape.k_n = 65536;
  long_name.cell.tier.name = tier_name(long_name.cell.tier.shape);
  w.document().append({long_name});
  QApplication::processEvents();
  const QString text = w.table()->model()->index(0, tier).data().toString();
  const int needed = w.table()->fontMetrics().horizontalAdvance(text);
  ASSERT_LT(empty_width, needed) << "the empty table's column is narrower than the name";
  EXPECT_GE(w.table()->columnWidth(tier), needed) << text.toStdString();
}

// Menus own Alt+letter; the tabs switch with Ctrl+1..4; a closed Log comes back from View.
TEST_F(Laptop, MenusKeepTheirAltKeysAndTheViewMenuBringsDocksBack) {
  for (int tab = 0; tab < w.tabs()->count(); ++tab)
    EXPECT_FALSE(w.tabs()->tabText(tab).contains('&')) << w.tabs()->tabText(tab).toStdString();
  QStringList menus;
  for (QAction* a : w.menuBar()->actions()) menus << a->text();
  EXPECT_EQ(menus, (QStringList{"&File", "&Edit", "&View", "&Run", "&Help"}));
  QDockWidget* log = w.findChild<QDockWidget*>("log_dock");
  ASSERT_NE(log, nullptr);
  log->close();
  EXPECT_FALSE(log->isVisible());
  QMenu* view = w.menuBar()->actions()[2]->menu();
  QAction* toggle = nullptr;
  for (QAction* a : view->actions())
    if (a == log->toggleViewAction()) toggle = a;
  ASSERT_NE(toggle, nullptr) << "the View menu lists the Log";
  toggle->trigger();
  EXPECT_TRUE(log->isVisible());
}

TEST_F(Laptop, RecentFilesAreRemembered) {
  ASSERT_TRUE(w.openFile(bundled_results()));
  const QStringList recent = QSettings().value("recent/files").toStringList();
  ASSERT_FALSE(recent.isEmpty());
  EXPECT_EQ(recent.front(), QFileInfo(bundled_results()).absoluteFilePath());
}

TEST_F(Laptop, ANumericFilterWorksAndABadOneSaysWhy) {
  ASSERT_TRUE(w.openFile(bundled_results()));
  w.filter()->setText("tflops>500");
  const int rows = w.table()->model()->rowCount();
  EXPECT_GT(rows, 0);
  EXPECT_LT(rows, 120);
  for (int r = 0; r < rows; ++r)
    EXPECT_GT(w.table()->model()->index(r, ResultsModel::sectionOf(Column::tflops)).data().toString().toDouble(), 500);
  EXPECT_TRUE(w.filterNote()->text().contains(QString("%1 of 120 rows").arg(rows)));
  w.filter()->setText("tflop>500");
  EXPECT_TRUE(w.filterNote()->isVisibleTo(&w));
  EXPECT_TRUE(w.filterNote()->text().contains("no numeric column")) << w.filterNote()->text().toStdString();
}

// Esc belongs to editing; Stop is Shift+F5; closing the window mid-run asks first.
TEST_F(Laptop, ARunSurvivesEscAndAskedCloseAndSaysItsName) {
  QTemporaryDir dir;
  w.panel()->selectPreset("demo-cpu");
  w.panel()->setOutputPath(dir.filePath("live.jsonl"));
  QSignalSpy finished(&w.runner(), &RunController::finished);
  w.startRun(false);
  ASSERT_TRUE(w.runner().isRunning());
  EXPECT_TRUE(w.statusText().contains("Running sweep 'demo-cpu'")) << w.statusText().toStdString();

  w.filter()->setFocus();
  QTest::keyClick(w.filter(), Qt::Key_Escape);
  EXPECT_TRUE(w.runner().isRunning()) << "Esc in the filter does not stop the sweep";
  EXPECT_TRUE(w.panel()->stopButton()->toolTip().contains("Shift+F5"));

  QStringList asked;
  w.confirmStop = [&](const QString& question) {
    asked << question;
    return false;
  };
  EXPECT_FALSE(w.close()) << "answered no: the window stays";
  ASSERT_EQ(asked.size(), 1);
  EXPECT_TRUE(asked[0].contains("Resume continues it"));
  EXPECT_TRUE(w.runner().isRunning());

  w.confirmStop = [](const QString&) { return true; };
  EXPECT_TRUE(w.close());
  ASSERT_TRUE(finished.wait(120000));
  EXPECT_TRUE(finished[0][1].value<RunSummary>().cancelled);
}

// A sweep that cannot run here is refused, and what was shown stays shown: kernels that cannot
// run here are refused by the panel before the run, cells none of whose kernels can do their
// dtype by the engine when it plans.
TEST_F(Laptop, ARefusedSweepLeavesTheShownResults) {
  QTemporaryDir dir;
  ASSERT_TRUE(w.openFile(bundled_results()));
  const QString title = w.windowTitle();
  auto still_shown = [&] {
    EXPECT_FALSE(w.runner().isRunning());
    EXPECT_EQ(w.document().results().size(), 120u);
    EXPECT_EQ(w.windowTitle(), title);
    EXPECT_TRUE(w.statusText().startsWith("The sweep did not run: ")) << w.statusText().toStdString();
    EXPECT_FALSE(QFileInfo::exists(dir.filePath("refused.jsonl")));
  };

  if (kernel_catalogue().cuda_devices == 0) {
    w.panel()->selectPreset("seed-torch");
    w.panel()->setOutputPath(dir.filePath("refused.jsonl"));
    w.startRun(false);
    still_shown();
    EXPECT_TRUE(w.statusText().contains("Nothing checked can run here")) << w.statusText().toStdString();
  }

  SweepSpec fp16_on_cpu = *parse_spec(*preset_json("smoke")).spec;
  fp16_on_cpu.dtypes = {DType::fp16};
  w.panel()->loadSpec(fp16_on_cpu);
  w.panel()->setOutputPath(dir.filePath("refused.jsonl"));
  ASSERT_TRUE(w.panel()->someCheckedKernelRuns());
  QSignalSpy failed(&w.runner(), &RunController::failed);
  w.startRun(false);
  ASSERT_TRUE(failed.wait(60000));
  still_shown();
  EXPECT_TRUE(w.statusText().contains("nothing in sweep 'smoke' can run on cpu")) << w.statusText().toStdString();
}

// A sweep that ran and measured no cell (torch kernels on a GPU host without torch, say) says so
// when it ends: the runner's events as a worker sends them, and the file it left.
TEST_F(Laptop, ASweepThatMeasuredNothingSaysSo) {
  QTemporaryDir dir;
  const std::vector<CellResult> unsupported = {
      testing::make_result("flash_mma", 512, 64, 0, CellStatus::unsupported),
      testing::make_result("flash_mma", 1024, 64, 0, CellStatus::unsupported)};
  w.panel()->setOutputPath(QString::fromStdString(testing::write_result_file(dir, "none.jsonl", unsupported)));
  emit w.runner().planned(1, 2, 0);
  emit w.runner().cellsFinished(1, unsupported);
  emit w.runner().finished(1, RunSummary{2, 0, 2, false});
  EXPECT_EQ(w.document().results().size(), 2u);
  EXPECT_TRUE(w.statusText().startsWith("The sweep measured nothing: none of its 2 cells ran here"))
      << w.statusText().toStdString();

  std::vector<CellResult> one_ok = unsupported;
  one_ok[0] = testing::make_result("flash_mma", 512, 64, 0.5, CellStatus::ok);
  w.panel()->setOutputPath(QString::fromStdString(testing::write_result_file(dir, "some.jsonl", one_ok)));
  emit w.runner().planned(2, 2, 0);
  emit w.runner().cellsFinished(2, one_ok);
  emit w.runner().finished(2, RunSummary{2, 0, 2, false});
  EXPECT_TRUE(w.statusText().startsWith("some.jsonl · 2 cells")) << w.statusText().toStdString();
}

// A window that opens itself fits the screen, and fits a 1366x768 laptop at 150% scaling.
TEST(MainWindowSize, NeverLargerThanTheScreen) {
  QSettings().clear();
  MainWindow w;
  const QSize screen = w.screen()->availableGeometry().size();
  EXPECT_LE(w.width(), screen.width());
  EXPECT_LE(w.height(), screen.height());
  const QSize laptop_at_150(1366 * 2 / 3, 768 * 2 / 3 - 30);  // less a title bar
  EXPECT_LE(w.minimumSizeHint().width(), laptop_at_150.width());
  EXPECT_LE(w.minimumSizeHint().height(), laptop_at_150.height());
}

// With nothing checked that can run here, the panel says so before Run, and what would run.
TEST(SweepPanelHint, SaysUpFrontWhenNothingCheckedCanRun) {
  if (kernel_catalogue().cuda_devices > 0) GTEST_SKIP() << "a CUDA device is present: the torch kernels may run";
  SweepPanel panel;
  panel.selectPreset("smoke");
  EXPECT_EQ(panel.kernelHint(), "");
  panel.selectPreset("seed-torch");
  EXPECT_TRUE(panel.kernelHint().startsWith("Nothing checked can run here (no CUDA device"))
      << panel.kernelHint().toStdString();
  EXPECT_TRUE(panel.kernelHint().contains("cpu_naive, cpu_flash"));
}

}  // namespace
}  // namespace attnsweep::gui
