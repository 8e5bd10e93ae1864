#include "attnsweep/engine/measure.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstring>
#include <stdexcept>

namespace attnsweep {
namespace {

// The CPU device with counted allocations and an optional allocation that fails.
class CountingDevice final : public Device {
 public:
  std::unique_ptr<Device> inner = make_cpu_device();
  int allocations = 0, releases = 0, flushes = 0;
  int fail_allocation = -1;  // the index of the allocation that throws OutOfMemory

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
    inner->flush_cache();
  }
  double time_ms(const std::function<void()>& f, int repeats) override { return inner->time_ms(f, repeats); }
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

MeasureOptions quick(CacheMode cache = CacheMode::warm) {
  MeasureOptions o;
  o.timing.warmup_ms = 1;
  o.timing.min_samples = 3;
  o.timing.max_samples = 20;
  o.timing.target_rel_ci = 0.5;
  o.timing.max_cell_s = 0.3;
  o.timing.cache = cache;
  o.seed = 99;
  return o;
}

TEST(Measure, OkCellHasStatisticsAndAPassedCheck) {
  CountingDevice dev;
  const Cell cell = small_cell();
  const CellResult r = measure_cell(*find_kernel("cpu_flash"), dev, cell, quick());
  ASSERT_EQ(r.status, CellStatus::ok) << r.message;
  EXPECT_TRUE(r.message.empty());
  ASSERT_TRUE(r.time_ms.has_value());
  const SampleStats& t = *r.time_ms;
  EXPECT_GE(t.samples, 1);
  EXPECT_LE(t.samples, 20);
  EXPECT_GT(t.median, 0);
  EXPECT_LE(t.min, t.median);
  EXPECT_LE(t.median, t.max);
  EXPECT_LE(t.ci_low, t.median);
  EXPECT_GE(t.ci_high, t.median);
  EXPECT_DOUBLE_EQ(r.tflops, cell.problem().flops() / (t.median * 1e-3) / 1e12);
  EXPECT_DOUBLE_EQ(r.gbps, cell.problem().min_bytes() / (t.median * 1e-3) / 1e9);
  EXPECT_GE(r.launches_per_sample, 1);
  EXPECT_TRUE(r.check.checked);
  EXPECT_TRUE(r.check.passed);
  EXPECT_TRUE(r.check.rechecked_after_timing);
  EXPECT_EQ(r.check.rows_checked, 2 * 128);
  EXPECT_EQ(r.cache, "warm");
  EXPECT_EQ(dev.flushes, 0);
  EXPECT_GT(r.wall_s, 0);
  EXPECT_EQ(dev.allocations, 4);  // Q, K, V, O; cpu_flash has no workspace
  EXPECT_EQ(dev.releases, dev.allocations);
}

TEST(Measure, ColdCacheFlushesBeforeEverySample) {
  CountingDevice dev;
  MeasureOptions o = quick(CacheMode::cold);
  o.timing.min_samples = 2;
  o.timing.max_samples = 2;
  const CellResult r = measure_cell(*find_kernel("cpu_naive"), dev, small_cell(1, 1, 64, 16), o);
  ASSERT_EQ(r.status, CellStatus::ok) << r.message;
  EXPECT_EQ(r.cache, "cold");
  EXPECT_EQ(dev.flushes, r.time_ms->samples);
  EXPECT_EQ(dev.allocations, 5);  // cpu_naive's score workspace too
}

TEST(Measure, WrongValuesGiveWrongWithoutTime) {
  CountingDevice dev;
  TamperedFlash k;
  k.tamper = [](const AttentionArgs& a, int) { static_cast<float*>(a.o)[0] += 1.0f; };
  const CellResult r = measure_cell(k, dev, small_cell(), quick());
  EXPECT_EQ(r.status, CellStatus::wrong);
  EXPECT_FALSE(r.time_ms.has_value());
  EXPECT_EQ(r.tflops, 0);
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
  EXPECT_FALSE(r.time_ms.has_value());
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
  EXPECT_FALSE(r.time_ms.has_value());
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
  EXPECT_FALSE(r.time_ms.has_value());
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
  EXPECT_FALSE(r.time_ms.has_value());
  EXPECT_LT(r.wall_s, 5);
}

}  // namespace
}  // namespace attnsweep
