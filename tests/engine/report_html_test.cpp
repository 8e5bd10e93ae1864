// The HTML report (report_html.cpp): one self-contained page, everything from a file escaped.
#include <gtest/gtest.h>

#include "attnsweep/engine/report.h"
#include "sample_results.h"

namespace attnsweep {
namespace {

using testing::sample_result_file;

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

TEST(ReportHtml, APageWithTheTableAndFailedCellsAsTheirStatus) {
  const std::string html = report_html(sample_result_file());
  EXPECT_TRUE(html.starts_with("<!doctype html>"));
  EXPECT_TRUE(html.ends_with("</html>\n"));
  EXPECT_NE(html.find("<title>AttnSweep report: snap</title>"), std::string::npos);
  EXPECT_NE(html.find("NVIDIA H100 80GB HBM3 · cuda:0 (worker) · 2026-11-25 · 4 cells"), std::string::npos);
  const std::string table = html.substr(html.find("<table class=\"results\">"));
  EXPECT_EQ(count(table, "<tr>"), 5u);  // the header and a row per cell
  EXPECT_NE(table.find("<td class=\"num\" data-v=\"0.72934\">0.7293</td>"), std::string::npos);
  EXPECT_NE(table.find("<td class=\"failed\" data-v=\"\">OOM</td>"), std::string::npos);
  EXPECT_NE(table.find("<td class=\"bad\" title=\"rel_err 0.5 &gt; tol | 2e-3\">wrong</td>"), std::string::npos);
  EXPECT_EQ(html.find("<img"), std::string::npos);
  EXPECT_NE(html.find("attnsweep RESULTS -o DIR"), std::string::npos) << "says how to draw them";
}

// The page says all the result file says of where it ran, and its table sorts by any column.
TEST(ReportHtml, TheWholeEnvironmentAndASortableTable) {
  const std::string html = report_html(sample_result_file());
  EXPECT_NE(html.find("<tr><th>Driver / runtime</th><td>driver 580.95, runtime 13.0</td></tr>"), std::string::npos);
  EXPECT_NE(html.find("<tr><th>device.name</th><td>NVIDIA H100 80GB HBM3</td></tr>"), std::string::npos)
      << "every field of the environment";
  EXPECT_NE(html.find("<summary>The spec</summary>"), std::string::npos);
  EXPECT_NE(html.find("<th data-sort title=\"Kernel name as used in specs (click to sort)\">Kernel</th>"),
            std::string::npos);
  EXPECT_EQ(count(html, "<script>"), 1u);
  EXPECT_NE(html.find("addEventListener('click'"), std::string::npos);
}

TEST(ReportHtml, EscapesEverythingThatComesFromAFile) {
  ResultFile f = sample_result_file();
  f.header["spec"]["name"] = "<script>alert(1)</script>";
  f.results[0].cell.kernel = "k<b>&\"'";
  f.results[2].message = "<img src=x onerror=alert(1)>";
  f.warnings.push_back("a <warning>");
  const std::string html = report_html(f);
  EXPECT_EQ(count(html, "<script>"), 1u) << "the page's own, and no other";
  EXPECT_EQ(html.find("<img"), std::string::npos);
  EXPECT_EQ(html.find("<b>"), std::string::npos);
  EXPECT_EQ(html.find("<warning>"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
  EXPECT_NE(html.find("k&lt;b&gt;&amp;&quot;&#39;"), std::string::npos);
  EXPECT_NE(html.find("Warning: a &lt;warning&gt;"), std::string::npos);
}

TEST(ReportHtml, ASpeedupColumnAgainstABaselineKernel) {
  const std::string html = report_html(testing::sample_result_file(), {}, std::nullopt, "naive");
  EXPECT_NE(html.find(">speedup vs naive</th>"), std::string::npos);
  EXPECT_NE(html.find("<td class=\"num\">159.9</td>"), std::string::npos);  // flash_mma against naive
  EXPECT_EQ(report_html(testing::sample_result_file()).find("speedup vs"), std::string::npos);
}

TEST(ReportHtml, EmbedsThePicturesAsBase64) {
  const std::string html = report_html(sample_result_file(), {{"Forward \"time\"", std::string("\x89PNG\r\n", 6)},
                                                             {"Heatmap", "ab"}});
  EXPECT_NE(html.find("<img alt=\"Forward &quot;time&quot;\" src=\"data:image/png;base64,iVBORw0K\">"), std::string::npos);
  EXPECT_NE(html.find("<img alt=\"Heatmap\" src=\"data:image/png;base64,YWI=\">"), std::string::npos);
  EXPECT_EQ(html.find("--export-report"), std::string::npos);
}

}  // namespace
}  // namespace attnsweep
