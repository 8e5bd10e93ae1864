#include "core/result_set.h"

#include <gtest/gtest.h>

#include <QTemporaryDir>

#include "fixtures.h"

namespace attnsweep::gui {
namespace {

// The engine opens every format (tests/engine/open_results_test.cpp); the set adds its name.
TEST(ResultSet, OpensWhatTheEngineOpensUnderTheFilesName) {
  QTemporaryDir dir;
  const std::string path = testing::write_result_file(dir, "r.jsonl", testing::seed_like_results());
  const ResultSet set = load_result_set(path);
  EXPECT_EQ(set.name, "r.jsonl");
  EXPECT_EQ(set.path, path);
  EXPECT_EQ(set.results.size(), 24u);
  EXPECT_EQ(set.results[9].status, CellStatus::oom);

  const ResultSet seed = load_result_set(ATTNSWEEP_SOURCE_DIR "/tests/engine/data/seed_000_44dcfb095d361470.md");
  EXPECT_EQ(seed.name, "seed_000_44dcfb095d361470.md");
  EXPECT_EQ(seed.results.size(), 96u);
}

TEST(ResultSet, AFileThatDoesNotOpenSaysWhy) {
  QTemporaryDir dir;
  try {
    load_result_set(dir.filePath("missing.jsonl").toStdString());
    ADD_FAILURE() << "opened";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("missing.jsonl: no such file"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace attnsweep::gui
