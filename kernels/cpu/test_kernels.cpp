// Fault-injection kernels: they exist to prove that a sweep survives kernels that crash, hang or
// lie, and that the correctness check catches planted cheats (cheat_kernel.h). Listed only when
// ATTNSWEEP_TEST_KERNELS=1 (the registry checks); `test_segfault` and `test_hang` are never to be
// run in-process: the first takes its process down, the second never returns.
#include <chrono>
#include <cmath>
#include <cstring>
#include <thread>

#include "attnsweep/kernels/kernel.h"
#include "../cheat_kernel.h"
#include "cpu_kernels.h"

namespace attnsweep {

#ifdef ATTNSWEEP_HAVE_CUDA
std::vector<const Kernel*> cuda_test_kernels();  // kernels/cuda/test_kernels_cuda.cu
#endif

namespace {

class FaultKernel : public Kernel {
 public:
  FaultKernel(const char* name, const char* description) : info_{name, Backend::cpu, description, "", true} {}
  const KernelInfo& info() const override { return info_; }
  Support supports(const AttentionProblem& p, const DeviceCaps&) const override {
    if (p.dtype != DType::fp32) return Support::no(std::string(dtype_name(p.dtype)) + ": fault kernels take fp32 only");
    return Support::yes();
  }

 private:
  KernelInfo info_;
};

class SegfaultKernel final : public FaultKernel {
 public:
  SegfaultKernel() : FaultKernel("test_segfault", "fault injection: writes through a null pointer (SIGSEGV)") {}
  // Not instrumented by UBSan, which would report the store and exit instead of letting it fault.
  __attribute__((no_sanitize("undefined"))) void run(const AttentionArgs& args) const override {
    // Volatile pointer to volatile: the compiler may neither assume the address nor drop the store.
    volatile float* volatile target = nullptr;
    *target = static_cast<const float*>(args.q)[0];
  }
};

class HangKernel final : public FaultKernel {
 public:
  HangKernel() : FaultKernel("test_hang", "fault injection: never returns (only a kill stops it)") {}
  void run(const AttentionArgs&) const override {
    for (;;) std::this_thread::sleep_for(std::chrono::seconds(1));
  }
};

// Plausible but wrong: every output row is V's first row, finite and fully written, so only the
// comparison with the reference can catch it.
class GarbageKernel final : public FaultKernel {
 public:
  GarbageKernel() : FaultKernel("test_garbage", "fault injection: returns wrong (finite) values") {}
  void run(const AttentionArgs& a) const override {
    const AttentionProblem& p = a.problem;
    const auto* v = static_cast<const float*>(a.v);
    auto* o = static_cast<float*>(a.o);
    for (std::int64_t b = 0; b < p.batch; ++b)
      for (std::int64_t h = 0; h < p.heads; ++h) {
        const float* v0 = v + b * a.v_batch_stride + h * a.v_head_stride;
        for (std::int64_t i = 0; i < p.q_n; ++i)
          std::memcpy(o + b * a.o_batch_stride + h * a.o_head_stride + i * a.o_row_stride, v0,
                      static_cast<std::size_t>(p.head_dim) * sizeof(float));
      }
  }
};

// Host memory as the CPU cheats touch it.
class HostCheatMemory final : public CheatMemory {
 public:
  void copy(void* dst, const void* src, std::uint64_t bytes, void*) const override { std::memcpy(dst, src, bytes); }
  void scale_largest(void* first, std::int64_t count, DType dtype, float factor, void*) const override {
    std::int64_t at = 0;
    for (std::int64_t i = 1; i < count; ++i)
      if (std::abs(load(first, i, dtype)) > std::abs(load(first, at, dtype))) at = i;
    store(first, at, dtype, load(first, at, dtype) * factor);
  }

 private:
  static float load(const void* p, std::int64_t i, DType t) {
    const auto* bits = static_cast<const std::uint16_t*>(p);
    if (t == DType::fp16) return half_bits_to_float(bits[i]);
    if (t == DType::bf16) return bf16_bits_to_float(bits[i]);
    return static_cast<const float*>(p)[i];
  }
  static void store(void* p, std::int64_t i, DType t, float x) {
    auto* bits = static_cast<std::uint16_t*>(p);
    if (t == DType::fp16) bits[i] = float_to_half_bits(x);
    else if (t == DType::bf16) bits[i] = float_to_bf16_bits(x);
    else static_cast<float*>(p)[i] = x;
  }
};

}  // namespace

std::vector<const Kernel*> test_kernels() {
  static const SegfaultKernel segfault;
  static const HangKernel hang;
  static const GarbageKernel garbage;
  static const HostCheatMemory host;
  static const CheatKernels cheats("test_cheat_", *cpu::flash_kernel(), host);
  std::vector<const Kernel*> out{&segfault, &hang, &garbage};
  for (const Kernel* k : cheats.all()) out.push_back(k);
#ifdef ATTNSWEEP_HAVE_CUDA
  for (const Kernel* k : cuda_test_kernels()) out.push_back(k);
#endif
  return out;
}

}  // namespace attnsweep
