#pragma once
// Cells and results for the store, JSON and report tests: built by hand so each test states
// exactly what it writes.
#include <cstdlib>
#include <cmath>
#include <filesystem>
#include <random>
#include <stdexcept>
#include <string>
#include <unistd.h>

#include "attnsweep/engine/plan.h"
#include "attnsweep/engine/result.h"
#include "attnsweep/engine/stats.h"
#include "attnsweep/engine/store.h"

namespace attnsweep::testing {

inline Cell sample_cell(const std::string& kernel, std::int64_t n = 512, std::int64_t d = 64, DType dtype = DType::fp16,
                        bool causal = false) {
  Cell c;
  c.kernel = kernel;
  c.tier.shape = TierShape{n, n, d, 12, 1};
  c.tier.name = tier_name(c.tier.shape);
  c.dtype = dtype;
  c.causal = causal;
  c.bytes_estimate = 4 * static_cast<std::uint64_t>(n * d * 12) * dtype_bytes(dtype);
  return c;
}

inline CellResult ok_result(const Cell& c, double median_ms) {
  CellResult r;
  r.cell = c;
  r.status = CellStatus::ok;
  Timing& timing = r.timings.emplace_back();
  timing.mode = TimingMode::cold;
  SampleStats& t = timing.time_ms;
  t.samples = 37;
  t.median = median_ms;
  t.mean = median_ms * 1.01;
  t.std = median_ms * 0.02;
  t.min = median_ms * 0.97;
  t.max = median_ms * 1.2;
  t.p10 = median_ms * 0.98;
  t.p90 = median_ms * 1.05;
  t.ci_low = median_ms * 0.995;
  t.ci_high = median_ms * 1.006;
  const AttentionProblem p = c.problem();
  timing.tflops = p.flops() / (median_ms * 1e-3) / 1e12;
  timing.gbps = p.min_bytes() / (median_ms * 1e-3) / 1e9;
  r.check.checked = true;
  r.check.passed = true;
  r.check.rel_err = 3.25e-4;
  r.check.max_abs_err = 1.5e-3;
  r.check.naive_max_abs_err = 1.25e-3;
  r.check.tolerance = 2e-3;
  r.check.naive_rel_err = 2.5e-4;
  r.check.rows_checked = 128;
  r.check.slices_checked = 12;
  r.check.rechecked_after_timing = true;
  r.steady = SteadyRecord{};
  r.device = 0;
  r.wall_s = 1.75;
  r.wall_split = WallSplit{0.25, 0.5, 0.25, 0, 0.625};
  return r;
}

// Kernel-like times: log-normal around `median` with a 2% spread, and a long right tail (one
// sample in 20 lands up to 30% slow, as a preempted launch does).
inline std::vector<double> kernel_times(std::mt19937_64& rng, int n, double median) {
  std::normal_distribution<double> spread(0, 0.02);
  std::uniform_real_distribution<double> unit(0, 1);
  std::vector<double> out;
  for (int i = 0; i < n; ++i) {
    double t = median * std::exp(spread(rng));
    if (unit(rng) < 0.05) t *= 1 + 0.3 * unit(rng);
    out.push_back(kept_sample(t));
  }
  return out;
}

// `r` with these samples in its first timing, its statistics (and throughput) computed from them.
inline CellResult with_samples(CellResult r, std::vector<double> samples_ms) {
  Timing& t = r.timings.front();
  t.time_ms = compute_stats(samples_ms);
  t.samples_ms = std::move(samples_ms);
  const AttentionProblem p = r.cell.problem();
  t.tflops = p.flops() / (t.time_ms.median * 1e-3) / 1e12;
  t.gbps = p.min_bytes() / (t.time_ms.median * 1e-3) / 1e9;
  return r;
}

// `r` timed in batch mode too: 8 launches per sample, median 0.5 ms, noisy, 2 samples under the power cap.
inline CellResult with_batch_timing(CellResult r) {
  Timing batch = ok_result(r.cell, 0.5).timings.front();
  batch.mode = TimingMode::batch;
  batch.launches_per_sample = 8;
  batch.noisy = true;
  batch.flagged_samples = 2;
  batch.flags = {"sw_power_cap"};
  r.timings.push_back(batch);
  return r;
}

inline CellResult failed_result(const Cell& c, CellStatus status, const std::string& message) {
  CellResult r;
  r.cell = c;
  r.status = status;
  r.message = message;
  r.wall_s = 0.25;
  return r;
}

// The message of the std::runtime_error `f` throws, or "" if it throws none.
template <typename F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

// A small sweep as the reports see it: a header with an environment, two ok cells and two
// failed ones (one message with a comma, one with a pipe).
inline ResultFile sample_result_file() {
  ResultFile f;
  f.header = nlohmann::json::parse(R"J({"type":"header","schema":1,"tool":"attnsweep","spec":{"name":"snap"},
    "environment":{"host":"gpu-box","os":"Linux 6.1 x86_64","cpu_model":"Xeon 8480","cpu_cores":16,
      "build_id":"0.1.0+abc","compiler":"gcc 12.2","build_type":"optimized",
      "device":{"backend":"cuda","ordinal":0,"name":"NVIDIA H100 80GB HBM3","driver":"580.95","runtime":"13.0"}},
    "started":"2026-11-25T17:00:00Z","executor":"cuda:0 (worker)"})J");
  f.results.push_back(ok_result(sample_cell("flash_mma", 512), 0.72934));
  f.results.push_back(ok_result(sample_cell("naive", 512), 116.6522));
  f.results.push_back(failed_result(sample_cell("naive", 16384), CellStatus::oom, "needs 80 GiB, 2 GiB free"));
  f.results.push_back(failed_result(sample_cell("cublas", 16384), CellStatus::wrong, "rel_err 0.5 > tol | 2e-3"));
  return f;
}

// A fresh directory under the system temp dir, removed with its contents at scope exit.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "attnsweep-test-XXXXXX").string();
    if (!::mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

}  // namespace attnsweep::testing
