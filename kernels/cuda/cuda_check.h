#pragma once
// CUDA and cuBLAS calls that throw with file, line and expression (as nvbench's NVBENCH_CUDA_CALL).
// Allocation failures become OutOfMemory; errors that poison the context become sticky DeviceErrors.
#include <cublas_v2.h>
#include <cuda_runtime.h>

#include <string>

#include "attnsweep/kernels/device.h"

namespace attnsweep::cuda {

// True for errors after which the context cannot be used again (the process must go).
inline bool is_sticky(cudaError_t e) {
  switch (e) {
    case cudaErrorIllegalAddress:
    case cudaErrorLaunchFailure:
    case cudaErrorHardwareStackError:
    case cudaErrorIllegalInstruction:
    case cudaErrorMisalignedAddress:
    case cudaErrorInvalidAddressSpace:
    case cudaErrorInvalidPc:
    case cudaErrorLaunchTimeout:
    case cudaErrorECCUncorrectable:
    case cudaErrorAssert:
    case cudaErrorContextIsDestroyed:
      return true;
    default:
      return false;
  }
}

[[noreturn]] inline void throw_cuda_error(cudaError_t e, const char* expr, const char* file, int line) {
  std::string what = std::string(file) + ":" + std::to_string(line) + ": " + expr + " failed: " +
                     cudaGetErrorName(e) + " (" + cudaGetErrorString(e) + ")";
  if (e == cudaErrorMemoryAllocation) {
    cudaGetLastError();  // not sticky: clear it so the next cell starts clean
    throw OutOfMemory(what);
  }
  if (!is_sticky(e)) cudaGetLastError();
  throw DeviceError(what, is_sticky(e));
}

inline void check_cuda(cudaError_t e, const char* expr, const char* file, int line) {
  if (e != cudaSuccess) throw_cuda_error(e, expr, file, line);
}

inline void check_cublas(cublasStatus_t s, const char* expr, const char* file, int line) {
  if (s == CUBLAS_STATUS_SUCCESS) return;
  std::string what = std::string(file) + ":" + std::to_string(line) + ": " + expr + " failed: " +
                     cublasGetStatusName(s) + " (" + cublasGetStatusString(s) + ")";
  if (s == CUBLAS_STATUS_ALLOC_FAILED) throw OutOfMemory(what);
  // An execution failure may hide a sticky CUDA error: ask the runtime.
  const cudaError_t e = cudaPeekAtLastError();
  throw DeviceError(what, e != cudaSuccess && is_sticky(e));
}

}  // namespace attnsweep::cuda

#define ATTNSWEEP_CUDA_CALL(expr) ::attnsweep::cuda::check_cuda((expr), #expr, __FILE__, __LINE__)
#define ATTNSWEEP_CUBLAS_CALL(expr) ::attnsweep::cuda::check_cublas((expr), #expr, __FILE__, __LINE__)
// After every kernel launch: launch-configuration errors surface here, not at the next sync.
#define ATTNSWEEP_CUDA_CHECK_LAUNCH() ATTNSWEEP_CUDA_CALL(cudaGetLastError())
