#include "attnsweep/engine/correctness.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
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
  explicit Cell(const AttentionProblem& problem) : p(problem) {
    const std::uint64_t eb = dtype_bytes(p.dtype);
    q = DeviceBuffer(*dev, p.q_elements() * eb);
    k = DeviceBuffer(*dev, p.kv_elements() * eb);
    v = DeviceBuffer(*dev, p.kv_elements() * eb);
    o = DeviceBuffer(*dev, p.q_elements() * eb);
    fill_inputs(*dev, p, seed, q.get(), k.get(), v.get());
  }
  void run_flash() {
    dev->fill(o.get(), 0xff, o.bytes());
    find_kernel("cpu_flash")->run(contiguous_args(p, q.get(), k.get(), v.get(), o.get()));
  }
  float* out() { return static_cast<float*>(o.get()); }
  CheckResult check(CheckOptions opts = {}) { return check_output(*dev, p, seed, o.get(), opts); }
};

TEST(Correctness, CorrectOutputPasses) {
  Cell c(shape(1, 2, 100, 77, 16, true));
  c.run_flash();
  const CheckResult r = c.check();
  EXPECT_TRUE(r.checked);
  EXPECT_TRUE(r.passed) << describe_failure(r);
  EXPECT_EQ(r.rows_checked, 200);  // small: every row
  EXPECT_EQ(r.unwritten, 0);
  EXPECT_EQ(r.nonfinite, 0);
  EXPECT_GT(r.naive_rel_err, 0);
  EXPECT_LT(r.rel_err, 1e-5);
  EXPECT_DOUBLE_EQ(r.tolerance, 2 * r.naive_rel_err + check_floor(DType::fp32));
  EXPECT_GE(r.max_abs_err, 0);
}

TEST(Correctness, ValueOffByOnePercentFails) {
  Cell c(shape(1, 1, 64, 64, 32));
  c.run_flash();
  c.out()[5 * 32 + 3] *= 1.5f;  // one element of row 5
  const CheckResult r = c.check();
  EXPECT_FALSE(r.passed);
  EXPECT_GT(r.rel_err, r.tolerance);
  EXPECT_GT(r.max_abs_err, 0);
  EXPECT_NE(describe_failure(r).find("rel_err"), std::string::npos) << describe_failure(r);
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

// A big cell is checked on sampled rows (first, last, random) of a few heads, all rows otherwise.
TEST(Correctness, BigCellsAreSampled) {
  const AttentionProblem big = shape(4, 8, 2048, 2048, 64);
  const std::vector<OutputRow> rows = choose_check_rows(big, 1);
  EXPECT_GE(rows.size(), 64u);
  EXPECT_LE(rows.size(), 256u);
  EXPECT_EQ(rows.front(), (OutputRow{0, 0, 0}));
  EXPECT_EQ(rows.back(), (OutputRow{3, 7, 2047}));
  EXPECT_TRUE(std::find(rows.begin(), rows.end(), OutputRow{0, 0, 2047}) != rows.end());
  EXPECT_TRUE(std::is_sorted(rows.begin(), rows.end(), [](const OutputRow& a, const OutputRow& b) {
    return std::tie(a.batch, a.head, a.row) < std::tie(b.batch, b.head, b.row);
  }));
  EXPECT_TRUE(std::adjacent_find(rows.begin(), rows.end()) == rows.end());
  EXPECT_EQ(rows, choose_check_rows(big, 1));  // deterministic

  EXPECT_EQ(choose_check_rows(shape(1, 2, 30, 30, 8), 1).size(), 60u);
}

TEST(Correctness, SampledCheckOnAMidSizeCell) {
  Cell c(shape(1, 8, 512, 512, 64, true));
  c.run_flash();
  const CheckResult r = c.check();
  EXPECT_TRUE(r.passed) << describe_failure(r);
  EXPECT_GE(r.rows_checked, 64);
  EXPECT_LT(r.rows_checked, 8 * 512);
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
  EXPECT_GT(r.rel_err, 0);           // O's own fp16 rounding
}

TEST(Correctness, FloorsPerDtype) {
  EXPECT_EQ(check_floor(DType::fp32), 1e-5);
  EXPECT_EQ(check_floor(DType::fp16), 2e-3);
  EXPECT_EQ(check_floor(DType::tf32), 2e-3);
  EXPECT_EQ(check_floor(DType::bf16), 1e-2);
}

}  // namespace
}  // namespace attnsweep
