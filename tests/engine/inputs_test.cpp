#include "attnsweep/engine/inputs.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace attnsweep {
namespace {

std::vector<float> generate(std::uint64_t seed, InputTensor t, DType dtype, std::uint64_t first, std::uint64_t n) {
  std::vector<float> x(n);
  generate_input(seed, t, dtype, first, n, x.data());
  return x;
}

TEST(Inputs, SameSeedSameValuesAndAnySliceRegenerates) {
  const auto all = generate(42, InputTensor::k, DType::fp32, 0, 1001);
  EXPECT_EQ(all, generate(42, InputTensor::k, DType::fp32, 0, 1001));
  for (std::uint64_t first : {0u, 1u, 2u, 333u, 999u}) {  // odd and even starts
    const auto slice = generate(42, InputTensor::k, DType::fp32, first, 1001 - first);
    EXPECT_TRUE(std::equal(slice.begin(), slice.end(), all.begin() + first)) << "slice from " << first;
  }
}

TEST(Inputs, TensorsAndSeedsDiffer) {
  const auto q = generate(1, InputTensor::q, DType::fp32, 0, 64);
  EXPECT_NE(q, generate(1, InputTensor::k, DType::fp32, 0, 64));
  EXPECT_NE(q, generate(2, InputTensor::q, DType::fp32, 0, 64));
  EXPECT_NE(cell_seed(0, "cpu_flash|a|fp32|full"), cell_seed(0, "cpu_flash|a|fp32|causal"));
  EXPECT_NE(cell_seed(0, "x"), cell_seed(1, "x"));
  EXPECT_EQ(cell_seed(5, "x"), cell_seed(5, "x"));
}

TEST(Inputs, StandardNormalNeverZeros) {
  const auto x = generate(9, InputTensor::v, DType::fp32, 0, 200000);
  double sum = 0, sum2 = 0;
  int zeros = 0;
  for (float v : x) {
    ASSERT_TRUE(std::isfinite(v));
    sum += v;
    sum2 += static_cast<double>(v) * v;
    zeros += v == 0;
  }
  const double mean = sum / x.size(), var = sum2 / x.size() - mean * mean;
  EXPECT_NEAR(mean, 0.0, 0.01);  // 4.5 standard errors
  EXPECT_NEAR(var, 1.0, 0.02);
  EXPECT_LT(zeros, 5);
}

TEST(Inputs, RoundedToTheDtypeAndEncodedLosslessly) {
  for (DType t : {DType::fp16, DType::bf16, DType::fp32}) {
    const auto x = generate(3, InputTensor::q, t, 0, 513);
    for (float v : x) ASSERT_EQ(v, round_to_dtype(v, t)) << dtype_name(t);
    std::vector<unsigned char> bytes(x.size() * dtype_bytes(t));
    std::vector<float> back(x.size());
    encode_to_dtype(x.data(), x.size(), t, bytes.data());
    decode_from_dtype(bytes.data(), x.size(), t, back.data());
    EXPECT_EQ(back, x) << dtype_name(t);
  }
}

TEST(Inputs, FillWritesWhatGenerateGives) {
  const auto dev = make_cpu_device();
  AttentionProblem p;
  p.batch = 2, p.heads = 3, p.q_n = 50, p.k_n = 70, p.head_dim = 9, p.dtype = DType::bf16;
  const std::uint64_t eb = dtype_bytes(p.dtype);
  DeviceBuffer q(*dev, p.q_elements() * eb), k(*dev, p.kv_elements() * eb), v(*dev, p.kv_elements() * eb);
  const InputsDigest digest = fill_inputs(*dev, p, 11, q.get(), k.get(), v.get());
  // The digest is of the stored elements: the same summed whole or in any split, and it moves
  // when one element does.
  EXPECT_EQ(digest.k, digest_elements(k.get(), 0, p.kv_elements(), p.dtype));
  const auto* v_bytes = static_cast<const unsigned char*>(v.get());
  EXPECT_EQ(digest.v, digest_elements(v_bytes + 1000 * eb, 1000, p.kv_elements() - 1000, p.dtype) +
                          digest_elements(v_bytes, 0, 1000, p.dtype));
  EXPECT_NE(digest.k, digest.v);
  static_cast<std::uint16_t*>(k.get())[7] ^= 1;
  EXPECT_NE(digest.k, digest_elements(k.get(), 0, p.kv_elements(), p.dtype));
  std::vector<float> got(p.kv_elements());
  decode_from_dtype(v.get(), got.size(), p.dtype, got.data());
  EXPECT_EQ(got, generate(11, InputTensor::v, p.dtype, 0, p.kv_elements()));
  got.resize(p.q_elements());
  decode_from_dtype(q.get(), got.size(), p.dtype, got.data());
  EXPECT_EQ(got, generate(11, InputTensor::q, p.dtype, 0, p.q_elements()));
}

}  // namespace
}  // namespace attnsweep
