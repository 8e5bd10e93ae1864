#include "stream_hold.h"

#include <atomic>
#include <cstdint>

#include "cuda_check.h"

namespace attnsweep {

namespace {

__device__ std::uint64_t global_ns() {
  std::uint64_t t;
  asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(t));
  return t;
}

// flags[0]: set by the host to release; flags[1]: set here when the timeout passed first.
__global__ void spin_until_released(volatile int* flags, std::uint64_t timeout_ns) {
  const std::uint64_t start = global_ns();
  while (flags[0] == 0) {
    if (global_ns() - start > timeout_ns) {
      flags[1] = 1;
      return;
    }
  }
}

}  // namespace

StreamHold::StreamHold() {
  void* host = nullptr;
  ATTNSWEEP_CUDA_CALL(cudaHostAlloc(&host, 2 * sizeof(int), cudaHostAllocMapped | cudaHostAllocPortable));
  host_ = static_cast<volatile int*>(host);
  host_[0] = 0;
  host_[1] = 0;
  void* device = nullptr;
  ATTNSWEEP_CUDA_CALL(cudaHostGetDevicePointer(&device, host, 0));
  device_ = static_cast<int*>(device);
}

StreamHold::~StreamHold() {
  if (host_) cudaFreeHost(const_cast<int*>(host_));
}

void StreamHold::hold(cudaStream_t stream, double timeout_s) {
  host_[0] = 0;
  host_[1] = 0;
  std::atomic_thread_fence(std::memory_order_seq_cst);
  spin_until_released<<<1, 1, 0, stream>>>(device_, static_cast<std::uint64_t>(timeout_s * 1e9));
  ATTNSWEEP_CUDA_CALL(cudaGetLastError());
}

void StreamHold::release() {
  std::atomic_thread_fence(std::memory_order_seq_cst);
  host_[0] = 1;
  std::atomic_thread_fence(std::memory_order_seq_cst);
}

bool StreamHold::timed_out() const { return host_[1] != 0; }

}  // namespace attnsweep
