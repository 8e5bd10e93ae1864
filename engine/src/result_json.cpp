#include "attnsweep/engine/result_json.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <vector>

namespace attnsweep {

using nlohmann::json;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Reads the fields of one JSON object; every error names the record and the field.
class Fields {
 public:
  Fields(const json& j, std::string record, std::string prefix = "")
      : j_(j), record_(std::move(record)), prefix_(std::move(prefix)) {
    if (!j_.is_object()) {
      if (prefix_.empty()) throw std::runtime_error(record_ + ": must be a JSON object");
      throw std::runtime_error(record_ + ": field '" + prefix_.substr(0, prefix_.size() - 1) + "': must be an object");
    }
  }

  [[noreturn]] void fail(std::string_view field, const std::string& rule) const {
    throw std::runtime_error(record_ + ": field '" + prefix_ + std::string(field) + "': " + rule);
  }

  const json* find(std::string_view field) const {
    const auto it = j_.find(field);
    return it == j_.end() ? nullptr : &*it;
  }
  bool has(std::string_view field) const { return find(field) != nullptr; }

  const json& need(std::string_view field) const {
    const json* v = find(field);
    if (!v) fail(field, "missing");
    return *v;
  }

  Fields object(std::string_view field) const { return Fields(need(field), record_, prefix_ + std::string(field) + "."); }

  std::string string(std::string_view field) const {
    const json& v = need(field);
    if (!v.is_string()) fail(field, "must be a string");
    return v.get<std::string>();
  }
  std::string string_or(std::string_view field, std::string fallback) const {
    return has(field) ? string(field) : std::move(fallback);
  }

  bool boolean(std::string_view field) const {
    const json& v = need(field);
    if (!v.is_boolean()) fail(field, "must be true or false");
    return v.get<bool>();
  }
  bool boolean_or(std::string_view field, bool fallback) const { return has(field) ? boolean(field) : fallback; }

  std::int64_t integer(std::string_view field, std::int64_t min) const {
    const json& v = need(field);
    if (!v.is_number_integer()) fail(field, "must be an integer");
    if (v.is_number_unsigned() && v.get<std::uint64_t>() > std::uint64_t(std::numeric_limits<std::int64_t>::max()))
      fail(field, "too large");
    const std::int64_t n = v.get<std::int64_t>();
    if (n < min) fail(field, "must be at least " + std::to_string(min));
    return n;
  }
  std::int64_t integer_or(std::string_view field, std::int64_t min, std::int64_t fallback) const {
    return has(field) ? integer(field, min) : fallback;
  }
  std::uint64_t unsigned_integer(std::string_view field) const {
    const json& v = need(field);
    if (!v.is_number_unsigned()) fail(field, "must be a non-negative integer");
    return v.get<std::uint64_t>();
  }

  std::vector<std::string> strings_or_empty(std::string_view field) const {
    if (!has(field)) return {};
    const json& v = need(field);
    if (!v.is_array()) fail(field, "must be a list of strings");
    std::vector<std::string> out;
    for (const json& item : v) {
      if (!item.is_string()) fail(field, "must be a list of strings");
      out.push_back(item.get<std::string>());
    }
    return out;
  }

  // A list of measured times: finite and not negative.
  std::vector<double> times_or_empty(std::string_view field) const {
    if (!has(field)) return {};
    const json& v = need(field);
    if (!v.is_array()) fail(field, "must be a list of numbers");
    std::vector<double> out;
    out.reserve(v.size());
    for (const json& item : v) {
      if (!item.is_number()) fail(field, "must be a list of numbers");
      const double x = item.get<double>();
      if (!(x >= 0)) fail(field, "must hold no negative time");
      out.push_back(x);
    }
    return out;
  }

  // JSON has no NaN or infinity: writers store those as null, read back as NaN.
  double number(std::string_view field) const {
    const json& v = need(field);
    if (v.is_null()) return kNaN;
    if (!v.is_number()) fail(field, "must be a number (or null for a value that was not finite)");
    return v.get<double>();
  }
  double number_or(std::string_view field, double fallback) const { return has(field) ? number(field) : fallback; }

