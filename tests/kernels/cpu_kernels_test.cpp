// cpu_naive and cpu_flash against the double reference, on every row of odd shapes.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "attnsweep/engine/correctness.h"
#include "attnsweep/engine/inputs.h"
#include "attnsweep/kernels/kernel.h"
#include "attnsweep/kernels/reference.h"
#include "support/reference_errors.h"

namespace attnsweep {
namespace {

struct Shape {
  std::int64_t batch, heads, q_n, k_n, head_dim;
  bool causal;
};

std::string shape_name(const Shape& s) {
  return "b" + std::to_string(s.batch) + "h" + std::to_string(s.heads) + "q" + std::to_string(s.q_n) + "k" +
         std::to_string(s.k_n) + "d" + std::to_string(s.head_dim) + (s.causal ? "causal" : "full");
}

AttentionProblem problem_of(const Shape& s) {
  AttentionProblem p;
  p.batch = s.batch;
  p.heads = s.heads;
  p.q_n = s.q_n;
  p.k_n = s.k_n;
  p.head_dim = s.head_dim;
  p.causal = s.causal;
  return p;
}

struct Tensors {
  std::vector<float> q, k, v;
  explicit Tensors(const AttentionProblem& p, std::uint64_t seed = 7)
      : q(p.q_elements()), k(p.kv_elements()), v(p.kv_elements()) {
    generate_input(seed, InputTensor::q, p.dtype, 0, q.size(), q.data());
    generate_input(seed, InputTensor::k, p.dtype, 0, k.size(), k.data());
    generate_input(seed, InputTensor::v, p.dtype, 0, v.size(), v.data());
  }
};

// Runs `kernel` on dense tensors into a NaN-poisoned output and returns it.
std::vector<float> run_dense(const Kernel& kernel, const AttentionProblem& p, const Tensors& t) {
  std::vector<float> o(p.q_elements(), std::numeric_limits<float>::quiet_NaN());
  std::vector<unsigned char> workspace(kernel.workspace_bytes(p));
  AttentionArgs a = contiguous_args(p, t.q.data(), t.k.data(), t.v.data(), o.data());
  a.workspace = workspace.data();
  a.workspace_bytes = workspace.size();
  kernel.run(a);
  return o;
}

const Kernel& kernel_named(const std::string& name) {
  const Kernel* k = find_kernel(name);
  if (!k) throw std::runtime_error("kernel " + name + " is not registered");
  return *k;
}

class CpuKernelShapes : public ::testing::TestWithParam<std::tuple<std::string, Shape>> {};

TEST_P(CpuKernelShapes, MatchesDoubleReferenceOnEveryRow) {
  const auto& [name, shape] = GetParam();
  const Kernel& kernel = kernel_named(name);
  const AttentionProblem p = problem_of(shape);
  ASSERT_TRUE(kernel.supports(p, {}).ok);
  const Tensors t(p);
  const std::vector<float> out = run_dense(kernel, p, t);
  for (float x : out) ASSERT_TRUE(std::isfinite(x)) << "an output element was not written or is NaN/Inf";
  const test_support::ReferenceErrors e = test_support::errors_against_reference(p, t.q.data(), t.k.data(), t.v.data(), out);
  // The production rule (engine/src/correctness.cpp): twice the naive path's max error plus the floor.
  EXPECT_LE(e.kernel, check_bound(e.naive, p.dtype)) << "naive fp32 max error " << e.naive;
}

const Shape kShapes[] = {
    {1, 1, 1000, 1000, 64, false},  // N = 1000: partial tiles everywhere
    {1, 1, 1000, 1000, 64, true},
    {1, 2, 333, 333, 7, false},  // odd N and odd head_dim
    {2, 1, 333, 333, 128, true},
    {1, 1, 200, 517, 1, false},  // head_dim 1, more keys than queries
    {1, 1, 517, 200, 64, true},  // more queries than keys, causal: late rows see every key
    {1, 1, 37, 300, 128, true},
    {1, 1, 65, 130, 1024, false},  // the largest head_dim
};

INSTANTIATE_TEST_SUITE_P(
    Cpu, CpuKernelShapes,
    ::testing::Combine(::testing::Values(std::string("cpu_naive"), std::string("cpu_flash")),
                       ::testing::ValuesIn(kShapes)),
    [](const auto& info) { return std::get<0>(info.param) + "_" + shape_name(std::get<1>(info.param)); });

// Kernels follow the strides they are given: [batch, n, heads, d] (PyTorch's BSHD) gives the
// same numbers as dense [batch, heads, n, d], bit for bit (the arithmetic is the same).
TEST(CpuKernels, FollowStridesOfAnotherLayout) {
  const AttentionProblem p = problem_of({2, 3, 70, 90, 16, true});
  const Tensors t(p);
  for (const std::string name : {"cpu_naive", "cpu_flash"}) {
    const Kernel& kernel = kernel_named(name);
    const std::vector<float> dense = run_dense(kernel, p, t);

    const std::int64_t B = p.batch, H = p.heads, d = p.head_dim;
    auto to_bshd = [&](const std::vector<float>& x, std::int64_t n) {
      std::vector<float> y(x.size());
      for (std::int64_t b = 0; b < B; ++b)
        for (std::int64_t h = 0; h < H; ++h)
          for (std::int64_t i = 0; i < n; ++i)
            for (std::int64_t c = 0; c < d; ++c) y[((b * n + i) * H + h) * d + c] = x[((b * H + h) * n + i) * d + c];
      return y;
    };
    const std::vector<float> q = to_bshd(t.q, p.q_n), k = to_bshd(t.k, p.k_n), v = to_bshd(t.v, p.k_n);
    std::vector<float> o(p.q_elements(), std::numeric_limits<float>::quiet_NaN());
    std::vector<unsigned char> workspace(kernel.workspace_bytes(p));
    AttentionArgs a;
    a.problem = p;
    a.q = q.data(), a.k = k.data(), a.v = v.data(), a.o = o.data();
    a.q_row_stride = a.o_row_stride = a.k_row_stride = a.v_row_stride = H * d;
    a.q_head_stride = a.o_head_stride = a.k_head_stride = a.v_head_stride = d;
    a.q_batch_stride = a.o_batch_stride = p.q_n * H * d;
    a.k_batch_stride = a.v_batch_stride = p.k_n * H * d;
    a.softmax_scale = p.softmax_scale();
    a.workspace = workspace.data();
    a.workspace_bytes = workspace.size();
    kernel.run(a);
    EXPECT_EQ(o, to_bshd(dense, p.q_n)) << name;
  }
}

TEST(CpuKernels, Fp32OnlyWithReasons) {
  for (const std::string name : {"cpu_naive", "cpu_flash"}) {
    const Kernel& kernel = kernel_named(name);
    AttentionProblem p = problem_of({1, 1, 16, 16, 64, false});
    EXPECT_TRUE(kernel.supports(p, {}).ok);
    for (DType t : {DType::fp16, DType::bf16, DType::tf32}) {
      p.dtype = t;
      const Support s = kernel.supports(p, {});
      EXPECT_FALSE(s.ok);
      EXPECT_NE(s.reason.find(std::string(dtype_name(t))), std::string::npos) << s.reason;
    }
    p.dtype = DType::fp32;
    p.head_dim = 1025;
    const Support s = kernel.supports(p, {});
    EXPECT_FALSE(s.ok);
    EXPECT_NE(s.reason.find("head_dim 1025"), std::string::npos) << s.reason;
  }
}

// Run itself refuses what the kernel does not support: a caller that skipped supports() gets an
// exception, never floats written past the end of 2-byte buffers.
TEST(CpuKernels, RunRefusesWhatTheyDoNotSupport) {
  for (const std::string name : {"cpu_naive", "cpu_flash"}) {
    const Kernel& kernel = kernel_named(name);
    AttentionProblem p = problem_of({1, 1, 16, 16, 64, false});
    p.dtype = DType::fp16;
    std::vector<std::uint16_t> q(p.q_elements()), k(p.kv_elements()), v(p.kv_elements()), o(p.q_elements());
    std::vector<float> workspace(p.q_n * p.k_n);
    AttentionArgs a = contiguous_args(p, q.data(), k.data(), v.data(), o.data());
    a.workspace = workspace.data();
    a.workspace_bytes = workspace.size() * sizeof(float);
    try {
      kernel.run(a);
      ADD_FAILURE() << name << " ran an fp16 problem";
    } catch (const std::invalid_argument& e) {
      EXPECT_EQ(std::string(e.what()), name + ": dtype fp16: CPU kernels compute fp32 only");
    }
  }
}

TEST(CpuKernels, RegisteredWithTheirSeedAnalogue) {
  const Kernel& naive = kernel_named("cpu_naive");
  EXPECT_EQ(naive.info().backend, Backend::cpu);
  EXPECT_EQ(naive.info().seed_analogue, "scaled_dot_prod_attention (math path)");
  EXPECT_EQ(kernel_named("cpu_flash").info().backend, Backend::cpu);
  const std::vector<const Kernel*> cpu = cpu_kernels();
  ASSERT_EQ(cpu.size(), 2u);
}

TEST(CpuNaive, MaterializesScoresInItsWorkspace) {
  const Kernel& naive = kernel_named("cpu_naive");
  const AttentionProblem p = problem_of({4, 8, 300, 500, 64, false});
  EXPECT_EQ(naive.workspace_bytes(p), 300u * 500u * 4u);  // one (batch, head) at a time
  EXPECT_EQ(kernel_named("cpu_flash").workspace_bytes(p), 0u);

  const Tensors t(p);
  std::vector<float> o(p.q_elements());
  AttentionArgs a = contiguous_args(p, t.q.data(), t.k.data(), t.v.data(), o.data());
  EXPECT_THROW(naive.run(a), std::invalid_argument);  // no workspace given: refuses, names it
}

}  // namespace
}  // namespace attnsweep
