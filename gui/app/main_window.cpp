#include "app/main_window.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QCloseEvent>
#include <QComboBox>
#include <QDateTime>
#include <QDir>
#include <QDockWidget>
#include <QDragEnterEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QIcon>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSaveFile>
#include <QScreen>
#include <QScrollArea>
#include <QSettings>
#include <QStandardPaths>
#include <QStatusBar>
#include <QStyle>
#include <QTabWidget>
#include <QTableView>
#include <QTime>
#include <QTimer>
#include <QToolBar>
#include <QVBoxLayout>
#include <algorithm>
#include <functional>

#include "app/file_follower.h"
#include "app/forward_view.h"
#include "app/heatmap_view.h"
#include "app/pictures.h"
#include "app/report_export.h"
#include "app/results_model.h"
#include "app/scaling_view.h"
#include "app/sweep_panel.h"
#include "attnsweep/engine/environment.h"
#include "attnsweep/engine/files.h"
#include "attnsweep/engine/kernel_catalogue.h"
#include "attnsweep/engine/report.h"
#include "core/format.h"
#include "core/sweep_form.h"

namespace attnsweep::gui {

namespace {
enum Tab { kTableTab, kHeatmapTab, kScalingTab, kForwardTab };
constexpr int kBaselineRole = Qt::UserRole + 1;  // the kernel of a "Speedup vs" metric item
constexpr int kRecentFiles = 8;

// A picture larger than its tab scrolls: no group, chart or column is ever cut off.
QScrollArea* scrolled(QWidget* picture, QWidget* parent) {
  auto* scroll = new QScrollArea(parent);
  scroll->setWidget(picture);
  scroll->setWidgetResizable(true);
  scroll->setFrameShape(QFrame::NoFrame);
  return scroll;
}

QString window_title(const std::string& results_name) {
  return results_name.empty() ? "AttnSweep" : QString::fromStdString(results_name) + " — AttnSweep";
}

}  // namespace

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent) {
  setWindowTitle("AttnSweep");
  setWindowIcon(QIcon(":/icons/attnsweep.svg"));
  setAcceptDrops(true);
  runner_ = new RunController(this);
  follower_ = new FileFollower(this);
  model_ = new ResultsModel(&doc_, this);

  buildViewToolbar();
  buildTabs();
  buildDocks();
  status_ = new QLabel(tr("No results yet: open a result file (Ctrl+O) or run a sweep (F5)"));
  status_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  statusBar()->addWidget(status_, 1);
  connectDocument();
  connectRunner();
  connectFollower();
  buildMenus();
  restoreSettings();
  refreshViews();
}

// The slice and metrics every picture tab shares.
void MainWindow::buildViewToolbar() {
  auto* bar = addToolBar(tr("View"));
  bar->setObjectName("view_toolbar");
  bar->setMovable(false);
  slice_ = new QComboBox(bar);
  slice_->setToolTip(tr("dtype and mask the pictures show"));
  slice_->setMinimumContentsLength(14);
  heat_metric_ = new QComboBox(bar);
  refreshHeatMetrics();
  heat_metric_->setToolTip(tr("What the heatmap colours; \"Speedup vs\" a kernel of the results"));
  scaling_metric_ = new QComboBox(bar);
  scaling_metric_->addItem(tr("time (ms)"), static_cast<int>(ScalingMetric::time_ms));
  scaling_metric_->addItem(tr("TFLOP/s"), static_cast<int>(ScalingMetric::tflops));
  scaling_metric_->setToolTip(tr("What the scaling curves plot"));
  bar->addWidget(new QLabel(tr(" Slice "), bar));
  bar->addWidget(slice_);
  bar->addWidget(new QLabel(tr("   Heatmap "), bar));
  bar->addWidget(heat_metric_);
  bar->addWidget(new QLabel(tr("   Curves "), bar));
  bar->addWidget(scaling_metric_);
  auto redraw = [this] {
    std::fill(std::begin(views_dirty_), std::end(views_dirty_), true);
    refreshViews();
  };
  connect(slice_, &QComboBox::currentIndexChanged, this, redraw);
  connect(heat_metric_, &QComboBox::currentIndexChanged, this, redraw);
  connect(scaling_metric_, &QComboBox::currentIndexChanged, this, redraw);
}

// The table (with its filter and copy button), the heatmap, the scaling curves, the forward time.
// Tabs are switched with Ctrl+1..4 (View menu): Alt+letter belongs to the menu bar.
void MainWindow::buildTabs() {
  tabs_ = new QTabWidget(this);
  tabs_->setDocumentMode(true);
  tabs_->addTab(buildTablePage(), tr("Table"));
  heatmap_ = new HeatmapView();
  connect(heatmap_, &HeatmapView::cellClicked, this, &MainWindow::selectResult);
  tabs_->addTab(scrolled(heatmap_, tabs_), tr("Heatmap"));
  scaling_ = new ScalingView();
  tabs_->addTab(scrolled(scaling_, tabs_), tr("Scaling curves"));
  forward_ = new ForwardView();
  tabs_->addTab(scrolled(forward_, tabs_), tr("Forward time"));
  connect(tabs_, &QTabWidget::currentChanged, this, [this] { refreshViews(); });
  setCentralWidget(tabs_);
}

