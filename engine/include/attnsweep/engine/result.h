#pragma once
// What one measured cell produced. Every cell has a status; a time exists only for `ok`.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "attnsweep/engine/plan.h"

namespace attnsweep {

enum class CellStatus { ok, oom, unsupported, skipped, wrong, error, crashed, timeout };
std::string_view status_name(CellStatus s);
std::optional<CellStatus> parse_status(std::string_view s);

struct SampleStats {
  int samples = 0;
  double median = 0, mean = 0, std = 0, min = 0, max = 0, p10 = 0, p90 = 0;
  double ci_low = 0, ci_high = 0;  // 95% confidence interval of the median
  double rel_ci() const { return median > 0 ? (ci_high - ci_low) / 2 / median : 0; }
};

// The time a cell is ranked, compared and coloured by: the median; or, for a summary imported
// from a table that gave no median (the seed's avg/std/min; unknown fields NaN), the mean.
double representative_ms(const SampleStats& t);

struct CheckResult {
  bool checked = false;
  double rel_err = 0;        // ||out - ref|| / ||ref|| over the checked rows
  double max_abs_err = 0;
  double tolerance = 0;      // the bound rel_err was held to
  double naive_rel_err = 0;  // same computation done naively in the kernel's precision (FA rule)
  std::int64_t nonfinite = 0;  // NaN/Inf in the checked output
  std::int64_t unwritten = 0;  // elements still holding the poison pattern
  std::int64_t rows_checked = 0;
  bool passed = false;
  bool rechecked_after_timing = false;
};

struct CellResult {
  Cell cell;
  CellStatus status = CellStatus::error;
  std::string message;                // why, for every status but ok
  std::optional<SampleStats> time_ms;  // only for ok
  double tflops = 0;                   // from the median; meaningful only for ok
  double gbps = 0;                     // min_bytes / median
  CheckResult check;
  std::string cache;                   // "cold" or "warm"
  int launches_per_sample = 1;         // >1 when tiny cells were timed in batches
  int device = 0;
  std::string device_name;             // the model that measured it (GPU or CPU); empty when unknown
  double wall_s = 0;                   // wall time spent on the cell, checks included
};

}  // namespace attnsweep
