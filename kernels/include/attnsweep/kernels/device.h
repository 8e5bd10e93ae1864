#pragma once
// A place kernels run: host memory and the CPU, or one CUDA device. The engine measures and
// checks cells only through this interface, so it compiles and runs without CUDA.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "attnsweep/kernels/kernel.h"

namespace attnsweep {

// Allocation failed or would not fit: the cell is `oom`.
struct OutOfMemory : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// A device or runtime call failed. `sticky` means the context is poisoned (illegal address,
// launch failure): the process cannot run further cells and the cell is `crashed`.
struct DeviceError : std::runtime_error {
  DeviceError(const std::string& what, bool sticky_) : std::runtime_error(what), sticky(sticky_) {}
  bool sticky = false;
};

// Facts about the device, written into every result file's header. Keys are stable names
// ("name", "uuid", "sm_count", "memory_bytes", "l2_bytes", "cc", "driver", "runtime", "cublas",
// "cudnn", "sm_clock_mhz", "sm_clock_max_mhz", "cpu_model", "cores", ...).
struct DeviceInfo {
  Backend backend = Backend::cpu;
  int ordinal = 0;
  std::string name;
  std::map<std::string, std::string> facts;
};

// What the device's clocks, power and temperature read at one moment (NVML on CUDA devices).
struct ClockReading {
  unsigned sm_mhz = 0;
  unsigned sm_max_mhz = 0;              // the highest SM clock the card can run at
  std::uint64_t throttle_reasons = 0;   // NVML's clock event reasons bitmask (nvml.h)
  std::optional<double> power_w;        // absent where the card does not report it
  std::optional<double> temperature_c;
};

// One timed interval: `repeats` back-to-back launches, and the clocks as read while they ran.
struct TimedLaunches {
  double ms = 0;                        // the whole interval; callers divide by repeats
  std::optional<ClockReading> clocks;   // absent where clocks cannot be read (CPU, no NVML)
};

class Device {
 public:
  virtual ~Device() = default;
  virtual const DeviceInfo& info() const = 0;
  virtual DeviceCaps caps() const = 0;
  // Memory the next allocation could get (CUDA: cudaMemGetInfo free; CPU: available RAM).
  virtual std::uint64_t free_bytes() const = 0;
  virtual void* allocate(std::uint64_t bytes) = 0;  // throws OutOfMemory
  virtual void release(void* p) noexcept = 0;
  virtual void copy_to_device(void* dst, const void* src, std::uint64_t bytes) = 0;
  virtual void copy_to_host(void* dst, const void* src, std::uint64_t bytes) = 0;
  virtual void fill(void* dst, std::uint8_t byte, std::uint64_t bytes) = 0;  // poison outputs
  virtual void* stream() = 0;
  virtual void synchronize() = 0;  // throws DeviceError on a failed launch
  // Evicts the last-level cache (CUDA: writes a buffer the size of L2; CPU: of the LLC).
  virtual void flush_cache() = 0;
  // Times `repeats` back-to-back calls of `enqueue` as one interval. CUDA: the stream is held by a
  // kernel spinning on a host-mapped flag while the start event, the launches and the stop event
  // are enqueued, then released, so no host dispatch lands between the events; a hold that runs
  // out first (its timeout) throws DeviceError rather than return a time with host work in it.
  // CPU: steady_clock around the synchronous calls (their dispatch is part of the work).
  virtual TimedLaunches time_launches(const std::function<void()>& enqueue, int repeats) = 0;
  // The clocks now; nullopt where they cannot be read, and then clocks_unavailable() says why.
  virtual std::optional<ClockReading> read_clocks() = 0;
  virtual std::string clocks_unavailable() const = 0;  // empty where clocks can be read
};

// Owns one allocation; frees it on every path, so an oom or error never leaks device memory.
class DeviceBuffer {
 public:
  DeviceBuffer() = default;
  DeviceBuffer(Device& d, std::uint64_t bytes) : dev_(&d), ptr_(bytes ? d.allocate(bytes) : nullptr), bytes_(bytes) {}
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;
  DeviceBuffer(DeviceBuffer&& o) noexcept { *this = std::move(o); }
  DeviceBuffer& operator=(DeviceBuffer&& o) noexcept {
    if (this != &o) { reset(); dev_ = o.dev_; ptr_ = o.ptr_; bytes_ = o.bytes_; o.ptr_ = nullptr; o.bytes_ = 0; }
    return *this;
  }
  ~DeviceBuffer() { reset(); }
  void reset() noexcept { if (ptr_ && dev_) dev_->release(ptr_); ptr_ = nullptr; bytes_ = 0; }
  void* get() const { return ptr_; }
  std::uint64_t bytes() const { return bytes_; }

 private:
  Device* dev_ = nullptr;
  void* ptr_ = nullptr;
  std::uint64_t bytes_ = 0;
};

// Holds a CUDA device's SM clock locked (NVML nvmlDeviceSetGpuLockedClocks) until destroyed,
// which resets it. Locking needs administrator rights on most systems: a lock that could not be
// taken says why and leaves the clocks free.
class ClockLock {
 public:
  virtual ~ClockLock() = default;
  virtual bool locked() const = 0;
  virtual unsigned sm_mhz() const = 0;        // the locked clock; 0 when not locked
  virtual std::string why_not() const = 0;    // empty when locked
  virtual void reset() noexcept = 0;          // unlocks now (also done by the destructor)
};
// `mhz` 0 locks at the card's base (TDP) clock, which it can hold under full load.
std::unique_ptr<ClockLock> lock_sm_clock(int ordinal, unsigned mhz);

std::unique_ptr<Device> make_cpu_device();
int cuda_device_count();  // 0 when built without CUDA or no GPU/driver is present
std::unique_ptr<Device> make_cuda_device(int ordinal);  // throws DeviceError if unavailable

}  // namespace attnsweep
