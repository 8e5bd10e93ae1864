// flash_sm90's kernel choice (kernels/cuda/flash_sm90/kernel_choice.cpp) and the kernels it may
// choose (kernel_config.h). Host code: built and run in every configuration, with or without CUDA.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "attnsweep/kernels/device.h"
#include "kernel_choice.h"
#include "kernel_config.h"

namespace attnsweep::sm90 {
namespace {

constexpr GpuShape kH100{132, 50 * 1024 * 1024};

using Key = std::tuple<int, int, int, bool, bool, bool, bool>;
Key key(const KernelConfig& k) {
  return {k.head_dim, k.consumers, k.key_block, k.causal, k.persistent, k.overlap, k.turns};
}

AttentionProblem problem(std::int64_t batch, std::int64_t heads, std::int64_t q_n, std::int64_t k_n, std::int64_t d, bool causal) {
  AttentionProblem p;
  p.batch = batch;
  p.heads = heads;
  p.q_n = q_n;
  p.k_n = k_n;
  p.head_dim = d;
  p.causal = causal;
  p.dtype = DType::fp16;
  return p;
}

// Problems of every size the rules tell apart: tile counts around one and two waves, and lengths
// around each threshold (512, 2048, 4096, 8192 keys).
std::vector<AttentionProblem> problem_grid() {
  std::vector<AttentionProblem> grid;
  for (std::int64_t d : {64, 128, 256})
    for (bool causal : {false, true})
      for (std::int64_t n : {1, 100, 512, 1024, 2048, 3000, 4096, 6144, 8192, 16384})
        for (std::int64_t batch : {1, 2, 8, 32})
          for (std::int64_t heads = 1; heads <= 128; ++heads) grid.push_back(problem(batch, heads, n, n, d, causal));
  return grid;
}

// The shipped choice reaches every kernel a default build compiles, and no other: the list in
// kernel_config.h is the rule's image (on an H100's 132 SMs), and on other cards the rule stays
// inside it.
TEST(Sm90KernelChoice, ReachesEveryShippedKernelAndNoOther) {
  std::set<Key> shipped;
  for (const KernelConfig& k : kShippedKernels) shipped.insert(key(k));
  EXPECT_EQ(shipped.size(), std::size(kShippedKernels)) << "a kernel is listed twice";
  const std::vector<AttentionProblem> grid = problem_grid();
  std::set<Key> reached;
  for (const AttentionProblem& p : grid) reached.insert(key(choose_launch(p, kH100).kernel));
  EXPECT_EQ(reached, shipped);
  for (const GpuShape gpu : {GpuShape{114, 50 << 20}, GpuShape{78, 40 << 20}, GpuShape{144, 60 << 20}})
    for (const AttentionProblem& p : grid) {
      const KernelConfig k = choose_launch(p, gpu).kernel;
      ASSERT_TRUE(shipped.count(key(k))) << describe(k) << " on " << gpu.sms << " SMs is not compiled";
    }
}

TEST(Sm90KernelChoice, EveryKernelIsValidOnceAndTheShippedAreAmongThem) {
  std::set<Key> all;
  for (const KernelConfig& k : kAllKernels) {
    EXPECT_TRUE(is_valid(k)) << describe(k);
    EXPECT_LE(shared_layout(k).bytes, kMaxSmemBytes) << describe(k);
    all.insert(key(k));
  }
  // d=64: 2 warpgroup counts; d=128: 2 with two key blocks, 1 with three (no overlap); d=256: 2
  // key blocks; each causal or not, persistent or not, overlapped or not (d=128 three: not), turns or not.
  EXPECT_EQ(std::size(kAllKernels), std::size_t{2 * 16 + (2 * 16 + 8) + 2 * 16});
  EXPECT_EQ(all.size(), std::size(kAllKernels));
  for (const KernelConfig& k : kShippedKernels) EXPECT_TRUE(all.count(key(k))) << describe(k);
}

// Choices the measurements settled, at shapes the docs name.
TEST(Sm90KernelChoice, ChoosesAsMeasured) {
  // d=256: two warpgroups, overlapped, 80-key blocks but for causal up to 2048 keys.
  const LaunchConfig d256 = choose_launch(problem(2, 24, 4096, 4096, 256, false), kH100);
  EXPECT_EQ(d256.kernel.consumers, 2);
  EXPECT_EQ(d256.kernel.key_block, 80);
  EXPECT_TRUE(d256.kernel.overlap && d256.kernel.persistent);
  EXPECT_EQ(choose_launch(problem(2, 24, 2048, 2048, 256, true), kH100).kernel.key_block, 64);
  // d=64: the seed's B=8 tiers keep two warpgroups; the fa3 preset's N=512 and 1k (B*N = 16k, 32
  // heads) take three.
  EXPECT_EQ(choose_launch(problem(8, 12, 512, 512, 64, false), kH100).kernel.consumers, 2);
  EXPECT_EQ(choose_launch(problem(32, 32, 512, 512, 64, false), kH100).kernel.consumers, 3);
  EXPECT_EQ(choose_launch(problem(16, 32, 1024, 1024, 64, false), kH100).kernel.consumers, 3);
  // d=128: three warpgroups from 2048 keys on a full wave, with no overlap and no turns.
  const KernelConfig d128 = choose_launch(problem(8, 16, 2048, 2048, 128, false), kH100).kernel;
  EXPECT_EQ(d128.consumers, 3);
  EXPECT_FALSE(d128.overlap || d128.turns);
  EXPECT_EQ(choose_launch(problem(1, 12, 1024, 1024, 128, false), kH100).kernel.consumers, 2);
  // Causal d=128 with two warpgroups (fewer than two waves of 192-row tiles): 176-key blocks; with
  // three, 128.
  const KernelConfig causal128 = choose_launch(problem(1, 4, 8192, 8192, 128, true), kH100).kernel;
  EXPECT_EQ(causal128.consumers, 2);
  EXPECT_EQ(causal128.key_block, 176);
  EXPECT_EQ(choose_launch(problem(1, 12, 8192, 8192, 128, true), kH100).kernel.key_block, 128);
}

TEST(Sm90KernelChoice, FixedChoicesWinWhereTheKernelHasThem) {
  const AttentionProblem p = problem(1, 140, 130, 300, 128, true);
  Sm90Variant fixed;
  fixed.consumers = 2;
  fixed.wide_keys = 0;
  fixed.persistent = 1;
  fixed.overlap = 0;
  fixed.turns = 0;
  fixed.q_slots = 1;
  fixed.half_diagonal = 0;
  fixed.pairs_per_section = 4;
  const LaunchConfig c = choose_launch(p, kH100, fixed);
  EXPECT_EQ(key(c.kernel), key(KernelConfig{128, 2, 128, true, true, false, false}));
  EXPECT_EQ(c.q_slots, 1);
  EXPECT_FALSE(c.half_diagonal);
  EXPECT_EQ(c.pairs_per_section, 4);
  // Left to the rule: two Q slots where the layout has room, halved diagonals where the kernel halves.
  fixed.q_slots = fixed.half_diagonal = -1;
  const LaunchConfig shipped_switches = choose_launch(p, kH100, fixed);
  EXPECT_EQ(shipped_switches.q_slots, 2);
  EXPECT_TRUE(shipped_switches.half_diagonal);
  // What a kernel does not have is reported as not used.
  fixed.consumers = 3;
  fixed.overlap = 1;
  fixed.wide_keys = 1;
  fixed.q_slots = 2;
  const LaunchConfig three = choose_launch(p, kH100, fixed);
  EXPECT_EQ(three.kernel.key_block, 128);  // one key block size with three warpgroups
  EXPECT_FALSE(three.kernel.overlap);      // no registers for it at d=128
  EXPECT_EQ(three.q_slots, 1);             // no room for a second Q slot
  EXPECT_EQ(choose_launch(problem(1, 2, 100, 100, 256, false), kH100, Sm90Variant{3}).kernel.consumers, 2);
  // Sections never hold more pairs than there are.
  fixed.pairs_per_section = 1000;
  EXPECT_EQ(choose_launch(p, kH100, fixed).pairs_per_section, 140);
}

TEST(Sm90KernelChoice, RefusesAConsumerCountItDoesNotHave) {
  try {
    choose_launch(problem(1, 1, 64, 64, 64, false), kH100, Sm90Variant{4});
    FAIL() << "four consumer warpgroups were accepted";
  } catch (const DeviceError& e) {
    EXPECT_NE(std::string(e.what()).find("consumer warpgroups must be 2 or 3"), std::string::npos) << e.what();
    EXPECT_FALSE(e.sticky);
  }
}

}  // namespace
}  // namespace attnsweep::sm90
