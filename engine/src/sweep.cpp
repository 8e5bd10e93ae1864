#include "attnsweep/engine/sweep.h"

#include <algorithm>
#include <filesystem>
#include <stdexcept>

#include "attnsweep/engine/environment.h"
#include "attnsweep/engine/files.h"
#include "attnsweep/engine/result_json.h"
#include "attnsweep/engine/store.h"

namespace attnsweep {

namespace {

nlohmann::json make_header(const SweepSpec& spec, const Executor& executor, const std::optional<Shard>& shard,
                           const ClockState& clocks) {
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
  if (shard) h["shard"] = shard->text();
  const nlohmann::json ranks = executor.ranks();
  if (!ranks.empty()) {
    h["ranks"] = ranks;
    std::vector<nlohmann::json> environments;
    for (const nlohmann::json& r : ranks) environments.push_back(r.value("environment", nlohmann::json()));
    if (const auto names = device_names_of(environments); names.size() > 1) h["mixed_devices"] = names;
  }
  return h;
}

std::string joined(const std::vector<std::string>& words) {
  std::string out;
  for (std::size_t i = 0; i < words.size(); ++i)
    out += (i == 0 ? "" : i + 1 == words.size() ? " and " : ", ") + words[i];
  return out;
}

std::string shard_text(const std::optional<Shard>& shard) {
  return shard ? "share " + shard->text() : "the whole plan";
}

// The share a result file's header says it holds, as shard_text() writes it.
std::string shard_text(const nlohmann::json& header) {
  if (!header.contains("shard")) return "the whole plan";
  const nlohmann::json& s = header["shard"];
  return "share " + (s.is_string() ? s.get<std::string>() : s.dump());
}

}  // namespace

std::string why_nothing_runs(const Plan& plan, Backend backend) {
  if (plan.cells.empty()) return "the sweep has no cells";
  std::vector<std::string> elsewhere;  // another backend's kernels
  std::string elsewhere_backend;
  std::vector<std::pair<std::string, std::string>> cannot;  // a kernel and its first reason
  auto listed = [&](const std::string& kernel) {
    return std::find(elsewhere.begin(), elsewhere.end(), kernel) != elsewhere.end() ||
           std::any_of(cannot.begin(), cannot.end(), [&](const auto& k) { return k.first == kernel; });
  };
  for (const Cell& c : plan.cells) {
    if (c.supported) return "";
    if (listed(c.kernel)) continue;
    // The plan's reason for another backend's kernel: "runs on cuda; this run uses cpu".
    if (c.unsupported_reason.rfind("runs on ", 0) == 0) {
      elsewhere.push_back(c.kernel);
      elsewhere_backend = c.unsupported_reason.substr(8, c.unsupported_reason.find(';') - 8);
    } else {
      cannot.emplace_back(c.kernel, c.unsupported_reason);
    }
  }
  const std::string here(backend_name(backend));
  std::string why = "nothing in sweep '" + plan.spec.name + "' can run on " + here + ":";
  if (!elsewhere.empty())
    why.append(" ")
        .append(joined(elsewhere))
        .append(elsewhere.size() == 1 ? " runs" : " run")
        .append(" on ")
        .append(elsewhere_backend)
        .append(";");
  for (const auto& [kernel, reason] : cannot) why.append(" ").append(kernel).append(": ").append(reason).append(";");
  why.back() = '.';
  std::vector<std::string> would_run;
  for (const Kernel* k : all_kernels())
    if (k->info().backend == backend) would_run.push_back(k->info().name);
  if (!would_run.empty()) why += " Kernels that run on " + here + ": " + joined(would_run) + ".";
  if (elsewhere_backend == "cuda") why += " CUDA kernels run with the cuda backend, on a machine with a CUDA device.";
  return why;
}

SweepOutcome run_sweep(const SweepSpec& spec, Executor& executor, const SweepFile& file, const SweepObserver& observer,
                       const std::atomic<bool>* cancel, const ClockState& clocks) {
  SweepOutcome outcome;
  const Plan whole = make_plan(spec, executor.caps());
  const Plan plan = file.shard ? shard_of(whole, *file.shard) : whole;
  outcome.planned = plan.cells.size();
  if (const std::string why = why_nothing_runs(whole, executor.caps().backend); !why.empty()) throw NothingToRun(why);

  RunOptions run_options;
  run_options.cancel = cancel;
  const bool exists = std::filesystem::exists(file.path);
  const bool resuming = file.resume && exists && !holds_no_header(file.path);
  if (!file.resume && !file.replace)
    check_output_path(file.path, false, "continue it with resume, or choose to replace it");
  if (resuming) {
    const ResultFile existing = read_result_file(file.path);
    if (!existing.header.contains("spec") || nlohmann::json::parse(spec_to_json(spec)) != existing.header["spec"])
      throw std::runtime_error(file.path +
                               ": holds results of a different spec; resume it with that spec, "
                               "or write to a new file with --out");
    if (const std::string held = shard_text(existing.header); held != shard_text(file.shard))
      throw std::runtime_error(file.path + ": holds " + held + " of this spec, not " + shard_text(file.shard) +
                               "; resume it with the same --shard");
    for (const CellResult& r : existing.results) run_options.done_ids.insert(r.cell.id());
    for (const Cell& c : plan.cells) outcome.already_done += run_options.done_ids.count(c.id());
    for (const std::string& w : existing.warnings)
      if (observer.log) observer.log("warning", w);
  }
  if (observer.planned) observer.planned(outcome.planned, outcome.already_done);
  ResultWriter writer = resuming ? ResultWriter::resume(file.path)
                                 : ResultWriter::create(file.path, make_header(spec, executor, file.shard, clocks));

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
