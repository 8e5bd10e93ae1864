#include "attnsweep/engine/two_sample.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

namespace attnsweep {

namespace {

std::vector<double> sorted_logs(const std::vector<double>& samples) {
  std::vector<double> out;
  out.reserve(samples.size());
  for (double x : samples) out.push_back(std::log(x));
  std::sort(out.begin(), out.end());
  return out;
}

// How many pairwise differences y[j] - x[i] are at most t (x and y sorted), without listing them:
// for each y[j], the x[i] >= y[j] - t, a boundary that only moves right as j grows.
std::uint64_t differences_at_most(const std::vector<double>& x, const std::vector<double>& y, double t) {
  std::uint64_t count = 0;
  std::size_t i = 0;
  for (double yj : y) {
    while (i < x.size() && x[i] < yj - t) ++i;
    count += x.size() - i;
  }
  return count;
}

// The k-th smallest (1-based) pairwise difference y[j] - x[i], by bisection on its value: the
// smallest t with at least k differences at most t, to the last bits of a double.
double kth_difference(const std::vector<double>& x, const std::vector<double>& y, std::uint64_t k) {
  double lo = y.front() - x.back(), hi = y.back() - x.front();
  if (differences_at_most(x, y, lo) >= k) return lo;
  for (int step = 0; step < 200 && hi - lo > 0; ++step) {
    const double mid = lo + (hi - lo) / 2;
    if (mid <= lo || mid >= hi) break;
    (differences_at_most(x, y, mid) >= k ? hi : lo) = mid;
  }
  return hi;
}

}  // namespace

double normal_quantile_two_sided(double confidence) {
  // erfc(z / sqrt 2) is the two-sided tail beyond z; it falls monotonically, so bisect.
  const double tail = 1 - confidence;
  double lo = 0, hi = 40;
  for (int step = 0; step < 200; ++step) {
    const double mid = (lo + hi) / 2;
    (std::erfc(mid / std::sqrt(2.0)) > tail ? lo : hi) = mid;
  }
  return (lo + hi) / 2;
}

RankTest mann_whitney(const std::vector<double>& base, const std::vector<double>& now) {
  RankTest t;
  const double n = static_cast<double>(base.size()), m = static_cast<double>(now.size());
  if (base.empty() || now.empty()) return t;

  // Rank both together; tied values share their mean rank.
  std::vector<std::pair<double, bool>> all;  // (value, from now)
  all.reserve(base.size() + now.size());
  for (double x : base) all.emplace_back(x, false);
  for (double y : now) all.emplace_back(y, true);
  std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  double rank_sum_now = 0, tie_term = 0;
  for (std::size_t i = 0; i < all.size();) {
    std::size_t j = i;
    while (j < all.size() && all[j].first == all[i].first) ++j;
    const double tied = static_cast<double>(j - i);
    const double mean_rank = (static_cast<double>(i + 1) + static_cast<double>(j)) / 2;
    for (std::size_t k = i; k < j; ++k)
      if (all[k].second) rank_sum_now += mean_rank;
    tie_term += tied * tied * tied - tied;
    i = j;
  }
  t.u = rank_sum_now - m * (m + 1) / 2;

  const double total = n + m;
  const double variance = n * m / 12 * ((total + 1) - tie_term / (total * (total - 1)));
  if (!(variance > 0)) return t;  // every sample equal: nothing to tell apart
  const double distance = std::max(0.0, std::abs(t.u - n * m / 2) - 0.5);
  t.z = std::copysign(distance / std::sqrt(variance), t.u - n * m / 2);
  t.p = std::min(1.0, std::erfc(distance / std::sqrt(variance) / std::sqrt(2.0)));
  return t;
}

bool RatioInterval::bounded() const { return low > 0 && std::isfinite(high); }

RatioInterval ratio_interval(const std::vector<double>& base, const std::vector<double>& now, double confidence) {
  RatioInterval r{0, std::numeric_limits<double>::infinity()};
  if (base.empty() || now.empty()) return r;
  const std::vector<double> x = sorted_logs(base), y = sorted_logs(now);
  const double n = static_cast<double>(x.size()), m = static_cast<double>(y.size());
  const std::uint64_t pairs = static_cast<std::uint64_t>(x.size()) * y.size();
  // The U test's critical value: cut this many pairwise ratios off each end.
  const double cut = std::floor(n * m / 2 - normal_quantile_two_sided(confidence) * std::sqrt(n * m * (n + m + 1) / 12));
  if (cut < 1) return r;
  const std::uint64_t k = static_cast<std::uint64_t>(cut);
  r.low = std::exp(kth_difference(x, y, k));
  r.high = std::exp(kth_difference(x, y, pairs + 1 - k));
  return r;
}

}  // namespace attnsweep
