// The worker executor against real child processes: attnsweep-fake-worker (the real worker loop on
// the CPU, or a scripted misbehaving peer) and, once wired, `attnsweep-cli worker`.
#include "attnsweep/engine/worker_executor.h"

#include <gtest/gtest.h>

#include "support/test_kernels_visible.h"
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <dirent.h>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <thread>

#include "attnsweep/engine/store.h"
#include "attnsweep/engine/sweep.h"
#include "attnsweep/engine/worker_protocol.h"

namespace attnsweep {
namespace {

namespace fs = std::filesystem;

// ATTNSWEEP_FAKE_WORKER from the environment, else the path CMake compiled in.
std::string fake_worker_path() {
  if (const char* env = std::getenv("ATTNSWEEP_FAKE_WORKER")) return env;
#ifdef ATTNSWEEP_FAKE_WORKER
  return ATTNSWEEP_FAKE_WORKER;
#else
  return "";
#endif
}

SweepSpec small_spec(std::vector<std::string> kernels, int tiers = 1) {
  SweepSpec spec;
  spec.name = "worker-executor-test";
  spec.kernels = std::move(kernels);
  spec.dtypes = {DType::fp32};
  spec.causal = {false};
  for (int i = 0; i < tiers; ++i) spec.tiers.push_back(TierShape{32 + 16 * i, 32 + 16 * i, 16, 2, 1});
  spec.timing.warmup_ms = 1;
  spec.timing.min_samples = 3;
  spec.timing.max_samples = 5;
  spec.timing.max_cell_s = 0.2;
  spec.seed = 11;
  return spec;
}

// Children of this process in a given state ('Z' zombie), read from /proc.
int children_in_state(char state) {
  int n = 0;
  DIR* proc = ::opendir("/proc");
  if (!proc) return -1;
  while (dirent* e = ::readdir(proc)) {
    if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
    std::ifstream stat(std::string("/proc/") + e->d_name + "/stat");
    std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
    const auto close = text.rfind(')');
    if (close == std::string::npos) continue;
    char st = 0;
    int ppid = 0;
    if (std::sscanf(text.c_str() + close + 1, " %c %d", &st, &ppid) == 2 && ppid == ::getpid() && st == state) ++n;
  }
  ::closedir(proc);
  return n;
}

bool has_no_children() {
  int status = 0;
  return ::waitpid(-1, &status, WNOHANG) == -1 && errno == ECHILD;
}

struct Collected {
  std::vector<CellResult> results;
  std::vector<std::string> logs;
  std::map<std::string, CellResult> by_kernel() const {
    std::map<std::string, CellResult> m;
    for (const CellResult& r : results) m[r.cell.kernel] = r;
    return m;
  }
};

using test_support::TestKernelsVisible;

class WorkerExecutorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    worker_ = fake_worker_path();
    ASSERT_FALSE(worker_.empty() || !fs::exists(worker_))
        << "attnsweep-fake-worker not found ('" << worker_ << "'): add add_subdirectory(engine/fake_worker) to "
        << "tests/CMakeLists.txt, or set ATTNSWEEP_FAKE_WORKER";
    dir_ = fs::temp_directory_path() / ("attnsweep-worker-executor-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  WorkerExecutorOptions options(const std::string& mode = "real") const {
    WorkerExecutorOptions o;
    o.command = {worker_, "--mode", mode};
    o.backend = Backend::cpu;
    o.devices = {0};
    o.watchdog_factor = 2;
    // The hang cell is declared a timeout after 2 x 0.2 + 10 s; the margin is generous because the
    // CPU kernels share a loaded machine with the tests' other processes.
    o.watchdog_margin_s = 10;
    o.startup_timeout_s = 30;
    return o;
  }

  Collected run(Executor& ex, const Plan& plan, const std::atomic<bool>* cancel = nullptr, bool* finished = nullptr,
                const std::function<void(const Cell&)>& on_start = {}) {
    Collected c;
    SweepObserver obs;
    obs.log = [&](const std::string& level, const std::string& text) { c.logs.push_back(level + ": " + text); };
    obs.cell_started = [&](std::size_t, const Cell& cell) {
      if (on_start) on_start(cell);
    };
    RunOptions ro;
    ro.cancel = cancel;
    const bool done = ex.run(plan, ro, obs, [&](const CellResult& r) { c.results.push_back(r); });
    if (finished) *finished = done;
    return c;
  }

