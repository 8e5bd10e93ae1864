// Every CUDA kernel x dtype x head_dim x causal on odd shapes (N = 1000, 333; Q_N != K_N both
// ways), each through the engine's measure_cell with the correctness check on: status ok with a
// passed check, or unsupported exactly where the kernel says it cannot. The support rules
// themselves are checked without a GPU.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <tuple>
#include <vector>

#include "attnsweep/engine/correctness.h"
#include "attnsweep/engine/measure.h"
#include "attnsweep/engine/plan.h"
#include "attnsweep/kernels/device.h"
#include "attnsweep/kernels/kernel.h"

namespace attnsweep {
namespace {

const Kernel& cuda_kernel(const std::string& name) {
  for (const Kernel* k : cuda_kernels())
    if (k->info().name == name) return *k;
  throw std::runtime_error("no CUDA kernel named " + name);
}

AttentionProblem problem(DType dtype, std::int64_t head_dim, bool causal = false) {
  AttentionProblem p;
  p.batch = 2;
  p.heads = 3;
  p.q_n = p.k_n = 333;
  p.head_dim = head_dim;
  p.causal = causal;
  p.dtype = dtype;
  return p;
}

#ifdef ATTNSWEEP_HAVE_CUDA
TEST(CudaKernelRegistry, ListsTheFourBuiltInKernels) {
  std::vector<std::string> names;
  for (const Kernel* k : cuda_kernels()) {
    names.push_back(k->info().name);
    EXPECT_EQ(k->info().backend, Backend::cuda);
    EXPECT_FALSE(k->info().description.empty());
  }
  for (const char* want : {"naive", "cublas", "fused_simt", "flash_mma"})
    EXPECT_NE(std::find(names.begin(), names.end(), want), names.end()) << want;
}

// What each kernel must accept (so a wrongly refused cell cannot pass as "unsupported").
bool must_support(const std::string& kernel, DType dtype, std::int64_t head_dim) {
  if (kernel == "naive") return dtype != DType::tf32;
  if (kernel == "cublas") return true;
  if (kernel == "fused_simt") return dtype != DType::tf32;
  if (kernel == "flash_mma") return dtype == DType::fp16 || dtype == DType::bf16;
  return false;
  (void)head_dim;
}

TEST(CudaKernelSupport, AnswersFromDtypeAndHeadDimWithoutADevice) {
  const DeviceCaps unknown;
  for (const char* name : {"naive", "cublas", "fused_simt", "flash_mma"})
    for (DType dt : {DType::fp32, DType::fp16, DType::bf16, DType::tf32})
      for (std::int64_t d : {64, 128, 256}) {
        const Support s = cuda_kernel(name).supports(problem(dt, d), unknown);
        EXPECT_EQ(s.ok, must_support(name, dt, d)) << name << " " << dtype_name(dt) << " d" << d << ": " << s.reason;
        if (!s.ok) EXPECT_FALSE(s.reason.empty()) << name;
      }
}

TEST(CudaKernelSupport, RefusalsNameTheRule) {
  const DeviceCaps unknown;
  const Support d96 = cuda_kernel("flash_mma").supports(problem(DType::fp16, 96), unknown);
  EXPECT_FALSE(d96.ok);
  EXPECT_NE(d96.reason.find("head_dim 96"), std::string::npos) << d96.reason;
  const Support fp32 = cuda_kernel("flash_mma").supports(problem(DType::fp32, 64), unknown);
  EXPECT_FALSE(fp32.ok);
  EXPECT_NE(fp32.reason.find("fp32"), std::string::npos) << fp32.reason;

  DeviceCaps volta;
  volta.backend = Backend::cuda;
  volta.cc_major = 7;
  volta.known = true;
  EXPECT_FALSE(cuda_kernel("flash_mma").supports(problem(DType::fp16, 64), volta).ok);

  AttentionProblem empty = problem(DType::fp32, 64);
  empty.k_n = 0;
  for (const Kernel* k : cuda_kernels()) EXPECT_FALSE(k->supports(empty, unknown).ok) << k->info().name;
}

TEST(CudaKernelSupport, WorkspaceHoldsTheMaterialisedScores) {
  AttentionProblem p = problem(DType::fp16, 64);
  const std::uint64_t scores = 2ull * 3 * 333 * 333;
  EXPECT_EQ(cuda_kernel("naive").workspace_bytes(p), scores * sizeof(float));  // fp32 S
  EXPECT_EQ(cuda_kernel("cublas").workspace_bytes(p), scores * 2);             // S in fp16, as stored
  p.dtype = DType::tf32;
  EXPECT_EQ(cuda_kernel("cublas").workspace_bytes(p), scores * sizeof(float));
  p.dtype = DType::fp16;
  EXPECT_EQ(cuda_kernel("fused_simt").workspace_bytes(p), 0u);
  EXPECT_EQ(cuda_kernel("flash_mma").workspace_bytes(p), 0u);
}

// ---- on the GPU --------------------------------------------------------------------------------

using Case = std::tuple<std::string, DType, std::int64_t, bool>;  // kernel, dtype, head_dim, causal

class CudaKernelCheck : public ::testing::TestWithParam<Case> {};

TEST_P(CudaKernelCheck, OddShapesPassTheCheckOrAreUnsupported) {
  if (cuda_device_count() == 0) GTEST_SKIP() << "no CUDA device";
  const auto& [name, dtype, head_dim, causal] = GetParam();
  const Kernel& kernel = cuda_kernel(name);
  auto device = make_cuda_device(0);

  MeasureOptions opts;
  opts.timing.warmup_ms = 0;
  opts.timing.min_samples = 1;
  opts.timing.max_samples = 2;
  opts.timing.max_cell_s = 0.01;
  opts.timing.modes = {TimingMode::batch};
  opts.seed = 20261125;

  const TierShape shapes[] = {
      {1000, 1000, head_dim, 1, 1},  // N = 1000
      {333, 333, head_dim, 3, 2},    // N = 333: tails everywhere, batch stride exercised
      {200, 333, head_dim, 2, 1},    // fewer queries than keys
      {333, 129, head_dim, 2, 1},    // more queries than keys (causal rows past k_n see every key)
      {1, 77, head_dim, 1, 1},       // a single query row
  };
  for (const TierShape& shape : shapes) {
    Cell cell;
    cell.kernel = name;
    cell.tier = Tier{tier_name(shape), shape};
    cell.dtype = dtype;
    cell.causal = causal;
    const Support s = kernel.supports(cell.problem(), device->caps());
    cell.supported = s.ok;
    cell.unsupported_reason = s.reason;
    SCOPED_TRACE(cell.id());
    EXPECT_EQ(s.ok, must_support(name, dtype, head_dim)) << s.reason;

    const CellResult r = measure_cell(kernel, *device, cell, opts);
    if (!s.ok) {
      EXPECT_EQ(r.status, CellStatus::unsupported) << r.message;
      continue;
    }
    ASSERT_EQ(r.status, CellStatus::ok) << status_name(r.status) << ": " << r.message;
    EXPECT_TRUE(r.check.checked);
    EXPECT_TRUE(r.check.passed) << describe_failure(r.check);
    EXPECT_TRUE(r.check.rechecked_after_timing);
    EXPECT_EQ(r.check.nonfinite, 0);
    EXPECT_EQ(r.check.unwritten, 0);
    EXPECT_GT(r.check.rows_checked, 0);
    ASSERT_NE(r.timing(TimingMode::batch), nullptr);
    EXPECT_GT(r.timing(TimingMode::batch)->time_ms.median, 0);
  }
}

std::string case_name(const ::testing::TestParamInfo<Case>& info) {
  const auto& [name, dtype, head_dim, causal] = info.param;
  return name + "_" + std::string(dtype_name(dtype)) + "_d" + std::to_string(head_dim) + (causal ? "_causal" : "_full");
}

INSTANTIATE_TEST_SUITE_P(AllKernels, CudaKernelCheck,
                         ::testing::Combine(::testing::Values("naive", "cublas", "fused_simt", "flash_mma"),
                                            ::testing::Values(DType::fp32, DType::fp16, DType::bf16, DType::tf32),
                                            ::testing::Values(64, 128, 256), ::testing::Bool()),
                         case_name);
#else
TEST(CudaKernelRegistry, EmptyWithoutCuda) { EXPECT_TRUE(cuda_kernels().empty()); }
#endif

}  // namespace
}  // namespace attnsweep
