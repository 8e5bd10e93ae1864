#include "attnsweep/engine/worker_protocol.h"

#include <gtest/gtest.h>

#include "attnsweep/engine/result_json.h"

#include <random>
#include <string>
#include <vector>

namespace attnsweep {
namespace {

Cell sample_cell() {
  Cell c;
  c.kernel = "cpu_flash";
  c.tier.shape = TierShape{1000, 333, 64, 4, 2};
  c.tier.name = tier_name(c.tier.shape);
  c.dtype = DType::fp32;
  c.causal = true;
  c.bytes_estimate = 123456;
  return c;
}

RunCellRequest sample_run_cell() {
  RunCellRequest r;
  r.seq = 42;
  r.cell = sample_cell();
  r.timing.warmup_ms = 5;
  r.timing.min_samples = 3;
  r.timing.max_samples = 9;
  r.timing.target_rel_ci = 0.05;
  r.timing.max_cell_s = 1.5;
  r.timing.modes = {TimingMode::batch};
  r.timing.steady = SteadyState::sustained;
  r.timing.sustain_s = 3;
  r.check.enabled = true;
  r.check.all_rows = true;
  r.check.tolerance = 1e-3;
  r.seed = 7;
  return r;
}

template <class T>
T parse_request_as(const std::string& line) {
  const Parsed<WorkerRequest> p = parse_request(line);
  EXPECT_TRUE(p.ok()) << p.error << " for " << line;
  if (!p.ok()) return T{};
  EXPECT_TRUE(std::holds_alternative<T>(*p.value)) << line;
  return std::holds_alternative<T>(*p.value) ? std::get<T>(*p.value) : T{};
}

template <class T>
T parse_event_as(const std::string& line) {
  const Parsed<WorkerEvent> p = parse_event(line);
  EXPECT_TRUE(p.ok()) << p.error << " for " << line;
  if (!p.ok()) return T{};
  EXPECT_TRUE(std::holds_alternative<T>(*p.value)) << line;
  return std::holds_alternative<T>(*p.value) ? std::get<T>(*p.value) : T{};
}

TEST(WorkerProtocol, RequestsRoundTrip) {
  const auto hello = parse_request_as<HelloRequest>(to_line(WorkerRequest{HelloRequest{1, "attnsweep test"}}));
  EXPECT_EQ(hello.protocol, 1);
  EXPECT_EQ(hello.client, "attnsweep test");

  const RunCellRequest sent = sample_run_cell();
  const std::string line = to_line(WorkerRequest{sent});
  EXPECT_EQ(line.find('\n'), std::string::npos);
  const auto got = parse_request_as<RunCellRequest>(line);
  EXPECT_EQ(got.seq, 42u);
  EXPECT_EQ(got.cell.id(), sent.cell.id());
  EXPECT_EQ(got.cell.tier.shape, sent.cell.tier.shape);
  EXPECT_EQ(got.cell.bytes_estimate, sent.cell.bytes_estimate);
  EXPECT_EQ(got.timing.warmup_ms, 5);
  EXPECT_EQ(got.timing.min_samples, 3);
  EXPECT_EQ(got.timing.max_samples, 9);
  EXPECT_EQ(got.timing.target_rel_ci, 0.05);
  EXPECT_EQ(got.timing.max_cell_s, 1.5);
  EXPECT_EQ(got.timing.modes, std::vector<TimingMode>{TimingMode::batch});
  EXPECT_EQ(got.timing.steady, SteadyState::sustained);
  EXPECT_EQ(got.timing.sustain_s, 3);
  EXPECT_TRUE(got.check.all_rows);
  ASSERT_TRUE(got.check.tolerance.has_value());
  EXPECT_EQ(*got.check.tolerance, 1e-3);
  EXPECT_EQ(got.seed, 7u);

  parse_request_as<CancelRequest>(to_line(WorkerRequest{CancelRequest{}}));
  parse_request_as<ShutdownRequest>(to_line(WorkerRequest{ShutdownRequest{}}));
}

TEST(WorkerProtocol, RunCellFillsDefaultsForMissingTimingAndCheck) {
  // A hand-written request from a minimal driver: only seq and cell.
  const auto r = parse_request_as<RunCellRequest>(R"({"type":"run_cell","seq":1,"cell":)" +
                                                   cell_to_json(sample_cell()).dump() + "}");
  EXPECT_EQ(r.cell.id(), sample_cell().id());
  EXPECT_EQ(r.timing.max_samples, TimingOptions{}.max_samples);
  EXPECT_TRUE(r.check.enabled);
  EXPECT_FALSE(r.check.all_rows);
  EXPECT_FALSE(r.check.tolerance.has_value());
}

TEST(WorkerProtocol, EventsRoundTrip) {
  HelloEvent hello;
  hello.worker = "attnsweep-cli 0.1.0";
  hello.device.backend = Backend::cuda;
  hello.device.ordinal = 1;
  hello.device.name = "NVIDIA H100 80GB HBM3";
  hello.device.facts = {{"sm_count", "132"}, {"uuid", "GPU-1234"}};
  hello.caps = DeviceCaps{Backend::cuda, 9, 0, 232448, true};
  hello.free_bytes = 80ull << 30;
  const auto h = parse_event_as<HelloEvent>(to_line(WorkerEvent{hello}));
  EXPECT_EQ(h.protocol, kWorkerProtocolVersion);
  EXPECT_EQ(h.worker, hello.worker);
  EXPECT_EQ(h.device.backend, Backend::cuda);
  EXPECT_EQ(h.device.ordinal, 1);
  EXPECT_EQ(h.device.name, hello.device.name);
  EXPECT_EQ(h.device.facts, hello.device.facts);
  EXPECT_EQ(h.caps.cc_major, 9);
  EXPECT_EQ(h.caps.smem_per_block_optin, 232448u);
  EXPECT_TRUE(h.caps.known);
  EXPECT_EQ(h.free_bytes, 80ull << 30);

  const auto started = parse_event_as<CellStartedEvent>(to_line(WorkerEvent{CellStartedEvent{3, "a|b|fp32|full"}}));
  EXPECT_EQ(started.seq, 3u);
  EXPECT_EQ(started.cell_id, "a|b|fp32|full");

  CellResult r;
  r.cell = sample_cell();
  r.status = CellStatus::ok;
  r.timings.push_back({TimingMode::cold, SampleStats{12, 1.5, 1.6, 0.1, 1.4, 1.9, 1.45, 1.8, 1.47, 1.55}, 3.25, 10});
  r.device = 1;
  r.wall_s = 0.75;
  const auto res = parse_event_as<CellResultEvent>(to_line(WorkerEvent{CellResultEvent{3, r}}));
  EXPECT_EQ(res.seq, 3u);
  EXPECT_EQ(res.result.cell.id(), r.cell.id());
  EXPECT_EQ(res.result.status, CellStatus::ok);
  ASSERT_NE(res.result.timing(TimingMode::cold), nullptr);
  EXPECT_EQ(res.result.timing(TimingMode::cold)->time_ms.median, 1.5);
  EXPECT_EQ(res.result.device, 1);

  const auto log = parse_event_as<LogEvent>(to_line(WorkerEvent{LogEvent{"warning", "hot"}}));
  EXPECT_EQ(log.level, "warning");
  EXPECT_EQ(log.message, "hot");
  const auto err = parse_event_as<ErrorEvent>(to_line(WorkerEvent{ErrorEvent{"bad", true}}));
  EXPECT_EQ(err.message, "bad");
  EXPECT_TRUE(err.fatal);
  EXPECT_EQ(parse_event_as<ByeEvent>(to_line(WorkerEvent{ByeEvent{"shutdown"}})).reason, "shutdown");
}

TEST(WorkerProtocol, HelloOfAnotherVersionParsesSoTheVersionCanBeNamed) {
  // Whatever else a future version puts in hello, the driver must learn the version to reject it.
  const auto h = parse_event_as<HelloEvent>(R"({"type":"hello","protocol":2,"shape":"different"})");
  EXPECT_EQ(h.protocol, 2);
  const std::string msg = protocol_mismatch_message(2, "the worker");
  EXPECT_NE(msg.find("version 2"), std::string::npos) << msg;
  EXPECT_NE(msg.find("version " + std::to_string(kWorkerProtocolVersion)), std::string::npos) << msg;
}

TEST(WorkerProtocol, UnknownFieldsAreIgnored) {
  const auto c = parse_request_as<CancelRequest>(R"({"type":"cancel","reason":"user","extra":[1,2]})");
  (void)c;
  EXPECT_EQ(parse_event_as<LogEvent>(R"({"type":"log","message":"m","colour":"blue"})").level, "info");
}

struct BadLine {
  std::string line;
  std::string phrase;  // what the error must say
};

TEST(WorkerProtocol, BadRequestsGetClearErrors) {
  const std::string cell_json = cell_to_json(sample_cell()).dump();
  const std::vector<BadLine> bad = {
      {"", "not valid JSON"},
      {"hello", "not valid JSON"},
      {R"({"type":"hello","protocol":1)", "not valid JSON"},  // truncated
      {"[1,2]", "must be a JSON object"},
      {"42", "must be a JSON object"},
      {R"({"protocol":1})", "needs a field 'type'"},
      {R"({"type":7})", "'type' must be a string"},
      {R"({"type":"launch_missiles"})", "unknown request type 'launch_missiles'"},
      {R"({"type":"hello"})", "hello: field 'protocol' is missing"},
      {R"({"type":"hello","protocol":"1"})", "field 'protocol' must be an integer"},
      {R"({"type":"hello","protocol":1.5})", "field 'protocol' must be an integer"},
      {R"({"type":"hello","protocol":99999999999})", "field 'protocol' is out of range"},
      {R"({"type":"run_cell","cell":)" + cell_json + "}", "run_cell: field 'seq' is missing"},
      {R"({"type":"run_cell","seq":-1,"cell":)" + cell_json + "}", "field 'seq' must be a non-negative integer"},
      {R"({"type":"run_cell","seq":"1","cell":)" + cell_json + "}", "field 'seq' must be a non-negative integer"},
      {R"({"type":"run_cell","seq":1})", "run_cell: field 'cell' is missing"},
      {R"({"type":"run_cell","seq":1,"cell":[]})", "field 'cell' must be an object"},
      {R"({"type":"run_cell","seq":1,"cell":{}})", "run_cell: field 'cell'"},
      {R"({"type":"run_cell","seq":1,"cell":)" + cell_json + R"(,"timing":5})", "field 'timing' must be an object"},
      {R"({"type":"run_cell","seq":1,"cell":)" + cell_json + R"(,"timing":{"modes":["tepid"]}})",
       "run_cell.timing: field 'modes' must hold only \"cold\" and \"batch\""},
      {R"({"type":"run_cell","seq":1,"cell":)" + cell_json + R"(,"timing":{"modes":[]}})",
       "run_cell.timing: field 'modes' must be a non-empty list"},
      {R"({"type":"run_cell","seq":1,"cell":)" + cell_json + R"(,"timing":{"steady":"warm"}})",
       "run_cell.timing: field 'steady' must be \"burst\" or \"sustained\""},
      {R"({"type":"run_cell","seq":1,"cell":)" + cell_json + R"(,"timing":{"min_samples":0}})",
       "field 'min_samples' must be from 1 to 1000000"},
      {R"({"type":"run_cell","seq":1,"cell":)" + cell_json + R"(,"timing":{"min_samples":5,"max_samples":2}})",
       "field 'max_samples' must be from min_samples to 1000000"},
      {R"({"type":"run_cell","seq":1,"cell":)" + cell_json + R"(,"timing":{"max_cell_s":0}})",
       "field 'max_cell_s' must be > 0"},
      // Durations are bounded: a value that validates can neither hang a worker nor overflow a clock.
      {R"({"type":"run_cell","seq":1,"cell":)" + cell_json + R"(,"timing":{"max_cell_s":1e10}})",
       "field 'max_cell_s' must be at most 3600 (one hour; got 10000000000.0)"},
      {R"({"type":"run_cell","seq":1,"cell":)" + cell_json + R"(,"timing":{"warmup_ms":1e300}})",
       "field 'warmup_ms' must be at most 60000 (one minute; got 1e+300)"},
      {R"({"type":"run_cell","seq":1,"cell":)" + cell_json + R"(,"timing":{"target_rel_ci":2}})",
       "field 'target_rel_ci' must be between 0 and 1"},
      // The cell is a cell this program could have planned.
      {R"({"type":"run_cell","seq":1,"cell":{"kernel":"cpu_naive","tier":{"name":"x","q_n":64,"k_n":64,"head_dim":64,"heads":1,"batch":1},"dtype":"fp32","causal":false}})",
       "run_cell: field 'cell.tier.name': 'x' does not match its sizes (hd64-h1-b1-n64)"},
      {R"({"type":"run_cell","seq":1,"cell":{"kernel":"cpu_naive","tier":{"name":"x","q_n":64,"k_n":64,"head_dim":64,"heads":1,"batch":4611686018427387904},"dtype":"fp32","causal":false}})",
       "run_cell: field 'cell.tier': the element count of Q and O"},
      {R"({"type":"hello","protocol":1,"protocol":2})", "key 'protocol' appears twice in one object"},
      {std::string(100, '[') + std::string(100, ']'), "nest deeper than 64 levels"},
      {std::string("{\"type\":\"shutdown\"}\0junk", 22), "NUL byte"},
      {R"({"type":"run_cell","seq":1,"cell":)" + cell_json + R"(,"timing":{"warmup_ms":"long"}})",
       "field 'warmup_ms' must be a number"},
      {R"({"type":"run_cell","seq":1,"cell":)" + cell_json + R"(,"check":{"tolerance":-1}})",
       "field 'tolerance' must be a positive number or null"},
      {R"({"type":"run_cell","seq":1,"cell":)" + cell_json + R"(,"check":{"enabled":1}})",
       "field 'enabled' must be true or false"},
      {R"({"type":"run_cell","seq":1,"cell":)" + cell_json + R"(,"seed":-3})", "field 'seed' must be a non-negative integer"},
      {std::string("{\"type\":\"hello\",\"client\":\"\xff\xfe\",\"protocol\":1}"), "not valid JSON"},  // bad UTF-8
      {std::string(kMaxProtocolLineBytes + 1, ' '), "exceeds the limit"},
  };
  for (const BadLine& b : bad) {
    const Parsed<WorkerRequest> p = parse_request(b.line);
    EXPECT_FALSE(p.ok()) << b.line.substr(0, 200);
    EXPECT_NE(p.error.find(b.phrase), std::string::npos)
        << "line: " << b.line.substr(0, 200) << "\nerror: " << p.error << "\nexpected: " << b.phrase;
  }
}

TEST(WorkerProtocol, BadEventsGetClearErrors) {
  const std::vector<BadLine> bad = {
      {"Segmentation fault (core dumped)", "not valid JSON"},
      {R"({"type":"cell_res)", "not valid JSON"},
      {R"({"type":"mystery"})", "unknown event type 'mystery'"},
      {R"({"type":"hello"})", "hello: field 'protocol' is missing"},
      {R"({"type":"hello","protocol":1})", "hello: field 'device' is missing"},
      {R"({"type":"hello","protocol":1,"device":{"backend":"tpu","ordinal":0,"name":"x"}})",
       "hello.device: field 'backend' must be \"cpu\" or \"cuda\""},
      {R"({"type":"hello","protocol":1,"device":{"backend":"cpu","ordinal":0,"name":"x","facts":{"a":1}}})",
       "field 'facts' must be an object of strings"},
      {R"({"type":"hello","protocol":1,"device":{"backend":"cpu","name":"x"}})", "hello.device: field 'ordinal' is missing"},
      {R"({"type":"cell_started"})", "cell_started: field 'seq' is missing"},
      {R"({"type":"cell_result","seq":"seven"})", "cell_result: field 'seq' must be a non-negative integer"},
      {R"({"type":"cell_result","seq":1})", "cell_result: field 'result' is missing"},
      {R"({"type":"cell_result","seq":1,"result":{"type":"cell"}})", "cell_result: field 'result'"},
      {R"({"type":"log","level":"info"})", "log: field 'message' is missing"},
      {R"({"type":"log","message":5})", "log: field 'message' must be a string"},
      {R"({"type":"error","fatal":true})", "error: field 'message' is missing"},
      {R"({"type":"bye","reason":[]})", "bye: field 'reason' must be a string"},
  };
  for (const BadLine& b : bad) {
    const Parsed<WorkerEvent> p = parse_event(b.line);
    EXPECT_FALSE(p.ok()) << b.line;
    EXPECT_NE(p.error.find(b.phrase), std::string::npos)
        << "line: " << b.line << "\nerror: " << p.error << "\nexpected: " << b.phrase;
  }
}

TEST(WorkerProtocol, OutgoingTextWithInvalidUtf8DoesNotThrow) {
  std::string line;
  ASSERT_NO_THROW(line = to_line(WorkerEvent{LogEvent{"error", std::string("kernel said \xff\xfe")}}));
  const auto log = parse_event_as<LogEvent>(line);
  EXPECT_EQ(log.message.substr(0, 11), "kernel said");
}

// Random bytes, truncations and bit flips of valid lines: every outcome is a value or an error.
TEST(WorkerProtocol, ArbitraryBytesNeverCrashTheParsers) {
  std::vector<std::string> valid = {to_line(WorkerRequest{sample_run_cell()}), to_line(WorkerRequest{HelloRequest{}})};
  CellResult r;
  r.cell = sample_cell();
  r.status = CellStatus::wrong;
  r.message = "rel_err 0.3 > tolerance 0.001";
  valid.push_back(to_line(WorkerEvent{CellResultEvent{9, r}}));
  HelloEvent h;
  h.device.name = "cpu";
  valid.push_back(to_line(WorkerEvent{h}));

  std::mt19937 rng(1234);
  int outcomes = 0;
  auto check = [&](const std::string& line) {
    const Parsed<WorkerRequest> a = parse_request(line);
    const Parsed<WorkerEvent> b = parse_event(line);
    EXPECT_NE(a.ok(), !a.error.empty());
    EXPECT_NE(b.ok(), !b.error.empty());
    for (const std::string* e : {&a.error, &b.error})
      for (char c : *e) ASSERT_TRUE(c >= 0x20 && c < 0x7f) << "error text must be printable: " << *e;
    ++outcomes;
  };
  for (const std::string& v : valid) {
    for (std::size_t cut = 0; cut < v.size(); cut += 3) check(v.substr(0, cut));
    for (int i = 0; i < 300; ++i) {
      std::string m = v;
      m[rng() % m.size()] = static_cast<char>(rng() % 256);
      check(m);
    }
  }
  for (int i = 0; i < 300; ++i) {
    std::string junk(rng() % 200, '\0');
    for (char& c : junk) c = static_cast<char>(rng() % 256);
    check(junk);
  }
  check(std::string(100000, '[') + std::string(100000, ']'));  // deep nesting
  check(std::string(5000, '{'));
  EXPECT_GT(outcomes, 1000);
}

TEST(WorkerProtocol, BlankLines) {
  EXPECT_TRUE(is_blank_line(""));
  EXPECT_TRUE(is_blank_line(" \t\r"));
  EXPECT_FALSE(is_blank_line(" {}"));
}

}  // namespace
}  // namespace attnsweep