  TestKernelsVisible test_kernels_;  // the children inherit it
  std::string worker_;
  fs::path dir_;
};

TEST_F(WorkerExecutorTest, MeasuresCellsInAWorkerAndKnowsItsDevice) {
  auto ex = make_worker_executor(options());
  EXPECT_EQ(ex->describe(), "cpu:0 (worker)");
  ASSERT_NE(ex->device(), nullptr);
  EXPECT_EQ(ex->device()->info().backend, Backend::cpu);
  EXPECT_FALSE(ex->device()->info().name.empty());
  EXPECT_TRUE(ex->caps().known);

  const Plan plan = make_plan(small_spec({"cpu_naive", "cpu_flash"}, 2), ex->caps());
  bool finished = false;
  const Collected c = run(*ex, plan, nullptr, &finished);
  EXPECT_TRUE(finished);
  ASSERT_EQ(c.results.size(), 4u);
  for (const CellResult& r : c.results) {
    EXPECT_EQ(r.status, CellStatus::ok) << r.cell.id() << ": " << r.message;
    ASSERT_FALSE(r.timings.empty());
    EXPECT_GT(r.timings.front().time_ms.median, 0);
    EXPECT_TRUE(r.check.passed);
  }
  EXPECT_TRUE(c.logs.empty()) << c.logs.front();
}

// The worker executor's main promise: after each fault the next cell runs correctly, the faulty cells carry
// the right status, and the result file stays valid.
TEST_F(WorkerExecutorTest, SurvivesSegfaultHangAndGarbageAndKeepsTheFileValid) {
  auto ex = make_worker_executor(options());
  const SweepSpec spec = small_spec({"test_segfault", "cpu_naive", "test_hang", "cpu_flash", "test_garbage"});
  const std::string path = (dir_ / "faults.jsonl").string();
  SweepOutcome outcome;
  std::vector<CellResult> seen;
  SweepObserver obs;
  obs.cell_finished = [&](std::size_t, const CellResult& r) { seen.push_back(r); };
  ASSERT_NO_THROW(outcome = run_sweep(spec, *ex, SweepFile{path, false}, obs));
  EXPECT_FALSE(outcome.cancelled);
  EXPECT_EQ(outcome.measured, 5u);

  // The order is the plan's: each fault is followed by a healthy cell.
  ASSERT_EQ(seen.size(), 5u);
  EXPECT_EQ(seen[0].cell.kernel, "test_segfault");
  EXPECT_EQ(seen[0].status, CellStatus::crashed);
  EXPECT_NE(seen[0].message.find("signal 11"), std::string::npos) << seen[0].message;
  EXPECT_EQ(seen[1].status, CellStatus::ok) << seen[1].message;
  EXPECT_EQ(seen[2].cell.kernel, "test_hang");
  EXPECT_EQ(seen[2].status, CellStatus::timeout);
  EXPECT_NE(seen[2].message.find("watchdog"), std::string::npos) << seen[2].message;
  EXPECT_EQ(seen[3].status, CellStatus::ok) << seen[3].message;
  EXPECT_EQ(seen[4].cell.kernel, "test_garbage");
  EXPECT_EQ(seen[4].status, CellStatus::wrong) << seen[4].message;
  for (const CellResult& r : seen)
    if (r.status != CellStatus::ok) EXPECT_TRUE(r.timings.empty()) << r.cell.id() << " must have no time";

  EXPECT_EQ(children_in_state('Z'), 0) << "a dead worker was not reaped";

  const ResultFile file = read_result_file(path);
  EXPECT_TRUE(file.warnings.empty());
  ASSERT_EQ(file.results.size(), 5u);
  std::map<std::string, CellStatus> in_file;
  for (const CellResult& r : file.results) in_file[r.cell.kernel] = r.status;
  EXPECT_EQ(in_file["test_segfault"], CellStatus::crashed);
  EXPECT_EQ(in_file["test_hang"], CellStatus::timeout);
  EXPECT_EQ(in_file["test_garbage"], CellStatus::wrong);
  EXPECT_EQ(in_file["cpu_naive"], CellStatus::ok);
  EXPECT_EQ(in_file["cpu_flash"], CellStatus::ok);
  EXPECT_EQ(file.header.value("executor", ""), "cpu:0 (worker)");

  ex.reset();
  EXPECT_TRUE(has_no_children()) << "workers left behind after the executor was destroyed";
}

TEST_F(WorkerExecutorTest, JunkFromAWorkerIsReportedAndNeverFatal) {
  auto ex = make_worker_executor(options("junk"));
  const Plan plan = make_plan(small_spec({"cpu_naive", "cpu_flash"}), ex->caps());
  bool finished = false;
  const Collected c = run(*ex, plan, nullptr, &finished);
  EXPECT_TRUE(finished);
  ASSERT_EQ(c.results.size(), 2u);
  for (const CellResult& r : c.results) EXPECT_EQ(r.status, CellStatus::ok) << r.message;
  int unreadable = 0, stderr_lines = 0;
  for (const std::string& l : c.logs) {
    unreadable += l.find("unreadable line") != std::string::npos;
    stderr_lines += l.find("worker stderr: fake worker: junk mode") != std::string::npos;
  }
  // The junk said before the run began (during hello) is delivered at the start of run().
  EXPECT_GE(unreadable, 4) << "junk lines must be reported";
  EXPECT_EQ(stderr_lines, 1);
}

TEST_F(WorkerExecutorTest, RejectsAWorkerOfAnotherProtocolVersion) {
  try {
    make_worker_executor(options("wrong-version"));
    FAIL() << "a worker speaking protocol 99 was accepted";
  } catch (const std::runtime_error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("version 99"), std::string::npos) << what;
    EXPECT_NE(what.find("version " + std::to_string(kWorkerProtocolVersion)), std::string::npos) << what;
    EXPECT_NE(what.find("cpu:0"), std::string::npos) << what;
  }
  EXPECT_TRUE(has_no_children());
}

