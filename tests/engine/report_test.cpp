#include "attnsweep/engine/report.h"

#include <gtest/gtest.h>

#include <algorithm>
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
      "- **Peak (dense):** fp16 989.4, bf16 989.4, fp8 1979, tf32 494.7, fp32 66.9 TFLOP/s (datasheet: NVIDIA H100 SXM5)\n"
      "- **CPU:** Xeon 8480, 16 logical cores\n"
      "- **Host:** gpu-box, Linux 6.1 x86_64\n"
      "- **Build:** 0.1.0+abc, gcc 12.2, optimized\n"
      "- **Date:** 2026-11-25T17:00:00Z\n"
      "- **Executor:** cuda:0 (worker)\n"
      "- **Cache:** cold (last-level cache flushed before each sample)\n"
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
  const std::vector<std::string> header = md_cells(lines_of(md)[12]);
  const std::vector<std::string> seed = {"Kernel", "Tier",  "Q_N",    "K_N",    "head_dim",
                                         "heads",  "batch", "avg_ms", "std_ms", "min_ms"};
  std::size_t at = 0;
  for (const std::string& name : header)
    if (at < seed.size() && name == seed[at]) ++at;
  EXPECT_EQ(at, seed.size()) << lines_of(md)[12];
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
  // Failed: message quoted by RFC 4180 (it has commas), then 13 empty number fields, not zeros.
  EXPECT_TRUE(rows[3].starts_with("naive,hd64-h12-b1-n16k,16384,16384,64,12,1,fp16,false,oom,"
                                  "\"needs 80 GiB, 2 GiB free\",,,,,,,,,,,,,,false,"))
      << rows[3];
}

// % of the device's dense peak (peaks.h) beside TFLOP/s, for ok cells; the check's counts too.
TEST(ReportCsv, CarriesPctOfPeakAndWhatTheCheckCovered) {
  const std::string csv = report_csv(sample_file());
  std::vector<std::vector<std::string>> rows;
  for (std::size_t b = 0, e; (e = csv.find("\r\n", b)) != std::string::npos; b = e + 2) {
    std::vector<std::string> fields;
    std::stringstream line(csv.substr(b, e - b));
    for (std::string f; std::getline(line, f, ',');) fields.push_back(f);
    rows.push_back(fields);
  }
  const auto column = [&](const std::string& name) {
    return static_cast<std::size_t>(std::find(rows[0].begin(), rows[0].end(), name) - rows[0].begin());
  };
  ASSERT_LT(column("pct_of_peak"), rows[0].size());
  EXPECT_EQ(column("pct_of_peak"), column("gbps") + 1);
  const double tflops = std::stod(rows[1][column("tflops")]);
  EXPECT_DOUBLE_EQ(std::stod(rows[1][column("pct_of_peak")]), 100 * tflops / 989.4);  // the H100 SXM datasheet
  EXPECT_EQ(rows[1][column("rows_checked")], "128");
  EXPECT_EQ(rows[1][column("slices_checked")], "12");
  EXPECT_EQ(rows[1][column("naive_max_abs_err")], "0.00125");
}

TEST(ReportCsv, QuotesFieldsByRfc4180) {
  ResultFile f = sample_file();
  f.results.resize(1);
  f.results[0].status = CellStatus::error;
  f.results[0].time_ms.reset();
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
  EXPECT_FALSE(j["cells"][2].contains("time_ms"));
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
  // % of peak on every ok cell: a number for a known device, null where the peak is not known.
  EXPECT_DOUBLE_EQ(j["cells"][0]["pct_of_peak"].get<double>(), 100 * j["cells"][0]["tflops"].get<double>() / 989.4);
  EXPECT_FALSE(j["cells"][2].contains("pct_of_peak"));
  f.header["environment"]["device"] = {{"backend", "cpu"}, {"name", "a CPU"}};
  const json on_cpu = json::parse(report_json(f));
  EXPECT_TRUE(on_cpu["cells"][0]["pct_of_peak"].is_null());
}

}  // namespace
}  // namespace attnsweep
