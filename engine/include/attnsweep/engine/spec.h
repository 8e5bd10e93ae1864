#pragma once
// The sweep spec: what to measure. Parsed from versioned JSON (or built by the GUI form) and
// validated completely before anything runs.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "attnsweep/kernels/dtype.h"

namespace attnsweep {

inline constexpr int kSpecVersion = 1;

struct TierShape {
  std::int64_t q_n = 0;
  std::int64_t k_n = 0;  // equals q_n when the spec leaves it out
  std::int64_t head_dim = 0;
  std::int64_t heads = 0;
  std::int64_t batch = 0;
  bool operator==(const TierShape&) const = default;
};

// Limits on a tier's shape (docs/spec.md explains each one).
inline constexpr std::int64_t kMaxHeadDim = 1024;
inline constexpr std::int64_t kMaxSeqLen = 2147483647;  // 2^31 - 1: kernels index rows with 32-bit ints
inline constexpr std::uint64_t kMaxTensorBytes = std::uint64_t{4} << 40;  // 4 TiB: beyond any device

// Every limit a tier's shape breaks at `element_bytes` per element, one rule each; empty when it
// breaks none. Every size is at least 1, head_dim at most kMaxHeadDim, q_n and k_n at most
// kMaxSeqLen; the element and byte counts of Q, K, V, O and the scores fit 64 bits, and Q, K, V
// and O take at most kMaxTensorBytes each. Specs and result records are held to the same rules.
std::vector<std::string> tier_shape_problems(const TierShape& s, std::int64_t element_bytes);

enum class CacheMode { cold, warm };

// Bounds on the durations a spec (or a run_cell request) may ask for, so that no value that
// validates can hang a run or overflow a watchdog's clock (docs/spec.md).
inline constexpr double kMaxWarmupMs = 60'000;    // one minute of warm-up
inline constexpr double kMaxCellSeconds = 3'600;  // one hour of sampling
inline constexpr int kMaxSamples = 1'000'000;

// The rule a value breaks ("must be at most 60000 (one minute; got 1e+300)"), or "" when it is
// within bounds.
std::string warmup_ms_problem(double ms);
std::string max_cell_s_problem(double seconds);

struct TimingOptions {
  double warmup_ms = 25;
  int min_samples = 10;
  int max_samples = 200;
  double target_rel_ci = 0.02;  // stop when the median's 95% CI half-width / median is under this
  double max_cell_s = 10;       // time cap for one cell's sampling (warm-up and checks excluded)
  CacheMode cache = CacheMode::cold;
};

struct CheckOptions {
  bool enabled = true;
  std::optional<double> tolerance;  // overrides the per-dtype rule (relative error)
};

struct SweepSpec {
  int version = kSpecVersion;
  std::string name;
  std::vector<std::string> kernels;
  std::vector<DType> dtypes;
  std::vector<bool> causal;
  std::vector<TierShape> tiers;  // explicit tiers followed by the grid's crossing, duplicates removed
  TimingOptions timing;
  CheckOptions check;
  std::uint64_t seed = 0;
};

// One broken rule: where (a JSON pointer such as "/tiers/3/head_dim") and what rule.
struct SpecError {
  std::string path;
  std::string rule;
  std::string to_string() const { return path + ": " + rule; }
};

struct SpecParseResult {
  std::optional<SweepSpec> spec;  // set only when errors is empty
  std::vector<SpecError> errors;  // every problem found, not just the first
};

// Parses and validates JSON text. Never throws; never crashes on any input.
SpecParseResult parse_spec(std::string_view json_text);
std::string spec_to_json(const SweepSpec& spec, int indent = 2);

}  // namespace attnsweep
