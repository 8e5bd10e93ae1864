#include "attnsweep/engine/inputs.h"

#include <atomic>
#include <cmath>
#include <cstring>
#include <vector>

#include "parallel.h"

namespace attnsweep {

namespace {

constexpr std::uint64_t kGolden = 0x9e3779b97f4a7c15ull;

std::uint64_t splitmix64(std::uint64_t x) {
  x += kGolden;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

// Elements 2i and 2i+1 are the Box-Muller pair made from one 64-bit hash of (key, i).
void normal_pair(std::uint64_t key, std::uint64_t pair, double out[2]) {
  const std::uint64_t h = splitmix64(key + pair * kGolden);
  const double u1 = (static_cast<double>(h >> 40) + 1) * 0x1p-24;  // (0, 1]: log stays finite
  const double u2 = static_cast<double>(h & 0xffffff) * 0x1p-24;  // [0, 1)
  const double r = std::sqrt(-2 * std::log(u1));
  constexpr double kTwoPi = 6.283185307179586;
  out[0] = r * std::cos(kTwoPi * u2);
  out[1] = r * std::sin(kTwoPi * u2);
}

constexpr std::uint64_t kChunkElements = 1ull << 22;  // 16 MiB of floats staged per copy

}  // namespace

std::uint64_t cell_seed(std::uint64_t spec_seed, std::string_view cell_id) {
  std::uint64_t h = 0xcbf29ce484222325ull;  // FNV-1a of the id, then mixed with the seed
  for (unsigned char c : cell_id) h = (h ^ c) * 0x100000001b3ull;
  return splitmix64(spec_seed ^ splitmix64(h));
}

void generate_input(std::uint64_t seed, InputTensor tensor, DType dtype, std::uint64_t first, std::uint64_t count,
                    float* out) {
  const std::uint64_t key = splitmix64(seed ^ (static_cast<std::uint64_t>(tensor) * kGolden));
  double pair[2];
  std::uint64_t i = first;
  const std::uint64_t end = first + count;
  while (i < end) {
    normal_pair(key, i / 2, pair);
    for (std::uint64_t e = i % 2; e < 2 && i < end; ++e, ++i) out[i - first] = round_to_dtype(static_cast<float>(pair[e]), dtype);
  }
}

void encode_to_dtype(const float* src, std::uint64_t count, DType dtype, void* dst) {
  switch (dtype) {
    case DType::fp16:
    case DType::bf16: {
      auto* d = static_cast<std::uint16_t*>(dst);
      for (std::uint64_t i = 0; i < count; ++i)
        d[i] = dtype == DType::fp16 ? float_to_half_bits(src[i]) : float_to_bf16_bits(src[i]);
      return;
    }
    case DType::fp32:
    case DType::tf32: std::memcpy(dst, src, count * sizeof(float)); return;
  }
}

void decode_from_dtype(const void* src, std::uint64_t count, DType dtype, float* dst) {
  switch (dtype) {
    case DType::fp16:
    case DType::bf16: {
      const auto* s = static_cast<const std::uint16_t*>(src);
      for (std::uint64_t i = 0; i < count; ++i)
        dst[i] = dtype == DType::fp16 ? half_bits_to_float(s[i]) : bf16_bits_to_float(s[i]);
      return;
    }
    case DType::fp32:
    case DType::tf32: std::memcpy(dst, src, count * sizeof(float)); return;
  }
}

std::uint64_t digest_elements(const void* stored, std::uint64_t first, std::uint64_t count, DType dtype) {
  std::uint64_t sum = 0;
  for (std::uint64_t i = 0; i < count; ++i) {
    std::uint32_t bits = 0;
    if (dtype_bytes(dtype) == 2) bits = static_cast<const std::uint16_t*>(stored)[i];
    else std::memcpy(&bits, static_cast<const unsigned char*>(stored) + 4 * i, 4);
    sum += splitmix64(bits ^ ((first + i) * kGolden));  // wraps: a sum modulo 2^64, in any order
  }
  return sum;
}

InputsDigest fill_inputs(Device& device, const AttentionProblem& p, std::uint64_t seed, void* q, void* k, void* v) {
  const std::uint64_t elem_bytes = dtype_bytes(p.dtype);
  std::vector<float> values;
  std::vector<unsigned char> encoded;
  InputsDigest digest;
  const struct {
    InputTensor tensor;
    void* dst;
    std::uint64_t count;
    std::uint64_t* digest;  // null: Q is not read back
  } targets[] = {{InputTensor::q, q, p.q_elements(), nullptr}, {InputTensor::k, k, p.kv_elements(), &digest.k},
                 {InputTensor::v, v, p.kv_elements(), &digest.v}};
  for (const auto& t : targets) {
    std::atomic<std::uint64_t> sum{0};
    for (std::uint64_t first = 0; first < t.count; first += kChunkElements) {
      const std::uint64_t n = std::min(kChunkElements, t.count - first);
      values.resize(n);
      encoded.resize(n * elem_bytes);
      parallel_ranges(n, 1 << 16, [&](std::uint64_t b, std::uint64_t e) {
        generate_input(seed, t.tensor, p.dtype, first + b, e - b, values.data() + b);
        encode_to_dtype(values.data() + b, e - b, p.dtype, encoded.data() + b * elem_bytes);
        if (t.digest) sum += digest_elements(encoded.data() + b * elem_bytes, first + b, e - b, p.dtype);
      });
      device.copy_to_device(static_cast<unsigned char*>(t.dst) + first * elem_bytes, encoded.data(), n * elem_bytes);
    }
    if (t.digest) *t.digest = sum;
  }
  return digest;
}

}  // namespace attnsweep
