#include "core/result_set.h"

#include <gtest/gtest.h>

#include <QFile>
#include <QTemporaryDir>
#include <fstream>

#include "attnsweep/engine/result_json.h"
#include "fixtures.h"

namespace attnsweep::gui {
namespace {

std::string write(const QTemporaryDir& dir, const char* name, const std::string& text) {
  const std::string path = dir.filePath(name).toStdString();
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

// Opening must fail with a message that names the file and says what is wrong.
void expect_clear_error(const std::string& path, const std::string& words) {
  try {
    load_result_set(path);
    ADD_FAILURE() << path << " opened without an error";
  } catch (const std::runtime_error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find(path), std::string::npos) << what;
    EXPECT_NE(what.find(words), std::string::npos) << what;
  }
}

TEST(ResultSet, OpensTheEnginesJsonLines) {
  QTemporaryDir dir;
  const std::string path = testing::write_result_file(dir, "r.jsonl", testing::seed_like_results());
  const ResultSet set = load_result_set(path);
  EXPECT_EQ(set.name, "r.jsonl");
  EXPECT_EQ(set.results.size(), 24u);
  EXPECT_EQ(set.results[9].status, CellStatus::oom);
  EXPECT_EQ(describe_environment(set.header), "NVIDIA H100 80GB HBM3 · 2026-11-25");
  EXPECT_EQ(peak_tflops(set.header, DType::fp16), 751.0);
  EXPECT_FALSE(peak_tflops(nlohmann::json::object(), DType::fp16).has_value());
}

TEST(ResultSet, OpensTheSeedMarkdownWithZerosAsFailures) {
  // The seed table, copied into the repository so the test runs on any clone.
  const std::string seed = ATTNSWEEP_SOURCE_DIR "/tests/engine/data/seed_000_44dcfb095d361470.md";
  const ResultSet set = load_result_set(seed);
  EXPECT_EQ(set.results.size(), 96u);
  std::size_t failed = 0;
  for (const CellResult& r : set.results) {
    if (r.status == CellStatus::ok) EXPECT_GT(r.timing(TimingMode::unstated)->time_ms.mean, 0);  // avg/std/min, no median
    else ++failed;
  }
  EXPECT_EQ(failed, 17u);  // the seed's 0 ms rows: out of memory there
}

TEST(ResultSet, OpensAJsonReport) {
  QTemporaryDir dir;
  nlohmann::json cells = nlohmann::json::array();
  for (const CellResult& r : testing::seed_like_results()) cells.push_back(result_to_json(r));
  const std::string path = write(dir, "report.json", nlohmann::json{{"header", {{"type", "header"}}}, {"cells", cells}}.dump());
  EXPECT_EQ(load_result_set(path).results.size(), 24u);
}

TEST(ResultSet, BadFilesGiveClearMessages) {
  QTemporaryDir dir;
  expect_clear_error(write(dir, "garbage.bin", std::string("\x00\x01\xff\xfe garbage", 13)), "not a result file");
  expect_clear_error(write(dir, "empty.jsonl", ""), "empty");
  expect_clear_error(dir.filePath("missing.jsonl").toStdString(), "no such file");
  expect_clear_error(dir.path().toStdString(), "folder");
  expect_clear_error(write(dir, "schema.jsonl", R"({"type":"header","schema":99})" "\n"), "schema");
  expect_clear_error(write(dir, "noresults.json", R"({"hello":1})"), "results");
  // Truncated in the middle (not the last line): refused; torn last line: dropped with a warning.
  const std::string good = testing::write_result_file(dir, "good.jsonl", testing::seed_like_results());
  std::ifstream in(good);
  std::string header, line1, rest;
  std::getline(in, header);
  std::getline(in, line1);
  expect_clear_error(write(dir, "middle.jsonl", header + "\n" + line1.substr(0, 20) + "\n" + line1 + "\n"), "line 2");
  const ResultSet torn = load_result_set(write(dir, "torn.jsonl", header + "\n" + line1 + "\n" + line1.substr(0, 30)));
  EXPECT_EQ(torn.results.size(), 1u);
  EXPECT_EQ(torn.warnings.size(), 1u);
  expect_clear_error(write(dir, "badcell.json", R"({"cells":[{"type":"cell"}]})"), "cells[0]");
}

}  // namespace
}  // namespace attnsweep::gui