QWidget* MainWindow::buildTablePage() {
  auto* page = new QWidget(tabs_);
  auto* layout = new QVBoxLayout(page);
  layout->setContentsMargins(6, 6, 6, 6);
  auto* filter_row = new QHBoxLayout();
  filter_ = new QLineEdit(page);
  filter_->setPlaceholderText(tr("Filter: words (flash fp16 oom) and numbers (tflops>500 median_ms<1)"));
  filter_->setToolTip(
      tr("Words must all occur in the kernel, tier, dtype, mask or status; conditions such as "
         "tflops>500, median_ms<=1 or Q_N=4k must all hold (numeric columns, by their names)"));
  filter_->setClearButtonEnabled(true);
  filter_note_ = new QLabel(page);
  connect(filter_, &QLineEdit::textChanged, this, [this](const QString& text) {
    model_->setFilter(text);
    showFilterNote();
  });
  auto* copy = new QPushButton(tr("Copy as Markdown"), page);
  copy->setToolTip(tr("Copies the selected rows (or all shown rows) as a Markdown table"));
  connect(copy, &QPushButton::clicked, this, &MainWindow::copyMarkdown);
  filter_row->addWidget(filter_, 1);
  filter_row->addWidget(copy);
  layout->addLayout(filter_row);
  filter_note_->setWordWrap(true);
  filter_note_->hide();
  layout->addWidget(filter_note_);
  table_ = new QTableView(page);
  table_->setModel(model_);
  table_->setSortingEnabled(true);
  // Opens in reading order: by tier (head_dim, heads, batch, length), the file's order within one.
  table_->sortByColumn(ResultsModel::sectionOf(Column::tier), Qt::AscendingOrder);
  table_->setAlternatingRowColors(true);
  table_->setSelectionBehavior(QAbstractItemView::SelectRows);
  table_->verticalHeader()->hide();
  table_->verticalHeader()->setDefaultSectionSize(22);
  table_->horizontalHeader()->setStretchLastSection(true);
  table_->horizontalHeader()->setResizeContentsPrecision(200);  // sample rows: fast on 10,000 cells
  table_->setWordWrap(false);
  layout->addWidget(table_);
  return page;
}

// The sweep panel (left) and the log (bottom).
void MainWindow::buildDocks() {
  panel_ = new SweepPanel();
  auto* dock = new QDockWidget(tr("Sweep"), this);
  dock->setObjectName("sweep_dock");
  dock->setWidget(panel_);
  dock->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetFloatable |
                    QDockWidget::DockWidgetClosable);
  addDockWidget(Qt::LeftDockWidgetArea, dock);
  connect(panel_, &SweepPanel::runRequested, this, &MainWindow::startRun);
  connect(panel_, &SweepPanel::stopRequested, runner_, &RunController::stop);

  log_ = new QPlainTextEdit();
  log_->setReadOnly(true);
  log_->setMaximumBlockCount(5000);
  log_->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
  auto* log_dock = new QDockWidget(tr("Log"), this);
  log_dock->setObjectName("log_dock");
  log_dock->setWidget(log_);
  log_dock->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetFloatable |
                        QDockWidget::DockWidgetClosable);
  addDockWidget(Qt::BottomDockWidgetArea, log_dock);
  resizeDocks({log_dock}, {110}, Qt::Vertical);
}

// A new set redraws everything at once; live rows redraw the pictures at most every 200 ms.
void MainWindow::connectDocument() {
  refresh_timer_ = new QTimer(this);
  refresh_timer_->setSingleShot(true);
  refresh_timer_->setInterval(200);
  connect(refresh_timer_, &QTimer::timeout, this, &MainWindow::refreshViews);
  connect(&doc_, &ResultsDocument::reset, this, [this] {
    table_->resizeColumnsToContents();
    showFilterNote();
    table_->scrollToTop();
    refreshSlices();
    std::fill(std::begin(views_dirty_), std::end(views_dirty_), true);
    refreshViews();
  });
  connect(&doc_, &ResultsDocument::appended, this, [this] {
    // A live run starts from an empty table: its name columns grow with the rows.
    for (Column c : {Column::kernel, Column::tier}) {
      const int section = ResultsModel::sectionOf(c);
      table_->setColumnWidth(section, std::max(table_->columnWidth(section),
                                               static_cast<QAbstractItemView*>(table_)->sizeHintForColumn(section)));
    }
    refreshSlices();
    scheduleRefresh();
    showFilterNote();
  });
  connect(&doc_, &ResultsDocument::baselineChanged, this, [this] {
    refreshHeatMetrics();
    if (doc_.baseline()) heat_metric_->setCurrentIndex(0);  // the ratio NEW/BASE
    table_->resizeColumnsToContents();
    std::fill(std::begin(views_dirty_), std::end(views_dirty_), true);
    refreshViews();
    showStatus();
  });
}

