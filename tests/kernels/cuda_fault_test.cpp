// GPU fault injection through `attnsweep-cli worker`: an out-of-bounds write poisons the
// worker's CUDA context (sticky illegal address) and a spinning kernel never returns; the sweep
// records crashed / timeout and the next cell runs correctly on a fresh worker. Skips without a GPU.
//
// The CLI is found from ATTNSWEEP_CLI in the environment (for a test binary copied to a GPU host),
// else from the path CMake compiled in.
#include <gtest/gtest.h>

#include "support/test_kernels_visible.h"
#include <sys/wait.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <unistd.h>

#include "attnsweep/engine/store.h"
#include "attnsweep/engine/sweep.h"
#include "attnsweep/engine/worker_executor.h"
#include "attnsweep/kernels/device.h"

namespace attnsweep {
namespace {

namespace fs = std::filesystem;

std::string cli_path() {
  if (const char* env = std::getenv("ATTNSWEEP_CLI")) return env;
#ifdef ATTNSWEEP_CLI
  return ATTNSWEEP_CLI;
#else
  return "";
#endif
}

SweepSpec fault_spec(std::vector<std::string> kernels) {
  SweepSpec spec;
  spec.name = "cuda-fault-test";
  spec.kernels = std::move(kernels);
  spec.dtypes = {DType::fp16};
  spec.causal = {false};
  spec.tiers = {TierShape{256, 256, 64, 4, 2}};
  spec.timing.warmup_ms = 5;
  spec.timing.min_samples = 5;
  spec.timing.max_samples = 20;
  spec.timing.max_cell_s = 0.5;
  spec.seed = 3;
  return spec;
}

using test_support::TestKernelsVisible;

class CudaFaultTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (cuda_device_count() == 0) GTEST_SKIP() << "no CUDA device";
    cli_ = cli_path();
    ASSERT_TRUE(!cli_.empty() && fs::exists(cli_)) << "attnsweep-cli not found ('" << cli_ << "'): set ATTNSWEEP_CLI";
    ASSERT_NE(find_kernel("test_cuda_oob"), nullptr) << "the CUDA fault kernels are not registered";
    ASSERT_NE(find_kernel("naive"), nullptr);
    dir_ = fs::temp_directory_path() / ("attnsweep-cuda-fault-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ec;
    if (!dir_.empty()) fs::remove_all(dir_, ec);
  }

  WorkerExecutorOptions options(std::vector<int> devices) const {
    WorkerExecutorOptions o;
    o.command = default_worker_command(cli_, Backend::cuda);
    o.backend = Backend::cuda;
    o.devices = std::move(devices);
    o.watchdog_margin_s = 10;  // the spinning cell is killed after 2 x 0.5 + 10 s
    return o;
  }

