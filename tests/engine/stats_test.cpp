#include "attnsweep/engine/stats.h"

#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <numeric>

namespace attnsweep {
namespace {

TEST(Stats, EmptyInputHasNoSamples) {
  const SampleStats s = compute_stats({});
  EXPECT_EQ(s.samples, 0);
  EXPECT_EQ(s.median, 0);
  EXPECT_EQ(s.rel_ci(), 0);
}

TEST(Stats, OneSampleIsEverything) {
  const SampleStats s = compute_stats({2.5});
  EXPECT_EQ(s.samples, 1);
  EXPECT_EQ(s.median, 2.5);
  EXPECT_EQ(s.mean, 2.5);
  EXPECT_EQ(s.std, 0);
  EXPECT_EQ(s.min, 2.5);
  EXPECT_EQ(s.max, 2.5);
  EXPECT_EQ(s.p10, 2.5);
  EXPECT_EQ(s.ci_low, 2.5);
  EXPECT_EQ(s.ci_high, 2.5);
}

// Unsorted input; values checked by hand: std = sqrt(10 / 4), p10 = 1 + 0.4 * (2 - 1).
TEST(Stats, FiveUnsortedSamples) {
  const SampleStats s = compute_stats({5, 1, 4, 2, 3});
  EXPECT_EQ(s.samples, 5);
  EXPECT_DOUBLE_EQ(s.median, 3);
  EXPECT_DOUBLE_EQ(s.mean, 3);
  EXPECT_DOUBLE_EQ(s.std, std::sqrt(2.5));
  EXPECT_DOUBLE_EQ(s.min, 1);
  EXPECT_DOUBLE_EQ(s.max, 5);
  EXPECT_DOUBLE_EQ(s.p10, 1.4);
  EXPECT_DOUBLE_EQ(s.p90, 4.6);
  // Five samples cannot bracket the median tighter than their whole range at 95%.
  EXPECT_DOUBLE_EQ(s.ci_low, 1);
  EXPECT_DOUBLE_EQ(s.ci_high, 5);
  EXPECT_DOUBLE_EQ(s.rel_ci(), 2.0 / 3.0);
}

TEST(Stats, EvenCountMedianAveragesTheMiddlePair) {
  const SampleStats s = compute_stats({4, 1, 3, 2});
  EXPECT_DOUBLE_EQ(s.median, 2.5);
}

// 1..100: the binomial 95% interval of the median is between the 40th and 61st values.
TEST(Stats, HundredSamplesConfidenceIntervalFromOrderStatistics) {
  std::vector<double> x(100);
  std::iota(x.rbegin(), x.rend(), 1.0);  // 100, 99, ..., 1
  const SampleStats s = compute_stats(x);
  EXPECT_DOUBLE_EQ(s.median, 50.5);
  EXPECT_DOUBLE_EQ(s.mean, 50.5);
  EXPECT_DOUBLE_EQ(s.p10, 10.9);
  EXPECT_DOUBLE_EQ(s.p90, 90.1);
  EXPECT_DOUBLE_EQ(s.ci_low, 40);
  EXPECT_DOUBLE_EQ(s.ci_high, 61);
  EXPECT_NEAR(s.std, 29.011491975882016, 1e-12);
}

TEST(Stats, IntervalNarrowsAsSamplesGrow) {
  // Identical spread, more samples: the interval of the median tightens.
  auto spread = [](int n) {
    std::vector<double> x(n);
    for (int i = 0; i < n; ++i) x[i] = 1.0 + 0.01 * ((i * 37) % 11);
    return compute_stats(x).rel_ci();
  };
  EXPECT_LT(spread(400), spread(10));
}

// Six significant digits, whatever the magnitude; the kept value prints back as those digits.
TEST(Stats, KeptSamplesHaveSixSignificantDigits) {
  EXPECT_EQ(kept_sample(0.045312000066041946), 0.045312);
  EXPECT_EQ(kept_sample(116.65228), 116.652);
  EXPECT_EQ(kept_sample(1.0000004), 1.0);
  EXPECT_EQ(kept_sample(0.0), 0.0);
  EXPECT_EQ(nlohmann::json(kept_sample(0.0123456789)).dump(), "0.0123457");
}

}  // namespace
}  // namespace attnsweep
