#pragma once
// Expands a spec into cells: kernels x tiers x dtypes x causal, each named from its values,
// with a device-byte estimate and `unsupported` marked before anything runs.
#include <cstdint>
#include <string>
#include <vector>

#include "attnsweep/engine/spec.h"
#include "attnsweep/kernels/kernel.h"

namespace attnsweep {

struct Tier {
  std::string name;  // from the values, e.g. "hd64-h12-b1-n2k" or "hd64-h12-b1-q1k-k4k"
  TierShape shape;
};
std::string tier_name(const TierShape& s);

struct Cell {
  std::string kernel;
  Tier tier;
  DType dtype = DType::fp32;
  bool causal = false;
  std::uint64_t bytes_estimate = 0;  // Q, K, V, O plus the kernel's workspace, on the device
  bool supported = true;
  std::string unsupported_reason;

  AttentionProblem problem() const;
  std::string id() const;  // "kernel|tier|dtype|causal": the key results are matched by on resume
};

struct Plan {
  SweepSpec spec;
  std::vector<Cell> cells;  // ordered tier-major so views fill in by tier
};

// Whether `kernel` can run `cell` on a device with `caps`: its backend, then its own answer.
Support cell_support(const Kernel& kernel, const Cell& cell, const DeviceCaps& caps);

// Kernels the spec names must exist (the spec parser checks names against find_kernel).
Plan make_plan(const SweepSpec& spec, const DeviceCaps& caps = {});

}  // namespace attnsweep