// Run events: progress in the panel, failed cells in the log, finished cells into the document.
void MainWindow::connectRunner() {
  connect(runner_, &RunController::planned, this, [this](quint64, qulonglong planned, qulonglong already) {
    run_planned_ = planned;
    run_already_ = already;
    run_done_ = run_ok_ = 0;
    if (run_results_) {
      doc_.replace(std::move(*run_results_));
      run_results_.reset();
    }
    panel_->setProgress(already, planned, tr("planned %1 cells (%2 already in the file)").arg(planned).arg(already), std::nullopt);
  });
  connect(runner_, &RunController::cellStarted, this, [this](quint64, qulonglong, QString id) {
    const double elapsed = run_clock_.elapsed() / 1000.0;
    panel_->setProgress(run_already_ + run_done_, run_planned_, tr("measuring %1").arg(id),
                        eta_seconds(elapsed, run_done_, run_planned_ - run_already_));
  });
  connect(runner_, &RunController::cellsFinished, this, [this](quint64, std::vector<CellResult> results) {
    run_done_ += results.size();
    run_ok_ += static_cast<std::size_t>(
        std::count_if(results.begin(), results.end(), [](const CellResult& r) { return r.status == CellStatus::ok; }));
    for (const CellResult& r : results)
      if (r.status != CellStatus::ok && r.status != CellStatus::unsupported)
        log(r.status == CellStatus::oom || r.status == CellStatus::skipped ? "warning" : "error",
            QString::fromStdString(r.cell.id() + ": " + std::string(status_name(r.status)) + " " + r.message));
    doc_.append(std::move(results));
    panel_->setProgress(run_already_ + run_done_, run_planned_, {}, std::nullopt);
  });
  connect(runner_, &RunController::logMessage, this, [this](quint64, QString level, QString text) { log(level, text); });
  connect(runner_, &RunController::finished, this, [this](quint64, RunSummary s) {
    panel_->setRunning(false);
    run_action_->setEnabled(true);
    resume_action_->setEnabled(true);
    stop_action_->setEnabled(false);
    const QString what = s.cancelled ? tr("stopped") : tr("finished");
    log("info", tr("sweep %1: %2 cells measured, %3 already done, %4 planned").arg(what).arg(s.measured).arg(s.already_done).arg(s.planned));
    panel_->setProgress(s.already_done + s.measured, s.planned, tr("sweep %1 (%2)").arg(what, QString::fromStdString(format_duration(run_clock_.elapsed() / 1000.0))), std::nullopt);
    // Show what is on disk, header and all.
    openFile(panel_->outputPath());
    if (!s.cancelled && s.measured > 0 && run_ok_ == 0) {
      const QString none = tr("The sweep measured nothing: none of its %1 cells ran here (the table says why for each)")
                               .arg(s.measured);
      log("warning", none);
      status_->setText(none);
    }
  });
  connect(runner_, &RunController::failed, this, [this](quint64, QString message) {
    panel_->setRunning(false);
    run_action_->setEnabled(true);
    resume_action_->setEnabled(true);
    stop_action_->setEnabled(false);
    log("error", tr("sweep failed: %1").arg(message));
    panel_->setProgress(run_already_ + run_done_, run_planned_, tr("failed: %1").arg(message), std::nullopt);
    run_results_.reset();
    setWindowTitle(window_title(doc_.set().name));
    status_->setText(tr("The sweep did not run: %1").arg(message));
  });
}

// A followed file: its header shows a fresh set (the baseline kept), its cells land as a run's do.
void MainWindow::connectFollower() {
  connect(follower_, &FileFollower::opened, this, [this](ResultSet set) {
    log("info", tr("following %1: %2 cells so far").arg(QString::fromStdString(set.path)).arg(set.results.size()));
    showResults(std::move(set));
  });
  connect(follower_, &FileFollower::appended, this, [this](std::vector<CellResult> cells) {
    for (const CellResult& r : cells)
      if (r.status != CellStatus::ok && r.status != CellStatus::unsupported)
        log("warning", QString::fromStdString(r.cell.id() + ": " + std::string(status_name(r.status)) + " " + r.message));
    doc_.append(std::move(cells));
    showStatus();
  });
  connect(follower_, &FileFollower::restarted, this,
          [this](const QString& why) { log("warning", tr("%1: reading it again from its start").arg(why)); });
  connect(follower_, &FileFollower::finished, this, [this](bool complete) {
    log("info", complete ? tr("%1 is complete: every planned cell is in it").arg(follower_->path())
                         : tr("stopped following %1").arg(follower_->path()));
    showStatus();
    if (complete) status_->setText(status_->text() + tr(" · complete"));
  });
  connect(follower_, &FileFollower::failed, this, [this](const QString& message) {
    log("error", tr("following stopped: %1").arg(message));
    status_->setText(tr("Following stopped: %1").arg(message));
  });
}

// The last window layout and preset; a first window 1366x768, and never larger than the screen it
// opens on (a laptop at 150% scaling has about 910x512 to give).
void MainWindow::restoreSettings() {
  QSettings settings;
  const bool restored = restoreGeometry(settings.value("window/geometry").toByteArray());
  restoreState(settings.value("window/state").toByteArray());
  const QString preset = settings.value("sweep/preset").toString();
  if (!preset.isEmpty()) panel_->selectPreset(preset);
  const QRect available = screen()->availableGeometry();
  QSize frame = frameGeometry().size() - geometry().size();  // title bar and borders, once shown
  if (frame.isNull()) frame = QSize(0, style()->pixelMetric(QStyle::PM_TitleBarHeight));
  const QSize room = available.size() - frame;
  if (!restored) resize(QSize(1366, 768).boundedTo(room));
  if (width() > room.width() || height() > room.height()) resize(size().boundedTo(room));
  if (!available.contains(frameGeometry())) move(available.topLeft());
}

