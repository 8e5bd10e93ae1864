#pragma once
// Warp and block reductions of one float (max or sum), written once for the softmax kernels of
// naive and cublas.
#include <cuda_runtime.h>

namespace attnsweep::cuda {

__device__ __forceinline__ float warp_max(float v) {
  for (int o = 16; o > 0; o >>= 1) v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, o));
  return v;
}
__device__ __forceinline__ float warp_sum(float v) {
  for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
  return v;
}

// Max or sum over the whole block (blockDim.x a multiple of 32, at most 1024), returned to every
// thread. Its two barriers also order everything before the call against everything after it.
__device__ __forceinline__ float block_reduce(float v, bool is_max) {
  __shared__ float partial[32];
  v = is_max ? warp_max(v) : warp_sum(v);
  const int warp = threadIdx.x / 32, lane = threadIdx.x % 32, warps = blockDim.x / 32;
  __syncthreads();  // `partial` may still be read by the previous reduction
  if (lane == 0) partial[warp] = v;
  __syncthreads();
  v = lane < warps ? partial[lane] : (is_max ? -INFINITY : 0.f);
  return is_max ? warp_max(v) : warp_sum(v);
}

}  // namespace attnsweep::cuda
