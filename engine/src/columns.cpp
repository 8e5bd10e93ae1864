#include "attnsweep/engine/columns.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <limits>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "attnsweep/engine/format.h"

namespace attnsweep {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr std::int64_t kMaxExactCount = std::int64_t{1} << 53;  // the largest integer a double holds exactly

// How a column's value is written and read.
enum class Kind {
  text,    // as it is
  count,   // an integer
  flag,    // true / false
  time,    // milliseconds: 4 significant digits for people, never negative
  number,  // any other quantity (TFLOP/s, GB/s, seconds): 4 significant digits for people
  error,   // a relative or absolute error: 2 significant digits, scientific, for people
};

// One column: what it is, and how its value is got from and put into a cell. Text columns have
// `text` (and `set_text`); numeric ones `number` (nullopt where the cell has none) and `set_number`.
struct Def {
  Column column;
  ColumnInfo info;
  Kind kind;
  std::string (*text)(const CellResult&) = nullptr;
  void (*set_text)(CellResult&, std::string_view) = nullptr;
  std::optional<double> (*number)(const CellResult&) = nullptr;
  void (*set_number)(CellResult&, double) = nullptr;
  bool required = false;  // every row must give it (the tier's shape)
};

[[noreturn]] void fail(const std::string& rule) { throw std::runtime_error(rule); }

// 'text', as rules quote what they were given.
std::string quoted(std::string_view text) {
  std::string q(1, '\'');
  q.append(text).push_back('\'');
  return q;
}

// The shortest text that reads back to the same double, for programs and for error messages.
std::string exact(double v) { return nlohmann::json(v).dump(); }

std::optional<double> known(double v) { return std::isfinite(v) ? std::optional<double>(v) : std::nullopt; }

// The row's timing for a reader to fill: it starts as "nothing known" (a summary in an unstated
// mode, NaN everywhere) until the row's cells say more.
Timing& timing(CellResult& r) {
  if (r.timings.empty()) {
    Timing& t = r.timings.emplace_back();
    t.mode = TimingMode::unstated;
    t.time_ms = SampleStats{0, kNaN, kNaN, kNaN, kNaN, kNaN, kNaN, kNaN, kNaN, kNaN};
    t.tflops = t.gbps = kNaN;
  }
  return r.timings.front();
}
SampleStats& stats(CellResult& r) { return timing(r).time_ms; }
std::optional<double> stat(const CellResult& r, double SampleStats::*field) {
  const Timing* t = row_timing(r);
  return t ? known(t->time_ms.*field) : std::nullopt;
}
std::optional<double> measured(const CellResult& r, double Timing::*field) {
  const Timing* t = row_timing(r);
  return t ? known(t->*field) : std::nullopt;
}
// The row's timing where its mode is known: a source that does not say how it timed (the seed)
// does not say how it sampled either, so its launches, noise and slowed samples are unknown, not 0.
const Timing* sampled(const CellResult& r) {
  const Timing* t = row_timing(r);
  return t && t->mode != TimingMode::unstated ? t : nullptr;
}
std::optional<double> sampled_count(const CellResult& r, int Timing::*field) {
  const Timing* t = sampled(r);
  return t ? std::optional<double>(t->*field) : std::nullopt;
}

// The cell's clocks, when they were read.
const ClockSummary* clocks_read(const CellResult& r) { return r.clocks && r.clocks->read ? &*r.clocks : nullptr; }
ClockSummary& clocks(CellResult& r) {
  if (!r.clocks) r.clocks = ClockSummary{true};
  return *r.clocks;
}
// Space-separated names, as the flags columns hold them.
std::string joined_names(const std::vector<std::string>& names) {
  std::string s;
  for (const std::string& n : names) s += (s.empty() ? "" : " ") + n;
  return s;
}
std::vector<std::string> split_names(std::string_view s) {
  std::vector<std::string> names;
  while (!s.empty()) {
    const std::size_t space = s.find(' ');
    if (space != 0) names.emplace_back(s.substr(0, space));
    s.remove_prefix(space == std::string_view::npos ? s.size() : space + 1);
  }
  return names;
}
std::optional<double> split_part(const CellResult& r, double WallSplit::*field) {
  return r.wall_split ? std::optional<double>((*r.wall_split).*field) : std::nullopt;
}
WallSplit& split(CellResult& r) {
  if (!r.wall_split) r.wall_split = WallSplit{};
  return *r.wall_split;
}
std::optional<double> checked(const CellResult& r, double CheckResult::*field) {
  return r.check.checked ? known(r.check.*field) : std::nullopt;
}
std::optional<double> checked_count(const CellResult& r, std::int64_t CheckResult::*field) {
  return r.check.checked ? std::optional<double>(static_cast<double>(r.check.*field)) : std::nullopt;
}

std::int64_t at_least(double v, std::int64_t min, const char* rule) {
  if (v < static_cast<double>(min))
    fail(std::string(rule) + " (got " + std::to_string(static_cast<long long>(v)) + ")");
  return static_cast<std::int64_t>(v);
}
// A count held in an int: at least min, clamped to what an int holds.
int int_at_least(double v, std::int64_t min, const char* rule) {
  return static_cast<int>(std::min<std::int64_t>(at_least(v, min, rule), std::numeric_limits<int>::max()));
}
double time_value(double v) {
  if (v < 0) fail("a time cannot be negative (got " + exact(v) + ")");
  return v;
}
double not_negative(double v) {
  if (v < 0) fail("must not be negative (got " + exact(v) + ")");
  return v;
}

// The shape of a tier: positive integers.
template <std::int64_t TierShape::*Field>
constexpr Def shape_column(Column c, ColumnInfo info) {
  return {c,
          info,
          Kind::count,
          nullptr,
          nullptr,
          [](const CellResult& r) -> std::optional<double> { return static_cast<double>(r.cell.tier.shape.*Field); },
          [](CellResult& r, double v) { r.cell.tier.shape.*Field = at_least(v, 1, "must be positive"); },
          /*required=*/true};
}

template <double SampleStats::*Field>
constexpr Def stat_column(Column c, ColumnInfo info) {
  return {c,
          info,
          Kind::time,
          nullptr,
          nullptr,
          [](const CellResult& r) { return stat(r, Field); },
          [](CellResult& r, double v) { stats(r).*Field = time_value(v); }};
}

template <double WallSplit::*Field>
constexpr Def split_column(Column c, ColumnInfo info) {
  return {c,
          info,
          Kind::number,
          nullptr,
          nullptr,
          [](const CellResult& r) { return split_part(r, Field); },
          [](CellResult& r, double v) { split(r).*Field = not_negative(v); }};
}

template <unsigned ClockSummary::*Field>
constexpr Def clock_mhz_column(Column c, ColumnInfo info) {
  return {c,
          info,
          Kind::count,
          nullptr,
          nullptr,
          [](const CellResult& r) -> std::optional<double> {
            const ClockSummary* s = clocks_read(r);
            return s ? std::optional<double>(s->*Field) : std::nullopt;
          },
          [](CellResult& r, double v) {
            clocks(r).*Field = static_cast<unsigned>(
                std::min<std::int64_t>(at_least(v, 0, "must not be negative"), std::numeric_limits<unsigned>::max()));
          }};
}

template <std::optional<double> ClockSummary::*Field>
constexpr Def clock_peak_column(Column c, ColumnInfo info) {
  return {c,
          info,
          Kind::number,
          nullptr,
          nullptr,
          [](const CellResult& r) -> std::optional<double> {
            const ClockSummary* s = clocks_read(r);
            return s ? s->*Field : std::nullopt;
          },
          [](CellResult& r, double v) { clocks(r).*Field = v; }};
}

template <double CheckResult::*Field>
constexpr Def error_column(Column c, ColumnInfo info) {
  return {c,
          info,
          Kind::error,
          nullptr,
          nullptr,
          [](const CellResult& r) { return checked(r, Field); },
          [](CellResult& r, double v) { r.check.*Field = v; }};
}

template <std::int64_t CheckResult::*Field>
constexpr Def check_count_column(Column c, ColumnInfo info) {
  return {c,
          info,
          Kind::count,
          nullptr,
          nullptr,
          [](const CellResult& r) { return checked_count(r, Field); },
          [](CellResult& r, double v) { r.check.*Field = at_least(v, 0, "must not be negative"); }};
}

template <bool CheckResult::*Field>
constexpr Def check_flag_column(Column c, ColumnInfo info) {
  return {c,
          info,
          Kind::flag,
          nullptr,
          nullptr,
          [](const CellResult& r) -> std::optional<double> {
            if (!r.check.checked) return std::nullopt;
            return r.check.*Field ? 1.0 : 0.0;
          },
          [](CellResult& r, double v) { r.check.*Field = v != 0; }};
}

constexpr bool kNumeric = true, kMeasured = true;

// Every column, in declaration order.
constexpr Def kColumns[] = {
    {Column::kernel,
     {"Kernel", "Kernel name as used in specs"},
     Kind::text,
     [](const CellResult& r) { return r.cell.kernel; },
     [](CellResult& r, std::string_view s) {
       if (s.empty()) fail("kernel name is empty");
       r.cell.kernel = std::string(s);
     }},
    {Column::tier,
     {"Tier", "Tier, named from its values: head_dim, heads, batch, sequence length"},
     Kind::text,
     [](const CellResult& r) { return r.cell.tier.name; }},
    shape_column<&TierShape::q_n>(Column::q_n, {"Q_N", "Query sequence length", kNumeric}),
    shape_column<&TierShape::k_n>(Column::k_n, {"K_N", "Key/value sequence length", kNumeric}),
    shape_column<&TierShape::head_dim>(Column::head_dim, {"head_dim", "Head dimension d", kNumeric}),
    shape_column<&TierShape::heads>(Column::heads, {"heads", "Number of heads H", kNumeric}),
    shape_column<&TierShape::batch>(Column::batch, {"batch", "Batch size B", kNumeric}),
    {Column::dtype,
     {"dtype", "Element type of Q, K, V and O"},
     Kind::text,
     [](const CellResult& r) { return std::string(dtype_name(r.cell.dtype)); },
     [](CellResult& r, std::string_view s) {
       const std::optional<DType> t = parse_dtype(s);
       if (!t) fail("unknown dtype " + quoted(s) + " (known: fp32, fp16, bf16, tf32)");
       r.cell.dtype = *t;
     }},
    {Column::causal,
     {"causal", "causal (query i sees keys j <= i) or full"},
     Kind::text,
     [](const CellResult& r) { return causal_label(r.cell.causal); },
     [](CellResult& r, std::string_view s) {
       if (s != "causal" && s != "full" && s != "true" && s != "false") fail(quoted(s) + " is neither causal nor full");
       r.cell.causal = s == "causal" || s == "true";
     }},
    {Column::status,
     {"status",
      "ok, or why the cell has no time (OOM, unsupported, wrong, error, crashed, "
      "timeout, skipped)"},
     Kind::text,
     [](const CellResult& r) { return status_label(r.status); },
     [](CellResult& r, std::string_view s) {
       std::string lower(s);
       for (char& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
       const std::optional<CellStatus> status = parse_status(lower);
       if (!status)
         fail("unknown status " + quoted(s) +
              " (known: ok, oom, unsupported, skipped, wrong, error, crashed, timeout)");
       r.status = *status;
     }},
    {Column::message,
     {"message", "Why a cell failed, or notes"},
     Kind::text,
     [](const CellResult& r) { return r.message; },
     [](CellResult& r, std::string_view s) { r.message = std::string(s); }},

    {Column::mode,
     {"mode",
      "How the row's times were taken: cold (one launch per sample after a cache "
      "flush), batch (back-to-back warm launches) or unstated (imported)"},
     Kind::text,
     [](const CellResult& r) {
       const Timing* t = row_timing(r);
       return t ? std::string(timing_mode_name(t->mode)) : std::string();
     },
     [](CellResult& r, std::string_view s) {
       if (s.empty()) return;
       const std::optional<TimingMode> m = parse_timing_mode(s);
       if (!m) fail("must be cold, batch or unstated (got " + quoted(s) + ")");
       timing(r).mode = *m;
     }},
    {Column::samples,
     {"samples", "Timing samples taken", kNumeric, kMeasured},
     Kind::count,
     nullptr,
     nullptr,
     [](const CellResult& r) -> std::optional<double> {
       const Timing* t = row_timing(r);
       if (!t || t->time_ms.samples <= 0) return std::nullopt;
       return t->time_ms.samples;
     },
     [](CellResult& r, double v) { stats(r).samples = int_at_least(v, 1, "must be positive"); }},
    stat_column<&SampleStats::median>(Column::median_ms, {"median_ms",
                                                          "Median of the timing samples, "
                                                          "milliseconds",
                                                          kNumeric, kMeasured}),
    stat_column<&SampleStats::mean>(Column::mean_ms, {"avg_ms",
                                                      "Mean of the timing samples, milliseconds (the seed's "
                                                      "avg_ms)",
                                                      kNumeric, kMeasured}),
    stat_column<&SampleStats::std>(Column::std_ms,
                                   {"std_ms", "Standard deviation of the timing samples", kNumeric, kMeasured}),
    stat_column<&SampleStats::min>(Column::min_ms, {"min_ms", "Fastest sample", kNumeric, kMeasured}),
    stat_column<&SampleStats::max>(Column::max_ms, {"max_ms", "Slowest sample", kNumeric, kMeasured}),
    stat_column<&SampleStats::p10>(Column::p10_ms, {"p10_ms", "10th percentile", kNumeric, kMeasured}),
    stat_column<&SampleStats::p90>(Column::p90_ms, {"p90_ms", "90th percentile", kNumeric, kMeasured}),
    stat_column<&SampleStats::ci_low>(Column::ci_low_ms, {"ci_low_ms",
                                                          "Low end of the median's 95% "
                                                          "confidence interval",
                                                          kNumeric, kMeasured}),
    stat_column<&SampleStats::ci_high>(Column::ci_high_ms, {"ci_high_ms",
                                                            "High end of the median's 95% "
                                                            "confidence interval",
                                                            kNumeric, kMeasured}),
    {Column::tflops,
     {"tflops", "TFLOP/s: 4·B·H·Q_N·K_N·d (halved for causal) / median", kNumeric, kMeasured},
     Kind::number,
     nullptr,
     nullptr,
     [](const CellResult& r) { return measured(r, &Timing::tflops); },
     [](CellResult& r, double v) { timing(r).tflops = not_negative(v); }},
    {Column::gbps,
     {"gbps", "GB/s: Q, K, V read once and O written once / median", kNumeric, kMeasured},
     Kind::number,
     nullptr,
     nullptr,
     [](const CellResult& r) { return measured(r, &Timing::gbps); },
     [](CellResult& r, double v) { timing(r).gbps = not_negative(v); }},
    {Column::pct_of_peak,
     {"pct_of_peak",
      "TFLOP/s as a share of the device's dense peak for the dtype "
      "(datasheet, else computed from the device)",
      kNumeric, kMeasured},
     Kind::number,
     nullptr,
     nullptr,
     [](const CellResult& r) { return measured(r, &Timing::pct_of_peak); },
     [](CellResult& r, double v) { timing(r).pct_of_peak = not_negative(v); }},
    {Column::launches_per_sample,
     {"launches_per_sample",
      "Back-to-back launches timed as one "
      "sample (1 in cold mode; times are "
      "per launch)",
      kNumeric, kMeasured},
     Kind::count,
     nullptr,
     nullptr,
     [](const CellResult& r) { return sampled_count(r, &Timing::launches_per_sample); },
     [](CellResult& r, double v) { timing(r).launches_per_sample = int_at_least(v, 1, "must be positive"); }},
    {Column::noisy,
     {"noisy", "The median's 95% interval stayed wider than the spec's target_rel_ci", kNumeric, kMeasured},
     Kind::flag,
     nullptr,
     nullptr,
     [](const CellResult& r) -> std::optional<double> {
       const Timing* t = sampled(r);
       if (!t) return std::nullopt;
       return t->noisy ? 1.0 : 0.0;
     },
     [](CellResult& r, double v) { timing(r).noisy = v != 0; }},
    {Column::flagged_samples,
     {"flagged_samples",
      "Samples taken while the card was slowed down (a "
      "throttle reason, or under 75% of its highest SM clock)",
      kNumeric, kMeasured},
     Kind::count,
     nullptr,
     nullptr,
     [](const CellResult& r) { return sampled_count(r, &Timing::flagged_samples); },
     [](CellResult& r, double v) { timing(r).flagged_samples = int_at_least(v, 0, "must not be negative"); }},
    {Column::flags,
     {"flags",
      "Why samples were slowed: sw_power_cap, hw_slowdown, sw_thermal_slowdown, "
      "hw_thermal_slowdown, hw_power_brake, low_clock"},
     Kind::text,
     [](const CellResult& r) {
       const Timing* t = row_timing(r);
       return t ? joined_names(t->flags) : std::string();
     },
     [](CellResult& r, std::string_view s) {
       if (!s.empty()) timing(r).flags = split_names(s);
     }},

    {Column::checked,
     {"checked", "Whether the output was checked against the reference", kNumeric},
     Kind::flag,
     nullptr,
     nullptr,
     [](const CellResult& r) -> std::optional<double> { return r.check.checked ? 1.0 : 0.0; },
     [](CellResult& r, double v) { r.check.checked = v != 0; }},
    check_flag_column<&CheckResult::passed>(Column::check_passed, {"check_passed",
                                                                   "Whether the "
                                                                   "check passed",
                                                                   kNumeric}),
    error_column<&CheckResult::rel_err>(Column::rel_err, {"rel_err",
                                                          "Relative error against the "
                                                          "higher-precision reference",
                                                          kNumeric}),
    error_column<&CheckResult::max_abs_err>(Column::max_abs_err, {"max_abs_err",
                                                                  "Largest absolute "
                                                                  "error of an element: what passes or fails",
                                                                  kNumeric}),
    error_column<&CheckResult::tolerance>(Column::tolerance, {"tolerance",
                                                              "The bound max_abs_err was "
                                                              "held to: 2 x naive_max_abs_err + the dtype's floor",
                                                              kNumeric}),
    error_column<&CheckResult::naive_rel_err>(Column::naive_rel_err, {"naive_rel_err",
                                                                      "Relative "
                                                                      "error of the naive computation in the kernel's "
                                                                      "precision",
                                                                      kNumeric}),
    error_column<&CheckResult::naive_max_abs_err>(Column::naive_max_abs_err,
                                                  {"naive_max_abs_err",
                                                   "Largest absolute error "
                                                   "of the naive computation in the kernel's precision",
                                                   kNumeric}),
    check_count_column<&CheckResult::nonfinite>(Column::nonfinite, {"nonfinite",
                                                                    "NaN or Inf elements "
                                                                    "in the output",
                                                                    kNumeric}),
    check_count_column<&CheckResult::unwritten>(Column::unwritten, {"unwritten",
                                                                    "Output elements the "
                                                                    "kernel never wrote",
                                                                    kNumeric}),
    check_count_column<&CheckResult::rows_checked>(Column::rows_checked, {"rows_checked",
                                                                          "Output "
                                                                          "rows compared with the reference",
                                                                          kNumeric}),
    {Column::slices_checked,
     {"slices_checked", "(batch, head) slices the checked rows came from", kNumeric},
     Kind::count,
     nullptr,
     nullptr,
     [](const CellResult& r) -> std::optional<double> {
       if (!r.check.checked || r.check.slices_checked <= 0) return std::nullopt;  // not recorded (older checks)
       return static_cast<double>(r.check.slices_checked);
     },
     [](CellResult& r, double v) { r.check.slices_checked = at_least(v, 1, "must be positive"); }},
    check_flag_column<&CheckResult::inputs_changed>(Column::inputs_changed, {"inputs_changed",
                                                                             "Whether K or V changed: the kernel "
                                                                             "wrote into its inputs",
                                                                             kNumeric}),
    check_flag_column<&CheckResult::rechecked_after_timing>(
        Column::rechecked_after_timing,
        {"rechecked_after_timing", "Whether the output was checked again after timing", kNumeric}),

    {Column::steady,
     {"steady",
      "burst: sampled straight after warm-up; sustained: after the card was "
      "kept busy until power and clock settled"},
     Kind::text,
     [](const CellResult& r) { return r.steady ? std::string(steady_state_name(r.steady->state)) : ""; },
     [](CellResult& r, std::string_view s) {
       if (s.empty()) return;
       const std::optional<SteadyState> state = parse_steady_state(s);
       if (!state) fail("must be burst or sustained (got " + quoted(s) + ")");
       r.steady = SteadyRecord{*state};
     }},
    {Column::settled,
     {"settled", "Sustained: whether power and clock settled before sustain_s ran out", kNumeric},
     Kind::flag,
     nullptr,
     nullptr,
     [](const CellResult& r) -> std::optional<double> {
       if (!r.steady || r.steady->state != SteadyState::sustained) return std::nullopt;
       return r.steady->settled ? 1.0 : 0.0;
     },
     [](CellResult& r, double v) {
       if (!r.steady) fail("a settled flag without a steady state");
       r.steady->settled = v != 0;
     }},
    {Column::clocks_not_read,
     {"clocks_not_read", "Why the clocks were not read while sampling"},
     Kind::text,
     [](const CellResult& r) { return r.clocks && !r.clocks->read ? r.clocks->why_not : std::string(); },
     [](CellResult& r, std::string_view s) {
       if (!s.empty()) r.clocks = ClockSummary{false, std::string(s)};
     }},
    {Column::clock_readings,
     {"clock_readings", "NVML readings taken while sampling", kNumeric},
     Kind::count,
     nullptr,
     nullptr,
     [](const CellResult& r) -> std::optional<double> {
       const ClockSummary* s = clocks_read(r);
       return s ? std::optional<double>(s->readings) : std::nullopt;
     },
     [](CellResult& r, double v) { clocks(r).readings = int_at_least(v, 0, "must not be negative"); }},
    clock_mhz_column<&ClockSummary::sm_mhz_min>(Column::sm_mhz_min, {"sm_mhz_min",
                                                                     "Lowest SM clock "
                                                                     "read while sampling, MHz",
                                                                     kNumeric}),
    clock_mhz_column<&ClockSummary::sm_mhz_max>(Column::sm_mhz_max, {"sm_mhz_max",
                                                                     "Highest SM clock "
                                                                     "read while sampling, MHz",
                                                                     kNumeric}),
    clock_mhz_column<&ClockSummary::sm_max_mhz>(Column::sm_max_mhz, {"sm_max_mhz",
                                                                     "The card's highest "
                                                                     "SM clock, MHz",
                                                                     kNumeric}),
    clock_peak_column<&ClockSummary::power_w_max>(Column::power_w_max, {"power_w_max",
                                                                        "Highest power "
                                                                        "read while sampling, W",
                                                                        kNumeric}),
    clock_peak_column<&ClockSummary::temperature_c_max>(Column::temperature_c_max,
                                                        {"temperature_c_max",
                                                         "Highest "
                                                         "temperature read while sampling, C",
                                                         kNumeric}),
    {Column::clock_reasons,
     {"clock_reasons", "Every slowdown reason NVML named while sampling"},
     Kind::text,
     [](const CellResult& r) {
       const ClockSummary* s = clocks_read(r);
       return s ? joined_names(s->reasons) : std::string();
     },
     [](CellResult& r, std::string_view s) {
       if (!s.empty()) clocks(r).reasons = split_names(s);
     }},
    {Column::device,
     {"device", "Device ordinal", kNumeric},
     Kind::count,
     nullptr,
     nullptr,
     [](const CellResult& r) -> std::optional<double> { return r.device; },
     [](CellResult& r, double v) { r.device = int_at_least(v, 0, "must not be negative"); }},
    {Column::bytes_estimate,
     {"bytes_estimate", "Device bytes the plan estimated", kNumeric},
     Kind::count,
     nullptr,
     nullptr,
     [](const CellResult& r) -> std::optional<double> {
       if (r.cell.bytes_estimate == 0) return std::nullopt;  // not estimated (imported)
       return static_cast<double>(r.cell.bytes_estimate);
     },
     [](CellResult& r, double v) {
       r.cell.bytes_estimate = static_cast<std::uint64_t>(at_least(v, 0, "must not be negative"));
     }},
    {Column::supported,
     {"supported",
      "false: the plan found the kernel cannot run the cell (the message "
      "says why)",
      kNumeric},
     Kind::flag,
     nullptr,
     nullptr,
     [](const CellResult& r) -> std::optional<double> { return r.cell.supported ? 1.0 : 0.0; },
     [](CellResult& r, double v) { r.cell.supported = v != 0; }},
    {Column::wall_s,
     {"wall_s", "Wall time spent on the cell, checks included, seconds", kNumeric},
     Kind::number,
     nullptr,
     nullptr,
     [](const CellResult& r) -> std::optional<double> {
       if (!(r.wall_s > 0)) return std::nullopt;  // not measured (imported)
       return r.wall_s;
     },
     [](CellResult& r, double v) { r.wall_s = not_negative(v); }},
    split_column<&WallSplit::inputs>(Column::inputs_s, {"inputs_s",
                                                        "Seconds on allocation and seeded "
                                                        "inputs",
                                                        kNumeric}),
    split_column<&WallSplit::check>(Column::check_s, {"check_s",
                                                      "Seconds on the runs into poisoned "
                                                      "outputs and their checks, reference included",
                                                      kNumeric}),
    split_column<&WallSplit::warmup>(Column::warmup_s, {"warmup_s", "Seconds of warm-up", kNumeric}),
    split_column<&WallSplit::settle>(Column::settle_s, {"settle_s",
                                                        "Seconds keeping the card busy "
                                                        "before sampling (sustained)",
                                                        kNumeric}),
    split_column<&WallSplit::timing>(Column::timing_s, {"timing_s", "Seconds of sampling, every mode", kNumeric}),
};

constexpr bool lists_every_column_in_order() {
  if (std::size(kColumns) != static_cast<std::size_t>(Column::count_)) return false;
  for (std::size_t i = 0; i < std::size(kColumns); ++i)
    if (kColumns[i].column != static_cast<Column>(i)) return false;
  return true;
}
static_assert(lists_every_column_in_order(), "kColumns lists every column once, in declaration order");

const Def& def(Column c) { return kColumns[static_cast<std::size_t>(c)]; }

constexpr auto kAll = [] {
  std::array<Column, std::size(kColumns)> all{};
  for (std::size_t i = 0; i < all.size(); ++i) all[i] = kColumns[i].column;
  return all;
}();

// The seed's columns, in its order: every table form starts with them.
constexpr Column kSeed[] = {Column::kernel, Column::tier,  Column::q_n,     Column::k_n,    Column::head_dim,
                            Column::heads,  Column::batch, Column::mean_ms, Column::std_ms, Column::min_ms};

constexpr auto kExport = [] {
  std::array<Column, std::size(kColumns)> out{};
  std::size_t n = 0;
  for (Column c : kSeed) out[n++] = c;
  for (const Def& d : kColumns)
    if (std::find(std::begin(kSeed), std::end(kSeed), d.column) == std::end(kSeed)) out[n++] = d.column;
  return out;
}();

// What a person browses: what and how it ended first, then the numbers, the TFLOP/s on screen.
constexpr Column kTable[] = {
    Column::kernel,    Column::tier,   Column::dtype,    Column::causal,  Column::status, Column::mode,
    Column::median_ms, Column::tflops, Column::mean_ms,  Column::std_ms,  Column::min_ms, Column::p10_ms,
    Column::p90_ms,    Column::gbps,   Column::rel_err,  Column::samples, Column::noisy,  Column::flagged_samples,
    Column::q_n,       Column::k_n,    Column::head_dim, Column::heads,   Column::batch,  Column::message};

constexpr Column kReport[] = {
    Column::kernel, Column::tier,    Column::q_n,       Column::k_n,    Column::head_dim, Column::heads,
    Column::batch,  Column::mean_ms, Column::std_ms,    Column::min_ms, Column::dtype,    Column::causal,
    Column::status, Column::mode,    Column::median_ms, Column::tflops, Column::noisy,    Column::flagged_samples,
    Column::message};

// Other spellings a table may name a column by (older reports, people's own tables).
constexpr std::pair<std::string_view, Column> kAliases[] = {
    {"mean_ms", Column::mean_ms},       {"TFLOP/s", Column::tflops},         {"GB/s", Column::gbps},
    {"% of peak", Column::pct_of_peak}, {"slowed", Column::flagged_samples}, {"slowed_by", Column::flags}};

bool same_name(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

bool is_status_label(std::string_view s) {
  for (CellStatus st : {CellStatus::ok, CellStatus::oom, CellStatus::unsupported, CellStatus::skipped,
                        CellStatus::wrong, CellStatus::error, CellStatus::crashed, CellStatus::timeout}) {
    const std::string name(status_name(st));
    if (s.size() != name.size()) continue;
    bool same = true;
    for (std::size_t i = 0; i < s.size(); ++i) same = same && std::tolower(static_cast<unsigned char>(s[i])) == name[i];
    if (same) return true;
  }
  return false;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

}  // namespace

bool holds_no_number(std::string_view text) {
  text = trim(text);
  return text.empty() || text == "n/a" || is_status_label(text);
}

const ColumnInfo& column_info(Column c) { return def(c).info; }

const Timing* row_timing(const CellResult& r) {
  return r.status == CellStatus::ok && !r.timings.empty() ? &r.timings.front() : nullptr;
}

std::vector<CellResult> with_mode_first(std::vector<CellResult> results, TimingMode mode) {
  for (CellResult& r : results)
    std::stable_partition(r.timings.begin(), r.timings.end(), [mode](const Timing& t) { return t.mode == mode; });
  return results;
}

std::span<const Column> all_columns() { return kAll; }
std::span<const Column> export_columns() { return kExport; }
std::span<const Column> table_columns() { return kTable; }
std::span<const Column> report_columns() { return kReport; }

std::optional<Column> column_named(std::string_view name) {
  for (const Def& d : kColumns)
    if (same_name(d.info.name, name)) return d.column;
  for (const auto& [alias, c] : kAliases)
    if (same_name(alias, name)) return c;
  return std::nullopt;
}

std::optional<double> cell_number(const CellResult& r, Column c) {
  const Def& d = def(c);
  return d.number ? d.number(r) : std::nullopt;
}

std::string cell_text(const CellResult& r, Column c) {
  const Def& d = def(c);
  if (d.text) return d.text(r);
  if (d.info.measured && r.status != CellStatus::ok) return status_label(r.status);
  const std::optional<double> v = d.number(r);
  if (!v) return d.info.measured ? "n/a" : "";
  switch (d.kind) {
    case Kind::count: return std::to_string(static_cast<long long>(*v));
    case Kind::flag: return *v != 0 ? "true" : "false";
    case Kind::error: return format_sci(*v);
    default: return format_number(*v);
  }
}

std::string cell_field(const CellResult& r, Column c) {
  const Def& d = def(c);
  if (c == Column::status) return std::string(status_name(r.status));  // "oom", as the result file says
  if (d.text) return d.text(r);
  const std::optional<double> v = d.number(r);
  if (!v) return "";
  switch (d.kind) {
    case Kind::count: return std::to_string(static_cast<long long>(*v));
    case Kind::flag: return *v != 0 ? "true" : "false";
    default: return exact(*v);
  }
}

void read_column(CellResult& r, Column c, std::string_view text) {
  const Def& d = def(c);
  text = trim(text);
  if (d.text) {
    if (d.set_text) d.set_text(r, text);
    return;
  }
  if (holds_no_number(text)) {
    if (d.required) fail(quoted(text) + " is not an integer");
    return;
  }
  double v = 0;
  if (d.kind == Kind::flag) {
    if (text != "true" && text != "false") fail(quoted(text) + " is neither true nor false");
    v = text == "true" ? 1 : 0;
  } else if (d.kind == Kind::count) {
    std::int64_t n = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (ec != std::errc() || end != text.data() + text.size()) fail(quoted(text) + " is not an integer");
    // Counts travel as doubles: past 2^53 they would round (and 2^63 - 1 would overflow coming back).
    if (n > kMaxExactCount || n < -kMaxExactCount)
      fail(quoted(text) + " is too large (at most " + std::to_string(kMaxExactCount) + ")");
    v = static_cast<double>(n);
  } else {
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(v))
      fail(quoted(text) + " is not a number");
  }
  d.set_number(r, v);
}

}  // namespace attnsweep
