#pragma once
// Shared-memory addresses and cp.async group bookkeeping, written once for the kernels that copy
// global -> shared asynchronously (flash_mma, fused_simt) and the Hopper kernel's PTX helpers.
#include <cstdint>

namespace attnsweep::cuda {

// 32-bit shared-state-space address of a generic pointer into shared memory.
__device__ __forceinline__ std::uint32_t smem_addr(const void* p) {
  return static_cast<std::uint32_t>(__cvta_generic_to_shared(p));
}

__device__ __forceinline__ void cp_async_commit() { asm volatile("cp.async.commit_group;\n" ::: "memory"); }

// Waits until at most `kPending` of this thread's committed groups are still in flight (0: all landed).
template <int kPending>
__device__ __forceinline__ void cp_async_wait() {
  asm volatile("cp.async.wait_group %0;\n" ::"n"(kPending) : "memory");
}

}  // namespace attnsweep::cuda
