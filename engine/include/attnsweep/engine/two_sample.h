#pragma once
// Two sets of timing samples against each other: did the time change, and by what factor?
// Both answers rest on the same ranks (Mann-Whitney U), so they agree: the interval of the ratio
// excludes 1 when the test finds a change at the same level (up to tied samples).
//
// Why ranks: kernel times are skewed and carry a long right tail (a preempted launch, a clock dip);
// a mean-based test (Welch's t) is pulled by one such sample, a rank test is not, and it assumes no
// distribution. Why not a bootstrap: it is random (two runs of compare could disagree on a CI gate)
// and costs thousands of resamples per cell; the rank interval is exact arithmetic on the samples.
#include <vector>

namespace attnsweep {

// Two-sided Mann-Whitney U test of `base` against `now` (normal approximation with the tie and
// continuity corrections, as scipy's "asymptotic" method). `u` counts the pairs (b, n) with n > b,
// ties as one half; p is 1 when every sample is equal or either side is empty.
struct RankTest {
  double u = 0;
  double z = 0;
  double p = 1;
};
RankTest mann_whitney(const std::vector<double>& base, const std::vector<double>& now);

// A distribution-free interval of the factor now/base (Moses's interval for the Hodges-Lehmann
// shift, taken on log times so the shift is a ratio): the order statistics of every pairwise ratio
// n/b at the ranks the U test's critical value gives. `confidence` is two-sided (0.95). With too
// few samples (under 4 a side at 95%, more when the sides differ) no rank reaches it and nothing bounds the ratio: the
// interval is [0, infinity]. Samples must be positive; the pairs are never listed (counted
// instead), so thousands of samples a side are cheap.
struct RatioInterval {
  double low = 0, high = 0;
  bool bounded() const;  // false for [0, infinity]
};
RatioInterval ratio_interval(const std::vector<double>& base, const std::vector<double>& now,
                             double confidence = 0.95);

// The z of a two-sided normal interval of this confidence (0.95 -> 1.959964).
double normal_quantile_two_sided(double confidence);

}  // namespace attnsweep
