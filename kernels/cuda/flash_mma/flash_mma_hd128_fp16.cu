// flash_mma instantiation: head_dim 128, fp16.
#include "flash_mma_kernel.cuh"

namespace attnsweep::cuda::flash {
template void run<__half, 128>(const AttentionArgs& a);
}  // namespace attnsweep::cuda::flash
