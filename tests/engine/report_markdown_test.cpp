// The Markdown report (report_markdown.cpp): what it writes, and what its reader takes back: the
// report itself, a copied table, and the seed's table.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <set>
#include <sstream>

#include "attnsweep/engine/report.h"
#include "sample_results.h"
#include "support/markdown_rows.h"

namespace attnsweep {
namespace {

using nlohmann::json;
using testing::error_of;
using testing::failed_result;
using testing::ok_result;
using testing::sample_cell;
using testing::sample_result_file;

// A copy of the table that started the project (seeds/000_44dcfb095d361470.txt).
const std::string kSeedPath = std::string(ATTNSWEEP_SOURCE_DIR) + "/tests/engine/data/seed_000_44dcfb095d361470.md";

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// The lines of the first table in a Markdown text.
std::vector<std::string> table_lines(const std::string& md) {
  std::vector<std::string> table;
  for (const std::string& line : lines_of(md)) {
    if (line.starts_with("|")) table.push_back(line);
    else if (!table.empty()) break;
  }
  return table;
}

// ---- writing -------------------------------------------------------------------------------------

TEST(ReportMarkdown, SnapshotOfASmallSweep) {
  const std::string expected =
      "# Attention forward sweep: snap\n"
      "\n"
      "- **GPU:** NVIDIA H100 80GB HBM3 (cuda #0)\n"
      "- **Driver / runtime:** driver 580.95, runtime 13.0\n"
      "- **Peak (dense):** fp16 989.4, bf16 989.4, fp8 1979, tf32 494.7, fp32 66.9 TFLOP/s (datasheet: NVIDIA H100 "
      "SXM5)\n"
      "- **CPU:** Xeon 8480, 16 logical cores\n"
      "- **Host:** gpu-box, Linux 6.1 x86_64\n"
      "- **Build:** 0.1.0+abc, gcc 12.2, optimized\n"
      "- **Date:** 2026-11-25T17:00:00Z\n"
      "- **Executor:** cuda:0 (worker)\n"
      "- **Times:** cold: one launch per sample after the last-level cache is flushed\n"
      "- **Steady state:** burst\n"
      "\n"
      "| Kernel | Tier | Q_N | K_N | head_dim | heads | batch | avg_ms | std_ms | min_ms | dtype | causal | status "
      "| mode | median_ms | tflops | noisy | flagged_samples | message |\n"
      "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|---|---|---:|---:|---:|---:|---|\n"
      "| flash_mma | hd64-h12-b1-n512 | 512 | 512 | 64 | 12 | 1 | 0.7366 | 0.01459 | 0.7075 | fp16 | full | ok "
      "| cold | 0.7293 | 1.104 | false | 0 |  |\n"
      "| naive | hd64-h12-b1-n512 | 512 | 512 | 64 | 12 | 1 | 117.8 | 2.333 | 113.2 | fp16 | full | ok | cold "
      "| 116.7 | 0.006903 | false | 0 |  |\n"
      "| naive | hd64-h12-b1-n16k | 16384 | 16384 | 64 | 12 | 1 | OOM | OOM | OOM | fp16 | full | OOM |  | OOM "
      "| OOM | OOM | OOM | needs 80 GiB, 2 GiB free |\n"
      "| cublas | hd64-h12-b1-n16k | 16384 | 16384 | 64 | 12 | 1 | wrong | wrong | wrong | fp16 | full | wrong |  "
      "| wrong | wrong | wrong | wrong | rel_err 0.5 &gt; tol \\| 2e-3 |\n"
      "\n"
      "4 cells: 2 ok, 1 oom, 1 wrong. Times in milliseconds; TFLOP/s = 4·B·H·Q_N·K_N·d (halved for causal; only the keys a query sees) / median.\n"
      "\n"
      "Wall time: 4.0 s in cells: inputs 0.5 s, checks (reference included) 1.0 s, warm-up 0.5 s, settling 0.0 s, "
      "timing 1.2 s, the rest 0.8 s.\n"
      "\n"
      "![Forward time](attention_sweep_forward.png)\n"
      "\n"
      "![Heatmap](attention_sweep_heatmap.png)\n"
      "\n"
      "![Scaling curve](attention_sweep_scaling.png)\n";
  EXPECT_EQ(report_markdown(sample_result_file()), expected);
}

TEST(ReportMarkdown, SaysWhereEachRankRanAndWhenModelsWereMixed) {
  ResultFile f = sample_result_file();
  f.header["shard"] = "2/4";
  f.header["ranks"] = json::array();
  for (const auto& [host, card] : {std::pair{"a", "NVIDIA H100 80GB HBM3"}, std::pair{"b", "NVIDIA A100-SXM4-80GB"}})
    f.header["ranks"].push_back({{"rank", f.header["ranks"].size()},
                                 {"node_rank", 0},
                                 {"environment", {{"host", host}, {"device", {{"name", card}}}}}});
  f.header["mixed_devices"] = {"NVIDIA H100 80GB HBM3", "NVIDIA A100-SXM4-80GB"};
  f.header["merged"] = {{{"file", "p1.jsonl"}, {"shard", "1/2"}}, {{"file", "p2.jsonl"}}};
  const std::string md = report_markdown(f);
  EXPECT_NE(md.find("- **Ranks:** 2: rank 0: a, NVIDIA H100 80GB HBM3; rank 1: b, NVIDIA A100-SXM4-80GB\n"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("- **Share:** 2/4 of the spec's cells\n"), std::string::npos) << md;
  EXPECT_NE(md.find("- **Merged from:** p1.jsonl (share 1/2), p2.jsonl\n"), std::string::npos) << md;
  EXPECT_NE(md.find("- **Mixed devices:** NVIDIA H100 80GB HBM3, NVIDIA A100-SXM4-80GB (the device of each cell is"),
            std::string::npos)
      << md;
  EXPECT_EQ(report_markdown(sample_result_file()).find("Mixed devices"), std::string::npos);
}

// The flash cell timed in both modes (batch noisy, with slowed samples); the naive cell in batch only.
ResultFile two_mode_file() {
  ResultFile f = sample_result_file();
  f.results.resize(2);
  f.results[0] = testing::with_batch_timing(f.results[0]);
  f.results[1].timings.front().mode = TimingMode::batch;
  return f;
}

TEST(ReportMarkdown, ShowsColdByDefaultAndSaysWhereARowShowsAnotherMode) {
  const std::string md = report_markdown(two_mode_file());
  EXPECT_NE(md.find("- **Times:** cold: one launch per sample after the last-level cache is flushed (also in the file: "
                    "batch); cells not timed cold show the mode they were timed in (1)\n"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("| 0.7366 | 0.01459 | 0.7075 | fp16 | full | ok | cold | 0.7293 | 1.104 | false | 0 |"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("| 117.8 | 2.333 | 113.2 | fp16 | full | ok | batch |"), std::string::npos) << md;
  EXPECT_EQ(md.find("noisy: the median's"), std::string::npos) << "nothing shown is noisy: no legend for it";
}

TEST(ReportMarkdown, ShowsAnotherModeWhenAskedAndWhatIsNoisyOrSlowed) {
  const std::string md = report_markdown(two_mode_file(), TimingMode::batch);
  EXPECT_NE(md.find("- **Times:** batch: back-to-back launches per sample on a warm cache, time per launch (also in "
                    "the file: cold)\n"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("| 0.505 | 0.01 | 0.485 | fp16 | full | ok | batch | 0.5 | 1.611 | true | 2 |"), std::string::npos)
      << md;
  EXPECT_NE(md.find("noisy: the median's 95% interval stayed wider"), std::string::npos) << md;
}

TEST(ReportMarkdown, SaysWhetherClocksWereLocked) {
  ResultFile f = sample_result_file();
  f.header["clocks"] = {{"locked", false}, {"why", "not asked to lock them"}};
  EXPECT_NE(report_markdown(f).find("- **Clocks:** free (not asked to lock them)\n"), std::string::npos);
  f.header["clocks"] = {{"locked", true}, {"sm_mhz", 1590}};
  EXPECT_NE(report_markdown(f).find("- **Clocks:** SM clock locked at 1590 MHz\n"), std::string::npos);
}

TEST(ReportMarkdown, FailedCellsNeverShowAZeroTime) {
  const auto rows = test_support::markdown_rows(report_markdown(sample_result_file()));
  ASSERT_EQ(rows.size(), 5u);
  for (std::size_t row : {3u, 4u}) {
    ASSERT_EQ(rows[row].size(), 19u);
    for (int c : {7, 8, 9, 14, 15}) {  // avg, std, min, median, TFLOP/s
      EXPECT_TRUE(rows[row][c] == "OOM" || rows[row][c] == "wrong") << rows[row][c];
      EXPECT_NE(rows[row][c], "0");
    }
  }
}

// The seed's ten columns first, in its order: a reader of the seed's table by position reads ours.
TEST(ReportMarkdown, KeepsTheSeedColumnsInTheSeedOrder) {
  const std::vector<std::string> header = test_support::markdown_rows(report_markdown(sample_result_file()))[0];
  const std::vector<std::string> seed = {"Kernel", "Tier",  "Q_N",    "K_N",    "head_dim",
                                         "heads",  "batch", "avg_ms", "std_ms", "min_ms"};
  ASSERT_GE(header.size(), seed.size());
  EXPECT_EQ(std::vector<std::string>(header.begin(), header.begin() + 10), seed);
  for (const char* extra : {"dtype", "causal", "median_ms", "tflops", "status", "message"})
    EXPECT_NE(std::find(header.begin(), header.end(), extra), header.end()) << extra;
}

TEST(ReportMarkdown, FileWithoutEnvironmentSaysSoAndShowsWarnings) {
  ResultFile f = sample_result_file();
  f.header.erase("environment");
  f.warnings.push_back("line 7: torn last line dropped (12 bytes that are not a complete record)");
  const std::string md = report_markdown(f);
  EXPECT_NE(md.find("- **Environment:** not recorded in this file\n"), std::string::npos);
  EXPECT_NE(md.find("> Warning: line 7: torn last line dropped"), std::string::npos);
}

TEST(MarkdownTable, TheRowsAskedForInTheirOrderEscaped) {
  std::vector<CellResult> rs = {ok_result(sample_cell("a"), 1.5),
                                failed_result(sample_cell("b|c", 1024), CellStatus::oom, "x")};
  EXPECT_EQ(markdown_table(rs, {1, 0}, std::vector<Column>{Column::kernel, Column::median_ms}),
            "| Kernel | median_ms |\n|---|---:|\n| b\\|c | OOM |\n| a | 1.5 |\n");
  EXPECT_EQ(markdown_table(rs, {}, std::vector<Column>{Column::kernel}), "| Kernel |\n|---|\n");
}

// Names and messages come from files and workers: rendered, a report shows them as text and runs
// nothing; on a terminal, none of their bytes is a control character.
TEST(ReportMarkdown, NamesAreTextNeverHtmlOrControlCharacters) {
  ResultFile f = sample_result_file();
  f.header["spec"]["name"] = "<script>alert(1)</script>";
  f.header["environment"]["device"]["name"] = "GPU <img src=x onerror=alert(2)>";
  f.results[0].cell.kernel = "a<b>&c";
  f.results[2].message = "\x1b]0;pwned\x07\x1b[2J cleared & <i>gone</i>";
  const std::string md = report_markdown(f);
  for (const char* raw : {"<script>", "<img", "<b>", "<i>", "\x1b", "\x07"})
    EXPECT_EQ(md.find(raw), std::string::npos) << raw << " in:\n" << md;
  EXPECT_NE(md.find("# Attention forward sweep: &lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos) << md;
  EXPECT_NE(md.find("| a&lt;b&gt;&amp;c |"), std::string::npos) << md;
  const ResultFile back = parse_markdown_results(md, "r.md");
  EXPECT_EQ(back.header["name"], "<script>alert(1)</script>") << "the reader takes the escapes back";
  EXPECT_EQ(back.results[0].cell.kernel, "a<b>&c");
  EXPECT_EQ(back.results[2].message, "]0;pwned  [2J cleared & <i>gone</i>") << "control characters become spaces";
}

// ---- reading back --------------------------------------------------------------------------------

TEST(ReportMarkdown, ReadsBackTheSameCellsAtTheReportsPrecision) {
  const ResultFile original = sample_result_file();
  const std::string md = report_markdown(original);
  const ResultFile back = parse_markdown_results(md, "report.md");
  ASSERT_EQ(back.results.size(), original.results.size());
  for (std::size_t i = 0; i < back.results.size(); ++i) {
    const CellResult& a = original.results[i];
    const CellResult& b = back.results[i];
    EXPECT_EQ(b.cell.id(), a.cell.id());
    EXPECT_EQ(b.cell.tier.shape, a.cell.tier.shape);
    EXPECT_EQ(b.status, a.status);
    EXPECT_EQ(b.message, a.message);
    ASSERT_EQ(b.timings.size(), a.timings.size()) << i;
    if (a.timings.empty()) continue;
    const Timing &ta = a.timings.front(), &tb = b.timings.front();
    EXPECT_EQ(tb.mode, ta.mode);
    EXPECT_EQ(tb.noisy, ta.noisy);
    EXPECT_EQ(tb.flagged_samples, ta.flagged_samples);
    for (double SampleStats::*stat : {&SampleStats::median, &SampleStats::mean, &SampleStats::std, &SampleStats::min})
      EXPECT_NEAR(tb.time_ms.*stat, ta.time_ms.*stat, 5e-4 * ta.time_ms.*stat) << i;  // 4 significant digits
    EXPECT_TRUE(std::isnan(tb.time_ms.p90)) << "the report does not give it";
    EXPECT_NEAR(tb.tflops, ta.tflops, 5e-4 * ta.tflops);
  }
  // What it prints again is what it read: the table and where it ran.
  const std::string again = report_markdown(back);
  EXPECT_EQ(table_lines(again), table_lines(md));
  for (const char* line : {"- **GPU:** NVIDIA H100 80GB HBM3 (cuda #0)\n", "- **Date:** 2026-11-25T17:00:00Z\n",
                           "- **Times:** cold: one launch per sample after the last-level cache is flushed\n",
                           "# Attention forward sweep: snap\n", "- **Source:** imported from report.md (markdown)\n"})
    EXPECT_NE(again.find(line), std::string::npos) << line;
  EXPECT_EQ(report_markdown(parse_markdown_results(again, "report.md")), again) << "a second round changes nothing";
  EXPECT_EQ(describe_environment(back.header), "NVIDIA H100 80GB HBM3 (cuda #0) · 2026-11-25");
}

// report --baseline: the speedup column ends the table; a reader skips it (it follows from the cells).
TEST(ReportMarkdown, ASpeedupColumnAgainstABaselineKernelReadsBackWithoutIt) {
  const ResultFile f = sample_result_file();  // flash_mma 0.72934 ms and naive 116.6522 ms at n=512
  const std::string md = report_markdown(f, std::nullopt, "naive");
  const auto rows = test_support::markdown_rows(md);
  ASSERT_EQ(rows.size(), 5u);
  EXPECT_EQ(rows[0].back(), "speedup vs naive");
  EXPECT_EQ(rows[1].back(), "159.9");  // flash_mma: 116.6522 / 0.72934
  EXPECT_EQ(rows[2].back(), "1");
  EXPECT_EQ(rows[3].back(), "OOM");
  EXPECT_EQ(report_markdown(parse_markdown_results(md, "report.md")),
            report_markdown(parse_markdown_results(report_markdown(f), "report.md")));
  EXPECT_THROW(report_markdown(f, std::nullopt, "nosuch"), std::invalid_argument);
}

TEST(ReportMarkdown, ReadsACopiedTableWithOtherColumns) {
  std::vector<CellResult> rs = {ok_result(sample_cell("flash_mma", 2048, 128, DType::bf16, true), 0.25),
                                failed_result(sample_cell("naive", 2048), CellStatus::timeout, "watchdog")};
  const std::vector<Column> columns(table_columns().begin(), table_columns().end());
  const ResultFile back = parse_markdown_results(markdown_table(rs, {0, 1}, columns), "copy.md");
  ASSERT_EQ(back.results.size(), 2u);
  EXPECT_EQ(back.results[0].cell.id(), rs[0].cell.id());
  EXPECT_EQ(back.results[0].timings.front().time_ms.samples, 37);
  EXPECT_DOUBLE_EQ(back.results[0].timings.front().time_ms.p90, 0.2625);
  EXPECT_EQ(back.results[0].timings.front().mode, TimingMode::cold);
  EXPECT_DOUBLE_EQ(back.results[0].check.rel_err, 0) << "the check is read only with its `checked` column";
  EXPECT_EQ(back.results[1].status, CellStatus::timeout);
  EXPECT_EQ(back.results[1].message, "watchdog");
  EXPECT_EQ(back.header["name"], "copy.md");
}

// ---- the seed's table ----------------------------------------------------------------------------

// The seed's own rows, read independently of the reader.
struct SeedRow {
  std::string kernel;
  std::int64_t n, d, h, b;
  double avg, std_ms, min;
};
std::vector<SeedRow> rows_of(const std::string& text) {
  std::vector<SeedRow> rows;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.starts_with("| ") || line.starts_with("| Kernel")) continue;
    std::istringstream cells(line);
    std::string tier, bar;
    SeedRow r;
    std::int64_t k_n;
    cells >> bar >> r.kernel >> bar >> tier >> bar >> r.n >> bar >> k_n >> bar >> r.d >> bar >> r.h >> bar >> r.b >>
        bar >> r.avg >> bar >> r.std_ms >> bar >> r.min;
    rows.push_back(r);
  }
  return rows;
}

TEST(SeedTable, TheRealSeedTable) {
  const std::string text = read_text(kSeedPath);
  ASSERT_FALSE(text.empty()) << kSeedPath;
  const std::vector<SeedRow> seed = rows_of(text);
  ASSERT_EQ(seed.size(), 96u);

  const ResultFile f = parse_markdown_results(text, "seed.md");
  ASSERT_EQ(f.results.size(), 96u);
  std::set<std::string> tiers, kernels;
  int oom = 0;
  for (std::size_t i = 0; i < seed.size(); ++i) {
    const CellResult& r = f.results[i];
    const SeedRow& s = seed[i];
    EXPECT_EQ(r.cell.kernel, s.kernel);
    EXPECT_EQ(r.cell.tier.shape, (TierShape{s.n, s.n, s.d, s.h, s.b}));
    EXPECT_EQ(r.cell.tier.name, tier_name(r.cell.tier.shape));
    EXPECT_EQ(r.cell.dtype, DType::fp16);
    EXPECT_FALSE(r.cell.causal);
    if (s.avg == 0) {  // exactly the zero rows become oom, with no time
      ++oom;
      EXPECT_EQ(r.status, CellStatus::oom) << i;
      EXPECT_EQ(r.message, "0 ms in the seed table: did not run there (out of memory)");
      EXPECT_TRUE(r.timings.empty());
    } else {
      ASSERT_EQ(r.status, CellStatus::ok) << i;
      ASSERT_EQ(r.timings.size(), 1u);
      const Timing& t = r.timings.front();
      EXPECT_EQ(t.mode, TimingMode::unstated) << "the seed does not say how it timed";
      EXPECT_EQ(t.time_ms.samples, 0);
      EXPECT_DOUBLE_EQ(t.time_ms.mean, s.avg);
      EXPECT_DOUBLE_EQ(t.time_ms.std, s.std_ms);
      EXPECT_DOUBLE_EQ(t.time_ms.min, s.min);
      EXPECT_TRUE(std::isnan(t.time_ms.median));  // the seed has none
      EXPECT_NEAR(t.tflops, r.cell.problem().flops() / (s.avg * 1e-3) / 1e12, 1e-9);
    }
    tiers.insert(r.cell.tier.name);
    kernels.insert(r.cell.kernel);
  }
  EXPECT_EQ(oom, 17);
  EXPECT_EQ(tiers.size(), 24u);
  EXPECT_TRUE(tiers.count("hd64-h12-b1-n512"));  // the seed called it "Long-hd128-12h-1b-512"
  EXPECT_TRUE(tiers.count("hd256-h24-b2-n16k"));
  for (const std::string& t : tiers) EXPECT_EQ(t.find("Long"), std::string::npos) << t;
  EXPECT_EQ(kernels, (std::set<std::string>{"scaled_dot_prod_attention", "vectorized_torch",
                                            "vectorized_torch_compiled", "flash_attention_triton"}));

  // The header says where the cells came from and what was assumed.
  EXPECT_EQ(f.header["type"], "header");
  EXPECT_EQ(f.header["schema"], kResultSchema);
  EXPECT_EQ(f.header["name"], "Attention Forward Benchmark Sweep");
  EXPECT_EQ(f.header["source"]["kind"], "seed-markdown");
  EXPECT_EQ(f.header["source"]["file"], "seed.md");
  EXPECT_EQ(f.header["assumed"]["dtype"], "fp16");
  EXPECT_EQ(f.header["assumed"]["causal"], false);
  EXPECT_FALSE(f.header.contains("spec"));
}

TEST(SeedTable, ReportOfTheSeedShowsOomNotZeroAndReadsBack) {
  const ResultFile f = parse_markdown_results(read_text(kSeedPath), "seed.md");
  const std::string md = report_markdown(f);
  EXPECT_NE(md.find("| scaled_dot_prod_attention | hd64-h12-b1-n16k | 16384 | 16384 | 64 | 12 | 1 | OOM | OOM | OOM | "
                    "fp16 | full | OOM |  | OOM | OOM | OOM | OOM |"),
            std::string::npos)
      << md;
  // How the seed timed is not stated: no mode, and nothing said of noise or slowed samples.
  EXPECT_NE(md.find("| flash_attention_triton | hd256-h24-b2-n16k | 16384 | 16384 | 256 | 24 | 2 | 2598 | 0.6678 | "
                    "2597 | fp16 | full | ok | unstated | n/a | 5.078 | n/a | n/a |"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("- **Times:** as imported: the source does not say how it timed\n"), std::string::npos);
  EXPECT_EQ(md.find("| 0 |"), std::string::npos);
  EXPECT_NE(md.find("- **Assumed:** dtype fp16, causal false."), std::string::npos);
  EXPECT_NE(md.find("![Scaling curve](attention_sweep_scaling.png)"), std::string::npos);

  // Its report reads back with the same cells, and still says what was assumed.
  const ResultFile back = parse_markdown_results(md, "report.md");
  ASSERT_EQ(back.results.size(), 96u);
  for (std::size_t i = 0; i < back.results.size(); ++i) {
    EXPECT_EQ(back.results[i].cell.id(), f.results[i].cell.id());
    EXPECT_EQ(back.results[i].status, f.results[i].status);
  }
  EXPECT_NE(report_markdown(back).find("- **Assumed:** dtype fp16, causal false."), std::string::npos);
}

TEST(SeedTable, QNDifferentFromKNGetsBothInTheName) {
  const std::string text =
      "| Kernel | Tier | Q_N | K_N | head_dim | heads | batch | avg_ms | std_ms | min_ms |\n"
      "|:---|---|---:|---|---|---|---|---|---|---|\n"
      "| k | whatever | 1024 | 4096 | 64 | 12 | 1 | 1.5 | 0.1 | 1.4 |\n";
  const ResultFile f = parse_markdown_results(text, "s.md");
  ASSERT_EQ(f.results.size(), 1u);
  EXPECT_EQ(f.results[0].cell.tier.name, "hd64-h12-b1-q1k-k4k");
  EXPECT_EQ(f.header["name"], "s.md");  // no title: the file names it
}

// ---- bad input -----------------------------------------------------------------------------------

TEST(ReportMarkdown, BadMarkdownNamesTheLineAndTheRule) {
  auto error = [](const std::string& text) { return error_of([&] { (void)parse_markdown_results(text, "s.md"); }); };
  EXPECT_EQ(
      error("# nothing here\n"),
      "s.md: no Markdown table found (a result table, or the seed's: Kernel | Tier | Q_N | K_N | head_dim | heads "
      "| batch | avg_ms | std_ms | min_ms)");
  EXPECT_EQ(error("| Kernel | Tier | Q_N | K_N | head_dim | heads | batch | avg_ms | std_ms | min_ms |\n| a |\n"),
            "s.md: line 2: expected the separator row |---|---| under the column names");
  // The rest is the table reader's (table_reader_test.cpp); it names lines as the Markdown counts them.
  const std::string head =
      "# t\n\n| Kernel | Tier | Q_N | K_N | head_dim | heads | batch | avg_ms | std_ms | min_ms |\n"
      "|---|---|---|---|---|---|---|---|---|---|\n";
  EXPECT_EQ(error(head), "s.md: line 5: the table has no rows");
  EXPECT_EQ(error(head + "| k | t | 512 | 512 | 6.4 | 12 | 1 | 0.7 | 0.1 | 0.6 |\n"),
            "s.md: line 5, column 5 (head_dim): '6.4' is not an integer");
}

}  // namespace
}  // namespace attnsweep
