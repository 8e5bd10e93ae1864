#include "attnsweep/engine/compare_report.h"

#include <gtest/gtest.h>

#include "sample_results.h"

namespace attnsweep {
namespace {

using nlohmann::json;
using testing::failed_result;
using testing::ok_result;
using testing::sample_cell;
using testing::with_samples;

// BASE and NEW: one cell the same, one 10% slower (clearly), one gone wrong, one missing, one new.
Comparison sample_comparison(bool different_card = false) {
  ResultFile base, now;
  const std::vector<double> times = {1.0, 1.01, 0.99, 1.02, 0.98, 1.0, 1.01, 0.99, 1.0, 1.0};
  std::vector<double> slower;
  for (double t : times) slower.push_back(t * 1.1);
  base.header = {{"environment", {{"device", {{"backend", "cuda"}, {"name", "NVIDIA H100 80GB HBM3"}}}}}};
  now.header = base.header;
  if (different_card) now.header["environment"]["device"]["name"] = "NVIDIA A100 <80GB>";
  base.results = {with_samples(ok_result(sample_cell("flash_mma"), 1), times),
                  with_samples(ok_result(sample_cell("naive"), 1), times), ok_result(sample_cell("cublas"), 2),
                  ok_result(sample_cell("fused_simt"), 3)};
  now.results = {with_samples(ok_result(sample_cell("flash_mma"), 1), times),
                 with_samples(ok_result(sample_cell("naive"), 1), slower),
                 failed_result(sample_cell("cublas"), CellStatus::wrong, "rel_err 0.5, \"bad\" | tol"),
                 ok_result(sample_cell("flash_sm90"), 1)};
  return compare(base, now);
}

const ComparedRuns kRuns{"base.jsonl", "new.jsonl", "NVIDIA H100 80GB HBM3 · cuda:0 (worker) · 2026-12-01", ""};

TEST(CompareReport, FormatNames) {
  EXPECT_EQ(parse_compare_format("text"), CompareFormat::text);
  EXPECT_EQ(parse_compare_format("html"), CompareFormat::html);
  EXPECT_FALSE(parse_compare_format("xml"));
}

TEST(CompareReport, JsonHasASummaryAndOneEntryPerCell) {
  const json j = json::parse(render_comparison(sample_comparison(), kRuns, CompareFormat::json));
  const json& s = j["summary"];
  EXPECT_EQ(s["cells"], 5);
  EXPECT_EQ(s["verdicts"], json({{"same", 1}, {"faster", 0}, {"slower", 1}, {"noisy", 0}, {"status-changed", 1},
                                 {"missing", 1}, {"new", 1}}));
  EXPECT_EQ(s["mode"], "cold");
  EXPECT_DOUBLE_EQ(s["threshold"].get<double>(), 0.02);
  EXPECT_EQ(s["different_card"], false);
  EXPECT_EQ(s["base"]["file"], "base.jsonl");
  ASSERT_EQ(j["cells"].size(), 5u);
  const json& slower = j["cells"][1];
  EXPECT_EQ(slower["id"], sample_cell("naive").id());
  EXPECT_EQ(slower["verdict"], "slower");
  EXPECT_EQ(slower["evidence"], "samples");
  EXPECT_NEAR(slower["ratio"].get<double>(), 1.1, 1e-9);
  EXPECT_LT(slower["p_value"].get<double>(), 0.05);
  EXPECT_EQ(slower["base"]["samples"], 10);
  EXPECT_EQ(slower["new"]["mode"], "cold");
  // What was not measured is null, never 0.
  const json& missing = j["cells"][3];
  EXPECT_EQ(missing["verdict"], "missing");
  EXPECT_TRUE(missing["ratio"].is_null());
  EXPECT_TRUE(missing["new"].is_null());
  EXPECT_EQ(j["cells"][2]["new"], json({{"status", "wrong"}}));
}

TEST(CompareReport, TextIsATableColouredOnlyWhenAsked) {
  const Comparison c = sample_comparison();
  const std::string plain = render_comparison(c, kRuns, CompareFormat::text, false);
  EXPECT_EQ(plain.find('\033'), std::string::npos);
  EXPECT_NE(plain.find("BASE: base.jsonl (NVIDIA H100 80GB HBM3 · cuda:0 (worker) · 2026-12-01)"), std::string::npos);
  EXPECT_NE(plain.find("verdict         kernel"), std::string::npos) << plain;
  EXPECT_NE(plain.find("5 cells: 1 same, 1 slower, 1 status-changed, 1 missing, 1 new"), std::string::npos) << plain;
  const std::string coloured = render_comparison(c, kRuns, CompareFormat::text, true);
  EXPECT_NE(coloured.find("\033[31mslower"), std::string::npos);
  EXPECT_NE(coloured.find("\033[35mstatus-changed"), std::string::npos);
}

TEST(CompareReport, ADifferentCardIsTheFirstLineOfEveryForm) {
  const Comparison c = sample_comparison(true);
  ASSERT_TRUE(c.different_card);
  const std::string text = render_comparison(c, kRuns, CompareFormat::text);
  EXPECT_EQ(text.rfind("DIFFERENT GPUs: BASE ran on NVIDIA H100 80GB HBM3, NEW on NVIDIA A100 <80GB>.", 0), 0u) << text;
  const std::string md = render_comparison(c, kRuns, CompareFormat::md);
  EXPECT_NE(md.find("\n\n- DIFFERENT GPUs"), std::string::npos);
  const std::string html = render_comparison(c, kRuns, CompareFormat::html);
  EXPECT_NE(html.find("<li class=\"alarm\">DIFFERENT GPUs: BASE ran on NVIDIA H100 80GB HBM3, NEW on NVIDIA A100 &lt;80GB&gt;"),
            std::string::npos);
  EXPECT_EQ(json::parse(render_comparison(c, kRuns, CompareFormat::json))["summary"]["different_card"], true);
}

TEST(CompareReport, MarkdownCsvAndHtmlKeepTheirTablesWhole) {
  const Comparison c = sample_comparison();
  const std::string md = render_comparison(c, kRuns, CompareFormat::md);
  EXPECT_NE(md.find("| status-changed | cublas |"), std::string::npos);
  // A Markdown cell holds no HTML: '>' as an entity, '|' escaped.
  EXPECT_NE(md.find("ok -&gt; wrong: rel_err 0.5, \"bad\" \\| tol"), std::string::npos) << md;

  const std::string csv = render_comparison(c, kRuns, CompareFormat::csv);
  EXPECT_EQ(csv.substr(0, csv.find("\r\n")),
            "id,kernel,tier,dtype,causal,verdict,evidence,base_status,new_status,base_mode,new_mode,base_ms,new_ms,"
            "base_samples,new_samples,ratio,ratio_low,ratio_high,p_value,note");
  EXPECT_NE(csv.find(",\"ok -> wrong: rel_err 0.5, \"\"bad\"\" | tol\"\r\n"), std::string::npos) << csv;
  EXPECT_NE(csv.find(",missing,,ok,,cold,,"), std::string::npos) << csv;  // nothing measured in NEW: empty

  const std::string html = render_comparison(c, kRuns, CompareFormat::html);
  EXPECT_NE(html.find("<tr class=\"slower\">"), std::string::npos);
  EXPECT_NE(html.find("&quot;bad&quot;"), std::string::npos);
}

}  // namespace
}  // namespace attnsweep
