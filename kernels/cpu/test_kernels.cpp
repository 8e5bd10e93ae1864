// Fault-injection kernels for tests (issue 4) register here; none yet.
#include "attnsweep/kernels/kernel.h"

namespace attnsweep {
std::vector<const Kernel*> test_kernels() { return {}; }
}  // namespace attnsweep