 private:
  const json& j_;
  std::string record_;
  std::string prefix_;
};

Cell read_cell(const Fields& f) {
  Cell c;
  c.kernel = f.string("kernel");
  if (c.kernel.empty()) f.fail("kernel", "must not be empty");

  const Fields tier = f.object("tier");
  c.tier.name = tier.string("name");
  if (c.tier.name.empty()) tier.fail("name", "must not be empty");
  c.tier.shape.q_n = tier.integer("q_n", 1);
  c.tier.shape.k_n = tier.integer("k_n", 1);
  c.tier.shape.head_dim = tier.integer("head_dim", 1);
  c.tier.shape.heads = tier.integer("heads", 1);
  c.tier.shape.batch = tier.integer("batch", 1);
  // Written only for the shapes beyond multi-head attention with a top-left mask.
  c.tier.shape.kv_heads = tier.integer_or("kv_heads", 1, 0);
  if (c.tier.shape.kv_heads > c.tier.shape.heads || c.tier.shape.heads % std::max<std::int64_t>(c.tier.shape.kv_heads, 1) != 0)
    tier.fail("kv_heads", "must divide heads (" + std::to_string(c.tier.shape.heads) + ")");
  if (c.tier.shape.kv_heads == c.tier.shape.heads) c.tier.shape.kv_heads = 0;
  c.tier.shape.window_left = tier.integer_or("window_left", -1, -1);
  c.tier.shape.window_right = tier.integer_or("window_right", -1, -1);
  const std::string align = tier.string_or("align", "top-left");
  if (align != "top-left" && align != "bottom-right") tier.fail("align", "must be \"top-left\" or \"bottom-right\"");
  if (align == "bottom-right") c.tier.shape.align = CausalAlign::bottom_right;

  const std::string dtype = f.string("dtype");
  const auto parsed = parse_dtype(dtype);
  if (!parsed) f.fail("dtype", "unknown dtype '" + dtype + "' (known: fp32, fp16, bf16, tf32)");
  c.dtype = *parsed;
  c.causal = f.boolean("causal");
  c.bytes_estimate = f.has("bytes_estimate") ? f.unsigned_integer("bytes_estimate") : 0;
  c.supported = f.boolean_or("supported", true);
  c.unsupported_reason = f.string_or("unsupported_reason", "");

  if (f.has("id")) {
    const std::string id = f.string("id");
    if (id != c.id()) f.fail("id", "'" + id + "' does not match kernel|tier|dtype|causal '" + c.id() + "'");
  }
  return c;
}

json stats_to_json(const SampleStats& t) {
  if (t.samples > 0)
    return {{"samples", t.samples}, {"median", t.median}, {"mean", t.mean}, {"std", t.std}, {"min", t.min},
            {"max", t.max},         {"p10", t.p10},       {"p90", t.p90},   {"ci_low", t.ci_low}, {"ci_high", t.ci_high}};
  // A summary imported from a table: only the statistics it gave (finite ones) are written.
  json j = {{"samples", 0}, {"source", "imported"}};
  const std::pair<const char*, double> fields[] = {{"median", t.median}, {"mean", t.mean},     {"std", t.std},
                                                   {"min", t.min},       {"max", t.max},       {"p10", t.p10},
                                                   {"p90", t.p90},       {"ci_low", t.ci_low}, {"ci_high", t.ci_high}};
  for (const auto& [name, value] : fields)
    if (std::isfinite(value)) j[name] = value;
  return j;
}

SampleStats read_stats(const Fields& f) {
  SampleStats t;
  const std::int64_t samples = f.integer("samples", 0);
  if (samples > std::numeric_limits<int>::max()) f.fail("samples", "too large");
  t.samples = static_cast<int>(samples);
  if (t.samples > 0) {
    t.median = f.number("median");
    t.mean = f.number("mean");
    t.std = f.number("std");
    t.min = f.number("min");
    t.max = f.number("max");
    t.p10 = f.number("p10");
    t.p90 = f.number("p90");
    t.ci_low = f.number("ci_low");
    t.ci_high = f.number("ci_high");
    return t;
  }
  // samples == 0: a summary from elsewhere; it must say so (result_problem wants a mean or a median).
  if (f.string("source").empty()) f.fail("source", "must not be empty");
  t.mean = f.number_or("mean", kNaN);
  t.median = f.number_or("median", kNaN);
  t.std = f.number_or("std", kNaN);
  t.min = f.number_or("min", kNaN);
  t.max = f.number_or("max", kNaN);
  t.p10 = f.number_or("p10", kNaN);
  t.p90 = f.number_or("p90", kNaN);
  t.ci_low = f.number_or("ci_low", kNaN);
  t.ci_high = f.number_or("ci_high", kNaN);
  return t;
}

json check_to_json(const CheckResult& c) {
  if (!c.checked) return {{"checked", false}};
  return {{"checked", true},
          {"passed", c.passed},
          {"max_abs_err", c.max_abs_err},
          {"naive_max_abs_err", c.naive_max_abs_err},
          {"tolerance", c.tolerance},
          {"rel_err", c.rel_err},
          {"naive_rel_err", c.naive_rel_err},
          {"nonfinite", c.nonfinite},
          {"unwritten", c.unwritten},
          {"rows_checked", c.rows_checked},
          {"slices_checked", c.slices_checked},
          {"inputs_changed", c.inputs_changed},
          {"rechecked_after_timing", c.rechecked_after_timing}};
}

CheckResult read_check(const Fields& f) {
  CheckResult c;
  c.checked = f.boolean("checked");
  if (!c.checked) return c;
  c.passed = f.boolean("passed");
  c.rel_err = f.number("rel_err");
  c.max_abs_err = f.number("max_abs_err");
  c.tolerance = f.number("tolerance");
  c.naive_rel_err = f.number("naive_rel_err");
  c.nonfinite = f.integer("nonfinite", 0);
  c.unwritten = f.integer("unwritten", 0);
  c.rows_checked = f.integer("rows_checked", 0);
  // Records whose check held rel_err to `tolerance` have none of these: NaN and 0, not known.
  c.naive_max_abs_err = f.number_or("naive_max_abs_err", kNaN);
  c.slices_checked = f.integer_or("slices_checked", 0, 0);
  c.inputs_changed = f.boolean_or("inputs_changed", false);
  c.rechecked_after_timing = f.boolean("rechecked_after_timing");
  return c;
}

json timing_to_json(const Timing& t) {
  json j = {{"time_ms", stats_to_json(t.time_ms)},
            {"tflops", t.tflops},
            {"gbps", t.gbps},
            {"launches_per_sample", t.launches_per_sample},
            {"noisy", t.noisy},
            {"flagged_samples", t.flagged_samples}};
  if (!t.flags.empty()) j["flags"] = t.flags;
  if (!t.samples_ms.empty()) j["samples_ms"] = t.samples_ms;
  return j;
}

Timing read_timing(const Fields& f, TimingMode mode) {
  Timing t;
  t.mode = mode;
  t.time_ms = read_stats(f.object("time_ms"));
  t.tflops = f.number("tflops");
  t.gbps = f.number("gbps");
  const std::int64_t launches = f.integer_or("launches_per_sample", 1, 1);
  if (launches > std::numeric_limits<int>::max()) f.fail("launches_per_sample", "too large");
  if (mode == TimingMode::cold && launches != 1) f.fail("launches_per_sample", "must be 1 in a cold timing");
  t.launches_per_sample = static_cast<int>(launches);
  t.noisy = f.boolean_or("noisy", false);
  const std::int64_t flagged = f.integer_or("flagged_samples", 0, 0);
  if (flagged > std::numeric_limits<int>::max()) f.fail("flagged_samples", "too large");
  t.flagged_samples = static_cast<int>(flagged);
  t.flags = f.strings_or_empty("flags");
  t.samples_ms = f.times_or_empty("samples_ms");
  if (!t.samples_ms.empty() && t.samples_ms.size() != static_cast<std::size_t>(t.time_ms.samples))
    f.fail("samples_ms", "holds " + std::to_string(t.samples_ms.size()) + " times, but time_ms.samples is " +
                             std::to_string(t.time_ms.samples));
  return t;
}

// Records written before timing modes had one time_ms with `cache` and `launches_per_sample`.
// A sample of several launches was a batch whose first launch alone found a flushed cache: it is
// read as batch, never as cold. Without `cache` (imported tables) the mode is unstated.
Timing read_single_timing(const Fields& f) {
  TimingMode mode = TimingMode::unstated;
  if (f.has("cache")) {
    const std::string cache = f.string("cache");
    if (cache != "cold" && cache != "warm") f.fail("cache", "must be \"cold\" or \"warm\"");
    const bool one_launch = f.integer_or("launches_per_sample", 1, 1) == 1;
    mode = cache == "cold" && one_launch ? TimingMode::cold : TimingMode::batch;
  }
  return read_timing(f, mode);
}

std::vector<Timing> read_timings(const Fields& f) {
  const Fields all = f.object("timings");
  std::vector<Timing> out;
  for (TimingMode mode : {TimingMode::cold, TimingMode::batch, TimingMode::unstated})
    if (all.has(timing_mode_name(mode))) out.push_back(read_timing(all.object(timing_mode_name(mode)), mode));
  for (const auto& [key, value] : f.need("timings").items())
    if (!parse_timing_mode(key)) all.fail(key, "unknown timing mode (known: cold, batch, unstated)");
  if (out.empty()) f.fail("timings", "must hold at least one mode on an ok cell");
  return out;
}

json clocks_to_json(const ClockSummary& c) {
  if (!c.read) return {{"read", false}, {"why_not", c.why_not}};
  json j = {{"read", true},
            {"readings", c.readings},
            {"sm_mhz_min", c.sm_mhz_min},
            {"sm_mhz_max", c.sm_mhz_max},
            {"sm_max_mhz", c.sm_max_mhz},
            {"reasons", c.reasons}};
  if (c.power_w_max) j["power_w_max"] = *c.power_w_max;
  if (c.temperature_c_max) j["temperature_c_max"] = *c.temperature_c_max;
  return j;
}

ClockSummary read_clocks(const Fields& f) {
  ClockSummary c;
  c.read = f.boolean("read");
  if (!c.read) {
    c.why_not = f.string("why_not");
    return c;
  }
  const auto mhz = [&f](std::string_view field) {
    const std::int64_t v = f.integer(field, 0);
    if (v > std::numeric_limits<unsigned>::max()) f.fail(field, "too large");
    return static_cast<unsigned>(v);
  };
  const std::int64_t readings = f.integer("readings", 0);
  if (readings > std::numeric_limits<int>::max()) f.fail("readings", "too large");
  c.readings = static_cast<int>(readings);
  c.sm_mhz_min = mhz("sm_mhz_min");
  c.sm_mhz_max = mhz("sm_mhz_max");
  c.sm_max_mhz = mhz("sm_max_mhz");
  if (f.has("power_w_max")) c.power_w_max = f.number("power_w_max");
  if (f.has("temperature_c_max")) c.temperature_c_max = f.number("temperature_c_max");
  c.reasons = f.strings_or_empty("reasons");
  return c;
}

json steady_to_json(const SteadyRecord& s) {
  json j = {{"state", std::string(steady_state_name(s.state))}};
  if (s.state == SteadyState::sustained) {
    j["settled"] = s.settled;
  }
  return j;
}

SteadyRecord read_steady(const Fields& f) {
  SteadyRecord s;
  const std::string state = f.string("state");
  const auto parsed = parse_steady_state(state);
  if (!parsed) f.fail("state", "must be \"burst\" or \"sustained\"");
  s.state = *parsed;
  if (s.state == SteadyState::sustained) {
    s.settled = f.boolean("settled");
  }
  return s;
}

json wall_split_to_json(const WallSplit& w) {
  return {{"inputs", w.inputs}, {"check", w.check}, {"warmup", w.warmup}, {"settle", w.settle}, {"timing", w.timing}};
}

WallSplit read_wall_split(const Fields& f) {
  WallSplit w;
  w.inputs = f.number("inputs");
  w.check = f.number("check");
  w.warmup = f.number("warmup");
  w.settle = f.number_or("settle", 0);
  w.timing = f.number("timing");
  return w;
}

}  // namespace

