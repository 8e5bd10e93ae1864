#include "attnsweep/engine/result_follower.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "attnsweep/engine/result_json.h"
#include "attnsweep/engine/spec.h"
#include "sample_results.h"

namespace attnsweep {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::ok_result;
using testing::sample_cell;
using testing::TempDir;

// Two kernels on one tier: the plan a followed run writes two cells of.
constexpr const char* kSpec = R"({"name": "followed", "kernels": ["cpu_naive", "cpu_flash"], "dtypes": ["fp16"],
  "causal": [false], "tiers": [{"q_n": 512, "head_dim": 64, "heads": 12, "batch": 1}]})";

std::string header_line(const std::string& name = "followed") {
  SweepSpec spec = *parse_spec(kSpec).spec;
  spec.name = name;
  const json header = {{"type", "header"}, {"schema", kResultSchema}, {"spec", json::parse(spec_to_json(spec))}};
  return header.dump() + "\n";
}

std::string cell_line(const std::string& kernel, double median_ms = 1.0) {
  return result_to_json(ok_result(sample_cell(kernel, 512), median_ms)).dump() + "\n";
}

void append(const std::string& path, std::string_view bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::app);
  out << bytes;
}

TEST(ResultFollower, ReadsWholeLinesAsTheyArriveInPieces) {
  TempDir dir;
  const std::string path = dir.file("run.jsonl");
  ResultFollower follower(path);
  EXPECT_FALSE(follower.poll().header) << "no file yet: nothing to read";

  const std::string header = header_line(), first = cell_line("cpu_naive"), second = cell_line("cpu_flash");
  append(path, header.substr(0, 20));  // half a header
  ResultFollower::Update u = follower.poll();
  EXPECT_FALSE(u.header);
  EXPECT_EQ(follower.bytes_read(), 0u);

  append(path, header.substr(20) + first.substr(0, first.size() / 2));  // the header, half a cell
  u = follower.poll();
  EXPECT_TRUE(u.header);
  EXPECT_TRUE(u.added.empty()) << "a line without its end is still being written";
  EXPECT_EQ(follower.bytes_read(), header.size());
  EXPECT_EQ(follower.planned(), 2u);
  EXPECT_FALSE(follower.complete());

  append(path, first.substr(first.size() / 2));
  u = follower.poll();
  ASSERT_EQ(u.added.size(), 1u);
  EXPECT_EQ(u.added[0].cell.kernel, "cpu_naive");
  EXPECT_FALSE(follower.complete());
  EXPECT_TRUE(follower.poll().added.empty()) << "nothing new: nothing read twice";

  append(path, second);
  u = follower.poll();
  ASSERT_EQ(u.added.size(), 1u);
  EXPECT_TRUE(follower.complete());
  EXPECT_EQ(follower.file().results.size(), 2u);
  EXPECT_EQ(follower.bytes_read(), fs::file_size(path));
  EXPECT_EQ(follower.file().results[1].timings[0].time_ms.median, read_result_file(path).results[1].timings[0].time_ms.median);
}

TEST(ResultFollower, ACellRunAgainReplacesItsEarlierRecord) {
  TempDir dir;
  const std::string path = dir.file("run.jsonl");
  append(path, header_line() + cell_line("cpu_naive", 1.0));
  ResultFollower follower(path);
  EXPECT_EQ(follower.poll().added.size(), 1u);
  append(path, cell_line("cpu_naive", 2.0));
  const ResultFollower::Update u = follower.poll();
  EXPECT_TRUE(u.replaced_earlier);
  ASSERT_EQ(follower.file().results.size(), 1u);
  EXPECT_EQ(follower.file().results[0].timings[0].time_ms.median, 2.0);
  EXPECT_FALSE(follower.complete()) << "the same cell twice is one of the two planned";
}

