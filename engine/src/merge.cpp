#include "attnsweep/engine/merge.h"

#include <map>
#include <set>
#include <stdexcept>

#include "attnsweep/engine/environment.h"
#include "attnsweep/engine/files.h"
#include "attnsweep/engine/plan.h"
#include "attnsweep/engine/spec.h"
#include "attnsweep/engine/store.h"

namespace attnsweep {

using nlohmann::json;

namespace {

constexpr const char* kHowToReplace = "replace it with --force";

// Where a file's cells ran: its ranks' environments (an MPI sweep), else its own.
std::vector<json> environments_of(const json& header) {
  std::vector<json> out;
  if (header.contains("ranks") && header["ranks"].is_array())
    for (const json& r : header["ranks"])
      if (r.is_object()) out.push_back(r.value("environment", json()));
  if (out.empty()) out.push_back(header.value("environment", json()));
  return out;
}

json part_of(const std::string& path, const json& header) {
  json part = {{"file", path}};
  for (const char* key : {"shard", "executor", "started", "environment", "ranks"})
    if (header.contains(key)) part[key] = header[key];
  return part;
}

}  // namespace

MergeOutcome merge_result_files(const std::vector<std::string>& inputs, const std::string& out_path,
                                bool replace) {
  if (inputs.empty()) throw std::invalid_argument("merge: no result files given");
  check_output_path(out_path, replace, kHowToReplace);  // before the inputs are read
  MergeOutcome outcome;
  ResultFile merged;
  json parts = json::array();
  std::vector<json> environments;
  std::map<std::string, std::size_t> index_of_id;  // into merged.results
  std::map<std::string, std::string> file_of_id;

  for (const std::string& path : inputs) {
    ResultFile f = read_result_file(path);
    for (const std::string& w : f.warnings) outcome.warnings.push_back(path + ": " + w);
    if (!f.header.contains("spec"))
      throw std::invalid_argument(path +
                                  ": has no spec in its header (an imported table?); merge joins files "
                                  "written by `run` of one spec");
    if (parts.empty()) {
      merged.header = f.header;
    } else if (f.header["spec"] != merged.header["spec"]) {
      const json patch = json::diff(merged.header["spec"], f.header["spec"]);
      const std::string where = patch.empty() ? "" : " (first difference at spec" + patch[0].value("path", "") + ")";
      throw std::invalid_argument(path + ": holds results of a different spec than " + inputs.front() + where +
                                  "; merge joins the files of one spec");
    }
    parts.push_back(part_of(path, f.header));
    for (const json& env : environments_of(f.header)) environments.push_back(env);

    for (CellResult& r : f.results) {
      const std::string id = r.cell.id();
      if (const auto it = index_of_id.find(id); it != index_of_id.end()) {
        outcome.duplicates.push_back(id + ": in " + file_of_id[id] + " and " + path + " (" + path + "'s record kept)");
        merged.results[it->second] = std::move(r);
      } else {
        index_of_id.emplace(id, merged.results.size());
        merged.results.push_back(std::move(r));
      }
      file_of_id[id] = path;
    }
  }

  for (const char* key : {"shard", "ranks", "mixed_devices"}) merged.header.erase(key);
  merged.header["merged"] = parts;
  merged.header["merged_at"] = utc_now_iso8601();
  if (const auto names = device_names_of(environments); names.size() > 1) merged.header["mixed_devices"] = names;

  // Which planned cells no file holds, when this build knows every kernel the spec names.
  const SpecParseResult spec = parse_spec(merged.header["spec"].dump());
  if (spec.spec) {
    const Plan plan = make_plan(*spec.spec);
    outcome.planned = plan.cells.size();
    for (const Cell& c : plan.cells)
      if (!index_of_id.count(c.id())) outcome.missing.push_back(c.id());
  } else {
    outcome.warnings.push_back("the cells no file holds are not listed: the spec does not parse in this build (" +
                               spec.errors.front().to_string() + ")");
  }

  write_result_file(out_path, merged, replace);
  outcome.cells = merged.results.size();
  return outcome;
}

}  // namespace attnsweep
