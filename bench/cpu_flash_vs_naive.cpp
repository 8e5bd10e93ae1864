// cpu_flash against cpu_naive on one shape, measured the way a sweep measures a cell
// (measure_cell on the CPU device: seeded inputs, check before and after, warm-up, samples until
// the median is tight). Prints a Markdown table and the speed-up of flash over naive.
//
//   attnsweep-bench-cpu --n 2048 --d 64 --heads 4 --batch 1 [--causal] [--threads 2]
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "attnsweep/engine/measure.h"

using namespace attnsweep;

int main(int argc, char** argv) {
  TierShape shape{2048, 2048, 64, 4, 1};
  bool causal = false;
  int threads = 0;
  MeasureOptions opts;
  opts.timing.warmup_ms = 0;  // one warm-up launch: each already takes a large fraction of a second
  opts.timing.min_samples = 5;
  opts.timing.max_samples = 15;
  opts.timing.max_cell_s = 60;
  opts.timing.modes = {TimingMode::cold};  // each launch is long: a batch would say the same

  CLI::App app{"cpu_flash vs cpu_naive on the CPU device"};
  app.add_option("--n", shape.q_n, "sequence length (queries and keys)")->check(CLI::Range(1, 1 << 20));
  app.add_option("--d", shape.head_dim, "head_dim")->check(CLI::Range(1, 1024));
  app.add_option("--heads", shape.heads, "heads")->check(CLI::Range(1, 1024));
  app.add_option("--batch", shape.batch, "batch")->check(CLI::Range(1, 1024));
  app.add_flag("--causal", causal, "causal mask");
  app.add_option("--threads", threads, "OpenMP threads (default: OMP_NUM_THREADS or all cores)");
  app.add_option("--samples", opts.timing.min_samples, "minimum samples per kernel")->check(CLI::Range(1, 1000));
  CLI11_PARSE(app, argc, argv);
  shape.k_n = shape.q_n;
  opts.timing.max_samples = std::max(opts.timing.max_samples, opts.timing.min_samples);
  if (threads > 0) setenv("OMP_NUM_THREADS", std::to_string(threads).c_str(), 1);  // before OpenMP starts

  const auto device = make_cpu_device();
  const DeviceInfo& info = device->info();
  std::printf("CPU: %s, %s cores, OMP_NUM_THREADS=%s\n\n", info.facts.at("cpu_model").c_str(),
              info.facts.at("cores").c_str(), std::getenv("OMP_NUM_THREADS") ? std::getenv("OMP_NUM_THREADS") : "(all)");
  std::printf("| kernel | tier | causal | median ms | 95%% CI ms | samples | GFLOP/s | check rel_err |\n");
  std::printf("|---|---|---|---|---|---|---|---|\n");

  double median[2] = {0, 0};
  const char* names[2] = {"cpu_naive", "cpu_flash"};
  for (int i = 0; i < 2; ++i) {
    Cell cell;
    cell.kernel = names[i];
    cell.tier = {tier_name(shape), shape};
    cell.causal = causal;
    const CellResult r = measure_cell(*find_kernel(cell.kernel), *device, cell, opts);
    if (r.status != CellStatus::ok) {
      std::printf("| %s | %s | %s | %s: %s |\n", names[i], cell.tier.name.c_str(), causal ? "yes" : "no",
                  std::string(status_name(r.status)).c_str(), r.message.c_str());
      return 1;
    }
    const Timing& timing = *r.timing(TimingMode::cold);
    const SampleStats& t = timing.time_ms;
    median[i] = t.median;
    std::printf("| %s | %s | %s | %.1f | %.1f-%.1f | %d | %.2f | %.2e |\n", names[i], cell.tier.name.c_str(),
                causal ? "yes" : "no", t.median, t.ci_low, t.ci_high, t.samples, timing.tflops * 1e3,
                r.check.rel_err);
    std::fflush(stdout);
  }
  std::printf("\ncpu_flash is %.2fx faster than cpu_naive (ratio of medians)\n", median[0] / median[1]);
  return 0;
}
