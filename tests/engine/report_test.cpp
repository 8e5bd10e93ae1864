#include "attnsweep/engine/report.h"

#include <gtest/gtest.h>

#include <sstream>
#include <vector>

#include "sample_results.h"

namespace attnsweep {
namespace {

using nlohmann::json;
using testing::failed_result;
using testing::ok_result;
using testing::sample_cell;

ResultFile sample_file() {
  ResultFile f;
  f.header = json::parse(R"J({"type":"header","schema":1,"tool":"attnsweep","spec":{"name":"snap"},
    "environment":{"host":"gpu-box","os":"Linux 6.1 x86_64","cpu_model":"Xeon 8480","cpu_cores":16,
      "build_id":"0.1.0+abc","compiler":"gcc 12.2","build_type":"optimized",
      "device":{"backend":"cuda","ordinal":0,"name":"NVIDIA H100 80GB HBM3","driver":"580.95","runtime":"13.0"}},
    "started":"2026-11-25T17:00:00Z","executor":"cuda:0 (worker)"})J");
  f.results.push_back(ok_result(sample_cell("flash_mma", 512), 0.72934));
  f.results.push_back(ok_result(sample_cell("naive", 512), 116.6522));
  f.results.push_back(failed_result(sample_cell("naive", 16384), CellStatus::oom, "needs 80 GiB, 2 GiB free"));
  f.results.push_back(failed_result(sample_cell("cublas", 16384), CellStatus::wrong, "rel_err 0.5 > tol | 2e-3"));
  return f;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// The cells of one Markdown table row, trimmed (escaped pipes kept as "\|").
std::vector<std::string> md_cells(const std::string& row) {
  std::vector<std::string> cells;
  std::string cell;
  for (std::size_t i = 1; i < row.size(); ++i) {
    if (row[i] == '|' && row[i - 1] != '\\') {
      const auto b = cell.find_first_not_of(' '), e = cell.find_last_not_of(' ');
      cells.push_back(b == std::string::npos ? "" : cell.substr(b, e - b + 1));
      cell.clear();
    } else {
      cell += row[i];
    }
  }
  return cells;
}

TEST(ReportMarkdown, SnapshotOfASmallSweep) {
  const std::string expected =
      "# Attention forward sweep: snap\n"
      "\n"
      "- **GPU:** NVIDIA H100 80GB HBM3 (cuda #0)\n"
      "- **Driver / runtime:** driver 580.95, runtime 13.0\n"
      "- **CPU:** Xeon 8480, 16 logical cores\n"
      "- **Host:** gpu-box, Linux 6.1 x86_64\n"
      "- **Build:** 0.1.0+abc, gcc 12.2, optimized\n"
      "- **Date:** 2026-11-25T17:00:00Z\n"
      "- **Executor:** cuda:0 (worker)\n"
      "- **Times:** cold: one launch per sample after the last-level cache is flushed\n"
      "- **Steady state:** burst\n"
      "\n"
      "| Kernel | Tier | Q_N | K_N | head_dim | heads | batch | dtype | causal | avg_ms | std_ms | min_ms | median_ms "
      "| TFLOP/s | status |\n"
      "|--------|------|-----|-----|----------|-------|-------|-------|--------|--------|--------|--------|-----------"
      "|---------|--------|\n"
      "| flash_mma | hd64-h12-b1-n512 | 512 | 512 | 64 | 12 | 1 | fp16 | full | 0.7366 | 0.01459 | 0.7075 | 0.7293 "
      "| 1.104 | ok |\n"
      "| naive | hd64-h12-b1-n512 | 512 | 512 | 64 | 12 | 1 | fp16 | full | 117.8 | 2.333 | 113.2 | 116.7 | 0.006903 "
      "| ok |\n"
      "| naive | hd64-h12-b1-n16k | 16384 | 16384 | 64 | 12 | 1 | fp16 | full | OOM | OOM | OOM | OOM | OOM "
      "| needs 80 GiB, 2 GiB free |\n"
      "| cublas | hd64-h12-b1-n16k | 16384 | 16384 | 64 | 12 | 1 | fp16 | full | WRONG | WRONG | WRONG | WRONG | WRONG "
      "| rel_err 0.5 > tol \\| 2e-3 |\n"
      "\n"
      "4 cells: 2 ok, 1 oom, 1 wrong. Times in milliseconds; TFLOP/s = 4·B·H·Q_N·K_N·d (halved for causal) / median.\n"
      "\n"
      "Wall time: 4.0 s in cells: inputs 0.5 s, checks (reference included) 1.0 s, warm-up 0.5 s, settling 0.0 s, "
      "timing 1.2 s, the rest 0.8 s.\n"
      "\n"
      "![Forward time](attention_sweep_forward.png)\n"
      "\n"
      "![Heatmap](attention_sweep_heatmap.png)\n"
      "\n"
      "![Scaling curve](attention_sweep_scaling.png)\n";
  EXPECT_EQ(report_markdown(sample_file()), expected);
}

TEST(ReportMarkdown, FailedCellsNeverShowAZeroTime) {
  const std::string md = report_markdown(sample_file());
  int failed_rows = 0;
  for (const std::string& line : lines_of(md)) {
    if (!line.starts_with("| naive | hd64-h12-b1-n16k") && !line.starts_with("| cublas")) continue;
    ++failed_rows;
    const std::vector<std::string> cells = md_cells(line);
    ASSERT_EQ(cells.size(), 15u) << line;
    for (int c = 9; c <= 13; ++c) {  // avg, std, min, median, TFLOP/s
      EXPECT_TRUE(cells[c] == "OOM" || cells[c] == "WRONG") << line;
      EXPECT_NE(cells[c], "0");
    }
  }
  EXPECT_EQ(failed_rows, 2);
}

TEST(ReportMarkdown, KeepsTheSeedColumnsInTheSeedOrder) {
  const std::string md = report_markdown(sample_file());
  const std::vector<std::string> lines = lines_of(md);
  const auto table = std::find_if(lines.begin(), lines.end(), [](const std::string& l) { return l.starts_with("| Kernel"); });
  ASSERT_NE(table, lines.end()) << md;
  const std::vector<std::string> header = md_cells(*table);
  const std::vector<std::string> seed = {"Kernel", "Tier",  "Q_N",    "K_N",    "head_dim",
                                         "heads",  "batch", "avg_ms", "std_ms", "min_ms"};
  std::size_t at = 0;
  for (const std::string& name : header)
    if (at < seed.size() && name == seed[at]) ++at;
  EXPECT_EQ(at, seed.size()) << *table;
  for (const char* extra : {"median_ms", "TFLOP/s", "status"})
    EXPECT_NE(std::find(header.begin(), header.end(), extra), header.end()) << extra;
}

TEST(ReportMarkdown, FileWithoutEnvironmentSaysSoAndShowsWarnings) {
  ResultFile f = sample_file();
  f.header.erase("environment");
  f.warnings.push_back("line 7: torn last line dropped (12 bytes that are not a complete record)");
  const std::string md = report_markdown(f);
  EXPECT_NE(md.find("- **Environment:** not recorded in this file\n"), std::string::npos);
  EXPECT_NE(md.find("> Warning: line 7: torn last line dropped"), std::string::npos);
}

TEST(ReportCsv, EveryCellOneRowEmptyNotZeroWhenNotMeasured) {
  const std::string csv = report_csv(sample_file());
  std::vector<std::string> rows;
  for (std::size_t b = 0, e; (e = csv.find("\r\n", b)) != std::string::npos; b = e + 2) rows.push_back(csv.substr(b, e - b));
  ASSERT_EQ(rows.size(), 5u);
  EXPECT_TRUE(rows[0].starts_with("kernel,tier,q_n,k_n,head_dim,heads,batch,dtype,causal,status,message,samples,"
                                  "median_ms,mean_ms,std_ms,min_ms,max_ms,p10_ms,p90_ms,ci_low_ms,ci_high_ms,tflops,gbps,"))
      << rows[0];
  EXPECT_TRUE(rows[1].starts_with("flash_mma,hd64-h12-b1-n512,512,512,64,12,1,fp16,false,ok,,37,0.72934,")) << rows[1];
  // Failed: message quoted by RFC 4180 (it has commas), then 12 empty number fields, not zeros.
  EXPECT_TRUE(rows[3].starts_with("naive,hd64-h12-b1-n16k,16384,16384,64,12,1,fp16,false,oom,"
                                  "\"needs 80 GiB, 2 GiB free\",,,,,,,,,,,,,false,"))
      << rows[3];
}

TEST(ReportCsv, QuotesFieldsByRfc4180) {
  ResultFile f = sample_file();
  f.results.resize(1);
  f.results[0].status = CellStatus::error;
  f.results[0].timings.clear();
  f.results[0].message = "said \"no\"\nthen stopped";
  const std::string csv = report_csv(f);
  EXPECT_NE(csv.find(",error,\"said \"\"no\"\"\nthen stopped\","), std::string::npos) << csv;
}

TEST(ReportJson, HoldsHeaderCellsAndASummary) {
  ResultFile f = sample_file();
  f.results.push_back(ok_result(sample_cell("cublas", 512), 0.5));  // now fastest at n512
  const json j = json::parse(report_json(f));
  EXPECT_EQ(j["header"]["spec"]["name"], "snap");
  ASSERT_EQ(j["cells"].size(), 5u);
  EXPECT_EQ(j["cells"][2]["status"], "oom");
  EXPECT_FALSE(j["cells"][2].contains("timings"));
  const json& s = j["summary"];
  EXPECT_EQ(s["cells"], 5);
  EXPECT_EQ(s["by_status"]["ok"], 3);
  EXPECT_EQ(s["by_status"]["oom"], 1);
  EXPECT_EQ(s["by_status"]["wrong"], 1);
  EXPECT_EQ(s["by_status"]["crashed"], 0);
  ASSERT_EQ(s["best_by_tier"].size(), 1u);  // the n16k tier has no ok cell
  EXPECT_EQ(s["best_by_tier"][0]["tier"], "hd64-h12-b1-n512");
  EXPECT_EQ(s["best_by_tier"][0]["kernel"], "cublas");
  EXPECT_EQ(s["best_by_tier"][0]["by"], "median");
  EXPECT_DOUBLE_EQ(s["best_by_tier"][0]["ms"].get<double>(), 0.5);
  EXPECT_EQ(s["mode"], "cold");
  EXPECT_DOUBLE_EQ(s["wall_s"].get<double>(), 1.75 * 3 + 0.25 * 2);
  EXPECT_DOUBLE_EQ(s["wall_split_s"]["check"].get<double>(), 0.5 * 3);
}

// The flash cell timed in both modes (batch noisy, with slowed samples); the naive cell in batch only.
ResultFile two_mode_file() {
  ResultFile f = sample_file();
  f.results.resize(2);
  Timing batch = f.results[0].timings.front();
  batch.mode = TimingMode::batch;
  batch.launches_per_sample = 8;
  batch.time_ms.median = 0.5;
  batch.noisy = true;
  batch.flagged_samples = 2;
  batch.flags = {"sw_power_cap"};
  f.results[0].timings.push_back(batch);
  f.results[1].timings.front().mode = TimingMode::batch;
  return f;
}

TEST(ReportMarkdown, ShowsColdByDefaultSaysSoAndMarksWhatIsNotTimedCold) {
  const std::string md = report_markdown(two_mode_file());
  EXPECT_NE(md.find("- **Times:** cold: one launch per sample after the last-level cache is flushed (also in the file: "
                    "batch)\n"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("| 0.7293 | 1.104 | ok |"), std::string::npos) << md;
  EXPECT_NE(md.find("| n/a | n/a | n/a | n/a | n/a | ok, not timed cold |"), std::string::npos) << md;
  EXPECT_EQ(md.find("noisy:"), std::string::npos) << "nothing shown is noisy: no legend for it";
}

TEST(ReportMarkdown, ShowsAnotherModeWhenAskedAndMarksNoisyAndSlowedTimes) {
  const std::string md = report_markdown(two_mode_file(), TimingMode::batch);
  EXPECT_NE(md.find("- **Times:** batch: back-to-back launches per sample on a warm cache, time per launch (also in "
                    "the file: cold)\n"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("| 0.5 | 1.104 | ok, noisy, 2 slowed samples (sw_power_cap) |"), std::string::npos) << md;
  EXPECT_NE(md.find("noisy: the median's 95% interval stayed wider"), std::string::npos) << md;
}

TEST(ReportMarkdown, SaysWhetherClocksWereLocked) {
  ResultFile f = sample_file();
  f.header["clocks"] = {{"locked", false}, {"why", "not asked to lock them"}};
  EXPECT_NE(report_markdown(f).find("- **Clocks:** free (not asked to lock them)\n"), std::string::npos);
  f.header["clocks"] = {{"locked", true}, {"sm_mhz", 1590}};
  EXPECT_NE(report_markdown(f).find("- **Clocks:** SM clock locked at 1590 MHz\n"), std::string::npos);
}

TEST(ReportCsv, OneRowPerCellAndModeWithTheModeNamed) {
  const std::string csv = report_csv(two_mode_file());
  std::vector<std::string> rows;
  for (std::size_t b = 0, e; (e = csv.find("\r\n", b)) != std::string::npos; b = e + 2) rows.push_back(csv.substr(b, e - b));
  ASSERT_EQ(rows.size(), 4u);  // header, flash cold, flash batch, naive batch
  EXPECT_NE(rows[0].find(",mode,launches_per_sample,noisy,flagged_samples,flags,steady,"), std::string::npos) << rows[0];
  EXPECT_NE(rows[1].find(",cold,1,false,0,,burst,"), std::string::npos) << rows[1];
  EXPECT_NE(rows[2].find(",batch,8,true,2,sw_power_cap,burst,"), std::string::npos) << rows[2];
  EXPECT_TRUE(rows[3].starts_with("naive,")) << rows[3];
  EXPECT_NE(rows[3].find(",batch,"), std::string::npos) << rows[3];
}

}  // namespace
}  // namespace attnsweep
