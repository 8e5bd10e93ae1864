// attnsweep: the desktop app. With --export-report it writes a report folder and exits, on
// Qt's offscreen platform, so GPU servers and CI without a display make the same pictures.
#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QScreen>
#include <QTabWidget>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <optional>

#include "app/main_window.h"
#include "app/picture_style.h"
#include "app/report_export.h"
#include "app/sweep_panel.h"
#include "attnsweep/engine/data_dir.h"
#include "core/result_set.h"

namespace {

bool has_arg(int argc, char** argv, const char* name) {
  for (int i = 1; i < argc; ++i)
    if (std::strncmp(argv[i], name, std::strlen(name)) == 0) return true;
  return false;
}

// The bundled results measured on a real H100, so a first start shows something real.
QString sample_results() {
  const std::filesystem::path data = attnsweep::data_dir();
  if (data.empty()) return {};
  const QDir dir(QString::fromStdString((data / "resources" / "sample-results").string()));
  const QStringList files = dir.entryList({"*.jsonl"}, QDir::Files, QDir::Name);
  for (const QString& f : files)
    if (f.contains("h100", Qt::CaseInsensitive)) return dir.filePath(f);
  return files.isEmpty() ? QString() : dir.filePath(files.first());
}

// `compare_with`: a baseline run ("" for none).
int export_headless(const QString& results, const QString& dir, const std::string& baseline, const QString& compare_with) {
  using namespace attnsweep::gui;
  ResultSet set;
  std::optional<ResultSet> base;
  try {
    set = load_result_set(results.toStdString());
    if (!compare_with.isEmpty()) base = load_result_set(compare_with.toStdString());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "attnsweep: %s\n", e.what());
    return 1;
  }
  for (const std::string& w : set.warnings) std::fprintf(stderr, "attnsweep: warning: %s\n", w.c_str());
  const ExportOutcome out = export_report(set, dir, baseline, base ? &*base : nullptr);
  for (const QString& e : out.errors) std::fprintf(stderr, "attnsweep: %s\n", qPrintable(e));
  for (const QString& f : out.written) std::printf("%s\n", qPrintable(QDir(dir).filePath(f)));
  return out.ok ? 0 : 1;
}

// The README's pictures of the app, made by the app: each tab of a 1366x768 window.
int save_screenshots(const QString& results, const QString& dir) {
  attnsweep::gui::MainWindow w;
  w.resize(1366, 768);
  w.show();
  QString error;
  if (!results.isEmpty() && !w.openFile(results, &error)) {
    std::fprintf(stderr, "attnsweep: %s\n", qPrintable(error));
    return 1;
  }
  QDir().mkpath(dir);
  const char* names[] = {"app-table.png", "app-heatmap.png", "app-scaling.png", "app-forward.png"};
  for (int tab = 0; tab < 4; ++tab) {
    w.tabs()->setCurrentIndex(tab);
    QApplication::processEvents();
    const QString path = QDir(dir).filePath(names[tab]);
    if (!w.grab().save(path)) {
      std::fprintf(stderr, "attnsweep: %s: cannot write\n", qPrintable(path));
      return 1;
    }
    std::printf("%s\n", qPrintable(path));
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const bool headless = has_arg(argc, argv, "--export-report") || has_arg(argc, argv, "--screenshots");
  if (headless && qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen");
  if (!headless && qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM") && qEnvironmentVariableIsEmpty("DISPLAY") &&
      qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY") && !has_arg(argc, argv, "--help") && !has_arg(argc, argv, "--version")) {
    std::fprintf(stderr,
                 "attnsweep: no display. To make the report without one:\n"
                 "  attnsweep --open RESULTS.jsonl --export-report DIR\n");
    return 2;
  }
  QApplication app(argc, argv);
  QApplication::setApplicationName("AttnSweep");
  QApplication::setOrganizationName("AttnSweep");
  QApplication::setApplicationVersion(ATTNSWEEP_VERSION);
  if (!attnsweep::gui::style::install_embedded_fonts())
    std::fprintf(stderr, "attnsweep: warning: embedded fonts missing; pictures use the system font\n");

  QCommandLineParser parser;
  parser.setApplicationDescription("AttnSweep: benchmark attention-forward kernels; explore and export results.");
  parser.addHelpOption();
  parser.addVersionOption();
  const QCommandLineOption open({"o", "open"}, "Open a result file (.jsonl, .json report, seed .md). Repeat to compare.", "RESULTS");
  const QCommandLineOption export_dir("export-report", "Write the report folder for the opened results and exit (no display needed).", "DIR");
  const QCommandLineOption preset("preset", "Select a preset in the sweep panel.", "NAME");
  parser.addOption(open);
  parser.addOption(export_dir);
  parser.addOption(preset);
  const QCommandLineOption baseline("baseline", "With --export-report: add every cell's speedup against KERNEL of the same results.", "KERNEL");
  parser.addOption(baseline);
  const QCommandLineOption compare_with("compare-with", "Compare the opened results with the baseline run BASE (with --export-report: add the comparison report and heatmap).", "BASE");
  parser.addOption(compare_with);
  const QCommandLineOption shots("screenshots", "Open the results in a 1366x768 window, save each tab as PNG into DIR and exit.", "DIR");
  parser.addOption(shots);
  parser.addPositionalArgument("files", "Result files to open.", "[RESULTS...]");
  parser.process(app);
  QStringList files = parser.values(open) + parser.positionalArguments();

  if (parser.isSet(export_dir)) {
    if (files.size() != 1) {
      std::fprintf(stderr, "attnsweep: --export-report needs exactly one result file (--open RESULTS)\n");
      return 2;
    }
    return export_headless(files.first(), parser.value(export_dir), parser.value(baseline).toStdString(),
                           parser.value(compare_with));
  }

  if (files.isEmpty()) {
    if (const QString sample = sample_results(); !sample.isEmpty()) files << sample;
    else std::fprintf(stderr, "attnsweep: no sample results beside the program (share/attnsweep/resources/"
                              "sample-results); starting empty\n");
  }
  if (parser.isSet(shots)) return save_screenshots(files.value(0), parser.value(shots));
  std::vector<attnsweep::gui::MainWindow*> windows;
  for (const QString& f : files.isEmpty() ? QStringList{QString()} : files) {
    auto* w = new attnsweep::gui::MainWindow();
    w->setAttribute(Qt::WA_DeleteOnClose);
    if (parser.isSet(preset)) w->panel()->selectPreset(parser.value(preset));
    if (!f.isEmpty()) w->openFile(f);  // a failure is shown in the window's log and status bar
    if (parser.isSet(compare_with)) w->openBaseline(parser.value(compare_with));
    windows.push_back(w);
  }
  if (windows.size() > 1) {
    // Side by side: split the screen among the windows.
    const QRect screen = QApplication::primaryScreen()->availableGeometry();
    const int width = screen.width() / static_cast<int>(windows.size());
    for (std::size_t i = 0; i < windows.size(); ++i)
      windows[i]->setGeometry(screen.left() + static_cast<int>(i) * width, screen.top(), width, screen.height());
  }
  for (auto* w : windows) w->show();
  return QApplication::exec();
}
