#include "attnsweep/engine/result.h"

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

namespace {

// A number as a result file holds it (shortest exact form; "null" for NaN).
std::string exact(double v) { return nlohmann::json(v).dump(); }

// a <= b, allowing for the rounding of a mean or an interpolated quantile.
bool at_most(double a, double b) { return a <= b + std::abs(b) * 1e-9; }

// The statistics of an ok cell. A statistic may be unknown (NaN: a table that does not give it),
// except the one the cell is ranked by: the median of a measured cell (samples > 0), the median
// or the mean of a summary (samples == 0).
std::string stats_problem(const SampleStats& t) {
  if (t.samples < 0 || t.samples > kMaxSamples)
    return "time_ms.samples: must be from 0 to " + std::to_string(kMaxSamples) + " (got " + std::to_string(t.samples) + ")";
  const std::pair<const char*, double> times[] = {{"median", t.median}, {"mean", t.mean},     {"min", t.min},
                                                  {"max", t.max},       {"p10", t.p10},       {"p90", t.p90},
                                                  {"ci_low", t.ci_low}, {"ci_high", t.ci_high}};
  for (const auto& [name, v] : times) {
    const bool required = t.samples > 0 && std::string_view(name) == "median";
    if (std::isnan(v) && !required) continue;  // not given by the source
    if (!std::isfinite(v)) return std::string("time_ms.") + name + ": must be a number (got " + exact(v) + ")";
    if (!(v >= kMinTimeMs))
      return std::string("time_ms.") + name + ": " + exact(v) + " ms is less than a nanosecond (at least " +
             exact(kMinTimeMs) + ")";
    if (v > kMaxTimeMs)
      return std::string("time_ms.") + name + ": " + exact(v) + " ms is more than a day (at most " + exact(kMaxTimeMs) + ")";
  }
  if (!std::isnan(t.std) && !(std::isfinite(t.std) && t.std >= 0))
    return "time_ms.std: must be a non-negative number (got " + exact(t.std) + ")";
  if (!(representative_ms(t) > 0)) return "time_ms: an ok cell needs its median or its mean";

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
        return std::string("time_ms.") + low_name + ": " + exact(low) + " is above " + high_name + " " + exact(high);
      }
  return "";
}

std::string check_problem(const CheckResult& c) {
  if (!c.checked) return "";
  const std::pair<const char*, double> errors[] = {{"rel_err", c.rel_err},
                                                   {"max_abs_err", c.max_abs_err},
                                                   {"tolerance", c.tolerance},
                                                   {"naive_rel_err", c.naive_rel_err}};
  for (const auto& [name, v] : errors)
    if (!std::isnan(v) && !(std::isfinite(v) && v >= 0))
      return std::string("check.") + name + ": must be a non-negative number (got " + exact(v) + ")";
  const std::pair<const char*, std::int64_t> counts[] = {
      {"nonfinite", c.nonfinite}, {"unwritten", c.unwritten}, {"rows_checked", c.rows_checked}};
  for (const auto& [name, v] : counts)
    if (v < 0) return std::string("check.") + name + ": must not be negative (got " + std::to_string(v) + ")";
  if (c.passed && (c.nonfinite > 0 || c.unwritten > 0))
    return "check.passed: true with " + std::to_string(c.nonfinite) + " NaN/Inf and " + std::to_string(c.unwritten) +
           " unwritten elements";
  if (c.passed && c.rel_err > c.tolerance)
    return "check.passed: true with rel_err " + exact(c.rel_err) + " above its tolerance " + exact(c.tolerance);
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
    if (r.time_ms) return "time_ms: present on a '" + status + "' cell; only ok cells carry times";
  } else {
    if (!r.time_ms) return "time_ms: missing; an ok cell has a time";
    if (const std::string p = stats_problem(*r.time_ms); !p.empty()) return p;
    // Rates follow from the time (1% allowed for the rounding of a table).
    const AttentionProblem p = c.problem();
    const double seconds = representative_ms(*r.time_ms) * 1e-3;
    const std::tuple<const char*, double, double> rates[] = {{"tflops", r.tflops, p.flops() / seconds / 1e12},
                                                             {"gbps", r.gbps, p.min_bytes() / seconds / 1e9}};
    for (const auto& [name, rate, expected] : rates) {
      if (!std::isfinite(rate) || !(rate > 0))
        return std::string(name) + ": must be a positive number (got " + exact(rate) + ")";
      if (std::abs(rate / expected - 1) > 0.01)
        return std::string(name) + ": " + exact(rate) + " does not follow from the time (" + format_number(expected) +
               " at " + format_number(seconds * 1e3) + " ms)";
    }
    if (r.check.checked && !r.check.passed)
      return "check.passed: false on an ok cell; a cell that fails its check is wrong";
  }
  if (const std::string p = check_problem(r.check); !p.empty()) return p;
  if (!r.cache.empty() && r.cache != "cold" && r.cache != "warm") return "cache: must be \"cold\" or \"warm\"";
  if (r.launches_per_sample < 1) return "launches_per_sample: must be at least 1";
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
  kept.cache = r.cache == "cold" || r.cache == "warm" ? r.cache : "";
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
