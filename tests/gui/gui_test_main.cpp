// Main of the GUI suite: offscreen platform unless told otherwise, one QApplication, embedded
// fonts, and every Qt warning a test failure (QAbstractItemModelTester reports through them).
#include <gtest/gtest.h>

#include <QApplication>
#include <QStandardPaths>
#include <cstdlib>

#include "app/picture_style.h"

namespace {

void fail_on_warnings(QtMsgType type, const QMessageLogContext&, const QString& msg) {
  if (type == QtDebugMsg || type == QtInfoMsg) return;
  // The offscreen plugin says this when a window is shown; it is not about our code.
  if (msg.contains("propagateSizeHints") || msg.contains("XDG_RUNTIME_DIR")) return;
  ADD_FAILURE() << "Qt warning: " << msg.toStdString();
}

}  // namespace

int main(int argc, char** argv) {
  if (!std::getenv("QT_QPA_PLATFORM")) setenv("QT_QPA_PLATFORM", "offscreen", 1);
  QStandardPaths::setTestModeEnabled(true);  // QSettings and app data go to a test location
  QApplication app(argc, argv);
  QApplication::setApplicationName("AttnSweepTests");
  QApplication::setOrganizationName("AttnSweep");
  attnsweep::gui::style::register_picture_fonts();
  qInstallMessageHandler(fail_on_warnings);
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