TEST_F(WorkerExecutorTest, AWorkerThatExitsAtStartIsExplained) {
  try {
    make_worker_executor(options("exit-early"));
    FAIL() << "a worker that exited was accepted";
  } catch (const std::runtime_error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("exited with code 7"), std::string::npos) << what;
    EXPECT_NE(what.find("exiting early on purpose"), std::string::npos) << "stderr belongs in the reason: " << what;
  }
  EXPECT_TRUE(has_no_children());
}

TEST_F(WorkerExecutorTest, AWorkerThatNeverSaysHelloTimesOut) {
  WorkerExecutorOptions o = options("silent");
  o.startup_timeout_s = 0.5;
  try {
    make_worker_executor(o);
    FAIL() << "a silent worker was accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("no hello within"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(has_no_children());
}

// A login banner, a shell's complaint or garbage where hello should be: the failure shows it,
// escaped, so a terminal showing the message is not driven by it.
TEST_F(WorkerExecutorTest, AWorkerThatNeverSaysHelloIsShownWithWhatItPrinted) {
  WorkerExecutorOptions o = options("babble");
  o.startup_timeout_s = 0.5;
  o.max_start_attempts = 1;
  try {
    make_worker_executor(o);
    FAIL() << "a babbling worker was accepted";
  } catch (const std::runtime_error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("no hello within 0.5 s"), std::string::npos) << what;
    EXPECT_NE(what.find("instead of hello it printed: \"Welcome to gpu-host!\\x1b]0;pwned\\x07"), std::string::npos)
        << what;
    EXPECT_NE(what.find("\\xff\\xfe garbage"), std::string::npos) << what;
    for (char c : what) EXPECT_FALSE(static_cast<unsigned char>(c) < 0x20) << "a control character in: " << what;
  }
  EXPECT_TRUE(has_no_children());
}

