// lock_sm_clock: the SM clock held at one value for a sweep, through NVML, and reset after it.
#include <cuda_runtime.h>

#include "attnsweep/kernels/device.h"
#include "nvml.h"

namespace attnsweep {

namespace {

constexpr unsigned kBaseClock = 0xffffff01u;  // NVML_CLOCK_LIMIT_ID_TDP: the base clock, held under load

class NvmlClockLock final : public ClockLock {
 public:
  NvmlClockLock(int ordinal, unsigned mhz) {
    char pci[32] = {};
    if (cudaDeviceGetPCIBusId(pci, sizeof pci, ordinal) != cudaSuccess) {
      cudaGetLastError();
      why_not_ = "CUDA device " + std::to_string(ordinal) + " does not exist";
      return;
    }
    nvml_ = std::make_unique<Nvml>(pci);
    const unsigned target = mhz == 0 ? kBaseClock : mhz;
    if (std::string e = nvml_->lock_sm_clock(target, target); !e.empty()) {
      why_not_ = "nvmlDeviceSetGpuLockedClocks: " + e;
      return;
    }
    locked_ = true;
    // With min and max the same, NVML's SM clock reads the locked value from now on, idle or not.
    mhz_ = mhz != 0 ? mhz : nvml_->clock_mhz(Nvml::Clock::sm).value_or(0);
  }
  ~NvmlClockLock() override { reset(); }

  bool locked() const override { return locked_; }
  unsigned sm_mhz() const override { return locked_ ? mhz_ : 0; }
  std::string why_not() const override { return why_not_; }
  void reset() noexcept override {
    if (!locked_) return;
    locked_ = false;
    nvml_->reset_sm_clock();
  }

 private:
  std::unique_ptr<Nvml> nvml_;
  bool locked_ = false;
  unsigned mhz_ = 0;
  std::string why_not_;
};

}  // namespace

std::unique_ptr<ClockLock> lock_sm_clock(int ordinal, unsigned mhz) {
  return std::make_unique<NvmlClockLock>(ordinal, mhz);
}

}  // namespace attnsweep