MainWindow::~MainWindow() = default;

void MainWindow::buildMenus() {
  QMenu* file = menuBar()->addMenu(tr("&File"));
  QAction* open = file->addAction(tr("&Open results…"), this, [this] {
    QSettings settings;
    const QString path = QFileDialog::getOpenFileName(this, tr("Open results"), settings.value("dirs/open").toString(),
                                                      tr("Results (*.jsonl *.json *.csv *.md *.txt);;All files (*)"));
    if (path.isEmpty()) return;
    settings.setValue("dirs/open", QFileInfo(path).absolutePath());
    QString error;
    if (!openFile(path, &error)) QMessageBox::warning(this, tr("Cannot open results"), error);
  });
  open->setShortcut(QKeySequence::Open);
  QAction* open_new = file->addAction(tr("Open in a &new window…"), this, [this] {
    const QString path = QFileDialog::getOpenFileName(this, tr("Open results beside these"), {},
                                                      tr("Results (*.jsonl *.json *.csv *.md *.txt);;All files (*)"));
    if (path.isEmpty()) return;
    auto* w = new MainWindow();
    w->setAttribute(Qt::WA_DeleteOnClose);
    QString error;
    if (!w->openFile(path, &error)) {
      QMessageBox::warning(this, tr("Cannot open results"), error);
      delete w;
      return;
    }
    w->show();
  });
  open_new->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O));
  recent_menu_ = file->addMenu(tr("Open &recent"));
  connect(recent_menu_, &QMenu::aboutToShow, this, &MainWindow::fillRecentMenu);
  QAction* compare_with = file->addAction(tr("&Compare with…"), this, [this] {
    QSettings settings;
    const QString path = QFileDialog::getOpenFileName(this, tr("Baseline to compare these results with"),
                                                      settings.value("dirs/open").toString(),
                                                      tr("Results (*.jsonl *.json *.csv *.md *.txt);;All files (*)"));
    if (path.isEmpty()) return;
    QString error;
    if (!openBaseline(path, &error)) QMessageBox::warning(this, tr("Cannot open the baseline"), error);
  });
  compare_with->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_B));
  compare_with->setToolTip(tr("Open a second result file as the baseline of these (or drop it with Shift held)"));
  file->addAction(tr("Stop compa&ring"), this, [this] { doc_.clearBaseline(); });
  QAction* follow = file->addAction(tr("&Follow…"), this, [this] {
    QSettings settings;
    const QString path = QFileDialog::getOpenFileName(this, tr("Follow a result file a run is writing"),
                                                      settings.value("dirs/open").toString(),
                                                      tr("Result files (*.jsonl);;All files (*)"));
    if (path.isEmpty()) return;
    QString error;
    if (!followFile(path, &error)) QMessageBox::warning(this, tr("Cannot follow the file"), error);
  });
  follow->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_F));
  follow->setToolTip(tr("Show a result file that attnsweep-cli (here or on a mounted disk) is still writing, "
                        "its cells as they land"));
  file->addAction(tr("Stop fo&llowing"), follower_, &FileFollower::stop);
  file->addSeparator();
  file->addAction(tr("&Load spec…"), this, [this] {
    const QString path = QFileDialog::getOpenFileName(this, tr("Load sweep spec"), {}, tr("Sweep spec (*.json)"));
    if (path.isEmpty()) return;
    std::string text;
    try {
      text = read_input_file(path.toStdString(), kMaxSpecBytes);  // a regular file of bounded size
    } catch (const std::exception& e) {
      return (void)QMessageBox::warning(this, tr("Cannot load spec"), QString::fromStdString(e.what()));
    }
    const SpecParseResult parsed = parse_spec(text);
    if (!parsed.spec) {
      QStringList lines;
      for (const SpecError& e : parsed.errors) lines << QString::fromStdString(e.to_string());
      return (void)QMessageBox::warning(this, tr("Invalid spec"), path + "\n\n" + lines.join("\n"));
    }
    panel_->loadSpec(*parsed.spec);
  });
  QAction* save_spec = file->addAction(tr("&Save spec…"), this, [this] {
    QStringList errors;
    const auto spec = panel_->spec(&errors);
    if (!spec) return (void)QMessageBox::warning(this, tr("The spec is not valid"), errors.join("\n"));
    const QString path = QFileDialog::getSaveFileName(this, tr("Save sweep spec"), QString::fromStdString(spec->name) + ".json",
                                                      tr("Sweep spec (*.json)"));
    if (path.isEmpty()) return;
    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly) || f.write(QByteArray::fromStdString(spec_to_json(*spec))) < 0 || !f.commit())
      QMessageBox::warning(this, tr("Cannot save spec"), path + ": " + f.errorString());
  });
  save_spec->setShortcut(QKeySequence::Save);
  file->addSeparator();
  QAction* exp = file->addAction(tr("&Export report…"), this, &MainWindow::exportReportDialog);
  exp->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_E));
  QAction* exp_chart = file->addAction(tr("Export &chart…"), this, &MainWindow::exportCurrentChart);
  exp_chart->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_E));
  file->addSeparator();
  QAction* quit = file->addAction(tr("&Quit"), this, &QWidget::close);
  quit->setShortcut(QKeySequence::Quit);

  QMenu* edit = menuBar()->addMenu(tr("&Edit"));
  QAction* copy = edit->addAction(tr("Copy as &Markdown"), this, &MainWindow::copyMarkdown);
  copy->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_C));
  QAction* find = edit->addAction(tr("&Filter rows"), this, [this] {
    tabs_->setCurrentIndex(kTableTab);
    filter_->setFocus();
    filter_->selectAll();
  });
  find->setShortcut(QKeySequence::Find);

  buildViewMenu();
  buildRunMenu();

  QMenu* help = menuBar()->addMenu(tr("&Help"));
  help->addAction(tr("&About AttnSweep"), this, &MainWindow::about);
}

