// The JSON report (report_json.cpp): the header, every record and a summary, and its reader.
#include <gtest/gtest.h>

#include <cmath>

#include "attnsweep/engine/report.h"
#include "attnsweep/engine/result_json.h"
#include "sample_results.h"

namespace attnsweep {
namespace {

using nlohmann::json;
using testing::ok_result;
using testing::sample_cell;
using testing::sample_result_file;

std::string error_of(const std::string& text) {
  return testing::error_of([&] { (void)parse_json_results(text, "r.json"); });
}

TEST(ReportJson, HoldsHeaderCellsAndASummary) {
  ResultFile f = sample_result_file();
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
  // % of peak beside every timing of an ok cell: a number for a known device, null where the peak is not known.
  const json& cold = j["cells"][0]["timings"]["cold"];
  EXPECT_DOUBLE_EQ(cold["pct_of_peak"].get<double>(), 100 * cold["tflops"].get<double>() / 989.4);
  EXPECT_FALSE(j["cells"][2].contains("timings"));
  f.header["environment"]["device"] = {{"backend", "cpu"}, {"name", "a CPU"}};
  const json on_cpu = json::parse(report_json(f));
  EXPECT_TRUE(on_cpu["cells"][0]["timings"]["cold"]["pct_of_peak"].is_null());
  EXPECT_EQ(s["best_by_tier"][0]["noisy"], false);
  EXPECT_EQ(s["mode"], "cold");
  EXPECT_DOUBLE_EQ(s["wall_s"].get<double>(), 1.75 * 3 + 0.25 * 2);
  EXPECT_DOUBLE_EQ(s["wall_split_s"]["check"].get<double>(), 0.5 * 3);
}

// The summary ranks in the mode it names: a cell without a time in it is not ranked.
TEST(ReportJson, TheSummaryRanksInOneMode) {
  ResultFile f = sample_result_file();
  f.results.resize(2);
  f.results[1].timings.front().mode = TimingMode::batch;  // naive: batch only
  const json cold = json::parse(report_json(f))["summary"];
  EXPECT_EQ(cold["best_by_tier"][0]["kernel"], "flash_mma");
  const json batch = json::parse(report_json(f, 2, TimingMode::batch))["summary"];
  EXPECT_EQ(batch["mode"], "batch");
  EXPECT_EQ(batch["best_by_tier"][0]["kernel"], "naive");
}

TEST(ReportJson, TheSummaryListsSpeedupsAgainstABaselineKernel) {
  const ResultFile f = testing::sample_result_file();
  const json j = json::parse(report_json(f, 2, std::nullopt, "naive"));
  EXPECT_EQ(j["summary"]["baseline"]["kernel"], "naive");
  const json& speedups = j["summary"]["baseline"]["speedups"];
  ASSERT_EQ(speedups.size(), 2u);  // the ok cells at the tier naive ran
  EXPECT_EQ(speedups[0]["id"], f.results[0].cell.id());
  EXPECT_NEAR(speedups[0]["speedup"].get<double>(), 116.6522 / 0.72934, 1e-9);
  EXPECT_FALSE(json::parse(report_json(f))["summary"].contains("baseline"));
}

TEST(ReportJson, ReadsBackTheSameHeaderAndCells) {
  const ResultFile f = sample_result_file();
  const ResultFile back = parse_json_results(report_json(f), "r.json");
  EXPECT_EQ(back.header, f.header);
  ASSERT_EQ(back.results.size(), f.results.size());
  for (std::size_t i = 0; i < f.results.size(); ++i)
    EXPECT_EQ(result_to_json(back.results[i]), result_to_json(f.results[i])) << i;
  EXPECT_DOUBLE_EQ(back.results[0].timings.front().pct_of_peak, 100 * f.results[0].timings.front().tflops / 989.4);
  EXPECT_TRUE(back.results[2].timings.empty());
}

// The report is written a cell and a row at a time (a million cells never form one JSON tree),
// and reads exactly as one dump of the whole document would.
TEST(ReportJson, WrittenCellByCellAsOneDumpWouldWriteIt) {
  ResultFile f = sample_result_file();
  f.warnings = {"line 9: torn last line dropped"};
  for (const ResultFile& file : {f, ResultFile{}}) {
    const json doc = json::parse(report_json(file));
    EXPECT_EQ(report_json(file), doc.dump(2) + "\n");
    EXPECT_EQ(report_json(file, -1), doc.dump() + "\n");
  }
}

// Read back, a report is held to the rules of a result file: one record per cell, each possible.
TEST(ReportJson, RefusesDuplicateCellsAndImpossibleTimes) {
  json cells = json::array();
  for (const CellResult& r : sample_result_file().results) cells.push_back(result_to_json(r));
  cells.push_back(cells[0]);
  EXPECT_EQ(error_of(json{{"cells", cells}}.dump()),
            "r.json: cells[4]: the same cell as cells[0] (flash_mma|hd64-h12-b1-n512|fp16|full)");
  cells.erase(cells.size() - 1);
  cells[0]["timings"]["cold"]["time_ms"]["median"] = -1;
  EXPECT_EQ(error_of(json{{"cells", cells}}.dump())
                .rfind("r.json: cells[0]: cell record: field 'timings.cold.time_ms.median'", 0),
            0u);
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  EXPECT_EQ(error_of(R"({"header":{"x":)" + deep + R"(},"cells":[]})"),
            "r.json: lists and objects nest deeper than 64 levels");
}

TEST(ReportJson, EachRowNamesTheModelThatMeasuredIt) {
  ResultFile f = sample_result_file();
  f.results[1].device_name = "card B";
  const json j = json::parse(report_json(f));
  EXPECT_EQ(j["rows"][0]["device_name"], "NVIDIA H100 80GB HBM3");  // not recorded per cell: the file's device
  EXPECT_EQ(j["rows"][1]["device_name"], "card B");
}

TEST(ReportJson, ReadsAnArrayOfRecordsOrAResultsKey) {
  json cells = json::array();
  for (const CellResult& r : sample_result_file().results) cells.push_back(result_to_json(r));
  EXPECT_EQ(parse_json_results(cells.dump(), "r.json").results.size(), 4u);
  EXPECT_EQ(parse_json_results(json{{"results", cells}}.dump(), "r.json").results.size(), 4u);
}

TEST(ReportJson, BadJsonNamesTheFileAndTheRecord) {
  EXPECT_EQ(error_of("{not json").rfind("r.json: not valid JSON: parse error at line 1, column 3", 0), 0u)
      << error_of("{not json");
  EXPECT_EQ(error_of(R"({"hello":1})"),
            "r.json: JSON without a \"cells\" or \"results\" array: not an AttnSweep result or report file");
  EXPECT_EQ(error_of(R"({"header":{"type":"header","schema":99},"cells":[]})"),
            "r.json: header field 'schema': 99 is not supported (this build reads schemas 1 to 2)");
  EXPECT_EQ(error_of(R"({"cells":[{"type":"cell"}]})"), "r.json: cells[0]: cell record: field 'kernel': missing");
  json cell = result_to_json(sample_result_file().results[0]);
  cell["timings"]["cold"]["pct_of_peak"] = "most";
  EXPECT_EQ(error_of(json{{"cells", {cell}}}.dump()),
            "r.json: cells[0]: cell record: field 'timings.cold.pct_of_peak': must be a number, not negative (or null "
            "where the device's peak is not known)");
}

}  // namespace
}  // namespace attnsweep
