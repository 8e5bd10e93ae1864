#pragma once
// The sweep form: preset, kernels (greyed with the reason when this machine cannot run them, and a
// line saying so when checked ones cannot run), tiers as lines plus a grid generator, dtypes,
// masks, timing, backend, output file. The form scrolls; Run, Stop, Resume, the progress and its
// ETA stay in view under it. It builds a SweepSpec and validates it with the engine's parser.
#include <QWidget>
#include <optional>

#include "attnsweep/engine/executor_choice.h"
#include "attnsweep/engine/kernel_catalogue.h"
#include "attnsweep/engine/spec.h"

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QFormLayout;
class QGroupBox;
class QHBoxLayout;
class QLabel;
class QLineEdit;
class QListWidget;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QSpinBox;

namespace attnsweep::gui {

class SweepPanel : public QWidget {
  Q_OBJECT
 public:
  explicit SweepPanel(QWidget* parent = nullptr);

  void loadSpec(const SweepSpec& spec);
  // The spec the form describes, or the engine's validation errors.
  std::optional<SweepSpec> spec(QStringList* errors) const;
  BackendChoice backend() const;
  QString outputPath() const;
  void setOutputPath(const QString& path);
  void selectPreset(const QString& name);

  void setRunning(bool running);
  void setProgress(std::size_t done, std::size_t total, const QString& current, std::optional<double> eta_s);

  // Why checked kernels cannot run here (shown under the kernels); empty when all can.
  QString kernelHint() const;
  // Whether any checked kernel can run on the chosen backend here.
  bool someCheckedKernelRuns() const;
  QPushButton* runButton() const { return run_; }
  QPushButton* stopButton() const { return stop_; }
  QProgressBar* progressBar() const { return progress_; }
  QSpinBox* maxSamplesBox() const { return max_samples_; }

 signals:
  void runRequested(bool resume);
  void stopRequested();

 private:
  QWidget* buildForm(const KernelCatalogue& catalogue);
  QWidget* buildRunFooter();
  QFormLayout* buildPresetRow(QWidget* form);
  std::vector<std::string> checkedKernels() const;
  QGroupBox* buildKernelBox(QWidget* form, const KernelCatalogue& catalogue);
  QGroupBox* buildTierBox(QWidget* form);
  QGroupBox* buildOptionsBox(QWidget* form, bool have_cuda);
  void applyGrid();
  void choosePreset(int index);
  void updateKernelHint();

  QComboBox* preset_;
  QLineEdit* name_;
  QListWidget* kernels_;
  QLabel* kernel_hint_;
  std::vector<CatalogueKernel> catalogue_;
  QPlainTextEdit* tiers_;
  QLineEdit* grid_q_;
  QLineEdit* grid_k_;
  QLineEdit* grid_d_;
  QLineEdit* grid_h_;
  QLineEdit* grid_b_;
  QCheckBox* fp32_;
  QCheckBox* fp16_;
  QCheckBox* bf16_;
  QCheckBox* full_;
  QCheckBox* causal_;
  QDoubleSpinBox* max_cell_s_;
  QSpinBox* max_samples_;
  QCheckBox* cold_;
  QCheckBox* batch_;
  QComboBox* steady_;
  QComboBox* backend_;
  QLineEdit* output_;
  QPushButton* run_;
  QPushButton* stop_;
  QPushButton* resume_;
  QProgressBar* progress_;
  QLabel* current_;
  SweepSpec base_;  // what the form does not show (warm-up, min samples, seed, check) comes from here
};

}  // namespace attnsweep::gui
