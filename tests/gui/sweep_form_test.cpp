#include "core/sweep_form.h"

#include <gtest/gtest.h>

namespace attnsweep::gui {
namespace {

TEST(SweepForm, SizeListsAcceptKAndRejectNonsense) {
  EXPECT_EQ(parse_size_list("512, 1k 2K,2048").values, (std::vector<std::int64_t>{512, 1024, 2048}));
  EXPECT_NE(parse_size_list("512, x").error.find("'x'"), std::string::npos);
  EXPECT_FALSE(parse_size_list("0").error.empty());
  EXPECT_FALSE(parse_size_list("-4").error.empty());
  EXPECT_FALSE(parse_size_list("").error.empty());
  EXPECT_FALSE(parse_size_list("99999999999k").error.empty());
}

TEST(SweepForm, TierLinesRoundTripAndNameTheBadLine) {
  const TierLines t = parse_tier_lines("# comment\n2048 2048 64 12 1\n1k 4k 128 8 2  # cross\n\n");
  ASSERT_TRUE(t.error.empty()) << t.error;
  ASSERT_EQ(t.tiers.size(), 2u);
  EXPECT_EQ(t.tiers[1], (TierShape{1024, 4096, 128, 8, 2}));
  EXPECT_EQ(parse_tier_lines(tier_lines(t.tiers)).tiers, t.tiers);
  const TierLines bad = parse_tier_lines("512 512 64 1 1\n512 512 64 1\n");
  EXPECT_EQ(bad.error, "line 2: expected 5 numbers (Q_N K_N head_dim heads batch), got 4");
  EXPECT_NE(parse_tier_lines("512 512 sixty 1 1").error.find("line 1: 'sixty'"), std::string::npos);
}

TEST(SweepForm, GridCrossesEveryAxis) {
  const auto tiers = cross_grid({512, 1024}, {}, {64, 128}, {12}, {1, 8});
  ASSERT_EQ(tiers.size(), 8u);
  EXPECT_EQ(tiers.front(), (TierShape{512, 512, 64, 12, 1}));
  EXPECT_EQ(tiers.back(), (TierShape{1024, 1024, 128, 12, 8}));
  EXPECT_EQ(cross_grid({512}, {1024, 2048}, {64}, {1}, {1}).size(), 2u);
}

TEST(SweepForm, EtaFromCellsDone) {
  EXPECT_FALSE(eta_seconds(10, 0, 10).has_value());
  EXPECT_DOUBLE_EQ(*eta_seconds(10, 2, 10), 40.0);
  EXPECT_DOUBLE_EQ(*eta_seconds(10, 10, 10), 0.0);
}

// A kernel of the catalogue as a machine lists it; one not available there for want of a GPU.
CatalogueKernel kernel(const char* name, Backend b, bool available, const char* provider = "") {
  CatalogueKernel k;
  k.name = name;
  k.backend = b;
  k.available = available;
  k.provider = provider;
  if (!available) k.why_not = "no CUDA device on this machine";
  return k;
}

TEST(SweepForm, KernelHintSaysWhatCannotRunAndWhatWould) {
  const std::vector<CatalogueKernel> cpu_machine = {
      kernel("cpu_naive", Backend::cpu, true), kernel("cpu_flash", Backend::cpu, true),
      kernel("naive", Backend::cuda, false), kernel("flash_mma", Backend::cuda, false)};
  EXPECT_EQ(kernel_hint(cpu_machine, {"cpu_naive"}, Backend::cpu), "");
  EXPECT_EQ(kernel_hint(cpu_machine, {"cpu_naive", "naive"}, Backend::cpu),
            "naive: will be skipped here (no CUDA device on this machine)");
  EXPECT_EQ(kernel_hint(cpu_machine, {"naive", "flash_mma"}, Backend::cpu),
            "Nothing checked can run here (no CUDA device on this machine). Check cpu_naive, cpu_flash, or run on a "
            "machine with a GPU.");
  // A GPU machine told to run on the CPU: the CUDA kernels are there, but not on this backend.
  const std::vector<CatalogueKernel> gpu_machine = {kernel("cpu_naive", Backend::cpu, true),
                                                    kernel("naive", Backend::cuda, true)};
  EXPECT_EQ(kernel_hint(gpu_machine, {"naive"}, Backend::cpu),
            "Nothing checked can run here (they run on cuda, this run on cpu). Check cpu_naive, or choose the cuda "
            "backend.");
}

// Run is refused exactly when the hint says nothing checked can run.
TEST(SweepForm, AnyCheckedKernelRunsOnlyWhereOneCan) {
  const std::vector<CatalogueKernel> cpu_machine = {kernel("cpu_naive", Backend::cpu, true),
                                                    kernel("naive", Backend::cuda, false),
                                                    kernel("torch.sdpa_math", Backend::cuda, false, "torch")};
  EXPECT_TRUE(any_checked_kernel_runs(cpu_machine, {"naive", "cpu_naive"}, Backend::cpu));
  EXPECT_FALSE(any_checked_kernel_runs(cpu_machine, {"naive", "torch.sdpa_math"}, Backend::cpu));
  EXPECT_FALSE(any_checked_kernel_runs(cpu_machine, {}, Backend::cpu));
  const std::vector<CatalogueKernel> gpu_machine = {kernel("cpu_naive", Backend::cpu, true),
                                                    kernel("naive", Backend::cuda, true),
                                                    kernel("torch.sdpa_math", Backend::cuda, true, "torch")};
  EXPECT_FALSE(any_checked_kernel_runs(gpu_machine, {"naive"}, Backend::cpu));
  EXPECT_TRUE(any_checked_kernel_runs(gpu_machine, {"torch.sdpa_math"}, Backend::cpu)) << "providers pick their device";
  EXPECT_TRUE(any_checked_kernel_runs(gpu_machine, {"naive"}, Backend::cuda));
}

}  // namespace
}  // namespace attnsweep::gui
