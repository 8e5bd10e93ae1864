#pragma once
// Splits [0, n) over the machine's hardware threads. Work must not depend on which thread runs
// it, so results are the same on every machine.
#include <algorithm>
#include <cstdint>
#include <thread>
#include <vector>

namespace attnsweep {

template <class Fn>  // Fn(std::uint64_t begin, std::uint64_t end)
void parallel_ranges(std::uint64_t n, std::uint64_t min_per_thread, Fn fn) {
  const std::uint64_t hw = std::max(1u, std::thread::hardware_concurrency());
  const std::uint64_t threads = std::clamp<std::uint64_t>(n / std::max<std::uint64_t>(min_per_thread, 1), 1, hw);
  if (threads == 1) {
    fn(std::uint64_t{0}, n);
    return;
  }
  std::vector<std::thread> pool;
  pool.reserve(threads);
  for (std::uint64_t t = 0; t < threads; ++t)
    pool.emplace_back([&fn, n, t, threads] { fn(n * t / threads, n * (t + 1) / threads); });
  for (std::thread& th : pool) th.join();
}

}  // namespace attnsweep
