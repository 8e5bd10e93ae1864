// A worker for tests: `attnsweep-fake-worker [--mode MODE]`.
//   real           the real worker loop (run_worker) on the CPU device
//   junk           the real loop, but a junk line follows every event and stderr chatters
//   wrong-version  answers hello with protocol version 99, then waits for end of input
//   exit-early     writes a reason to stderr and exits with code 7 before any hello
//   silent         reads its input and never answers
//   babble         prints a banner with terminal escapes and garbage instead of hello, then waits
//   liar           says hello, then answers each run_cell with an impossible measurement: a
//                  negative median, min above the median, ok with a failed check, a median of null
#include <iostream>
#include <limits>
#include <streambuf>
#include <string>
#include <string_view>

#include "attnsweep/engine/worker.h"
#include "attnsweep/engine/worker_protocol.h"

namespace {

// Passes output through and writes one junk line after each line (cycling through kinds of junk
// a broken peer might send), so the driver meets junk while idle and while a cell runs.
class JunkAfterEachLine final : public std::streambuf {
 public:
  explicit JunkAfterEachLine(std::streambuf* out) : out_(out) {}

 protected:
  int overflow(int c) override {
    if (c == traits_type::eof()) return 0;
    if (out_->sputc(static_cast<char>(c)) == traits_type::eof()) return traits_type::eof();
    if (c == '\n') {
      static const std::string_view kJunk[] = {
          "this is not json",
          "{\"type\":\"cell_res",                       // truncated
          "{\"type\":\"mystery\",\"x\":1}",             // unknown type
          "[1,2,3]",                                    // not an object
          "{\"type\":\"cell_result\",\"seq\":\"seven\"}",  // mistyped field
          "\xff\xfe binary \x01\x02",
      };
      const std::string_view junk = kJunk[n_++ % std::size(kJunk)];
      out_->sputn(junk.data(), static_cast<std::streamsize>(junk.size()));
      out_->sputc('\n');
    }
    return c;
  }
  int sync() override { return out_->pubsync(); }

 private:
  std::streambuf* out_;
  std::size_t n_ = 0;
};

// The lies, in turn: each breaks one rule a record is held to (result.h: result_problem).
attnsweep::CellResult lie(const attnsweep::Cell& cell, std::uint64_t seq) {
  using namespace attnsweep;
  CellResult r;
  r.cell = cell;
  r.status = CellStatus::ok;
  Timing& timing = r.timings.emplace_back();
  timing.mode = TimingMode::cold;
  SampleStats& t = timing.time_ms;
  t.samples = 10;
  t.median = t.mean = t.p10 = t.p90 = t.ci_low = t.ci_high = t.min = t.max = 1.0;
  timing.tflops = cell.problem().flops() / 1e-3 / 1e12;
  timing.gbps = cell.problem().min_bytes() / 1e-3 / 1e9;
  switch (seq % 4) {
    case 1: t.median = -1; break;  // the best time of all
    case 2: t.min = 5; break;      // the fastest sample slower than the median
    case 3:                                  // ok, though its own check failed
      r.check.checked = true;
      r.check.passed = false;
      r.check.rel_err = 0.5;
      r.check.max_abs_err = 0.5;
      r.check.naive_max_abs_err = 0.001;
      r.check.tolerance = 0.01;
      r.check.rows_checked = 8;
      break;
    default: t.median = std::numeric_limits<double>::quiet_NaN(); break;  // JSON null
  }
  return r;
}

int liar() {
  using namespace attnsweep;
  for (std::string line; std::getline(std::cin, line);) {
    const Parsed<WorkerRequest> request = parse_request(line);
    if (!request.ok()) continue;
    if (std::holds_alternative<HelloRequest>(*request.value)) {
      HelloEvent hello;
      hello.worker = "attnsweep-fake-worker liar";
      hello.device.name = "a device that lies";
      hello.caps.known = true;
      std::cout << to_line(WorkerEvent{hello}) << std::endl;
    } else if (const auto* run = std::get_if<RunCellRequest>(&*request.value)) {
      std::cout << to_line(WorkerEvent{CellResultEvent{run->seq, lie(run->cell, run->seq)}}) << std::endl;
    } else if (std::holds_alternative<ShutdownRequest>(*request.value)) {
      break;
    }
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string mode = "real";
  for (int i = 1; i + 1 < argc; ++i)
    if (std::string_view(argv[i]) == "--mode") mode = argv[i + 1];

  attnsweep::WorkerOptions options;
  options.backend = attnsweep::Backend::cpu;
  options.name = "attnsweep-fake-worker";

  if (mode == "real") return attnsweep::run_worker(std::cin, std::cout, options);
  if (mode == "junk") {
    std::cerr << "fake worker: junk mode\n";
    JunkAfterEachLine junk(std::cout.rdbuf());
    std::ostream out(&junk);
    std::cout << "junk before hello\n" << std::flush;
    return attnsweep::run_worker(std::cin, out, options);
  }
  if (mode == "wrong-version") {
    std::string line;
    std::getline(std::cin, line);
    std::cout << R"({"type":"hello","protocol":99,"worker":"fake from the future"})" << std::endl;
    while (std::getline(std::cin, line)) {
    }
    return 0;
  }
  if (mode == "exit-early") {
    std::cerr << "fake worker: exiting early on purpose\n";
    return 7;
  }
  if (mode == "babble") {
    std::cout << "Welcome to gpu-host!\x1b]0;pwned\x07\x1b[2J\nLast login: never\n\xff\xfe garbage without end"
              << std::flush;
    std::string line;
    while (std::getline(std::cin, line)) {
    }
    return 0;
  }
  if (mode == "liar") return liar();
  if (mode == "silent") {
    std::string line;
    while (std::getline(std::cin, line)) {
    }
    return 0;
  }
  std::cerr << "attnsweep-fake-worker: unknown --mode '" << mode
            << "' (known: real, junk, wrong-version, exit-early, silent, babble, liar)\n";
  return 2;
}
