// flash_mma instantiation: head_dim 256, fp16.
#include "flash_mma_kernel.cuh"

namespace attnsweep::cuda::flash {
template void run<__half, 256>(const AttentionArgs& a);
}  // namespace attnsweep::cuda::flash
