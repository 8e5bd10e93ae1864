// Cells from a table of text (table_reader.cpp): the rules every tabular reader shares.
#include "attnsweep/engine/table_reader.h"

#include <gtest/gtest.h>

#include <limits>

#include "sample_results.h"

namespace attnsweep {
namespace {

const std::vector<std::string> kResultNames = {"Kernel", "Q_N", "K_N", "head_dim", "heads",
                                               "batch",  "dtype", "causal", "status", "median_ms"};
const std::vector<std::string> kSeedNames = {"Kernel", "Tier",  "Q_N",    "K_N",    "head_dim",
                                             "heads",  "batch", "avg_ms", "std_ms", "min_ms"};

TextTable table(std::vector<std::string> names, std::vector<std::vector<std::string>> rows) {
  TextTable t;
  t.names_line = 1;
  t.names = std::move(names);
  for (auto& cells : rows) t.rows.push_back({t.rows.size() + 2, std::move(cells)});
  t.end_line = t.rows.size() + 2;
  return t;
}

ResultFile read(const TextTable& t) { return results_from_table(t, {"t.md", "markdown", "", nlohmann::json::array()}); }

std::string error_of(const TextTable& t) {
  return testing::error_of([&] { (void)read(t); });
}

TEST(TableReader, AResultTable) {
  const ResultFile f = read(table(kResultNames, {{"flash_mma", "2048", "2048", "64", "12", "1", "fp16", "causal", "ok", "0.5"},
                                                 {"naive", "2048", "2048", "64", "12", "1", "fp16", "full", "OOM", "OOM"},
                                                 {"cublas", "2048", "2048", "64", "12", "1", "fp16", "full", "unsupported", ""}}));
  ASSERT_EQ(f.results.size(), 3u);
  const CellResult& ok = f.results[0];
  EXPECT_EQ(ok.cell.id(), "flash_mma|hd64-h12-b1-n2k|fp16|causal");
  EXPECT_EQ(ok.status, CellStatus::ok);
  ASSERT_EQ(ok.timings.size(), 1u);
  EXPECT_EQ(ok.timings[0].mode, TimingMode::unstated) << "the table names no mode";
  EXPECT_DOUBLE_EQ(ok.timings[0].time_ms.median, 0.5);
  EXPECT_EQ(ok.timings[0].time_ms.samples, 0) << "a table's statistics, not samples";
  EXPECT_NEAR(ok.timings[0].tflops, ok.cell.problem().flops() / 0.5e-3 / 1e12, 1e-9) << "from the time the table gives";
  EXPECT_EQ(f.results[1].status, CellStatus::oom);
  EXPECT_TRUE(f.results[1].timings.empty());
  EXPECT_FALSE(f.results[2].cell.supported) << "the plan marks the cells it will not run";
  EXPECT_EQ(f.header["source"]["kind"], "markdown");
  EXPECT_EQ(f.header["name"], "t.md");
  EXPECT_FALSE(f.header.contains("assumed"));
}

TEST(TableReader, TheSeedsTableTakesItsAssumptionsAndItsZeros) {
  const ResultFile f = read(table(kSeedNames, {{"k", "x", "512", "512", "64", "12", "1", "0.7", "0.1", "0.6"},
                                               {"k", "y", "1024", "1024", "64", "12", "1", "0", "0", "0"}}));
  ASSERT_EQ(f.results.size(), 2u);
  EXPECT_EQ(f.results[0].cell.id(), "k|hd64-h12-b1-n512|fp16|full");
  EXPECT_EQ(f.results[1].status, CellStatus::oom);
  EXPECT_EQ(f.header["source"]["kind"], "seed-markdown");
  EXPECT_EQ(f.header["assumed"]["dtype"], "fp16");
}

TEST(TableReader, BadTablesNameTheLineColumnAndRule) {
  EXPECT_EQ(error_of(table({"Kernel", "Tier", "Q_N"}, {})),
            "t.md: line 1: no column K_N, head_dim, heads, batch, dtype, causal, status (a result table names Kernel, "
            "Q_N, K_N, head_dim, heads, batch, dtype, causal, status; the seed's table has exactly Kernel | Tier | Q_N "
            "| K_N | head_dim | heads | batch | avg_ms | std_ms | min_ms)");
  std::vector<std::string> unknown = kSeedNames;
  unknown[7] = "avg";
  EXPECT_TRUE(error_of(table(unknown, {})).starts_with("t.md: line 1, column 8 (avg): names no column (known: Kernel, "))
      << error_of(table(unknown, {}));
  std::vector<std::string> twice = kResultNames;
  twice.push_back("Q_N");
  EXPECT_EQ(error_of(table(twice, {})), "t.md: line 1, column 11 (Q_N): the same column as column 2");
  EXPECT_EQ(error_of(table(kResultNames, {})), "t.md: line 2: the table has no rows");
  const std::vector<std::string> good = {"k", "512", "512", "64", "12", "1", "fp16", "full", "ok", "0.5"};
  EXPECT_EQ(error_of(table(kResultNames, {{"k", "512"}})), "t.md: line 2: 2 cells, expected 10");
  auto with = [&](std::size_t at, const std::string& text) {
    std::vector<std::string> row = good;
    row[at] = text;
    return table(kResultNames, {row});
  };
  EXPECT_EQ(error_of(with(5, "0")), "t.md: line 2, column 6 (batch): must be positive (got 0)");
  EXPECT_EQ(error_of(with(9, "")), "t.md: line 2: an ok row needs a time: avg_ms or median_ms");
  std::vector<std::string> failed = good;
  failed[8] = "error";
  EXPECT_EQ(error_of(table(kResultNames, {failed})),
            "t.md: line 2, column 10 (median_ms): a number on a 'error' row: only ok cells carry times");
  EXPECT_EQ(error_of(table(kResultNames, {good, good})),
            "t.md: line 3: the same kernel, tier values, dtype, mask and mode as line 2");
  EXPECT_EQ(error_of(table(kSeedNames, {{"k", "x", "512", "512", "64", "12", "1", "0", "0.1", "0.6"}})),
            "t.md: line 2, column 8 (avg_ms): 0 beside non-zero times: neither a time nor a cell that did not run");
}

// A table is held to the rules of every record: no sizes whose byte counts overflow, no time
// faster than its own minimum, no name that makes two cells one.
TEST(TableReader, ImpossibleRowsAreRefused) {
  const std::string huge = std::to_string(std::numeric_limits<std::int64_t>::max());
  EXPECT_EQ(error_of(table(kSeedNames, {{"k", "x", "512", "512", "64", "12", huge, "0.7", "0.1", "0.6"}})),
            "t.md: line 2, column 7 (batch): '" + huge + "' is too large (at most 9007199254740992)");
  EXPECT_EQ(error_of(table(kSeedNames, {{"k", "x", "512", "512", "64", "12", "1125899906842624", "0.7", "0.1", "0.6"}})),
            "t.md: line 2: tier: the element count of Q and O (batch*heads*q_n*head_dim) overflows a 64-bit integer");
  EXPECT_EQ(error_of(table(kSeedNames, {{"k", "x", "512", "512", "64", "12", "1", "0.5", "0.1", "0.6"}})),
            "t.md: line 2: timings.unstated.time_ms.min: 0.6 is above mean 0.5");
  EXPECT_EQ(error_of(table(kSeedNames, {{"k|hd64-h12-b1-n512", "x", "512", "512", "64", "12", "1", "0.7", "0.1", "0.6"}}))
                .find("t.md: line 2: kernel: 'k|hd64-h12-b1-n512' holds '|'"),
            0u);
  EXPECT_EQ(error_of(table(kResultNames, {{"k", "512", "512", "2048", "1", "1", "fp32", "full", "ok", "0.5"}})),
            "t.md: line 2: tier: head_dim must be at most 1024 (got 2048)");
}

}  // namespace
}  // namespace attnsweep
