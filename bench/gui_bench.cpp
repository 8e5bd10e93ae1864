// Not a test: how long the app takes to open and draw a 10,000-cell result file, and the event
// loop's worst gap during a live CPU sweep; or how the report export grows with the number of
// kernels. Prints Markdown for docs/benchmarks-gui.md.
//   gui_bench [CELLS] [PRESET]      (PRESET: the live sweep, default smoke)
//   gui_bench export KERNELS...
#include <QApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QTimer>
#include <sys/resource.h>

#include <cstdio>
#include <fstream>
#include <string_view>
#include <vector>

#include "app/main_window.h"
#include "app/picture_style.h"
#include "app/report_export.h"
#include "app/sweep_panel.h"
#include "attnsweep/engine/result_json.h"
#include "attnsweep/engine/store.h"

using namespace attnsweep;
using namespace attnsweep::gui;

namespace {

// Kernels x tiers x dtypes x masks with a realistic share of failed cells.
std::string write_big_file(const QTemporaryDir& dir, int cells) {
  const std::string path = dir.filePath("big.jsonl").toStdString();
  std::ofstream out(path);
  out << nlohmann::json{{"type", "header"}, {"schema", kResultSchema}, {"spec", nlohmann::json::object()},
                        {"environment", {{"device", {{"name", "NVIDIA H100 80GB HBM3"}}}}}}.dump()
      << "\n";
  const char* kernels[] = {"naive", "cublas", "fused_simt", "flash_mma", "flash_sm90", "cudnn", "k6", "k7", "k8", "k9"};
  int written = 0;
  for (DType dt : {DType::fp16, DType::bf16})
    for (bool causal : {false, true})
      for (std::int64_t d : {64, 128, 256})
        for (std::int64_t h : {8, 16, 32})
        for (std::int64_t b : {1, 2, 4, 8, 16})
          for (std::int64_t n = 256; n <= 32768 && written < cells; n *= 2)
            for (int k = 0; k < 10 && written < cells; ++k) {
              CellResult r;
              r.cell.kernel = kernels[k];
              r.cell.tier.shape = {n, n, d, h, b};
              r.cell.tier.name = tier_name(r.cell.tier.shape);
              r.cell.dtype = dt;
              r.cell.causal = causal;
              const double ms = 1e-3 * (k + 1) * static_cast<double>(n) * n * d * b / 1e6;
              if ((k == 0 && n >= 8192) || (written % 37 == 5)) {
                r.status = CellStatus::oom;
                r.message = "would not fit";
              } else {
                r.status = CellStatus::ok;
                Timing& t = r.timings.emplace_back();
                SampleStats& s = t.time_ms;
                s.samples = 30;
                s.median = s.mean = ms;
                s.min = s.p10 = ms * 0.98;
                s.max = s.p90 = ms * 1.03;
                t.tflops = r.cell.problem().flops() / (ms * 1e-3) / 1e12;
              }
              out << result_to_json(r).dump() << "\n";
              ++written;
            }
  return path;
}

double ms_since(QElapsedTimer& t) { return t.nsecsElapsed() / 1e6; }

// KERNELS kernels x 8 tiers (two shape groups of four lengths), every cell ok, as a sweep of many
// kernel variants would be; then the whole report folder, as File -> Export writes it.
int export_bench(const std::vector<int>& kernel_counts) {
  std::printf("| kernels | cells | export | peak memory (max RSS so far) | not drawn |\n|---:|---:|---:|---:|---|\n");
  for (int kernels : kernel_counts) {
    ResultSet set;
    set.name = "export-bench";
    set.header = {{"environment", {{"device", {{"name", "NVIDIA H100 80GB HBM3"}}}}}};
    for (int k = 0; k < kernels; ++k)
      for (std::int64_t d : {64, 128})
        for (std::int64_t n : {512, 1024, 2048, 4096}) {
          CellResult r;
          r.cell.kernel = "k" + std::to_string(k);
          r.cell.tier.shape = {n, n, d, 12, 1};
          r.cell.tier.name = tier_name(r.cell.tier.shape);
          r.cell.dtype = DType::fp16;
          r.status = CellStatus::ok;
          const double ms = 0.01 * (k % 50 + 1) * static_cast<double>(n) / 512;
          Timing& t = r.timings.emplace_back();
          t.mode = TimingMode::cold;
          t.time_ms = SampleStats{10, ms, ms, ms * 0.01, ms * 0.98, ms * 1.03, ms * 0.99, ms * 1.02, ms * 0.99, ms * 1.01};
          t.tflops = r.cell.problem().flops() / (ms * 1e-3) / 1e12;
          t.gbps = r.cell.problem().min_bytes() / (ms * 1e-3) / 1e9;
          set.results.push_back(r);
        }
    QTemporaryDir dir;
    QElapsedTimer t;
    t.start();
    const ExportOutcome out = export_report(set, dir.path());
    const double seconds = ms_since(t) / 1000;
    rusage usage{};
    ::getrusage(RUSAGE_SELF, &usage);
    std::printf("| %d | %zu | %.1f s | %.0f MiB | %s |\n", kernels, set.results.size(), seconds,
                usage.ru_maxrss / 1024.0, out.not_drawn.isEmpty() ? "" : qPrintable(out.not_drawn.join("; ")));
    std::fflush(stdout);
    if (!out.ok) return 1;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen");
  QApplication app(argc, argv);
  QApplication::setOrganizationName("AttnSweepBench");
  style::register_picture_fonts();
  if (argc > 1 && std::string_view(argv[1]) == "export") {
    std::vector<int> counts;
    for (int i = 2; i < argc; ++i) counts.push_back(std::atoi(argv[i]));
    return export_bench(counts.empty() ? std::vector<int>{300, 1000, 3000} : counts);
  }
  const int cells = argc > 1 ? std::atoi(argv[1]) : 10000;
  QTemporaryDir dir;
  const std::string path = write_big_file(dir, cells);

  MainWindow w;
  w.resize(1366, 768);
  w.show();
  QApplication::processEvents();
  QElapsedTimer t;
  t.start();
  if (!w.openFile(QString::fromStdString(path))) return 1;
  const double open_ms = ms_since(t);
  (void)w.grab();  // draws the table tab
  const double table_ms = ms_since(t);
  std::printf("| cells | open (parse + model) | + draw table | heatmap tab | scaling tab | forward tab |\n");
  std::printf("|---:|---:|---:|---:|---:|---:|\n");
  double tab_ms[3];
  for (int tab = 1; tab <= 3; ++tab) {
    QElapsedTimer tt;
    tt.start();
    w.tabs()->setCurrentIndex(tab);
    (void)w.grab();
    tab_ms[tab - 1] = ms_since(tt);
  }
  std::printf("| %zu | %.0f ms | %.0f ms | %.0f ms | %.0f ms | %.0f ms |\n", w.document().results().size(), open_ms,
              table_ms, tab_ms[0], tab_ms[1], tab_ms[2]);

  // Event loop during a live sweep (argv[2], default the smoke preset, on the CPU), heatmap tab showing.
  MainWindow live;
  live.resize(1366, 768);
  live.show();
  const std::string live_preset = argc > 2 ? argv[2] : "smoke";
  live.panel()->selectPreset(QString::fromStdString(live_preset));
  live.panel()->setOutputPath(dir.filePath("live.jsonl"));
  live.tabs()->setCurrentIndex(1);
  QEventLoop loop;
  QObject::connect(&live.runner(), &RunController::finished, &loop, &QEventLoop::quit);
  QObject::connect(&live.runner(), &RunController::failed, &loop, &QEventLoop::quit);
  QElapsedTimer clock;
  qint64 last = 0, worst = 0;
  QTimer tick;
  tick.setInterval(5);
  QObject::connect(&tick, &QTimer::timeout, [&] {
    const qint64 now = clock.elapsed();
    worst = std::max(worst, now - last);
    last = now;
  });
  clock.start();
  tick.start();
  live.startRun(false);
  loop.exec();
  std::printf("\nlive sweep (%s preset, CPU): %zu cells in %.1f s; worst event-loop gap %lld ms\n",
              live_preset.c_str(), live.document().results().size(), clock.elapsed() / 1000.0, static_cast<long long>(worst));
  return 0;
}
