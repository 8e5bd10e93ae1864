// Opening any file of results by what it holds (open_results.cpp).
#include "attnsweep/engine/open_results.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "attnsweep/engine/report.h"
#include "attnsweep/engine/result_json.h"
#include "sample_results.h"

namespace attnsweep {
namespace {

using testing::sample_result_file;
using testing::TempDir;

std::string write(const TempDir& dir, const std::string& name, const std::string& text) {
  const std::string path = dir.file(name);
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

std::string result_lines(const ResultFile& f) {
  std::string text = f.header.dump() + "\n";
  for (const CellResult& r : f.results) text += result_to_json(r).dump() + "\n";
  return text;
}

// Opening must fail with a message that names the file and says what is wrong.
void expect_clear_error(const std::string& path, const std::string& words) {
  try {
    open_results(path);
    ADD_FAILURE() << path << " opened without an error";
  } catch (const std::runtime_error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find(path), std::string::npos) << what;
    EXPECT_NE(what.find(words), std::string::npos) << what;
  }
}

TEST(OpenResults, EveryFormatByWhatItHolds) {
  const TempDir dir;
  const ResultFile f = sample_result_file();
  // The names do not say the format; the content does.
  for (const auto& [name, text] : std::vector<std::pair<std::string, std::string>>{
           {"lines.txt", result_lines(f)},
           {"report-json.txt", report_json(f)},
           {"report-csv.txt", report_csv(f)},
           {"report-md.txt", report_markdown(f)}}) {
    const ResultFile opened = open_results(write(dir, name, text));
    ASSERT_EQ(opened.results.size(), 4u) << name;
    for (std::size_t i = 0; i < 4; ++i) {
      EXPECT_EQ(opened.results[i].cell.id(), f.results[i].cell.id()) << name;
      EXPECT_EQ(opened.results[i].status, f.results[i].status) << name;
    }
  }
  const ResultFile seed = open_results(ATTNSWEEP_SOURCE_DIR "/tests/engine/data/seed_000_44dcfb095d361470.md");
  EXPECT_EQ(seed.results.size(), 96u);
}

TEST(OpenResults, BadFilesGiveClearMessages) {
  const TempDir dir;
  expect_clear_error(write(dir, "garbage.bin", std::string("\x00\x01\xff\xfe garbage", 13)), "not a result file");
  expect_clear_error(write(dir, "empty.jsonl", ""), "empty");
  expect_clear_error(dir.file("missing.jsonl"), "no such file");
  expect_clear_error(dir.file(""), "folder");
  expect_clear_error(write(dir, "schema.jsonl", R"({"type":"header","schema":99})" "\n"), "schema");
  expect_clear_error(write(dir, "noresults.json", R"({"hello":1})"), "results");
  expect_clear_error(write(dir, "badcell.json", R"({"cells":[{"type":"cell"}]})"), "cells[0]");
  expect_clear_error(write(dir, "notable.md", "# nothing here\n"), "no Markdown table");
  // Nothing that reads forever, blocks, or nests past the stack.
  expect_clear_error("/dev/zero", "is a device");
  const std::string fifo = dir.file("fifo.jsonl");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  expect_clear_error(fifo, "is a FIFO");
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  expect_clear_error(write(dir, "deep.json", R"({"header":{"x":)" + deep + R"(},"cells":[]})"), "nest deeper than 64");
  expect_clear_error(write(dir, "deep.jsonl", R"({"type":"header","schema":1,"x":)" + deep + "}\n"), "nest deeper than 64");
  expect_clear_error(write(dir, "nul.json", std::string("{\"cells\":[]}\0{", 14)), "NUL byte");
  // JSON Lines truncated in the middle: refused; a torn last line: dropped with a warning.
  const std::string lines = result_lines(sample_result_file());
  const std::size_t second = lines.find('\n') + 1;
  const std::string header = lines.substr(0, second);
  const std::string line1 = lines.substr(second, lines.find('\n', second) + 1 - second);
  expect_clear_error(write(dir, "middle.jsonl", header + line1.substr(0, 20) + "\n" + line1), "line 2");
  const ResultFile torn = open_results(write(dir, "torn.jsonl", header + line1 + line1.substr(0, 30)));
  EXPECT_EQ(torn.results.size(), 1u);
  EXPECT_EQ(torn.warnings.size(), 1u);
}

}  // namespace
}  // namespace attnsweep
