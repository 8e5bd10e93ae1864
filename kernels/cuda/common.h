#pragma once
// Pieces every CUDA kernel of ours shares on the host side: a base class holding the kernel's
// description, and the support rules written once.
#include <string>

#include "attnsweep/kernels/device.h"
#include "attnsweep/kernels/kernel.h"

namespace attnsweep::cuda {

class CudaKernel : public Kernel {
 public:
  CudaKernel(std::string name, std::string description, std::string seed_analogue, ShapeSupport shapes = {})
      : info_{std::move(name), Backend::cuda, std::move(description), std::move(seed_analogue), false, shapes} {}
  const KernelInfo& info() const override { return info_; }

 private:
  KernelInfo info_;
};

// Shapes every kernel needs: positive sizes (the engine's spec checks these too; a kernel must
// still refuse rather than launch an empty or negative grid).
inline Support check_shape(const AttentionProblem& p) {
  if (p.batch < 1 || p.heads < 1 || p.q_n < 1 || p.k_n < 1 || p.head_dim < 1)
    return Support::no("batch, heads, q_n, k_n and head_dim must all be >= 1");
  if (p.batch > 65535 || p.heads > 65535) return Support::no("batch and heads must each be <= 65535 (grid limit)");
  return Support::yes();
}

// Bytes of the scores S [B, H, Q_N, K_N] that the math-path kernels keep (naive: fp32; cublas:
// the storage type).
inline std::uint64_t scores_bytes(const AttentionProblem& p, std::uint64_t element_bytes = sizeof(float)) {
  return static_cast<std::uint64_t>(p.batch * p.heads) * p.q_n * p.k_n * element_bytes;
}

// Refuses to launch on a workspace smaller than the kernel asked for (a caller bug, not a device one).
inline void require_workspace(const AttentionArgs& a, std::uint64_t bytes, const char* kernel) {
  if (a.workspace_bytes < bytes || !a.workspace)
    throw DeviceError(std::string(kernel) + ": workspace smaller than workspace_bytes(problem)", false);
}

inline Support check_head_dim_64_128_256(const AttentionProblem& p) {
  if (p.head_dim != 64 && p.head_dim != 128 && p.head_dim != 256)
    return Support::no("head_dim " + std::to_string(p.head_dim) + ": only 64/128/256");
  return Support::yes();
}

inline Support check_device_cc(const DeviceCaps& caps, int major) {
  if (caps.known && caps.backend == Backend::cuda && caps.cc_major < major)
    return Support::no("needs compute capability " + std::to_string(major) + ".0 or newer");
  return Support::yes();
}

}  // namespace attnsweep::cuda
