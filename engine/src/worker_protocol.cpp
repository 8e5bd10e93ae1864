#include "attnsweep/engine/worker_protocol.h"

#include <algorithm>
#include <limits>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "attnsweep/engine/format.h"
#include "attnsweep/engine/json_input.h"
#include "attnsweep/engine/result_json.h"

namespace attnsweep {

using nlohmann::json;

namespace {

// Thrown inside this file only; parse_* turn it into Parsed::error.
struct ProtocolError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Reads fields of one message, naming the message and the field in every complaint.
class Fields {
 public:
  Fields(const json& j, std::string what) : j_(j), what_(std::move(what)) {}

  const json* find(const char* key) const {
    const auto it = j_.find(key);
    return it == j_.end() ? nullptr : &*it;
  }
  const json& need(const char* key) const {
    const json* v = find(key);
    if (!v) fail(key, "is missing");
    return *v;
  }
  [[noreturn]] void fail(const char* key, const std::string& rule) const {
    throw ProtocolError(what_ + ": field '" + key + "' " + rule);
  }

  std::uint64_t u64(const char* key) const { return as_u64(key, need(key)); }
  std::uint64_t u64_or(const char* key, std::uint64_t fallback) const {
    const json* v = find(key);
    return v ? as_u64(key, *v) : fallback;
  }
  int int_(const char* key) const {
    const json& v = need(key);
    if (!v.is_number_integer()) fail(key, "must be an integer");
    const auto x = v.get<std::int64_t>();
    if (x < std::numeric_limits<int>::min() || x > std::numeric_limits<int>::max()) fail(key, "is out of range");
    return static_cast<int>(x);
  }
  int int_or(const char* key, int fallback) const { return find(key) ? int_(key) : fallback; }
  double number_or(const char* key, double fallback) const {
    const json* v = find(key);
    if (!v) return fallback;
    if (!v->is_number()) fail(key, "must be a number");
    return v->get<double>();
  }
  bool bool_or(const char* key, bool fallback) const {
    const json* v = find(key);
    if (!v) return fallback;
    if (!v->is_boolean()) fail(key, "must be true or false");
    return v->get<bool>();
  }
  std::string string(const char* key) const {
    const json& v = need(key);
    if (!v.is_string()) fail(key, "must be a string");
    return v.get<std::string>();
  }
  std::string string_or(const char* key, std::string fallback) const { return find(key) ? string(key) : fallback; }
  const json& object(const char* key) const {
    const json& v = need(key);
    if (!v.is_object()) fail(key, "must be an object");
    return v;
  }

