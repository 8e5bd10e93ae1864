// The CUDA device: absent cleanly without a GPU; on one, facts, memory, copies, oom, timing with
// the stream held, clocks read and locked.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <thread>
#include <vector>

#include "attnsweep/kernels/device.h"

namespace attnsweep {
namespace {

TEST(CudaDevice, CountNeverThrows) {
  int n = -1;
  EXPECT_NO_THROW(n = cuda_device_count());
  EXPECT_GE(n, 0);
}

TEST(CudaDevice, MissingOrdinalIsADeviceErrorNotACrash) {
  const int n = cuda_device_count();
  try {
    make_cuda_device(n);  // one past the last
    FAIL() << "expected DeviceError";
  } catch (const DeviceError& e) {
    EXPECT_FALSE(e.sticky);
    EXPECT_FALSE(std::string(e.what()).empty());
  }
}

class CudaDeviceOnGpu : public ::testing::Test {
 protected:
  void SetUp() override {
    if (cuda_device_count() == 0) GTEST_SKIP() << "no CUDA device";
    device = make_cuda_device(0);
  }
  std::unique_ptr<Device> device;
};

TEST_F(CudaDeviceOnGpu, DescribesItself) {
  const DeviceInfo& info = device->info();
  EXPECT_EQ(info.backend, Backend::cuda);
  EXPECT_FALSE(info.name.empty());
  for (const char* key : {"name", "uuid", "sm_count", "memory_bytes", "l2_bytes", "cc", "driver", "runtime", "cublas"}) {
    ASSERT_TRUE(info.facts.count(key)) << key;
    EXPECT_FALSE(info.facts.at(key).empty()) << key;
  }
  EXPECT_EQ(info.facts.at("uuid").rfind("GPU-", 0), 0u);
  const DeviceCaps caps = device->caps();
  EXPECT_TRUE(caps.known);
  EXPECT_GE(caps.cc_major, 7);
  EXPECT_GT(caps.smem_per_block_optin, 48u * 1024);
  for (const auto& [k, v] : info.facts) std::printf("  %s = %s\n", k.c_str(), v.c_str());
}

TEST_F(CudaDeviceOnGpu, CopiesFillsAndFrees) {
  const std::vector<std::uint8_t> host = {1, 2, 3, 4, 5, 6, 7, 8};
  DeviceBuffer buf(*device, host.size());
  device->copy_to_device(buf.get(), host.data(), host.size());
  std::vector<std::uint8_t> back(host.size());
  device->copy_to_host(back.data(), buf.get(), back.size());
  EXPECT_EQ(back, host);
  device->fill(buf.get(), 0xff, buf.bytes());
  device->copy_to_host(back.data(), buf.get(), back.size());
  EXPECT_EQ(back, std::vector<std::uint8_t>(host.size(), 0xff));
}

TEST_F(CudaDeviceOnGpu, AnAllocationTooLargeIsOomAndTheDeviceGoesOn) {
  const std::uint64_t too_much = device->free_bytes() * 4 + (1ull << 40);
  EXPECT_THROW(DeviceBuffer(*device, too_much), OutOfMemory);
  DeviceBuffer ok(*device, 1 << 20);  // still usable afterwards
  EXPECT_NE(ok.get(), nullptr);
  EXPECT_NO_THROW(device->synchronize());
}

TEST_F(CudaDeviceOnGpu, TimesWorkOnItsStreamAndFlushesTheCache) {
  DeviceBuffer buf(*device, 64 << 20);
  device->flush_cache();
  const TimedLaunches t = device->time_launches([&] { device->flush_cache(); }, 3);
  EXPECT_GT(t.ms, 0);
  EXPECT_NO_THROW(device->synchronize());
}

// The stream hold: host time spent between the launches (5 ms each) never lands in the interval,
// which holds only the three flushes (tens of microseconds each).
TEST_F(CudaDeviceOnGpu, HostDispatchStaysOutOfTheInterval) {
  const auto slow_enqueue = [&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    device->flush_cache();
  };
  const TimedLaunches t = device->time_launches(slow_enqueue, 3);
  std::printf("  3 flushes enqueued over 15 ms of host time: %.3f ms on the GPU\n", t.ms);
  EXPECT_GT(t.ms, 0);
  EXPECT_LT(t.ms, 5.0);
}

// A hold that is never released in time (the host stalls past the timeout) fails the sample with
// a DeviceError instead of hanging or returning a time with host work in it; the device goes on.
TEST_F(CudaDeviceOnGpu, AHoldThatRunsOutIsAnErrorNotAHang) {
  const auto stalled = [&] { std::this_thread::sleep_for(std::chrono::milliseconds(2500)); };
  EXPECT_THROW(device->time_launches(stalled, 1), DeviceError);
  EXPECT_GT(device->time_launches([&] { device->flush_cache(); }, 1).ms, 0);
}

// NVML read while the launches run, or a reason why not (a host without NVML still measures).
TEST_F(CudaDeviceOnGpu, ReadsClocksOrSaysWhyNot) {
  const std::string why_not = device->clocks_unavailable();
  const TimedLaunches t = device->time_launches([&] { device->flush_cache(); }, 10);
  if (!why_not.empty()) {
    EXPECT_FALSE(t.clocks.has_value());
    GTEST_SKIP() << "clocks not readable here: " << why_not;
  }
  ASSERT_TRUE(t.clocks.has_value());
  const ClockReading& c = *t.clocks;
  std::printf("  SM %u of %u MHz, reasons 0x%llx, power %.1f W, %.0f C\n", c.sm_mhz, c.sm_max_mhz,
              static_cast<unsigned long long>(c.throttle_reasons), c.power_w.value_or(-1), c.temperature_c.value_or(-1));
  EXPECT_GT(c.sm_mhz, 0u);
  EXPECT_GE(c.sm_max_mhz, c.sm_mhz);
  EXPECT_TRUE(device->read_clocks().has_value());
}

// --lock-clocks: locked where permitted (then NVML reads the locked clock), else a reason; the
// clock is free again once the lock is gone.
TEST_F(CudaDeviceOnGpu, LocksTheSmClockWherePermittedAndResetsIt) {
  if (!device->clocks_unavailable().empty()) GTEST_SKIP() << device->clocks_unavailable();
  auto lock = lock_sm_clock(0, 0);
  if (!lock->locked()) {
    EXPECT_FALSE(lock->why_not().empty());
    GTEST_SKIP() << "not permitted here: " << lock->why_not();
  }
  std::printf("  locked at %u MHz\n", lock->sm_mhz());
  EXPECT_GT(lock->sm_mhz(), 0u);
  const auto reading = device->read_clocks();
  ASSERT_TRUE(reading.has_value());
  EXPECT_EQ(reading->sm_mhz, lock->sm_mhz());
  lock->reset();
  EXPECT_FALSE(lock->locked());
}

}  // namespace
}  // namespace attnsweep