// Docks and toolbar can be closed and found again here; Ctrl+1..4 switch the tabs.
void MainWindow::buildViewMenu() {
  QMenu* view = menuBar()->addMenu(tr("&View"));
  for (QDockWidget* dock : findChildren<QDockWidget*>()) view->addAction(dock->toggleViewAction());
  for (QToolBar* bar : findChildren<QToolBar*>()) view->addAction(bar->toggleViewAction());
  view->addSeparator();
  for (int tab = 0; tab < tabs_->count(); ++tab) {
    QAction* show = view->addAction(tabs_->tabText(tab), this, [this, tab] { tabs_->setCurrentIndex(tab); });
    show->setShortcut(QKeySequence(Qt::CTRL | static_cast<Qt::Key>(Qt::Key_1 + tab)));
  }
}

// F5, F6 and Shift+F5 everywhere in the window; Esc stays with whatever is being edited.
void MainWindow::buildRunMenu() {
  QMenu* run = menuBar()->addMenu(tr("&Run"));
  run_action_ = run->addAction(tr("&Run"), this, [this] { startRun(false); });
  run_action_->setShortcut(QKeySequence(Qt::Key_F5));
  resume_action_ = run->addAction(tr("R&esume"), this, [this] { startRun(true); });
  resume_action_->setShortcut(QKeySequence(Qt::Key_F6));
  stop_action_ = run->addAction(tr("&Stop"), runner_, &RunController::stop);
  stop_action_->setShortcut(QKeySequence(Qt::SHIFT | Qt::Key_F5));
  stop_action_->setEnabled(false);
}

void MainWindow::rememberRecent(const QString& path) {
  QSettings settings;
  QStringList recent = settings.value("recent/files").toStringList();
  const QString absolute = QFileInfo(path).absoluteFilePath();
  recent.removeAll(absolute);
  recent.prepend(absolute);
  settings.setValue("recent/files", recent.mid(0, kRecentFiles));
}

void MainWindow::fillRecentMenu() {
  recent_menu_->clear();
  const QStringList recent = QSettings().value("recent/files").toStringList();
  for (const QString& path : recent) {
    recent_menu_->addAction(QDir::toNativeSeparators(path), this, [this, path] {
      QString error;
      if (!openFile(path, &error)) QMessageBox::warning(this, tr("Cannot open results"), error);
    });
  }
  if (recent.isEmpty()) recent_menu_->addAction(tr("(none yet)"))->setEnabled(false);
  recent_menu_->addSeparator();
  recent_menu_->addAction(tr("Clear the list"), this, [] { QSettings().remove("recent/files"); });
}

// Loads a result file and hands it to `use`; a file that does not load is shown (log, status
// bar, `error`) and changes nothing.
bool MainWindow::loadThen(const QString& path, QString* error, const std::function<void(ResultSet)>& use) {
  try {
    ResultSet set = load_result_set(path.toStdString());
    for (const std::string& w : set.warnings) log("warning", QString::fromStdString(w));
    use(std::move(set));
    return true;
  } catch (const std::exception& e) {
    const QString message = QString::fromUtf8(e.what());
    log("error", message);
    statusBar()->showMessage(message, 10000);
    if (error) *error = message;
    return false;
  }
}

bool MainWindow::openFile(const QString& path, QString* error) {
  return loadThen(path, error, [&](ResultSet set) {
    follower_->stop();
    log("info", tr("opened %1: %2 cells").arg(path).arg(set.results.size()));
    showResults(std::move(set));
    rememberRecent(path);
  });
}

bool MainWindow::followFile(const QString& path, QString* error) {
  if (runner_->isRunning()) {
    if (error) *error = tr("a sweep is running in this window; follow the file in a new window");
    return false;
  }
  follower_->stop();
  follower_->start(path);
  if (!follower_->error().isEmpty()) {
    if (error) *error = follower_->error();
    return false;
  }
  if (follower_->isFollowing() && !follower_->hasHeader()) {  // nothing written yet: say what is followed
    ResultSet waiting;
    waiting.path = path.toStdString();
    waiting.name = QFileInfo(path).fileName().toStdString();
    showResults(std::move(waiting));
  }
  return true;
}

bool MainWindow::openBaseline(const QString& path, QString* error) {
  return loadThen(path, error, [&](ResultSet base) {
    doc_.setBaseline(std::move(base));
    const Comparison& c = doc_.comparison()->comparison;
    for (const EnvironmentDifference& d : c.environment)
      log("warning", tr("baseline differs: %1: %2 (baseline) vs %3")
                         .arg(QString::fromStdString(d.what), QString::fromStdString(d.base), QString::fromStdString(d.now)));
    for (const std::string& note : c.notes) log("info", QString::fromStdString(note));
    log("info", tr("comparing with %1").arg(path));
  });
}

