// Built when nvcc is absent: the CUDA backend exists as an answer, not as kernels.
#include "attnsweep/kernels/device.h"

namespace attnsweep {

namespace {

class NoClockLock final : public ClockLock {
 public:
  bool locked() const override { return false; }
  unsigned sm_mhz() const override { return 0; }
  std::string why_not() const override { return "this build has no CUDA backend"; }
  void reset() noexcept override {}
};

}  // namespace

std::vector<const Kernel*> cuda_kernels() { return {}; }
int cuda_device_count() { return 0; }
std::unique_ptr<Device> make_cuda_device(int) {
  throw DeviceError("this build has no CUDA backend (nvcc was not found when it was configured)", false);
}
std::unique_ptr<ClockLock> lock_sm_clock(int, unsigned) { return std::make_unique<NoClockLock>(); }

}  // namespace attnsweep
