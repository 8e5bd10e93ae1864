#include "attnsweep/engine/merge.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "attnsweep/engine/schedule.h"
#include "attnsweep/engine/store.h"
#include "sample_results.h"

namespace attnsweep {
namespace {

using nlohmann::json;
using testing::ok_result;
using testing::TempDir;

constexpr const char* kSpec = R"({"version": 1, "name": "m", "kernels": ["cpu_naive", "cpu_flash"], "dtypes": ["fp32"],
  "causal": [false, true], "tiers": [{"q_n": 64, "head_dim": 16, "heads": 1, "batch": 1},
                                     {"q_n": 32, "head_dim": 8, "heads": 2, "batch": 1}]})";

Plan plan() { return make_plan(*parse_spec(kSpec).spec); }

json header(const std::string& device, const std::string& shard = "") {
  json h = {{"type", "header"},
            {"schema", kResultSchema},
            {"tool", "attnsweep"},
            {"spec", json::parse(spec_to_json(*parse_spec(kSpec).spec))},
            {"executor", "cpu (in-process)"},
            {"environment", {{"host", "h-" + device}, {"device", {{"name", device}, {"backend", "cpu"}}}}}};
  if (!shard.empty()) h["shard"] = shard;
  return h;
}

// A result file holding `cells`, each timed at `ms`.
std::string write_file(const TempDir& dir, const std::string& name, const json& h, const std::vector<Cell>& cells,
                       double ms = 1.0) {
  ResultFile f;
  f.header = h;
  for (const Cell& c : cells) f.results.push_back(ok_result(c, ms));
  write_result_file(dir.file(name), f);
  return dir.file(name);
}

TEST(Merge, SharesJoinIntoTheWholeSweep) {
  TempDir dir;
  std::vector<std::string> files;
  for (int k = 1; k <= 3; ++k)
    files.push_back(write_file(dir, "s" + std::to_string(k) + ".jsonl", header("cpu A", Shard{k, 3}.text()),
                               shard_of(plan(), Shard{k, 3}).cells));
  const std::string out = dir.file("all.jsonl");
  const MergeOutcome outcome = merge_result_files(files, out);
  EXPECT_EQ(outcome.cells, plan().cells.size());
  EXPECT_EQ(outcome.planned, plan().cells.size());
  EXPECT_TRUE(outcome.duplicates.empty());
  EXPECT_TRUE(outcome.missing.empty());
  EXPECT_TRUE(outcome.warnings.empty());

  const ResultFile merged = read_result_file(out);
  std::set<std::string> ids;
  for (const CellResult& r : merged.results) ids.insert(r.cell.id());
  std::set<std::string> planned;
  for (const Cell& c : plan().cells) planned.insert(c.id());
  EXPECT_EQ(ids, planned);
  EXPECT_EQ(merged.header["spec"], header("cpu A")["spec"]);
  EXPECT_FALSE(merged.header.contains("shard"));
  ASSERT_EQ(merged.header["merged"].size(), 3u);
  EXPECT_EQ(merged.header["merged"][1]["file"], files[1]);
  EXPECT_EQ(merged.header["merged"][1]["shard"], "2/3");
  EXPECT_FALSE(merged.header.contains("mixed_devices"));  // one model
  // Written whole, then renamed: no temporary file is left beside it.
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.file("")), std::filesystem::directory_iterator()), 4);
}

// The output is a file like any other the tools write: an existing one (an input, say) is replaced
// only when asked to, and is checked before any input is read.
TEST(Merge, ReplacesAnExistingFileOnlyWhenAsked) {
  TempDir dir;
  const std::vector<Cell> cells = plan().cells;
  const std::string a = write_file(dir, "a.jsonl", header("cpu A"), {cells[0]});
  const std::string b = write_file(dir, "b.jsonl", header("cpu A"), {cells[1]});
  EXPECT_EQ(testing::error_of([&] { (void)merge_result_files({a, b}, a); }), a + ": exists; replace it with --force");
  EXPECT_EQ(read_result_file(a).results.size(), 1u);
  EXPECT_EQ(merge_result_files({a, b}, a, /*replace=*/true).cells, 2u);
  EXPECT_EQ(read_result_file(a).results.size(), 2u);
}

TEST(Merge, ReportsDuplicatesAndKeepsTheLaterFilesRecord) {
  TempDir dir;
  const std::vector<Cell> cells = plan().cells;
  const std::string a = write_file(dir, "a.jsonl", header("cpu A"), {cells[0], cells[1]}, 1.0);
  const std::string b = write_file(dir, "b.jsonl", header("cpu A"), {cells[1], cells[2]}, 2.0);
  const MergeOutcome outcome = merge_result_files({a, b}, dir.file("out.jsonl"));
  ASSERT_EQ(outcome.duplicates.size(), 1u);
  EXPECT_EQ(outcome.duplicates[0], cells[1].id() + ": in " + a + " and " + b + " (" + b + "'s record kept)");
  EXPECT_EQ(outcome.cells, 3u);
  EXPECT_EQ(outcome.missing.size(), cells.size() - 3);
  const ResultFile merged = read_result_file(dir.file("out.jsonl"));
  ASSERT_EQ(merged.results.size(), 3u);
  EXPECT_EQ(merged.results[1].cell.id(), cells[1].id());
  EXPECT_DOUBLE_EQ(merged.results[1].timings.front().time_ms.median, 2.0);  // b's, in a's place
}

TEST(Merge, RefusesAnotherSpecNamingTheFileAndTheDifference) {
  TempDir dir;
  const std::string a = write_file(dir, "a.jsonl", header("cpu A"), {plan().cells[0]});
  json other = header("cpu A");
  other["spec"]["seed"] = 99;
  const std::string b = write_file(dir, "b.jsonl", other, {plan().cells[1]});
  const std::string out = dir.file("out.jsonl");
  try {
    merge_result_files({a, b}, out);
    FAIL() << "merged two specs";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find(b + ": holds results of a different spec than " + a), std::string::npos)
        << e.what();
    EXPECT_NE(std::string(e.what()).find("/seed"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(std::filesystem::exists(out));

  json imported = header("cpu A");
  imported.erase("spec");
  const std::string c = write_file(dir, "c.jsonl", imported, {plan().cells[1]});
  EXPECT_THROW(merge_result_files({a, c}, out), std::invalid_argument);
  EXPECT_THROW(merge_result_files({}, out), std::invalid_argument);
  EXPECT_FALSE(std::filesystem::exists(out));
}

TEST(Merge, SaysWhenTheFilesRanOnDifferentModels) {
  TempDir dir;
  const std::string a = write_file(dir, "a.jsonl", header("card A", "1/2"), shard_of(plan(), Shard{1, 2}).cells);
  const std::string b = write_file(dir, "b.jsonl", header("card B", "2/2"), shard_of(plan(), Shard{2, 2}).cells);
  merge_result_files({a, b}, dir.file("out.jsonl"));
  const ResultFile merged = read_result_file(dir.file("out.jsonl"));
  EXPECT_EQ(merged.header["mixed_devices"], json::array({"card A", "card B"}));
}

}  // namespace
}  // namespace attnsweep
