#include "attnsweep/engine/store.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "attnsweep/engine/result_json.h"
#include "sample_results.h"

namespace attnsweep {
namespace {

using nlohmann::json;
using testing::error_of;
using testing::failed_result;
using testing::ok_result;
using testing::sample_cell;
using testing::TempDir;

json test_header() { return {{"type", "header"}, {"schema", kResultSchema}, {"tool", "attnsweep"}, {"spec", {{"name", "t"}}}}; }

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void write_text(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
}

std::string record_line(const CellResult& r) { return result_to_json(r).dump() + "\n"; }

// The i-th result of a long run: distinct cells (kernel "k<i>").
CellResult numbered_result(int i) { return ok_result(sample_cell("k" + std::to_string(i)), 0.5 + i); }

TEST(Store, WritesHeaderAndRecordsThatReadBack) {
  TempDir dir;
  const std::string path = dir.file("r.jsonl");
  {
    ResultWriter w = ResultWriter::create(path, test_header());
    w.append(ok_result(sample_cell("naive"), 1.25));
    w.append(failed_result(sample_cell("naive", 16384), CellStatus::oom, "needs 80 GiB, 2 GiB free"));
  }
  const std::string text = read_text(path);
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 3);  // header + one line per cell
  const ResultFile f = read_result_file(path);
  EXPECT_EQ(f.header["spec"]["name"], "t");
  ASSERT_EQ(f.results.size(), 2u);
  EXPECT_EQ(f.results[0].status, CellStatus::ok);
  EXPECT_DOUBLE_EQ(f.results[0].timing(TimingMode::cold)->time_ms.median, 1.25);
  EXPECT_EQ(f.results[1].status, CellStatus::oom);
  EXPECT_TRUE(f.results[1].timings.empty());
  EXPECT_TRUE(f.warnings.empty());
}

TEST(Store, TornLastLineIsDroppedWithAWarningAndResumeCutsIt) {
  TempDir dir;
  const std::string path = dir.file("r.jsonl");
  const std::string full = record_line(numbered_result(2));
  const std::string good = test_header().dump() + "\n" + record_line(numbered_result(0)) + record_line(numbered_result(1));
  write_text(path, good + full.substr(0, full.size() / 2));  // killed in the middle of a write

  const ResultFile f = read_result_file(path);
  ASSERT_EQ(f.results.size(), 2u);
  ASSERT_EQ(f.warnings.size(), 1u);
  EXPECT_NE(f.warnings[0].find("line 4: torn last line dropped"), std::string::npos) << f.warnings[0];

  {
    ResultWriter w = ResultWriter::resume(path);
    EXPECT_EQ(read_text(path), good);  // the torn tail is gone before anything is appended
    w.append(numbered_result(2));
  }
  const ResultFile after = read_result_file(path);
  EXPECT_EQ(after.results.size(), 3u);
  EXPECT_TRUE(after.warnings.empty());
  EXPECT_EQ(read_text(path), good + full);
}

TEST(Store, TornLastLineEndingInNewlineOrZerosIsAlsoDropped) {
  TempDir dir;
  const std::string path = dir.file("r.jsonl");
  const std::string good = test_header().dump() + "\n" + record_line(numbered_result(0));
  write_text(path, good + std::string(40, '\0'));  // a crash can leave a zero-filled tail
  EXPECT_EQ(read_result_file(path).results.size(), 1u);
  EXPECT_EQ(read_result_file(path).warnings.size(), 1u);
  write_text(path, good + "{\"type\":\"cell\",\"kern\n");
  EXPECT_EQ(read_result_file(path).results.size(), 1u);
  { ResultWriter w = ResultWriter::resume(path); }
  EXPECT_EQ(read_text(path), good);
}

TEST(Store, CompleteLastRecordWithoutNewlineIsKeptAndResumeEndsIt) {
  TempDir dir;
  const std::string path = dir.file("r.jsonl");
  std::string last = record_line(numbered_result(1));
  last.pop_back();
  write_text(path, test_header().dump() + "\n" + record_line(numbered_result(0)) + last);
  EXPECT_EQ(read_result_file(path).results.size(), 2u);
  {
    ResultWriter w = ResultWriter::resume(path);
    w.append(numbered_result(2));
  }
  const ResultFile f = read_result_file(path);
  EXPECT_EQ(f.results.size(), 3u);
  EXPECT_TRUE(f.warnings.empty());
}

TEST(Store, BadLineInTheMiddleIsAnErrorNamingIt) {
  TempDir dir;
  const std::string path = dir.file("r.jsonl");
  write_text(path, test_header().dump() + "\n" + record_line(numbered_result(0)) + "{not json\n" +
                       record_line(numbered_result(1)));
  const std::string e = error_of([&] { (void)read_result_file(path); });
  EXPECT_EQ(e.rfind(path + ": line 3: not valid JSON: parse error at line 1, column 3", 0), 0u) << e;
  EXPECT_TRUE(e.ends_with(" (only the last line may be torn)")) << e;
  EXPECT_EQ(error_of([&] { (void)ResultWriter::resume(path); }), e);  // resume refuses it too

  json bad = result_to_json(numbered_result(1));
  bad["status"] = "foo";
  write_text(path, test_header().dump() + "\n" + bad.dump() + "\n" + record_line(numbered_result(2)));
  EXPECT_EQ(error_of([&] { (void)read_result_file(path); }),
            path + ": line 2: cell record: field 'status': unknown status 'foo'");
}

TEST(Store, FirstLineMustBeAKnownHeader) {
  TempDir dir;
  const std::string path = dir.file("r.jsonl");
  write_text(path, "");
  EXPECT_NE(error_of([&] { (void)read_result_file(path); }).find("empty file, not a result file"), std::string::npos);
  write_text(path, record_line(numbered_result(0)));
  EXPECT_NE(error_of([&] { (void)read_result_file(path); }).find(path + ": line 1: must be the header record"),
            std::string::npos);
  json h = test_header();
  h["schema"] = 3;
  write_text(path, h.dump() + "\n");
  EXPECT_EQ(error_of([&] { (void)read_result_file(path); }),
            path + ": line 1: schema 3 is not supported (this build reads schemas 1 to 2)");
  write_text(path, "| Kernel | Tier |\n");
  EXPECT_EQ(error_of([&] { (void)read_result_file(path); }),
            path + ": line 1: not JSON; a result file starts with its header record");
  EXPECT_EQ(error_of([&] { (void)read_result_file(dir.file("missing.jsonl")); }), dir.file("missing.jsonl") + ": no such file");
  EXPECT_NE(error_of([&] { (void)ResultWriter::create(path, json{{"type", "cell"}}); }).find("must be the header"),
            std::string::npos);
}

TEST(Store, ALaterRecordOfTheSameCellReplacesTheEarlierOne) {
  TempDir dir;
  const std::string path = dir.file("r.jsonl");
  const Cell c = sample_cell("naive");
  {
    ResultWriter w = ResultWriter::create(path, test_header());
    w.append(failed_result(c, CellStatus::timeout, "watchdog: 60 s"));
    w.append(ok_result(sample_cell("other"), 3.0));
    w.append(ok_result(c, 2.0));  // the rerun
  }
  const ResultFile f = read_result_file(path);
  ASSERT_EQ(f.results.size(), 2u);
  EXPECT_EQ(f.results[0].cell.id(), c.id());
  EXPECT_EQ(f.results[0].status, CellStatus::ok);
}

TEST(Store, RefusesARecordThatWouldNotReadBack) {
  TempDir dir;
  const std::string path = dir.file("r.jsonl");
  ResultWriter w = ResultWriter::create(path, test_header());
  CellResult no_time = ok_result(sample_cell("naive"), 1.0);
  no_time.timings.clear();  // ok without a time: a bug upstream, not a record
  EXPECT_NE(error_of([&] { w.append(no_time); }).find("refusing to write an invalid record"), std::string::npos);
  EXPECT_EQ(read_result_file(path).results.size(), 0u);
}

TEST(Store, AWholeFileIsWrittenAsideThenRenamedIntoPlace) {
  TempDir dir;
  const std::string path = dir.file("whole.jsonl");
  write_text(path, "an older file\n");
  ResultFile f;
  f.header = test_header();
  for (int i = 0; i < 3; ++i) f.results.push_back(numbered_result(i));
  write_result_file(path, f, /*replace=*/true);
  const ResultFile back = read_result_file(path);
  EXPECT_EQ(back.header, f.header);
  ASSERT_EQ(back.results.size(), 3u);
  EXPECT_EQ(back.results[2].cell.id(), f.results[2].cell.id());
  EXPECT_EQ(read_text(path), test_header().dump() + "\n" + record_line(f.results[0]) + record_line(f.results[1]) +
                                 record_line(f.results[2]));
  const auto files_in_dir = [&] {
    return std::distance(std::filesystem::directory_iterator(dir.file("")), std::filesystem::directory_iterator());
  };
  EXPECT_EQ(files_in_dir(), 1) << "no temporary file is left beside it";
  EXPECT_NE(error_of([&] { write_result_file(path, f); }).find("exists"), std::string::npos) << "replaced unasked";

  // A record that would not read back leaves the old file as it was.
  ResultFile bad = f;
  bad.results[1].timings.clear();  // ok without times
  EXPECT_NE(error_of([&] { write_result_file(path, bad, true); }).find("refusing to write an invalid record"),
            std::string::npos);
  EXPECT_EQ(read_result_file(path).results.size(), 3u);
  EXPECT_EQ(files_in_dir(), 1);
  EXPECT_NE(error_of([&] { write_result_file(dir.file("no/such/dir.jsonl"), f); }).find("cannot create"),
            std::string::npos);
}

TEST(Store, OneWriterPerFile) {
  TempDir dir;
  const std::string path = dir.file("r.jsonl");
  ResultWriter first = ResultWriter::create(path, test_header());
  first.append(numbered_result(0));
  EXPECT_NE(error_of([&] { (void)ResultWriter::create(path, test_header()); }).find("another process is writing"),
            std::string::npos);
  EXPECT_NE(error_of([&] { (void)ResultWriter::resume(path); }).find("another process is writing"), std::string::npos);
  EXPECT_EQ(read_result_file(path).results.size(), 1u);  // the refused create did not empty it
}

// A header nested 100,000 deep in an extra field: refused with a message, not a stack overflow.
TEST(Store, DeepNestingIsRefusedNotCrashedOn) {
  TempDir dir;
  const std::string path = dir.file("deep.jsonl");
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  write_text(path, R"({"type":"header","schema":1,"extra":)" + deep + "}\n" + record_line(numbered_result(0)));
  EXPECT_EQ(error_of([&] { (void)read_result_file(path); }),
            path + ": line 1: lists and objects nest deeper than 64 levels");
}

TEST(Store, DuplicateKeysAndImpossibleTimesAreRefused) {
  TempDir dir;
  const std::string path = dir.file("r.jsonl");
  json record = result_to_json(numbered_result(0));
  std::string line = record.dump();
  line.insert(line.size() - 1, R"(,"status":"oom")");  // a second status, which nlohmann would keep
  write_text(path, test_header().dump() + "\n" + line + "\n");
  EXPECT_EQ(error_of([&] { (void)read_result_file(path); }), path + ": line 2: key 'status' appears twice in one object");
  record["timings"]["cold"]["time_ms"]["median"] = -1;
  write_text(path, test_header().dump() + "\n" + record.dump() + "\n");
  EXPECT_NE(error_of([&] { (void)read_result_file(path); })
                .find("line 2: cell record: field 'timings.cold.time_ms.median'"),
            std::string::npos);
}

// Resume reads the file it appends to: never a device that reads forever or a FIFO that blocks.
TEST(Store, ReadsAndResumesOnlyRegularFiles) {
  EXPECT_NE(error_of([] { (void)ResultWriter::resume("/dev/full"); }).find("/dev/full: is a device"), std::string::npos);
  EXPECT_NE(error_of([] { (void)read_result_file("/dev/zero"); }).find("/dev/zero: is a device"), std::string::npos);
  TempDir dir;
  const std::string fifo = dir.file("fifo");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  EXPECT_NE(error_of([&] { (void)ResultWriter::resume(fifo); }).find("is a FIFO"), std::string::npos);
  EXPECT_NE(error_of([&] { (void)ResultWriter::create(fifo, test_header()); }).find("is a FIFO"), std::string::npos);
}

// The header is written whole or not at all (beside the file, then renamed): no temporary file
// stays, and a file a crash left with half a header (from a build that wrote it in place) is
// recognised, so resume can start it anew.
TEST(Store, TheHeaderAppearsWholeAndAHalfHeaderIsRecognised) {
  TempDir dir;
  const std::string path = dir.file("r.jsonl");
  { ResultWriter w = ResultWriter::create(path, test_header()); }
  EXPECT_EQ(read_text(path), test_header().dump() + "\n");
  EXPECT_FALSE(holds_no_header(path));
  for (const auto& e : std::filesystem::directory_iterator(dir.file("")))
    EXPECT_EQ(e.path().filename(), "r.jsonl") << "left behind";
  write_text(path, "");
  EXPECT_TRUE(holds_no_header(path));
  const std::string header = test_header().dump();
  write_text(path, header.substr(0, header.size() / 2));
  EXPECT_TRUE(holds_no_header(path));
  write_text(path, header);  // whole, only its newline missing: resume ends the line
  EXPECT_FALSE(holds_no_header(path));
  write_text(path, "some notes of mine\n");
  EXPECT_FALSE(holds_no_header(path)) << "not a cut-off header: resume must refuse it, not replace it";
}

// A child appends records as fast as it can and reports each one after append() returned;
// SIGKILL at a random moment must lose none of the reported ones, and resume must go on after them.
TEST(Store, KillNineLosesNoFinishedRecord) {
  std::mt19937 rng(std::random_device{}());
  for (int round = 0; round < 4; ++round) {
    TempDir dir;
    const std::string path = dir.file("r.jsonl");
    int pipe_fds[2];
    ASSERT_EQ(::pipe(pipe_fds), 0);
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      ::close(pipe_fds[0]);
      try {
        ResultWriter w = ResultWriter::create(path, test_header());
        for (int i = 0;; ++i) {
          w.append(numbered_result(i));
          if (::write(pipe_fds[1], &i, sizeof i) != sizeof i) ::_exit(3);
        }
      } catch (...) {
        ::_exit(2);
      }
    }
    ::close(pipe_fds[1]);

    const int kill_after = std::uniform_int_distribution<int>(1, 60)(rng);
    int reported = -1, seen = 0;
    while (seen < kill_after && ::read(pipe_fds[0], &reported, sizeof reported) == sizeof reported) ++seen;
    ASSERT_EQ(seen, kill_after) << "the child stopped early";
    std::this_thread::sleep_for(std::chrono::microseconds(std::uniform_int_distribution<int>(0, 3000)(rng)));
    ::kill(child, SIGKILL);
    int status = 0;
    ::waitpid(child, &status, 0);
    ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "the child exited by itself: " << status;
    int i = 0;
    while (::read(pipe_fds[0], &i, sizeof i) == sizeof i) reported = i;  // reports sent before it died
    ::close(pipe_fds[0]);

    const ResultFile f = read_result_file(path);
    std::set<std::string> ids;
    for (const CellResult& r : f.results) ids.insert(r.cell.id());
    for (int k = 0; k <= reported; ++k) ASSERT_TRUE(ids.count(numbered_result(k).cell.id())) << "lost record " << k;
    EXPECT_LE(f.results.size(), static_cast<std::size_t>(reported) + 2);  // at most one written but unreported

    const std::size_t before = f.results.size();
    {
      ResultWriter w = ResultWriter::resume(path);
      w.append(ok_result(sample_cell("after-resume"), 9.0));
    }
    const ResultFile resumed = read_result_file(path);
    EXPECT_TRUE(resumed.warnings.empty());
    ASSERT_EQ(resumed.results.size(), before + 1);
    EXPECT_EQ(resumed.results.back().cell.kernel, "after-resume");
  }
}

