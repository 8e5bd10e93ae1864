// Microbenchmark (session 6, device call 4): exponentials per clock per SM of ex2.approx.ftz.f32 against
// the packed ex2.approx.f16x2 / .bf16x2, and the SASS they become. Build here, run on the GPU machine:
//   nvcc -O3 -gencode=arch=compute_90a,code=sm_90a -std=c++20 scripts/gpu/mufu_ex2.cu -o .gpu-x2/mufu
//   .gpu-x2/mufu && cuobjdump -sass .gpu-x2/mufu | grep MUFU
#include <cstdio>
#include <cstdint>
#include <cuda_runtime.h>
template <int KIND>
__global__ void ex2_loop(float* out, int iters) {
  float a[8]; std::uint32_t h[8];
  for (int i = 0; i < 8; ++i) { a[i] = -0.001f * (threadIdx.x + i); h[i] = 0x3c003c00u ^ (threadIdx.x + i); }
  for (int it = 0; it < iters; ++it) {
#pragma unroll
    for (int i = 0; i < 8; ++i) {
      if constexpr (KIND == 0) asm volatile("ex2.approx.ftz.f32 %0, %0;" : "+f"(a[i]));
      else if constexpr (KIND == 1) asm volatile("ex2.approx.f16x2 %0, %0;" : "+r"(h[i]));
      else asm volatile("ex2.approx.ftz.bf16x2 %0, %0;" : "+r"(h[i]));
    }
  }
  float s = 0; for (int i = 0; i < 8; ++i) s += a[i] + __uint_as_float(h[i]);
  out[blockIdx.x * blockDim.x + threadIdx.x] = s;
}
int main() {
  float* out; cudaMalloc(&out, 132 * 8 * 1024 * 4);
  cudaEvent_t e0, e1; cudaEventCreate(&e0); cudaEventCreate(&e1);
  const int iters = 4096;
  for (int kind = 0; kind < 3; ++kind) {
    for (int rep = 0; rep < 2; ++rep) {
      cudaEventRecord(e0);
      if (kind == 0) ex2_loop<0><<<132 * 4, 1024>>>(out, iters);
      else if (kind == 1) ex2_loop<1><<<132 * 4, 1024>>>(out, iters);
      else ex2_loop<2><<<132 * 4, 1024>>>(out, iters);
      cudaEventRecord(e1); cudaEventSynchronize(e1);
      float ms; cudaEventElapsedTime(&ms, e0, e1);
      const double instr = 132.0 * 4 * 1024 * iters * 8;  // per-lane instructions
      const double values = instr * (kind == 0 ? 1 : 2);
      int clk; cudaDeviceGetAttribute(&clk, cudaDevAttrClockRate, 0);
      std::printf("%s: %.3f ms, %.1f per-lane instr/clk/SM, %.1f exponentials/clk/SM (at %d MHz)\n",
                  kind == 0 ? "ex2.f32" : kind == 1 ? "ex2.f16x2" : "ex2.bf16x2", ms, instr / (ms * 1e-3) / (clk * 1e3) / 132,
                  values / (ms * 1e-3) / (clk * 1e3) / 132, clk / 1000);
    }
  }
  std::printf("%s\n", cudaGetErrorString(cudaGetLastError()));
}
