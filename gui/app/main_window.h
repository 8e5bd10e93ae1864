#pragma once
// The main window: the sweep panel (left), the views in tabs (table, heatmap, scaling curves,
// forward time), the log (bottom). It owns the results document and the run controller and
// wires them; drawing and number logic live in the views and the core. It opens no larger than
// the screen; pictures too large for it scroll.
#include <QElapsedTimer>
#include <QMainWindow>
#include <functional>
#include <optional>

#include "app/results_document.h"
#include "app/run_controller.h"

class QComboBox;
class QLabel;
class QLineEdit;
class QMenu;
class QPlainTextEdit;
class QTabWidget;
class QTableView;
class QTimer;

namespace attnsweep::gui {

class FileFollower;
class ForwardView;
class HeatmapView;
class ResultsModel;
class ScalingView;
class SweepPanel;

class MainWindow : public QMainWindow {
  Q_OBJECT
 public:
  explicit MainWindow(QWidget* parent = nullptr);
  ~MainWindow() override;

  // Opens a result file; on failure shows (and returns) the reason, keeping what was shown.
  bool openFile(const QString& path, QString* error = nullptr);
  void showResults(ResultSet set);
  // Opens a second result file as the baseline the current results are compared with.
  bool openBaseline(const QString& path, QString* error = nullptr);
  // Shows a result file that a run is still writing, its cells as they land (FileFollower);
  // false (and the reason) while a sweep of this window runs.
  bool followFile(const QString& path, QString* error = nullptr);
  FileFollower& follower() { return *follower_; }
  void startRun(bool resume);
  ResultsDocument& document() { return doc_; }
  RunController& runner() { return *runner_; }
  QTabWidget* tabs() const { return tabs_; }
  SweepPanel* panel() const { return panel_; }
  QTableView* table() const { return table_; }
  QLineEdit* filter() const { return filter_; }
  QLabel* filterNote() const { return filter_note_; }
  HeatmapView* heatmap() const { return heatmap_; }
  QString statusText() const;
  void refreshViews();

  // Asked before a window closes while its sweep runs; tests answer it without a dialog.
  std::function<bool(const QString& question)> confirmStop;

 protected:
  void closeEvent(QCloseEvent*) override;
  void dragEnterEvent(QDragEnterEvent*) override;
  void dropEvent(QDropEvent*) override;

 private:
  void buildViewToolbar();
  void buildTabs();
  QWidget* buildTablePage();
  void buildDocks();
  void connectDocument();
  void connectRunner();
  void connectFollower();
  void buildMenus();
  void buildRunMenu();
  void buildViewMenu();
  void rememberRecent(const QString& path);
  void fillRecentMenu();
  void showFilterNote();
  void restoreSettings();
  void refreshSlices();
  void refreshHeatMetrics();
  void showStatus();
  bool loadThen(const QString& path, QString* error, const std::function<void(ResultSet)>& use);
  // The kernel the heatmap's speedup is against; "" unless a "Speedup vs" metric is chosen.
  std::string speedupBaseline() const;
  void scheduleRefresh();
  void log(const QString& level, const QString& text);
  void exportReportDialog();
  void exportCurrentChart();
  void copyMarkdown();
  void selectResult(const CellResult* r);
  void about();

  ResultsDocument doc_;
  ResultsModel* model_;
  RunController* runner_;
  FileFollower* follower_;
  SweepPanel* panel_;
  QTabWidget* tabs_;
  QTableView* table_;
  QLineEdit* filter_;
  QLabel* filter_note_;
  QMenu* recent_menu_ = nullptr;
  QAction* run_action_ = nullptr;
  QAction* resume_action_ = nullptr;
  QAction* stop_action_ = nullptr;
  HeatmapView* heatmap_;
  ScalingView* scaling_;
  ForwardView* forward_;
  QComboBox* slice_;
  QComboBox* heat_metric_;
  QComboBox* scaling_metric_;
  QPlainTextEdit* log_;
  QLabel* status_;
  QTimer* refresh_timer_;
  QElapsedTimer run_clock_;
  std::size_t run_planned_ = 0, run_done_ = 0, run_already_ = 0, run_ok_ = 0;
  // A fresh run's empty results: they replace what is shown once the engine has planned the sweep,
  // so a sweep refused before it starts leaves the shown results in place.
  std::optional<ResultSet> run_results_;
  bool views_dirty_[4] = {true, true, true, true};
};

}  // namespace attnsweep::gui
