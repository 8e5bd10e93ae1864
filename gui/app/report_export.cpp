#include "app/report_export.h"

#include <QBuffer>
#include <QDir>
#include <QFile>
#include <QImage>
#include <QPainter>
#include <QSaveFile>
#include <QSvgGenerator>
#include <QWidget>
#include <functional>

#include "app/forward_view.h"
#include "app/heatmap_view.h"
#include "app/pictures.h"
#include "app/scaling_view.h"
#include "attnsweep/engine/report.h"
#include "attnsweep/engine/store.h"
#include "core/format.h"
#include "core/table_rows.h"

namespace attnsweep::gui {

namespace {

bool write_file(const QString& path, const QByteArray& bytes, QString* error) {
  QSaveFile f(path);
  if (!f.open(QIODevice::WriteOnly)) {
    *error = path + ": " + f.errorString();
    return false;
  }
  if (f.write(bytes) != bytes.size() || !f.commit()) {
    *error = path + ": " + f.errorString();
    return false;
  }
  return true;
}

ResultFile as_result_file(const ResultSet& set) {
  ResultFile f;
  f.header = set.header;
  f.results = set.results;
  f.warnings = set.warnings;
  return f;
}

QString html_escape(const std::string& s) { return QString::fromStdString(s).toHtmlEscaped(); }

QString report_html(const ResultSet& set, const std::vector<std::pair<QString, QByteArray>>& pictures) {
  QString h;
  h += "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n";
  h += "<title>AttnSweep report: " + html_escape(set.name) + "</title>\n";
  h += "<style>body{font-family:'DejaVu Sans',Verdana,sans-serif;margin:2em auto;max-width:1540px;color:#20222a}"
       "h1{font-size:1.5em}p.env{color:#686c78}img{max-width:100%;border:1px solid #e3e4e8;margin:0.6em 0}"
       "table{border-collapse:collapse;font-size:0.82em}th,td{padding:3px 8px;border-bottom:1px solid #e3e4e8}"
       "th{background:#f4f5f7;text-align:left}td.num{text-align:right;font-variant-numeric:tabular-nums}"
       "td.failed{color:#8a8d96;font-style:italic}td.bad{color:#a02020;font-weight:bold}</style></head><body>\n";
  h += "<h1>Attention forward sweep: " + html_escape(set.name) + "</h1>\n";
  h += "<p class=\"env\">" + html_escape(describe_environment(set.header)) + " · " +
       QString::number(set.results.size()) + " cells</p>\n";
  for (const auto& [title, png] : pictures)
    h += "<img alt=\"" + title.toHtmlEscaped() + "\" src=\"data:image/png;base64," + QString::fromLatin1(png.toBase64()) + "\">\n";
  const std::vector<Column> columns = {Column::kernel, Column::tier,   Column::dtype,  Column::causal,   Column::q_n,
                                       Column::k_n,    Column::head_dim, Column::heads, Column::batch,    Column::status,
                                       Column::median_ms, Column::mean_ms, Column::std_ms, Column::min_ms, Column::p10_ms,
                                       Column::p90_ms, Column::tflops, Column::rel_err};
  h += "<table><thead><tr>";
  for (Column c : columns) h += "<th>" + QString::fromUtf8(column_info(c).title.data(), static_cast<int>(column_info(c).title.size())) + "</th>";
  h += "</tr></thead><tbody>\n";
  for (const CellResult& r : set.results) {
    h += "<tr>";
    for (Column c : columns) {
      QString cls = column_info(c).numeric ? "num" : "";
      if (r.status != CellStatus::ok && (c == Column::median_ms || c == Column::status)) {
        const bool bad = r.status == CellStatus::wrong || r.status == CellStatus::error || r.status == CellStatus::crashed ||
                         r.status == CellStatus::timeout;
        cls = bad ? "bad" : "failed";
      }
      const QString title = c == Column::status && !r.message.empty() ? " title=\"" + html_escape(r.message) + "\"" : "";
      h += "<td class=\"" + cls + "\"" + title + ">" + html_escape(cell_text(r, c)) + "</td>";
    }
    h += "</tr>\n";
  }
  h += "</tbody></table>\n<p class=\"env\">Failed cells show their status, never a time. Made by AttnSweep.</p>\n</body></html>\n";
  return h;
}

}  // namespace

bool save_png(const std::function<void(QPainter&, const QRect&)>& paint, QSize size, const QString& path, QString* error) {
  QImage img(size * 2, QImage::Format_ARGB32_Premultiplied);
  img.setDevicePixelRatio(2);
  img.fill(Qt::white);
  {
    QPainter p(&img);
    p.setRenderHint(QPainter::Antialiasing);
    paint(p, QRect(QPoint(0, 0), size));
  }
  QByteArray bytes;
  QBuffer buf(&bytes);
  buf.open(QIODevice::WriteOnly);
  if (!img.save(&buf, "PNG")) {
    *error = path + ": PNG encoding failed";
    return false;
  }
  return write_file(path, bytes, error);
}

bool save_svg(const std::function<void(QPainter&, const QRect&)>& paint, QSize size, const QString& path,
              const QString& title, QString* error) {
  QByteArray bytes;
  QBuffer buf(&bytes);
  buf.open(QIODevice::WriteOnly);
  QSvgGenerator gen;
  gen.setOutputDevice(&buf);
  gen.setSize(size);
  gen.setViewBox(QRect(QPoint(0, 0), size));
  gen.setTitle(title);
  gen.setDescription("AttnSweep");
  {
    QPainter p(&gen);
    paint(p, QRect(QPoint(0, 0), size));
  }
  if (bytes.isEmpty()) {
    *error = path + ": the SVG came out empty";
    return false;
  }
  return write_file(path, bytes, error);
}

std::function<void(QPainter&, const QRect&)> widget_painter(QWidget* w, QSize size) {
  w->setAttribute(Qt::WA_DontShowOnScreen);
  w->resize(size);
  w->show();  // lays out children; offscreen, nothing appears
  return [w](QPainter& p, const QRect& area) { w->render(&p, area.topLeft(), QRegion(), QWidget::DrawChildren); };
}

ExportOutcome export_report(const ResultSet& set, const QString& dir_path) {
  ExportOutcome out;
  QDir dir(dir_path);
  if (!dir.exists() && !QDir().mkpath(dir_path)) {
    out.ok = false;
    out.errors << dir_path + ": cannot create the folder";
    return out;
  }
  auto fail = [&](const QString& e) {
    out.ok = false;
    out.errors << e;
  };
  auto text_file = [&](const QString& name, const std::string& text) {
    QString error;
    if (write_file(dir.filePath(name), QByteArray::fromStdString(text), &error)) out.written << name;
    else fail(error);
  };
  const ResultFile file = as_result_file(set);
  try {
    text_file("report.md", report_markdown(file));
    text_file("report.csv", report_csv(file));
    text_file("report.json", report_json(file));
  } catch (const std::exception& e) {
    fail(dir_path + ": the engine's report failed: " + QString::fromUtf8(e.what()));
  }

  const Slice slice = main_slice(set);
  std::vector<std::pair<QString, QByteArray>> pngs;
  auto picture = [&](const char* png_name, const QString& title, QSize size,
                     const std::function<void(QPainter&, const QRect&)>& paint) {
    QString error;
    const QString png = dir.filePath(png_name);
    if (save_png(paint, size, png, &error)) {
      out.written << png_name;
      QFile f(png);
      if (f.open(QIODevice::ReadOnly)) pngs.emplace_back(title, f.readAll());
    } else {
      fail(error);
    }
    QString svg_name = QString(png_name);
    svg_name.replace(".png", ".svg");
    if (save_svg(paint, size, dir.filePath(svg_name), title, &error)) out.written << svg_name;
    else fail(error);
  };

  ForwardView forward;
  show_forward(forward, set, slice);
  picture(kForwardPng, "Forward time per tier", kForwardSize,
          [&](QPainter& p, const QRect& r) { forward.paint(p, r); });
  HeatmapView heatmap;
  show_heatmap(heatmap, set, slice, HeatMetric::median_ms);
  picture(kHeatmapPng, "Heatmap: median time", heatmap.pictureSize(kHeatmapSize.width()),
          [&](QPainter& p, const QRect& r) { heatmap.paint(p, r); });
  ScalingView scaling;
  show_scaling(scaling, set, slice, ScalingMetric::tflops);
  picture(kScalingPng, "Scaling with sequence length", kScalingSize, widget_painter(&scaling, kScalingSize));

  QString error;
  if (write_file(dir.filePath("report.html"), report_html(set, pngs).toUtf8(), &error)) out.written << "report.html";
  else fail(error);
  return out;
}

}  // namespace attnsweep::gui
