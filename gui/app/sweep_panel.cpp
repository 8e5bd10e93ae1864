#include "app/sweep_panel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFontDatabase>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QScrollBar>
#include <QSpinBox>
#include <QToolButton>
#include <QVBoxLayout>
#include <algorithm>

#include "app/wheel_guard.h"
#include "attnsweep/engine/presets.h"
#include "core/format.h"
#include "core/sweep_form.h"

namespace attnsweep::gui {

SweepPanel::SweepPanel(QWidget* parent) : QWidget(parent) {
  const KernelCatalogue catalogue = kernel_catalogue();
  catalogue_ = catalogue.kernels;
  auto* v = new QVBoxLayout(this);
  v->setContentsMargins(0, 0, 0, 0);
  v->setSpacing(0);
  auto* scroll = new QScrollArea(this);
  scroll->setWidget(buildForm(catalogue));
  scroll->setWidgetResizable(true);
  scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
  scroll->setFrameShape(QFrame::NoFrame);
  scroll->setMinimumWidth(scroll->widget()->sizeHint().width() + scroll->verticalScrollBar()->sizeHint().width());
  v->addWidget(scroll, 1);
  v->addWidget(buildRunFooter());
  setRunning(false);

  // Start from the smallest preset a CPU runs in seconds.
  selectPreset(preset_->findText("smoke") >= 0 ? "smoke" : preset_->itemText(0));
}

QWidget* SweepPanel::buildForm(const KernelCatalogue& catalogue) {
  auto* form = new QWidget(this);
  auto* v = new QVBoxLayout(form);
  v->setContentsMargins(8, 8, 8, 8);
  v->addLayout(buildPresetRow(form));
  v->addWidget(buildKernelBox(form, catalogue));
  v->addWidget(buildTierBox(form));
  v->addWidget(buildOptionsBox(form, catalogue.cuda_devices > 0));
  v->addStretch(1);
  take_wheel_only_when_focused(form);
  return form;
}

// Run, Stop, Resume, the progress and the current cell: under the form, never scrolled away.
QWidget* SweepPanel::buildRunFooter() {
  auto* footer = new QWidget(this);
  auto* v = new QVBoxLayout(footer);
  v->setContentsMargins(8, 6, 8, 8);
  auto* buttons = new QHBoxLayout();
  run_ = new QPushButton(tr("Run"), footer);
  run_->setToolTip(tr("Start the sweep into a fresh result file (F5)"));
  stop_ = new QPushButton(tr("Stop"), footer);
  stop_->setToolTip(tr("Stop after the current sample; the file stays valid and Resume continues it (Shift+F5)"));
  resume_ = new QPushButton(tr("Resume"), footer);
  resume_->setToolTip(tr("Continue the output file, skipping finished cells (F6)"));
  buttons->addWidget(run_);
  buttons->addWidget(stop_);
  buttons->addWidget(resume_);
  connect(run_, &QPushButton::clicked, this, [this] { emit runRequested(false); });
  connect(resume_, &QPushButton::clicked, this, [this] { emit runRequested(true); });
  connect(stop_, &QPushButton::clicked, this, &SweepPanel::stopRequested);
  progress_ = new QProgressBar(footer);
  progress_->setFormat("%v / %m");
  current_ = new QLabel(tr("idle"), footer);
  current_->setWordWrap(true);
  current_->setMinimumHeight(2 * current_->fontMetrics().height());
  current_->setAlignment(Qt::AlignTop | Qt::AlignLeft);
  v->addLayout(buttons);
  v->addWidget(progress_);
  v->addWidget(current_);
  return footer;
}

QFormLayout* SweepPanel::buildPresetRow(QWidget* form) {
  auto* top = new QFormLayout();
  preset_ = new QComboBox(form);
  for (const std::string& n : preset_names()) preset_->addItem(QString::fromStdString(n));
  preset_->setToolTip(tr("Sweeps shipped with AttnSweep; choosing one fills the form"));
  connect(preset_, &QComboBox::activated, this, &SweepPanel::choosePreset);
  name_ = new QLineEdit(form);
  top->addRow(tr("Preset"), preset_);
  top->addRow(tr("Name"), name_);
  return top;
}

// Every kernel of the catalogue; those this machine cannot run are shown greyed, with the reason,
// and a line under the list says when checked ones will not run.
QGroupBox* SweepPanel::buildKernelBox(QWidget* form, const KernelCatalogue& catalogue) {
  auto* box = new QGroupBox(tr("Kernels"), form);
  auto* layout = new QVBoxLayout(box);
  kernels_ = new QListWidget(box);
  kernels_->setMinimumHeight(90);
  for (const CatalogueKernel& k : catalogue.kernels) {
    auto* item = new QListWidgetItem(QString::fromStdString(k.name), kernels_);
    item->setFlags(k.available ? (Qt::ItemIsUserCheckable | Qt::ItemIsEnabled) : Qt::ItemIsUserCheckable);
    item->setCheckState(Qt::Unchecked);
    QString tip = QString::fromStdString(k.description);
    if (!k.provider.empty())
      tip += tr("\nFrom the %1 provider (a worker process)").arg(QString::fromStdString(k.provider));
    if (!k.seed_analogue.empty())
      tip += (k.provider.empty() ? tr("\nStands in for the seed's %1") : tr("\nThe seed's own %1"))
                 .arg(QString::fromStdString(k.seed_analogue));
    if (!k.available) tip += tr("\nGreyed out: %1").arg(QString::fromStdString(k.why_not));
    item->setToolTip(tip);
  }
  kernel_hint_ = new QLabel(box);
  kernel_hint_->setWordWrap(true);
  kernel_hint_->setStyleSheet("color: #a06000");
  kernel_hint_->hide();
  connect(kernels_, &QListWidget::itemChanged, this, &SweepPanel::updateKernelHint);
  layout->addWidget(kernels_);
  layout->addWidget(kernel_hint_);
  return box;
}

// Tiers as lines, and a grid that crosses axes into them.
QGroupBox* SweepPanel::buildTierBox(QWidget* form) {
  auto* box = new QGroupBox(tr("Tiers (Q_N K_N head_dim heads batch)"), form);
  auto* layout = new QVBoxLayout(box);
  tiers_ = new QPlainTextEdit(box);
  tiers_->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
  tiers_->setToolTip(tr("One tier per line: Q_N K_N head_dim heads batch; 2k = 2048; # starts a comment"));
  tiers_->setMinimumHeight(80);
  layout->addWidget(tiers_);
  auto* grid = new QFormLayout();
  auto edit = [&](const QString& text, const QString& tip) {
    auto* e = new QLineEdit(text, box);
    e->setToolTip(tip);
    return e;
  };
  grid_q_ = edit("512, 1k, 2k", tr("Sequence lengths (Q_N)"));
  grid_k_ = edit("", tr("K_N values; empty: K_N = Q_N"));
  grid_d_ = edit("64", tr("head_dim values"));
  grid_h_ = edit("4", tr("heads values"));
  grid_b_ = edit("1", tr("batch values"));
  grid->addRow(tr("Q_N"), grid_q_);
  grid->addRow(tr("K_N"), grid_k_);
  grid->addRow(tr("head_dim"), grid_d_);
  grid->addRow(tr("heads"), grid_h_);
  grid->addRow(tr("batch"), grid_b_);
  layout->addLayout(grid);
  auto* gen = new QPushButton(tr("Replace tiers with this grid"), box);
  gen->setToolTip(tr("Crosses the axes above into tiers"));
  connect(gen, &QPushButton::clicked, this, &SweepPanel::applyGrid);
  layout->addWidget(gen);
  return box;
}

// dtypes, masks, timing, backend and the output file.
QGroupBox* SweepPanel::buildOptionsBox(QWidget* parent, bool have_cuda) {
  auto* box = new QGroupBox(tr("Types and timing"), parent);
  auto* form = new QFormLayout(box);
  auto* dt = new QHBoxLayout();
  fp32_ = new QCheckBox("fp32", box);
  fp16_ = new QCheckBox("fp16", box);
  bf16_ = new QCheckBox("bf16", box);
  dt->addWidget(fp32_);
  dt->addWidget(fp16_);
  dt->addWidget(bf16_);
  form->addRow(tr("dtypes"), dt);
  auto* mk = new QHBoxLayout();
  full_ = new QCheckBox(tr("full"), box);
  causal_ = new QCheckBox(tr("causal"), box);
  mk->addWidget(full_);
  mk->addWidget(causal_);
  form->addRow(tr("mask"), mk);
  max_cell_s_ = new QDoubleSpinBox(box);
  max_cell_s_->setRange(0.01, 600);
  max_cell_s_->setSuffix(" s");
  max_cell_s_->setToolTip(tr("Time cap for one cell's sampling"));
  form->addRow(tr("cell cap"), max_cell_s_);
  max_samples_ = new QSpinBox(box);
  max_samples_->setRange(1, 100000);
  form->addRow(tr("max samples"), max_samples_);
  auto* modes = new QHBoxLayout();
  cold_ = new QCheckBox(tr("cold"), box);
  cold_->setToolTip(tr("One launch per sample after the last-level cache is flushed"));
  batch_ = new QCheckBox(tr("batch"), box);
  batch_->setToolTip(tr("Back-to-back launches per sample on a warm cache"));
  modes->addWidget(cold_);
  modes->addWidget(batch_);
  form->addRow(tr("timing"), modes);
  steady_ = new QComboBox(box);
  steady_->addItems({"burst", "sustained"});
  steady_->setToolTip(tr("sustained: the card is kept busy with the cell's launches until clocks and power settle "
                         "before sampling"));
  form->addRow(tr("state"), steady_);
  backend_ = new QComboBox(box);
  backend_->addItem("auto", static_cast<int>(BackendChoice::automatic));
  backend_->addItem("cpu", static_cast<int>(BackendChoice::cpu));
  backend_->addItem("cuda", static_cast<int>(BackendChoice::cuda));
  if (!have_cuda) {
    backend_->setItemData(2, tr("no CUDA device on this machine"), Qt::ToolTipRole);
    backend_->setItemData(2, 0, Qt::UserRole - 1);  // disabled item
  }
  connect(backend_, &QComboBox::currentIndexChanged, this, &SweepPanel::updateKernelHint);
  form->addRow(tr("backend"), backend_);
  auto* out_row = new QHBoxLayout();
  output_ = new QLineEdit(box);
  output_->setToolTip(tr("Result file (JSON Lines) the sweep writes; Resume continues it"));
  auto* browse = new QToolButton(box);
  browse->setText("…");
  connect(browse, &QToolButton::clicked, this, [this] {
    const QString p = QFileDialog::getSaveFileName(this, tr("Result file"), output_->text(), tr("Results (*.jsonl)"));
    if (!p.isEmpty()) output_->setText(p);
  });
  out_row->addWidget(output_);
  out_row->addWidget(browse);
  form->addRow(tr("output"), out_row);
  return box;
}

void SweepPanel::selectPreset(const QString& name) {
  const int i = preset_->findText(name);
  if (i < 0) return;
  preset_->setCurrentIndex(i);
  choosePreset(i);
}

void SweepPanel::choosePreset(int index) {
  const auto text = preset_json(preset_->itemText(index).toStdString());
  if (!text) return;
  const SpecParseResult parsed = parse_spec(*text);
  if (parsed.spec) loadSpec(*parsed.spec);
}

void SweepPanel::loadSpec(const SweepSpec& spec) {
  base_ = spec;
  name_->setText(QString::fromStdString(spec.name));
  for (int i = 0; i < kernels_->count(); ++i) {
    QListWidgetItem* item = kernels_->item(i);
    const bool wanted = std::find(spec.kernels.begin(), spec.kernels.end(), item->text().toStdString()) != spec.kernels.end();
    item->setCheckState(wanted ? Qt::Checked : Qt::Unchecked);
  }
  tiers_->setPlainText(QString::fromStdString(tier_lines(spec.tiers)));
  auto has = [&](DType t) { return std::find(spec.dtypes.begin(), spec.dtypes.end(), t) != spec.dtypes.end(); };
  fp32_->setChecked(has(DType::fp32));
  fp16_->setChecked(has(DType::fp16));
  bf16_->setChecked(has(DType::bf16));
  full_->setChecked(std::find(spec.causal.begin(), spec.causal.end(), false) != spec.causal.end());
  causal_->setChecked(std::find(spec.causal.begin(), spec.causal.end(), true) != spec.causal.end());
  max_cell_s_->setValue(spec.timing.max_cell_s);
  max_samples_->setValue(spec.timing.max_samples);
  const auto& modes = spec.timing.modes;
  cold_->setChecked(std::find(modes.begin(), modes.end(), TimingMode::cold) != modes.end());
  batch_->setChecked(std::find(modes.begin(), modes.end(), TimingMode::batch) != modes.end());
  steady_->setCurrentIndex(spec.timing.steady == SteadyState::burst ? 0 : 1);
}

void SweepPanel::applyGrid() {
  SizeList q = parse_size_list(grid_q_->text().toStdString());
  SizeList d = parse_size_list(grid_d_->text().toStdString());
  SizeList h = parse_size_list(grid_h_->text().toStdString());
  SizeList b = parse_size_list(grid_b_->text().toStdString());
  SizeList k;
  if (!grid_k_->text().trimmed().isEmpty()) k = parse_size_list(grid_k_->text().toStdString());
  for (auto [label, list] : {std::pair{"Q_N", &q}, {"K_N", &k}, {"head_dim", &d}, {"heads", &h}, {"batch", &b}}) {
    if (!list->error.empty()) {
      current_->setText(tr("grid %1: %2").arg(QString::fromLatin1(label), QString::fromStdString(list->error)));
      return;
    }
  }
  tiers_->setPlainText(QString::fromStdString(tier_lines(cross_grid(q.values, k.values, d.values, h.values, b.values))));
}

std::optional<SweepSpec> SweepPanel::spec(QStringList* errors) const {
  SweepSpec s = base_;
  s.name = name_->text().trimmed().toStdString();
  s.kernels.clear();
  for (int i = 0; i < kernels_->count(); ++i)
    if (kernels_->item(i)->checkState() == Qt::Checked) s.kernels.push_back(kernels_->item(i)->text().toStdString());
  const TierLines tiers = parse_tier_lines(tiers_->toPlainText().toStdString());
  if (!tiers.error.empty()) {
    *errors << tr("tiers, %1").arg(QString::fromStdString(tiers.error));
    return std::nullopt;
  }
  s.tiers = tiers.tiers;
  s.dtypes.clear();
  if (fp32_->isChecked()) s.dtypes.push_back(DType::fp32);
  if (fp16_->isChecked()) s.dtypes.push_back(DType::fp16);
  if (bf16_->isChecked()) s.dtypes.push_back(DType::bf16);
  s.causal.clear();
  if (full_->isChecked()) s.causal.push_back(false);
  if (causal_->isChecked()) s.causal.push_back(true);
  s.timing.max_cell_s = max_cell_s_->value();
  s.timing.max_samples = max_samples_->value();
  s.timing.min_samples = std::min(s.timing.min_samples, s.timing.max_samples);
  s.timing.modes.clear();
  if (cold_->isChecked()) s.timing.modes.push_back(TimingMode::cold);
  if (batch_->isChecked()) s.timing.modes.push_back(TimingMode::batch);
  s.timing.steady = steady_->currentIndex() == 0 ? SteadyState::burst : SteadyState::sustained;
  // The engine's parser is the one judge of a valid spec.
  const SpecParseResult parsed = parse_spec(spec_to_json(s));
  for (const SpecError& e : parsed.errors) *errors << QString::fromStdString(e.to_string());
  return parsed.spec;
}

std::vector<std::string> SweepPanel::checkedKernels() const {
  std::vector<std::string> checked;
  for (int i = 0; i < kernels_->count(); ++i)
    if (kernels_->item(i)->checkState() == Qt::Checked) checked.push_back(kernels_->item(i)->text().toStdString());
  return checked;
}

void SweepPanel::updateKernelHint() {
  const QString hint = QString::fromStdString(kernel_hint(catalogue_, checkedKernels(), resolve_backend(backend())));
  kernel_hint_->setText(hint);
  kernel_hint_->setVisible(!hint.isEmpty());
}

QString SweepPanel::kernelHint() const { return kernel_hint_->text(); }

bool SweepPanel::someCheckedKernelRuns() const {
  return any_checked_kernel_runs(catalogue_, checkedKernels(), resolve_backend(backend()));
}

BackendChoice SweepPanel::backend() const { return static_cast<BackendChoice>(backend_->currentData().toInt()); }
QString SweepPanel::outputPath() const { return output_->text().trimmed(); }
void SweepPanel::setOutputPath(const QString& path) { output_->setText(path); }

void SweepPanel::setRunning(bool running) {
  run_->setEnabled(!running);
  resume_->setEnabled(!running);
  stop_->setEnabled(running);
  if (!running) progress_->setFormat("%v / %m");
}

void SweepPanel::setProgress(std::size_t done, std::size_t total, const QString& current, std::optional<double> eta_s) {
  progress_->setMaximum(static_cast<int>(std::max<std::size_t>(total, 1)));
  progress_->setValue(static_cast<int>(done));
  QString text = current;
  if (eta_s) text += tr("\nabout %1 left").arg(QString::fromStdString(format_duration(*eta_s)));
  current_->setText(text);
}

}  // namespace attnsweep::gui
