#include "attnsweep/engine/measure.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <vector>

#include "attnsweep/engine/stats.h"

namespace attnsweep {
namespace {

// The CPU device with counted allocations, an optional allocation that fails, and (when set)
// scripted intervals and clock readings in place of the wall clock, so the sampling loop can be
// driven exactly. Each timed interval still runs the launches.
class CountingDevice final : public Device {
 public:
  std::unique_ptr<Device> inner = make_cpu_device();
  int allocations = 0, releases = 0, flushes = 0;
  int fail_allocation = -1;  // the index of the allocation that throws OutOfMemory
  std::vector<int> launches_per_interval;       // one entry per time_launches call
  std::vector<bool> flushed_before_interval;    // whether a flush came since the previous interval
  std::function<double(int repeats, std::size_t call)> interval_ms;  // scripted time of an interval
  std::function<std::optional<ClockReading>(std::size_t call)> clocks;  // scripted readings
  std::string no_clocks = "scripted: no clocks";
  bool flushed_ = false;

  const DeviceInfo& info() const override { return inner->info(); }
  DeviceCaps caps() const override { return inner->caps(); }
  std::uint64_t free_bytes() const override { return inner->free_bytes(); }
  void* allocate(std::uint64_t bytes) override {
    if (allocations == fail_allocation) throw OutOfMemory("injected allocation failure");
    ++allocations;
    return inner->allocate(bytes);
  }
  void release(void* p) noexcept override {
    ++releases;
    inner->release(p);
  }
  void copy_to_device(void* d, const void* s, std::uint64_t n) override { inner->copy_to_device(d, s, n); }
  void copy_to_host(void* d, const void* s, std::uint64_t n) override { inner->copy_to_host(d, s, n); }
  void fill(void* d, std::uint8_t b, std::uint64_t n) override { inner->fill(d, b, n); }
  void* stream() override { return inner->stream(); }
  void synchronize() override { inner->synchronize(); }
  void flush_cache() override {
    ++flushes;
    flushed_ = true;
    if (!interval_ms) inner->flush_cache();  // scripted times: a real flush would only cost time
  }
  TimedLaunches time_launches(const std::function<void()>& f, int repeats) override {
    const std::size_t call = launches_per_interval.size();
    launches_per_interval.push_back(repeats);
    flushed_before_interval.push_back(flushed_);
    flushed_ = false;
    TimedLaunches t = inner->time_launches(f, repeats);
    if (interval_ms) t.ms = interval_ms(repeats, call);
    if (clocks) t.clocks = clocks(call);
    return t;
  }
  std::optional<ClockReading> read_clocks() override { return clocks ? clocks(0) : std::nullopt; }
  std::string clocks_unavailable() const override { return clocks ? "" : no_clocks; }
};

// cpu_flash, then whatever `tamper` does to the output; counts its runs.
class TamperedFlash final : public Kernel {
 public:
  std::function<void(const AttentionArgs&, int run)> tamper;
  mutable int runs = 0;
  const KernelInfo& info() const override { return info_; }
  Support supports(const AttentionProblem&, const DeviceCaps&) const override { return Support::yes(); }
  void run(const AttentionArgs& a) const override {
    find_kernel("cpu_flash")->run(a);
    if (tamper) tamper(a, runs);
    ++runs;
  }

