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
#include "attnsweep/engine/compare_report.h"
#include "attnsweep/engine/report.h"

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

}  // namespace

QString too_large_to_draw(QSize size) {
  const qint64 pixels = qint64{size.width()} * size.height();
  if (pixels <= kMaxPicturePixels) return {};
  return QString("too large to draw: %1 x %2 pixels, over the limit of %3 million; the report's table has every cell")
      .arg(size.width())
      .arg(size.height())
      .arg(kMaxPicturePixels / 1'000'000);
}

bool save_png(const std::function<void(QPainter&, const QRect&)>& paint, QSize size, const QString& path, QString* error) {
  if (const QString why = too_large_to_draw(size); !why.isEmpty()) {
    *error = path + ": " + why;
    return false;
  }
  const int scale = too_large_to_draw(size * 2).isEmpty() ? 2 : 1;  // sharp where it fits
  QImage img(size * scale, QImage::Format_ARGB32_Premultiplied);
  if (img.isNull()) {
    *error = path + ": not enough memory for a " + QString::number(size.width() * scale) + " x " +
             QString::number(size.height() * scale) + " image";
    return false;
  }
  img.setDevicePixelRatio(scale);
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
  if (const QString why = too_large_to_draw(size); !why.isEmpty()) {
    *error = path + ": " + why;
    return false;
  }
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

ExportOutcome export_report(const ResultSet& set, const QString& dir_path, const PictureMetrics& metrics,
                            const std::string& baseline, const ResultSet* compared_with) {
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
  try {
    text_file("report.md", report_markdown(set, std::nullopt, baseline));
    text_file("report.csv", report_csv(set));
    text_file("report.json", report_json(set, 2, std::nullopt, baseline));
  } catch (const std::exception& e) {
    fail(dir_path + ": the engine's report failed: " + QString::fromUtf8(e.what()));
  }

  std::vector<ReportPicture> pngs;
  auto picture = [&](const std::string& png_name, const QString& title, QSize size,
                     const std::function<void(QPainter&, const QRect&)>& paint) {
    if (const QString why = too_large_to_draw(size); !why.isEmpty()) {
      out.not_drawn << QString::fromStdString(png_name) + " and its SVG: " + why;
      return;
    }
    QString error;
    const QString png = QString::fromStdString(png_name);
    if (save_png(paint, size, dir.filePath(png), &error)) {
      out.written << png;
      QFile f(dir.filePath(png));
      if (f.open(QIODevice::ReadOnly)) pngs.push_back({title.toStdString(), f.readAll().toStdString()});
    } else {
      fail(error);
    }
    QString svg = png;
    svg.replace(".png", ".svg");
    if (save_svg(paint, size, dir.filePath(svg), title, &error)) out.written << svg;
    else fail(error);
  };

  // The seed's three pictures for every slice, each as tall and wide as its content needs, and the
  // speedups and the comparison beside them.
  const HeatMetric heat_metric = metrics.heatmap == HeatMetric::speedup || metrics.heatmap == HeatMetric::ratio
                                     ? HeatMetric::median_ms
                                     : metrics.heatmap;
  const std::vector<Slice> slices = result_slices(set.results);
  for (const Slice& slice : slices) {
    const QString of = slices.size() > 1 ? " · " + QString::fromStdString(slice.label()) : QString();
    ForwardView forward;
    show_forward(forward, set, slice);
    picture(picture_name(kForwardPng, slice, slices.size()), "Forward time per tier" + of,
            {forward.pictureWidth(kPictureWidth), kForwardHeight},
            [&](QPainter& p, const QRect& r) { forward.paint(p, r); });
    HeatmapView heatmap;
    show_heatmap(heatmap, set, slice, heat_metric);
    picture(picture_name(kHeatmapPng, slice, slices.size()),
            "Heatmap: " + QString::fromStdString(metric_title(heat_metric)) + of, heatmap.pictureSize(kPictureWidth),
            [&](QPainter& p, const QRect& r) { heatmap.paint(p, r); });
    ScalingView scaling;
    show_scaling(scaling, set, slice, metrics.scaling, compared_with);
    const QSize scaling_size = scaling.pictureSize(kPictureWidth);
    picture(picture_name(kScalingPng, slice, slices.size()), "Scaling with sequence length" + of, scaling_size,
            widget_painter(&scaling, scaling_size));
    if (!baseline.empty()) {
      HeatmapView speedup;
      show_heatmap(speedup, set, slice, HeatMetric::speedup, baseline);
      picture(picture_name(kSpeedupPng, slice, slices.size()), QString::fromStdString(speedup.grid().title) + of,
              speedup.pictureSize(kPictureWidth), [&](QPainter& p, const QRect& r) { speedup.paint(p, r); });
    }
    if (compared_with) {
      HeatmapView ratios;
      show_comparison_heatmap(ratios, set, *compared_with, slice);
      picture(picture_name(kComparisonPng, slice, slices.size()), QString::fromStdString(ratios.grid().title) + of,
              ratios.pictureSize(kPictureWidth), [&](QPainter& p, const QRect& r) { ratios.paint(p, r); });
    }
  }

  try {
    text_file("report.html", report_html(set, pngs, std::nullopt, baseline));
  } catch (const std::exception& e) {
    fail(dir_path + ": the engine's report failed: " + QString::fromUtf8(e.what()));
  }
  if (compared_with) {
    const Comparison comparison = compare(*compared_with, set);
    const ComparedRuns runs{compared_with->name, set.name, describe_environment(compared_with->header),
                            describe_environment(set.header)};
    text_file("comparison.md", render_comparison(comparison, runs, CompareFormat::md));
    text_file("comparison.json", render_comparison(comparison, runs, CompareFormat::json));
    text_file("comparison.html", render_comparison(comparison, runs, CompareFormat::html));
  }
  return out;
}

}  // namespace attnsweep::gui
