#pragma once
// What flash_sm90's GPU tests share: shapes, a Hopper device or the reason to skip, seeded inputs
// with their host copies, and a run into a NaN-poisoned output.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "attnsweep/engine/inputs.h"
#include "attnsweep/kernels/device.h"
#include "attnsweep/kernels/kernel.h"

namespace attnsweep::test_support {

struct Shape {
  std::int64_t batch, heads, q_n, k_n, head_dim;
  bool causal;
  DType dtype;
};

inline std::string shape_name(const Shape& s) {
  return std::string(dtype_name(s.dtype)) + "_b" + std::to_string(s.batch) + "h" + std::to_string(s.heads) + "q" +
         std::to_string(s.q_n) + "k" + std::to_string(s.k_n) + "d" + std::to_string(s.head_dim) + (s.causal ? "causal" : "full");
}

inline AttentionProblem problem_of(const Shape& s) {
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

inline const Kernel* flash_sm90() { return find_kernel("flash_sm90"); }

// A CUDA device that can run flash_sm90, or the reason to skip.
inline std::unique_ptr<Device> hopper_or_reason(std::string& why) {
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
inline std::vector<float> run(Device& dev, const AttentionArgs& a, DeviceBuffer& out,
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

}  // namespace attnsweep::test_support
