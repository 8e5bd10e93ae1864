// The CUDA device: absent cleanly without a GPU; on one, facts, memory, copies, oom, timing.
#include <gtest/gtest.h>

#include <cstdint>
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
  const double ms = device->time_ms([&] { device->flush_cache(); }, 3);
  EXPECT_GT(ms, 0);
  EXPECT_NO_THROW(device->synchronize());
}

}  // namespace
}  // namespace attnsweep
