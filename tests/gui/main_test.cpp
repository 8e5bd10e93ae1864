// The app's command line (gui/main.cpp) through the real binary, as a headless GPU server runs it:
// no display, no QT_QPA_PLATFORM.
#include <gtest/gtest.h>

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>

#include "fixtures.h"

namespace attnsweep::gui {
namespace {

struct AppRun {
  int code = -1;
  QString out, err;
};

AppRun app(const QStringList& args) {
  QProcess p;
  QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
  for (const char* name : {"DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"}) env.remove(name);
  p.setProcessEnvironment(env);
  p.start(ATTNSWEEP_APP, args);
  if (!p.waitForFinished(120000)) return {};
  return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, QString::fromUtf8(p.readAllStandardOutput()),
          QString::fromUtf8(p.readAllStandardError())};
}

TEST(AppCommandLine, HelpAndVersionWorkWithoutADisplay) {
  const AppRun version = app({"--version"});
  EXPECT_EQ(version.code, 0) << version.err.toStdString();
  EXPECT_TRUE(version.out.startsWith("attnsweep ")) << version.out.toStdString();
  EXPECT_TRUE(version.out.contains("(git ")) << version.out.toStdString();
  const AppRun help = app({"--help"});
  EXPECT_EQ(help.code, 0) << help.err.toStdString();
  EXPECT_TRUE(help.out.startsWith("Usage: attnsweep [options] [RESULTS...]")) << help.out.toStdString();
  for (const char* option : {"-o, --out, --export-report <DIR>", "--open <RESULTS>", "--version", "--preset"})
    EXPECT_TRUE(help.out.contains(option)) << option << "\n" << help.out.toStdString();
  const AppRun typo = app({"--exprot-report", "x"});
  EXPECT_EQ(typo.code, 2);
  EXPECT_TRUE(typo.err.contains("exprot-report")) << typo.err.toStdString();
}

// -o is the output, as in attnsweep-cli: the report folder.
TEST(AppCommandLine, DashOWritesTheReportFolder) {
  QTemporaryDir dir;
  const QString results =
      QString::fromStdString(testing::write_result_file(dir, "r.jsonl", testing::seed_like_results()));
  const AppRun out = app({results, "-o", dir.filePath("report")});
  EXPECT_EQ(out.code, 0) << out.err.toStdString();
  for (const char* name : {"report.md", "report.csv", "report.json", "report.html", "attention_sweep_heatmap.png"})
    EXPECT_TRUE(QFile::exists(dir.filePath(QString("report/") + name))) << name;

  // The app's -o once opened a file: given one, it says what -o is now and how to open it.
  const AppRun file = app({"-o", results});
  EXPECT_EQ(file.code, 2);
  EXPECT_TRUE(file.err.contains("-o/--out names the report folder")) << file.err.toStdString();
  EXPECT_TRUE(file.err.contains("attnsweep " + results)) << file.err.toStdString();
}

TEST(AppCommandLine, WithoutADisplayTheWindowSaysHowToMakeTheReport) {
  const AppRun plain = app({});
  EXPECT_EQ(plain.code, 2);
  EXPECT_TRUE(plain.err.contains("no display")) << plain.err.toStdString();
  EXPECT_TRUE(plain.err.contains("-o DIR"));
}

}  // namespace
}  // namespace attnsweep::gui