void MainWindow::showResults(ResultSet set) {
  doc_.replace(std::move(set));
  showStatus();
}

// The window's title and status line: the results, where they ran, the baseline and its verdicts.
void MainWindow::showStatus() {
  const ResultSet& set = doc_.set();
  const QString title = QString::fromStdString(set.name);
  const QString env = QString::fromStdString(describe_environment(set.header));
  setWindowTitle(window_title(set.name));
  const std::optional<std::size_t> planned = follower_->planned();
  const QString cells = follower_->isFollowing() && planned
                            ? tr("%1 of %2 cells").arg(set.results.size()).arg(*planned)
                            : tr("%1 cells").arg(set.results.size());
  QString text = (follower_->isFollowing() ? tr("Following %1 · %2%3") : tr("%1 · %2%3"))
                     .arg(title, cells, env.isEmpty() ? "" : " · " + env);
  if (const ComparisonIndex* c = doc_.comparison()) {
    QStringList counts;
    for (const auto& [verdict, n] : c->comparison.counts())
      if (n > 0) counts << QString("%1 %2").arg(n).arg(QString::fromStdString(std::string(verdict_name(verdict))));
    text += tr(" · against %1%2: %3")
                .arg(QString::fromStdString(doc_.baseline()->name),
                     c->comparison.different_card ? tr(" (a different card)") : QString(), counts.join(", "));
  }
  status_->setText(text);
}

void MainWindow::startRun(bool resume) {
  if (runner_->isRunning()) return;
  QStringList errors;
  const auto spec = panel_->spec(&errors);
  if (!spec) {
    for (const QString& e : errors) log("error", tr("spec: %1").arg(e));
    statusBar()->showMessage(tr("The sweep is not valid: %1").arg(errors.value(0)), 10000);
    return;
  }
  if (!panel_->someCheckedKernelRuns()) {
    log("error", tr("sweep not started: %1").arg(panel_->kernelHint()));
    status_->setText(tr("The sweep did not run: %1").arg(panel_->kernelHint()));
    return;
  }
  follower_->stop();  // the window shows the run it starts
  QString path = panel_->outputPath();
  if (path.isEmpty() || (!resume && QFileInfo::exists(path))) {
    // A fresh run never overwrites: it gets a new file next to the last one.
    const QString dir = path.isEmpty() ? QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + "/runs"
                                       : QFileInfo(path).absolutePath();
    QDir().mkpath(dir);
    path = dir + "/" + QString::fromStdString(spec->name.empty() ? "sweep" : spec->name) + "-" +
           QDateTime::currentDateTime().toString("yyyyMMdd-HHmmss") + ".jsonl";
    panel_->setOutputPath(path);
  }
  if (resume && QFileInfo::exists(path)) {
    if (!openFile(path)) return;
  } else {
    run_results_.emplace();
    run_results_->name = QFileInfo(path).fileName().toStdString();
    run_results_->path = path.toStdString();
  }
  QSettings().setValue("sweep/preset", QString::fromStdString(spec->name));
  run_planned_ = run_done_ = run_already_ = 0;
  run_clock_.start();
  if (runner_->start(*spec, path, resume, ExecutorChoice{panel_->backend()}) == 0) return;
  panel_->setRunning(true);
  run_action_->setEnabled(false);
  resume_action_->setEnabled(false);
  stop_action_->setEnabled(true);
  setWindowTitle(QString::fromStdString(spec->name) + tr(" (running) — AttnSweep"));
  status_->setText(tr("Running sweep '%1' into %2").arg(QString::fromStdString(spec->name), path));
  log("info", tr("%1 sweep '%2' into %3").arg(resume ? tr("resuming") : tr("starting"), QString::fromStdString(spec->name), path));
}

// The fixed metrics, then a speedup against each kernel of the results; the choice survives.
void MainWindow::refreshHeatMetrics() {
  constexpr HeatMetric kFixed[] = {HeatMetric::median_ms, HeatMetric::tflops, HeatMetric::pct_of_best,
                                   HeatMetric::pct_of_peak};
  std::vector<std::pair<HeatMetric, std::string>> wanted;
  if (doc_.baseline()) wanted.emplace_back(HeatMetric::ratio, "");
  for (HeatMetric m : kFixed) wanted.emplace_back(m, "");
  for (const std::string& k : kernels_of(doc_.results())) wanted.emplace_back(HeatMetric::speedup, k);
  const auto same = [&] {
    if (heat_metric_->count() != static_cast<int>(wanted.size())) return false;
    for (int i = 0; i < heat_metric_->count(); ++i) {
      const auto& [metric, kernel] = wanted[static_cast<std::size_t>(i)];
      if (heat_metric_->itemData(i).toInt() != static_cast<int>(metric) ||
          heat_metric_->itemData(i, kBaselineRole).toString().toStdString() != kernel)
        return false;
    }
    return true;
  };
  if (same()) return;
  const QString current = heat_metric_->currentText();
  QSignalBlocker block(heat_metric_);
  heat_metric_->clear();
  for (const auto& [metric, kernel] : wanted) {
    heat_metric_->addItem(QString::fromStdString(metric_title(metric, kernel)), static_cast<int>(metric));
    heat_metric_->setItemData(heat_metric_->count() - 1, QString::fromStdString(kernel), kBaselineRole);
  }
  heat_metric_->setCurrentIndex(std::max(0, heat_metric_->findText(current)));
}

