#include "attnsweep/engine/stats.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <numeric>

namespace attnsweep {

namespace {

// Quantile q of sorted data with linear interpolation between order statistics (numpy's default).
double quantile(const std::vector<double>& sorted, double q) {
  const double pos = q * static_cast<double>(sorted.size() - 1);
  const std::size_t lo = static_cast<std::size_t>(std::floor(pos));
  const std::size_t hi = std::min(lo + 1, sorted.size() - 1);
  return sorted[lo] + (pos - static_cast<double>(lo)) * (sorted[hi] - sorted[lo]);
}

}  // namespace

double kept_sample(double ms) {
  if (!std::isfinite(ms)) return ms;
  char text[32];
  const auto written = std::to_chars(text, text + sizeof text, ms, std::chars_format::general, 6);
  double kept = ms;
  std::from_chars(text, written.ptr, kept);
  return kept;
}

SampleStats compute_stats(std::vector<double> samples) {
  SampleStats st;
  const std::size_t n = samples.size();
  if (n == 0) return st;
  std::sort(samples.begin(), samples.end());

  st.samples = static_cast<int>(n);
  st.min = samples.front();
  st.max = samples.back();
  st.median = quantile(samples, 0.5);
  st.p10 = quantile(samples, 0.1);
  st.p90 = quantile(samples, 0.9);
  st.mean = std::accumulate(samples.begin(), samples.end(), 0.0) / static_cast<double>(n);
  if (n > 1) {
    double ss = 0;
    for (double x : samples) ss += (x - st.mean) * (x - st.mean);
    st.std = std::sqrt(ss / static_cast<double>(n - 1));
  }

  // Distribution-free 95% CI of the median: the number of samples below the median is
  // Binomial(n, 1/2), so the order statistics at 1-based ranks floor(n/2 - 1.96*sqrt(n)/2) and
  // ceil(n/2 + 1.96*sqrt(n)/2) + 1 (the usual normal approximation, clamped to the sample)
  // bracket it with about 95% confidence; e.g. ranks 40 and 61 of 100.
  const double half_width = 1.96 * std::sqrt(static_cast<double>(n)) / 2;
  const double nd = static_cast<double>(n);
  const auto lo_rank = static_cast<std::size_t>(std::clamp(std::floor(nd / 2 - half_width), 1.0, nd));
  const auto hi_rank = static_cast<std::size_t>(std::clamp(std::ceil(nd / 2 + half_width) + 1, 1.0, nd));
  st.ci_low = samples[lo_rank - 1];
  st.ci_high = samples[hi_rank - 1];
  return st;
}

}  // namespace attnsweep
