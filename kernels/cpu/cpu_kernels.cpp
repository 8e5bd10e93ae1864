#include "cpu_kernels.h"

namespace attnsweep {

std::vector<const Kernel*> cpu_kernels() { return {cpu::naive_kernel(), cpu::flash_kernel()}; }

}  // namespace attnsweep
