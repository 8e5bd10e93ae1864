#include "app/report_export.h"

#include <gtest/gtest.h>

#include <QFile>
#include <QPainter>
#include <QImage>
#include <QProcess>
#include <QTemporaryDir>
#include <QXmlStreamReader>

#include "attnsweep/engine/report.h"
#include "attnsweep/engine/result_json.h"
#include "fixtures.h"
#include "support/comma_locale.h"

namespace attnsweep::gui {
namespace {

QByteArray read_all(const QString& path) {
  QFile f(path);
  return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

bool is_well_formed_xml(const QByteArray& bytes) {
  QXmlStreamReader xml(bytes);
  while (!xml.atEnd()) xml.readNext();
  return !xml.hasError();
}

ResultSet sample_set() {
  ResultSet s;
  s.name = "sample.jsonl";
  s.header = {{"environment", {{"device", {{"name", "NVIDIA H100 80GB HBM3"}}}}}};
  s.results = testing::seed_like_results();
  return s;
}

// What every report folder must hold, checked by content, not just by existence.
void expect_valid_report(const QString& dir) {
  for (const char* png : {kForwardPng, kHeatmapPng, kScalingPng}) {
    const QString path = dir + "/" + png;
    QImage img(path);
    ASSERT_FALSE(img.isNull()) << png << " is not a readable PNG";
    EXPECT_GE(img.width(), 1000) << png;
    // Not a blank canvas: count pixels that are neither white nor nearly white.
    int inked = 0;
    for (int y = 0; y < img.height(); y += 7)
      for (int x = 0; x < img.width(); x += 7) inked += qGray(img.pixel(x, y)) < 200;
    EXPECT_GT(inked, 200) << png << " looks empty";
    QString svg_path = path;
    svg_path.replace(".png", ".svg");
    const QByteArray svg = read_all(svg_path);
    EXPECT_TRUE(svg.contains("<svg")) << svg_path.toStdString();
    EXPECT_TRUE(is_well_formed_xml(svg)) << svg_path.toStdString();
  }
  const QByteArray heat_svg = read_all(dir + "/attention_sweep_heatmap.svg");
  EXPECT_TRUE(heat_svg.contains("flash_mma"));
  EXPECT_TRUE(heat_svg.contains("OOM")) << "a failed cell must be drawn as its status";

  const QByteArray md = read_all(dir + "/report.md");
  EXPECT_TRUE(md.contains(kHeatmapPng));
  EXPECT_TRUE(md.contains("OOM"));
  const QByteArray html = read_all(dir + "/report.html");
  EXPECT_TRUE(html.startsWith("<!doctype html>"));
  EXPECT_EQ(html.count("data:image/png;base64,"), 3);
  EXPECT_TRUE(html.contains("<td class=\"failed\" data-v=\"\">OOM</td>"));
  EXPECT_TRUE(html.contains("</html>"));
  EXPECT_TRUE(read_all(dir + "/report.csv").contains("flash_mma"));
  EXPECT_EQ(nlohmann::json::parse(read_all(dir + "/report.json").toStdString())["cells"].size(), 24u);
}

TEST(ReportExport, WritesTheFolderWithValidFiles) {
  QTemporaryDir dir;
  const ExportOutcome out = export_report(sample_set(), dir.path() + "/report");
  ASSERT_TRUE(out.ok) << out.errors.join("; ").toStdString();
  EXPECT_EQ(out.written.size(), 10);
  expect_valid_report(dir.path() + "/report");
}

// A baseline kernel adds its speedup heatmap (a picture of its own, not the time heatmap again) and
// the reports' speedup column.
TEST(ReportExport, ABaselineAddsTheSpeedupHeatmap) {
  QTemporaryDir dir;
  const ExportOutcome out = export_report(sample_set(), dir.path(), {}, "cublas");
  ASSERT_TRUE(out.ok) << out.errors.join("; ").toStdString();
  EXPECT_EQ(out.written.size(), 12);
  const QImage speedup(dir.filePath(kSpeedupPng)), heat(dir.filePath(kHeatmapPng));
  ASSERT_FALSE(speedup.isNull());
  EXPECT_NE(speedup, heat);
  const QByteArray svg = read_all(dir.filePath("attention_sweep_speedup.svg"));
  EXPECT_TRUE(svg.contains("Speedup vs cublas"));
  EXPECT_TRUE(read_all(dir.filePath("report.md")).contains("speedup vs cublas"));
  EXPECT_EQ(read_all(dir.filePath("report.html")).count("data:image/png;base64,"), 4);
}

// With a baseline run the folder gets the engine's comparison report and the heatmap of the ratios,
// a picture of its own (diverging colours and verdicts), not the time heatmap again.
TEST(ReportExport, ABaselineRunAddsTheComparison) {
  QTemporaryDir dir;
  const ResultSet now = sample_set();
  ResultSet base = sample_set();
  base.name = "base.jsonl";
  for (CellResult& r : base.results)
    if (r.cell.kernel == "cublas")
      for (Timing& t : r.timings)
        for (double* v : {&t.time_ms.median, &t.time_ms.ci_low, &t.time_ms.ci_high}) *v *= 1.25;
  const ExportOutcome out = export_report(now, dir.path(), {}, {}, &base);
  ASSERT_TRUE(out.ok) << out.errors.join("; ").toStdString();
  EXPECT_EQ(out.written.size(), 15);
  const QImage ratios(dir.filePath(kComparisonPng)), heat(dir.filePath(kHeatmapPng));
  ASSERT_FALSE(ratios.isNull());
  EXPECT_GE(ratios.width(), 1000);
  EXPECT_NE(ratios, heat);
  const QByteArray svg = read_all(dir.filePath("attention_sweep_comparison.svg"));
  EXPECT_TRUE(is_well_formed_xml(svg));
  EXPECT_TRUE(svg.contains("Time NEW/BASE"));
  EXPECT_TRUE(svg.contains("faster")) << "the verdicts' legend";
  EXPECT_TRUE(read_all(dir.filePath("attention_sweep_scaling.svg")).contains("dashed")) << "the baseline's curves";
  const auto json = nlohmann::json::parse(read_all(dir.filePath("comparison.json")).toStdString());
  EXPECT_EQ(json["summary"]["verdicts"]["faster"], 8) << json["summary"].dump();
  EXPECT_TRUE(read_all(dir.filePath("comparison.md")).contains("faster"));
  EXPECT_TRUE(read_all(dir.filePath("comparison.html")).contains("</html>"));
}

// The app reopens what it exported: every cell of report.csv and report.json to the digit, those
// of report.md to its four digits.
TEST(ReportExport, TheAppReopensItsOwnReports) {
  QTemporaryDir dir;
  const ResultSet original = sample_set();
  ASSERT_TRUE(export_report(original, dir.path()).ok);
  for (const char* name : {"report.csv", "report.json"}) {
    const ResultSet back = load_result_set(dir.filePath(name).toStdString());
    ASSERT_EQ(back.results.size(), original.results.size()) << name;
    for (std::size_t i = 0; i < back.results.size(); ++i)
      EXPECT_EQ(result_to_json(back.results[i]).dump(), result_to_json(original.results[i]).dump()) << name << " " << i;
  }
  const ResultSet md = load_result_set(dir.filePath("report.md").toStdString());
  ASSERT_EQ(md.results.size(), original.results.size());
  for (std::size_t i = 0; i < md.results.size(); ++i) {
    const CellResult& a = original.results[i];
    const CellResult& b = md.results[i];
    EXPECT_EQ(b.cell.id(), a.cell.id());
    EXPECT_EQ(b.status, a.status);
    EXPECT_EQ(b.message, a.message);
    ASSERT_EQ(b.timings.size(), a.timings.size());
    if (!a.timings.empty()) {
      EXPECT_EQ(b.timings[0].mode, a.timings[0].mode);
      EXPECT_NEAR(b.timings[0].time_ms.median, a.timings[0].time_ms.median, 5e-4 * a.timings[0].time_ms.median) << i;
    }
  }
  EXPECT_EQ(report_markdown(md).substr(report_markdown(md).find("| Kernel")),
            report_markdown(original).substr(report_markdown(original).find("| Kernel")))
      << "the table, and all below it, reads as it did";
}

// Every dtype x mask slice gets its pictures, named by the slice, with the metrics chosen.
TEST(ReportExport, EverySliceWithTheChosenMetrics) {
  ResultSet set = sample_set();
  for (CellResult r : testing::seed_like_results()) {
    r.cell.causal = true;
    set.results.push_back(r);
  }
  QTemporaryDir dir;
  const ExportOutcome out = export_report(set, dir.path(), {HeatMetric::tflops, ScalingMetric::time_ms});
  ASSERT_TRUE(out.ok) << out.errors.join("; ").toStdString();
  EXPECT_EQ(out.written.size(), 4 + 2 * 3 * 2);  // md, csv, json, html; 3 pictures x 2 formats x 2 slices
  for (const char* slice : {"fp16_full", "fp16_causal"})
    for (const char* kind : {"forward", "heatmap", "scaling"})
      for (const char* ext : {"png", "svg"}) {
        const QString name = QString("attention_sweep_%1_%2.%3").arg(kind, slice, ext);
        EXPECT_TRUE(out.written.contains(name)) << name.toStdString();
      }
  const QByteArray heat = read_all(dir.filePath("attention_sweep_heatmap_fp16_causal.svg"));
  EXPECT_TRUE(heat.contains("TFLOP/s")) << "the heatmap colours the metric chosen";
  EXPECT_TRUE(heat.contains("fp16 · causal"));
  const QByteArray scaling = read_all(dir.filePath("attention_sweep_scaling_fp16_full.svg"));
  EXPECT_TRUE(scaling.contains("forward time")) << "the curves plot the metric chosen";
  const QByteArray md = read_all(dir.filePath("report.md"));
  EXPECT_TRUE(md.contains("## fp16 · causal"));
  EXPECT_TRUE(md.contains("(attention_sweep_scaling_fp16_causal.png)"));
  EXPECT_EQ(read_all(dir.filePath("report.html")).count("data:image/png;base64,"), 6);
}

// A picture grows to hold every tier and group: none dropped, none squeezed unreadable.
TEST(ReportExport, PicturesGrowWithTheirContent) {
  ResultSet set = sample_set();
  set.results.clear();
  for (std::int64_t d : {32, 64, 96, 128, 160, 192, 224, 256})
    for (std::int64_t n = 256; n <= 16384; n *= 2)
      for (const char* k : {"naive", "cublas", "fused_simt", "flash_mma", "flash_sm90"})
        set.results.push_back(testing::make_result(k, n, d, 1e-4 * static_cast<double>(n)));
  QTemporaryDir dir;
  ASSERT_TRUE(export_report(set, dir.path()).ok);
  const QImage scaling(dir.filePath(kScalingPng));
  EXPECT_GE(scaling.height() / 2, 3 * 300) << "8 groups: 3 rows of charts";
  const QByteArray scaling_svg = read_all(dir.filePath("attention_sweep_scaling.svg"));
  for (std::int64_t d : {32, 64, 96, 128, 160, 192, 224, 256})
    EXPECT_TRUE(scaling_svg.contains(QString("d=%1 · 12 heads").arg(d).toUtf8())) << d;
  const QImage forward(dir.filePath(kForwardPng));
  EXPECT_GE(forward.width() / 2, 8 * 7 * 5 * 12) << "every bar at least 12 px wide";
  const QImage heat(dir.filePath(kHeatmapPng));
  EXPECT_GE(heat.width() / 2, 8 * 7 * 44) << "every column at least 44 px wide";
}

TEST(ReportExport, FailureNamesThePath) {
  QTemporaryDir dir;
  QFile blocker(dir.filePath("file"));
  ASSERT_TRUE(blocker.open(QIODevice::WriteOnly));
  blocker.close();
  const ExportOutcome out = export_report(sample_set(), dir.filePath("file/sub"));
  EXPECT_FALSE(out.ok);
  ASSERT_FALSE(out.errors.isEmpty());
  EXPECT_TRUE(out.errors[0].contains(dir.filePath("file/sub")));
}

// A heatmap of thousands of kernels would need gigabytes: it is not drawn, and the export says
// so while writing everything else.
TEST(ReportExport, APictureTooLargeToDrawSaysSo) {
  EXPECT_TRUE(too_large_to_draw({1500, 60000}).isEmpty());
  EXPECT_EQ(too_large_to_draw({1500, 70000}),
            "too large to draw: 1500 x 70000 pixels, over the limit of 100 million; the report's table has every cell");
  ResultSet big;
  big.name = "big.jsonl";
  for (int k = 0; k < 2000; ++k) big.results.push_back(testing::make_result("k" + std::to_string(k), 512, 64, 0.5));
  QTemporaryDir dir;
  const ExportOutcome out = export_report(big, dir.path());
  EXPECT_TRUE(out.ok) << out.errors.join("; ").toStdString();
  ASSERT_EQ(out.not_drawn.size(), 1);
  EXPECT_TRUE(out.not_drawn[0].startsWith(QString(kHeatmapPng) + " and its SVG: too large to draw: 1500 x "))
      << out.not_drawn[0].toStdString();
  EXPECT_FALSE(QFile::exists(dir.filePath(kHeatmapPng)));
  for (const char* name : {"report.md", "report.csv", "report.json", "report.html", kForwardPng, kScalingPng})
    EXPECT_TRUE(out.written.contains(name)) << name;
  QString error;
  EXPECT_FALSE(save_png([](QPainter&, const QRect&) {}, {20000, 20000}, dir.filePath("x.png"), &error));
  EXPECT_TRUE(error.contains("too large to draw")) << error.toStdString();
}

// The app runs under the user's locale; its reports read the same under any of them.
TEST(ReportExport, TheReportsDoNotChangeWithTheLocale) {
  QTemporaryDir dir;
  ASSERT_TRUE(export_report(sample_set(), dir.filePath("c")).ok);
  {
    attnsweep::test_support::CommaLocale comma;
    if (!comma.active()) GTEST_SKIP() << attnsweep::test_support::CommaLocale::kWhyNot;
    ASSERT_TRUE(export_report(sample_set(), dir.filePath("comma")).ok);
  }
  auto text_of = [&](const QString& folder, const char* name) {
    QByteArray bytes = read_all(dir.filePath(folder + "/" + name));
    // The HTML embeds the pictures; the text around them is what is compared.
    for (qsizetype at; (at = bytes.indexOf("data:image/png;base64,")) >= 0;) bytes.remove(at, bytes.indexOf('"', at) - at);
    return bytes;
  };
  for (const char* name : {"report.md", "report.csv", "report.json", "report.html"})
    EXPECT_EQ(text_of("comma", name), text_of("c", name)) << name;
  EXPECT_TRUE(text_of("c", "report.md").contains("0.05")) << "a decimal point in the report";
}

TEST(HeadlessExport, TheAppWritesTheReportWithoutADisplay) {
  QTemporaryDir dir;
  const std::string results = testing::write_result_file(dir, "r.jsonl", testing::seed_like_results());
  QProcess app;
  QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
  env.remove("DISPLAY");
  env.remove("WAYLAND_DISPLAY");
  env.remove("QT_QPA_PLATFORM");
  app.setProcessEnvironment(env);
  app.start(ATTNSWEEP_APP, {"--open", QString::fromStdString(results), "--export-report", dir.filePath("out")});
  ASSERT_TRUE(app.waitForFinished(120000));
  EXPECT_EQ(app.exitCode(), 0) << app.readAllStandardError().toStdString();
  expect_valid_report(dir.filePath("out"));
}

TEST(HeadlessExport, ABadFileExitsWithItsReason) {
  QTemporaryDir dir;
  QFile bad(dir.filePath("bad.jsonl"));
  ASSERT_TRUE(bad.open(QIODevice::WriteOnly));
  bad.write("{\"type\":\"cell\"}\n");
  bad.close();
  QProcess app;
  app.start(ATTNSWEEP_APP, {"--open", bad.fileName(), "--export-report", dir.filePath("out")});
  ASSERT_TRUE(app.waitForFinished(60000));
  EXPECT_EQ(app.exitCode(), 1);
  EXPECT_TRUE(app.readAllStandardError().contains("bad.jsonl"));
}

}  // namespace
}  // namespace attnsweep::gui
