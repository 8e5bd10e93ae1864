// The CUDA kernels built into this binary, in the order tables show them.
#include "attnsweep/kernels/kernel.h"

namespace attnsweep {
namespace cuda {
const Kernel* naive_kernel();
const Kernel* cublas_kernel();
const Kernel* fused_simt_kernel();
const Kernel* flash_mma_kernel();
}  // namespace cuda

const Kernel* flash_sm90_kernel();  // kernels/cuda/flash_sm90 (Hopper only)

std::vector<const Kernel*> cuda_kernels() {
  return {cuda::naive_kernel(), cuda::cublas_kernel(), cuda::fused_simt_kernel(), cuda::flash_mma_kernel(),
          flash_sm90_kernel()};
}

}  // namespace attnsweep
