#include "attnsweep/kernels/reference.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace attnsweep {
namespace {

AttentionProblem tiny(std::int64_t q_n, std::int64_t k_n, std::int64_t d, bool causal = false,
                      DType dtype = DType::fp32) {
  AttentionProblem p;
  p.q_n = q_n;
  p.k_n = k_n;
  p.head_dim = d;
  p.causal = causal;
  p.dtype = dtype;
  return p;
}

// d = 4, so the scale is exactly 1/2. Scores: q.k0 / 2 = 0, q.k1 / 2 = ln 3, so the softmax
// weights are 1/4 and 3/4 and O = v0 / 4 + 3 v1 / 4 = (7, 3, 0, 2).
TEST(Reference, HandComputedTwoKeys) {
  const AttentionProblem p = tiny(1, 2, 4);
  const float ln3 = std::log(3.0f);
  const std::vector<float> q{2, 0, 0, 0};
  const std::vector<float> k{0, 5, -1, 9, /**/ ln3, 0, 0, 0};
  const std::vector<float> v{4, 0, 0, 8, /**/ 8, 4, 0, 0};
  std::vector<double> out(4);
  reference_row_double(p, q.data(), k.data(), v.data(), 0, out.data());
  // ln3 was rounded to float: the weights move by ~1e-8, well inside 1e-6.
  EXPECT_NEAR(out[0], 7.0, 1e-6);
  EXPECT_NEAR(out[1], 3.0, 1e-6);
  EXPECT_NEAR(out[2], 0.0, 1e-6);
  EXPECT_NEAR(out[3], 2.0, 1e-6);
}

// Causal, top-left: row 0 sees key 0 only (its output is v0 exactly); row 1 sees both keys.
TEST(Reference, CausalRowZeroSeesOnlyKeyZero) {
  const AttentionProblem p = tiny(2, 2, 1, /*causal=*/true);
  const std::vector<float> q{1, 1};
  const std::vector<float> k{0, std::log(2.0f)};  // scale is 1: weights 1/3, 2/3 for row 1
  const std::vector<float> v{3, 6};
  double out = 0;
  reference_row_double(p, &q[0], k.data(), v.data(), 0, &out);
  EXPECT_EQ(out, 3.0);
  reference_row_double(p, &q[1], k.data(), v.data(), 1, &out);
  EXPECT_NEAR(out, 5.0, 1e-6);
}

// A window [1, 0] on three keys: row 2 sees keys 1 and 2 only, so key 0 (which would dominate)
// leaves its output alone. Bottom-right with one query on three keys: the query sits at key 2.
TEST(Reference, WindowAndBottomRightPickTheirKeys) {
  const std::vector<float> q{1};
  const std::vector<float> k{20, 0, std::log(2.0f)};  // scale 1: weights 1/3, 2/3 on keys 1, 2
  const std::vector<float> v{100, 3, 6};
  AttentionProblem p = tiny(3, 3, 1);
  p.window_left = 1;
  p.window_right = 0;
  double out = 0;
  reference_row_double(p, q.data(), k.data(), v.data(), 2, &out);
  EXPECT_NEAR(out, 5.0, 1e-6);
  AttentionProblem br = tiny(1, 3, 1, /*causal=*/true);
  br.align = CausalAlign::bottom_right;
  br.window_left = 1;
  reference_row_double(br, q.data(), k.data(), v.data(), 0, &out);
  EXPECT_NEAR(out, 5.0, 1e-6);
  br.align = CausalAlign::top_left;  // the same query at key 0: sees key 0 only
  reference_row_double(br, q.data(), k.data(), v.data(), 0, &out);
  EXPECT_EQ(out, 100.0);
}

TEST(Reference, NaiveFp32IsCloseToDouble) {
  const AttentionProblem p = tiny(1, 3, 2);
  const std::vector<float> q{0.3f, -1.2f};
  const std::vector<float> k{1, 2, -0.5f, 0.25f, 3, -3};
  const std::vector<float> v{1, -1, 2, 0.5f, -4, 8};
  std::vector<double> ref(2);
  std::vector<float> naive(2);
  reference_row_double(p, q.data(), k.data(), v.data(), 0, ref.data());
  naive_row_in_precision(p, q.data(), k.data(), v.data(), 0, naive.data());
  for (int c = 0; c < 2; ++c) EXPECT_NEAR(naive[c], ref[c], 1e-6 * std::abs(ref[c]) + 1e-7);
}

// The fp16 emulation ends by storing O in fp16: each value is representable and within a few
// fp16 ulps (O's and P's rounding) of the exact answer.
TEST(Reference, NaiveFp16RoundsToHalf) {
  const AttentionProblem p = tiny(1, 3, 2, false, DType::fp16);
  const std::vector<float> q{0.3f, -1.25f};
  const std::vector<float> k{1, 2, -0.5f, 0.25f, 3, -3};
  const std::vector<float> v{1, -1, 2, 0.5f, -4, 8};
  std::vector<double> ref(2);
  std::vector<float> naive(2);
  reference_row_double(p, q.data(), k.data(), v.data(), 0, ref.data());
  naive_row_in_precision(p, q.data(), k.data(), v.data(), 0, naive.data());
  for (int c = 0; c < 2; ++c) {
    EXPECT_EQ(naive[c], round_to_dtype(naive[c], DType::fp16));
    EXPECT_NEAR(naive[c], ref[c], 1e-2);  // O ~ 1..8: fp16 ulps of O and P, a few 1e-3
  }
}

TEST(Reference, RoundToTf32KeepsTenMantissaBitsTiesToEven) {
  EXPECT_EQ(round_to_tf32(1.0f + 0x1p-11f), 1.0f);               // a tie: down to even
  EXPECT_EQ(round_to_tf32(1.0f + 3 * 0x1p-11f), 1.0f + 0x1p-9f);  // a tie: up to even
  EXPECT_EQ(round_to_tf32(1.0f + 0x1p-10f), 1.0f + 0x1p-10f);     // representable: unchanged
  EXPECT_EQ(round_to_tf32(-1.0f - 0x1p-12f), -1.0f);              // under half an ulp
  EXPECT_TRUE(std::isinf(round_to_tf32(INFINITY)));
  EXPECT_TRUE(std::isnan(round_to_tf32(NAN)));
}

}  // namespace
}  // namespace attnsweep
