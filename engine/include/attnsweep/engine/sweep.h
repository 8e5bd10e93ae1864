#pragma once
// One sweep from spec to result file: plan against the executor's device, open (or resume) the
// store, skip cells already recorded, run the rest, append each result as it finishes.
// The CLI and the GUI both call this; neither re-implements the steps.
#include <atomic>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>

#include "attnsweep/engine/executor.h"
#include "attnsweep/engine/schedule.h"
#include "attnsweep/engine/spec.h"

namespace attnsweep {

struct SweepFile {
  std::string path;
  bool resume = false;         // keep the cells already in `path`, run only the others
  bool replace = false;        // a fresh run may replace an existing `path` (never without being asked)
  std::optional<Shard> shard;  // the file holds this share of the plan only (schedule.h)
};

// What the result header records about the SM clock: locked (at what) or free, and why free.
struct ClockState {
  bool locked = false;
  unsigned sm_mhz = 0;
  std::string why_free = "not asked to lock them";
};

struct SweepOutcome {
  std::size_t planned = 0;          // cells in the plan (in the share, for a shard)
  std::size_t already_done = 0;     // found in the file on resume, not rerun
  std::size_t measured = 0;         // finished in this run
  std::map<std::string, std::size_t> by_status;  // this run's results, by status name
  double wall_s = 0;                // this run's cells' wall time
  WallSplit wall_split;             // where it went, summed over this run's cells
  bool cancelled = false;
};

// No cell of the plan can run on the executor: each is another backend's kernel, or a shape or
// type its kernel cannot do. The message names the kernels, why, and the kernels that would run.
struct NothingToRun : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The reason nothing of `plan` can run (NothingToRun's message), or empty when some cell can.
std::string why_nothing_runs(const Plan& plan, Backend backend);

// Throws NothingToRun before the result file is touched, and std::runtime_error for file problems:
// unreadable, another sweep's or share's file on resume, or an existing file a fresh run was not
// asked to replace. Resuming a file that does not exist, or one a crash left without a whole
// header, starts it anew.
SweepOutcome run_sweep(const SweepSpec& spec, Executor& executor, const SweepFile& file,
                       const SweepObserver& observer, const std::atomic<bool>* cancel = nullptr,
                       const ClockState& clocks = {});

}  // namespace attnsweep
