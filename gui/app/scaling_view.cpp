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
#include <QScatterSeries>
#include <QToolTip>
#include <QValueAxis>
#include <QVBoxLayout>
#include <cmath>

#include "app/picture_style.h"
#include "core/colors.h"
#include "core/format.h"

namespace attnsweep::gui {

namespace {


QString metric_unit(ScalingMetric m) { return m == ScalingMetric::time_ms ? "ms" : "TFLOP/s"; }

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
  legend_ = new QLabel(this);
  legend_->setFont(style::label_font());
  legend_->setTextFormat(Qt::RichText);
  legend_->setWordWrap(true);
  grid_host_ = new QWidget(this);
  grid_ = new QGridLayout(grid_host_);
  grid_->setContentsMargins(0, 0, 0, 0);
  grid_->setSpacing(6);
  v->addWidget(title_);
  v->addWidget(legend_);
  v->addWidget(grid_host_, 1);
  QPalette pal = palette();
  pal.setColor(QPalette::Window, style::background());
  pal.setColor(QPalette::WindowText, style::ink());
  setPalette(pal);
  setAutoFillBackground(true);
}

void ScalingView::setGroups(std::vector<ScalingGroup> groups, const std::vector<std::string>& kernels,
                            ScalingMetric metric, QString title, QString subtitle) {
  for (QWidget* c : charts_) delete c;
  charts_.clear();
  groups_ = std::move(groups);
  title_->setText(title);
  QString legend = "<span style='color:#686c78'>" + subtitle.toHtmlEscaped() + "</span><br>";
  for (std::size_t i = 0; i < kernels.size(); ++i)
    legend += QString("<span style='color:%1; font-size:16px'>&#9632;</span>&nbsp;%2&nbsp;&nbsp;&nbsp;&nbsp;")
                  .arg(qcolor(kernel_color(i)).name(), QString::fromStdString(kernels[i]).toHtmlEscaped());
  legend += tr("<span style='color:#686c78'>band: p10–p90 · grey ◆ : not measured (status on hover)</span>");
  const bool overlay = std::any_of(groups_.begin(), groups_.end(), [](const ScalingGroup& g) {
    return std::any_of(g.series.begin(), g.series.end(), [](const ScalingSeries& s) { return s.baseline; });
  });
  if (overlay) legend += tr("<span style='color:#686c78'> · solid: these results · dashed: the baseline run</span>");
  legend_->setText(legend);

  const int n = static_cast<int>(groups_.size());
  const int columns = n <= 1 ? 1 : (n <= 4 ? 2 : 3);
  for (int i = 0; i < n; ++i) {
    QWidget* chart = makeChart(groups_[static_cast<std::size_t>(i)], metric);
    grid_->addWidget(chart, i / columns, i % columns);
    charts_.push_back(chart);
  }
  if (n == 0) {
    auto* empty = new QLabel(tr("No results for this slice yet"), grid_host_);
    empty->setAlignment(Qt::AlignCenter);
    grid_->addWidget(empty, 0, 0);
    charts_.push_back(empty);
  }
}

QWidget* ScalingView::makeChart(const ScalingGroup& g, ScalingMetric metric) {
  auto* chart = new QChart();
  chart->setTitle(QString::fromStdString(g.title));
  chart->setTitleFont(style::label_font());
  chart->setTitleBrush(style::ink());
  chart->legend()->hide();
  chart->setMargins(QMargins(4, 4, 8, 4));
  chart->setBackgroundRoundness(0);
  chart->setAnimationOptions(QChart::NoAnimation);

  auto* x_axis = new QLogValueAxis();
  x_axis->setBase(2);
  x_axis->setLabelFormat("%g");
  style_axis(x_axis, tr("sequence length (Q_N)"));
  const double x_lo = g.x_lo > 0 ? g.x_lo : 1, x_hi = g.x_hi > 0 ? g.x_hi : 2;
  x_axis->setRange(x_lo / 1.25, x_hi * 1.25);
  chart->addAxis(x_axis, Qt::AlignBottom);

  QAbstractAxis* y_axis = nullptr;
  double y_floor = 0;
  if (metric == ScalingMetric::time_ms) {
    auto* y = new QLogValueAxis();
    auto [lo, hi] = padded_log_range(g.y_lo, g.y_hi);
    lo /= 1.5;  // room for the failed-cell markers on the floor
    y->setBase(hi / lo > 1000 ? 10 : 2);
    y->setLabelFormat("%g");
    y->setMinorTickCount(y->base() == 10 ? 8 : 0);
    y->setRange(lo, hi);
    y_floor = lo * 1.15;
    y_axis = y;
  } else {
    auto* y = new QValueAxis();
    y->setRange(0, g.y_hi > 0 ? g.y_hi * 1.12 : 1);
    y->setLabelFormat("%g");
    y->applyNiceNumbers();
    y_floor = y->max() * 0.02;
    y_axis = y;
  }
  style_axis(y_axis, metric_unit(metric));
  chart->addAxis(y_axis, Qt::AlignLeft);

  const QString unit = metric_unit(metric);
  for (const ScalingSeries& s : g.series) {
    const QColor color = qcolor(kernel_color(s.color_index));
    if (s.baseline) {  // the baseline run: a dashed line, no band, nothing on the floor
      auto* line = new QLineSeries();
      line->setName(QString::fromStdString(s.kernel) + " (baseline)");
      for (const ScalingPoint& p : s.points) line->append(p.x, p.y);
      line->setPen(QPen(color, 1.8, Qt::DashLine));
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
      band->setColor(qcolor(kernel_color(s.color_index), 48));
      band->setBorderColor(Qt::transparent);
      band->setPen(Qt::NoPen);
      chart->addSeries(band);
      band->attachAxis(x_axis);
      band->attachAxis(y_axis);

      auto* line = new QLineSeries();
      line->setName(QString::fromStdString(s.kernel));
      for (const ScalingPoint& p : s.points) line->append(p.x, p.y);
      line->setPen(QPen(color, 2.2));
      line->setPointsVisible(true);
      line->setMarkerSize(7);
      chart->addSeries(line);
      line->attachAxis(x_axis);
      line->attachAxis(y_axis);
      const QString kernel = QString::fromStdString(s.kernel);
      connect(line, &QLineSeries::hovered, this, [kernel, unit](const QPointF& pt, bool on) {
        if (!on) return QToolTip::hideText();
        QToolTip::showText(QCursor::pos(), QString("<b>%1</b><br>N = %2<br>%3 %4")
                                                .arg(kernel)
                                                .arg(pt.x())
                                                .arg(QString::fromStdString(format_number(pt.y(), 4)), unit));
      });
    }
    if (!s.failed.empty()) {
      auto* failed = new QScatterSeries();
      failed->setName(QString::fromStdString(s.kernel) + " (not measured)");
      failed->setMarkerShape(QScatterSeries::MarkerShapeRotatedRectangle);
      failed->setMarkerSize(9);
      failed->setColor(QColor(170, 172, 180));
      failed->setBorderColor(color);
      std::vector<QString> tips;
      for (const FailedPoint& f : s.failed) {
        failed->append(f.x, y_floor);
        tips.push_back(QString("<b>%1</b><br>N = %2<br><b>%3</b> %4")
                           .arg(QString::fromStdString(s.kernel))
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
  view->setMinimumSize(300, 220);
  return view;
}

}  // namespace attnsweep::gui