 private:
  KernelInfo info_{"test_tampered", Backend::cpu, "cpu_flash with injected faults", "", true};
};

Cell small_cell(std::int64_t batch = 1, std::int64_t heads = 2, std::int64_t n = 128, std::int64_t d = 32) {
  Cell c;
  c.kernel = "cpu_flash";
  c.tier.shape = {n, n, d, heads, batch};
  c.tier.name = tier_name(c.tier.shape);
  c.dtype = DType::fp32;
  return c;
}

MeasureOptions quick(std::vector<TimingMode> modes = {TimingMode::batch}) {
  MeasureOptions o;
  o.timing.warmup_ms = 1;
  o.timing.min_samples = 3;
  o.timing.max_samples = 20;
  o.timing.target_rel_ci = 0.5;
  o.timing.max_cell_s = 0.3;
  o.timing.modes = std::move(modes);
  o.seed = 99;
  return o;
}

// The calls of the sampling phase: those after the warm-up's single launches (warm-up takes
// `warmup_calls` intervals).
std::vector<int> sampled(const std::vector<int>& all, std::size_t warmup_calls) {
  return {all.begin() + static_cast<std::ptrdiff_t>(warmup_calls), all.end()};
}

TEST(Measure, OkCellHasStatisticsAndAPassedCheck) {
  CountingDevice dev;
  const Cell cell = small_cell();
  const CellResult r = measure_cell(*find_kernel("cpu_flash"), dev, cell, quick());
  ASSERT_EQ(r.status, CellStatus::ok) << r.message;
  EXPECT_TRUE(r.message.empty());
  ASSERT_EQ(r.timings.size(), 1u);
  const Timing& timing = r.timings[0];
  EXPECT_EQ(timing.mode, TimingMode::batch);
  const SampleStats& t = timing.time_ms;
  EXPECT_GE(t.samples, 1);
  EXPECT_LE(t.samples, 20);
  EXPECT_GT(t.median, 0);
  EXPECT_LE(t.min, t.median);
  EXPECT_LE(t.median, t.max);
  EXPECT_LE(t.ci_low, t.median);
  EXPECT_GE(t.ci_high, t.median);
  EXPECT_DOUBLE_EQ(timing.tflops, cell.problem().flops() / (t.median * 1e-3) / 1e12);
  EXPECT_DOUBLE_EQ(timing.gbps, cell.problem().min_bytes() / (t.median * 1e-3) / 1e9);
  EXPECT_GE(timing.launches_per_sample, 1);
  // Every sample is kept, and the statistics are those of the kept samples.
  ASSERT_EQ(timing.samples_ms.size(), static_cast<std::size_t>(t.samples));
  EXPECT_DOUBLE_EQ(compute_stats(timing.samples_ms).median, t.median);
  EXPECT_TRUE(r.check.checked);
  EXPECT_TRUE(r.check.passed);
  EXPECT_TRUE(r.check.rechecked_after_timing);
  EXPECT_EQ(r.check.rows_checked, 2 * 128);
  EXPECT_EQ(dev.flushes, 0);
  EXPECT_GT(r.wall_s, 0);
  // Where the wall time went, every phase counted once.
  ASSERT_TRUE(r.wall_split.has_value());
  EXPECT_GT(r.wall_split->inputs, 0);
  EXPECT_GT(r.wall_split->check, 0);
  EXPECT_GT(r.wall_split->timing, 0);
  EXPECT_EQ(r.wall_split->settle, 0);
  EXPECT_LE(r.wall_split->total(), r.wall_s);
  ASSERT_TRUE(r.steady.has_value());
  EXPECT_EQ(r.steady->state, SteadyState::burst);
  ASSERT_TRUE(r.clocks.has_value());
  EXPECT_FALSE(r.clocks->read);
  EXPECT_EQ(r.clocks->why_not, "scripted: no clocks");
  EXPECT_EQ(dev.allocations, 4);  // Q, K, V, O; cpu_flash has no workspace
  EXPECT_EQ(dev.releases, dev.allocations);
}

TEST(Measure, ColdCacheFlushesBeforeEverySample) {
  CountingDevice dev;
  MeasureOptions o = quick({TimingMode::cold});
  o.timing.min_samples = 2;
  o.timing.max_samples = 2;
  const CellResult r = measure_cell(*find_kernel("cpu_naive"), dev, small_cell(1, 1, 64, 16), o);
  ASSERT_EQ(r.status, CellStatus::ok) << r.message;
  ASSERT_NE(r.timing(TimingMode::cold), nullptr);
  EXPECT_EQ(dev.flushes, r.timing(TimingMode::cold)->time_ms.samples);
  EXPECT_EQ(dev.allocations, 5);  // cpu_naive's score workspace too
}

// A launch of 2 us: batch mode times 25 back to back (50 us per sample); cold mode times each
// sample as exactly one launch after a flush, never a batch, and may take up to 25x the samples.
TEST(Measure, ColdIsOneLaunchPerFlushedSampleAndBatchIsLabelledBatch) {
  CountingDevice dev;
  dev.interval_ms = [](int repeats, std::size_t) { return 0.002 * repeats; };
  MeasureOptions o = quick({TimingMode::batch, TimingMode::cold});  // cold is measured first all the same
  o.timing.warmup_ms = 0;
  o.timing.min_samples = 10;
  o.timing.max_cell_s = 30;
  const CellResult r = measure_cell(*find_kernel("cpu_flash"), dev, small_cell(1, 1, 16, 8), o);
  ASSERT_EQ(r.status, CellStatus::ok) << r.message;
  ASSERT_EQ(r.timings.size(), 2u);
  EXPECT_EQ(r.timings[0].mode, TimingMode::cold);
  EXPECT_EQ(r.timings[1].mode, TimingMode::batch);
  const Timing& cold = r.timings[0];
  const Timing& batch = r.timings[1];
  EXPECT_EQ(cold.launches_per_sample, 1);
  EXPECT_EQ(batch.launches_per_sample, 25);
  EXPECT_DOUBLE_EQ(cold.time_ms.median, 0.002);
  EXPECT_DOUBLE_EQ(batch.time_ms.median, 0.002);
  EXPECT_EQ(cold.time_ms.samples, 10);  // constant times: tight at min_samples
  EXPECT_EQ(batch.time_ms.samples, 10);
  EXPECT_EQ(cold.samples_ms, std::vector<double>(10, 0.002));  // per launch, in both modes
  EXPECT_EQ(batch.samples_ms, std::vector<double>(10, 0.002));
  // After the one warm-up launch: 10 single launches, each after a flush, then 10 batches without.
  const std::vector<int> calls = sampled(dev.launches_per_interval, 1);
  ASSERT_EQ(calls.size(), 20u);
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(calls[i], 1) << i;
    EXPECT_TRUE(dev.flushed_before_interval[1 + i]) << i;
    EXPECT_EQ(calls[10 + i], 25) << i;
    EXPECT_FALSE(dev.flushed_before_interval[11 + i]) << i;
  }
}

// A tiny cell whose interval never tightens: cold goes past max_samples, up to max_samples x the
// launches a batch would hold; batch stops at max_samples. Both end noisy.
TEST(Measure, TinyColdCellsGetMoreSamplesAndAWideIntervalIsNoisy) {
  CountingDevice dev;
  dev.interval_ms = [](int repeats, std::size_t call) { return (call % 2 ? 0.001 : 0.004) * repeats; };
  MeasureOptions o = quick({TimingMode::cold, TimingMode::batch});
  o.timing.warmup_ms = 0;
  o.timing.min_samples = 10;
  o.timing.max_samples = 20;
  o.timing.target_rel_ci = 0.01;
  o.timing.max_cell_s = 30;
  const CellResult r = measure_cell(*find_kernel("cpu_flash"), dev, small_cell(1, 1, 16, 8), o);
  ASSERT_EQ(r.status, CellStatus::ok) << r.message;
  const Timing& cold = *r.timing(TimingMode::cold);
  const Timing& batch = *r.timing(TimingMode::batch);
  // The warm-up launch read 4 us: a batch holds 13 launches, so cold may take 20 x 13 samples.
  EXPECT_EQ(batch.launches_per_sample, 13);
  EXPECT_EQ(cold.time_ms.samples, 20 * 13);
  EXPECT_EQ(batch.time_ms.samples, 20);
  EXPECT_TRUE(cold.noisy);
  EXPECT_TRUE(batch.noisy);
  EXPECT_TRUE(r.noisy());
}

TEST(Measure, ATightIntervalIsNotNoisyAndTenSamplesAreTheDefaultMinimum) {
  CountingDevice dev;
  dev.interval_ms = [](int repeats, std::size_t) { return 0.5 * repeats; };
  MeasureOptions o;
  o.timing.warmup_ms = 0;
  o.seed = 1;
  const CellResult r = measure_cell(*find_kernel("cpu_flash"), dev, small_cell(1, 1, 16, 8), o);
  ASSERT_EQ(r.status, CellStatus::ok) << r.message;
  ASSERT_EQ(r.timings.size(), 2u);  // cold and batch by default
  for (const Timing& t : r.timings) {
    EXPECT_EQ(t.time_ms.samples, 10) << timing_mode_name(t.mode);
    EXPECT_FALSE(t.noisy);
  }
  EXPECT_FALSE(r.noisy());
}

// Samples read while NVML named a slowdown, or under 75% of the highest clock, are flagged and
// named; the clock summary spans every reading.
TEST(Measure, SlowedSamplesAreFlaggedAndClocksSummed) {
  CountingDevice dev;
  dev.interval_ms = [](int repeats, std::size_t) { return 0.5 * repeats; };
  dev.clocks = [](std::size_t call) {
    ClockReading c;
    c.sm_max_mhz = 1980;
    c.sm_mhz = call == 3 ? 1200 : 1755;          // one sample under 75% of 1980
    c.throttle_reasons = call == 5 ? 0x4 : 0x1;  // one under the power cap; idle is no slowdown
    c.power_w = 600.0 + static_cast<double>(call);
    c.temperature_c = 60;
    return std::optional<ClockReading>(c);
  };
  MeasureOptions o = quick({TimingMode::cold});
  o.timing.warmup_ms = 0;
  o.timing.min_samples = 10;
  o.timing.max_samples = 10;
  o.timing.max_cell_s = 30;
  const CellResult r = measure_cell(*find_kernel("cpu_flash"), dev, small_cell(1, 1, 16, 8), o);
  ASSERT_EQ(r.status, CellStatus::ok) << r.message;
  const Timing& t = *r.timing(TimingMode::cold);
  EXPECT_EQ(t.flagged_samples, 2);
  EXPECT_EQ(t.flags, (std::vector<std::string>{"low_clock", "sw_power_cap"}));
  ASSERT_TRUE(r.clocks.has_value());
  EXPECT_TRUE(r.clocks->read);
  EXPECT_EQ(r.clocks->readings, 10);  // the sampling phase's readings; the warm-up's are not counted
  EXPECT_EQ(r.clocks->sm_mhz_min, 1200u);
  EXPECT_EQ(r.clocks->sm_mhz_max, 1755u);
  EXPECT_EQ(r.clocks->reasons, std::vector<std::string>{"sw_power_cap"});
  EXPECT_EQ(r.clocks->power_w_max, 610.0);
}

// Sustained: the card is kept busy with the cell's launches until two windows of readings agree
// (here at once: the readings never move), and the record says so.
TEST(Measure, SustainedSettlesBeforeSamplingAndSaysSo) {
  CountingDevice dev;
  dev.interval_ms = [](int repeats, std::size_t) { return 0.5 * repeats; };
  dev.clocks = [](std::size_t) {
    ClockReading c;
    c.sm_mhz = c.sm_max_mhz = 1755;
    c.power_w = 650;
    return std::optional<ClockReading>(c);
  };
  MeasureOptions o = quick({TimingMode::cold});
  o.timing.warmup_ms = 0;
  o.timing.steady = SteadyState::sustained;
  o.timing.sustain_s = 5;
  const CellResult r = measure_cell(*find_kernel("cpu_flash"), dev, small_cell(), o);
  ASSERT_EQ(r.status, CellStatus::ok) << r.message;
  ASSERT_TRUE(r.steady.has_value());
  EXPECT_EQ(r.steady->state, SteadyState::sustained);
  EXPECT_TRUE(r.steady->settled);
  EXPECT_GE(r.wall_split->settle, 1.0);  // two half-second windows
  EXPECT_LT(r.wall_split->settle, 5.0);
}

// Without clock readings there is nothing to settle on: the whole sustain_s is spent, and the
// record says the state was not seen to settle.
TEST(Measure, SustainedWithoutClocksRunsTheWholeBound) {
  CountingDevice dev;
  MeasureOptions o = quick({TimingMode::batch});
  o.timing.steady = SteadyState::sustained;
  o.timing.sustain_s = 0.3;
  const CellResult r = measure_cell(*find_kernel("cpu_flash"), dev, small_cell(), o);
  ASSERT_EQ(r.status, CellStatus::ok) << r.message;
  EXPECT_FALSE(r.steady->settled);
  EXPECT_GE(r.wall_split->settle, 0.3);
}

TEST(Measure, WrongValuesGiveWrongWithoutTime) {
  CountingDevice dev;
  TamperedFlash k;
  k.tamper = [](const AttentionArgs& a, int) { static_cast<float*>(a.o)[0] += 1.0f; };
  const CellResult r = measure_cell(k, dev, small_cell(), quick());
  EXPECT_EQ(r.status, CellStatus::wrong);
  EXPECT_TRUE(r.timings.empty());
  EXPECT_FALSE(r.check.passed);
  EXPECT_GT(r.check.max_abs_err, r.check.tolerance);
  EXPECT_NE(r.message.find("max_abs_err"), std::string::npos) << r.message;
  EXPECT_EQ(k.runs, 1);  // never timed
}

TEST(Measure, UnwrittenOutputGivesWrong) {
  CountingDevice dev;
  TamperedFlash k;
  // Put the poison back on the last row, as a kernel that skips its tail would leave it.
  k.tamper = [](const AttentionArgs& a, int) {
    const auto& p = a.problem;
    std::memset(static_cast<float*>(a.o) + (p.q_elements() - p.head_dim), 0xff, p.head_dim * sizeof(float));
  };
  const CellResult r = measure_cell(k, dev, small_cell(), quick());
  EXPECT_EQ(r.status, CellStatus::wrong);
  EXPECT_EQ(r.check.unwritten, 32);
  EXPECT_TRUE(r.timings.empty());
}

TEST(Measure, GoingWrongDuringTimingIsCaughtByTheRecheck) {
  CountingDevice dev;
  TamperedFlash k;
  k.tamper = [](const AttentionArgs& a, int run) {
    if (run > 0) static_cast<float*>(a.o)[7] = -100.0f;
  };
  const CellResult r = measure_cell(k, dev, small_cell(), quick());
  EXPECT_EQ(r.status, CellStatus::wrong);
  EXPECT_TRUE(r.check.rechecked_after_timing);
  EXPECT_TRUE(r.timings.empty());
  EXPECT_EQ(r.message.rfind("after timing: ", 0), 0u) << r.message;
}

TEST(Measure, CheckOffMeansNoCheck) {
  CountingDevice dev;
  TamperedFlash k;
  k.tamper = [](const AttentionArgs& a, int) { static_cast<float*>(a.o)[0] += 1.0f; };
  MeasureOptions o = quick();
  o.check.enabled = false;
  const CellResult r = measure_cell(k, dev, small_cell(), o);
  EXPECT_EQ(r.status, CellStatus::ok) << r.message;
  EXPECT_FALSE(r.check.checked);
}

TEST(Measure, TooBigForTheDeviceIsOomWithoutAllocating) {
  CountingDevice dev;
  const Cell huge = small_cell(1024, 1024, 1 << 16, 128);  // 64 TiB of Q alone
  const CellResult r = measure_cell(*find_kernel("cpu_flash"), dev, huge, quick());
  EXPECT_EQ(r.status, CellStatus::oom);
  EXPECT_NE(r.message.find("needs "), std::string::npos) << r.message;
  EXPECT_NE(r.message.find("GiB free"), std::string::npos) << r.message;
  EXPECT_EQ(dev.allocations, 0);
  EXPECT_TRUE(r.timings.empty());
}

TEST(Measure, FailedAllocationIsOomAndFreesTheRest) {
  CountingDevice dev;
  dev.fail_allocation = 2;  // Q and K succeed, V fails
  const CellResult r = measure_cell(*find_kernel("cpu_flash"), dev, small_cell(), quick());
  EXPECT_EQ(r.status, CellStatus::oom);
  EXPECT_EQ(r.message, "injected allocation failure");
  EXPECT_EQ(dev.allocations, 2);
  EXPECT_EQ(dev.releases, 2);
}

TEST(Measure, ThrowingKernelIsError) {
  CountingDevice dev;
  TamperedFlash k;
  k.tamper = [](const AttentionArgs&, int) { throw std::runtime_error("kernel exploded"); };
  const CellResult r = measure_cell(k, dev, small_cell(), quick());
  EXPECT_EQ(r.status, CellStatus::error);
  EXPECT_EQ(r.message, "kernel exploded");
  EXPECT_EQ(dev.releases, dev.allocations);
}

TEST(Measure, DeviceErrorsAreErrorOrCrashedBySticky) {
  CountingDevice dev;
  TamperedFlash k;
  k.tamper = [](const AttentionArgs&, int) { throw DeviceError("illegal address", true); };
  EXPECT_EQ(measure_cell(k, dev, small_cell(), quick()).status, CellStatus::crashed);
  k.tamper = [](const AttentionArgs&, int) { throw DeviceError("launch out of resources", false); };
  const CellResult r = measure_cell(k, dev, small_cell(), quick());
  EXPECT_EQ(r.status, CellStatus::error);
  EXPECT_EQ(r.message, "launch out of resources");
}

TEST(Measure, UnsupportedCellsNeverTouchTheDevice) {
  CountingDevice dev;
  Cell c = small_cell();
  c.supported = false;
  c.unsupported_reason = "dtype fp16: CPU kernels compute fp32 only";
  CellResult r = measure_cell(*find_kernel("cpu_flash"), dev, c, quick());
  EXPECT_EQ(r.status, CellStatus::unsupported);
  EXPECT_EQ(r.message, c.unsupported_reason);
  c.unsupported_reason = "runs on cuda; this run uses cpu";
  r = measure_cell(*find_kernel("cpu_flash"), dev, c, quick());
  EXPECT_EQ(r.status, CellStatus::skipped);
  EXPECT_EQ(dev.allocations, 0);
}

TEST(Measure, CancelBetweenSamplesGivesSkipped) {
  CountingDevice dev;
  std::atomic<bool> cancel{false};
  TamperedFlash k;
  k.tamper = [&cancel](const AttentionArgs&, int run) {
    if (run == 3) cancel = true;  // during warm-up or the first samples
  };
  MeasureOptions o = quick();
  o.cancel = &cancel;
  o.timing.min_samples = 1000;  // would run until the time cap without the cancel
  o.timing.max_samples = 1000;
  o.timing.max_cell_s = 30;
  const CellResult r = measure_cell(k, dev, small_cell(), o);
  EXPECT_EQ(r.status, CellStatus::skipped);
  EXPECT_EQ(r.message, "cancelled");
  EXPECT_TRUE(r.timings.empty());
  EXPECT_LT(r.wall_s, 5);
}

// A minute of warm-up (the longest a spec allows) ends at the cancel, not at the minute.
TEST(Measure, CancelReachesTheWarmUp) {
  CountingDevice dev;
  std::atomic<bool> cancel{false};
  TamperedFlash k;
  k.tamper = [&cancel](const AttentionArgs&, int run) {
    if (run == 2) cancel = true;  // run 0 is the check; 1 and on warm up
  };
  MeasureOptions o = quick();
  o.cancel = &cancel;
  o.timing.warmup_ms = kMaxWarmupMs;
  const CellResult r = measure_cell(k, dev, small_cell(), o);
  EXPECT_EQ(r.status, CellStatus::skipped);
  EXPECT_EQ(r.message, "cancelled");
  EXPECT_LT(r.wall_s, 5);
}

// Cancelled before it began: not even the check runs (on the CPU a check can take a while).
TEST(Measure, CancelBeforeTheCheckRunsNothing) {
  CountingDevice dev;
  std::atomic<bool> cancel{true};
  TamperedFlash k;
  MeasureOptions o = quick();
  o.cancel = &cancel;
  const CellResult r = measure_cell(k, dev, small_cell(), o);
  EXPECT_EQ(r.status, CellStatus::skipped);
  EXPECT_EQ(r.message, "cancelled");
  EXPECT_EQ(k.runs, 0);
}

}  // namespace
}  // namespace attnsweep