json cell_to_json(const Cell& c) {
  json j = {{"id", c.id()},
            {"kernel", c.kernel},
            {"tier",
             {{"name", c.tier.name},
              {"q_n", c.tier.shape.q_n},
              {"k_n", c.tier.shape.k_n},
              {"head_dim", c.tier.shape.head_dim},
              {"heads", c.tier.shape.heads},
              {"batch", c.tier.shape.batch}}},
            {"dtype", std::string(dtype_name(c.dtype))},
            {"causal", c.causal}};
  json& tier = j["tier"];
  if (c.tier.shape.kv_heads > 0) tier["kv_heads"] = c.tier.shape.kv_heads;
  if (c.tier.shape.window_left >= 0 || c.tier.shape.window_right >= 0) {
    tier["window_left"] = c.tier.shape.window_left;
    tier["window_right"] = c.tier.shape.window_right;
  }
  if (c.tier.shape.align == CausalAlign::bottom_right) tier["align"] = std::string(causal_align_name(c.tier.shape.align));
  if (c.bytes_estimate > 0) j["bytes_estimate"] = c.bytes_estimate;  // 0: not estimated (imported)
  if (!c.supported) {
    j["supported"] = false;
    j["unsupported_reason"] = c.unsupported_reason;
  }
  return j;
}

