#include "attnsweep/engine/sweep.h"

#include <filesystem>
#include <stdexcept>

#include "attnsweep/engine/environment.h"
#include "attnsweep/engine/files.h"
#include "attnsweep/engine/result_json.h"
#include "attnsweep/engine/store.h"

namespace attnsweep {

namespace {

nlohmann::json make_header(const SweepSpec& spec, const Executor& executor, const ClockState& clocks) {
  nlohmann::json h;
  h["type"] = "header";
  h["schema"] = kResultSchema;
  h["tool"] = "attnsweep";
  h["spec"] = nlohmann::json::parse(spec_to_json(spec));
  h["environment"] = capture_environment(executor.device());
  h["executor"] = executor.describe();
  h["clocks"] = clocks.locked ? nlohmann::json{{"locked", true}, {"sm_mhz", clocks.sm_mhz}}
                              : nlohmann::json{{"locked", false}, {"why", clocks.why_free}};
  h["started"] = utc_now_iso8601();
  return h;
}

}  // namespace

SweepOutcome run_sweep(const SweepSpec& spec, Executor& executor, const SweepFile& file,
                       const SweepObserver& observer, const std::atomic<bool>* cancel, const ClockState& clocks) {
  SweepOutcome outcome;
  const Plan plan = make_plan(spec, executor.caps());
  outcome.planned = plan.cells.size();

  RunOptions run_options;
  run_options.cancel = cancel;
  const bool exists = std::filesystem::exists(file.path);
  const bool resuming = file.resume && exists && !holds_no_header(file.path);
  if (!file.resume && !file.replace)
    check_output_path(file.path, false, "continue it with resume, or choose to replace it");
  if (resuming) {
    const ResultFile existing = read_result_file(file.path);
    if (!existing.header.contains("spec") ||
        nlohmann::json::parse(spec_to_json(spec)) != existing.header["spec"])
      throw std::runtime_error(file.path + ": holds results of a different spec; resume it with that spec, "
                               "or write to a new file with --out");
    for (const CellResult& r : existing.results) run_options.done_ids.insert(r.cell.id());
    for (const Cell& c : plan.cells) outcome.already_done += run_options.done_ids.count(c.id());
    for (const std::string& w : existing.warnings)
      if (observer.log) observer.log("warning", w);
  }
  if (observer.planned) observer.planned(outcome.planned, outcome.already_done);
  ResultWriter writer = resuming ? ResultWriter::resume(file.path)
                                 : ResultWriter::create(file.path, make_header(spec, executor, clocks));

  const bool finished = executor.run(plan, run_options, observer, [&](const CellResult& r) {
    writer.append(r);
    ++outcome.measured;
    ++outcome.by_status[std::string(status_name(r.status))];
    outcome.wall_s += r.wall_s;
    if (r.wall_split) outcome.wall_split.add(*r.wall_split);
  });
  outcome.cancelled = !finished;
  return outcome;
}

}  // namespace attnsweep
