#pragma once
// Cells and results for the store, JSON and report tests: built by hand so each test states
// exactly what it writes.
#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <unistd.h>

#include "attnsweep/engine/plan.h"
#include "attnsweep/engine/result.h"

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
  r.check.tolerance = 2e-3;
  r.check.naive_rel_err = 2.5e-4;
  r.check.rows_checked = 128;
  r.check.rechecked_after_timing = true;
  r.steady = SteadyRecord{};
  r.device = 0;
  r.wall_s = 1.75;
  r.wall_split = WallSplit{0.25, 0.5, 0.25, 0, 0.625};
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
