#pragma once
// Device-side element types: loads of fp32/fp16/bf16 as float and stores back, so one kernel
// template serves every storage type.
#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include <cstdint>
#include <type_traits>

#include "attnsweep/kernels/dtype.h"

namespace attnsweep::cuda {

__device__ __forceinline__ float to_float(float x) { return x; }
__device__ __forceinline__ float to_float(__half x) { return __half2float(x); }
__device__ __forceinline__ float to_float(__nv_bfloat16 x) { return __bfloat162float(x); }

template <typename T>
__device__ __forceinline__ T from_float(float x);
template <>
__device__ __forceinline__ float from_float<float>(float x) { return x; }
template <>
__device__ __forceinline__ __half from_float<__half>(float x) { return __float2half_rn(x); }
template <>
__device__ __forceinline__ __nv_bfloat16 from_float<__nv_bfloat16>(float x) { return __float2bfloat16_rn(x); }

// Two floats as one register of two T (fp16 or bf16; the lower column in the low half): the
// A-fragment layout of mma.sync and wgmma alike.
template <typename T>
__device__ __forceinline__ std::uint32_t pack2(float lo, float hi) {
  if constexpr (std::is_same_v<T, __half>) {
    __half2 h = __floats2half2_rn(lo, hi);
    return *reinterpret_cast<std::uint32_t*>(&h);
  } else {
    __nv_bfloat162 h = __floats2bfloat162_rn(lo, hi);
    return *reinterpret_cast<std::uint32_t*>(&h);
  }
}

// 2^x in one MUFU.EX2: exp2f without fast-math compiles to ex2.approx.f32, which ptxas wraps in
// denormal scaling (two extra FMULs and a compare); softmax exponents are <= 0 after the max is
// subtracted, where flushing a result below 2^-126 to zero changes nothing.
__device__ __forceinline__ float exp2_ftz(float x) {
  float y;
  asm("ex2.approx.ftz.f32 %0, %1;" : "=f"(y) : "f"(x));
  return y;
}

// Calls f.template operator()<T>() with T the storage type of `dtype` (tf32 is stored as fp32).
template <typename F>
void dispatch_storage(DType dtype, F&& f) {
  switch (dtype) {
    case DType::fp16: f.template operator()<__half>(); break;
    case DType::bf16: f.template operator()<__nv_bfloat16>(); break;
    default: f.template operator()<float>(); break;
  }
}

}  // namespace attnsweep::cuda
