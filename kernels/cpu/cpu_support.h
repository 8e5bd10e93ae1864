#pragma once
// What both CPU kernels can run, said once.
#include <string>

#include "attnsweep/kernels/kernel.h"

namespace attnsweep::cpu {

inline constexpr std::int64_t kMaxHeadDim = 1024;

inline Support fp32_support(const AttentionProblem& p) {
  if (p.dtype != DType::fp32)
    return Support::no("dtype " + std::string(dtype_name(p.dtype)) + ": CPU kernels compute fp32 only");
  if (p.head_dim < 1 || p.head_dim > kMaxHeadDim)
    return Support::no("head_dim " + std::to_string(p.head_dim) + ": CPU kernels take 1..1024");
  return Support::yes();
}

}  // namespace attnsweep::cpu
