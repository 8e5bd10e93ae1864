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

// The statistics of an ok cell; a reader starts from "nothing known" (a summary, NaN everywhere).
SampleStats& stats(CellResult& r) {
  if (!r.time_ms) r.time_ms = SampleStats{0, kNaN, kNaN, kNaN, kNaN, kNaN, kNaN, kNaN, kNaN, kNaN};
  return *r.time_ms;
}
std::optional<double> stat(const CellResult& r, double SampleStats::*field) {
  if (r.status != CellStatus::ok || !r.time_ms) return std::nullopt;
  return known((*r.time_ms).*field);
}
std::optional<double> measured(const CellResult& r, double CellResult::*field) {
  if (r.status != CellStatus::ok) return std::nullopt;
  return known(r.*field);
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
  return {c, info, Kind::count, nullptr, nullptr,
          [](const CellResult& r) -> std::optional<double> { return static_cast<double>(r.cell.tier.shape.*Field); },
          [](CellResult& r, double v) { r.cell.tier.shape.*Field = at_least(v, 1, "must be positive"); },
          /*required=*/true};
}

template <double SampleStats::*Field>
constexpr Def stat_column(Column c, ColumnInfo info) {
  return {c, info, Kind::time, nullptr, nullptr, [](const CellResult& r) { return stat(r, Field); },
          [](CellResult& r, double v) { stats(r).*Field = time_value(v); }};
}

template <double CheckResult::*Field>
constexpr Def error_column(Column c, ColumnInfo info) {
  return {c, info, Kind::error, nullptr, nullptr, [](const CellResult& r) { return checked(r, Field); },
          [](CellResult& r, double v) { r.check.*Field = v; }};
}

template <std::int64_t CheckResult::*Field>
constexpr Def check_count_column(Column c, ColumnInfo info) {
  return {c, info, Kind::count, nullptr, nullptr, [](const CellResult& r) { return checked_count(r, Field); },
          [](CellResult& r, double v) { r.check.*Field = at_least(v, 0, "must not be negative"); }};
}

template <bool CheckResult::*Field>
constexpr Def check_flag_column(Column c, ColumnInfo info) {
  return {c, info, Kind::flag, nullptr, nullptr,
          [](const CellResult& r) -> std::optional<double> {
            if (!r.check.checked) return std::nullopt;
            return r.check.*Field ? 1.0 : 0.0;
          },
          [](CellResult& r, double v) { r.check.*Field = v != 0; }};
}

constexpr bool kNumeric = true, kMeasured = true;

