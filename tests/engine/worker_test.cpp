// run_worker driven in-process through string streams: the worker side of the protocol.
#include "attnsweep/engine/worker.h"

#include <gtest/gtest.h>

#include "support/test_kernels_visible.h"

#include <cstdlib>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "attnsweep/engine/worker_protocol.h"

namespace attnsweep {
namespace {

Cell small_cell(const std::string& kernel, std::int64_t n = 48) {
  Cell c;
  c.kernel = kernel;
  c.tier.shape = TierShape{n, n, 16, 2, 1};
  c.tier.name = tier_name(c.tier.shape);
  c.dtype = DType::fp32;
  return c;
}

RunCellRequest run_cell(std::uint64_t seq, const Cell& cell) {
  RunCellRequest r;
  r.seq = seq;
  r.cell = cell;
  r.timing.warmup_ms = 1;
  r.timing.min_samples = 3;
  r.timing.max_samples = 5;
  r.timing.max_cell_s = 0.2;
  r.seed = 5;
  return r;
}

struct Session {
  int code = -1;
  std::vector<WorkerEvent> events;
  std::vector<std::string> raw;
};

Session run_lines(const std::vector<std::string>& lines) {
  std::string input;
  for (const std::string& l : lines) input += l + "\n";
  std::istringstream in(input);
  std::ostringstream out;
  WorkerOptions options;
  options.backend = Backend::cpu;
  Session s;
  s.code = run_worker(in, out, options);
  std::istringstream produced(out.str());
  for (std::string line; std::getline(produced, line);) {
    s.raw.push_back(line);
    Parsed<WorkerEvent> e = parse_event(line);
    EXPECT_TRUE(e.ok()) << "the worker wrote an unreadable line: " << line << " (" << e.error << ")";
    if (e.ok()) s.events.push_back(*e.value);
  }
  return s;
}

std::string hello_line() { return to_line(WorkerRequest{HelloRequest{kWorkerProtocolVersion, "test"}}); }

template <class T>
std::vector<T> all_of(const Session& s) {
  std::vector<T> out;
  for (const WorkerEvent& e : s.events)
    if (auto* t = std::get_if<T>(&e)) out.push_back(*t);
  return out;
}

using test_support::TestKernelsVisible;

class WorkerTest : public ::testing::Test {
 protected:
  TestKernelsVisible test_kernels_;
};

TEST_F(WorkerTest, HelloThenCellsThenShutdown) {
  const Session s = run_lines({hello_line(), to_line(WorkerRequest{run_cell(1, small_cell("cpu_naive"))}),
                               to_line(WorkerRequest{run_cell(2, small_cell("cpu_flash", 33))}),
                               to_line(WorkerRequest{ShutdownRequest{}})});
  EXPECT_EQ(s.code, kWorkerExitOk);
  ASSERT_GE(s.events.size(), 6u);
  const auto* hello = std::get_if<HelloEvent>(&s.events.front());
  ASSERT_NE(hello, nullptr) << "the first event must be hello";
  EXPECT_EQ(hello->protocol, kWorkerProtocolVersion);
  EXPECT_EQ(hello->device.backend, Backend::cpu);
  EXPECT_FALSE(hello->device.name.empty());
  EXPECT_GT(hello->free_bytes, 0u);

  const auto started = all_of<CellStartedEvent>(s);
  ASSERT_EQ(started.size(), 2u);
  EXPECT_EQ(started[0].seq, 1u);
  EXPECT_EQ(started[0].cell_id, small_cell("cpu_naive").id());
  const auto results = all_of<CellResultEvent>(s);
  ASSERT_EQ(results.size(), 2u);
  for (const CellResultEvent& r : results) {
    EXPECT_EQ(r.result.status, CellStatus::ok) << r.result.message;
    ASSERT_FALSE(r.result.timings.empty());
    EXPECT_GT(r.result.timings.front().time_ms.median, 0);
    EXPECT_TRUE(r.result.check.passed);
  }
  EXPECT_EQ(results[1].seq, 2u);
  EXPECT_EQ(results[1].result.cell.id(), small_cell("cpu_flash", 33).id());
  const auto* bye = std::get_if<ByeEvent>(&s.events.back());
  ASSERT_NE(bye, nullptr) << "the last event must be bye";
  EXPECT_EQ(bye->reason, "shutdown");
}

TEST_F(WorkerTest, RejectsADriverOfAnotherProtocolVersion) {
  const Session s = run_lines({to_line(WorkerRequest{HelloRequest{kWorkerProtocolVersion + 1, "future"}}),
                               to_line(WorkerRequest{run_cell(1, small_cell("cpu_naive"))})});
  EXPECT_EQ(s.code, kWorkerExitProtocol);
  const auto errors = all_of<ErrorEvent>(s);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_TRUE(errors[0].fatal);
  EXPECT_NE(errors[0].message.find("version " + std::to_string(kWorkerProtocolVersion + 1)), std::string::npos)
      << errors[0].message;
  EXPECT_NE(errors[0].message.find("version " + std::to_string(kWorkerProtocolVersion)), std::string::npos);
  EXPECT_TRUE(all_of<CellResultEvent>(s).empty()) << "nothing runs after a version mismatch";
  EXPECT_TRUE(std::holds_alternative<ByeEvent>(s.events.back()));
}

TEST_F(WorkerTest, GarbageRequestsGetErrorsAndTheWorkerGoesOn) {
  const Session s = run_lines({"not json at all", hello_line(), R"({"type":"run_cell","seq":1)", "",
                               R"({"type":"dance"})", "[]", to_line(WorkerRequest{run_cell(4, small_cell("cpu_naive"))})});
  EXPECT_EQ(s.code, kWorkerExitOk);
  const auto errors = all_of<ErrorEvent>(s);
  ASSERT_EQ(errors.size(), 4u);  // the blank line is not an error
  EXPECT_NE(errors[0].message.find("request line 1"), std::string::npos) << errors[0].message;
  EXPECT_NE(errors[0].message.find("not valid JSON"), std::string::npos);
  EXPECT_NE(errors[2].message.find("unknown request type 'dance'"), std::string::npos) << errors[2].message;
  for (const ErrorEvent& e : errors) EXPECT_FALSE(e.fatal);
  const auto results = all_of<CellResultEvent>(s);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].result.status, CellStatus::ok) << results[0].result.message;
  const auto* bye = std::get_if<ByeEvent>(&s.events.back());
  ASSERT_NE(bye, nullptr);
  EXPECT_EQ(bye->reason, "end of input");
}

