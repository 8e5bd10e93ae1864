#include "attnsweep/engine/baseline.h"

#include <gtest/gtest.h>

#include <stdexcept>

#include "sample_results.h"

namespace attnsweep {
namespace {

using testing::failed_result;
using testing::ok_result;
using testing::sample_cell;

// Two tiers; the baseline (cudnn) is 2 ms at n=512 and has no time at n=1024 (oom).
std::vector<CellResult> sweep() {
  return {ok_result(sample_cell("flash_mma", 512), 1.0),  ok_result(sample_cell("cudnn", 512), 2.0),
          ok_result(sample_cell("naive", 512), 8.0),      ok_result(sample_cell("flash_mma", 512, 64, DType::bf16), 1.0),
          ok_result(sample_cell("flash_mma", 1024), 3.0), failed_result(sample_cell("cudnn", 1024), CellStatus::oom, "x"),
          failed_result(sample_cell("naive", 1024), CellStatus::wrong, "y")};
}

TEST(Baseline, SpeedupIsTheBaselinesTimeOverTheCellsOnTheSameProblem) {
  const std::vector<std::optional<double>> s = speedups_against(sweep(), "cudnn");
  ASSERT_EQ(s.size(), 7u);
  EXPECT_DOUBLE_EQ(*s[0], 2.0);   // twice as fast as cudnn
  EXPECT_DOUBLE_EQ(*s[1], 1.0);   // the baseline itself
  EXPECT_DOUBLE_EQ(*s[2], 0.25);  // four times slower
  EXPECT_FALSE(s[3]);             // bf16: cudnn has no bf16 cell
  EXPECT_FALSE(s[4]);             // cudnn ran out of memory at 1024
  EXPECT_FALSE(s[5]);
  EXPECT_FALSE(s[6]);
}

TEST(Baseline, TextsShowFailedCellsAsTheirStatusAndNoBaselineAsNa) {
  EXPECT_EQ(speedup_texts(sweep(), "cudnn"), (std::vector<std::string>{"2", "1", "0.25", "n/a", "n/a", "OOM", "wrong"}));
  EXPECT_EQ(speedup_title("torch.sdpa_cudnn"), "speedup vs torch.sdpa_cudnn");
}

TEST(Baseline, AKernelTheResultsLackIsNamedWithThoseTheyHave) {
  try {
    speedup_texts(sweep(), "fa3");
    ADD_FAILURE() << "no error";
  } catch (const std::invalid_argument& e) {
    EXPECT_EQ(std::string(e.what()), "--baseline: no kernel 'fa3' in the results (kernels: flash_mma, cudnn, naive)");
  }
}

}  // namespace
}  // namespace attnsweep
