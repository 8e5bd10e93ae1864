#pragma once
// Runs a plan: decides per cell whether to run, skip (already done / unsupported), measure it,
// and appends results to the store. The in-process executor measures on this process's device;
// the worker executor (worker_executor.h) drives `attnsweep-cli worker` children over pipes.
#include <atomic>
#include <functional>
#include <memory>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "attnsweep/engine/measure.h"
#include "attnsweep/engine/plan.h"

namespace attnsweep {

// Callbacks are invoked on the executor's thread; adapters (CLI progress bar, GUI) marshal them.
struct SweepObserver {
  // Called once by run_sweep before the first cell: cells in the plan, and how many of them the
  // result file already holds (resume).
  std::function<void(std::size_t planned, std::size_t already_done)> planned;
  std::function<void(std::size_t index, const Cell&)> cell_started;
  std::function<void(std::size_t index, const CellResult&)> cell_finished;
  std::function<void(const std::string& level, const std::string& message)> log;
};

struct RunOptions {
  std::set<std::string> done_ids;             // cells already in the file (resume): not rerun
  const std::atomic<bool>* cancel = nullptr;  // stop after the current cell (or sample)
};

class Executor {
 public:
  virtual ~Executor() = default;
  virtual std::string describe() const = 0;  // "cpu (in-process)", "cuda:0 (worker)"
  virtual const Device* device() const = 0;  // for the environment header; may be null
  virtual DeviceCaps caps() const = 0;
  // The processes of a sweep run by several (MPI ranks), for the result file's header: one object
  // per rank, {"rank","node_rank","executor","environment"}; empty for a sweep in one process.
  virtual nlohmann::json ranks() const { return nlohmann::json::array(); }
  // Returns true when every cell finished, false when cancelled.
  virtual bool run(const Plan& plan, const RunOptions& opts, const SweepObserver& obs,
                   const std::function<void(const CellResult&)>& sink) = 0;
};

std::unique_ptr<Executor> make_in_process_executor(std::unique_ptr<Device> device);

}  // namespace attnsweep