  TestKernelsVisible test_kernels_;  // inherited by the workers
  std::string cli_;
  fs::path dir_;
};

TEST_F(CudaFaultTest, OutOfBoundsCrashesSpinTimesOutAndTheNextCellsRun) {
  // This process's own view of device 0, to see that killed workers leave no memory held.
  const std::unique_ptr<Device> gpu = make_cuda_device(0);
  const std::uint64_t free_before = gpu->free_bytes();
  auto ex = make_worker_executor(options({0}));
  EXPECT_EQ(ex->device()->info().backend, Backend::cuda);
  // Plan order is tier by tier, kernels in spec order: oob, naive, spin, then the same on the second
  // tier, so each fault is followed by a healthy cell.
  SweepSpec spec = fault_spec({"test_cuda_oob", "naive", "test_cuda_spin"});
  spec.tiers.push_back(TierShape{512, 512, 64, 4, 1});
  const std::string path = (dir_ / "faults.jsonl").string();
  std::vector<CellResult> seen;
  std::vector<std::string> logs;
  SweepObserver obs;
  obs.cell_finished = [&](std::size_t, const CellResult& r) { seen.push_back(r); };
  obs.log = [&](const std::string& level, const std::string& text) { logs.push_back(level + ": " + text); };
  const SweepOutcome outcome = run_sweep(spec, *ex, SweepFile{path, false}, obs);
  EXPECT_FALSE(outcome.cancelled);
  for (const std::string& l : logs) std::cout << "  log " << l << "\n";

  // oob, naive, spin, oob, naive, spin
  ASSERT_EQ(seen.size(), 6u);
  for (int t = 0; t < 2; ++t) {
    const CellResult& oob = seen[3 * t];
    const CellResult& naive = seen[3 * t + 1];
    const CellResult& spin = seen[3 * t + 2];
    std::cout << "  " << oob.cell.id() << ": " << status_name(oob.status) << " - " << oob.message << "\n"
              << "  " << naive.cell.id() << ": " << status_name(naive.status) << " - " << naive.message << "\n"
              << "  " << spin.cell.id() << ": " << status_name(spin.status) << " - " << spin.message << "\n";
    EXPECT_EQ(oob.cell.kernel, "test_cuda_oob");
    EXPECT_EQ(oob.status, CellStatus::crashed) << oob.message;
    EXPECT_TRUE(oob.message.find("IllegalAddress") != std::string::npos ||
                oob.message.find("illegal memory access") != std::string::npos)
        << "the sticky error should be named: " << oob.message;
    EXPECT_EQ(naive.cell.kernel, "naive");
    EXPECT_EQ(naive.status, CellStatus::ok) << "after the crash, a fresh worker runs the next cell: " << naive.message;
    EXPECT_TRUE(naive.check.passed);
    EXPECT_EQ(spin.cell.kernel, "test_cuda_spin");
    EXPECT_EQ(spin.status, CellStatus::timeout) << spin.message;
  }

  const ResultFile file = read_result_file(path);
  EXPECT_TRUE(file.warnings.empty());
  EXPECT_EQ(file.results.size(), 6u);

  ex.reset();
  int status = 0;
  EXPECT_TRUE(::waitpid(-1, &status, WNOHANG) == -1 && errno == ECHILD) << "workers left behind";

  // The driver frees a dead process's memory as it tears its context down: allow it a moment.
  constexpr std::uint64_t kSlack = 64ull << 20;
  std::uint64_t free_after = gpu->free_bytes();
  for (int i = 0; i < 50 && free_after + kSlack < free_before; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    free_after = gpu->free_bytes();
  }
  std::cout << "  device 0 free memory: " << (free_before >> 20) << " MiB before, " << (free_after >> 20)
            << " MiB after the workers\n";
  EXPECT_GE(free_after + kSlack, free_before) << "GPU memory still held after every worker was reaped";
}

TEST_F(CudaFaultTest, TwoGpusShareTheSweep) {
  if (cuda_device_count() < 2) GTEST_SKIP() << "needs two GPUs";
  auto ex = make_worker_executor(options({0, 1}));
  SweepSpec spec = fault_spec({"naive", "test_cuda_oob"});
  spec.tiers.push_back(TierShape{512, 512, 64, 4, 1});
  spec.tiers.push_back(TierShape{1024, 1024, 64, 4, 1});
  std::vector<CellResult> seen;
  SweepObserver obs;
  obs.cell_finished = [&](std::size_t, const CellResult& r) { seen.push_back(r); };
  const SweepOutcome outcome = run_sweep(spec, *ex, SweepFile{(dir_ / "two.jsonl").string(), false}, obs);
  EXPECT_FALSE(outcome.cancelled);
  ASSERT_EQ(seen.size(), 6u);
  std::set<int> devices;
  for (const CellResult& r : seen) {
    devices.insert(r.device);
    EXPECT_EQ(r.status, r.cell.kernel == "naive" ? CellStatus::ok : CellStatus::crashed) << r.cell.id() << ": " << r.message;
  }
  EXPECT_EQ(devices, (std::set<int>{0, 1}));
}

}  // namespace
}  // namespace attnsweep
