// flash_sm90's variants (kernels/cuda/flash_sm90/flash_sm90_experiments.cpp) against the double
// reference, on a Hopper GPU: only in a build configured with -DATTNSWEEP_SM90_EXPERIMENTS=ON,
// which compiles them; elsewhere the test says so and skips.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "attnsweep/engine/correctness.h"
#include "attnsweep/kernels/device.h"
#include "kernel_choice.h"
#include "support/flash_sm90_cases.h"
#include "support/reference_errors.h"
#if ATTNSWEEP_SM90_EXPERIMENTS
#include "flash_sm90_experiments.h"
#endif

namespace attnsweep {
namespace {

using test_support::hopper_or_reason;
using test_support::Inputs;
using test_support::problem_of;
using test_support::run;
using test_support::Shape;
using test_support::shape_name;

#if ATTNSWEEP_SM90_EXPERIMENTS
// Every kernel an experiments build compiles (the harness's `check` runs them too), not only those
// the shipped dispatch picks: 2 or 3 consumer warpgroups, wide key blocks, one CTA per tile or
// persistent, one block at a time or overlapped, one Q slot or two, warpgroups taking turns or not
// (those that compute fewer key blocks, or none, passing their turns on). 140 heads of 130 rows
// (more tiles than an H100's 132 SMs: persistent CTAs take two or, with 128-row tiles, three,
// reusing a Q slot; a last row block with warpgroups past q_n) and 300 keys (several key blocks,
// a masked tail).
TEST(FlashSm90, EveryCompiledVariantMatchesTheReference) {
  std::string why;
  auto dev = hopper_or_reason(why);
  if (!dev) GTEST_SKIP() << why;
  for (const Shape& s : {Shape{1, 140, 130, 300, 64, false, DType::fp16}, Shape{1, 140, 130, 300, 64, true, DType::bf16},
                         Shape{1, 140, 130, 300, 128, false, DType::bf16}, Shape{1, 140, 130, 300, 128, true, DType::fp16},
                         Shape{1, 140, 130, 300, 256, false, DType::fp16}, Shape{1, 140, 130, 300, 256, true, DType::bf16}}) {
    const AttentionProblem p = problem_of(s);
    Inputs in(*dev, p, 5);
    const test_support::ReferenceRows ref = test_support::reference_rows(p, in.q.data(), in.k.data(), in.v.data());
    DeviceBuffer out(*dev, p.q_elements() * 2);
    const AttentionArgs a = contiguous_args(p, in.dq.get(), in.dk.get(), in.dv.get(), out.get());
    int variants = 0;
    for (int consumers : {2, 3})
      for (int wide : {0, 1})
        for (int persistent : {0, 1})
          for (int overlap : {0, 1})
            for (int q_slots : {1, 2})
              for (int turns : {0, 1}) {
                if (s.head_dim == 256 && consumers == 3) continue;              // O takes 128 registers
                if (wide && (s.head_dim == 64 || consumers == 3)) continue;      // one key block size there
                if (overlap && s.head_dim == 128 && consumers == 3) continue;    // no registers for it
                if (q_slots == 2 && !persistent) continue;                       // one tile per CTA: one Q
                const sm90::Sm90Variant v{consumers, wide, persistent, 0, overlap, q_slots, -1, turns};
                const std::string name = shape_name(s) + " wg=" + std::to_string(consumers) + " wk=" + std::to_string(wide) +
                                         " pe=" + std::to_string(persistent) + " ov=" + std::to_string(overlap) +
                                         " qs=" + std::to_string(q_slots) + " tt=" + std::to_string(turns);
                int used_q_slots = 0;
                const std::vector<float> o = run(*dev, a, out, [&](const AttentionArgs& args) {
                  const sm90::LaunchConfig used = sm90::launch_flash_sm90_variant(args, v);
                  const sm90::KernelConfig& k = used.kernel;
                  const bool used_wide = k.key_block == 176 || k.key_block == 80;
                  EXPECT_TRUE(k.consumers == consumers && used_wide == (wide != 0) && k.persistent == (persistent != 0) &&
                              k.overlap == (overlap != 0) && used.q_slots <= q_slots && k.turns == (turns != 0))
                      << name << ": launched another variant";
                  used_q_slots = used.q_slots;
                });
                if (q_slots == 2 && used_q_slots == 1) continue;  // no room for a second slot: the qs=1 run covered it
                for (float x : o) ASSERT_TRUE(std::isfinite(x)) << name << ": an output element was not written or is NaN/Inf";
                const test_support::ReferenceErrors e = test_support::errors_against(ref, o);
                EXPECT_LE(e.kernel, check_bound(e.naive, p.dtype)) << name << ": naive error " << e.naive;
                ++variants;
              }
    // Two Q slots fit at d=64 and with two warpgroups and 128-key blocks at d=128; each both ways of turns.
    EXPECT_EQ(variants, 2 * (s.head_dim == 64 ? 12 : s.head_dim == 128 ? 12 : 8)) << shape_name(s);
  }
}
#else
TEST(FlashSm90, EveryCompiledVariantMatchesTheReference) {
  GTEST_SKIP() << "the variants are compiled only with -DATTNSWEEP_SM90_EXPERIMENTS=ON";
}
#endif

}  // namespace
}  // namespace attnsweep