TEST_F(WorkerTest, RunCellBeforeHelloIsRefused) {
  const Session s = run_lines({to_line(WorkerRequest{run_cell(1, small_cell("cpu_naive"))}), hello_line()});
  const auto errors = all_of<ErrorEvent>(s);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].message.find("send hello first"), std::string::npos) << errors[0].message;
  EXPECT_TRUE(all_of<CellResultEvent>(s).empty());
  EXPECT_EQ(all_of<HelloEvent>(s).size(), 1u);
}

TEST_F(WorkerTest, UnknownKernelAndWrongValuesBecomeStatuses) {
  const Session s = run_lines({hello_line(), to_line(WorkerRequest{run_cell(1, small_cell("no_such_kernel"))}),
                               to_line(WorkerRequest{run_cell(2, small_cell("test_garbage"))}),
                               to_line(WorkerRequest{run_cell(3, small_cell("cpu_naive"))})});
  const auto results = all_of<CellResultEvent>(s);
  ASSERT_EQ(results.size(), 3u);
  EXPECT_EQ(results[0].result.status, CellStatus::error);
  EXPECT_NE(results[0].result.message.find("not built into this worker"), std::string::npos);
  EXPECT_EQ(results[1].result.status, CellStatus::wrong) << results[1].result.message;
  EXPECT_TRUE(results[1].result.timings.empty()) << "a wrong cell has no time";
  EXPECT_EQ(results[2].result.status, CellStatus::ok) << "the cell after a wrong one runs normally";
}

