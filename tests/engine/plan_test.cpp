// make_plan, tier_name and Cell: names that never lie, stable ids, tier-major order, byte
// estimates, and `unsupported` marked before anything runs.
#include "attnsweep/engine/plan.h"

#include <gtest/gtest.h>

#include <random>
#include <set>
#include <tuple>

namespace attnsweep {
namespace {

TEST(TierName, WrittenFromTheValues) {
  EXPECT_EQ(tier_name({512, 512, 64, 12, 1}), "hd64-h12-b1-n512");
  EXPECT_EQ(tier_name({1024, 1024, 128, 12, 1}), "hd128-h12-b1-n1k");
  EXPECT_EQ(tier_name({16384, 16384, 256, 24, 2}), "hd256-h24-b2-n16k");
  EXPECT_EQ(tier_name({3072, 3072, 64, 1, 1}), "hd64-h1-b1-n3k");
  EXPECT_EQ(tier_name({1000, 1000, 64, 12, 8}), "hd64-h12-b8-n1000");
  EXPECT_EQ(tier_name({1536, 1536, 64, 12, 8}), "hd64-h12-b8-n1536");  // not a whole number of k
  EXPECT_EQ(tier_name({1024, 4096, 64, 12, 1}), "hd64-h12-b1-q1k-k4k");
  EXPECT_EQ(tier_name({100, 7, 32, 2, 3}), "hd32-h2-b3-q100-k7");
}

TEST(TierName, SaysKvHeadsWindowAndBottomRight) {
  EXPECT_EQ(tier_name({8192, 8192, 128, 32, 1, 8}), "hd128-h32-kv8-b1-n8k");
  EXPECT_EQ(tier_name({8192, 8192, 128, 32, 1, 32}), "hd128-h32-b1-n8k");  // as many K/V heads as heads
  EXPECT_EQ(tier_name({16384, 16384, 128, 32, 1, 8, 4096, 0}), "hd128-h32-kv8-b1-n16k-w4k");
  EXPECT_EQ(tier_name({1024, 1024, 64, 4, 1, 0, 256, 256}), "hd64-h4-b1-n1k-w256+256");
  EXPECT_EQ(tier_name({1024, 1024, 64, 4, 1, 0, -1, 128}), "hd64-h4-b1-n1k-winf+128");
  EXPECT_EQ(tier_name({1024, 1024, 64, 4, 1, 0, 100, -1}), "hd64-h4-b1-n1k-w100+inf");
  EXPECT_EQ(tier_name({2048, 8192, 128, 32, 1, 8, -1, -1, CausalAlign::bottom_right}), "hd128-h32-kv8-b1-q2k-k8k-br");
}

// The seed named this tier "Long-hd128-12h-1b-512" while its head_dim was 64.
TEST(TierName, TheSeedsMislabelledTierGetsATrueName) {
  EXPECT_EQ(tier_name({512, 512, 64, 12, 1}), "hd64-h12-b1-n512");
  EXPECT_EQ(tier_name({512, 512, 64, 12, 8}), "hd64-h12-b8-n512");
  EXPECT_EQ(tier_name({512, 512, 256, 24, 2}), "hd256-h24-b2-n512");
}

// Distinct shapes get distinct names: ids built from names never collide.
TEST(TierName, DistinctShapesGetDistinctNames) {
  std::mt19937 rng(99);
  const std::int64_t lengths[] = {1, 7, 512, 1000, 1023, 1024, 1025, 2048, 3072, 16384, 1048576, 2147483647};
  std::set<TierShape, bool (*)(const TierShape&, const TierShape&)> shapes(
      [](const TierShape& a, const TierShape& b) {
        return std::tie(a.q_n, a.k_n, a.head_dim, a.heads, a.batch) < std::tie(b.q_n, b.k_n, b.head_dim, b.heads, b.batch);
      });
  std::set<std::string> names;
  for (int i = 0; i < 5000; ++i) {
    const TierShape s{lengths[rng() % 12], lengths[rng() % 12], 1 + static_cast<std::int64_t>(rng() % 1024),
                      1 + static_cast<std::int64_t>(rng() % 64), 1 + static_cast<std::int64_t>(rng() % 64)};
    if (shapes.insert(s).second) EXPECT_TRUE(names.insert(tier_name(s)).second) << tier_name(s);
  }
}

Cell make_cell(const std::string& kernel, TierShape shape, DType dtype, bool causal) {
  Cell c;
  c.kernel = kernel;
  c.tier = {tier_name(shape), shape};
  c.dtype = dtype;
  c.causal = causal;
  return c;
}

TEST(Cell, IdIsKernelTierDtypeCausal) {
  EXPECT_EQ(make_cell("cpu_flash", {512, 512, 64, 12, 1}, DType::fp16, true).id(), "cpu_flash|hd64-h12-b1-n512|fp16|causal");
  EXPECT_EQ(make_cell("flash_mma", {1024, 2048, 128, 8, 2}, DType::bf16, false).id(),
            "flash_mma|hd128-h8-b2-q1k-k2k|bf16|full");
}

TEST(Cell, ProblemCarriesEverySize) {
  const AttentionProblem p = make_cell("cpu_naive", {100, 300, 96, 5, 3}, DType::tf32, true).problem();
  EXPECT_EQ(p.q_n, 100);
  EXPECT_EQ(p.k_n, 300);
  EXPECT_EQ(p.head_dim, 96);
  EXPECT_EQ(p.heads, 5);
  EXPECT_EQ(p.batch, 3);
  EXPECT_EQ(p.dtype, DType::tf32);
  EXPECT_TRUE(p.causal);
}

TEST(Cell, ProblemCarriesKvHeadsWindowAndAlignment) {
  const AttentionProblem p =
      make_cell("cpu_naive", {2048, 8192, 128, 32, 1, 8, 4096, 0, CausalAlign::bottom_right}, DType::fp32, true).problem();
  EXPECT_EQ(p.kv_group, 4);
  EXPECT_EQ(p.kv_heads(), 8);
  EXPECT_EQ(p.window_left, 4096);
  EXPECT_EQ(p.window_right, 0);
  EXPECT_EQ(p.align, CausalAlign::bottom_right);
  EXPECT_EQ(make_cell("cpu_naive", {64, 64, 32, 4, 1}, DType::fp32, false).problem().kv_group, 1);
}

bool have_cpu_kernels() { return find_kernel("cpu_naive") && find_kernel("cpu_flash"); }


SweepSpec two_by_two_spec() {
  SweepSpec s;
  s.name = "plan";
  s.kernels = {"cpu_naive", "cpu_flash"};
  s.dtypes = {DType::fp32, DType::fp16};
  s.causal = {CausalMode::none, CausalMode::top_left};
  s.tiers = {{64, 64, 32, 2, 1}, {128, 256, 64, 4, 2}};
  return s;
}

// A bottom-right causal value makes its own cells, on tiers named "-br"; full and top-left share
// the tier's plain name.
TEST(Plan, BottomRightCellsGetTheirOwnTier) {
  if (!have_cpu_kernels()) GTEST_SKIP() << "cpu_naive/cpu_flash not in this build";
  SweepSpec spec = two_by_two_spec();
  spec.kernels = {"cpu_flash"};
  spec.dtypes = {DType::fp32};
  spec.causal = {CausalMode::none, CausalMode::top_left, CausalMode::bottom_right};
  spec.tiers = {{512, 2048, 64, 8, 1, 2, 128, 0}};
  const Plan plan = make_plan(spec);
  ASSERT_EQ(plan.cells.size(), 3u);
  EXPECT_EQ(plan.cells[0].id(), "cpu_flash|hd64-h8-kv2-b1-q512-k2k-w128|fp32|full");
  EXPECT_EQ(plan.cells[1].id(), "cpu_flash|hd64-h8-kv2-b1-q512-k2k-w128|fp32|causal");
  EXPECT_EQ(plan.cells[2].id(), "cpu_flash|hd64-h8-kv2-b1-q512-k2k-w128-br|fp32|causal");
  EXPECT_EQ(plan.cells[2].problem().align, CausalAlign::bottom_right);
  EXPECT_EQ(plan.cells[1].problem().align, CausalAlign::top_left);
  for (const Cell& c : plan.cells) EXPECT_TRUE(c.supported) << c.unsupported_reason;
}

TEST(Plan, CellsAreTierMajorThenDtypeCausalKernel) {
  if (!have_cpu_kernels()) GTEST_SKIP() << "cpu_naive/cpu_flash not in this build";
  const SweepSpec spec = two_by_two_spec();
  const Plan plan = make_plan(spec);
  ASSERT_EQ(plan.cells.size(), 16u);
  EXPECT_EQ(plan.spec.name, "plan");
  std::size_t i = 0;
  for (const TierShape& t : spec.tiers)
    for (DType d : spec.dtypes)
      for (CausalMode c : spec.causal)
        for (const std::string& k : spec.kernels) {
          const Cell& cell = plan.cells[i++];
          EXPECT_EQ(cell.tier.shape, t);
          EXPECT_EQ(cell.tier.name, tier_name(t));
          EXPECT_EQ(cell.dtype, d);
          EXPECT_EQ(cell.causal, c != CausalMode::none);
          EXPECT_EQ(cell.kernel, k);
        }
  std::set<std::string> ids;
  for (const Cell& cell : plan.cells) ids.insert(cell.id());
  EXPECT_EQ(ids.size(), plan.cells.size());
}

TEST(Plan, BytesAreQkvoAtTheDtypePlusTheKernelsWorkspace) {
  if (!have_cpu_kernels()) GTEST_SKIP() << "cpu_naive/cpu_flash not in this build";
  const Plan plan = make_plan(two_by_two_spec());
  for (const Cell& cell : plan.cells) {
    SCOPED_TRACE(cell.id());
    const TierShape& s = cell.tier.shape;
    const std::uint64_t elements = 2 * s.batch * s.heads * s.q_n * s.head_dim + 2 * s.batch * s.heads * s.k_n * s.head_dim;
    const std::uint64_t workspace = find_kernel(cell.kernel)->workspace_bytes(cell.problem());
    EXPECT_EQ(cell.bytes_estimate, elements * dtype_bytes(cell.dtype) + workspace);
  }
  // The naive kernel materialises scores: q_n * k_n fp32 per (batch, head) in flight.
  const Cell& naive = plan.cells[8];  // second tier, fp32, full, cpu_naive
  ASSERT_EQ(naive.kernel, "cpu_naive");
  ASSERT_EQ(naive.dtype, DType::fp32);
  EXPECT_GT(naive.bytes_estimate, (2u * 2 * 4 * 128 * 64 + 2u * 2 * 4 * 256 * 64) * 4);
}

TEST(Plan, UnsupportedComesFromTheKernel) {
  if (!have_cpu_kernels()) GTEST_SKIP() << "cpu_naive/cpu_flash not in this build";
  const Plan plan = make_plan(two_by_two_spec());
  int unsupported = 0;
  for (const Cell& cell : plan.cells) {
    SCOPED_TRACE(cell.id());
    const Support want = find_kernel(cell.kernel)->supports(cell.problem(), DeviceCaps{});
    EXPECT_EQ(cell.supported, want.ok);
    if (!want.ok) {
      EXPECT_EQ(cell.unsupported_reason, want.reason);
      EXPECT_FALSE(cell.unsupported_reason.empty());
      ++unsupported;
    } else {
      EXPECT_TRUE(cell.unsupported_reason.empty());
    }
  }
  // The CPU kernels compute fp32 only: the fp16 half of the plan cannot run.
  EXPECT_EQ(unsupported, 8);
}

TEST(Plan, KernelsOfAnotherBackendAreMarkedRunsOn) {
  if (!have_cpu_kernels()) GTEST_SKIP() << "cpu_naive/cpu_flash not in this build";
  DeviceCaps cuda;
  cuda.backend = Backend::cuda;
  cuda.cc_major = 9;
  cuda.known = true;
  const Plan plan = make_plan(two_by_two_spec(), cuda);
  for (const Cell& cell : plan.cells) {
    EXPECT_FALSE(cell.supported);
    EXPECT_EQ(cell.unsupported_reason, "runs on cpu; this run uses cuda");
  }
  // The same backend, known: only the kernel's own answer counts.
  DeviceCaps cpu;
  cpu.known = true;
  const Plan here = make_plan(two_by_two_spec(), cpu);
  for (const Cell& cell : here.cells) EXPECT_EQ(cell.supported, cell.dtype == DType::fp32) << cell.id();
}

TEST(Plan, CudaKernelsOnACpuRunAreMarkedRunsOn) {
  std::vector<std::string> cuda_names;
  for (const Kernel* k : all_kernels())
    if (k->info().backend == Backend::cuda) cuda_names.push_back(k->info().name);
  if (cuda_names.empty()) GTEST_SKIP() << "no CUDA kernels in this build (no nvcc at configure time)";
  SweepSpec spec = two_by_two_spec();
  spec.kernels = cuda_names;
  DeviceCaps cpu;
  cpu.known = true;
  for (const Cell& cell : make_plan(spec, cpu).cells) {
    EXPECT_FALSE(cell.supported);
    EXPECT_EQ(cell.unsupported_reason, "runs on cuda; this run uses cpu");
  }
}

TEST(Plan, AKernelNotInThisBuildIsUnsupportedNotACrash) {
  SweepSpec spec = two_by_two_spec();
  spec.kernels = {"no_such_kernel"};
  const Plan plan = make_plan(spec);
  ASSERT_EQ(plan.cells.size(), 8u);
  for (const Cell& cell : plan.cells) {
    EXPECT_FALSE(cell.supported);
    EXPECT_NE(cell.unsupported_reason.find("unknown kernel \"no_such_kernel\""), std::string::npos);
    EXPECT_GT(cell.bytes_estimate, 0u);  // Q, K, V, O still counted
  }
}

TEST(Plan, HugeShapesSaturateInsteadOfWrapping) {
  SweepSpec spec = two_by_two_spec();
  spec.kernels = {"no_such_kernel"};
  spec.dtypes = {DType::fp32};
  spec.causal = {CausalMode::none};
  spec.tiers = {{std::int64_t{1} << 40, std::int64_t{1} << 40, 1024, 1 << 20, 1 << 20}};  // built in code, unvalidated
  const Plan plan = make_plan(spec);
  ASSERT_EQ(plan.cells.size(), 1u);
  EXPECT_EQ(plan.cells[0].bytes_estimate, std::numeric_limits<std::uint64_t>::max());
}

TEST(Plan, EmptySpecGivesNoCells) { EXPECT_TRUE(make_plan(SweepSpec{}).cells.empty()); }

}  // namespace
}  // namespace attnsweep
