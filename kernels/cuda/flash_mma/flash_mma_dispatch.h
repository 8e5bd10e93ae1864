#pragma once
// flash_mma's one dispatch point: runtime (dtype, head_dim) -> the instantiation that runs it.
#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include <stdexcept>
#include <string>

#include "flash_mma_config.h"

namespace attnsweep::cuda::flash {

// Runtime (dtype, head_dim) -> instantiation; the caller has checked supports().
inline void dispatch(const AttentionArgs& a) {
  const bool half = a.problem.dtype == DType::fp16;
  switch (a.problem.head_dim) {
    case 64: return half ? run<__half, 64>(a) : run<__nv_bfloat16, 64>(a);
    case 128: return half ? run<__half, 128>(a) : run<__nv_bfloat16, 128>(a);
    case 256: return half ? run<__half, 256>(a) : run<__nv_bfloat16, 256>(a);
  }
  throw std::invalid_argument("flash_mma: head_dim " + std::to_string(a.problem.head_dim) + ": only 64/128/256");
}


}  // namespace attnsweep::cuda::flash
