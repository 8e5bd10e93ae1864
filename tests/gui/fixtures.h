#pragma once
// Results made by hand for the GUI tests: every field a view reads, nothing measured.
#include <QTemporaryDir>
#include <string>
#include <vector>

#include "attnsweep/engine/plan.h"
#include "attnsweep/engine/result.h"
#include "attnsweep/engine/store.h"

namespace attnsweep::gui::testing {

inline CellResult make_result(const std::string& kernel, std::int64_t n, std::int64_t d, double median_ms,
                              CellStatus status = CellStatus::ok, DType dtype = DType::fp16, bool causal = false,
                              std::int64_t heads = 12, std::int64_t batch = 1) {
  CellResult r;
  r.cell.kernel = kernel;
  r.cell.tier.shape = TierShape{n, n, d, heads, batch};
  r.cell.tier.name = tier_name(r.cell.tier.shape);
  r.cell.dtype = dtype;
  r.cell.causal = causal;
  r.status = status;
  if (status == CellStatus::ok) {
    Timing& t = r.timings.emplace_back();
    t.mode = TimingMode::cold;
    SampleStats& s = t.time_ms;
    s.samples = 20;
    s.median = median_ms;
    s.mean = median_ms * 1.01;
    s.std = median_ms * 0.02;
    s.min = median_ms * 0.97;
    s.max = median_ms * 1.08;
    s.p10 = median_ms * 0.98;
    s.p90 = median_ms * 1.04;
    s.ci_low = median_ms * 0.99;
    s.ci_high = median_ms * 1.01;
    t.tflops = r.cell.problem().flops() / (median_ms * 1e-3) / 1e12;
    t.gbps = r.cell.problem().min_bytes() / (median_ms * 1e-3) / 1e9;
    r.check.checked = true;
    r.check.passed = true;
    r.check.rel_err = 3e-4;
    r.check.tolerance = 2e-3;
    r.check.rows_checked = 64;
  } else {
    r.message = status == CellStatus::oom ? "needs 40 GiB, 8 GiB free" : "by test";
  }
  return r;
}

// The seed's shape of sweep: 3 kernels x 2 groups x 4 lengths, the largest ones out of memory.
inline std::vector<CellResult> seed_like_results() {
  std::vector<CellResult> out;
  const char* kernels[] = {"naive", "cublas", "flash_mma"};
  for (std::int64_t d : {64, 128})
    for (std::int64_t n : {512, 1024, 2048, 4096})
      for (int k = 0; k < 3; ++k) {
        const double ms = 0.05 * (k == 2 ? 1 : 3 - k) * (n / 512.0) * (n / 512.0) * (d / 64.0);
        const bool oom = k == 0 && n == 4096;
        out.push_back(make_result(kernels[k], n, d, ms, oom ? CellStatus::oom : CellStatus::ok));
      }
  return out;
}

inline std::string write_result_file(const QTemporaryDir& dir, const std::string& name, const std::vector<CellResult>& results) {
  const std::string path = dir.filePath(QString::fromStdString(name)).toStdString();
  nlohmann::json header = {{"type", "header"}, {"schema", kResultSchema}, {"tool", "attnsweep"},
                           {"spec", nlohmann::json::object()},
                           {"environment", {{"device", {{"name", "NVIDIA H100 80GB HBM3"}, {"backend", "cuda"}}}}},
                           {"started", "2026-11-25T12:00:00Z"}};
  ResultWriter w = ResultWriter::create(path, header);
  for (const CellResult& r : results) w.append(r);
  return path;
}

}  // namespace attnsweep::gui::testing
