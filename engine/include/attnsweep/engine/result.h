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
  double wall_s = 0;                   // wall time spent on the cell, checks included
};

// Bounds on what a measurement can be (docs/result-format.md).
inline constexpr double kMinTimeMs = 1e-6;        // one nanosecond: no launch is shorter
inline constexpr double kMaxTimeMs = 86'400'000;  // one day
inline constexpr std::size_t kMaxKernelNameBytes = 200;

// Why a kernel name cannot name cells, or "": it must be 1 to 200 bytes without control
// characters or '|' (the separator of cell ids, where a '|' would let two cells collide).
std::string kernel_name_problem(std::string_view name);

// The first rule a cell breaks ("tier.name: 'x' does not match its sizes (hd64-h12-b1-n512)"), or
// "": a kernel name as kernel_name_problem wants it, a shape within the spec's limits
// (tier_shape_problems), and the tier's name that plan.h gives its sizes.
std::string cell_problem(const Cell& c);

// The first rule `r` breaks, naming its field as result files do ("time_ms.min: 0.9 is above
// the median 0.7"), or "" for a result that could have been measured. Every result that enters
// (a file, a report, a worker or provider) is held to these rules, so no impossible time is
// stored, reported or ranked.
std::string result_problem(const CellResult& r);

// `r` itself when result_problem finds nothing; otherwise the same cell without a time: `wrong`
// for an ok cell whose own check failed, `error` for the rest, with the broken rule (and `source`,
// who sent it) in its message.
CellResult admit_result(CellResult r, std::string_view source);

}  // namespace attnsweep
