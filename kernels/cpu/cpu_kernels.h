#pragma once
// The CPU kernels, each defined in its own file; cpu_kernels.cpp lists them.
#include "attnsweep/kernels/kernel.h"

namespace attnsweep::cpu {

const Kernel* naive_kernel();
const Kernel* flash_kernel();

}  // namespace attnsweep::cpu
