// GPU fault-injection kernels, listed by test_kernels() (kernels/cpu/test_kernels.cpp) only when
// ATTNSWEEP_TEST_KERNELS=1: two that poison or hang the process that runs them (run them only
// through a worker), and the planted cheats of cheat_kernel.h around flash_mma.
#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include <string>
#include <vector>

#include "../cheat_kernel.h"
#include "attnsweep/kernels/device.h"
#include "attnsweep/kernels/kernel.h"

namespace attnsweep {

namespace cuda {
const Kernel* flash_mma_kernel();  // flash_mma.cu
}  // namespace cuda

namespace {

// 1 TiB past the output: far beyond any allocation on any card, so the store hits unmapped
// memory and the context gets the sticky cudaErrorIllegalAddress.
constexpr unsigned long long kOutOfBoundsBytes = 1ull << 40;

__global__ void write_out_of_bounds(float* o) {
  if (blockIdx.x == 0 && threadIdx.x == 0) {
    auto* far = reinterpret_cast<volatile float*>(reinterpret_cast<char*>(o) + kOutOfBoundsBytes);
    *far = 1.0f;
  }
}

// Spins until the process is killed. __nanosleep is a side effect, so the loop is not removable.
__global__ void spin_forever() {
  for (;;) __nanosleep(1000000);
}

void check_launch(const char* what) {
  const cudaError_t e = cudaGetLastError();
  if (e != cudaSuccess)
    throw DeviceError(std::string(what) + " launch failed: " + cudaGetErrorName(e) + " (" + cudaGetErrorString(e) + ")",
                      false);
}

class CudaFaultKernel : public Kernel {
 public:
  CudaFaultKernel(const char* name, const char* description) : info_{name, Backend::cuda, description, "", true} {}
  const KernelInfo& info() const override { return info_; }
  Support supports(const AttentionProblem&, const DeviceCaps& caps) const override {
    if (caps.known && caps.backend != Backend::cuda) return Support::no("needs a CUDA device");
    return Support::yes();
  }

 private:
  KernelInfo info_;
};

class OutOfBoundsKernel final : public CudaFaultKernel {
 public:
  OutOfBoundsKernel()
      : CudaFaultKernel("test_cuda_oob", "fault injection: writes 1 TiB past its output (sticky illegal address)") {}
  void run(const AttentionArgs& a) const override {
    write_out_of_bounds<<<1, 32, 0, static_cast<cudaStream_t>(a.stream)>>>(static_cast<float*>(a.o));
    check_launch("test_cuda_oob");
  }
};

class SpinKernel final : public CudaFaultKernel {
 public:
  SpinKernel() : CudaFaultKernel("test_cuda_spin", "fault injection: a kernel that never finishes") {}
  void run(const AttentionArgs& a) const override {
    spin_forever<<<1, 32, 0, static_cast<cudaStream_t>(a.stream)>>>();
    check_launch("test_cuda_spin");
  }
};

__device__ float to_float(float x) { return x; }
__device__ float to_float(__half x) { return __half2float(x); }
__device__ float to_float(__nv_bfloat16 x) { return __bfloat162float(x); }
template <class T>
__device__ T from_float(float x);
template <>
__device__ float from_float<float>(float x) { return x; }
template <>
__device__ __half from_float<__half>(float x) { return __float2half_rn(x); }
template <>
__device__ __nv_bfloat16 from_float<__nv_bfloat16>(float x) { return __float2bfloat16_rn(x); }

// One thread: the row is a head_dim of at most 1024 elements, and a cheat need not be fast.
template <class T>
__global__ void scale_largest_kernel(T* first, long long count, float factor) {
  long long at = 0;
  for (long long i = 1; i < count; ++i)
    if (fabsf(to_float(first[i])) > fabsf(to_float(first[at]))) at = i;
  first[at] = from_float<T>(to_float(first[at]) * factor);
}

class DeviceCheatMemory final : public CheatMemory {
 public:
  void copy(void* dst, const void* src, std::uint64_t bytes, void* stream) const override {
    const cudaError_t e = cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDeviceToDevice, static_cast<cudaStream_t>(stream));
    if (e != cudaSuccess) throw DeviceError(std::string("cheat copy failed: ") + cudaGetErrorString(e), false);
  }
  void scale_largest(void* first, std::int64_t count, DType dtype, float factor, void* stream) const override {
    const auto s = static_cast<cudaStream_t>(stream);
    if (dtype == DType::fp16) scale_largest_kernel<<<1, 1, 0, s>>>(static_cast<__half*>(first), count, factor);
    else if (dtype == DType::bf16) scale_largest_kernel<<<1, 1, 0, s>>>(static_cast<__nv_bfloat16*>(first), count, factor);
    else scale_largest_kernel<<<1, 1, 0, s>>>(static_cast<float*>(first), count, factor);
    check_launch("scale_largest");
  }
};

}  // namespace

std::vector<const Kernel*> cuda_test_kernels() {
  static const OutOfBoundsKernel oob;
  static const SpinKernel spin;
  static const DeviceCheatMemory device;
  static const CheatKernels cheats("test_cuda_cheat_", *cuda::flash_mma_kernel(), device);
  std::vector<const Kernel*> out{&oob, &spin};
  for (const Kernel* k : cheats.all()) out.push_back(k);
  return out;
}

}  // namespace attnsweep