// Every column, in declaration order.
constexpr Def kColumns[] = {
    {Column::kernel, {"Kernel", "Kernel name as used in specs"}, Kind::text,
     [](const CellResult& r) { return r.cell.kernel; },
     [](CellResult& r, std::string_view s) {
       if (s.empty()) fail("kernel name is empty");
       r.cell.kernel = std::string(s);
     }},
    {Column::tier, {"Tier", "Tier, named from its values: head_dim, heads, batch, sequence length"},
     Kind::text, [](const CellResult& r) { return r.cell.tier.name; }},
    shape_column<&TierShape::q_n>(Column::q_n, {"Q_N", "Query sequence length", kNumeric}),
    shape_column<&TierShape::k_n>(Column::k_n, {"K_N", "Key/value sequence length", kNumeric}),
    shape_column<&TierShape::head_dim>(Column::head_dim, {"head_dim", "Head dimension d", kNumeric}),
    shape_column<&TierShape::heads>(Column::heads, {"heads", "Number of heads H", kNumeric}),
    shape_column<&TierShape::batch>(Column::batch, {"batch", "Batch size B", kNumeric}),
    {Column::dtype, {"dtype", "Element type of Q, K, V and O"}, Kind::text,
     [](const CellResult& r) { return std::string(dtype_name(r.cell.dtype)); },
     [](CellResult& r, std::string_view s) {
       const std::optional<DType> t = parse_dtype(s);
       if (!t) fail("unknown dtype " + quoted(s) + " (known: fp32, fp16, bf16, tf32)");
       r.cell.dtype = *t;
     }},
    {Column::causal, {"causal", "causal (query i sees keys j <= i) or full"}, Kind::text,
     [](const CellResult& r) { return causal_label(r.cell.causal); },
     [](CellResult& r, std::string_view s) {
       if (s != "causal" && s != "full" && s != "true" && s != "false")
         fail(quoted(s) + " is neither causal nor full");
       r.cell.causal = s == "causal" || s == "true";
     }},
    {Column::status, {"status", "ok, or why the cell has no time (OOM, unsupported, wrong, error, crashed, "
                                          "timeout, skipped)"},
     Kind::text, [](const CellResult& r) { return status_label(r.status); },
     [](CellResult& r, std::string_view s) {
       std::string lower(s);
       for (char& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
       const std::optional<CellStatus> status = parse_status(lower);
       if (!status)
         fail("unknown status " + quoted(s) + " (known: ok, oom, unsupported, skipped, wrong, error, crashed, timeout)");
       r.status = *status;
     }},
    {Column::message, {"message", "Why a cell failed, or notes"}, Kind::text,
     [](const CellResult& r) { return r.message; },
     [](CellResult& r, std::string_view s) { r.message = std::string(s); }},

    {Column::samples, {"samples", "Timing samples taken", kNumeric, kMeasured}, Kind::count, nullptr,
     nullptr,
     [](const CellResult& r) -> std::optional<double> {
       if (r.status != CellStatus::ok || !r.time_ms || r.time_ms->samples <= 0) return std::nullopt;
       return r.time_ms->samples;
     },
     [](CellResult& r, double v) {
       stats(r).samples = static_cast<int>(std::min<std::int64_t>(at_least(v, 1, "must be positive"),
                                                                  std::numeric_limits<int>::max()));
     }},
    stat_column<&SampleStats::median>(Column::median_ms, {"median_ms", "Median of the timing samples, "
                                                          "milliseconds", kNumeric, kMeasured}),
    stat_column<&SampleStats::mean>(Column::mean_ms, {"avg_ms", "Mean of the timing samples, milliseconds (the seed's "
                                                      "avg_ms)", kNumeric, kMeasured}),
    stat_column<&SampleStats::std>(Column::std_ms, {"std_ms", "Standard deviation of the timing samples",
                                                    kNumeric, kMeasured}),
    stat_column<&SampleStats::min>(Column::min_ms, {"min_ms", "Fastest sample", kNumeric, kMeasured}),
    stat_column<&SampleStats::max>(Column::max_ms, {"max_ms", "Slowest sample", kNumeric, kMeasured}),
    stat_column<&SampleStats::p10>(Column::p10_ms, {"p10_ms", "10th percentile", kNumeric, kMeasured}),
    stat_column<&SampleStats::p90>(Column::p90_ms, {"p90_ms", "90th percentile", kNumeric, kMeasured}),
    stat_column<&SampleStats::ci_low>(Column::ci_low_ms, {"ci_low_ms", "Low end of the median's 95% "
                                                          "confidence interval", kNumeric, kMeasured}),
    stat_column<&SampleStats::ci_high>(Column::ci_high_ms, {"ci_high_ms", "High end of the median's 95% "
                                                            "confidence interval", kNumeric, kMeasured}),
    {Column::tflops, {"tflops", "TFLOP/s: 4·B·H·Q_N·K_N·d (halved for causal) / median", kNumeric, kMeasured},
     Kind::number, nullptr, nullptr, [](const CellResult& r) { return measured(r, &CellResult::tflops); },
     [](CellResult& r, double v) { r.tflops = not_negative(v); }},
    {Column::gbps, {"gbps", "GB/s: Q, K, V read once and O written once / median", kNumeric, kMeasured},
     Kind::number, nullptr, nullptr, [](const CellResult& r) { return measured(r, &CellResult::gbps); },
     [](CellResult& r, double v) { r.gbps = not_negative(v); }},

    {Column::checked, {"checked", "Whether the output was checked against the reference", kNumeric},
     Kind::flag, nullptr, nullptr,
     [](const CellResult& r) -> std::optional<double> { return r.check.checked ? 1.0 : 0.0; },
     [](CellResult& r, double v) { r.check.checked = v != 0; }},
    check_flag_column<&CheckResult::passed>(Column::check_passed, {"check_passed", "Whether the "
                                                                   "check passed", kNumeric}),
    error_column<&CheckResult::rel_err>(Column::rel_err, {"rel_err", "Relative error against the "
                                                          "higher-precision reference", kNumeric}),
    error_column<&CheckResult::max_abs_err>(Column::max_abs_err, {"max_abs_err", "Largest absolute "
                                                                  "error of an element", kNumeric}),
    error_column<&CheckResult::tolerance>(Column::tolerance, {"tolerance", "The bound rel_err was held "
                                                              "to", kNumeric}),
    error_column<&CheckResult::naive_rel_err>(Column::naive_rel_err, {"naive_rel_err", "Error of the "
                                                                      "naive computation in the kernel's precision",
                                                                      kNumeric}),
    check_count_column<&CheckResult::nonfinite>(Column::nonfinite, {"nonfinite", "NaN or Inf elements "
                                                                     "in the output", kNumeric}),
    check_count_column<&CheckResult::unwritten>(Column::unwritten, {"unwritten", "Output elements the "
                                                                     "kernel never wrote", kNumeric}),
    check_count_column<&CheckResult::rows_checked>(Column::rows_checked, {"rows_checked", "Output "
                                                                           "rows compared with the reference",
                                                                           kNumeric}),
    check_flag_column<&CheckResult::rechecked_after_timing>(Column::rechecked_after_timing,
                                                            {"rechecked_after_timing",
                                                             "Whether the output was checked again after timing",
                                                             kNumeric}),

    {Column::cache, {"cache", "cold: the last-level cache flushed before each sample; warm: not"},
     Kind::text, [](const CellResult& r) { return r.cache; },
     [](CellResult& r, std::string_view s) {
       if (!s.empty() && s != "cold" && s != "warm") fail("must be cold or warm (got " + quoted(s) + ")");
       r.cache = std::string(s);
     }},
    {Column::launches_per_sample, {"launches_per_sample", "Back-to-back launches timed as one "
                                                                                 "sample (times are per launch)",
                                   kNumeric},
     Kind::count, nullptr, nullptr,
     [](const CellResult& r) -> std::optional<double> { return r.launches_per_sample; },
     [](CellResult& r, double v) {
       r.launches_per_sample = static_cast<int>(std::min<std::int64_t>(at_least(v, 1, "must be positive"),
                                                                       std::numeric_limits<int>::max()));
     }},
    {Column::device, {"device", "Device ordinal", kNumeric}, Kind::count, nullptr, nullptr,
     [](const CellResult& r) -> std::optional<double> { return r.device; },
     [](CellResult& r, double v) {
       r.device = static_cast<int>(std::min<std::int64_t>(at_least(v, 0, "must not be negative"),
                                                          std::numeric_limits<int>::max()));
     }},
    {Column::bytes_estimate, {"bytes_estimate", "Device bytes the plan estimated", kNumeric},
     Kind::count, nullptr, nullptr,
     [](const CellResult& r) -> std::optional<double> {
       if (r.cell.bytes_estimate == 0) return std::nullopt;  // not estimated (imported)
       return static_cast<double>(r.cell.bytes_estimate);
     },
     [](CellResult& r, double v) {
       r.cell.bytes_estimate = static_cast<std::uint64_t>(at_least(v, 0, "must not be negative"));
     }},
    {Column::supported, {"supported", "false: the plan found the kernel cannot run the cell (the message "
                                                   "says why)", kNumeric},
     Kind::flag, nullptr, nullptr,
     [](const CellResult& r) -> std::optional<double> { return r.cell.supported ? 1.0 : 0.0; },
     [](CellResult& r, double v) { r.cell.supported = v != 0; }},
    {Column::wall_s, {"wall_s", "Wall time spent on the cell, checks included, seconds", kNumeric},
     Kind::number, nullptr, nullptr,
     [](const CellResult& r) -> std::optional<double> {
       if (!(r.wall_s > 0)) return std::nullopt;  // not measured (imported)
       return r.wall_s;
     },
     [](CellResult& r, double v) { r.wall_s = not_negative(v); }},
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
constexpr Column kTable[] = {Column::kernel,  Column::tier,    Column::dtype,  Column::causal,   Column::status,
                             Column::median_ms, Column::tflops, Column::mean_ms, Column::std_ms, Column::min_ms,
                             Column::p10_ms,  Column::p90_ms,  Column::gbps,   Column::rel_err,  Column::samples,
                             Column::q_n,     Column::k_n,     Column::head_dim, Column::heads,  Column::batch,
                             Column::message};

constexpr Column kReport[] = {Column::kernel,  Column::tier,    Column::q_n,       Column::k_n,    Column::head_dim,
                              Column::heads,   Column::batch,   Column::mean_ms,   Column::std_ms, Column::min_ms,
                              Column::dtype,   Column::causal,  Column::status,    Column::median_ms, Column::tflops,
                              Column::message};

// Other spellings a table may name a column by (older reports, people's own tables).
constexpr std::pair<std::string_view, Column> kAliases[] = {
    {"mean_ms", Column::mean_ms}, {"TFLOP/s", Column::tflops}, {"GB/s", Column::gbps}};

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
    for (std::size_t i = 0; i < s.size(); ++i)
      same = same && std::tolower(static_cast<unsigned char>(s[i])) == name[i];
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
    v = static_cast<double>(n);
  } else {
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(v))
      fail(quoted(text) + " is not a number");
  }
  d.set_number(r, v);
}

}  // namespace attnsweep
