// Host side of flash_sm90: the Kernel entry and the shipped launch.
#include "flash_sm90.h"

#include <limits>
#include <string>

#include "dispatch.h"
#include "kernel_choice.h"
#include "launch_support.h"

namespace attnsweep {
namespace cuda {
namespace {

class FlashSm90 final : public Kernel {
 public:
  const KernelInfo& info() const override {
    static const KernelInfo i{"flash_sm90", Backend::cuda,
                              "Hopper forward: TMA ring, warp-specialised wgmma, online exp2 softmax (sm_90a)", "", false};
    return i;
  }
  Support supports(const AttentionProblem& p, const DeviceCaps& caps) const override {
    if (caps.known && !(caps.backend == Backend::cuda && caps.cc_major == 9 && caps.cc_minor == 0))
      return Support::no("needs compute capability 9.0 (Hopper, sm_90a)");
    if (p.dtype != DType::fp16 && p.dtype != DType::bf16) return Support::no(std::string(dtype_name(p.dtype)) + ": only fp16/bf16");
    if (p.head_dim != 64 && p.head_dim != 128 && p.head_dim != 256)
      return Support::no("head_dim " + std::to_string(p.head_dim) + ": only 64/128/256");
    if (p.q_n < 1 || p.k_n < 1 || p.q_n > (1ll << 30) || p.k_n > (1ll << 30)) return Support::no("q_n and k_n must be in 1..2^30");
    if (sm90::tile_count(p, 1) > std::numeric_limits<int>::max())
      return Support::no("more than 2^31 - 1 tiles of 64 rows (q_n/64 x heads x batch)");
    return Support::yes();
  }
  void run(const AttentionArgs& a) const override { launch_flash_sm90(a); }
};

}  // namespace

void launch_flash_sm90(const AttentionArgs& a) {
  const sm90::Gpu& gpu = sm90::current_gpu();
  sm90::launch(a, sm90::choose_launch(a.problem, gpu.shape), gpu);
}

}  // namespace cuda

const Kernel* flash_sm90_kernel() {
  static const cuda::FlashSm90 k;
  return &k;
}

}  // namespace attnsweep
