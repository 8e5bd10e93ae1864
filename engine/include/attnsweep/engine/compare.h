#pragma once
// Two runs of a sweep, cell by cell: did NEW get faster or slower than BASE, and is that real?
// Cells are matched by id (kernel|tier|dtype|causal). Each gets a verdict, the ratio NEW/BASE of
// its medians with a 95% interval, and the evidence behind it; the two environments are compared
// too, a different card first. docs/compare.md says how and why.
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "attnsweep/engine/store.h"

namespace attnsweep {

enum class Verdict {
  same,            // no change as large as the threshold (or a real one smaller than it)
  faster,          // at least the threshold faster, and the evidence says it is real
  slower,          // at least the threshold slower, and the evidence says it is real
  noisy,           // a change as large as the threshold, but the data cannot tell it from noise
  status_changed,  // the status changed (ok -> wrong, oom -> ok, ...)
  missing,         // in BASE, not in NEW
  new_cell,        // in NEW, not in BASE
};
std::string_view verdict_name(Verdict v);  // "same", ..., "status-changed", "missing", "new"
std::optional<Verdict> parse_verdict(std::string_view name);
inline constexpr Verdict kAllVerdicts[] = {Verdict::same,           Verdict::faster,  Verdict::slower, Verdict::noisy,
                                           Verdict::status_changed, Verdict::missing, Verdict::new_cell};

// What a cell's times were compared on.
enum class Evidence {
  samples,    // both runs' samples: Mann-Whitney U test, rank interval of the ratio
  intervals,  // a run without samples (written before they were kept): the medians' 95% intervals
  summaries,  // an imported summary (no samples, no interval): the ratio alone, never faster/slower
  none,       // not compared on times (a status, a missing cell, no timing mode in common)
};
std::string_view evidence_name(Evidence e);

struct CompareOptions {
  double threshold = 0.02;         // the smallest change of the median called faster or slower
  double alpha = 0.05;             // the test's level; the ratio's interval is at 1 - alpha
  std::optional<TimingMode> mode;  // default: default_view_mode of BASE (cold where it has cold times)
};

// One side of a cell as compared.
struct ComparedSide {
  CellStatus status = CellStatus::ok;
  std::optional<TimingMode> mode;  // the timing compared, for an ok cell
  double ms = 0;                   // its median (an imported summary's mean)
  int samples = 0;                 // samples taken (0 for an imported summary)
  bool noisy = false;              // the run marked it noisy
  int flagged_samples = 0;         // samples taken while the card was slowed
};

struct CellComparison {
  Cell cell;  // NEW's, or BASE's for a missing cell
  Verdict verdict = Verdict::same;
  Evidence evidence = Evidence::none;
  std::optional<ComparedSide> base, now;  // absent for a new or a missing cell
  double ratio = 0;                       // NEW/BASE of the medians; NaN when not compared on times
  double ratio_low = 0, ratio_high = 0;   // its interval (NaN where there is none)
  double p_value = 0;                     // the U test's; NaN unless compared on samples
  std::string note;                       // why, where the verdict needs a reason
};

// One way the two environments differ.
struct EnvironmentDifference {
  std::string what;  // "GPU", "driver", "cudnn", "build", "clocks", "torch.torch", ...
  std::string base, now;
};

struct Comparison {
  CompareOptions options;
  TimingMode mode = TimingMode::cold;               // the mode cells were compared in
  bool different_card = false;                      // the runs are on different GPUs (or devices)
  std::vector<EnvironmentDifference> environment;   // a different card first
  std::vector<std::string> notes;                   // e.g. which run has no samples, and what that means
  std::vector<CellComparison> cells;                // BASE's order, then NEW's cells BASE lacks
  std::map<Verdict, int> counts() const;            // every verdict, 0 where none
};

Comparison compare(const ResultFile& base, const ResultFile& now, const CompareOptions& options = {});

// Where two headers' environments differ: the card (name, then UUID), the driver and library
// versions, every other device fact but the momentary clocks, clocks locked or free, the build,
// the host, how cells were run and the spec's timing options.
std::vector<EnvironmentDifference> environment_differences(const nlohmann::json& base, const nlohmann::json& now);

// --fail-on: a list of verdicts (slower, faster, noisy, status-changed, missing, new) and statuses
// (wrong, crashed, timeout, error, oom, unsupported, skipped): a cell fails on a verdict it got, or
// on a status it has in NEW (`wrong` fails a cell that is wrong in NEW, changed or not).
struct FailOn {
  std::vector<Verdict> verdicts;
  std::vector<CellStatus> statuses;
  bool empty() const { return verdicts.empty() && statuses.empty(); }
};
// "slower,wrong,crashed". Throws std::invalid_argument naming a word that is neither (or a verdict
// where `verdicts_allowed` is false: a single run has statuses only).
FailOn parse_fail_on(std::string_view list, bool verdicts_allowed);
bool fails(const FailOn& rule, const CellComparison& c);
bool fails(const FailOn& rule, const CellResult& r);

}  // namespace attnsweep
