#pragma once
// Seeded random inputs. Element i of tensor Q, K or V is a pure function of (seed, tensor, i):
// a standard normal value rounded to the dtype. So the device gets fresh, reproducible values,
// and the correctness check regenerates the query rows it needs on the host; K and V it reads
// back, and their digest tells whether the device still holds what was written. Layout is dense
// [batch, heads, n, head_dim].
#include <cstdint>
#include <string_view>

#include "attnsweep/kernels/device.h"

namespace attnsweep {

enum class InputTensor : std::uint64_t { q = 1, k = 2, v = 3 };

// The seed a cell's inputs use: the spec's seed mixed with the cell id, so each cell gets its own
// values and a rerun of the same cell gets the same ones.
std::uint64_t cell_seed(std::uint64_t spec_seed, std::string_view cell_id);

// Writes elements [first, first + count) of `tensor`, rounded to `dtype`, as floats.
void generate_input(std::uint64_t seed, InputTensor tensor, DType dtype, std::uint64_t first, std::uint64_t count,
                    float* out);

// Converts between floats and the dtype's storage (2 bytes for fp16/bf16, 4 otherwise).
void encode_to_dtype(const float* src, std::uint64_t count, DType dtype, void* dst);
void decode_from_dtype(const void* src, std::uint64_t count, DType dtype, float* dst);

// A digest of the elements a tensor holds (each element's stored bits and index, summed), the same
// however the elements are split up and in whatever order they are added.
struct InputsDigest {
  std::uint64_t k = 0, v = 0;
  bool operator==(const InputsDigest&) const = default;
};
std::uint64_t digest_elements(const void* stored, std::uint64_t first, std::uint64_t count, DType dtype);

// Fills the device's Q, K and V (dense, of problem `p`) in bounded host chunks, generated in
// parallel. Deterministic: the values do not depend on the number of threads. Returns the digest
// of what K and V hold, so a check can read them back rather than generate them again.
InputsDigest fill_inputs(Device& device, const AttentionProblem& p, std::uint64_t seed, void* q, void* k, void* v);

}  // namespace attnsweep