// A schema 1 file (one time_ms per cell) reads honestly: a sample of several launches is batch,
// never cold, whatever its `cache` said; a time wider than the spec's target_rel_ci is noisy.
TEST(Store, ReadsSchemaOneFilesUnderTheModeTheirTimesReallyHad) {
  TempDir dir;
  const std::string path = dir.file("old.jsonl");
  const json header = {{"type", "header"}, {"schema", 1}, {"tool", "attnsweep"},
                       {"spec", {{"name", "old"}, {"timing", {{"target_rel_ci", 0.02}}}}}};
  // Rates follow from the 1 ms median, as the tool that wrote schema 1 computed them.
  const auto old_record = [](const std::string& kernel, const char* cache, int launches, double ci_half) {
    const Cell cell = sample_cell(kernel);
    json j = cell_to_json(cell);
    j.update({{"type", "cell"}, {"status", "ok"}, {"message", ""}, {"tflops", cell.problem().flops() / 1e-3 / 1e12},
              {"gbps", cell.problem().min_bytes() / 1e-3 / 1e9},
              {"cache", cache}, {"launches_per_sample", launches}, {"device", 0},
              {"time_ms", {{"samples", 5}, {"median", 1.0}, {"mean", 1.0}, {"std", 0.1}, {"min", 0.9}, {"max", 1.2},
                           {"p10", 0.9}, {"p90", 1.1}, {"ci_low", 1.0 - ci_half}, {"ci_high", 1.0 + ci_half}}}});
    return j.dump() + "\n";
  };
  write_text(path, header.dump() + "\n" + old_record("a", "cold", 1, 0.01) + old_record("b", "cold", 4, 0.01) +
                       old_record("c", "warm", 1, 0.1));
  const ResultFile f = read_result_file(path);
  ASSERT_EQ(f.results.size(), 3u);
  ASSERT_NE(f.results[0].timing(TimingMode::cold), nullptr);
  EXPECT_FALSE(f.results[0].noisy());
  EXPECT_EQ(f.results[1].timing(TimingMode::cold), nullptr);  // 4 launches per sample: a batch
  ASSERT_NE(f.results[1].timing(TimingMode::batch), nullptr);
  EXPECT_EQ(f.results[1].timing(TimingMode::batch)->launches_per_sample, 4);
  ASSERT_NE(f.results[2].timing(TimingMode::batch), nullptr);
  EXPECT_TRUE(f.results[2].noisy());  // +-10% against a 2% target
  // An impossible old record is refused with the field named where the record holds it.
  json wrong = json::parse(old_record("d", "cold", 1, 0.01));
  wrong["tflops"] = 2.0;
  write_text(path, header.dump() + "\n" + wrong.dump() + "\n");
  EXPECT_NE(error_of([&] { (void)read_result_file(path); }).find("line 2: cell record: field 'tflops': 2.0 does not"),
            std::string::npos)
      << error_of([&] { (void)read_result_file(path); });
  write_text(path, header.dump() + "\n" + old_record("a", "cold", 1, 0.01));
  // New records are not appended to it: the file would hold two forms.
  EXPECT_NE(error_of([&] { (void)ResultWriter::resume(path); }).find("written in schema 1"), std::string::npos);
}

}  // namespace
}  // namespace attnsweep
