#include "attnsweep/engine/result.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <tuple>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "attnsweep/engine/format.h"

namespace attnsweep {

namespace {

constexpr std::array<std::pair<CellStatus, std::string_view>, 8> kStatusNames{{
    {CellStatus::ok, "ok"},
    {CellStatus::oom, "oom"},
    {CellStatus::unsupported, "unsupported"},
    {CellStatus::skipped, "skipped"},
    {CellStatus::wrong, "wrong"},
    {CellStatus::error, "error"},
    {CellStatus::crashed, "crashed"},
    {CellStatus::timeout, "timeout"},
}};

}  // namespace

std::string_view status_name(CellStatus s) {
  for (const auto& [status, name] : kStatusNames)
    if (status == s) return name;
  return "?";
}

std::optional<CellStatus> parse_status(std::string_view s) {
  for (const auto& [status, name] : kStatusNames)
    if (name == s) return status;
  return std::nullopt;
}

double representative_ms(const SampleStats& t) { return std::isfinite(t.median) ? t.median : t.mean; }

std::string WallSplit::describe(double wall_s) const {
  const auto s = [](double v) { return format_fixed(v, 1) + " s"; };
  return s(wall_s) + " in cells: inputs " + s(inputs) + ", checks (reference included) " + s(check) + ", warm-up " +
         s(warmup) + ", settling " + s(settle) + ", timing " + s(timing) + ", the rest " + s(wall_s - total());
}

const Timing* CellResult::timing(TimingMode mode) const {
  for (const Timing& t : timings)
    if (t.mode == mode) return &t;
  return nullptr;
}

bool CellResult::noisy() const {
  return std::any_of(timings.begin(), timings.end(), [](const Timing& t) { return t.noisy; });
}

TimingMode default_view_mode(const std::vector<CellResult>& results) {
  for (TimingMode mode : {TimingMode::cold, TimingMode::batch, TimingMode::unstated})
    for (const CellResult& r : results)
      if (r.timing(mode)) return mode;
  return TimingMode::cold;  // no times at all: what a sweep shows first
}

namespace {

// A number as a result file holds it (shortest exact form; "null" for NaN).
std::string exact(double v) { return nlohmann::json(v).dump(); }

// a <= b, allowing for the rounding of a mean or an interpolated quantile.
bool at_most(double a, double b) { return a <= b + std::abs(b) * 1e-9; }

// The statistics of an ok cell. A statistic may be unknown (NaN: a table that does not give it),
// except the one the cell is ranked by: the median of a measured cell (samples > 0), the median
// or the mean of a summary (samples == 0).
std::string stats_problem(const SampleStats& t, const std::string& field) {
  if (t.samples < 0 || t.samples > kMaxSamples)
    return field + ".samples: must be from 0 to " + std::to_string(kMaxSamples) + " (got " + std::to_string(t.samples) + ")";
  const std::pair<const char*, double> times[] = {{"median", t.median}, {"mean", t.mean},     {"min", t.min},
                                                  {"max", t.max},       {"p10", t.p10},       {"p90", t.p90},
                                                  {"ci_low", t.ci_low}, {"ci_high", t.ci_high}};
  for (const auto& [name, v] : times) {
    const bool required = t.samples > 0 && std::string_view(name) == "median";
    if (std::isnan(v) && !required) continue;  // not given by the source
    if (!std::isfinite(v)) return field + "." + name + ": must be a number (got " + exact(v) + ")";
    if (!(v >= kMinTimeMs))
      return field + "." + name + ": " + exact(v) + " ms is less than a nanosecond (at least " +
             exact(kMinTimeMs) + ")";
    if (v > kMaxTimeMs)
      return field + "." + name + ": " + exact(v) + " ms is more than a day (at most " + exact(kMaxTimeMs) + ")";
  }
  if (!std::isnan(t.std) && !(std::isfinite(t.std) && t.std >= 0))
    return field + ".std: must be a non-negative number (got " + exact(t.std) + ")";
  if (!(representative_ms(t) > 0)) return field + ": an ok cell needs its median or its mean";

  // Each chain is in ascending order; unknown statistics (NaN) are left out of it.
  using Named = std::pair<const char*, double>;
  const std::vector<std::vector<Named>> chains = {
      {{"min", t.min}, {"p10", t.p10}, {"median", t.median}, {"p90", t.p90}, {"max", t.max}},
      {{"min", t.min}, {"ci_low", t.ci_low}, {"median", t.median}, {"ci_high", t.ci_high}, {"max", t.max}},
      {{"min", t.min}, {"mean", t.mean}, {"max", t.max}},
  };
  for (const std::vector<Named>& chain : chains)
    for (std::size_t i = 0; i < chain.size(); ++i)
      for (std::size_t j = i + 1; j < chain.size(); ++j) {
        const auto& [low_name, low] = chain[i];
        const auto& [high_name, high] = chain[j];
        if (std::isnan(low) || std::isnan(high) || at_most(low, high)) continue;
        return field + "." + low_name + ": " + exact(low) + " is above " + high_name + " " + exact(high);
      }
  return "";
}

std::string check_problem(const CheckResult& c) {
  if (!c.checked) return "";
  const std::pair<const char*, double> errors[] = {{"rel_err", c.rel_err},
                                                   {"max_abs_err", c.max_abs_err},
                                                   {"naive_max_abs_err", c.naive_max_abs_err},
                                                   {"tolerance", c.tolerance},
                                                   {"naive_rel_err", c.naive_rel_err}};
  for (const auto& [name, v] : errors)
    if (!std::isnan(v) && !(std::isfinite(v) && v >= 0))
      return std::string("check.") + name + ": must be a non-negative number (got " + exact(v) + ")";
  const std::pair<const char*, std::int64_t> counts[] = {{"nonfinite", c.nonfinite},
                                                         {"unwritten", c.unwritten},
                                                         {"rows_checked", c.rows_checked},
                                                         {"slices_checked", c.slices_checked}};
  for (const auto& [name, v] : counts)
    if (v < 0) return std::string("check.") + name + ": must not be negative (got " + std::to_string(v) + ")";
  if (c.slices_checked > c.rows_checked)
    return "check.slices_checked: " + std::to_string(c.slices_checked) + " slices from " +
           std::to_string(c.rows_checked) + " rows; every slice checked gives at least one row";
  if (!c.passed) return "";
  if (c.nonfinite > 0 || c.unwritten > 0)
    return "check.passed: true with " + std::to_string(c.nonfinite) + " NaN/Inf and " + std::to_string(c.unwritten) +
           " unwritten elements";
  if (c.inputs_changed) return "check.passed: true with inputs_changed: the kernel wrote into K or V";
  // The check holds max_abs_err to its tolerance; records without naive_max_abs_err come from the
  // check that held rel_err to it.
  if (std::isnan(c.naive_max_abs_err)) {
    if (c.rel_err > c.tolerance)
      return "check.passed: true with rel_err " + exact(c.rel_err) + " above its tolerance " + exact(c.tolerance);
  } else if (c.max_abs_err > c.tolerance) {
    return "check.passed: true with max_abs_err " + exact(c.max_abs_err) + " above its tolerance " + exact(c.tolerance);
  }
  return "";
}

// One timing of an ok cell, its fields named as a result file names them ("timings.cold.tflops").
std::string timing_problem(const Timing& t, const AttentionProblem& p) {
  const std::string field = "timings." + std::string(timing_mode_name(t.mode));
  if (const std::string problem = stats_problem(t.time_ms, field + ".time_ms"); !problem.empty()) return problem;
  // Rates follow from the time (1% allowed for the rounding of a table).
  const double seconds = representative_ms(t.time_ms) * 1e-3;
  const std::tuple<const char*, double, double> rates[] = {{"tflops", t.tflops, p.flops() / seconds / 1e12},
                                                           {"gbps", t.gbps, p.min_bytes() / seconds / 1e9}};
  for (const auto& [name, rate, expected] : rates) {
    if (!std::isfinite(rate) || !(rate > 0))
      return field + "." + name + ": must be a positive number (got " + exact(rate) + ")";
    if (std::abs(rate / expected - 1) > 0.01)
      return field + "." + name + ": " + exact(rate) + " does not follow from the time (" + format_number(expected) +
             " at " + format_number(seconds * 1e3) + " ms)";
  }
  if (!std::isnan(t.pct_of_peak) && !(std::isfinite(t.pct_of_peak) && t.pct_of_peak >= 0))
    return field + ".pct_of_peak: must be a non-negative number (got " + exact(t.pct_of_peak) + ")";
  if (t.launches_per_sample < 1) return field + ".launches_per_sample: must be at least 1";
  if (t.mode == TimingMode::cold && t.launches_per_sample != 1)
    return field + ".launches_per_sample: must be 1 in a cold timing (got " + std::to_string(t.launches_per_sample) + ")";
  if (t.flagged_samples < 0 || (t.time_ms.samples > 0 && t.flagged_samples > t.time_ms.samples))
    return field + ".flagged_samples: must be from 0 to its " + std::to_string(t.time_ms.samples) + " samples (got " +
           std::to_string(t.flagged_samples) + ")";
  return "";
}

std::string clocks_problem(const ClockSummary& c) {
  if (!c.read) return "";
  if (c.readings < 0) return "clocks.readings: must not be negative (got " + std::to_string(c.readings) + ")";
  if (c.sm_mhz_min > c.sm_mhz_max)
    return "clocks.sm_mhz_min: " + std::to_string(c.sm_mhz_min) + " is above sm_mhz_max " + std::to_string(c.sm_mhz_max);
  const std::pair<const char*, std::optional<double>> readings[] = {{"power_w_max", c.power_w_max},
                                                                    {"temperature_c_max", c.temperature_c_max}};
  for (const auto& [name, v] : readings)
    if (v && !std::isfinite(*v)) return std::string("clocks.") + name + ": must be a number (got " + exact(*v) + ")";
  if (c.power_w_max && *c.power_w_max < 0)
    return "clocks.power_w_max: must not be negative (got " + exact(*c.power_w_max) + ")";
  return "";
}

std::string wall_split_problem(const WallSplit& w) {
  const std::pair<const char*, double> parts[] = {
      {"inputs", w.inputs}, {"check", w.check}, {"warmup", w.warmup}, {"settle", w.settle}, {"timing", w.timing}};
  for (const auto& [name, v] : parts)
    if (!(std::isfinite(v) && v >= 0))
      return std::string("wall_split_s.") + name + ": must be a non-negative number (got " + exact(v) + ")";
  return "";
}

}  // namespace

std::string kernel_name_problem(std::string_view name) {
  if (name.empty()) return "must not be empty";
  if (name.size() > kMaxKernelNameBytes)
    return "is " + std::to_string(name.size()) + " bytes; at most " + std::to_string(kMaxKernelNameBytes);
  for (const char c : name) {
    const auto b = static_cast<unsigned char>(c);
    if (b < 0x20 || b == 0x7f) return "'" + printable_text(name, 60) + "' holds a control character";
    if (c == '|') return "'" + printable_text(name, 60) + "' holds '|', which separates the parts of a cell's id";
  }
  return "";
}

std::string cell_problem(const Cell& c) {
  if (const std::string p = kernel_name_problem(c.kernel); !p.empty()) return "kernel: " + p;
  if (const auto p = tier_shape_problems(c.tier.shape, static_cast<std::int64_t>(dtype_bytes(c.dtype))); !p.empty())
    return "tier: " + p.front();
  if (c.tier.name != tier_name(c.tier.shape))
    return "tier.name: '" + printable_text(c.tier.name, 60) + "' does not match its sizes (" + tier_name(c.tier.shape) +
           ")";
  return "";
}

std::string result_problem(const CellResult& r) {
  const Cell& c = r.cell;
  if (const std::string p = cell_problem(c); !p.empty()) return p;
  const std::string status(status_name(r.status));
  if (!c.supported && r.status != CellStatus::unsupported && r.status != CellStatus::skipped)
    return "supported: false on a '" + status + "' cell; a cell that cannot run is unsupported or skipped";

  if (r.status != CellStatus::ok) {
    if (!r.timings.empty()) return "timings: present on a '" + status + "' cell; only ok cells carry times";
  } else {
    if (r.timings.empty()) return "timings: missing; an ok cell has a time";
    const AttentionProblem p = c.problem();
    for (std::size_t i = 0; i < r.timings.size(); ++i) {
      for (std::size_t j = 0; j < i; ++j)
        if (r.timings[j].mode == r.timings[i].mode)
          return "timings." + std::string(timing_mode_name(r.timings[i].mode)) + ": the mode is timed twice";
      if (const std::string problem = timing_problem(r.timings[i], p); !problem.empty()) return problem;
    }
    if (r.check.checked && !r.check.passed)
      return "check.passed: false on an ok cell; a cell that fails its check is wrong";
  }
  if (const std::string p = check_problem(r.check); !p.empty()) return p;
  if (r.clocks)
    if (const std::string p = clocks_problem(*r.clocks); !p.empty()) return p;
  if (r.wall_split)
    if (const std::string p = wall_split_problem(*r.wall_split); !p.empty()) return p;
  if (r.device < 0) return "device: must not be negative";
  if (!std::isfinite(r.wall_s) || r.wall_s < 0) return "wall_s: must be a non-negative number (got " + exact(r.wall_s) + ")";
  return "";
}

CellResult admit_result(CellResult r, std::string_view source) {
  const std::string problem = result_problem(r);
  if (problem.empty()) return r;
  CellResult kept;
  kept.cell = r.cell;
  kept.device = r.device;
  kept.device_name = r.device_name;
  kept.wall_s = std::isfinite(r.wall_s) && r.wall_s >= 0 ? r.wall_s : 0;
  if (r.status == CellStatus::ok && r.check.checked && !r.check.passed && check_problem(r.check).empty()) {
    kept.status = CellStatus::wrong;  // its own check says so
    kept.check = r.check;
    kept.message = std::string(source) + " reported ok with a failed correctness check: " + problem;
  } else {
    kept.status = CellStatus::error;
    kept.message = std::string(source) + " sent an impossible result: " + problem;
  }
  return kept;
}

}  // namespace attnsweep
