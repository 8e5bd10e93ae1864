// GPU fault-injection kernels, listed by test_kernels() (kernels/cpu/test_kernels.cpp)
// only when ATTNSWEEP_TEST_KERNELS=1. Self-contained: plain CUDA runtime, no other file of this
// folder. Run them only through a worker: they poison or hang the process that runs them.
#include <cuda_runtime.h>

#include <string>
#include <vector>

#include "attnsweep/kernels/device.h"
#include "attnsweep/kernels/kernel.h"

namespace attnsweep {

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

}  // namespace

std::vector<const Kernel*> cuda_test_kernels() {
  static const OutOfBoundsKernel oob;
  static const SpinKernel spin;
  return {&oob, &spin};
}

}  // namespace attnsweep
