#pragma once
// flash_sm90's one dispatch point: a launch (kernel_choice.h) -> the compiled kernel that runs it,
// by dtype and head_dim, each pair's kernels compiled in their own flash_sm90_hd<D>_<dtype>.cu.
#include <string>

#include "attnsweep/kernels/device.h"
#include "attnsweep/kernels/problem.h"
#include "kernel_choice.h"
#include "launch_support.h"

namespace attnsweep::sm90 {

// Defined in launch.cuh, instantiated in flash_sm90_hd<D>_<dtype>.cu: enqueues c on a.stream, or
// throws DeviceError when this build does not compile c.kernel.
template <DType DT, int D>
void launch_compiled(const AttentionArgs& a, const LaunchConfig& c, const Gpu& gpu);

inline void launch(const AttentionArgs& a, const LaunchConfig& c, const Gpu& gpu) {
  const DType dt = a.problem.dtype;
  if (dt != DType::fp16 && dt != DType::bf16) throw DeviceError("flash_sm90: dtype must be fp16 or bf16", false);
  const bool half = dt == DType::fp16;
  switch (a.problem.head_dim) {
    case 64: return half ? launch_compiled<DType::fp16, 64>(a, c, gpu) : launch_compiled<DType::bf16, 64>(a, c, gpu);
    case 128: return half ? launch_compiled<DType::fp16, 128>(a, c, gpu) : launch_compiled<DType::bf16, 128>(a, c, gpu);
    case 256: return half ? launch_compiled<DType::fp16, 256>(a, c, gpu) : launch_compiled<DType::bf16, 256>(a, c, gpu);
  }
  throw DeviceError("flash_sm90: head_dim must be 64, 128 or 256", false);
}

}  // namespace attnsweep::sm90
