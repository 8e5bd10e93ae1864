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

// Bounds on the durations a spec (or a run_cell request) may ask for, so that no value that
// validates can hang a run or overflow a watchdog's clock (docs/spec.md).
inline constexpr double kMaxWarmupMs = 60'000;    // one minute of warm-up
inline constexpr double kMaxCellSeconds = 3'600;  // one hour of sampling
inline constexpr int kMaxSamples = 1'000'000;
inline constexpr double kMaxSustainSeconds = 600;  // ten minutes of keeping the card busy

// The rule a value breaks ("must be at most 60000 (one minute; got 1e+300)"), or "" when it is
// within bounds.
std::string warmup_ms_problem(double ms);
std::string max_cell_s_problem(double seconds);
std::string sustain_s_problem(double seconds);

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
