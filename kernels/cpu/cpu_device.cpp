// The CPU as a Device: host memory, synchronous kernels, steady_clock timing.
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

#include "attnsweep/kernels/device.h"

namespace attnsweep {

namespace {

constexpr std::uint64_t kAlignment = 64;  // a cache line; also enough for any vector load
constexpr std::uint64_t kGiB = 1ull << 30;
// Some VMs report a whole socket's L3 as one cache (508 MiB on a 2-core EPYC guest), but a core
// only reaches its own CCD's slice (32 MiB, or 96 MiB with 3D V-cache), so the flush writes at
// most 96 MiB rather than half a gigabyte per sample.
constexpr std::uint64_t kMaxFlushBytes = 96ull << 20;

// Locale-independent: a message written into a result file must not change with the user's locale.
std::string gib(std::uint64_t bytes) {
  char buf[32];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, static_cast<double>(bytes) / kGiB, std::chars_format::fixed, 2);
  return (ec == std::errc() ? std::string(buf, end) : std::string("?")) + " GiB";
}

// A "key: value" field of a /proc file, or empty.
std::string proc_field(const char* path, const std::string& key) {
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (line.compare(0, key.size(), key) != 0) continue;
    const auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(" \t"));
    return value;
  }
  return {};
}

std::uint64_t meminfo_bytes(const std::string& key) {
  const std::string v = proc_field("/proc/meminfo", key);  // "24347948 kB"
  return v.empty() ? 0 : std::strtoull(v.c_str(), nullptr, 10) * 1024;
}

std::uint64_t read_number(const char* path) {
  std::ifstream in(path);
  std::uint64_t v = 0;
  return (in >> v) ? v : 0;
}

// Room left under a container memory limit (cgroup v2, then v1); UINT64_MAX when unlimited.
std::uint64_t cgroup_room() {
  std::uint64_t limit = read_number("/sys/fs/cgroup/memory.max");
  std::uint64_t used = read_number("/sys/fs/cgroup/memory.current");
  if (limit == 0) {
    limit = read_number("/sys/fs/cgroup/memory/memory.limit_in_bytes");
    used = read_number("/sys/fs/cgroup/memory/memory.usage_in_bytes");
  }
  if (limit == 0 || limit >= (1ull << 60)) return UINT64_MAX;  // "max" or the v1 "no limit" value
  return limit > used ? limit - used : 0;
}

std::uint64_t last_level_cache_bytes() {
  for (int name : {_SC_LEVEL4_CACHE_SIZE, _SC_LEVEL3_CACHE_SIZE, _SC_LEVEL2_CACHE_SIZE}) {
    const long v = sysconf(name);
    if (v > 0) return static_cast<std::uint64_t>(v);
  }
  return 32ull << 20;  // unknown: a typical server L3
}

class CpuDevice final : public Device {
 public:
  CpuDevice() {
    info_.backend = Backend::cpu;
    info_.ordinal = 0;
    std::string model = proc_field("/proc/cpuinfo", "model name");
    if (model.empty()) model = "unknown CPU";
    info_.name = model;
    info_.facts["cpu_model"] = model;
    info_.facts["cores"] = std::to_string(std::max(1u, std::thread::hardware_concurrency()));
    info_.facts["memory_bytes"] = std::to_string(meminfo_bytes("MemTotal"));
    info_.facts["llc_bytes"] = std::to_string(last_level_cache_bytes());
  }

  const DeviceInfo& info() const override { return info_; }

  DeviceCaps caps() const override {
    DeviceCaps c;
    c.backend = Backend::cpu;
    c.known = true;
    return c;
  }

  std::uint64_t free_bytes() const override { return std::min(meminfo_bytes("MemAvailable"), cgroup_room()); }

  void* allocate(std::uint64_t bytes) override {
    const std::uint64_t available = free_bytes();
    if (bytes > available)
      throw OutOfMemory("host allocation of " + gib(bytes) + " exceeds the " + gib(available) + " available");
    const std::uint64_t rounded = (bytes + kAlignment - 1) / kAlignment * kAlignment;
    void* p = std::aligned_alloc(kAlignment, rounded);
    if (!p) throw OutOfMemory("host allocation of " + gib(bytes) + " failed");
    return p;
  }

  void release(void* p) noexcept override { std::free(p); }

  void copy_to_device(void* dst, const void* src, std::uint64_t bytes) override { std::memcpy(dst, src, bytes); }
  void copy_to_host(void* dst, const void* src, std::uint64_t bytes) override { std::memcpy(dst, src, bytes); }
  void fill(void* dst, std::uint8_t byte, std::uint64_t bytes) override { std::memset(dst, byte, bytes); }
  void* stream() override { return nullptr; }
  void synchronize() override {}  // CPU kernels return when done

  // Writes, then reads, a buffer the size of the last-level cache, so the next sample starts
  // with the cell's data evicted.
  void flush_cache() override {
    if (!flush_buffer_) {
      flush_bytes_ = std::min(last_level_cache_bytes(), kMaxFlushBytes);
      flush_buffer_ = std::make_unique_for_overwrite<unsigned char[]>(flush_bytes_);
    }
    ++flush_round_;
    std::memset(flush_buffer_.get(), static_cast<int>(flush_round_), flush_bytes_);
    unsigned sum = 0;
    for (std::size_t i = 0; i < flush_bytes_; i += kAlignment) sum += flush_buffer_[i];
    flush_sink_ = sum;  // keeps the reads from being optimised away
  }

  // CPU kernels run inside enqueue(), so the wall clock around the calls is the work (their call
  // overhead, nanoseconds, is part of it); nothing reads the CPU's clocks.
  TimedLaunches time_launches(const std::function<void()>& enqueue, int repeats) override {
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < repeats; ++i) enqueue();
    const auto stop = std::chrono::steady_clock::now();
    return {std::chrono::duration<double, std::milli>(stop - start).count(), std::nullopt};
  }
  std::optional<ClockReading> read_clocks() override { return std::nullopt; }
  std::string clocks_unavailable() const override { return "a CPU device: clocks are not read"; }

 private:
  DeviceInfo info_;
  std::unique_ptr<unsigned char[]> flush_buffer_;
  std::size_t flush_bytes_ = 0;
  unsigned char flush_round_ = 0;
  volatile unsigned flush_sink_ = 0;
};

}  // namespace

std::unique_ptr<Device> make_cpu_device() { return std::make_unique<CpuDevice>(); }

}  // namespace attnsweep
