// run_sweep's guard: a sweep of which nothing can run is refused before its file is written.
#include "attnsweep/engine/sweep.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "attnsweep/kernels/device.h"

namespace fs = std::filesystem;
using namespace attnsweep;

namespace {

SweepSpec tiny_spec(DType dtype) {
  SweepSpec spec;
  spec.name = "tiny";
  spec.kernels = {"cpu_naive", "cpu_flash"};
  spec.dtypes = {dtype};
  spec.causal = {false};
  spec.tiers = {TierShape{32, 32, 16, 2, 1}};
  spec.timing.min_samples = 1;
  spec.timing.max_samples = 2;
  spec.timing.warmup_ms = 0;
  return spec;
}

}  // namespace

TEST(Sweep, WhyNothingRunsNamesEachKernelsReasonAndWhatWouldRun) {
  const DeviceCaps cpu{Backend::cpu, 0, 0, 0, true};
  EXPECT_EQ(why_nothing_runs(make_plan(tiny_spec(DType::fp32), cpu), Backend::cpu), "");
  const std::string why = why_nothing_runs(make_plan(tiny_spec(DType::fp16), cpu), Backend::cpu);
  EXPECT_TRUE(why.starts_with("nothing in sweep 'tiny' can run on cpu: cpu_naive: ")) << why;
  EXPECT_NE(why.find("; cpu_flash: "), std::string::npos) << why;
  EXPECT_NE(why.find("Kernels that run on cpu: cpu_naive and cpu_flash."), std::string::npos) << why;

  // Another backend's kernels, as the plan marks them.
  Plan elsewhere = make_plan(tiny_spec(DType::fp32), cpu);
  for (Cell& c : elsewhere.cells) {
    c.supported = false;
    c.unsupported_reason = "runs on cuda; this run uses cpu";
  }
  const std::string cuda = why_nothing_runs(elsewhere, Backend::cpu);
  EXPECT_NE(cuda.find("cpu_naive and cpu_flash run on cuda."), std::string::npos) << cuda;
  EXPECT_NE(cuda.find("with the cuda backend, on a machine with a CUDA device"), std::string::npos) << cuda;
}

TEST(Sweep, NothingToRunLeavesNoFile) {
  const fs::path file = fs::temp_directory_path() / ("attnsweep-sweep-test-" + std::to_string(::getpid()) + ".jsonl");
  fs::remove(file);
  auto executor = make_in_process_executor(make_cpu_device());
  EXPECT_THROW(run_sweep(tiny_spec(DType::fp16), *executor, {file.string(), false}, {}), NothingToRun);
  EXPECT_FALSE(fs::exists(file));
  const SweepOutcome ran = run_sweep(tiny_spec(DType::fp32), *executor, {file.string(), false}, {});
  EXPECT_EQ(ran.measured, 2u);
  EXPECT_EQ(ran.by_status.at("ok"), 2u);
  fs::remove(file);
}
