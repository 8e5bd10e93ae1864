#include "nvml.h"

#include <dlfcn.h>

#include <chrono>

namespace attnsweep {

namespace {

constexpr int kSuccess = 0;
constexpr int kTemperatureGpu = 0;  // NVML_TEMPERATURE_GPU

}  // namespace

// The few NVML functions used, declared here because the build machine has no nvml.h.
struct Nvml::Api {
  using Handle = void*;
  int (*init)() = nullptr;
  int (*shutdown)() = nullptr;
  const char* (*error_string)(int) = nullptr;
  int (*by_pci)(const char*, Handle*) = nullptr;
  int (*clock)(Handle, int, unsigned*) = nullptr;
  int (*max_clock)(Handle, int, unsigned*) = nullptr;
  int (*driver_version)(char*, unsigned) = nullptr;
  int (*reasons)(Handle, unsigned long long*) = nullptr;
  int (*power_mw)(Handle, unsigned*) = nullptr;
  int (*temperature)(Handle, int, unsigned*) = nullptr;
  int (*lock)(Handle, unsigned, unsigned) = nullptr;
  int (*reset)(Handle) = nullptr;
};

namespace {

template <class F>
void bind(void* lib, F& fn, const char* name) {
  fn = reinterpret_cast<F>(dlsym(lib, name));
}

}  // namespace

Nvml::Nvml(const std::string& pci_bus_id) : api_(std::make_unique<Api>()) {
  lib_ = dlopen("libnvidia-ml.so.1", RTLD_NOW | RTLD_LOCAL);
  if (!lib_) {
    why_not_ = "NVML (libnvidia-ml.so.1) not found";
    return;
  }
  Api& a = *api_;
  bind(lib_, a.init, "nvmlInit_v2");
  bind(lib_, a.shutdown, "nvmlShutdown");
  bind(lib_, a.error_string, "nvmlErrorString");
  bind(lib_, a.by_pci, "nvmlDeviceGetHandleByPciBusId_v2");
  bind(lib_, a.clock, "nvmlDeviceGetClockInfo");
  bind(lib_, a.max_clock, "nvmlDeviceGetMaxClockInfo");
  bind(lib_, a.driver_version, "nvmlSystemGetDriverVersion");
  // Renamed in CUDA 12.2's NVML ("clock event reasons"); the older name stays in older drivers.
  bind(lib_, a.reasons, "nvmlDeviceGetCurrentClocksEventReasons");
  if (!a.reasons) bind(lib_, a.reasons, "nvmlDeviceGetCurrentClocksThrottleReasons");
  bind(lib_, a.power_mw, "nvmlDeviceGetPowerUsage");
  bind(lib_, a.temperature, "nvmlDeviceGetTemperature");
  bind(lib_, a.lock, "nvmlDeviceSetGpuLockedClocks");
  bind(lib_, a.reset, "nvmlDeviceResetGpuLockedClocks");
  if (!a.init || !a.shutdown || !a.by_pci) {
    why_not_ = "NVML lacks nvmlInit_v2 or nvmlDeviceGetHandleByPciBusId_v2";
  } else if (const int e = a.init(); e != kSuccess) {
    why_not_ = "nvmlInit failed: " + error_text(e);
  } else if (const int h = a.by_pci(pci_bus_id.c_str(), &device_); h != kSuccess) {
    device_ = nullptr;
    why_not_ = "NVML has no device at " + pci_bus_id + ": " + error_text(h);
    a.shutdown();
  }
  if (!device_) {
    dlclose(lib_);
    lib_ = nullptr;
    return;
  }
  sm_max_mhz_ = max_clock_mhz(Clock::sm).value_or(0);
}

Nvml::~Nvml() {
  if (!lib_) return;
  api_->shutdown();
  dlclose(lib_);
}

std::string Nvml::error_text(int code) const {
  if (lib_ && api_->error_string) return api_->error_string(code);
  return "NVML error " + std::to_string(code);
}

std::optional<unsigned> Nvml::clock_mhz(Clock which) const {
  unsigned mhz = 0;
  if (!device_ || !api_->clock || api_->clock(device_, static_cast<int>(which), &mhz) != kSuccess) return std::nullopt;
  return mhz;
}

std::optional<unsigned> Nvml::max_clock_mhz(Clock which) const {
  unsigned mhz = 0;
  if (!device_ || !api_->max_clock || api_->max_clock(device_, static_cast<int>(which), &mhz) != kSuccess)
    return std::nullopt;
  return mhz;
}

std::string Nvml::driver_version() const {
  char buf[96] = {};
  if (!device_ || !api_->driver_version || api_->driver_version(buf, sizeof buf) != kSuccess) return {};
  return buf;
}

std::optional<ClockReading> Nvml::read() {
  const auto sm = clock_mhz(Clock::sm);
  if (!sm) return std::nullopt;
  ClockReading r;
  r.sm_mhz = *sm;
  r.sm_max_mhz = sm_max_mhz_;
  unsigned long long reasons = 0;
  if (api_->reasons && api_->reasons(device_, &reasons) == kSuccess) r.throttle_reasons = reasons;
  const double now = std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
  if (last_slow_read_ < 0 || now - last_slow_read_ >= kSlowReadS) {
    last_slow_read_ = now;
    unsigned milliwatts = 0, celsius = 0;
    power_w_.reset();
    temperature_c_.reset();
    if (api_->power_mw && api_->power_mw(device_, &milliwatts) == kSuccess) power_w_ = milliwatts / 1000.0;
    if (api_->temperature && api_->temperature(device_, kTemperatureGpu, &celsius) == kSuccess) temperature_c_ = celsius;
  }
  r.power_w = power_w_;
  r.temperature_c = temperature_c_;
  return r;
}

std::string Nvml::lock_sm_clock(unsigned min_mhz, unsigned max_mhz) {
  if (!device_) return why_not_;
  if (!api_->lock) return "this NVML has no nvmlDeviceSetGpuLockedClocks";
  const int e = api_->lock(device_, min_mhz, max_mhz);
  return e == kSuccess ? std::string() : error_text(e);
}

std::string Nvml::reset_sm_clock() {
  if (!device_) return why_not_;
  if (!api_->reset) return "this NVML has no nvmlDeviceResetGpuLockedClocks";
  const int e = api_->reset(device_);
  return e == kSuccess ? std::string() : error_text(e);
}

}  // namespace attnsweep
