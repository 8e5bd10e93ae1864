#pragma once
// Is a kernel's output right? Compared, on chosen rows, against a double-precision reference
// computed on the host from the exact inputs the device saw (Q regenerated from the seed, K and V
// read back and matched against what fill_inputs stored), by FlashAttention's rule on the maximum
// error: a kernel's max |out - ref| may be at most twice that of the same computation done naively
// in the kernel's precision, plus a small floor per dtype. NaN/Inf and unwritten elements (still
// holding the 0xFF poison) are counted over the whole output.
#include <cstdint>
#include <string>
#include <vector>

#include "attnsweep/engine/inputs.h"
#include "attnsweep/engine/result.h"
#include "attnsweep/engine/spec.h"
#include "attnsweep/kernels/device.h"

namespace attnsweep {

struct OutputRow {
  std::int64_t batch = 0, head = 0, row = 0;
  bool operator==(const OutputRow&) const = default;
};

// The rows a check compares, in (batch, head, row) order: every row when `all_rows` is set or the
// problem is small; otherwise rows of every (batch, head) slice, each slice's first and last rows
// and seeded random ones between, at least kMinRowsPerSlice per slice.
inline constexpr std::int64_t kMinRowsPerSlice = 4;
std::vector<OutputRow> choose_check_rows(const AttentionProblem& p, std::uint64_t seed, bool all_rows = false);

// The additive floor of the rule for a dtype, in absolute units of the output.
double check_floor(DType dtype);

// The bound a kernel's max error is held to: 2 * the naive computation's max error + the floor.
double check_bound(double naive_max_abs_err, DType dtype);

// K and V on the device, and the digest fill_inputs returned for them.
struct DeviceInputs {
  const void* k = nullptr;
  const void* v = nullptr;
  InputsDigest digest;
};

// Checks output `o` (dense, on `device`) of problem `p` whose inputs fill_inputs(seed) wrote.
// The bound is opts.tolerance when set, else check_bound(naive max error, dtype). K or V no longer
// holding what was written (a kernel that wrote into its inputs) fails the check.
CheckResult check_output(Device& device, const AttentionProblem& p, std::uint64_t seed, const DeviceInputs& inputs,
                         const void* o, const CheckOptions& opts);

// Why a failed check failed, in one line for the cell's message ("max_abs_err 3.1e-02 > ...").
std::string describe_failure(const CheckResult& c);

}  // namespace attnsweep
