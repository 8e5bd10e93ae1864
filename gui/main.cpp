// attnsweep: the desktop app. With -o DIR it writes a report folder and exits, on Qt's offscreen
// platform, so GPU servers and CI without a display make the same pictures.
#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QFileInfo>
#include <QScreen>
#include <QTabWidget>
#include <cstdio>
#include <filesystem>
#include <optional>

#include "app/main_window.h"
#include "app/picture_style.h"
#include "app/report_export.h"
#include "app/sweep_panel.h"
#include "attnsweep/engine/data_dir.h"
#include "attnsweep/engine/environment.h"
#include "core/result_set.h"

namespace {

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
  const ExportOutcome out = export_report(set, dir, {}, baseline, base ? &*base : nullptr);
  for (const QString& e : out.errors) std::fprintf(stderr, "attnsweep: %s\n", qPrintable(e));
  for (const QString& n : out.not_drawn) std::fprintf(stderr, "attnsweep: not drawn: %s\n", qPrintable(n));
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

// The command line, for the app and for --help: -o is the output, as in attnsweep-cli.
struct Options {
  QCommandLineOption open{"open", "Open a result file (.jsonl, .json report, seed .md). Repeat to compare.", "RESULTS"};
  QCommandLineOption export_dir{{"o", "out", "export-report"},
                                "Write the report folder for the opened results into DIR and exit (no display needed).",
                                "DIR"};
  QCommandLineOption preset{"preset", "Select a preset in the sweep panel.", "NAME"};
  QCommandLineOption follow{"follow",
                            "Follow a result file that a run (here or on a mounted disk) is still writing: its cells "
                            "appear as they land.",
                            "FILE"};
  QCommandLineOption baseline{"baseline", "With -o: add every cell's speedup against KERNEL of the same results.",
                              "KERNEL"};
  QCommandLineOption compare_with{"compare-with",
                                  "Compare the opened results with the baseline run BASE (with -o: add the comparison "
                                  "report and heatmap).",
                                  "BASE"};
  QCommandLineOption shots{"screenshots",
                           "Open the results in a 1366x768 window, save each tab as PNG into DIR and exit.", "DIR"};
  QCommandLineOption help = QCommandLineOption({"h", "help"}, "Show this help and exit.");
  QCommandLineOption version = QCommandLineOption({"v", "version"}, "Print the version and git commit and exit.");

  explicit Options(QCommandLineParser& parser) {
    parser.setApplicationDescription("AttnSweep: benchmark attention-forward kernels; explore and export results.");
    for (const QCommandLineOption* o : {&help, &version, &open, &export_dir, &preset, &follow, &baseline, &compare_with, &shots})
      parser.addOption(*o);
    parser.addPositionalArgument("files", "Result files to open.", "[RESULTS...]");
  }
};

// The arguments that are ours: QApplication takes its own (-platform offscreen, -style fusion, ...).
QStringList our_arguments(int argc, char** argv) {
  static const QStringList qt_with_value = {"-platform", "-platformpluginpath", "-platformtheme", "-plugin",
                                            "-style",    "-stylesheet",         "-session",       "-display",
                                            "-geometry", "-qwindowgeometry",    "-qwindowicon",   "-qwindowtitle",
                                            "-title"};
  static const QStringList qt_flags = {"-reverse", "-nograb", "-dograb", "-sync", "-widgetcount"};
  QStringList out;
  for (int i = 0; i < argc; ++i) {
    const QString a = QString::fromLocal8Bit(argv[i]);
    if (qt_with_value.contains(a)) ++i;
    else if (!qt_flags.contains(a)) out << a;
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  // The command line is read before any window system is asked for: --help, --version and a
  // mistyped option answer on a server without a display.
  QCommandLineParser parser;
  const Options options(parser);
  if (!parser.parse(our_arguments(argc, argv))) {
    std::fprintf(stderr, "attnsweep: %s (see attnsweep --help)\n", qPrintable(parser.errorText()));
    return 2;
  }
  if (parser.isSet(options.help)) {
    // Without an application object Qt cannot name the program in the usage line.
    std::printf("%s", qPrintable(parser.helpText().replace("<executable_name>", "attnsweep")));
    return 0;
  }
  if (parser.isSet(options.version)) {
    std::printf("%s\n", attnsweep::version_text("attnsweep").c_str());
    return 0;
  }
  const QString export_to = parser.value(options.export_dir);
  if (QFileInfo(export_to).isFile()) {
    std::fprintf(stderr,
                 "attnsweep: -o/--out names the report folder to write, and %s is a file; to open it: "
                 "attnsweep %s\n",
                 qPrintable(export_to), qPrintable(export_to));
    return 2;
  }
  const bool headless = parser.isSet(options.export_dir) || parser.isSet(options.shots);
  if (headless && qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen");
  if (!headless && qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM") && qEnvironmentVariableIsEmpty("DISPLAY") &&
      qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY")) {
    std::fprintf(stderr,
                 "attnsweep: no display. To make the report without one:\n"
                 "  attnsweep RESULTS.jsonl -o DIR\n");
    return 2;
  }
  QApplication app(argc, argv);
  QApplication::setApplicationName("AttnSweep");
  QApplication::setOrganizationName("AttnSweep");
  QApplication::setApplicationVersion(ATTNSWEEP_VERSION);
  if (!attnsweep::gui::style::register_picture_fonts())
    std::fprintf(stderr, "attnsweep: warning: embedded fonts missing; pictures use the system font\n");
  QStringList files = parser.values(options.open) + parser.positionalArguments();

  if (parser.isSet(options.export_dir)) {
    if (files.size() != 1) {
      std::fprintf(stderr, "attnsweep: -o/--out needs exactly one result file (attnsweep RESULTS -o DIR)\n");
      return 2;
    }
    return export_headless(files.first(), parser.value(options.export_dir), parser.value(options.baseline).toStdString(),
                           parser.value(options.compare_with));
  }

  if (parser.isSet(options.follow)) {
    auto* w = new attnsweep::gui::MainWindow();
    w->setAttribute(Qt::WA_DeleteOnClose);
    if (parser.isSet(options.preset)) w->panel()->selectPreset(parser.value(options.preset));
    w->followFile(parser.value(options.follow));  // a failure is shown in the window's log and status bar
    if (parser.isSet(options.compare_with)) w->openBaseline(parser.value(options.compare_with));
    w->show();
    return QApplication::exec();
  }
  if (files.isEmpty()) {
    if (const QString sample = sample_results(); !sample.isEmpty()) files << sample;
    else std::fprintf(stderr, "attnsweep: no sample results beside the program (share/attnsweep/resources/"
                              "sample-results); starting empty\n");
  }
  if (parser.isSet(options.shots)) return save_screenshots(files.value(0), parser.value(options.shots));
  std::vector<attnsweep::gui::MainWindow*> windows;
  for (const QString& f : files.isEmpty() ? QStringList{QString()} : files) {
    auto* w = new attnsweep::gui::MainWindow();
    w->setAttribute(Qt::WA_DeleteOnClose);
    if (parser.isSet(options.preset)) w->panel()->selectPreset(parser.value(options.preset));
    if (!f.isEmpty()) w->openFile(f);  // a failure is shown in the window's log and status bar
    if (parser.isSet(options.compare_with)) w->openBaseline(parser.value(options.compare_with));
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
