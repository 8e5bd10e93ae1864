// flash_mma instantiation: head_dim 64, fp16.
#include "flash_mma_kernel.cuh"

namespace attnsweep::cuda::flash {
template void run<__half, 64>(const AttentionArgs& a);
}  // namespace attnsweep::cuda::flash