// A worker's (or provider's) results are checked where they enter: an impossible measurement
// becomes an error (or, ok with a failed check, wrong) with the rule it broke; none is ok.
TEST_F(WorkerExecutorTest, ImpossibleMeasurementsFromAWorkerAreNeverOk) {
  auto ex = make_worker_executor(options("liar"));
  SweepSpec spec = small_spec({"cpu_naive"}, 4);
  const Plan plan = make_plan(spec, ex->caps());
  const Collected c = run(*ex, plan);
  ASSERT_EQ(c.results.size(), 4u);
  for (const CellResult& r : c.results) {
    EXPECT_NE(r.status, CellStatus::ok) << r.cell.id();
    EXPECT_TRUE(r.timings.empty()) << r.cell.id();
    EXPECT_EQ(result_problem(r), "") << "what the executor delivers is a valid record";
  }
  // Seq 1..4 went to the cells in plan order.
  EXPECT_EQ(c.results[0].status, CellStatus::error);
  EXPECT_NE(c.results[0].message.find("time_ms.median"), std::string::npos) << c.results[0].message;
  EXPECT_NE(c.results[0].message.find("the worker for cpu:0 sent an impossible result"), std::string::npos)
      << c.results[0].message;
  EXPECT_EQ(c.results[1].status, CellStatus::error);
  EXPECT_NE(c.results[1].message.find("time_ms.min: 5.0 is above p10 1.0"), std::string::npos) << c.results[1].message;
  EXPECT_EQ(c.results[2].status, CellStatus::wrong) << c.results[2].message;
  EXPECT_NE(c.results[2].message.find("failed correctness check"), std::string::npos) << c.results[2].message;
  EXPECT_EQ(c.results[3].status, CellStatus::error);
  EXPECT_NE(c.results[3].message.find("time_ms.median: must be a number (got null)"), std::string::npos)
      << c.results[3].message;
}

// The watchdog's deadline is now + factor x max_cell_s + margin: a huge product must mean "no
// deadline", not overflow the clock into the past and time every cell out at once.
TEST_F(WorkerExecutorTest, AHugeWatchdogDoesNotOverflowIntoAnInstantTimeout) {
  WorkerExecutorOptions o = options();
  o.watchdog_factor = 1e12;
  auto ex = make_worker_executor(o);
  const Plan plan = make_plan(small_spec({"cpu_naive"}), ex->caps());
  const Collected c = run(*ex, plan);
  ASSERT_EQ(c.results.size(), 1u);
  EXPECT_EQ(c.results[0].status, CellStatus::ok) << c.results[0].message;
}

TEST_F(WorkerExecutorTest, AMissingProgramIsExplained) {
  WorkerExecutorOptions o = options();
  o.command = {(dir_ / "no-such-worker").string(), "worker"};
  try {
    make_worker_executor(o);
    FAIL() << "a missing program was accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("no-such-worker"), std::string::npos) << e.what();
  }
  o.command = {};
  EXPECT_THROW(make_worker_executor(o), std::runtime_error);
}

TEST_F(WorkerExecutorTest, CancelKillsAWorkerStuckInAKernelAndLeavesTheCellUnfinished) {
  WorkerExecutorOptions o = options();
  o.watchdog_margin_s = 600;  // only the cancel can end the hang
  o.cancel_grace_s = 0.5;
  auto ex = make_worker_executor(o);
  const Plan plan = make_plan(small_spec({"test_hang", "cpu_naive"}), ex->caps());
  std::atomic<bool> cancel{false};
  std::thread canceller;
  bool finished = true;
  const auto start = std::chrono::steady_clock::now();
  const Collected c = run(*ex, plan, &cancel, &finished, [&](const Cell& cell) {
    if (cell.kernel == "test_hang")
      canceller = std::thread([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
        cancel = true;
      });
  });
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  canceller.join();
  EXPECT_FALSE(finished);
  EXPECT_TRUE(c.results.empty()) << "the interrupted cell must not be recorded (resume reruns it); got "
                                 << c.results.front().cell.id();
  EXPECT_LT(seconds, 60) << "the cancel did not end the hung cell; only a 600 s watchdog would have";
  EXPECT_EQ(children_in_state('Z'), 0);

  // The executor recovers: a fresh worker measures the next sweep.
  const Plan next = make_plan(small_spec({"cpu_naive"}), ex->caps());
  bool next_finished = false;
  const Collected after = run(*ex, next, nullptr, &next_finished);
  EXPECT_TRUE(next_finished);
  ASSERT_EQ(after.results.size(), 1u);
  EXPECT_EQ(after.results[0].status, CellStatus::ok) << after.results[0].message;
}