 private:
  std::uint64_t as_u64(const char* key, const json& v) const {
    if (v.is_number_unsigned()) return v.get<std::uint64_t>();
    if (v.is_number_integer() && v.get<std::int64_t>() >= 0) return static_cast<std::uint64_t>(v.get<std::int64_t>());
    fail(key, "must be a non-negative integer");
  }
  const json& j_;
  std::string what_;
};

Backend parse_backend(const Fields& f, const char* key) {
  const std::string s = f.string(key);
  if (s == "cpu") return Backend::cpu;
  if (s == "cuda") return Backend::cuda;
  f.fail(key, "must be \"cpu\" or \"cuda\" (got \"" + s + "\")");
}

json timing_to_json(const TimingOptions& t) {
  json modes = json::array();
  for (TimingMode m : t.modes) modes.push_back(std::string(timing_mode_name(m)));
  return {{"warmup_ms", t.warmup_ms},       {"min_samples", t.min_samples}, {"max_samples", t.max_samples},
          {"target_rel_ci", t.target_rel_ci}, {"max_cell_s", t.max_cell_s},   {"modes", modes},
          {"steady", std::string(steady_state_name(t.steady))}, {"sustain_s", t.sustain_s}};
}

// Missing keys take the spec's defaults, so a minimal provider-written request still works.
TimingOptions timing_from_json(const json& j) {
  const Fields f(j, "run_cell.timing");
  TimingOptions t;
  t.warmup_ms = f.number_or("warmup_ms", t.warmup_ms);
  t.min_samples = f.int_or("min_samples", t.min_samples);
  t.max_samples = f.int_or("max_samples", t.max_samples);
  t.target_rel_ci = f.number_or("target_rel_ci", t.target_rel_ci);
  t.max_cell_s = f.number_or("max_cell_s", t.max_cell_s);
  if (const json* modes = f.find("modes")) {
    if (!modes->is_array() || modes->empty()) f.fail("modes", "must be a non-empty list of \"cold\" and \"batch\"");
    t.modes.clear();
    for (const json& m : *modes) {
      const auto mode = m.is_string() ? parse_timing_mode(m.get<std::string>()) : std::nullopt;
      if (!mode || *mode == TimingMode::unstated) f.fail("modes", "must hold only \"cold\" and \"batch\"");
      if (std::find(t.modes.begin(), t.modes.end(), *mode) != t.modes.end()) f.fail("modes", "lists a mode twice");
      t.modes.push_back(*mode);
    }
  }
  const std::string steady = f.string_or("steady", std::string(steady_state_name(t.steady)));
  const auto parsed_steady = parse_steady_state(steady);
  if (!parsed_steady) f.fail("steady", "must be \"burst\" or \"sustained\"");
  t.steady = *parsed_steady;
  t.sustain_s = f.number_or("sustain_s", t.sustain_s);
  if (t.min_samples < 1 || t.min_samples > kMaxSamples)
    f.fail("min_samples", "must be from 1 to " + std::to_string(kMaxSamples));
  if (t.max_samples < t.min_samples || t.max_samples > kMaxSamples)
    f.fail("max_samples", "must be from min_samples to " + std::to_string(kMaxSamples));
  if (!(t.target_rel_ci > 0 && t.target_rel_ci < 1)) f.fail("target_rel_ci", "must be between 0 and 1, exclusive");
  // The spec's bounds: no request can make a worker warm up, settle or sample without end.
  if (const std::string rule = max_cell_s_problem(t.max_cell_s); !rule.empty()) f.fail("max_cell_s", rule);
  if (const std::string rule = warmup_ms_problem(t.warmup_ms); !rule.empty()) f.fail("warmup_ms", rule);
  if (const std::string rule = sustain_s_problem(t.sustain_s); !rule.empty()) f.fail("sustain_s", rule);
  return t;
}

json check_to_json(const CheckOptions& c) {
  json j = {{"enabled", c.enabled}, {"rows", c.all_rows ? "all" : "sampled"}};
  j["tolerance"] = c.tolerance ? json(*c.tolerance) : json(nullptr);
  return j;
}

CheckOptions check_from_json(const json& j) {
  const Fields f(j, "run_cell.check");
  CheckOptions c;
  c.enabled = f.bool_or("enabled", c.enabled);
  const std::string rows = f.string_or("rows", "sampled");
  if (rows != "sampled" && rows != "all") f.fail("rows", "must be \"sampled\" or \"all\"");
  c.all_rows = rows == "all";
  if (const json* tol = f.find("tolerance"); tol && !tol->is_null()) {
    if (!tol->is_number() || !(tol->get<double>() > 0)) f.fail("tolerance", "must be a positive number or null");
    c.tolerance = tol->get<double>();
  }
  return c;
}

json device_to_json(const DeviceInfo& d) {
  return {{"backend", backend_name(d.backend)}, {"ordinal", d.ordinal}, {"name", d.name}, {"facts", d.facts}};
}

DeviceInfo device_from_json(const json& j) {
  const Fields f(j, "hello.device");
  DeviceInfo d;
  d.backend = parse_backend(f, "backend");
  d.ordinal = f.int_("ordinal");
  d.name = f.string("name");
  if (const json* facts = f.find("facts")) {
    if (!facts->is_object()) f.fail("facts", "must be an object of strings");
    for (const auto& [k, v] : facts->items()) {
      if (!v.is_string()) f.fail("facts", "must be an object of strings ('" + k + "' is not)");
      d.facts[k] = v.get<std::string>();
    }
  }
  return d;
}

json caps_to_json(const DeviceCaps& c) {
  return {{"backend", backend_name(c.backend)}, {"cc_major", c.cc_major}, {"cc_minor", c.cc_minor},
          {"smem_per_block_optin", c.smem_per_block_optin}, {"known", c.known}};
}

DeviceCaps caps_from_json(const json& j) {
  const Fields f(j, "hello.caps");
  DeviceCaps c;
  c.backend = parse_backend(f, "backend");
  c.cc_major = f.int_or("cc_major", 0);
  c.cc_minor = f.int_or("cc_minor", 0);
  c.smem_per_block_optin = f.u64_or("smem_per_block_optin", 0);
  c.known = f.bool_or("known", true);
  return c;
}

std::string dump_line(const json& j) {
  // replace: a log message carrying raw bytes from a kernel must not throw on the way out.
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

// Parses the text and returns the object and its "type", or throws ProtocolError.
// `kind` with its article: "a request", "an event".
std::pair<json, std::string> open_message(std::string_view line, const char* kind) {
  if (line.size() > kMaxProtocolLineBytes)
    throw ProtocolError("line of " + std::to_string(line.size()) + " bytes exceeds the limit of " +
                        std::to_string(kMaxProtocolLineBytes));
  json j;
  try {
    j = parse_json(line);
  } catch (const std::runtime_error& e) {
    throw ProtocolError(e.what());
  }
  if (!j.is_object()) throw ProtocolError(std::string(kind) + " must be a JSON object");
  const auto t = j.find("type");
  if (t == j.end()) throw ProtocolError(std::string(kind) + " needs a field 'type'");
  if (!t->is_string()) throw ProtocolError("field 'type' must be a string");
  std::string type = t->get<std::string>();
  return {std::move(j), std::move(type)};
}

template <class T, class F>
Parsed<T> guarded(F&& parse) {
  Parsed<T> out;
  try {
    out.value = parse();
  } catch (const std::exception& e) {  // ours, nlohmann's type errors, read_result_json's complaints
    out.error = printable_text(e.what());  // they may quote the peer's bytes
  }
  return out;
}

}  // namespace

std::string protocol_mismatch_message(int peer_version, std::string_view peer_role) {
  return std::string(peer_role) + " speaks worker protocol version " + std::to_string(peer_version) +
         ", but this program speaks version " + std::to_string(kWorkerProtocolVersion) +
         "; use the same attnsweep release on both sides";
}

bool is_blank_line(std::string_view line) {
  return line.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

std::string to_line(const WorkerRequest& request) {
  json j;
  std::visit(
      [&](const auto& r) {
        using R = std::decay_t<decltype(r)>;
        if constexpr (std::is_same_v<R, HelloRequest>) {
          j = {{"type", "hello"}, {"protocol", r.protocol}, {"client", r.client}};
        } else if constexpr (std::is_same_v<R, RunCellRequest>) {
          j = {{"type", "run_cell"}, {"seq", r.seq}, {"cell", cell_to_json(r.cell)}, {"timing", timing_to_json(r.timing)},
               {"check", check_to_json(r.check)}, {"seed", r.seed}};
        } else if constexpr (std::is_same_v<R, CancelRequest>) {
          j = {{"type", "cancel"}};
        } else {
          j = {{"type", "shutdown"}};
        }
      },
      request);
  return dump_line(j);
}

std::string to_line(const WorkerEvent& event) {
  json j;
  std::visit(
      [&](const auto& e) {
        using E = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<E, HelloEvent>) {
          j = {{"type", "hello"},  {"protocol", e.protocol},      {"worker", e.worker}, {"device", device_to_json(e.device)},
               {"caps", caps_to_json(e.caps)}, {"free_bytes", e.free_bytes}};
        } else if constexpr (std::is_same_v<E, CellStartedEvent>) {
          j = {{"type", "cell_started"}, {"seq", e.seq}, {"cell_id", e.cell_id}};
        } else if constexpr (std::is_same_v<E, CellResultEvent>) {
          j = {{"type", "cell_result"}, {"seq", e.seq}, {"result", result_to_json(e.result)}};
        } else if constexpr (std::is_same_v<E, LogEvent>) {
          j = {{"type", "log"}, {"level", e.level}, {"message", e.message}};
        } else if constexpr (std::is_same_v<E, ErrorEvent>) {
          j = {{"type", "error"}, {"message", e.message}, {"fatal", e.fatal}};
        } else {
          j = {{"type", "bye"}, {"reason", e.reason}};
        }
      },
      event);
  return dump_line(j);
}

Parsed<WorkerRequest> parse_request(std::string_view line) {
  return guarded<WorkerRequest>([&]() -> WorkerRequest {
    const auto [j, type] = open_message(line, "a request");
    if (type == "hello") {
      const Fields f(j, "hello");
      return HelloRequest{f.int_("protocol"), f.string_or("client", "")};
    }
    if (type == "run_cell") {
      const Fields f(j, "run_cell");
      RunCellRequest r;
      r.seq = f.u64("seq");
      try {
        r.cell = cell_from_json(f.object("cell"));
        if (const std::string problem = cell_problem(r.cell); !problem.empty())
          throw ProtocolError("run_cell: field 'cell." + problem.substr(0, problem.find(':')) + "'" +
                              problem.substr(problem.find(':')));
      } catch (const ProtocolError&) {
        throw;
      } catch (const std::exception& e) {
        throw ProtocolError(std::string("run_cell: field 'cell': ") + e.what());
      }
      if (const json* t = f.find("timing")) {
        if (!t->is_object()) f.fail("timing", "must be an object");
        r.timing = timing_from_json(*t);
      }
      if (const json* c = f.find("check")) {
        if (!c->is_object()) f.fail("check", "must be an object");
        r.check = check_from_json(*c);
      }
      r.seed = f.u64_or("seed", 0);
      return r;
    }
    if (type == "cancel") return CancelRequest{};
    if (type == "shutdown") return ShutdownRequest{};
    throw ProtocolError("unknown request type '" + type + "' (known: hello, run_cell, cancel, shutdown)");
  });
}

Parsed<WorkerEvent> parse_event(std::string_view line) {
  return guarded<WorkerEvent>([&]() -> WorkerEvent {
    const auto [j, type] = open_message(line, "an event");
    if (type == "hello") {
      const Fields f(j, "hello");
      HelloEvent h;
      h.protocol = f.int_("protocol");
      // A peer of another version may shape the rest differently: report the version first.
      if (h.protocol != kWorkerProtocolVersion) return h;
      h.worker = f.string_or("worker", "");
      h.device = device_from_json(f.object("device"));
      h.caps = f.find("caps") ? caps_from_json(f.object("caps")) : DeviceCaps{h.device.backend, 0, 0, 0, false};
      h.free_bytes = f.u64_or("free_bytes", 0);
      return h;
    }
    if (type == "cell_started") {
      const Fields f(j, "cell_started");
      return CellStartedEvent{f.u64("seq"), f.string_or("cell_id", "")};
    }
    if (type == "cell_result") {
      const Fields f(j, "cell_result");
      CellResultEvent e;
      e.seq = f.u64("seq");
      try {
        e.result = read_result_json(f.object("result"));  // judged by the executor (admit_result)
      } catch (const ProtocolError&) {
        throw;
      } catch (const std::exception& ex) {
        throw ProtocolError(std::string("cell_result: field 'result': ") + ex.what());
      }
      return e;
    }
    if (type == "log") {
      const Fields f(j, "log");
      return LogEvent{f.string_or("level", "info"), f.string("message")};
    }
    if (type == "error") {
      const Fields f(j, "error");
      return ErrorEvent{f.string("message"), f.bool_or("fatal", false)};
    }
    if (type == "bye") {
      const Fields f(j, "bye");
      return ByeEvent{f.string_or("reason", "")};
    }
    throw ProtocolError("unknown event type '" + type +
                        "' (known: hello, cell_started, cell_result, log, error, bye)");
  });
}

}  // namespace attnsweep
