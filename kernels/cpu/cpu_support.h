#pragma once
// What both CPU kernels can run, said once.
#include <stdexcept>
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

// Run's own guard: the kernels read and write floats, so a problem they do not support must
// never reach them, whoever skipped asking supports() first.
inline void require_fp32_support(const AttentionProblem& p, const char* kernel) {
  if (const Support s = fp32_support(p); !s.ok) throw std::invalid_argument(std::string(kernel) + ": " + s.reason);
}

}  // namespace attnsweep::cpu
