// flash_sm90 against the double reference on every row of odd shapes, on a Hopper GPU.
// Skips when the kernel is not built (no nvcc), there is no GPU, or the GPU is not sm_90.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "attnsweep/engine/correctness.h"
#include "attnsweep/engine/inputs.h"
#include "attnsweep/kernels/device.h"
#include "attnsweep/kernels/kernel.h"
#include "attnsweep/kernels/reference.h"
#include "flash_sm90_config.h"
#include "support/reference_errors.h"

namespace attnsweep {
namespace {

struct Shape {
  std::int64_t batch, heads, q_n, k_n, head_dim;
  bool causal;
  DType dtype;
};

std::string shape_name(const Shape& s) {
  return std::string(dtype_name(s.dtype)) + "_b" + std::to_string(s.batch) + "h" + std::to_string(s.heads) + "q" +
         std::to_string(s.q_n) + "k" + std::to_string(s.k_n) + "d" + std::to_string(s.head_dim) + (s.causal ? "causal" : "full");
}

AttentionProblem problem_of(const Shape& s) {
  AttentionProblem p;
  p.batch = s.batch;
  p.heads = s.heads;
  p.q_n = s.q_n;
  p.k_n = s.k_n;
  p.head_dim = s.head_dim;
  p.causal = s.causal;
  p.dtype = s.dtype;
  return p;
}

const Kernel* flash_sm90() { return find_kernel("flash_sm90"); }

// A CUDA device that can run flash_sm90, or the reason to skip.
std::unique_ptr<Device> hopper_or_reason(std::string& why) {
  if (!flash_sm90()) { why = "flash_sm90 is not built (no nvcc at configure time)"; return nullptr; }
  if (cuda_device_count() == 0) { why = "no CUDA device"; return nullptr; }
  auto device = make_cuda_device(0);
  const DeviceCaps caps = device->caps();
  if (caps.cc_major != 9 || caps.cc_minor != 0) { why = "GPU is not compute capability 9.0"; return nullptr; }
  return device;
}

// Host copies of Q, K, V (floats exactly as the device holds them) and the device copies; the
// generated values times `amplitude`.
struct Inputs {
  std::vector<float> q, k, v;
  DeviceBuffer dq, dk, dv;
  Inputs(Device& dev, const AttentionProblem& p, std::uint64_t seed, float amplitude = 1.f)
      : q(p.q_elements()), k(p.kv_elements()), v(p.kv_elements()),
        dq(dev, p.q_elements() * 2), dk(dev, p.kv_elements() * 2), dv(dev, p.kv_elements() * 2) {
    upload(dev, p, seed, InputTensor::q, amplitude, q, dq);
    upload(dev, p, seed, InputTensor::k, amplitude, k, dk);
    upload(dev, p, seed, InputTensor::v, amplitude, v, dv);
  }
  static void upload(Device& dev, const AttentionProblem& p, std::uint64_t seed, InputTensor t, float amplitude,
                     std::vector<float>& host, DeviceBuffer& buf) {
    generate_input(seed, t, p.dtype, 0, host.size(), host.data());
    for (float& x : host) x *= amplitude;
    std::vector<std::uint16_t> bits(host.size());
    encode_to_dtype(host.data(), host.size(), p.dtype, bits.data());
    decode_from_dtype(bits.data(), bits.size(), p.dtype, host.data());  // what the device sees
    dev.copy_to_device(buf.get(), bits.data(), bits.size() * 2);
  }
};

// Runs the kernel (`launch`, default: the shipped dispatch) with `a` (pointers to the device
// buffers) into a NaN-poisoned output.
std::vector<float> run(Device& dev, const AttentionArgs& a, DeviceBuffer& out,
                       const std::function<void(const AttentionArgs&)>& launch = {}) {
  dev.fill(out.get(), 0xff, out.bytes());  // 0xffff is NaN in fp16 and bf16
  AttentionArgs args = a;
  args.stream = dev.stream();
  if (launch) launch(args);
  else flash_sm90()->run(args);
  dev.synchronize();
  std::vector<std::uint16_t> bits(out.bytes() / 2);
  dev.copy_to_host(bits.data(), out.get(), out.bytes());
  std::vector<float> o(bits.size());
  decode_from_dtype(bits.data(), bits.size(), a.problem.dtype, o.data());
  return o;
}

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

#ifdef ATTNSWEEP_HAVE_CUDA  // the variants' launchers are built with the kernel
// Every tile choice, grid and block schedule the library compiles (the harness's `check` runs them
// too), not only those the shipped dispatch picks for the shapes above: 2 or 3 consumer warpgroups,
// wide key blocks, one CTA per tile or persistent, one block at a time or overlapped, one Q slot or
// two, warpgroups taking turns or not (those that compute fewer key blocks, or none, passing their
// turns on). 140 heads of 130 rows (more tiles than an H100's 132 SMs: persistent CTAs take two or,
// with 128-row tiles, three, reusing a Q slot; a last row block with warpgroups past q_n) and 300
// keys (several key blocks, a masked tail).
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
                const cuda::Sm90Variant v{consumers, wide, persistent, 0, overlap, q_slots, -1, turns};
                const std::string name = shape_name(s) + " wg=" + std::to_string(consumers) + " wk=" + std::to_string(wide) +
                                         " pe=" + std::to_string(persistent) + " ov=" + std::to_string(overlap) +
                                         " qs=" + std::to_string(q_slots) + " tt=" + std::to_string(turns);
                int used_q_slots = 0;
                const std::vector<float> o = run(*dev, a, out, [&](const AttentionArgs& args) {
                  const cuda::Sm90Variant used = cuda::launch_flash_sm90_variant(args, v);
                  EXPECT_TRUE(used.consumers == consumers && used.wide_keys == wide && used.persistent == persistent &&
                              used.overlap == overlap && used.q_slots <= q_slots && used.turns == turns)
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
#endif

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
