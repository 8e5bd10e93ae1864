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

// How a sample is timed. `cold`: one launch after the last-level cache (the GPU's L2) is flushed.
// `batch`: back-to-back launches on a warm cache, the interval divided by their number.
// `unstated`: an imported time whose source does not say (never in a spec).
enum class TimingMode { cold, batch, unstated };
std::string_view timing_mode_name(TimingMode m);
std::optional<TimingMode> parse_timing_mode(std::string_view s);

// The state a cell is sampled in. `burst`: straight after its warm-up, as the cell before it left
// the card (checks between cells let it idle). `sustained`: after keeping the card busy with the
// cell's own launches until clocks and power settle, or for sustain_s.
enum class SteadyState { burst, sustained };
std::string_view steady_state_name(SteadyState s);
std::optional<SteadyState> parse_steady_state(std::string_view s);

struct TimingOptions {
  double warmup_ms = 25;
  int min_samples = 10;
  int max_samples = 200;        // raised for cold cells of tiny launches (measure.h)
  double target_rel_ci = 0.02;  // stop when the median's 95% CI half-width / median is under this
  double max_cell_s = 10;       // time cap for one mode's sampling (warm-up, settling and checks excluded)
  std::vector<TimingMode> modes = {TimingMode::cold, TimingMode::batch};  // cold and batch only
  SteadyState steady = SteadyState::burst;
  double sustain_s = 5;         // sustained: the longest the card is kept busy before sampling
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
