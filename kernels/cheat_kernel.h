#pragma once
// Planted cheats: test-only kernels that are right almost everywhere and wrong where a weak check
// would not look. Each wraps a correct kernel of its backend (cpu_flash, flash_mma) and the
// correctness check must call every one of them `wrong`. The CPU and CUDA cheats differ only in
// how they touch their output (CheatMemory); both test_kernels files list them.
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "attnsweep/kernels/kernel.h"

namespace attnsweep {

// What a cheat does to its output, on its backend, in stream order.
class CheatMemory {
 public:
  virtual ~CheatMemory() = default;
  virtual void copy(void* dst, const void* src, std::uint64_t bytes, void* stream) const = 0;
  // Multiplies the element of largest magnitude among `count` elements at `first` by `factor`.
  virtual void scale_largest(void* first, std::int64_t count, DType dtype, float factor, void* stream) const = 0;
};

enum class Cheat {
  sampled_slices_only,  // right only in the (batch, head) slices a sampler of four slices picked
  one_element_off,      // one element 1% off: the largest of the middle slice's first row
  wrong_scale,          // the softmax scale ln 2 too small: exp2 of the logits without log2(e)
  stale_output,         // writes nothing when called again on the same output: the last result stays
};

class CheatKernel final : public Kernel {
 public:
  CheatKernel(Cheat cheat, std::string name, const Kernel& inner, const CheatMemory& memory)
      : cheat_(cheat), inner_(inner), memory_(memory),
        info_{std::move(name), inner.info().backend, description(cheat, inner.info().name), "", true} {}

  const KernelInfo& info() const override { return info_; }
  Support supports(const AttentionProblem& p, const DeviceCaps& caps) const override { return inner_.supports(p, caps); }
  std::uint64_t workspace_bytes(const AttentionProblem& p) const override { return inner_.workspace_bytes(p); }

  void run(const AttentionArgs& a) const override {
    const AttentionProblem& p = a.problem;
    switch (cheat_) {
      case Cheat::sampled_slices_only: {
        // The slices {first, a third, two thirds, last} are computed; every other slice (of a
        // dense output) gets a copy of the first one's: finite, plausible, wrong.
        const std::int64_t slices = p.batch * p.heads;
        const auto picked = [&](std::int64_t s) { return s == 0 || s == slices / 3 || s == 2 * slices / 3 || s == slices - 1; };
        const std::uint64_t slice_bytes = static_cast<std::uint64_t>(p.q_n * p.head_dim) * dtype_bytes(p.dtype);
        for (std::int64_t s = 0; s < slices; ++s)
          if (picked(s)) inner_.run(slice_args(a, s));
        for (std::int64_t s = 0; s < slices; ++s)
          if (!picked(s)) memory_.copy(output_of(a, s), output_of(a, 0), slice_bytes, a.stream);
        return;
      }
      case Cheat::one_element_off: {
        inner_.run(a);
        memory_.scale_largest(output_of(a, p.batch * p.heads / 2), p.head_dim, p.dtype, 1.01f, a.stream);
        return;
      }
      case Cheat::wrong_scale: {
        AttentionArgs b = a;
        b.softmax_scale = a.softmax_scale * 0.69314718f;
        inner_.run(b);
        return;
      }
      case Cheat::stale_output: {
        const std::lock_guard<std::mutex> lock(mutex_);
        if (a.o == last_output_ && same_shape(p, last_problem_)) return;  // "the result is still there"
        inner_.run(a);
        last_output_ = a.o;
        last_problem_ = p;
        return;
      }
    }
  }

 private:
  static std::string description(Cheat cheat, const std::string& inner) {
    switch (cheat) {
      case Cheat::sampled_slices_only: return "planted cheat: " + inner + " in four (batch, head) slices, copies elsewhere";
      case Cheat::one_element_off: return "planted cheat: " + inner + " with one element 1% off";
      case Cheat::wrong_scale: return "planted cheat: " + inner + " with the softmax scale ln 2 too small";
      case Cheat::stale_output: return "planted cheat: " + inner + " that skips calls on an output it already wrote";
    }
    return "planted cheat";
  }
  static bool same_shape(const AttentionProblem& x, const AttentionProblem& y) {
    return x.batch == y.batch && x.heads == y.heads && x.q_n == y.q_n && x.k_n == y.k_n && x.head_dim == y.head_dim &&
           x.causal == y.causal && x.dtype == y.dtype;
  }
  static void* output_of(const AttentionArgs& a, std::int64_t slice) {
    const std::int64_t b = slice / a.problem.heads, h = slice % a.problem.heads;
    return static_cast<unsigned char*>(a.o) +
           static_cast<std::uint64_t>(b * a.o_batch_stride + h * a.o_head_stride) * dtype_bytes(a.problem.dtype);
  }
  // The arguments of one (batch, head) slice as a problem of its own.
  static AttentionArgs slice_args(const AttentionArgs& a, std::int64_t slice) {
    const std::int64_t b = slice / a.problem.heads, h = slice % a.problem.heads;
    const std::uint64_t eb = dtype_bytes(a.problem.dtype);
    AttentionArgs s = a;
    s.problem.batch = s.problem.heads = 1;
    s.q = static_cast<const unsigned char*>(a.q) + static_cast<std::uint64_t>(b * a.q_batch_stride + h * a.q_head_stride) * eb;
    s.k = static_cast<const unsigned char*>(a.k) + static_cast<std::uint64_t>(b * a.k_batch_stride + h * a.k_head_stride) * eb;
    s.v = static_cast<const unsigned char*>(a.v) + static_cast<std::uint64_t>(b * a.v_batch_stride + h * a.v_head_stride) * eb;
    s.o = output_of(a, slice);
    return s;
  }

  Cheat cheat_;
  const Kernel& inner_;
  const CheatMemory& memory_;
  KernelInfo info_;
  mutable std::mutex mutex_;
  mutable const void* last_output_ = nullptr;
  mutable AttentionProblem last_problem_;
};

// The four cheats around `inner`: <prefix>slices, <prefix>element, <prefix>scale, <prefix>stale.
class CheatKernels {
 public:
  CheatKernels(const std::string& prefix, const Kernel& inner, const CheatMemory& memory)
      : cheats_{{Cheat::sampled_slices_only, prefix + "slices", inner, memory},
                {Cheat::one_element_off, prefix + "element", inner, memory},
                {Cheat::wrong_scale, prefix + "scale", inner, memory},
                {Cheat::stale_output, prefix + "stale", inner, memory}} {}
  std::vector<const Kernel*> all() const { return {&cheats_[0], &cheats_[1], &cheats_[2], &cheats_[3]}; }

 private:
  CheatKernel cheats_[4];
};

}  // namespace attnsweep
