#include "app/file_follower.h"

#include <gtest/gtest.h>

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <filesystem>
#include <fstream>

#include "attnsweep/engine/result_json.h"
#include "attnsweep/engine/spec.h"
#include "fixtures.h"

namespace attnsweep::gui {
namespace {

// A run's lines: its header (a spec of two cells), then each cell as the store writes it.
std::string header_line() {
  const SpecParseResult spec = parse_spec(R"({"name": "followed", "kernels": ["cpu_naive", "cpu_flash"],
    "dtypes": ["fp16"], "causal": [false], "tiers": [{"q_n": 512, "head_dim": 64, "heads": 12, "batch": 1}]})");
  const nlohmann::json header = {
      {"type", "header"}, {"schema", kResultSchema}, {"spec", nlohmann::json::parse(spec_to_json(*spec.spec))}};
  return header.dump() + "\n";
}
std::string cell_line(const std::string& kernel) {
  return result_to_json(testing::make_result(kernel, 512, 64, 1.0)).dump() + "\n";
}
void append(const QString& path, const std::string& bytes) {
  std::ofstream(path.toStdString(), std::ios::binary | std::ios::app) << bytes;
}

TEST(FileFollower, HandsOnCellsAsTheyLandAndEndsWhenTheFileIsComplete) {
  QTemporaryDir dir;
  const QString path = dir.filePath("run.jsonl");
  FileFollower follower(nullptr, 50);
  QSignalSpy opened(&follower, &FileFollower::opened);
  QSignalSpy appended(&follower, &FileFollower::appended);
  QSignalSpy finished(&follower, &FileFollower::finished);
  follower.start(path);  // the run has not created it yet
  EXPECT_TRUE(follower.isFollowing());
  EXPECT_FALSE(follower.hasHeader());

  const std::string first = cell_line("cpu_naive");
  append(path, header_line() + first.substr(0, 40));
  ASSERT_TRUE(QTest::qWaitFor([&] { return opened.count() == 1; }, 5000));
  EXPECT_EQ(follower.planned(), 2u);
  append(path, first.substr(40));
  ASSERT_TRUE(QTest::qWaitFor([&] { return appended.count() == 1; }, 5000));
  EXPECT_EQ(follower.cells(), 1u);
  EXPECT_TRUE(follower.isFollowing());

  append(path, cell_line("cpu_flash"));
  ASSERT_TRUE(QTest::qWaitFor([&] { return finished.count() == 1; }, 5000));
  EXPECT_TRUE(finished.front().front().toBool()) << "complete";
  EXPECT_FALSE(follower.isFollowing());
  EXPECT_EQ(appended.count(), 2);
}

TEST(FileFollower, AReplacedFileIsReadAgainAndABadLineEndsFollowing) {
  QTemporaryDir dir;
  const QString path = dir.filePath("run.jsonl");
  append(path, header_line() + cell_line("cpu_naive"));
  FileFollower follower(nullptr, 50);
  QSignalSpy opened(&follower, &FileFollower::opened);
  QSignalSpy restarted(&follower, &FileFollower::restarted);
  QSignalSpy failed(&follower, &FileFollower::failed);
  follower.start(path);
  ASSERT_EQ(opened.count(), 1);

  std::filesystem::resize_file(path.toStdString(), 10);  // a new run into the same path starts over
  ASSERT_TRUE(QTest::qWaitFor([&] { return restarted.count() == 1; }, 5000));
  EXPECT_TRUE(restarted.front().front().toString().contains("truncated while followed"));
  std::filesystem::remove(path.toStdString());
  append(path, header_line());
  ASSERT_TRUE(QTest::qWaitFor([&] { return opened.count() == 2; }, 5000));
  EXPECT_EQ(follower.cells(), 0u);

  append(path, "not a record\n");
  ASSERT_TRUE(QTest::qWaitFor([&] { return failed.count() == 1; }, 5000));
  EXPECT_TRUE(failed.front().front().toString().contains("line 2: not valid JSON")) << failed.front().front().toString().toStdString();
  EXPECT_FALSE(follower.isFollowing());
  EXPECT_EQ(follower.error(), failed.front().front().toString());
}

}  // namespace
}  // namespace attnsweep::gui
