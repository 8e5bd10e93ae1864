#include <algorithm>

#include "app/scaling_view.h"

#include <QAreaSeries>
#include <QChart>
#include <QChartView>
#include <QCursor>
#include <QGridLayout>
#include <QLabel>
#include <QLegendMarker>
#include <QLineSeries>
#include <QLogValueAxis>
#include <QPainter>
#include <QScatterSeries>
#include <QToolTip>
#include <QVBoxLayout>
#include <QValueAxis>
#include <algorithm>
#include <cmath>
#include <functional>

#include "app/picture_style.h"
#include "core/colors.h"
#include "core/format.h"
#include "core/ticks.h"

namespace attnsweep::gui {

namespace {

constexpr int kChartHeight = 300;  // one row of charts
// The line style of each model in a sweep measured on several (ScalingSeries::device_index).
constexpr Qt::PenStyle kDeviceLines[] = {Qt::SolidLine, Qt::DashLine, Qt::DotLine, Qt::DashDotLine};
const char* const kDeviceLineNames[] = {"solid:", "dashed:", "dotted:", "dash-dot:"};

QString metric_unit(ScalingMetric m) { return m == ScalingMetric::time_ms ? "ms" : "TFLOP/s"; }

// The kernels of the charts, each with its marker, wrapped to the width.
class KernelLegend : public QWidget {
 public:
  using QWidget::QWidget;
  void setKernels(std::vector<std::string> kernels) {
    kernels_ = std::move(kernels);
    updateGeometry();
    update();
  }
  bool hasHeightForWidth() const override { return true; }
  int heightForWidth(int width) const override { return paint_kernel_legend(nullptr, QRect(0, 0, width, 0), kernels_); }
  QSize sizeHint() const override { return {400, heightForWidth(400)}; }

 protected:
  void paintEvent(QPaintEvent*) override {
    QPainter p(this);
    paint_kernel_legend(&p, rect(), kernels_);
  }

