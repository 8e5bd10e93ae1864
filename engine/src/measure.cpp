#include "attnsweep/engine/measure.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>

#include "attnsweep/engine/correctness.h"
#include "attnsweep/engine/inputs.h"
#include "attnsweep/engine/stats.h"

namespace attnsweep {

namespace {

using Clock = std::chrono::steady_clock;

// A sample should last at least this long, so clock resolution and launch overhead stay small
// against it; shorter launches are batched back to back and the interval divided.
constexpr double kMinSampleMs = 0.05;
constexpr int kMaxLaunchesPerSample = 1000;

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

std::string gib(double bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", bytes / (1ull << 30));
  return buf;
}

// Device bytes of Q, K, V, O and the workspace, in double so absurd shapes cannot wrap around.
double bytes_needed(const Kernel& kernel, const AttentionProblem& p) {
  const double elem = static_cast<double>(dtype_bytes(p.dtype));
  const double per_slice = static_cast<double>(p.batch) * static_cast<double>(p.heads) *
                           static_cast<double>(p.head_dim) * elem;
  return per_slice * 2 * (static_cast<double>(p.q_n) + static_cast<double>(p.k_n)) +
         static_cast<double>(kernel.workspace_bytes(p));
}

bool cancelled(const MeasureOptions& opts) { return opts.cancel && opts.cancel->load(); }

// The part of measure_cell that may throw; `r` is filled as it goes.
CellStatus measure_supported(const Kernel& kernel, Device& device, const Cell& cell, const MeasureOptions& opts,
                             CellResult& r) {
  const AttentionProblem p = cell.problem();
  const double needed = std::max(bytes_needed(kernel, p), static_cast<double>(cell.bytes_estimate));
  const double free = static_cast<double>(device.free_bytes());
  if (needed > free) {
    r.message = "needs " + gib(needed) + " GiB, " + gib(free) + " GiB free";
    return CellStatus::oom;
  }

  const std::uint64_t elem = dtype_bytes(p.dtype);
  DeviceBuffer q(device, p.q_elements() * elem), k(device, p.kv_elements() * elem),
      v(device, p.kv_elements() * elem), o(device, p.q_elements() * elem),
      workspace(device, kernel.workspace_bytes(p));
  const std::uint64_t seed = cell_seed(opts.seed, cell.id());
  const DeviceInputs inputs{k.get(), v.get(), fill_inputs(device, p, seed, q.get(), k.get(), v.get())};

  AttentionArgs args = contiguous_args(p, q.get(), k.get(), v.get(), o.get());
  args.workspace = workspace.get();
  args.workspace_bytes = workspace.bytes();
  args.stream = device.stream();
  const auto launch = [&] { kernel.run(args); };
  // One run into a freshly poisoned output, then the check; false (and r.message) if it fails.
  const auto run_and_check = [&](bool after_timing) {
    device.fill(o.get(), 0xff, o.bytes());
    launch();
    device.synchronize();
    if (!opts.check.enabled) return true;
    r.check = check_output(device, p, seed, inputs, o.get(), opts.check);
    r.check.rechecked_after_timing = after_timing;
    if (r.check.passed) return true;
    r.message = (after_timing ? "after timing: " : "") + describe_failure(r.check);
    return false;
  };

  if (!run_and_check(false)) return CellStatus::wrong;

  // Warm-up: at least one launch, until warmup_ms has passed; the last one sizes the batches.
  double launch_ms = 0;
  const auto warm_start = Clock::now();
  do {
    launch_ms = device.time_ms(launch, 1);
  } while (seconds_since(warm_start) * 1e3 < opts.timing.warmup_ms);
  const int launches = static_cast<int>(std::clamp(std::ceil(kMinSampleMs / std::max(launch_ms, 1e-6)), 1.0,
                                                   static_cast<double>(kMaxLaunchesPerSample)));
  r.launches_per_sample = launches;

  std::vector<double> samples;
  SampleStats stats;
  const auto sample_start = Clock::now();
  const bool cold = opts.timing.cache == CacheMode::cold;
  while (true) {
    if (cancelled(opts)) {
      r.message = "cancelled";
      return CellStatus::skipped;
    }
    // Outside the timed interval. A batch of tiny launches starts cold only for its first one;
    // the rest find what the first loaded, as back-to-back launches in a model would.
    if (cold) device.flush_cache();
    samples.push_back(device.time_ms(launch, launches) / launches);
    stats = compute_stats(samples);
    const int n = stats.samples;
    if (n >= opts.timing.min_samples && stats.rel_ci() <= opts.timing.target_rel_ci) break;
    if (n >= opts.timing.max_samples || seconds_since(sample_start) >= opts.timing.max_cell_s) break;
  }

  if (!run_and_check(true)) return CellStatus::wrong;

  r.time_ms = stats;
  r.tflops = p.flops() / (stats.median * 1e-3) / 1e12;
  r.gbps = p.min_bytes() / (stats.median * 1e-3) / 1e9;
  return CellStatus::ok;
}

}  // namespace

CellResult measure_cell(const Kernel& kernel, Device& device, const Cell& cell, const MeasureOptions& opts) {
  const auto start = Clock::now();
  CellResult r;
  r.cell = cell;
  r.cache = opts.timing.cache == CacheMode::cold ? "cold" : "warm";
  r.device = device.info().ordinal;

  if (!cell.supported) {
    // "runs on <backend>": another backend's kernel, skipped here rather than unsupported.
    r.status = cell.unsupported_reason.rfind("runs on ", 0) == 0 ? CellStatus::skipped : CellStatus::unsupported;
    r.message = cell.unsupported_reason;
    return r;
  }

  try {
    r.status = measure_supported(kernel, device, cell, opts, r);
  } catch (const OutOfMemory& e) {
    r.status = CellStatus::oom;
    r.message = e.what();
  } catch (const DeviceError& e) {
    r.status = e.sticky ? CellStatus::crashed : CellStatus::error;
    r.message = e.what();
  } catch (const std::exception& e) {
    r.status = CellStatus::error;
    r.message = e.what();
  } catch (...) {
    r.status = CellStatus::error;
    r.message = "unknown exception from the kernel or device";
  }
  if (r.status != CellStatus::ok) {  // a time exists only for ok cells
    r.time_ms.reset();
    r.tflops = 0;
    r.gbps = 0;
  }
  r.wall_s = seconds_since(start);
  return r;
}

}  // namespace attnsweep