TEST_F(WorkerTest, CancelStopsTheRunningCell) {
  // A cell that would sample for 30 s; the cancel right behind it is read while it runs.
  RunCellRequest slow = run_cell(1, small_cell("cpu_naive", 64));
  slow.timing.min_samples = 1000000;
  slow.timing.max_samples = 1000000;
  slow.timing.max_cell_s = 30;
  const Session s = run_lines({hello_line(), to_line(WorkerRequest{slow}), to_line(WorkerRequest{CancelRequest{}})});
  const auto results = all_of<CellResultEvent>(s);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].result.status, CellStatus::skipped);
  EXPECT_EQ(results[0].result.message, "cancelled");
}

// The worker does not trust the driver's plan: a CPU kernel handed fp16 (2-byte buffers it would
// write floats into) or a CUDA kernel on the CPU device never runs.
TEST_F(WorkerTest, ACellTheKernelDoesNotSupportIsAnsweredNotRun) {
  Cell half = small_cell("cpu_naive");
  half.dtype = DType::fp16;
  Cell half_flash = small_cell("cpu_flash");
  half_flash.dtype = DType::bf16;
  std::vector<std::string> lines = {hello_line(), to_line(WorkerRequest{run_cell(1, half)}),
                                    to_line(WorkerRequest{run_cell(2, half_flash)})};
  for (const Kernel* k : cuda_kernels()) lines.push_back(to_line(WorkerRequest{run_cell(3, small_cell(k->info().name))}));
  lines.push_back(to_line(WorkerRequest{run_cell(4, small_cell("cpu_naive"))}));
  const Session s = run_lines(lines);
  EXPECT_EQ(s.code, kWorkerExitOk);
  const auto results = all_of<CellResultEvent>(s);
  ASSERT_EQ(results.size(), lines.size() - 1);
  EXPECT_EQ(results[0].result.status, CellStatus::unsupported) << results[0].result.message;
  EXPECT_NE(results[0].result.message.find("fp32 only"), std::string::npos) << results[0].result.message;
  EXPECT_EQ(results[1].result.status, CellStatus::unsupported) << results[1].result.message;
  for (std::size_t i = 2; i + 1 < results.size(); ++i) {
    EXPECT_EQ(results[i].result.status, CellStatus::skipped) << results[i].result.message;
    EXPECT_NE(results[i].result.message.find("runs on cuda"), std::string::npos) << results[i].result.message;
  }
  EXPECT_EQ(results.back().result.status, CellStatus::ok) << "the worker goes on" << results.back().result.message;
}

// A request line that never ends is not held whole: past the protocol's limit it is dropped.
TEST_F(WorkerTest, AnOverlongRequestLineIsRefusedUnread) {
  const Session s = run_lines({hello_line(), std::string(kMaxProtocolLineBytes + 10, 'x'),
                               to_line(WorkerRequest{run_cell(1, small_cell("cpu_naive"))})});
  const auto errors = all_of<ErrorEvent>(s);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].message.find("longer than " + std::to_string(kMaxProtocolLineBytes)), std::string::npos)
      << errors[0].message;
  const auto results = all_of<CellResultEvent>(s);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].result.status, CellStatus::ok) << results[0].result.message;
}

TEST_F(WorkerTest, EveryLineIsOneJsonObject) {
  const Session s = run_lines({hello_line(), to_line(WorkerRequest{run_cell(1, small_cell("cpu_naive"))})});
  ASSERT_FALSE(s.raw.empty());
  for (const std::string& line : s.raw) {
    EXPECT_EQ(line.front(), '{') << line;
    EXPECT_EQ(line.back(), '}') << line;
  }
}

}  // namespace
}  // namespace attnsweep
