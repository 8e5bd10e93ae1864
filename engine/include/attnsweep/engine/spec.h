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

enum class CacheMode { cold, warm };

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
  bool all_rows = false;            // `rows: "all"`: every output row, not a sample of every slice
  std::optional<double> tolerance;  // a bound on the max absolute error that replaces the per-dtype rule
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
