#pragma once
// What one measured cell produced. Every cell has a status; a time exists only for `ok`.
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

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
  double max_abs_err = 0;        // max |out - ref| over the checked rows: what passes or fails
  double naive_max_abs_err = 0;  // the same for the computation done naively in the kernel's precision
  double tolerance = 0;          // the bound max_abs_err was held to
  double rel_err = 0;            // ||out - ref|| / ||ref|| over the checked rows (reported beside it)
  double naive_rel_err = 0;
  std::int64_t nonfinite = 0;  // NaN/Inf in the checked output
  std::int64_t unwritten = 0;  // elements still holding the poison pattern
  std::int64_t rows_checked = 0;
  std::int64_t slices_checked = 0;  // (batch, head) slices those rows came from
  bool inputs_changed = false;      // K or V no longer held what was written: the kernel wrote into them
  bool passed = false;
  bool rechecked_after_timing = false;
};

// One timing mode's measurement of an ok cell.
struct Timing {
  TimingMode mode = TimingMode::cold;
  SampleStats time_ms;                // per launch
  double tflops = 0;                   // from the median (the mean for an imported summary)
  double gbps = 0;                     // min_bytes / median
  // 100 x tflops / the dense peak of the device (peaks.h). Not part of the result record: the
  // reports derive it from the header's device, and a report read back carries it here. NaN: not known.
  double pct_of_peak = std::numeric_limits<double>::quiet_NaN();
  int launches_per_sample = 1;         // always 1 in cold mode
  bool noisy = false;                  // the median's 95% CI ended wider than target_rel_ci
  int flagged_samples = 0;             // samples the clock watch flagged (clock_watch.h)
  std::vector<std::string> flags;      // why they were flagged: throttle reasons, "low_clock"
  // Every sample, per launch, in the order taken (time_ms.samples of them), so two runs can be
  // compared as distributions. Empty in records that predate them and in imported summaries.
  std::vector<double> samples_ms;
};

// What the SM clock, power and temperature did while a cell was sampled (NVML), or why they
// were not read.
struct ClockSummary {
  bool read = false;
  std::string why_not;                 // when not read ("NVML (libnvidia-ml.so.1) not found")
  int readings = 0;
  unsigned sm_mhz_min = 0, sm_mhz_max = 0;
  unsigned sm_max_mhz = 0;             // the card's highest SM clock, for the low-clock rule
  std::optional<double> power_w_max, temperature_c_max;
  std::vector<std::string> reasons;    // every slowdown reason seen while sampling
};

// How the card was brought to the state it was sampled in (docs/spec.md, timing.steady); the time
// it took is the wall split's `settle`.
struct SteadyRecord {
  SteadyState state = SteadyState::burst;
  bool settled = false;  // sustained: clocks and power settled before sustain_s ran out
};

// Where a measured cell's wall time went, in seconds.
struct WallSplit {
  double inputs = 0;   // allocation and seeded random inputs
  double check = 0;    // the runs into poisoned outputs and their checks (reference included), before and after timing
  double warmup = 0;
  double settle = 0;   // sustained only
  double timing = 0;   // sampling, every mode
  void add(const WallSplit& o) {
    inputs += o.inputs, check += o.check, warmup += o.warmup, settle += o.settle, timing += o.timing;
  }
  double total() const { return inputs + check + warmup + settle + timing; }
  // "12.0 s in cells: inputs 0.5 s, checks (reference included) 2.1 s, ..., the rest 0.1 s"
  std::string describe(double wall_s) const;
};

struct CellResult {
  Cell cell;
  CellStatus status = CellStatus::error;
  std::string message;                 // why, for every status but ok
  std::vector<Timing> timings;         // ok cells only, and every ok cell has one: one per mode, cold first
  CheckResult check;
  std::optional<SteadyRecord> steady;  // absent in records that predate it and in imported ones
  std::optional<ClockSummary> clocks;  // likewise
  std::optional<WallSplit> wall_split; // likewise, and for cells that never reached the device
  int device = 0;
  std::string device_name;             // the model that measured it (GPU or CPU); empty when unknown
  double wall_s = 0;                   // wall time spent on the cell, checks included

  const Timing* timing(TimingMode mode) const;  // null when the cell has no timing in that mode
  bool noisy() const;                           // any of its timings is noisy
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

// The mode views and reports show unless told otherwise: cold where any cell was timed cold,
// else batch, else unstated (an imported table); cold when no cell has a time.
TimingMode default_view_mode(const std::vector<CellResult>& results);

}  // namespace attnsweep
