// The problem's masks and FLOP count: the keys each row sees, and the closed form that sums them.
#include <gtest/gtest.h>

#include <cstdint>

#include "attnsweep/kernels/problem.h"

namespace attnsweep {
namespace {

AttentionProblem square(std::int64_t n, bool causal) {
  AttentionProblem p;
  p.batch = 2;
  p.heads = 8;
  p.q_n = p.k_n = n;
  p.head_dim = 64;
  p.causal = causal;
  return p;
}

TEST(Problem, FlopsOfFullAndSquareCausalAreThePapersConvention) {
  const double full = 4.0 * 2 * 8 * 1024 * 1024 * 64;
  EXPECT_EQ(square(1024, false).flops(), full);
  EXPECT_EQ(square(1024, true).flops(), full / 2);  // the diagonal counts half: exactly half
}

TEST(Problem, FlopsCountQueryHeadsUnderGqa) {
  AttentionProblem mha = square(512, false);
  AttentionProblem gqa = mha;
  gqa.kv_group = 4;
  EXPECT_EQ(gqa.flops(), mha.flops());
  EXPECT_EQ(gqa.kv_heads(), 2);
  EXPECT_EQ(gqa.kv_elements() * 4, mha.kv_elements());
  EXPECT_LT(gqa.min_bytes(), mha.min_bytes());
}

TEST(Problem, FlopsOfBottomRightCausalAreFlashAttention3s) {
  // Queries 2k at the end of 8k keys: FlashAttention-3's benchmark counts an average of
  // (k_n - q_n + k_n) / 2 keys per query.
  AttentionProblem p;
  p.q_n = 2048;
  p.k_n = 8192;
  p.head_dim = 128;
  p.causal = true;
  p.align = CausalAlign::bottom_right;
  EXPECT_EQ(p.flops(), 4.0 * 128 * 2048 * (8192 - 2048 + 8192) / 2.0);
  p.align = CausalAlign::top_left;  // row i sees i + 1 keys: q_n^2 / 2 pairs
  EXPECT_EQ(p.flops(), 4.0 * 128 * 2048.0 * 2048 / 2);
}

TEST(Problem, FlopsOfAWindowCountItsKeys) {
  // Mistral's: causal with 4096 keys to the left; row i sees min(i, 4096) + 1 keys, the diagonal half.
  AttentionProblem p = square(16384, true);
  p.batch = p.heads = 1;
  p.head_dim = 1;
  p.window_left = 4096;
  const double pairs = 4097.0 * 4098 / 2 + (16384.0 - 4097) * 4097 - 16384 / 2.0;
  EXPECT_EQ(p.flops(), 4 * pairs);
  // Both sides, no causal mask: [2, 3] on 10 keys: rows see 4, 5, 6, 6, 6, 6, 6, 5, 4, 3 keys.
  AttentionProblem w = square(10, false);
  w.batch = w.heads = 1;
  w.head_dim = 1;
  w.window_left = 2;
  w.window_right = 3;
  EXPECT_EQ(w.visible_pairs(), 51);
  EXPECT_EQ(w.visible_keys(0).begin, 0);
  EXPECT_EQ(w.visible_keys(0).end, 4);
  EXPECT_EQ(w.visible_keys(9).begin, 7);
  EXPECT_EQ(w.visible_keys(9).end, 10);
}

// The closed form equals the sum of the rows' key ranges on every mix of shape and mask.
TEST(Problem, VisiblePairsEqualTheRowsKeysSummed) {
  for (std::int64_t q : {1, 7, 40})
    for (std::int64_t k : {1, 5, 40, 90})
      for (bool causal : {false, true})
        for (CausalAlign align : {CausalAlign::top_left, CausalAlign::bottom_right})
          for (std::int64_t left : {-1, 0, 3, 50})
            for (std::int64_t right : {-1, 0, 2, 60}) {
              AttentionProblem p;
              p.q_n = q, p.k_n = k, p.causal = causal, p.align = align;
              p.window_left = left, p.window_right = right;
              double sum = 0, diagonals = 0;
              for (std::int64_t i = 0; i < q; ++i) {
                const KeyRange r = p.visible_keys(i);
                ASSERT_GE(r.begin, 0);
                ASSERT_LE(r.end, k);
                ASSERT_LE(r.begin, r.end);
                sum += static_cast<double>(r.size());
                diagonals += p.diagonal(i) >= 0 && p.diagonal(i) < k;
              }
              ASSERT_EQ(p.visible_pairs(), sum) << q << " " << k << " " << causal << " " << left << " " << right;
              ASSERT_EQ(p.flops(), 4 * p.head_dim * (sum - (causal ? diagonals / 2 : 0)));
            }
}

TEST(Problem, KeyRangesOfTheMasks) {
  AttentionProblem p;
  p.q_n = 4;
  p.k_n = 10;
  p.causal = true;
  EXPECT_EQ(p.visible_keys(0).end, 1);  // top-left: row 0 sees key 0
  p.align = CausalAlign::bottom_right;
  EXPECT_EQ(p.visible_keys(0).end, 7);  // bottom-right: row 0 sits at key 6
  EXPECT_EQ(p.visible_keys(3).end, 10);
  p.q_n = 12;
  EXPECT_EQ(p.visible_keys(1).size(), 0);  // 12 queries on 10 keys: rows 0 and 1 see none
  EXPECT_EQ(p.visible_keys(2).size(), 1);
  EXPECT_FALSE(p.plain_mask());
  p.q_n = 10;
  EXPECT_TRUE(p.plain_mask());  // bottom-right on a square problem is top-left
}

}  // namespace
}  // namespace attnsweep
