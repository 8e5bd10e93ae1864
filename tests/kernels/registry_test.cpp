// kernel_supports: a shape a kernel does not declare is `unsupported` with a reason that names it,
// before the kernel's own supports() is asked.
#include <gtest/gtest.h>

#include <string>

#include "attnsweep/kernels/kernel.h"

namespace attnsweep {
namespace {

class PlainKernel final : public Kernel {
 public:
  explicit PlainKernel(ShapeSupport shapes) : info_{"plain", Backend::cpu, "MHA only", "", true, shapes} {}
  const KernelInfo& info() const override { return info_; }
  Support supports(const AttentionProblem&, const DeviceCaps&) const override {
    ++asked;
    return Support::yes();
  }
  void run(const AttentionArgs&) const override {}
  mutable int asked = 0;

 private:
  KernelInfo info_;
};

AttentionProblem problem() {
  AttentionProblem p;
  p.heads = 32;
  p.q_n = 2048;
  p.k_n = 8192;
  return p;
}

TEST(KernelSupports, ShapesNotDeclaredAreUnsupportedWithTheReason) {
  const PlainKernel plain({});
  AttentionProblem gqa = problem();
  gqa.kv_group = 4;
  const Support s1 = kernel_supports(plain, gqa, {});
  EXPECT_FALSE(s1.ok);
  EXPECT_EQ(s1.reason, "GQA (32 query heads on 8 K/V heads): plain computes multi-head attention only");

  AttentionProblem window = problem();
  window.window_left = 4096;
  window.window_right = 0;
  const Support s2 = kernel_supports(plain, window, {});
  EXPECT_FALSE(s2.ok);
  EXPECT_EQ(s2.reason, "window [4096, 0]: plain has no sliding window");

  AttentionProblem br = problem();
  br.causal = true;
  br.align = CausalAlign::bottom_right;
  const Support s3 = kernel_supports(plain, br, {});
  EXPECT_FALSE(s3.ok);
  EXPECT_EQ(s3.reason, "bottom-right causal mask with q_n 2048 != k_n 8192: plain aligns causal masks top-left only");
  EXPECT_EQ(plain.asked, 0);

  // Bottom-right on a square problem is top-left: nothing to declare. Full attention has no alignment.
  br.q_n = br.k_n;
  EXPECT_TRUE(kernel_supports(plain, br, {}).ok);
  br.causal = false;
  br.q_n = 2048;
  EXPECT_TRUE(kernel_supports(plain, br, {}).ok);
  EXPECT_EQ(plain.asked, 2);
}

TEST(KernelSupports, DeclaredShapesReachTheKernel) {
  const PlainKernel all({.gqa = true, .window = true, .bottom_right = true});
  AttentionProblem p = problem();
  p.kv_group = 32;
  p.window_left = 10;
  p.causal = true;
  p.align = CausalAlign::bottom_right;
  EXPECT_TRUE(kernel_supports(all, p, {}).ok);
  EXPECT_EQ(all.asked, 1);
}

}  // namespace
}  // namespace attnsweep
