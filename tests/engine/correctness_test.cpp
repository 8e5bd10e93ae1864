#include "attnsweep/engine/correctness.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <tuple>
#include <vector>

#include "attnsweep/engine/inputs.h"
#include "attnsweep/kernels/reference.h"

namespace attnsweep {
namespace {

AttentionProblem shape(std::int64_t b, std::int64_t h, std::int64_t q_n, std::int64_t k_n, std::int64_t d,
                       bool causal = false, DType dtype = DType::fp32) {
  AttentionProblem p;
  p.batch = b, p.heads = h, p.q_n = q_n, p.k_n = k_n, p.head_dim = d, p.causal = causal, p.dtype = dtype;
  return p;
}

// Q, K, V filled from the seed on the CPU device, and an output computed by cpu_flash.
struct Cell {
  std::unique_ptr<Device> dev = make_cpu_device();
  AttentionProblem p;
  std::uint64_t seed = 1234;
  DeviceBuffer q, k, v, o;
  InputsDigest digest;
  explicit Cell(const AttentionProblem& problem) : p(problem) {
    const std::uint64_t eb = dtype_bytes(p.dtype);
    q = DeviceBuffer(*dev, p.q_elements() * eb);
    k = DeviceBuffer(*dev, p.kv_elements() * eb);
    v = DeviceBuffer(*dev, p.kv_elements() * eb);
    o = DeviceBuffer(*dev, p.q_elements() * eb);
    digest = fill_inputs(*dev, p, seed, q.get(), k.get(), v.get());
  }
  void run_flash() {
    dev->fill(o.get(), 0xff, o.bytes());
    find_kernel("cpu_flash")->run(contiguous_args(p, q.get(), k.get(), v.get(), o.get()));
  }
  float* out() { return static_cast<float*>(o.get()); }
  CheckResult check(CheckOptions opts = {}) { return check_output(*dev, p, seed, {k.get(), v.get(), digest}, o.get(), opts); }
};

TEST(Correctness, CorrectOutputPasses) {
  Cell c(shape(1, 2, 100, 77, 16, true));
  c.run_flash();
  const CheckResult r = c.check();
  EXPECT_TRUE(r.checked);
  EXPECT_TRUE(r.passed) << describe_failure(r);
  EXPECT_EQ(r.rows_checked, 200);  // small: every row
  EXPECT_EQ(r.slices_checked, 2);
  EXPECT_EQ(r.unwritten, 0);
  EXPECT_EQ(r.nonfinite, 0);
  EXPECT_FALSE(r.inputs_changed);
  EXPECT_GT(r.naive_max_abs_err, 0);
  EXPECT_GT(r.naive_rel_err, 0);
  EXPECT_LT(r.rel_err, 1e-5);
  EXPECT_DOUBLE_EQ(r.tolerance, 2 * r.naive_max_abs_err + check_floor(DType::fp32));
  EXPECT_DOUBLE_EQ(r.tolerance, check_bound(r.naive_max_abs_err, DType::fp32));
  EXPECT_LE(r.max_abs_err, r.tolerance);
}

TEST(Correctness, ValueOffByHalfFails) {
  Cell c(shape(1, 1, 64, 64, 32));
  c.run_flash();
  c.out()[5 * 32 + 3] *= 1.5f;  // one element of row 5
  const CheckResult r = c.check();
  EXPECT_FALSE(r.passed);
  EXPECT_GT(r.max_abs_err, r.tolerance);
  const std::string why = describe_failure(r);
  EXPECT_NE(why.find("max_abs_err"), std::string::npos) << why;
  EXPECT_NE(why.find("64 rows of 1 slices"), std::string::npos) << why;
}

// The rule is on the largest error: one element 1% off in a 128k-element output fails.
TEST(Correctness, OneElementOnePercentOffFails) {
  Cell c(shape(1, 8, 256, 256, 64));
  c.run_flash();
  const CheckResult clean = c.check();
  ASSERT_TRUE(clean.passed) << describe_failure(clean);
  float* row = c.out() + (5 * 256 + 77) * 64;  // slice 5, row 77
  *std::max_element(row, row + 64, [](float a, float b) { return std::abs(a) < std::abs(b); }) *= 1.01f;
  CheckOptions all;
  all.all_rows = true;
  const CheckResult r = c.check(all);
  EXPECT_FALSE(r.passed) << describe_failure(r);
  EXPECT_EQ(r.rows_checked, 8 * 256);
  EXPECT_GT(r.max_abs_err, r.tolerance);
}

// A kernel right in some slices only: every slice has rows in the sample, so copies fail.
TEST(Correctness, EverySliceIsChecked) {
  Cell c(shape(2, 4, 512, 512, 64));
  c.run_flash();
  ASSERT_TRUE(c.check().passed);
  const std::int64_t slice = 512 * 64;
  std::copy(c.out(), c.out() + slice, c.out() + 3 * slice);  // slice 3 gets slice 0's output
  const CheckResult r = c.check();
  EXPECT_FALSE(r.passed) << describe_failure(r);
  EXPECT_EQ(r.slices_checked, 8);
  EXPECT_LT(r.rows_checked, 8 * 512);
}

TEST(Correctness, PoisonLeftIsUnwrittenAndNanIsNonfinite) {
  Cell c(shape(2, 2, 40, 40, 8));
  c.run_flash();
  std::memset(c.out() + 17, 0xff, 3 * sizeof(float));  // three elements never written
  c.out()[100] = std::numeric_limits<float>::infinity();
  c.out()[200] = std::numeric_limits<float>::quiet_NaN();  // a NaN the kernel computed
  const CheckResult r = c.check();
  EXPECT_FALSE(r.passed);
  EXPECT_EQ(r.unwritten, 3);
  EXPECT_EQ(r.nonfinite, 2);
  EXPECT_TRUE(std::isfinite(r.rel_err));  // non-finite elements are counted, not summed
  const std::string why = describe_failure(r);
  EXPECT_NE(why.find("3 output elements never written"), std::string::npos) << why;
  EXPECT_NE(why.find("2 output elements NaN or Inf"), std::string::npos) << why;
}

// K and V are read back, not generated again: a kernel that wrote into them fails, even where its
// output matches the inputs it left behind.
TEST(Correctness, InputsWrittenByTheKernelFail) {
  Cell c(shape(1, 2, 64, 64, 16));
  static_cast<float*>(c.k.get())[100] = 0.0f;  // K changed before the kernel ran on it
  c.run_flash();
  const CheckResult r = c.check();
  EXPECT_TRUE(r.inputs_changed);
  EXPECT_FALSE(r.passed);
  EXPECT_LE(r.max_abs_err, r.tolerance);  // right for the K it found
  EXPECT_NE(describe_failure(r).find("K or V changed on the device"), std::string::npos) << describe_failure(r);
}

TEST(Correctness, ToleranceOverrideIsUsed) {
  Cell c(shape(1, 1, 32, 32, 8));
  c.run_flash();
  c.out()[0] += 1e-3f;
  CheckOptions strict;
  EXPECT_FALSE(c.check(strict).passed);
  CheckOptions loose;
  loose.tolerance = 0.5;
  const CheckResult r = c.check(loose);
  EXPECT_TRUE(r.passed) << describe_failure(r);
  EXPECT_EQ(r.tolerance, 0.5);
}

bool row_order(const OutputRow& a, const OutputRow& b) {
  return std::tie(a.batch, a.head, a.row) < std::tie(b.batch, b.head, b.row);
}

// A big cell is checked on sampled rows of every slice (first, last, random), all rows otherwise.
TEST(Correctness, BigCellsAreSampledInEverySlice) {
  const AttentionProblem big = shape(4, 8, 2048, 2048, 64);
  const std::vector<OutputRow> rows = choose_check_rows(big, 1);
  EXPECT_EQ(rows.front(), (OutputRow{0, 0, 0}));
  EXPECT_EQ(rows.back(), (OutputRow{3, 7, 2047}));
  EXPECT_TRUE(std::is_sorted(rows.begin(), rows.end(), row_order));
  EXPECT_TRUE(std::adjacent_find(rows.begin(), rows.end()) == rows.end());
  EXPECT_EQ(rows, choose_check_rows(big, 1));  // deterministic
  EXPECT_NE(rows, choose_check_rows(big, 2));  // and seeded
  std::map<std::pair<std::int64_t, std::int64_t>, std::vector<std::int64_t>> by_slice;
  for (const OutputRow& r : rows) by_slice[{r.batch, r.head}].push_back(r.row);
  ASSERT_EQ(by_slice.size(), 32u);
  for (const auto& [slice, picked] : by_slice) {
    EXPECT_EQ(picked.size(), rows.size() / 32);  // the same number in every slice
    EXPECT_GE(picked.size(), static_cast<std::size_t>(kMinRowsPerSlice));
    EXPECT_EQ(picked.front(), 0);
    EXPECT_EQ(picked.back(), 2047);
  }
  EXPECT_LE(rows.size(), 256u);  // within the row budget: 8 rows of each of 32 slices

  // More slices than the budget has rows: still every slice, kMinRowsPerSlice each.
  const AttentionProblem many = shape(32, 32, 512, 512, 64);
  EXPECT_EQ(choose_check_rows(many, 1).size(), static_cast<std::size_t>(32 * 32 * kMinRowsPerSlice));

  EXPECT_EQ(choose_check_rows(shape(1, 2, 30, 30, 8), 1).size(), 60u);  // small: every row
  EXPECT_EQ(choose_check_rows(big, 1, /*all_rows=*/true).size(), 4u * 8 * 2048);
}

TEST(Correctness, SampledCheckOnAMidSizeCell) {
  Cell c(shape(1, 8, 512, 512, 64, true));
  c.run_flash();
  const CheckResult r = c.check();
  EXPECT_TRUE(r.passed) << describe_failure(r);
  EXPECT_GE(r.rows_checked, 64);
  EXPECT_LT(r.rows_checked, 8 * 512);
  EXPECT_EQ(r.slices_checked, 8);
}

TEST(Correctness, AllRowsChecksTheWholeOutput) {
  Cell c(shape(1, 3, 512, 512, 64, true));
  c.run_flash();
  CheckOptions all;
  all.all_rows = true;
  const CheckResult r = c.check(all);
  EXPECT_TRUE(r.passed) << describe_failure(r);
  EXPECT_EQ(r.rows_checked, 3 * 512);
  EXPECT_EQ(r.slices_checked, 3);
}

// fp16 output: the exact answer rounded to fp16 passes; the FA rule's naive error is fp16-sized.
TEST(Correctness, Fp16RoundedReferencePassesWithAFp16SizedBound) {
  const AttentionProblem p = shape(1, 1, 48, 48, 16, false, DType::fp16);
  Cell c(p);
  std::vector<float> q(p.q_elements()), k(p.kv_elements()), v(p.kv_elements());
  generate_input(c.seed, InputTensor::q, p.dtype, 0, q.size(), q.data());
  generate_input(c.seed, InputTensor::k, p.dtype, 0, k.size(), k.data());
  generate_input(c.seed, InputTensor::v, p.dtype, 0, v.size(), v.data());
  std::vector<float> out(p.q_elements());
  std::vector<double> row(p.head_dim);
  for (std::int64_t i = 0; i < p.q_n; ++i) {
    reference_row_double(p, q.data() + i * p.head_dim, k.data(), v.data(), i, row.data());
    for (std::int64_t c2 = 0; c2 < p.head_dim; ++c2) out[i * p.head_dim + c2] = static_cast<float>(row[c2]);
  }
  encode_to_dtype(out.data(), out.size(), p.dtype, c.o.get());
  const CheckResult r = c.check();
  EXPECT_TRUE(r.passed) << describe_failure(r);
  EXPECT_GT(r.naive_rel_err, 1e-5);  // fp16 rounding, far above fp32's
  EXPECT_LT(r.naive_rel_err, 2e-3);
  EXPECT_GT(r.naive_max_abs_err, r.max_abs_err);  // S and P stored in fp16 cost more than O's rounding
  EXPECT_GT(r.rel_err, 0);                        // O's own fp16 rounding
}

// The 16-bit floors are about one ulp of an output of 0.3 (2^-12 with 10 mantissa bits, 2^-9 with
// bf16's 7), as check_floor says; every floor is far below a 1% error on such an output.
TEST(Correctness, FloorsAreAboutOneUlpOfATypicalOutput) {
  EXPECT_NEAR(check_floor(DType::fp16), 0x1p-12, 0.05 * 0x1p-12);
  EXPECT_EQ(check_floor(DType::tf32), check_floor(DType::fp16));
  EXPECT_NEAR(check_floor(DType::bf16), 0x1p-9, 0.05 * 0x1p-9);
  EXPECT_LT(check_floor(DType::fp32), check_floor(DType::fp16));
  for (DType t : {DType::fp32, DType::tf32, DType::fp16, DType::bf16}) EXPECT_LT(check_floor(t), 0.01 * 0.3) << dtype_name(t);
}

}  // namespace
}  // namespace attnsweep
