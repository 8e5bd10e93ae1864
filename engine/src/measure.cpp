#include "attnsweep/engine/measure.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>

#include "attnsweep/engine/clock_watch.h"
#include "attnsweep/engine/correctness.h"
#include "attnsweep/engine/format.h"
#include "attnsweep/engine/inputs.h"
#include "attnsweep/engine/stats.h"

namespace attnsweep {

namespace {

using Clock = std::chrono::steady_clock;

// A batch sample lasts at least this long, so the events' resolution (about half a microsecond)
// stays small against it.
constexpr double kMinSampleMs = 0.05;
// At most this many launches go behind one stream hold: CUDA's launch queue holds about a
// thousand, and a full queue would block the host behind the hold until its timeout.
constexpr int kMaxLaunchesPerSample = 100;
// Past this many samples the stopping rule is evaluated every 1/16th more, not after each one:
// a cold cell of tiny launches may take thousands.
constexpr int kEvaluateEverySampleUpTo = 64;
// Sustained: the card is kept busy in steps of about kSettleStepMs; it has settled once two
// consecutive windows of kSettleWindowS agree on mean power and SM clock within kSettleTolerance.
constexpr double kSettleStepMs = 10;
constexpr double kSettleWindowS = 0.5;
constexpr double kSettleTolerance = 0.02;

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

std::string gib(double bytes) { return format_fixed(bytes / (1ull << 30), 2); }

// Device bytes of Q, K, V, O and the workspace, in double so absurd shapes cannot wrap around.
double bytes_needed(const Kernel& kernel, const AttentionProblem& p) {
  const double elem = static_cast<double>(dtype_bytes(p.dtype));
  const double per_slice = static_cast<double>(p.batch) * static_cast<double>(p.heads) *
                           static_cast<double>(p.head_dim) * elem;
  return per_slice * 2 * (static_cast<double>(p.q_n) + static_cast<double>(p.k_n)) +
         static_cast<double>(kernel.workspace_bytes(p));
}

bool cancelled(const MeasureOptions& opts) { return opts.cancel && opts.cancel->load(); }

// Back-to-back launches that together last about `ms`.
int launches_lasting(double ms, double launch_ms) {
  return static_cast<int>(std::clamp(std::ceil(ms / std::max(launch_ms, 1e-6)), 1.0,
                                     static_cast<double>(kMaxLaunchesPerSample)));
}

// Mean power and SM clock over a window of readings.
struct Window {
  double power = 0, clock = 0;
  int n = 0, with_power = 0;
  void add(const ClockReading& r) {
    clock += r.sm_mhz;
    ++n;
    if (r.power_w) {
      power += *r.power_w;
      ++with_power;
    }
  }
  bool agrees_with(const Window& w) const {
    const auto close = [](double a, double b) { return std::abs(a - b) <= kSettleTolerance * std::abs(b); };
    if (n == 0 || w.n == 0) return false;
    const bool power_known = with_power > 0 && w.with_power > 0;
    return close(clock / n, w.clock / w.n) && (!power_known || close(power / with_power, w.power / w.with_power));
  }
};

// Keeps the card busy with the cell's own launches until clocks and power settle or sustain_s
// runs out; where clocks cannot be read it runs the whole sustain_s.
SteadyRecord settle(Device& device, const std::function<void()>& launch, double launch_ms, const MeasureOptions& opts) {
  SteadyRecord steady;
  steady.state = SteadyState::sustained;
  const int launches = launches_lasting(kSettleStepMs, launch_ms);
  const auto start = Clock::now();
  auto window_start = start;
  Window previous, current;
  while (seconds_since(start) < opts.timing.sustain_s && !cancelled(opts)) {
    const TimedLaunches t = device.time_launches(launch, launches);
    if (t.clocks) current.add(*t.clocks);
    if (seconds_since(window_start) < kSettleWindowS) continue;
    if (current.agrees_with(previous)) {
      steady.settled = true;
      break;
    }
    previous = current;
    current = {};
    window_start = Clock::now();
  }
  return steady;
}

// Samples one mode until the median is tight or a cap is hit; nullopt when cancelled.
std::optional<Timing> sample_mode(TimingMode mode, Device& device, const std::function<void()>& launch,
                                  double launch_ms, const AttentionProblem& p, const MeasureOptions& opts,
                                  ClockWatch& watch) {
  const TimingOptions& t = opts.timing;
  Timing timing;
  timing.mode = mode;
  const bool cold = mode == TimingMode::cold;
  const int batch_launches = launches_lasting(kMinSampleMs, launch_ms);
  timing.launches_per_sample = cold ? 1 : batch_launches;
  // Tiny cells are never batched cold; they get as many more samples as batch mode has launches,
  // so their interval can tighten as far as a batch's would.
  const long long cap = static_cast<long long>(t.max_samples) * (cold ? batch_launches : 1);

  std::vector<double> samples;
  std::size_t next_evaluation = 0;
  const auto start = Clock::now();
  while (true) {
    if (cancelled(opts)) return std::nullopt;
    if (cold) device.flush_cache();  // on the stream before the hold: outside the interval
    const TimedLaunches sample = device.time_launches(launch, timing.launches_per_sample);
    samples.push_back(kept_sample(sample.ms / timing.launches_per_sample));
    const std::vector<std::string> flags = watch.add(sample.clocks);
    if (!flags.empty()) {
      ++timing.flagged_samples;
      merge_flags(timing.flags, flags);
    }
    const auto n = static_cast<long long>(samples.size());
    if (n >= cap || seconds_since(start) >= t.max_cell_s) break;
    if (n < t.min_samples || samples.size() < next_evaluation) continue;
    next_evaluation = samples.size() <= kEvaluateEverySampleUpTo ? 0 : samples.size() + samples.size() / 16;
    if (compute_stats(samples).rel_ci() <= t.target_rel_ci) break;
  }
  timing.time_ms = compute_stats(samples);
  timing.samples_ms = std::move(samples);
  timing.noisy = timing.time_ms.rel_ci() > t.target_rel_ci;
  timing.tflops = p.flops() / (timing.time_ms.median * 1e-3) / 1e12;
  timing.gbps = p.min_bytes() / (timing.time_ms.median * 1e-3) / 1e9;
  return timing;
}

// The part of measure_cell that may throw; `r` is filled as it goes.
CellStatus measure_supported(const Kernel& kernel, Device& device, const Cell& cell, const MeasureOptions& opts,
                             CellResult& r) {
  if (opts.timing.modes.empty()) {
    r.message = "no timing mode to measure in (timing.modes is empty)";
    return CellStatus::error;
  }
  const AttentionProblem p = cell.problem();
  const double needed = std::max(bytes_needed(kernel, p), static_cast<double>(cell.bytes_estimate));
  const double free = static_cast<double>(device.free_bytes());
  if (needed > free) {
    r.message = "needs " + gib(needed) + " GiB, " + gib(free) + " GiB free";
    return CellStatus::oom;
  }

  WallSplit& split = r.wall_split.emplace();
  auto phase = Clock::now();
  const auto lap = [&phase] {
    const double s = seconds_since(phase);
    phase = Clock::now();
    return s;
  };

  const std::uint64_t elem = dtype_bytes(p.dtype);
  DeviceBuffer q(device, p.q_elements() * elem), k(device, p.kv_elements() * elem),
      v(device, p.kv_elements() * elem), o(device, p.q_elements() * elem),
      workspace(device, kernel.workspace_bytes(p));
  const std::uint64_t seed = cell_seed(opts.seed, cell.id());
  const DeviceInputs inputs{k.get(), v.get(), fill_inputs(device, p, seed, q.get(), k.get(), v.get())};
  split.inputs = lap();

  AttentionArgs args = contiguous_args(p, q.get(), k.get(), v.get(), o.get());
  args.workspace = workspace.get();
  args.workspace_bytes = workspace.bytes();
  args.stream = device.stream();
  const std::function<void()> launch = [&] { kernel.run(args); };
  // One run into a freshly poisoned output, then the check; false (and r.message) if it fails.
  const auto run_and_check = [&](bool after_timing) {
    lap();
    device.fill(o.get(), 0xff, o.bytes());
    launch();
    device.synchronize();
    bool passed = true;
    if (opts.check.enabled) {
      r.check = check_output(device, p, seed, inputs, o.get(), opts.check);
      r.check.rechecked_after_timing = after_timing;
      passed = r.check.passed;
      if (!passed) r.message = (after_timing ? "after timing: " : "") + describe_failure(r.check);
    }
    split.check += lap();
    return passed;
  };

  // Cancel is looked at before each check (long on the CPU) and during the warm-up too.
  const auto stop_if_cancelled = [&] {
    if (cancelled(opts)) r.message = "cancelled";
    return cancelled(opts);
  };
  if (stop_if_cancelled()) return CellStatus::skipped;
  if (!run_and_check(false)) return CellStatus::wrong;

  // Warm-up: at least one launch, until warmup_ms has passed (or a cancel); the last one sizes batches.
  double launch_ms = 0;
  do {
    launch_ms = device.time_launches(launch, 1).ms;
  } while (seconds_since(phase) * 1e3 < opts.timing.warmup_ms && !cancelled(opts));
  split.warmup = lap();

  if (opts.timing.steady == SteadyState::sustained) {
    r.steady = settle(device, launch, launch_ms, opts);
    split.settle = lap();
  } else {
    r.steady = SteadyRecord{};
  }

  ClockWatch watch(device.clocks_unavailable());
  std::vector<TimingMode> modes = opts.timing.modes;
  std::sort(modes.begin(), modes.end());  // cold first, as records list them
  for (TimingMode mode : modes) {
    std::optional<Timing> timing = sample_mode(mode, device, launch, launch_ms, p, opts, watch);
    if (!timing) {
      r.message = "cancelled";
      return CellStatus::skipped;
    }
    r.timings.push_back(std::move(*timing));
  }
  r.clocks = watch.summary();
  split.timing = lap();

  if (stop_if_cancelled()) return CellStatus::skipped;
  if (!run_and_check(true)) return CellStatus::wrong;
  return CellStatus::ok;
}

}  // namespace

CellResult measure_cell(const Kernel& kernel, Device& device, const Cell& cell, const MeasureOptions& opts) {
  const auto start = Clock::now();
  CellResult r;
  r.cell = cell;
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
  if (r.status != CellStatus::ok) r.timings.clear();  // a time exists only for ok cells
  r.wall_s = seconds_since(start);
  return r;
}

}  // namespace attnsweep
