// The CSV report (report_csv.cpp): every column at full precision, the seed's first, LF line ends,
// the device on every row; and its reader.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>
#include <vector>

#include "attnsweep/engine/report.h"
#include "attnsweep/engine/result_json.h"
#include "sample_results.h"

namespace attnsweep {
namespace {

using testing::failed_result;
using testing::ok_result;
using testing::sample_cell;
using testing::sample_result_file;

std::vector<std::string> rows_of(const std::string& csv) {
  std::vector<std::string> rows;
  for (std::size_t b = 0, e; (e = csv.find('\n', b)) != std::string::npos; b = e + 1)
    rows.push_back(csv.substr(b, e - b));
  return rows;
}

std::string error_of(const std::string& csv) {
  return testing::error_of([&] { (void)parse_csv_results(csv, "r.csv"); });
}

TEST(ReportCsv, EveryCellOneRowEmptyNotZeroWhenNotMeasured) {
  const std::string csv = report_csv(sample_result_file());
  EXPECT_EQ(csv.find('\r'), std::string::npos) << "LF line ends";
  const std::vector<std::string> rows = rows_of(csv);
  ASSERT_EQ(rows.size(), 5u);
  EXPECT_EQ(rows[0],
            "Kernel,Tier,Q_N,K_N,head_dim,heads,batch,avg_ms,std_ms,min_ms,dtype,causal,status,message,mode,samples,"
            "median_ms,max_ms,p10_ms,p90_ms,ci_low_ms,ci_high_ms,tflops,gbps,pct_of_peak,launches_per_sample,noisy,"
            "flagged_samples,flags,checked,check_passed,rel_err,max_abs_err,tolerance,naive_rel_err,naive_max_abs_err,"
            "nonfinite,unwritten,rows_checked,slices_checked,inputs_changed,rechecked_after_timing,steady,settled,"
            "clocks_not_read,clock_readings,sm_mhz_min,sm_mhz_max,sm_max_mhz,power_w_max,temperature_c_max,"
            "clock_reasons,device,bytes_estimate,supported,wall_s,inputs_s,check_s,warmup_s,settle_s,timing_s,"
            "device_name");
  EXPECT_TRUE(rows[1].starts_with("flash_mma,hd64-h12-b1-n512,512,512,64,12,1,0.7366334,0.0145868,")) << rows[1];
  EXPECT_NE(rows[1].find(",fp16,full,ok,,cold,37,0.72934,"), std::string::npos) << rows[1];
  EXPECT_TRUE(rows[1].ends_with(",NVIDIA H100 80GB HBM3")) << rows[1];
  // Failed: no times (15 empty timing fields, not zeros), the message quoted by RFC 4180 (it has commas).
  EXPECT_TRUE(
      rows[3].starts_with("naive,hd64-h12-b1-n16k,16384,16384,64,12,1,,,,fp16,full,oom,"
                          "\"needs 80 GiB, 2 GiB free\",,,,,,,,,,,,,,,,false,"))
      << rows[3];
}

// A cell timed in two modes is two rows, cold first, each naming its mode; they read back as one cell.
TEST(ReportCsv, OneRowPerModeAndBackToOneCell) {
  ResultFile f = sample_result_file();
  f.results = {testing::with_batch_timing(f.results[0])};
  const std::vector<std::string> rows = rows_of(report_csv(f));
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_NE(rows[1].find(",ok,,cold,"), std::string::npos) << rows[1];
  EXPECT_NE(rows[2].find(",ok,,batch,"), std::string::npos) << rows[2];
  EXPECT_NE(rows[2].find(",8,true,2,sw_power_cap,"), std::string::npos) << rows[2];
  const ResultFile back = parse_csv_results(report_csv(f), "r.csv");
  ASSERT_EQ(back.results.size(), 1u);
  EXPECT_EQ(result_to_json(back.results[0]).dump(), result_to_json(f.results[0]).dump());
  // The same cell in the same mode twice is a duplicate.
  const std::string twice = report_csv(f) + rows[1] + "\r\n";
  EXPECT_NE(error_of(twice).find("line 4: the same kernel, tier values, dtype, mask and mode as line 2"),
            std::string::npos)
      << error_of(twice);
}

// % of the device's dense peak (peaks.h) beside TFLOP/s, for ok cells; the check's counts too.
TEST(ReportCsv, CarriesPctOfPeakAndWhatTheCheckCovered) {
  std::vector<std::vector<std::string>> rows;
  for (const std::string& row : rows_of(report_csv(sample_result_file()))) {
    std::vector<std::string> fields;
    std::stringstream line(row);
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
  EXPECT_EQ(rows[1][column("inputs_changed")], "false");
}

// A CSV report names no device: read back, its cells keep the figure it printed, and print it again.
TEST(ReportCsv, PctOfPeakReadsBack) {
  const std::string csv = report_csv(sample_result_file());
  const ResultFile back = parse_csv_results(csv, "r.csv");
  EXPECT_DOUBLE_EQ(back.results[0].timings.front().pct_of_peak, 100 * back.results[0].timings.front().tflops / 989.4);
  EXPECT_TRUE(back.results[2].timings.empty()) << "an oom cell has none";
  EXPECT_EQ(rows_of(report_csv(back))[1], rows_of(csv)[1]);
}

TEST(ReportCsv, QuotesFieldsByRfc4180) {
  ResultFile f = sample_result_file();
  f.results.resize(1);
  f.results[0].status = CellStatus::error;
  f.results[0].timings.clear();
  f.results[0].message = "said \"no\"\nthen stopped";
  const std::string csv = report_csv(f);
  EXPECT_NE(csv.find(",error,\"said \"\"no\"\"\nthen stopped\","), std::string::npos) << csv;
  EXPECT_EQ(parse_csv_results(csv, "r.csv").results[0].message, "said \"no\"\nthen stopped");
}

// Every field of every cell comes back: the same records the result file would hold.
TEST(ReportCsv, ReadsBackTheSameCells) {
  ResultFile f = sample_result_file();
  CellResult unsupported = failed_result(sample_cell("flash_mma", 512, 96), CellStatus::unsupported, "head_dim 96");
  unsupported.cell.supported = false;
  unsupported.cell.unsupported_reason = "head_dim 96";
  f.results.push_back(unsupported);
  CellResult summary = ok_result(sample_cell("vectorized_torch", 1024), 2.0);  // a table's avg/std/min only
  const double nan = std::numeric_limits<double>::quiet_NaN();
  summary.timings.front().time_ms = SampleStats{0, nan, 2.0, 0.1, 1.9, nan, nan, nan, nan, nan};
  summary.check = CheckResult{};
  f.results.push_back(summary);
  CheckResult& found_nan = f.results[3].check;  // the wrong cell's check
  found_nan.checked = true;
  found_nan.nonfinite = 3;
  found_nan.rel_err = nan;  // a check that found NaN has no finite error
  found_nan.tolerance = 2e-3;
  found_nan.rows_checked = 64;

  const ResultFile back = parse_csv_results(report_csv(f), "r.csv");
  ASSERT_EQ(back.results.size(), f.results.size());
  for (std::size_t i = 0; i < f.results.size(); ++i)
    EXPECT_EQ(result_to_json(back.results[i]).dump(), result_to_json(f.results[i]).dump()) << i;  // NaN as null
  EXPECT_EQ(back.header["source"]["kind"], "csv");
  EXPECT_EQ(back.header["name"], "r.csv");
}

// Cells measured on several models (an MPI sweep over mixed cards, merged shares): each row names
// its own, and read back the header says the results mix models.
TEST(ReportCsv, EachRowNamesTheModelThatMeasuredIt) {
  ResultFile f = sample_result_file();
  f.results.resize(2);
  f.results[0].device_name = "card A";
  f.results[1].device_name = "card B";
  const std::vector<std::string> rows = rows_of(report_csv(f));
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_TRUE(rows[1].ends_with(",card A")) << rows[1];
  EXPECT_TRUE(rows[2].ends_with(",card B")) << rows[2];
  const ResultFile back = parse_csv_results(report_csv(f), "r.csv");
  EXPECT_EQ(back.header["mixed_devices"], nlohmann::json({"card A", "card B"}));

  f.results[1].device_name = "card A";  // one model: no mixed_devices
  EXPECT_FALSE(parse_csv_results(report_csv(f), "r.csv").header.contains("mixed_devices"));
}

TEST(ReportCsv, ReadsWhatASpreadsheetWritesBack) {
  // Columns in another order, a few left out, LF line ends, a byte order mark, a blank line.
  const std::string csv =
      "\xEF\xBB\xBF"
      "status,kernel,dtype,causal,q_n,k_n,head_dim,heads,batch,mean_ms\n"
      "ok,cpu_flash,fp32,full,64,64,16,2,1,0.5\n"
      "\n"
      "OOM,cpu_naive,fp32,causal,64,64,16,2,1,\n";
  const ResultFile f = parse_csv_results(csv, "r.csv");
  ASSERT_EQ(f.results.size(), 2u);
  EXPECT_EQ(f.results[0].cell.id(), "cpu_flash|hd16-h2-b1-n64|fp32|full");
  ASSERT_EQ(f.results[0].timings.size(), 1u);
  EXPECT_EQ(f.results[0].timings[0].mode, TimingMode::unstated) << "the table names no mode";
  EXPECT_DOUBLE_EQ(f.results[0].timings[0].time_ms.mean, 0.5);
  EXPECT_GT(f.results[0].timings[0].tflops, 0) << "computed from the time the table gives";
  EXPECT_EQ(f.results[1].status, CellStatus::oom);
  EXPECT_TRUE(f.results[1].cell.causal);
}

// A field a spreadsheet would run as a formula is written as text (a leading apostrophe) and
// reads back as it was.
TEST(ReportCsv, FormulasAreWrittenAsTextAndReadBack) {
  ResultFile f = sample_result_file();
  f.results.resize(3);
  f.results[2].message = "=cmd|' /C calc'!A0";
  f.results[1].cell.kernel = "@SUM(A1)";
  f.results[0].message = "'quoted' already";
  const std::string csv = report_csv(f);
  EXPECT_NE(csv.find(",'=cmd|' /C calc'!A0,"), std::string::npos) << csv;
  EXPECT_EQ(csv.find(",=cmd"), std::string::npos) << csv;
  EXPECT_NE(csv.find("\n'@SUM(A1),"), std::string::npos) << csv;
  const ResultFile back = parse_csv_results(csv, "r.csv");
  EXPECT_EQ(back.results[2].message, "=cmd|' /C calc'!A0");
  EXPECT_EQ(back.results[1].cell.kernel, "@SUM(A1)");
  EXPECT_EQ(back.results[0].message, "'quoted' already");
  for (const char* text : {"-5 degrees", "+1", "@x", "''", "'+"}) {
    f.results[0].message = text;
    EXPECT_EQ(parse_csv_results(report_csv(f), "r.csv").results[0].message, text);
  }
}

TEST(ReportCsv, BadCsvNamesTheLineAndTheRule) {
  const std::string head = "kernel,q_n,k_n,head_dim,heads,batch,dtype,causal,status,median_ms\n";
  EXPECT_EQ(error_of(""), "r.csv: no CSV header row (kernel,tier,q_n,...)");
  EXPECT_EQ(error_of(head + "k,512,512,64,12,1,fp16,full,ok,\"0.5\n"), "r.csv: line 2: a quoted field is not closed");
  EXPECT_EQ(error_of(head + "k,512,512,64,12,1,fp16,full,ok\n"), "r.csv: line 2: 9 cells, expected 10");
  EXPECT_EQ(error_of(head + "k,512,512,64,12,1,fp16,full,ok,fast\n"),
            "r.csv: line 2, column 10 (median_ms): 'fast' is not a number");
  EXPECT_EQ(error_of(head + "k,512,512,64,12,1,fp16,full,oom,0.5\n"),
            "r.csv: line 2, column 10 (median_ms): a number on a 'oom' row: only ok cells carry times");
}

}  // namespace
}  // namespace attnsweep
