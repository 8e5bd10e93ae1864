#pragma once
// Thin inline-PTX wrappers for the Hopper machinery flash_sm90 uses: mbarriers, TMA tensor loads,
// wgmma fences and shared-memory descriptors, register reallocation. sm_90a only.
#include <cstdint>

#include "../cp_async.cuh"
#include "sm90_wgmma.cuh"

namespace attnsweep::sm90 {

using attnsweep::cuda::smem_addr;

// ---- mbarrier ----
__device__ __forceinline__ void mbar_init(std::uint64_t* bar, std::uint32_t count) {
  asm volatile("mbarrier.init.shared::cta.b64 [%0], %1;" ::"r"(smem_addr(bar)), "r"(count));
}
__device__ __forceinline__ void mbar_expect_tx(std::uint64_t* bar, std::uint32_t bytes) {
  asm volatile("mbarrier.arrive.expect_tx.shared::cta.b64 _, [%0], %1;" ::"r"(smem_addr(bar)), "r"(bytes) : "memory");
}
__device__ __forceinline__ void mbar_arrive(std::uint64_t* bar) {
  asm volatile("mbarrier.arrive.shared::cta.b64 _, [%0];" ::"r"(smem_addr(bar)) : "memory");
}
// Blocks until the phase with the given parity has completed. A fresh barrier counts its
// (imaginary) previous phase, parity 1, as complete.
__device__ __forceinline__ void mbar_wait(std::uint64_t* bar, std::uint32_t parity) {
  asm volatile(
      "{\n.reg .pred done;\n"
      "WAIT_%=:\n"
      "mbarrier.try_wait.parity.shared::cta.b64 done, [%0], %1;\n"
      "@!done bra WAIT_%=;\n}\n" ::"r"(smem_addr(bar)),
      "r"(parity)
      : "memory");
}
// 1/x in one MUFU.RCP (within 1 ulp), for the epilogue's row sums (>= 1, or 0 and not used) before
// O is rounded to 16 bits: IEEE division adds Newton steps and a slow-path check on the critical
// path of every tile's epilogue.
__device__ __forceinline__ float rcp_approx(float x) {
  float y;
  asm("rcp.approx.ftz.f32 %0, %1;" : "=f"(y) : "f"(x));
  return y;
}
__device__ __forceinline__ void fence_barrier_init() { asm volatile("fence.mbarrier_init.release.cluster;" ::: "memory"); }

// ---- TMA ----
// Loads one box of a rank-4 tensor map at coordinates (c0 innermost .. c3) into shared memory;
// completion is counted in bytes on `bar`. Out-of-range elements arrive as zeros.
__device__ __forceinline__ void tma_load_4d(void* dst, const void* tensor_map, std::uint64_t* bar, int c0, int c1, int c2,
                                            int c3) {
  asm volatile(
      "cp.async.bulk.tensor.4d.shared::cluster.global.mbarrier::complete_tx::bytes [%0], [%1, {%3, %4, %5, %6}], [%2];" ::"r"(
          smem_addr(dst)),
      "l"(reinterpret_cast<std::uint64_t>(tensor_map)), "r"(smem_addr(bar)), "r"(c0), "r"(c1), "r"(c2), "r"(c3)
      : "memory");
}
// Stores one box of a rank-4 tensor map from shared memory (the async proxy reads it); elements
// outside the tensor are not written. Completion is tracked per bulk group (bulk_commit).
__device__ __forceinline__ void tma_store_4d(const void* tensor_map, const void* src, int c0, int c1, int c2, int c3) {
  asm volatile("cp.async.bulk.tensor.4d.global.shared::cta.bulk_group [%0, {%2, %3, %4, %5}], [%1];" ::"l"(
                   reinterpret_cast<std::uint64_t>(tensor_map)),
               "r"(smem_addr(src)), "r"(c0), "r"(c1), "r"(c2), "r"(c3)
               : "memory");
}
__device__ __forceinline__ void bulk_commit() { asm volatile("cp.async.bulk.commit_group;" ::: "memory"); }
// Waits until at most N committed bulk groups still read their shared-memory source.
template <int N>
__device__ __forceinline__ void bulk_wait_read() {
  asm volatile("cp.async.bulk.wait_group.read %0;" ::"n"(N) : "memory");
}
// Makes this thread's shared-memory writes visible to the async proxy (before a TMA store reads them).
__device__ __forceinline__ void fence_proxy_async_shared() { asm volatile("fence.proxy.async.shared::cta;" ::: "memory"); }
// A barrier of `threads` threads (whole warps) on hardware barrier `id` (0 is __syncthreads's).
__device__ __forceinline__ void named_barrier_sync(int id, int threads) {
  asm volatile("bar.sync %0, %1;" ::"r"(id), "r"(threads) : "memory");
}
// Counts this warp's threads in at barrier `id` without waiting for the others.
__device__ __forceinline__ void named_barrier_arrive(int id, int threads) {
  asm volatile("bar.arrive %0, %1;" ::"r"(id), "r"(threads) : "memory");
}
__device__ __forceinline__ void prefetch_tensor_map(const void* tensor_map) {
  asm volatile("prefetch.tensormap [%0];" ::"l"(reinterpret_cast<std::uint64_t>(tensor_map)) : "memory");
}

// ---- wgmma ----
__device__ __forceinline__ void wgmma_fence() { asm volatile("wgmma.fence.sync.aligned;" ::: "memory"); }
__device__ __forceinline__ void wgmma_commit() { asm volatile("wgmma.commit_group.sync.aligned;" ::: "memory"); }
template <int N>
__device__ __forceinline__ void wgmma_wait() {
  asm volatile("wgmma.wait_group.sync.aligned %0;" ::"n"(N) : "memory");
}
// Keeps the compiler from moving reads or writes of accumulator registers across wgmma waits.
template <int N>
__device__ __forceinline__ void fence_regs(float (&r)[N]) {
#pragma unroll
  for (int i = 0; i < N; ++i) asm volatile("" : "+f"(r[i])::"memory");
}

// Shared-memory matrix descriptor, 128-byte swizzle. `leading` and `stride` are byte offsets:
// for K-major operands the stride is 1024 (8 rows of 128 bytes) and `leading` is unused; for
// MN-major operands `leading` steps between 64-element column panels and `stride` between
// groups of 8 K-rows.
__device__ __forceinline__ std::uint64_t smem_desc(const void* p, std::uint32_t leading, std::uint32_t stride) {
  std::uint64_t d = 0;
  d |= static_cast<std::uint64_t>((smem_addr(p) & 0x3FFFF) >> 4);
  d |= static_cast<std::uint64_t>((leading >> 4) & 0x3FFF) << 16;
  d |= static_cast<std::uint64_t>((stride >> 4) & 0x3FFF) << 32;
  d |= 1ull << 62;  // 128-byte swizzle
  return d;
}

// The descriptor of p + bytes, from p's: the start address field is the shared address / 16 and a
// CTA's shared window is under 256 KB, so the offset adds without carrying out of the field. One
// add per wgmma instead of rebuilding the descriptor (its masks and shifts) from the address.
__device__ __forceinline__ std::uint64_t desc_plus(std::uint64_t desc, std::uint32_t bytes) { return desc + (bytes >> 4); }

// ---- register reallocation ----
template <int N>
__device__ __forceinline__ void regs_dealloc() {
  asm volatile("setmaxnreg.dec.sync.aligned.u32 %0;" ::"n"(N));
}
template <int N>
__device__ __forceinline__ void regs_alloc() {
  asm volatile("setmaxnreg.inc.sync.aligned.u32 %0;" ::"n"(N));
}

}  // namespace attnsweep::sm90
