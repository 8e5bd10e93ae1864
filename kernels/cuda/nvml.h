#pragma once
// NVML, loaded at run time with dlopen: the build machine has no driver, and a host without NVML
// still measures, with its clocks recorded as not read (and why).
#include <memory>
#include <optional>
#include <string>

#include "attnsweep/kernels/device.h"

namespace attnsweep {

class Nvml {
 public:
  enum class Clock { sm = 1, mem = 2 };  // nvmlClockType_t

  // NVML for the device at `pci_bus_id` (cudaDeviceGetPCIBusId's form).
  explicit Nvml(const std::string& pci_bus_id);
  ~Nvml();
  Nvml(const Nvml&) = delete;
  Nvml& operator=(const Nvml&) = delete;

  bool usable() const { return device_ != nullptr; }
  const std::string& why_not() const { return why_not_; }  // empty when usable

  std::optional<unsigned> clock_mhz(Clock which) const;
  std::optional<unsigned> max_clock_mhz(Clock which) const;
  std::string driver_version() const;  // empty when unknown
  // SM clock and slowdown reasons now; power and temperature as read at most kSlowReadS ago
  // (they change slowly, and their reads are the costly ones).
  std::optional<ClockReading> read();

  // Empty on success, else NVML's reason ("Insufficient Permissions").
  std::string lock_sm_clock(unsigned min_mhz, unsigned max_mhz);
  std::string reset_sm_clock();

 private:
  std::string error_text(int code) const;

  struct Api;
  void* lib_ = nullptr;
  std::unique_ptr<Api> api_;
  void* device_ = nullptr;
  unsigned sm_max_mhz_ = 0;
  static constexpr double kSlowReadS = 0.02;
  std::optional<double> power_w_, temperature_c_;
  double last_slow_read_ = -1;  // seconds on a steady clock
  std::string why_not_;
};

}  // namespace attnsweep
