#pragma once
// Is a kernel's output right? Compared, on chosen rows, against a double-precision reference
// computed on the host from the exact inputs the device saw (regenerated from the seed), with
// FlashAttention's rule for the bound: a kernel's error may be at most twice the error of the
// same computation done naively in the same precision, plus a small floor. NaN/Inf and
// unwritten elements (still holding the 0xFF poison) are counted over the whole output.
#include <cstdint>
#include <string>
#include <vector>

#include "attnsweep/engine/result.h"
#include "attnsweep/engine/spec.h"
#include "attnsweep/kernels/device.h"

namespace attnsweep {

struct OutputRow {
  std::int64_t batch = 0, head = 0, row = 0;
  bool operator==(const OutputRow&) const = default;
};

// Every row of a small problem; otherwise the first, last and seeded random rows of up to four
// (batch, head) slices (first, last and two between), 64 to 256 rows in all, in order.
std::vector<OutputRow> choose_check_rows(const AttentionProblem& p, std::uint64_t seed);

// The additive floor of the FA rule for a dtype (relative error).
double check_floor(DType dtype);

// Checks output `o` (dense, on `device`) of problem `p` whose inputs fill_inputs(seed) wrote.
// The bound is opts.tolerance when set, else 2 * naive_rel_err + check_floor(dtype).
CheckResult check_output(Device& device, const AttentionProblem& p, std::uint64_t seed, const void* o,
                         const CheckOptions& opts);

// Why a failed check failed, in one line for the cell's message ("rel_err 3.1e-02 > tolerance ...").
std::string describe_failure(const CheckResult& c);

}  // namespace attnsweep
