#pragma once
// flash_sm90: the Hopper (sm_90a) attention-forward kernel. Built only when CUDA is on.
#include "attnsweep/kernels/kernel.h"

namespace attnsweep::cuda {

// The registry entry. Supports fp16/bf16, head_dim 64/128/256, causal or not, any q_n/k_n,
// only on compute capability 9.0.
const Kernel* flash_sm90_kernel();

// Enqueues one forward pass on args.stream (no checks beyond the launch's own); throws
// DeviceError when a tensor map cannot be built or the launch fails.
void launch_flash_sm90(const AttentionArgs& args);

}  // namespace attnsweep::cuda

// The same entry under the unqualified name the CUDA registry may declare.
const attnsweep::Kernel* flash_sm90_kernel();
