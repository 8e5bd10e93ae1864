// flash_mma instantiation: head_dim 256, bf16.
#include "flash_mma_kernel.cuh"

namespace attnsweep::cuda::flash {
template void run<__nv_bfloat16, 256>(const AttentionArgs& a);
}  // namespace attnsweep::cuda::flash