TEST(ResultFollower, ATruncatedOrReplacedFileSaysSo) {
  TempDir dir;
  const std::string path = dir.file("run.jsonl");
  append(path, header_line() + cell_line("cpu_naive"));
  ResultFollower truncated(path);
  truncated.poll();
  fs::resize_file(path, 10);
  try {
    truncated.poll();
    ADD_FAILURE() << "a truncated file was read on";
  } catch (const FollowedFileChanged& e) {
    EXPECT_NE(std::string(e.what()).find(path + ": truncated while followed (now 10 bytes;"), std::string::npos) << e.what();
  }

  fs::remove(path);
  append(path, header_line() + cell_line("cpu_naive"));
  ResultFollower replaced(path);
  replaced.poll();
  const std::string other = dir.file("other.jsonl");
  append(other, header_line("another run") + cell_line("cpu_naive") + cell_line("cpu_flash"));
  fs::rename(other, path);  // a new run written whole into the same path
  EXPECT_EQ(testing::error_of([&] { replaced.poll(); }), path + ": replaced by another file while followed");

  ResultFollower rewritten(path);
  rewritten.poll();
  std::ofstream(path, std::ios::binary | std::ios::trunc) << header_line("yet another") << cell_line("cpu_naive")
                                                          << cell_line("cpu_flash") << cell_line("cpu_naive");
  EXPECT_EQ(testing::error_of([&] { rewritten.poll(); }), path + ": rewritten while followed (its header changed)");

  fs::remove(path);
  EXPECT_EQ(testing::error_of([&] { rewritten.poll(); }), path + ": removed while followed");
}

// A whole line is a finished write: one that is not a record is an error naming it, as in every reader.
TEST(ResultFollower, AWholeLineThatIsNoRecordIsAnError) {
  TempDir dir;
  const std::string path = dir.file("run.jsonl");
  append(path, header_line() + "{\"type\":\"cell\",\"kernel\"\n");
  ResultFollower follower(path);
  EXPECT_TRUE(follower.poll().header) << "what comes before the bad line is handed out first";
  const std::string not_json = testing::error_of([&] { follower.poll(); });
  EXPECT_EQ(not_json.rfind(path + ": line 2: not valid JSON", 0), 0u) << not_json;
  EXPECT_TRUE(not_json.ends_with(" (a whole line, so not one still being written)")) << not_json;

  // The rules every reader holds a record to: here, no key twice in one object.
  const std::string twice = dir.file("twice.jsonl");
  std::string line = cell_line("cpu_naive");
  line.insert(1, "\"kernel\":\"cpu_flash\",");
  append(twice, header_line() + line);
  ResultFollower twice_follower(twice);
  twice_follower.poll();
  const std::string key_twice = testing::error_of([&] { twice_follower.poll(); });
  EXPECT_NE(key_twice.find(twice + ": line 2: key 'kernel' appears twice in one object"), std::string::npos)
      << key_twice;

  const std::string bad_cell = dir.file("bad_cell.jsonl");
  json record = result_to_json(ok_result(sample_cell("cpu_naive", 512), 1.0));
  record.erase("kernel");
  append(bad_cell, header_line() + record.dump() + "\n");
  ResultFollower cell_follower(bad_cell);
  cell_follower.poll();
  const std::string error = testing::error_of([&] { cell_follower.poll(); });
  EXPECT_EQ(error.rfind(bad_cell + ": line 2: ", 0), 0u) << error;
  EXPECT_NE(error.find("kernel"), std::string::npos) << error;

  const std::string no_header = dir.file("no_header.jsonl");
  append(no_header, cell_line("cpu_naive"));
  ResultFollower headless(no_header);
  EXPECT_NE(testing::error_of([&] { headless.poll(); }).find(no_header + ": line 1: must be the header record"),
            std::string::npos);

  const std::string folder_path = dir.file("folder");
  fs::create_directory(folder_path);
  ResultFollower folder(folder_path);
  EXPECT_EQ(testing::error_of([&] { folder.poll(); }),
            folder_path + ": not a regular file; only a result file can be followed");
}

TEST(ResultFollower, ALargeFileIsReadInStepsOfWholeLines) {
  TempDir dir;
  const std::string path = dir.file("run.jsonl");
  std::string text = header_line();
  const std::string line = cell_line("cpu_naive");
  std::size_t cells = 0;
  while (text.size() <= ResultFollower::kMaxPollBytes) {
    text += line;
    ++cells;
  }
  append(path, text);
  ResultFollower follower(path);
  ResultFollower::Update u = follower.poll();
  EXPECT_TRUE(u.more);
  std::size_t polls = 1;
  while (u.more) {
    u = follower.poll();
    ++polls;
  }
  EXPECT_EQ(polls, 2u);
  EXPECT_EQ(follower.bytes_read(), text.size());
  EXPECT_EQ(follower.file().results.size(), 1u) << "one cell, run " << cells << " times";
}

}  // namespace
}  // namespace attnsweep
