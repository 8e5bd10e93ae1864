// Fault-injection kernels: they exist to prove that a sweep survives kernels that crash,
// hang or lie. Listed only when ATTNSWEEP_TEST_KERNELS=1 (the registry checks), and never to be run
// in-process: `test_segfault` takes its process down, `test_hang` never returns.
#include <chrono>
#include <cstring>
#include <thread>

#include "attnsweep/kernels/kernel.h"

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
  void run(const AttentionArgs& args) const override {
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

}  // namespace

std::vector<const Kernel*> test_kernels() {
  static const SegfaultKernel segfault;
  static const HangKernel hang;
  static const GarbageKernel garbage;
  std::vector<const Kernel*> out{&segfault, &hang, &garbage};
#ifdef ATTNSWEEP_HAVE_CUDA
  for (const Kernel* k : cuda_test_kernels()) out.push_back(k);
#endif
  return out;
}

}  // namespace attnsweep
