#include "attnsweep/engine/executor.h"

#include <string_view>

namespace attnsweep {

namespace {

bool is_cancelled(const std::atomic<bool>* cancel) { return cancel && cancel->load(); }

// Measures on a device owned by this process. Trusted work only: a kernel that crashes or hangs
// takes the process with it (the worker executor isolates that).
class InProcessExecutor final : public Executor {
 public:
  explicit InProcessExecutor(std::unique_ptr<Device> device) : device_(std::move(device)) {}

  std::string describe() const override {
    return std::string(backend_name(device_->info().backend)) + ":" + std::to_string(device_->info().ordinal) +
           " (in-process)";
  }
  const Device* device() const override { return device_.get(); }
  DeviceCaps caps() const override { return device_->caps(); }

  bool run(const Plan& plan, const RunOptions& opts, const SweepObserver& obs,
           const std::function<void(const CellResult&)>& sink) override {
    std::string poisoned_by;  // set once a sticky device error makes this process useless
    for (std::size_t i = 0; i < plan.cells.size(); ++i) {
      const Cell& cell = plan.cells[i];
      if (opts.done_ids.count(cell.id())) continue;
      if (is_cancelled(opts.cancel)) return false;
      if (obs.cell_started) obs.cell_started(i, cell);

      CellResult result;
      if (!poisoned_by.empty()) {
        result.cell = cell;
        result.status = CellStatus::skipped;
        result.message = "not run: the device crashed on " + poisoned_by +
                         " and an in-process run cannot recover (the worker executor can)";
      } else if (const Kernel* kernel = find_kernel(cell.kernel)) {
        MeasureOptions mo{plan.spec.timing, plan.spec.check, plan.spec.seed, opts.cancel};
        result = measure_cell(*kernel, *device_, cell, mo);
      } else {
        result.cell = cell;
        result.status = CellStatus::error;
        result.message = "kernel '" + cell.kernel + "' is not built into this program";
      }
      result = admit_result(std::move(result), "this process's measurement");
      // A cell interrupted by cancel is not finished: leave it out of the file so resume reruns it.
      if (is_cancelled(opts.cancel) && result.status == CellStatus::skipped && result.message == "cancelled")
        return false;
      result.device_name = device_->info().name;
      if (result.status == CellStatus::crashed && poisoned_by.empty()) {
        poisoned_by = cell.id();
        if (obs.log) obs.log("error", "device crashed on " + cell.id() + ": " + result.message);
      }
      sink(result);
      if (obs.cell_finished) obs.cell_finished(i, result);
    }
    return true;
  }

 private:
  std::unique_ptr<Device> device_;
};

}  // namespace

std::unique_ptr<Executor> make_in_process_executor(std::unique_ptr<Device> device) {
  return std::make_unique<InProcessExecutor>(std::move(device));
}

}  // namespace attnsweep
