// flash_sm90 against the double reference on every row of odd shapes, on a Hopper GPU.
// Skips when the kernel is not built (no nvcc), there is no GPU, or the GPU is not sm_90.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

#include "attnsweep/engine/correctness.h"
#include "attnsweep/engine/inputs.h"
#include "attnsweep/kernels/device.h"
#include "attnsweep/kernels/kernel.h"
#include "attnsweep/kernels/reference.h"
#include "kernel_choice.h"
#include "kernel_config.h"
#include "support/flash_sm90_cases.h"
#include "support/reference_errors.h"

namespace attnsweep {
namespace {

using test_support::flash_sm90;
using test_support::hopper_or_reason;
using test_support::Inputs;
using test_support::problem_of;
using test_support::run;
using test_support::Shape;
using test_support::shape_name;

// Every output row of shape `s` (inputs from `seed`, times `amplitude`) written, finite and within
// FlashAttention's rule of the double reference.
void expect_matches_reference(Device& dev, const Shape& s, std::uint64_t seed, float amplitude = 1.f) {
  const AttentionProblem p = problem_of(s);
  ASSERT_TRUE(flash_sm90()->supports(p, dev.caps()).ok) << shape_name(s);
  Inputs in(dev, p, seed, amplitude);
  DeviceBuffer out(dev, p.q_elements() * 2);
  const std::vector<float> o = run(dev, contiguous_args(p, in.dq.get(), in.dk.get(), in.dv.get(), out.get()), out);
  for (float x : o) ASSERT_TRUE(std::isfinite(x)) << shape_name(s) << ": an output element was not written or is NaN/Inf";
  const test_support::ReferenceErrors e = test_support::errors_against_reference(p, in.q.data(), in.k.data(), in.v.data(), o);
  EXPECT_LE(e.kernel, check_bound(e.naive, p.dtype)) << shape_name(s) << ": naive error " << e.naive;
}

class FlashSm90Shapes : public ::testing::TestWithParam<Shape> {};

TEST_P(FlashSm90Shapes, MatchesDoubleReferenceOnEveryRow) {
  std::string why;
  auto dev = hopper_or_reason(why);
  if (!dev) GTEST_SKIP() << why;
  expect_matches_reference(*dev, GetParam(), 11);
}

const Shape kShapes[] = {
    {1, 1, 1, 1, 64, false, DType::fp16},       // one query, one key
    {2, 3, 77, 300, 64, true, DType::fp16},     // partial tiles, more keys than queries
    {1, 2, 300, 77, 128, true, DType::bf16},    // more queries than keys: late rows see every key
    {2, 2, 257, 513, 128, false, DType::fp16},  // one row past a 128-row block
    {1, 1, 1000, 999, 256, true, DType::fp16},
    {1, 2, 129, 1000, 256, false, DType::bf16},
    {1, 1, 640, 640, 64, true, DType::bf16},    // whole blocks, several ring laps
    // More tiles than an H100 has SMs (132): a persistent CTA computes two or three in turn.
    {3, 50, 200, 333, 64, true, DType::fp16},
    {2, 70, 150, 260, 128, false, DType::bf16},
    {1, 140, 130, 100, 256, true, DType::fp16},
};

INSTANTIATE_TEST_SUITE_P(Gpu, FlashSm90Shapes, ::testing::ValuesIn(kShapes),
                         [](const auto& info) { return shape_name(info.param); });

// Lazy rescaling keeps a warp's stale running max until a row's scores jump by more than 2^8 over
// it: with inputs 16 times larger, scores spread over hundreds (log2 units) and the max keeps
// jumping after the first key block, so the rescaling path runs many times per row.
TEST(FlashSm90, StaysExactWhenTheRunningMaxJumps) {
  std::string why;
  auto dev = hopper_or_reason(why);
  if (!dev) GTEST_SKIP() << why;
  for (const Shape& s : {Shape{1, 2, 333, 1100, 64, false, DType::fp16}, Shape{1, 2, 333, 1100, 128, true, DType::bf16},
                         Shape{1, 2, 333, 1100, 256, false, DType::fp16}})
    expect_matches_reference(*dev, s, 3, 16.f);
}

// The causal persistent kernel walks a tile plan made on the host on the first launch of a shape
// and kept: launches in turn on one stream each compute every tile, with the same bits. (Both
// shapes have more than two waves of tiles on an H100, so the shipped dispatch plans them.)
TEST(FlashSm90, TakesEveryCausalTileOnEachLaunch) {
  std::string why;
  auto dev = hopper_or_reason(why);
  if (!dev) GTEST_SKIP() << why;
  for (const Shape& s : {Shape{3, 50, 200, 333, 64, true, DType::fp16}, Shape{1, 140, 130, 100, 256, true, DType::bf16}}) {
    const AttentionProblem p = problem_of(s);
    Inputs in(*dev, p, 7);
    DeviceBuffer out(*dev, p.q_elements() * 2);
    const AttentionArgs a = contiguous_args(p, in.dq.get(), in.dk.get(), in.dv.get(), out.get());
    const std::vector<float> first = run(*dev, a, out);
    for (float x : first) ASSERT_TRUE(std::isfinite(x)) << shape_name(s) << ": an output element was not written or is NaN/Inf";
    for (int launch = 1; launch < 4; ++launch) ASSERT_EQ(run(*dev, a, out), first) << shape_name(s) << ", launch " << launch;
    const test_support::ReferenceErrors e = test_support::errors_against_reference(p, in.q.data(), in.k.data(), in.v.data(), first);
    EXPECT_LE(e.kernel, check_bound(e.naive, p.dtype)) << shape_name(s) << ": naive error " << e.naive;
  }
}

// The shape of this device, as flash_sm90's choice reads it.
sm90::GpuShape gpu_shape(const Device& dev) {
  return {std::stoi(dev.info().facts.at("sm_count")), std::stoll(dev.info().facts.at("l2_bytes"))};
}

// The cheapest problem of a grid of sizes (those the kernel-choice test covers) that the shipped
// choice sends to kernel k on this device, if there is one.
std::optional<AttentionProblem> problem_reaching(const sm90::KernelConfig& k, const sm90::GpuShape& gpu, DType dtype) {
  std::optional<AttentionProblem> best;
  for (std::int64_t n : {100, 512, 1024, 2048, 3000, 4096, 6144, 8192, 16384})
    for (std::int64_t batch : {1, 2, 8, 32})
      for (std::int64_t heads = 1; heads <= 128; ++heads) {
        const AttentionProblem p = problem_of({batch, heads, n, n, k.head_dim, k.causal, dtype});
        if (!(sm90::choose_launch(p, gpu).kernel == k)) continue;
        if (!best || p.flops() < best->flops()) best = p;
      }
  return best;
}

// Every kernel a default build compiles (kernel_config.h: kShippedKernels), each reached through the
// shipped dispatch on the cheapest problem that chooses it, in both dtypes: output written, finite,
// within FlashAttention's rule on a sample of rows (every one of at most about 2e8 multiply-adds).
TEST(FlashSm90, EveryShippedKernelMatchesTheReference) {
  std::string why;
  auto dev = hopper_or_reason(why);
  if (!dev) GTEST_SKIP() << why;
  const sm90::GpuShape gpu = gpu_shape(*dev);
  int checked = 0;
  for (const sm90::KernelConfig& k : sm90::kShippedKernels)
    for (DType dtype : {DType::fp16, DType::bf16}) {
      const std::optional<AttentionProblem> found = problem_reaching(k, gpu, dtype);
      if (!found) continue;  // on a card of another size the rule may not reach it
      const AttentionProblem& p = *found;
      const std::string name = sm90::describe(k) + " " + std::string(dtype_name(dtype)) + " b" + std::to_string(p.batch) + "h" +
                               std::to_string(p.heads) + "n" + std::to_string(p.q_n);
      Inputs in(*dev, p, 13);
      DeviceBuffer out(*dev, p.q_elements() * 2);
      const std::vector<float> o = run(*dev, contiguous_args(p, in.dq.get(), in.dk.get(), in.dv.get(), out.get()), out);
      for (float x : o) ASSERT_TRUE(std::isfinite(x)) << name << ": an output element was not written or is NaN/Inf";
      const double macs = static_cast<double>(p.batch * p.heads * p.q_n) * p.k_n * p.head_dim;
      const std::int64_t step = std::max<std::int64_t>(1, static_cast<std::int64_t>(macs / 2e8)) | 1;  // odd: every lane in turn
      const test_support::ReferenceErrors e = test_support::errors_on_every_nth_row(p, in.q.data(), in.k.data(), in.v.data(), o, step);
      EXPECT_LE(e.kernel, check_bound(e.naive, p.dtype)) << name << ": naive error " << e.naive;
      ++checked;
    }
  if (gpu.sms == 132) EXPECT_EQ(checked, 2 * static_cast<int>(std::size(sm90::kShippedKernels)));  // an H100 SXM reaches all
}

// An allocation that fails on the way to a launch (here the causal persistent grid's plan, made on
// a shape's first launch) is OutOfMemory, not a sticky error: with memory freed again, the same
// launch runs and is right.
TEST(FlashSm90, AnAllocationFailureIsOutOfMemory) {
  std::string why;
  auto dev = hopper_or_reason(why);
  if (!dev) GTEST_SKIP() << why;
  // Two shapes of one kernel (d=64, two warpgroups, causal, persistent on a Hopper's 132 SMs): the
  // first loads the kernel, so that the second's only allocation is its plan.
  const AttentionProblem warm = problem_of({8, 36, 100, 100, 64, true, DType::fp16});
  const AttentionProblem p = problem_of({8, 35, 100, 100, 64, true, DType::fp16});
  const sm90::GpuShape gpu = gpu_shape(*dev);
  if (!(sm90::choose_launch(p, gpu).kernel == sm90::choose_launch(warm, gpu).kernel) || !sm90::choose_launch(p, gpu).kernel.persistent)
    GTEST_SKIP() << "on " << gpu.sms << " SMs these shapes do not share a persistent causal kernel";
  Inputs warm_in(*dev, warm, 4), in(*dev, p, 5);
  DeviceBuffer warm_out(*dev, warm.q_elements() * 2), out(*dev, p.q_elements() * 2);
  run(*dev, contiguous_args(warm, warm_in.dq.get(), warm_in.dk.get(), warm_in.dv.get(), warm_out.get()), warm_out);
  AttentionArgs a = contiguous_args(p, in.dq.get(), in.dk.get(), in.dv.get(), out.get());
  a.stream = dev->stream();
  {
    std::vector<DeviceBuffer> all_memory;  // every byte cudaMalloc still hands out, in halving pieces
    for (std::uint64_t bytes = std::uint64_t{1} << 34; bytes >= 256;) {
      try {
        all_memory.emplace_back(*dev, bytes);
      } catch (const OutOfMemory&) {
        bytes /= 2;
      }
    }
    try {
      flash_sm90()->run(a);
      FAIL() << "the launch needed no memory while none was free";
    } catch (const OutOfMemory& e) {
      EXPECT_NE(std::string(e.what()).find("cudaMalloc"), std::string::npos) << e.what();
    } catch (const DeviceError& e) {
      FAIL() << "an allocation failure became a DeviceError (sticky: " << e.sticky << "): " << e.what();
    }
  }
  const std::vector<float> o = run(*dev, a, out);
  for (float x : o) ASSERT_TRUE(std::isfinite(x)) << "an output element was not written or is NaN/Inf";
  const test_support::ReferenceErrors e = test_support::errors_against_reference(p, in.q.data(), in.k.data(), in.v.data(), o);
  EXPECT_LE(e.kernel, check_bound(e.naive, p.dtype)) << "naive error " << e.naive;
}


// Strides are honoured: [batch, n, heads, d] (PyTorch's BSHD) gives the same bits as dense BHND.
TEST(FlashSm90, FollowsStridesOfAnotherLayout) {
  std::string why;
  auto dev = hopper_or_reason(why);
  if (!dev) GTEST_SKIP() << why;
  const AttentionProblem p = problem_of({2, 3, 200, 150, 64, true, DType::fp16});
  Inputs in(*dev, p, 5);
  DeviceBuffer out(*dev, p.q_elements() * 2);
  const std::vector<float> dense = run(*dev, contiguous_args(p, in.dq.get(), in.dk.get(), in.dv.get(), out.get()), out);

  // The same values laid out as BSHD.
  const std::int64_t B = p.batch, H = p.heads, d = p.head_dim;
  auto to_bshd = [&](const std::vector<float>& x, std::int64_t n) {
    std::vector<float> y(x.size());
    for (std::int64_t b = 0; b < B; ++b)
      for (std::int64_t h = 0; h < H; ++h)
        for (std::int64_t i = 0; i < n; ++i)
          for (std::int64_t c = 0; c < d; ++c) y[((b * n + i) * H + h) * d + c] = x[((b * H + h) * n + i) * d + c];
    return y;
  };
  auto upload = [&](const std::vector<float>& host, DeviceBuffer& buf) {
    std::vector<std::uint16_t> bits(host.size());
    encode_to_dtype(host.data(), host.size(), p.dtype, bits.data());
    dev->copy_to_device(buf.get(), bits.data(), bits.size() * 2);
  };
  DeviceBuffer q(*dev, p.q_elements() * 2), k(*dev, p.kv_elements() * 2), v(*dev, p.kv_elements() * 2);
  upload(to_bshd(in.q, p.q_n), q);
  upload(to_bshd(in.k, p.k_n), k);
  upload(to_bshd(in.v, p.k_n), v);
  AttentionArgs a = contiguous_args(p, q.get(), k.get(), v.get(), out.get());
  a.q_row_stride = a.o_row_stride = H * d;
  a.q_head_stride = a.o_head_stride = d;
  a.q_batch_stride = a.o_batch_stride = p.q_n * H * d;
  a.k_row_stride = a.v_row_stride = H * d;
  a.k_head_stride = a.v_head_stride = d;
  a.k_batch_stride = a.v_batch_stride = p.k_n * H * d;
  const std::vector<float> strided = run(*dev, a, out);
  EXPECT_EQ(strided, to_bshd(dense, p.q_n));
}

// An output whose rows are not 16-byte aligned (a stride of d + 2 elements) is still written, by
// 4-byte stores, with the same bits as a dense one (which goes through a TMA store or 16-byte stores).
TEST(FlashSm90, WritesOutputsWithStridesTmaCannotAddress) {
  std::string why;
  auto dev = hopper_or_reason(why);
  if (!dev) GTEST_SKIP() << why;
  for (const Shape& s : {Shape{2, 3, 200, 150, 64, false, DType::fp16}, Shape{1, 2, 333, 257, 128, true, DType::bf16},
                         Shape{1, 2, 129, 200, 256, false, DType::fp16}}) {
    const AttentionProblem p = problem_of(s);
    Inputs in(*dev, p, 9);
    DeviceBuffer dense_out(*dev, p.q_elements() * 2);
    const std::vector<float> dense = run(*dev, contiguous_args(p, in.dq.get(), in.dk.get(), in.dv.get(), dense_out.get()), dense_out);
    const std::int64_t d = p.head_dim, padded = d + 2;
    DeviceBuffer padded_out(*dev, p.batch * p.heads * p.q_n * padded * 2);
    AttentionArgs a = contiguous_args(p, in.dq.get(), in.dk.get(), in.dv.get(), padded_out.get());
    a.o_row_stride = padded;
    a.o_head_stride = p.q_n * padded;
    a.o_batch_stride = p.heads * p.q_n * padded;
    const std::vector<float> out = run(*dev, a, padded_out);
    for (std::int64_t row = 0; row < p.batch * p.heads * p.q_n; ++row)
      for (std::int64_t c = 0; c < d; ++c)
        ASSERT_EQ(out[row * padded + c], dense[row * d + c]) << shape_name(s) << " row " << row << " column " << c;
  }
}

// Unaligned strides are refused with an error naming the tensor, not a crash.
TEST(FlashSm90, RejectsStridesTmaCannotRead) {
  std::string why;
  auto dev = hopper_or_reason(why);
  if (!dev) GTEST_SKIP() << why;
  const AttentionProblem p = problem_of({1, 1, 64, 64, 64, false, DType::fp16});
  DeviceBuffer q(*dev, 4096 * 2 * 2), k(*dev, 4096 * 2 * 2), v(*dev, 4096 * 2 * 2), o(*dev, 4096 * 2 * 2);
  AttentionArgs a = contiguous_args(p, q.get(), k.get(), v.get(), o.get());
  a.k_row_stride = 65;
  a.stream = dev->stream();
  try {
    flash_sm90()->run(a);
    FAIL() << "a 65-element row stride was accepted";
  } catch (const DeviceError& e) {
    EXPECT_NE(std::string(e.what()).find("k strides"), std::string::npos) << e.what();
    EXPECT_FALSE(e.sticky);
  }
}

// What it says it cannot do, without a GPU.
TEST(FlashSm90, SupportsOnlyHopperHalfPrecisionAndItsHeadDims) {
  const Kernel* k = flash_sm90();
  if (!k) GTEST_SKIP() << "flash_sm90 is not built (no nvcc at configure time)";
  DeviceCaps hopper{Backend::cuda, 9, 0, 227 * 1024, true}, ampere{Backend::cuda, 8, 0, 163 * 1024, true};
  const AttentionProblem ok = problem_of({1, 1, 100, 100, 128, false, DType::bf16});
  EXPECT_TRUE(k->supports(ok, hopper).ok);
  EXPECT_TRUE(k->supports(ok, {}).ok);  // planning without a device
  EXPECT_FALSE(k->supports(ok, ampere).ok);
  for (std::int64_t d : {32, 96, 512})
    EXPECT_FALSE(k->supports(problem_of({1, 1, 100, 100, d, false, DType::fp16}), hopper).ok) << d;
  for (DType t : {DType::fp32, DType::tf32})
    EXPECT_FALSE(k->supports(problem_of({1, 1, 100, 100, 64, false, t}), hopper).ok) << dtype_name(t);
}

}  // namespace
}  // namespace attnsweep
