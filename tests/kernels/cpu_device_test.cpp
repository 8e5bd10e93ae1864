#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "attnsweep/kernels/device.h"

namespace attnsweep {
namespace {

TEST(CpuDevice, DescribesTheHost) {
  const auto dev = make_cpu_device();
  const DeviceInfo& info = dev->info();
  EXPECT_EQ(info.backend, Backend::cpu);
  EXPECT_FALSE(info.name.empty());
  for (const char* key : {"cpu_model", "cores", "memory_bytes", "llc_bytes"}) {
    ASSERT_TRUE(info.facts.count(key)) << key;
    EXPECT_FALSE(info.facts.at(key).empty()) << key;
  }
  EXPECT_GE(std::stoi(info.facts.at("cores")), 1);
  EXPECT_GT(std::stoull(info.facts.at("memory_bytes")), 0u);
  EXPECT_TRUE(dev->caps().known);
  EXPECT_EQ(dev->caps().backend, Backend::cpu);
  EXPECT_GT(dev->free_bytes(), 0u);
  EXPECT_LE(dev->free_bytes(), std::stoull(info.facts.at("memory_bytes")));
}

TEST(CpuDevice, AllocatesCopiesAndFills) {
  const auto dev = make_cpu_device();
  DeviceBuffer buf(*dev, 1000);
  ASSERT_NE(buf.get(), nullptr);
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(buf.get()) % 64, 0u);
  std::vector<unsigned char> src(1000), back(1000);
  for (int i = 0; i < 1000; ++i) src[i] = static_cast<unsigned char>(i * 7);
  dev->copy_to_device(buf.get(), src.data(), 1000);
  dev->copy_to_host(back.data(), buf.get(), 1000);
  EXPECT_EQ(src, back);
  dev->fill(buf.get(), 0xff, 1000);
  dev->copy_to_host(back.data(), buf.get(), 1000);
  EXPECT_EQ(back, std::vector<unsigned char>(1000, 0xff));
}

TEST(CpuDevice, RefusesMoreThanIsAvailable) {
  const auto dev = make_cpu_device();
  const std::uint64_t too_much = dev->free_bytes() + (1ull << 30);
  try {
    dev->allocate(too_much);
    FAIL() << "allocating past free_bytes() must throw OutOfMemory";
  } catch (const OutOfMemory& e) {
    EXPECT_NE(std::string(e.what()).find("GiB"), std::string::npos) << e.what();
  }
}

TEST(CpuDevice, TimesRepeatedCallsAsOneInterval) {
  const auto dev = make_cpu_device();
  int calls = 0;
  const TimedLaunches t = dev->time_launches([&] { ++calls; }, 5);
  EXPECT_EQ(calls, 5);
  EXPECT_GE(t.ms, 0.0);
  EXPECT_FALSE(t.clocks.has_value());  // the CPU's clocks are not read, and it says so
  EXPECT_FALSE(dev->read_clocks().has_value());
  EXPECT_FALSE(dev->clocks_unavailable().empty());
  dev->synchronize();
  dev->flush_cache();  // must simply work, twice (the buffer is reused)
  dev->flush_cache();
  EXPECT_EQ(dev->stream(), nullptr);
}

}  // namespace
}  // namespace attnsweep
