// Built when nvcc is absent: the CUDA backend exists as an answer, not as kernels.
#include "attnsweep/kernels/device.h"

namespace attnsweep {

std::vector<const Kernel*> cuda_kernels() { return {}; }
int cuda_device_count() { return 0; }
std::unique_ptr<Device> make_cuda_device(int) {
  throw DeviceError("this build has no CUDA backend (nvcc was not found when it was configured)", false);
}

}  // namespace attnsweep