 private:
  std::vector<std::string> kernels_;
};

void style_axis(QAbstractAxis* a, const QString& title) {
  a->setTitleText(title);
  a->setTitleFont(style::small_font());
  a->setLabelsFont(style::small_font());
  a->setLabelsColor(style::muted_ink());
  a->setTitleBrush(style::muted_ink());
  a->setGridLineColor(style::grid_line());
  a->setMinorGridLineColor(QColor(238, 239, 243));
  a->setLinePenColor(style::grid_line());
}

}  // namespace

std::pair<double, double> padded_log_range(double lo, double hi) {
  if (!(lo > 0) || !(hi > 0)) return {1, 10};
  if (hi <= lo) return {lo / 2, hi * 2};
  return {lo / 1.4, hi * 1.4};
}

ScalingView::ScalingView(QWidget* parent) : QWidget(parent) {
  auto* v = new QVBoxLayout(this);
  v->setContentsMargins(16, 12, 16, 12);
  v->setSpacing(4);
  title_ = new QLabel(this);
  title_->setFont(style::title_font());
  subtitle_ = new QLabel(this);
  subtitle_->setFont(style::small_font());
  subtitle_->setWordWrap(true);
  legend_ = new KernelLegend(this);
  devices_ = new QLabel(this);
  devices_->setFont(style::small_font());
  devices_->setWordWrap(true);
  devices_->hide();
  note_ = new QLabel(this);
  note_->setFont(style::small_font());
  QPalette muted = note_->palette();
  muted.setColor(QPalette::WindowText, style::muted_ink());
  note_->setPalette(muted);
  subtitle_->setPalette(muted);
  grid_host_ = new QWidget(this);
  grid_ = new QGridLayout(grid_host_);
  grid_->setContentsMargins(0, 0, 0, 0);
  grid_->setSpacing(6);
  v->addWidget(title_);
  v->addWidget(subtitle_);
  v->addWidget(legend_);
  v->addWidget(devices_);
  v->addWidget(note_);
  v->addWidget(grid_host_, 1);
  QPalette pal = palette();
  pal.setColor(QPalette::Window, style::background());
  pal.setColor(QPalette::WindowText, style::ink());
  setPalette(pal);
  setAutoFillBackground(true);
}

void ScalingView::setGroups(std::vector<ScalingGroup> groups, ScalingMetric metric, QString title, QString subtitle) {
  for (QWidget* c : charts_) delete c;
  charts_.clear();
  groups_ = std::move(groups);
  title_->setText(title);
  subtitle_->setText(subtitle);
  std::vector<std::string> kernels;
  for (const ScalingGroup& g : groups_)
    for (const ScalingSeries& s : g.series)
      if (std::find(kernels.begin(), kernels.end(), s.kernel) == kernels.end()) kernels.push_back(s.kernel);
  std::size_t not_drawn = 0;
  for (const ScalingGroup& g : groups_) not_drawn = std::max(not_drawn, g.kernels_not_drawn);
  if (not_drawn > 0)
    subtitle_->setText(subtitle + tr(" · %1 more kernels not drawn (a chart draws the first %2)")
                                      .arg(not_drawn)
                                      .arg(kMaxScalingKernels));
  static_cast<KernelLegend*>(legend_)->setKernels(kernels);
  // Results of several models: one line per kernel and model, each model in its own line style.
  std::vector<std::string> devices;
  for (const ScalingGroup& g : groups_)
    for (const ScalingSeries& s : g.series)
      if (!s.device.empty()) {
        if (s.device_index >= devices.size()) devices.resize(s.device_index + 1);
        devices[s.device_index] = s.device;
      }
  QString models = tr("<b>measured on %n models:</b> ", nullptr, static_cast<int>(devices.size()));
  for (std::size_t i = 0; i < devices.size(); ++i)
    models += QString("%1 %2&nbsp;&nbsp;&nbsp;")
                  .arg(kDeviceLineNames[i % std::size(kDeviceLineNames)], QString::fromStdString(devices[i]).toHtmlEscaped());
  devices_->setText(models);
  devices_->setVisible(!devices.empty());
  const bool overlay = std::any_of(groups_.begin(), groups_.end(), [](const ScalingGroup& g) {
    return std::any_of(g.series.begin(), g.series.end(), [](const ScalingSeries& s) { return s.baseline; });
  });
  note_->setText(tr("band: p10–p90 · grey marker on the floor: not measured (its status on hover)") +
                 (overlay ? tr(" · thin dashed, no markers: the baseline run") : QString()));

  const int n = static_cast<int>(groups_.size());
  for (int i = 0; i < n; ++i) {
    QWidget* chart = makeChart(groups_[static_cast<std::size_t>(i)], metric);
    grid_->addWidget(chart, i / columns(), i % columns());
    charts_.push_back(chart);
  }
  if (n == 0) {
    auto* empty = new QLabel(tr("No results for this slice yet"), grid_host_);
    empty->setAlignment(Qt::AlignCenter);
    grid_->addWidget(empty, 0, 0);
    charts_.push_back(empty);
  }
  setMinimumHeight(pictureSize(width()).height());
}

int ScalingView::columns() const {
  const std::size_t n = groups_.size();
  return n <= 1 ? 1 : (n <= 4 ? 2 : 3);
}

int ScalingView::rows() const { return std::max(1, (static_cast<int>(groups_.size()) + columns() - 1) / columns()); }

QSize ScalingView::pictureSize(int width) const {
  const QMargins m = layout()->contentsMargins();
  const int inner = std::max(1, width - m.left() - m.right());
  const int spacing = layout()->spacing();
  const int header = title_->sizeHint().height() + subtitle_->heightForWidth(inner) + legend_->heightForWidth(inner) +
                     note_->sizeHint().height() + 4 * spacing;
  return {width, m.top() + header + rows() * kChartHeight + m.bottom()};
}

QWidget* ScalingView::makeChart(const ScalingGroup& g, ScalingMetric metric) {
  auto* chart = new QChart();
  chart->setTitle(QString::fromStdString(g.title) +
                  (g.kernels_not_drawn ? tr(" · %1 kernels not drawn").arg(g.kernels_not_drawn) : QString()));
  chart->setTitleFont(style::label_font());
  chart->setTitleBrush(style::ink());
  chart->legend()->hide();
  chart->setMargins(QMargins(4, 4, 8, 4));
  chart->setBackgroundRoundness(0);
  chart->setAnimationOptions(QChart::NoAnimation);

  auto* x_axis = new QLogValueAxis();
  x_axis->setBase(2);
  x_axis->setLabelFormat("%g");
  style_axis(x_axis, QString::fromStdString(g.tiers.axis_title()));
  const double x_lo = g.x_lo > 0 ? g.x_lo : 1, x_hi = g.x_hi > 0 ? g.x_hi : 2;
  x_axis->setRange(x_lo / 1.25, x_hi * 1.25);
  chart->addAxis(x_axis, Qt::AlignBottom);

  // Failed cells sit on a floor under the values, one row per kernel that has any, so that no
  // kernel's marker hides another's.
  std::vector<const ScalingSeries*> with_failed;
  for (const ScalingSeries& s : g.series)
    if (!s.failed.empty()) with_failed.push_back(&s);
  const int floor_rows = static_cast<int>(with_failed.size());
  std::function<double(int)> floor_y;
  QAbstractAxis* y_axis = nullptr;
  if (metric == ScalingMetric::time_ms) {
    auto* y = new QLogValueAxis();
    auto [lo, hi] = padded_log_range(g.y_lo, g.y_hi);
    const double row = 1.35;  // each floor row, a factor below the values
    lo /= std::pow(row, floor_rows + 0.5);
    y->setBase(hi / lo > 1000 ? 10 : 2);
    y->setLabelFormat("%g");
    y->setMinorTickCount(y->base() == 10 ? 8 : 0);
    y->setRange(lo, hi);
    floor_y = [lo, row](int i) { return lo * std::pow(row, i + 0.5); };
    y_axis = y;
  } else {
    auto* y = new QValueAxis();
    const double top = g.y_hi > 0 ? g.y_hi * 1.12 : 1;
    // Ticks from 0 in 1-2-5 steps; the floor rows fit under 0, above the first negative tick.
    const double step = nice_step(top);
    const double row = std::min(top * 0.045, 0.9 * step / std::max(1, floor_rows));
    y->setRange(-row * floor_rows, top);
    y->setTickType(QValueAxis::TicksDynamic);
    y->setTickAnchor(0);
    y->setTickInterval(step);
    y->setLabelFormat("%g");
    floor_y = [row](int i) { return -row * (i + 0.5); };
    y_axis = y;
  }
  style_axis(y_axis, metric_unit(metric));
  chart->addAxis(y_axis, Qt::AlignLeft);

  const QString unit = metric_unit(metric);
  for (const ScalingSeries& s : g.series) {
    const KernelStyle ks = kernel_style(s.kernel);
    const QColor color = qcolor(ks.color);
    if (s.baseline) {  // the baseline run: a thin dashed line, no band, no markers, nothing on the floor
      auto* line = new QLineSeries();
      line->setName(QString::fromStdString(s.label) + " (baseline)");
      for (const ScalingPoint& p : s.points) line->append(p.x, p.y);
      line->setPen(QPen(color, 1.4, Qt::DashLine));
      chart->addSeries(line);
      line->attachAxis(x_axis);
      line->attachAxis(y_axis);
      continue;
    }
    if (!s.points.empty()) {
      auto* upper = new QLineSeries();
      auto* lower = new QLineSeries();
      for (const ScalingPoint& p : s.points) {
        upper->append(p.x, std::max(p.hi, p.y));
        lower->append(p.x, std::min(p.lo, p.y));
      }
      auto* band = new QAreaSeries(upper, lower);
      band->setColor(qcolor(ks.color, 48));
      band->setBorderColor(Qt::transparent);
      band->setPen(Qt::NoPen);
      chart->addSeries(band);
      band->attachAxis(x_axis);
      band->attachAxis(y_axis);

      auto* line = new QLineSeries();
      line->setName(QString::fromStdString(s.label));
      for (const ScalingPoint& p : s.points) line->append(p.x, p.y);
      line->setPen(QPen(color, 2.2, kDeviceLines[s.device_index % std::size(kDeviceLines)]));
      line->setLightMarker(marker_image(ks.marker, color, color.darker(130)));
      line->setMarkerSize(9);
      chart->addSeries(line);
      line->attachAxis(x_axis);
      line->attachAxis(y_axis);
      const QString kernel = QString::fromStdString(s.label);
      connect(line, &QLineSeries::hovered, this, [kernel, unit](const QPointF& pt, bool on) {
        if (!on) return QToolTip::hideText();
        QToolTip::showText(QCursor::pos(), QString("<b>%1</b><br>N = %2<br>%3 %4")
                                                .arg(kernel)
                                                .arg(pt.x())
                                                .arg(QString::fromStdString(format_number(pt.y(), 4)), unit));
      });
    }
    if (!s.failed.empty()) {
      const int row = static_cast<int>(std::find(with_failed.begin(), with_failed.end(), &s) - with_failed.begin());
      auto* failed = new QScatterSeries();
      failed->setName(QString::fromStdString(s.label) + " (not measured)");
      failed->setLightMarker(marker_image(ks.marker, QColor(200, 202, 208), color));
      failed->setMarkerSize(11);
      std::vector<QString> tips;
      for (const FailedPoint& f : s.failed) {
        failed->append(f.x, floor_y(row));
        tips.push_back(QString("<b>%1</b><br>N = %2<br><b>%3</b> %4")
                           .arg(QString::fromStdString(s.label))
                           .arg(f.x)
                           .arg(QString::fromStdString(status_label(f.result->status)),
                                QString::fromStdString(f.result->message).toHtmlEscaped()));
      }
      chart->addSeries(failed);
      failed->attachAxis(x_axis);
      failed->attachAxis(y_axis);
      connect(failed, &QScatterSeries::hovered, this, [failed, tips](const QPointF& pt, bool on) {
        if (!on) return QToolTip::hideText();
        const auto pts = failed->points();
        for (int i = 0; i < pts.size(); ++i)
          if (pts[i] == pt) QToolTip::showText(QCursor::pos(), tips[static_cast<std::size_t>(i)]);
      });
    }
  }

  auto* view = new QChartView(chart, grid_host_);
  view->setRenderHint(QPainter::Antialiasing);
  view->setMinimumSize(300, kChartHeight - 6);
  return view;
}

}  // namespace attnsweep::gui