Cell cell_from_json(const json& j) { return read_cell(Fields(j, "cell")); }

json result_to_json(const CellResult& r) {
  json j = cell_to_json(r.cell);
  j["type"] = "cell";
  j["status"] = std::string(status_name(r.status));
  j["message"] = r.message;
  if (r.status == CellStatus::ok && !r.timings.empty()) {
    json timings = json::object();
    for (const Timing& t : r.timings) timings[std::string(timing_mode_name(t.mode))] = timing_to_json(t);
    j["timings"] = std::move(timings);
    j["noisy"] = r.noisy();
  }
  j["check"] = check_to_json(r.check);
  if (r.steady) j["steady"] = steady_to_json(*r.steady);
  if (r.clocks) j["clocks"] = clocks_to_json(*r.clocks);
  if (r.wall_split) j["wall_split_s"] = wall_split_to_json(*r.wall_split);
  j["device"] = r.device;
  if (!r.device_name.empty()) j["device_name"] = r.device_name;
  if (r.wall_s > 0) j["wall_s"] = r.wall_s;  // 0: not measured (imported)
  return j;
}

CellResult read_result_json(const json& j) {
  const Fields f(j, "cell record");
  if (f.string("type") != "cell") f.fail("type", "must be \"cell\"");
  CellResult r;
  r.cell = read_cell(f);

  const std::string status = f.string("status");
  const auto parsed = parse_status(status);
  if (!parsed) f.fail("status", "unknown status '" + status + "'");
  r.status = *parsed;
  r.message = f.string_or("message", "");

  // Times exist for ok cells only, and every ok cell has them: never a number where none was measured.
  if (r.status == CellStatus::ok) {
    if (!f.has("timings") && !f.has("time_ms")) f.fail("timings", "missing: every ok cell carries its times");
    if (f.has("timings")) {
      for (const char* field : {"time_ms", "tflops", "gbps", "cache", "launches_per_sample"})
        if (f.has(field)) f.fail(field, "beside 'timings': a record has one form or the other");
      r.timings = read_timings(f);
    } else {
      r.timings.push_back(read_single_timing(f));
    }
    if (f.has("noisy")) f.boolean("noisy");  // derived from the timings; checked, not stored
  } else {
    for (const char* field : {"timings", "time_ms", "tflops", "gbps", "noisy"})
      if (f.has(field)) f.fail(field, "present on a '" + status + "' cell; only ok cells carry times");
    if (f.has("cache") && f.string("cache") != "cold" && f.string("cache") != "warm")
      f.fail("cache", "must be \"cold\" or \"warm\"");
  }

  if (f.has("check")) r.check = read_check(f.object("check"));
  if (f.has("steady")) r.steady = read_steady(f.object("steady"));
  if (f.has("clocks")) r.clocks = read_clocks(f.object("clocks"));
  if (f.has("wall_split_s")) r.wall_split = read_wall_split(f.object("wall_split_s"));
  const std::int64_t device = f.integer_or("device", 0, 0);
  if (device > std::numeric_limits<int>::max()) f.fail("device", "too large");
  r.device = static_cast<int>(device);
  r.device_name = f.string_or("device_name", "");
  r.wall_s = f.number_or("wall_s", 0);
  if (r.wall_s < 0) f.fail("wall_s", "must not be negative");
  return r;
}

CellResult result_from_json(const json& j) {
  CellResult r = read_result_json(j);
  const std::string problem = result_problem(r);
  if (problem.empty()) return r;
  const std::size_t colon = problem.find(':');
  std::string field = problem.substr(0, colon);
  // result_problem names fields as a record with `timings` holds them; a record of the older form
  // holds its one timing's fields at the top level, and the error names the field where it is.
  if (!j.contains("timings") && r.timings.size() == 1) {
    const std::string nested = "timings." + std::string(timing_mode_name(r.timings.front().mode)) + ".";
    if (field.rfind(nested, 0) == 0) field.erase(0, nested.size());
  }
  throw std::runtime_error("cell record: field '" + field + "'" + problem.substr(std::min(colon, problem.size())));
}

}  // namespace attnsweep
