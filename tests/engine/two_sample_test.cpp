#include "attnsweep/engine/two_sample.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "sample_results.h"

namespace attnsweep {
namespace {

using testing::kernel_times;

TEST(TwoSample, NormalQuantile) {
  EXPECT_NEAR(normal_quantile_two_sided(0.95), 1.959964, 1e-6);
  EXPECT_NEAR(normal_quantile_two_sided(0.99), 2.575829, 1e-6);
}

// By hand: every new sample above every base sample gives U = n*m = 9; mean 4.5, sd sqrt(9*7/12);
// z = (9 - 4.5 - 0.5) / 2.2913 = 1.7457, two-sided p = erfc(1.7457 / sqrt 2) = 0.0809.
TEST(TwoSample, MannWhitneyBySmallHandExample) {
  const RankTest t = mann_whitney({1, 2, 3}, {4, 5, 6});
  EXPECT_DOUBLE_EQ(t.u, 9);
  EXPECT_NEAR(t.z, 1.7457, 1e-4);
  EXPECT_NEAR(t.p, 0.0809, 1e-4);
  // The other way round: U = 0, the same p, z negative.
  const RankTest back = mann_whitney({4, 5, 6}, {1, 2, 3});
  EXPECT_DOUBLE_EQ(back.u, 0);
  EXPECT_NEAR(back.z, -1.7457, 1e-4);
  EXPECT_NEAR(back.p, t.p, 1e-12);
}

// Ties share ranks, and the variance shrinks for them: {1,1,2} vs {1,2,2}. Ranks of the five-with-
// ties: 1,1,1 -> 2 each; 2,2,2 -> 5 each. Now's rank sum 2+5+5 = 12, U = 12 - 6 = 6;
// variance = 9/12 * (7 - (24 + 24) / 30) = 4.05; z = (6 - 4.5 - 0.5) / 2.0125 = 0.4969.
TEST(TwoSample, MannWhitneyTiesShareRanks) {
  const RankTest t = mann_whitney({1, 1, 2}, {1, 2, 2});
  EXPECT_DOUBLE_EQ(t.u, 6);
  EXPECT_NEAR(t.z, 0.4969, 1e-4);
  EXPECT_NEAR(t.p, std::erfc(0.4969 / std::sqrt(2.0)), 1e-4);
}

TEST(TwoSample, EqualSamplesCannotBeToldApart) {
  EXPECT_DOUBLE_EQ(mann_whitney({2, 2, 2}, {2, 2}).p, 1);
  EXPECT_DOUBLE_EQ(mann_whitney({}, {1, 2}).p, 1);
  const std::vector<double> same = {1.0, 1.1, 0.9, 1.05, 0.95, 1.2, 1.0};
  EXPECT_DOUBLE_EQ(mann_whitney(same, same).p, 1);
  const RatioInterval r = ratio_interval(same, same);
  EXPECT_TRUE(r.bounded());
  EXPECT_LE(r.low, 1);
  EXPECT_GE(r.high, 1);
}

// Pairwise ratios of {1, 2, 3, 4} and {2, 4, 6, 8}: 16 of them, 1/2 ... 8. At 95% the U test's
// critical value cuts floor(8 - 1.96 * sqrt(16 * 9 / 12)) = 1 from each end: the interval is the
// smallest and the largest ratio. With three samples a side no rank reaches 95%: nothing bounds it.
TEST(TwoSample, RatioIntervalOfFewSamples) {
  const RatioInterval r = ratio_interval({1, 2, 3, 4}, {2, 4, 6, 8});
  EXPECT_TRUE(r.bounded());
  EXPECT_NEAR(r.low, 0.5, 1e-12);
  EXPECT_NEAR(r.high, 8, 1e-12);
  const RatioInterval unbounded = ratio_interval({1, 2, 3}, {2, 4, 6});
  EXPECT_FALSE(unbounded.bounded());
  EXPECT_EQ(unbounded.low, 0);
  EXPECT_TRUE(std::isinf(unbounded.high));
}

// Many draws of 60 kernel-like samples a side, NEW `factor` times BASE: how often the test finds a
// change at 5% (and how often a slowdown), and how often the 95% interval holds the true factor.
struct Trials {
  int trials = 400, changed = 0, slower = 0, covered = 0;
};
Trials draw_trials(std::uint64_t seed, double factor) {
  std::mt19937_64 rng(seed);
  Trials t;
  for (int i = 0; i < t.trials; ++i) {
    const std::vector<double> a = kernel_times(rng, 60, 1.0), b = kernel_times(rng, 60, factor);
    const RankTest test = mann_whitney(a, b);
    t.changed += test.p < 0.05;
    t.slower += test.p < 0.05 && test.z > 0;
    const RatioInterval r = ratio_interval(a, b);
    t.covered += r.low <= factor && factor <= r.high;
  }
  return t;
}

// The same distribution: the test finds a change in about 5% of the trials (its level), and the
// interval holds 1 in about 95%.
TEST(TwoSample, SameDistributionIsRejectedAtTheTestsLevel) {
  const Trials t = draw_trials(20261207, 1.0);
  EXPECT_GE(t.changed, t.trials * 2 / 100);
  EXPECT_LE(t.changed, t.trials * 9 / 100);
  EXPECT_GE(t.covered, t.trials * 91 / 100);
  EXPECT_LE(t.covered, t.trials * 98 / 100);
}

// A 10% slowdown: found every time, and the interval holds the true factor 1.10 in about 95% of the
// trials, long tail and all.
TEST(TwoSample, TenPercentSlowdownIsFoundAndItsFactorCovered) {
  const Trials t = draw_trials(7, 1.1);
  EXPECT_EQ(t.slower, t.trials);
  EXPECT_GE(t.covered, t.trials * 91 / 100);
  EXPECT_LE(t.covered, t.trials * 98 / 100);
}

// Thousands of samples a side (a tiny cold cell): the pairs are counted, never listed.
TEST(TwoSample, ThousandsOfSamplesAreCheap) {
  std::mt19937_64 rng(3);
  const std::vector<double> a = kernel_times(rng, 20000, 0.01), b = kernel_times(rng, 20000, 0.0103);
  const RatioInterval r = ratio_interval(a, b);
  EXPECT_LT(r.low, 1.03);
  EXPECT_GT(r.high, 1.03);
  EXPECT_LT(r.high - r.low, 0.002);
  EXPECT_LT(mann_whitney(a, b).p, 1e-12);
}

}  // namespace
}  // namespace attnsweep