std::string MainWindow::speedupBaseline() const {
  return heat_metric_->currentData(kBaselineRole).toString().toStdString();
}

void MainWindow::refreshSlices() {
  refreshHeatMetrics();
  const std::vector<Slice> slices = slices_of(doc_.results());
  if (static_cast<int>(slices.size()) == slice_->count()) return;
  const QString current = slice_->currentText();
  QSignalBlocker block(slice_);
  slice_->clear();
  for (const Slice& s : slices) slice_->addItem(QString::fromStdString(s.label()));
  int index = slice_->findText(current);
  if (index < 0) {
    const Slice main = main_slice(doc_.set());
    index = slice_->findText(QString::fromStdString(main.label()));
  }
  slice_->setCurrentIndex(std::max(0, index));
  std::fill(std::begin(views_dirty_), std::end(views_dirty_), true);
}

void MainWindow::scheduleRefresh() {
  std::fill(std::begin(views_dirty_) + 1, std::end(views_dirty_), true);  // the table updates itself
  if (!refresh_timer_->isActive()) refresh_timer_->start();
}

void MainWindow::refreshViews() {
  const int tab = tabs_->currentIndex();
  if (tab <= kTableTab || tab > kForwardTab || !views_dirty_[tab]) return;
  views_dirty_[tab] = false;
  const std::vector<Slice> slices = slices_of(doc_.results());
  const int si = slice_->currentIndex();
  const Slice slice = si >= 0 && si < static_cast<int>(slices.size()) ? slices[static_cast<std::size_t>(si)] : main_slice(doc_.set());
  switch (tab) {
    case kHeatmapTab: {
      const auto metric = static_cast<HeatMetric>(heat_metric_->currentData().toInt());
      if (metric == HeatMetric::ratio && doc_.baseline())
        show_comparison_heatmap(*heatmap_, doc_.set(), *doc_.baseline(), slice);
      else
        show_heatmap(*heatmap_, doc_.set(), slice, metric, speedupBaseline());
      break;
    }
    case kScalingTab: {
      const auto metric = static_cast<ScalingMetric>(scaling_metric_->currentData().toInt());
      show_scaling(*scaling_, doc_.set(), slice, metric, doc_.baseline() ? &*doc_.baseline() : nullptr);
      break;
    }
    case kForwardTab: show_forward(*forward_, doc_.set(), slice); break;
    default: break;
  }
}

QString MainWindow::statusText() const { return status_->text(); }

// Beside the filter: why the text is not a filter, or how many rows it keeps.
void MainWindow::showFilterNote() {
  const QString error = model_->filterError();
  if (!error.isEmpty()) {
    filter_note_->setText(tr("<span style='color:#b02020'>not a filter: %1</span>").arg(error.toHtmlEscaped()));
  } else if (!filter_->text().trimmed().isEmpty()) {
    filter_note_->setText(tr("%1 of %2 rows").arg(model_->rowCount()).arg(doc_.results().size()));
  } else {
    filter_note_->clear();
  }
  filter_note_->setVisible(!filter_note_->text().isEmpty());
}

void MainWindow::log(const QString& level, const QString& text) {
  const QString stamp = QTime::currentTime().toString("HH:mm:ss");
  const QString color = level == "error" ? "#b02020" : (level == "warning" ? "#a06000" : "#50545e");
  log_->appendHtml(QString("<span style='color:#8a8d96'>%1</span> <span style='color:%2'>%3</span> %4")
                       .arg(stamp, color, level.toHtmlEscaped(), text.toHtmlEscaped()));
}

void MainWindow::copyMarkdown() {
  std::vector<int> rows;
  for (const QModelIndex& i : table_->selectionModel()->selectedRows()) rows.push_back(i.row());
  std::sort(rows.begin(), rows.end());
  QApplication::clipboard()->setText(model_->markdown(rows));
  statusBar()->showMessage(tr("Copied %1 rows as Markdown").arg(rows.empty() ? model_->rowCount() : static_cast<int>(rows.size())), 4000);
}

void MainWindow::selectResult(const CellResult* r) {
  const auto& results = doc_.results();
  if (!r || results.empty() || r < results.data() || r >= results.data() + results.size()) return;
  const std::size_t index = static_cast<std::size_t>(r - results.data());
  if (model_->rowOfResult(index) < 0) filter_->clear();
  const int row = model_->rowOfResult(index);
  if (row < 0) return;
  tabs_->setCurrentIndex(kTableTab);
  table_->selectRow(row);
  table_->scrollTo(model_->index(row, 0), QAbstractItemView::PositionAtCenter);
}

