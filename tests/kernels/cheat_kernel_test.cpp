// The planted cheats of kernels/cheat_kernel.h, measured by measure_cell as a sweep measures a
// cell: each is right almost everywhere, and each comes out `wrong` under the default check, while
// the kernel it wraps passes the same cells. The CPU cheats (around cpu_flash, fp32) run here; the
// CUDA ones (around flash_mma, fp16) where a GPU is present, and skip otherwise.
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "attnsweep/engine/inputs.h"
#include "attnsweep/engine/measure.h"
#include "support/test_kernels_visible.h"

namespace attnsweep {
namespace {

using test_support::TestKernelsVisible;

// 8 slices, so a sampler of four slices ({0, 2, 5, 7}) leaves four out; big enough to be sampled.
// Causal, so the first row of a slice is one value row (|O| up to ~3): 1% of its largest element
// is far past the fp16 bound, which lets about 2e-3 through (docs/result-format.md says why).
Cell cheat_cell(DType dtype, const std::string& kernel) {
  Cell c;
  c.kernel = kernel;
  c.tier.shape = {256, 256, 64, 4, 2};
  c.tier.name = tier_name(c.tier.shape);
  c.dtype = dtype;
  c.causal = true;
  return c;
}

MeasureOptions quick() {
  MeasureOptions o;
  o.timing.warmup_ms = 1;
  o.timing.min_samples = 2;
  o.timing.max_samples = 3;
  o.timing.max_cell_s = 0.2;
  o.seed = 5;
  return o;
}

// Every cheat `wrong` with no time, and the kernel they wrap `ok` on the same cell.
void expect_cheats_caught(Device& device, DType dtype, const std::string& inner, const std::string& prefix) {
  const CellResult honest = measure_cell(*find_kernel(inner), device, cheat_cell(dtype, inner), quick());
  ASSERT_EQ(honest.status, CellStatus::ok) << inner << ": " << honest.message;
  for (const char* cheat : {"slices", "element", "scale", "stale"}) {
    const std::string name = prefix + cheat;
    SCOPED_TRACE(name);
    const Kernel* kernel = find_kernel(name);
    ASSERT_NE(kernel, nullptr);
    const CellResult r = measure_cell(*kernel, device, cheat_cell(dtype, name), quick());
    EXPECT_EQ(r.status, CellStatus::wrong) << r.message;
    EXPECT_TRUE(r.timings.empty());
    EXPECT_FALSE(r.check.passed);
    EXPECT_NE(r.message.find("wrong result"), std::string::npos) << r.message;
  }
}

TEST(CheatKernels, CpuCheatsAreAllWrong) {
  const TestKernelsVisible visible;
  const auto cpu = make_cpu_device();
  expect_cheats_caught(*cpu, DType::fp32, "cpu_flash", "test_cheat_");
}

// The stale cheat passes its first check (it computes once) and fails after timing, when it
// leaves the re-poisoned output alone. (A shape no other test uses: the cheat remembers the last
// output and shape it wrote, and skips at once when an allocation lands on that output again.)
TEST(CheatKernels, StaleOutputIsCaughtByTheCheckAfterTiming) {
  const TestKernelsVisible visible;
  const auto cpu = make_cpu_device();
  Cell cell = cheat_cell(DType::fp32, "test_cheat_stale");
  cell.tier.shape.q_n = cell.tier.shape.k_n = 192;
  cell.tier.name = tier_name(cell.tier.shape);
  const CellResult r = measure_cell(*find_kernel("test_cheat_stale"), *cpu, cell, quick());
  EXPECT_EQ(r.status, CellStatus::wrong);
  EXPECT_EQ(r.message.rfind("after timing: ", 0), 0u) << r.message;
  EXPECT_GT(r.check.unwritten, 0);
}

// The cheats are real ones: right where a weak check looks.
TEST(CheatKernels, CheatsAreRightWhereAWeakCheckLooks) {
  const TestKernelsVisible visible;
  AttentionProblem p = cheat_cell(DType::fp32, "cpu_flash").problem();
  std::vector<float> q(p.q_elements()), k(p.kv_elements()), v(p.kv_elements());
  generate_input(1, InputTensor::q, p.dtype, 0, q.size(), q.data());
  generate_input(1, InputTensor::k, p.dtype, 0, k.size(), k.data());
  generate_input(1, InputTensor::v, p.dtype, 0, v.size(), v.data());
  const auto run = [&](const char* name) {
    std::vector<float> o(p.q_elements());
    find_kernel(name)->run(contiguous_args(p, q.data(), k.data(), v.data(), o.data()));
    return o;
  };
  const std::vector<float> honest = run("cpu_flash");
  const std::size_t slice = static_cast<std::size_t>(p.q_n * p.head_dim);

  const std::vector<float> slices = run("test_cheat_slices");
  for (std::size_t s : {0, 2, 5, 7})  // the slices a sampler of {first, 1/3, 2/3, last} picks
    EXPECT_EQ(0, std::memcmp(&slices[s * slice], &honest[s * slice], slice * sizeof(float))) << "slice " << s;
  EXPECT_NE(0, std::memcmp(&slices[slice], &honest[slice], slice * sizeof(float)));

  const std::vector<float> element = run("test_cheat_element");
  std::size_t differing = 0;
  for (std::size_t i = 0; i < honest.size(); ++i) differing += element[i] != honest[i];
  EXPECT_EQ(differing, 1u);
}

TEST(CheatKernels, CudaCheatsAreAllWrong) {
  if (cuda_device_count() == 0) GTEST_SKIP() << "no CUDA device";
  const TestKernelsVisible visible;
  const auto gpu = make_cuda_device(0);
  if (!find_kernel("flash_mma")->supports(cheat_cell(DType::fp16, "flash_mma").problem(), gpu->caps()).ok)
    GTEST_SKIP() << "flash_mma does not run on " << gpu->info().name;
  expect_cheats_caught(*gpu, DType::fp16, "flash_mma", "test_cuda_cheat_");
}

}  // namespace
}  // namespace attnsweep