TEST_F(WorkerExecutorTest, CancelledSweepResumesToACompleteFile) {
  auto ex = make_worker_executor(options());
  const SweepSpec spec = small_spec({"cpu_naive", "cpu_flash"}, 3);
  const std::string path = (dir_ / "resume.jsonl").string();
  std::atomic<bool> cancel{false};
  SweepObserver obs;
  int finished_cells = 0;
  obs.cell_finished = [&](std::size_t, const CellResult&) {
    if (++finished_cells == 2) cancel = true;
  };
  const SweepOutcome first = run_sweep(spec, *ex, SweepFile{path, false}, obs, &cancel);
  EXPECT_TRUE(first.cancelled);
  EXPECT_EQ(first.measured, 2u);
  EXPECT_EQ(read_result_file(path).results.size(), 2u);

  const SweepOutcome second = run_sweep(spec, *ex, SweepFile{path, true}, SweepObserver{});
  EXPECT_FALSE(second.cancelled);
  EXPECT_EQ(second.already_done, 2u);
  EXPECT_EQ(second.measured, 4u);
  const ResultFile file = read_result_file(path);
  ASSERT_EQ(file.results.size(), 6u);
  std::set<std::string> ids;
  for (const CellResult& r : file.results) ids.insert(r.cell.id());
  EXPECT_EQ(ids.size(), 6u) << "every cell exactly once";
}

TEST_F(WorkerExecutorTest, TwoWorkersShareTheCellsAndOneCrashDoesNotStopTheOther) {
  WorkerExecutorOptions o = options();
  o.devices = {0, 1};  // on the CPU backend the ordinal only labels the worker
  o.watchdog_margin_s = 120;  // two workers compete for the cores: slow is not hung here
  auto ex = make_worker_executor(o);
  EXPECT_EQ(ex->describe(), "cpu:0,1 (worker)");
  const Plan plan = make_plan(small_spec({"test_segfault", "cpu_naive", "cpu_flash"}, 3), ex->caps());
  bool finished = false;
  const Collected c = run(*ex, plan, nullptr, &finished);
  EXPECT_TRUE(finished);
  ASSERT_EQ(c.results.size(), 9u);
  std::set<int> devices;
  std::set<std::string> ids;
  for (const CellResult& r : c.results) {
    devices.insert(r.device);
    ids.insert(r.cell.id());
    if (r.cell.kernel == "test_segfault") EXPECT_EQ(r.status, CellStatus::crashed) << r.message;
    else EXPECT_EQ(r.status, CellStatus::ok) << r.cell.id() << ": " << r.message;
  }
  EXPECT_EQ(ids.size(), 9u) << "every cell exactly once";
  EXPECT_EQ(devices, (std::set<int>{0, 1})) << "both workers measured";
  ex.reset();
  EXPECT_TRUE(has_no_children());
}

TEST_F(WorkerExecutorTest, UnsupportedCellsAreDecidedWithoutAWorker) {
  auto ex = make_worker_executor(options());
  SweepSpec spec = small_spec({"cpu_naive"});
  spec.dtypes = {DType::fp16};  // cpu_naive is fp32 only
  const Plan plan = make_plan(spec, ex->caps());
  ASSERT_FALSE(plan.cells.at(0).supported);
  const Collected c = run(*ex, plan);
  ASSERT_EQ(c.results.size(), 1u);
  EXPECT_EQ(c.results[0].status, CellStatus::unsupported);
  EXPECT_EQ(c.results[0].message, plan.cells[0].unsupported_reason);
}

// `attnsweep-cli worker` itself (the subcommand the CLI wires to run_worker) speaks the protocol.
TEST_F(WorkerExecutorTest, TheCliWorkerSpeaksTheProtocol) {
  const char* env = std::getenv("ATTNSWEEP_CLI");
  const std::string cli = env ? env : ATTNSWEEP_CLI;
  WorkerExecutorOptions o = options();
  o.command = default_worker_command(cli, Backend::cpu);
  auto ex = make_worker_executor(o);
  const Plan plan = make_plan(small_spec({"cpu_flash"}), ex->caps());
  const Collected c = run(*ex, plan);
  ASSERT_EQ(c.results.size(), 1u);
  EXPECT_EQ(c.results[0].status, CellStatus::ok) << c.results[0].message;
}

TEST(WorkerCommand, DefaultNamesTheDevice) {
  const auto argv = default_worker_command("/opt/attnsweep-cli", Backend::cuda);
  EXPECT_EQ(argv, (std::vector<std::string>{"/opt/attnsweep-cli", "worker", "--backend", "cuda", "--device", "{device}"}));
  EXPECT_FALSE(current_executable_path().empty());
}

}  // namespace
}  // namespace attnsweep
