// flash_mma instantiation: head_dim 128, bf16.
#include "flash_mma_kernel.cuh"

namespace attnsweep::cuda::flash {
template void run<__nv_bfloat16, 128>(const AttentionArgs& a);
}  // namespace attnsweep::cuda::flash