void MainWindow::exportReportDialog() {
  if (doc_.results().empty()) return (void)QMessageBox::information(this, tr("Export report"), tr("There are no results to export yet."));
  QSettings settings;
  const QString dir = QFileDialog::getExistingDirectory(this, tr("Export the report into a folder"), settings.value("dirs/export").toString());
  if (dir.isEmpty()) return;
  settings.setValue("dirs/export", dir);
  const PictureMetrics metrics{static_cast<HeatMetric>(heat_metric_->currentData().toInt()),
                               static_cast<ScalingMetric>(scaling_metric_->currentData().toInt())};
  const ExportOutcome out =
      export_report(doc_.set(), dir, metrics, speedupBaseline(), doc_.baseline() ? &*doc_.baseline() : nullptr);
  for (const QString& e : out.errors) log("error", tr("export: %1").arg(e));
  for (const QString& n : out.not_drawn) log("warning", tr("export: not drawn: %1").arg(n));
  if (!out.ok) return (void)QMessageBox::warning(this, tr("Export failed"), out.errors.join("\n"));
  log("info", tr("exported %1 files into %2").arg(out.written.size()).arg(dir));
  statusBar()->showMessage(tr("Report written to %1").arg(dir), 8000);
}

void MainWindow::exportCurrentChart() {
  const int tab = tabs_->currentIndex();
  if (tab == kTableTab) return (void)QMessageBox::information(this, tr("Export chart"), tr("Choose the Heatmap, Scaling curves or Forward time tab first."));
  const QString path = QFileDialog::getSaveFileName(this, tr("Export chart"), {}, tr("PNG image (*.png);;SVG drawing (*.svg)"));
  if (path.isEmpty()) return;
  QWidget* view = tab == kHeatmapTab ? static_cast<QWidget*>(heatmap_) : tab == kForwardTab ? static_cast<QWidget*>(forward_) : scaling_;
  const QSize size = view->size();
  std::function<void(QPainter&, const QRect&)> paint;
  if (tab == kHeatmapTab) paint = [this](QPainter& p, const QRect& r) { heatmap_->paint(p, r); };
  else if (tab == kForwardTab) paint = [this](QPainter& p, const QRect& r) { forward_->paint(p, r); };
  else paint = [this](QPainter& p, const QRect& r) { scaling_->render(&p, r.topLeft()); };
  QString error;
  const bool ok = path.endsWith(".svg", Qt::CaseInsensitive) ? save_svg(paint, size, path, tabs_->tabText(tab), &error)
                                                             : save_png(paint, size, path, &error);
  if (!ok) QMessageBox::warning(this, tr("Export failed"), error);
  else statusBar()->showMessage(tr("Chart written to %1").arg(path), 6000);
}

void MainWindow::about() {
  const KernelCatalogue catalogue = kernel_catalogue();
  const auto built_in_kernels = std::count_if(catalogue.kernels.begin(), catalogue.kernels.end(),
                                              [](const CatalogueKernel& k) { return k.provider.empty(); });
  QMessageBox::about(this, tr("About AttnSweep"),
                     tr("<h3>AttnSweep %1</h3><p>Benchmarks attention-forward kernels.</p>"
                        "<p>Build %2<br>Qt %3 (runtime %4)<br>%5 kernels built in · %6 CUDA device(s) here</p>"
                        "<p>Fonts: DejaVu (Bitstream Vera license).</p>")
                         .arg(QStringLiteral(ATTNSWEEP_VERSION), QString::fromStdString(build_id()), QStringLiteral(QT_VERSION_STR), QString(qVersion()))
                         .arg(built_in_kernels)
                         .arg(catalogue.cuda_devices));
}

void MainWindow::closeEvent(QCloseEvent* e) {
  if (runner_->isRunning()) {
    const QString question =
        tr("A sweep is running (%1 of %2 cells done). Stop it and close the window? The result file keeps every "
           "finished cell; Resume continues it.")
            .arg(run_already_ + run_done_)
            .arg(run_planned_);
    const bool stop =
        confirmStop ? confirmStop(question)
                    : QMessageBox::question(this, tr("Stop the sweep?"), question, QMessageBox::Yes | QMessageBox::No,
                                            QMessageBox::No) == QMessageBox::Yes;
    if (!stop) return e->ignore();
  }
  runner_->stop();
  QSettings settings;
  settings.setValue("window/geometry", saveGeometry());
  settings.setValue("window/state", saveState());
  QMainWindow::closeEvent(e);
}

void MainWindow::dragEnterEvent(QDragEnterEvent* e) {
  if (e->mimeData()->hasUrls()) e->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* e) {
  const QList<QUrl> urls = e->mimeData()->urls();
  if (e->modifiers() & Qt::ShiftModifier) {  // Shift: the dropped file is the baseline of these results
    QString error;
    if (!urls.isEmpty() && !openBaseline(urls.first().toLocalFile(), &error))
      QMessageBox::warning(this, tr("Cannot open the baseline"), error);
    e->acceptProposedAction();
    return;
  }
  for (int i = 0; i < urls.size(); ++i) {
    const QString path = urls[i].toLocalFile();
    if (path.isEmpty()) continue;
    QString error;
    if (i == 0) {
      if (!openFile(path, &error)) QMessageBox::warning(this, tr("Cannot open results"), error);
      continue;
    }
    auto* w = new MainWindow();  // further files open beside this one
    w->setAttribute(Qt::WA_DeleteOnClose);
    if (w->openFile(path, &error)) w->show();
    else {
      QMessageBox::warning(this, tr("Cannot open results"), error);
      delete w;
    }
  }
  e->acceptProposedAction();
}

}  // namespace attnsweep::gui
