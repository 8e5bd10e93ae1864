// What every report shares (report.cpp): the formats by name, the sweep's name, where it ran.
#include "attnsweep/engine/report.h"

#include <gtest/gtest.h>

#include "sample_results.h"

namespace attnsweep {
namespace {

using nlohmann::json;
using testing::sample_result_file;

TEST(Report, FormatsByName) {
  EXPECT_EQ(parse_report_format("md"), ReportFormat::md);
  EXPECT_EQ(parse_report_format("csv"), ReportFormat::csv);
  EXPECT_EQ(parse_report_format("json"), ReportFormat::json);
  EXPECT_EQ(parse_report_format("html"), ReportFormat::html);
  EXPECT_FALSE(parse_report_format("pdf").has_value());
  const ResultFile f = sample_result_file();
  EXPECT_EQ(render_report(f, ReportFormat::md), report_markdown(f));
  EXPECT_EQ(render_report(f, ReportFormat::csv), report_csv(f));
  EXPECT_EQ(render_report(f, ReportFormat::json), report_json(f));
  EXPECT_EQ(render_report(f, ReportFormat::html), report_html(f));
}

TEST(Report, TheSweepsName) {
  EXPECT_EQ(sweep_name(sample_result_file().header), "snap");
  EXPECT_EQ(sweep_name(json{{"name", "imported table"}}), "imported table");
  EXPECT_EQ(sweep_name(json::object()), "unnamed sweep");
}

TEST(Report, WhereItRanInOneLine) {
  EXPECT_EQ(describe_environment(sample_result_file().header), "NVIDIA H100 80GB HBM3 · cuda:0 (worker) · 2026-11-25");
  EXPECT_EQ(describe_environment(json{{"environment", {{"cpu_model", "Xeon"}, {"date", "2026-01-02T03:04:05Z"}}}}),
            "Xeon · 2026-01-02");
  EXPECT_EQ(describe_environment(json{{"source", {{"kind", "seed-markdown"}, {"file", "seed.md"}}}}),
            "imported seed table seed.md");
  EXPECT_EQ(describe_environment(json{{"source", {{"kind", "csv"}, {"file", "r.csv"}}}}), "csv r.csv");
  EXPECT_EQ(describe_environment(json::object()), "");
}

TEST(Report, WhereItRanSaysWhenTheModelsWereMixed) {
  json header = sample_result_file().header;
  header["mixed_devices"] = {"NVIDIA H100 80GB HBM3", "NVIDIA A100-SXM4-80GB"};
  header["executor"] = "mpi: 2 ranks on 2 hosts; rank 0: cuda:0 (worker)";
  EXPECT_EQ(describe_environment(header),
            "mixed devices: NVIDIA H100 80GB HBM3, NVIDIA A100-SXM4-80GB · mpi: 2 ranks on 2 hosts; rank 0: cuda:0 "
            "(worker) · 2026-11-25");
}

}  // namespace
}  // namespace attnsweep
