// flash_sm90's kernels for head_dim 128, bf16: those of kCompiledKernels (kernel_config.h) with this head_dim.
#include "launch.cuh"

namespace attnsweep::sm90 {
template void launch_compiled<DType::bf16, 128>(const AttentionArgs& a, const LaunchConfig& c, const Gpu& gpu);
}  // namespace attnsweep::sm90
