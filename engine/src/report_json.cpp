// The JSON report (the header, every cell record, the CSV report's rows under the same column
// names, a summary) and its reader, which reads the records.
#include <cmath>
#include <map>

#include "attnsweep/engine/report.h"
#include "attnsweep/engine/result_json.h"
#include "header_text.h"

namespace attnsweep {

using nlohmann::json;

std::string report_json(const ResultFile& f, int indent) {
  json cells = json::array();
  json by_status = json::object();
  for (CellStatus s : {CellStatus::ok, CellStatus::oom, CellStatus::unsupported, CellStatus::skipped, CellStatus::wrong,
                       CellStatus::error, CellStatus::crashed, CellStatus::timeout})
    by_status[std::string(status_name(s))] = 0;

  // Fastest ok kernel per (tier, dtype, causal), in the order the groups first appear.
  std::vector<std::string> group_order;
  std::map<std::string, const CellResult*> best;
  for (const CellResult& r : f.results) {
    cells.push_back(result_to_json(r));
    by_status[std::string(status_name(r.status))] = by_status[std::string(status_name(r.status))].get<int>() + 1;
    if (r.status != CellStatus::ok || !r.time_ms || !std::isfinite(representative_ms(*r.time_ms))) continue;
    const std::string group =
        r.cell.tier.name + "|" + std::string(dtype_name(r.cell.dtype)) + "|" + (r.cell.causal ? "causal" : "full");
    const auto it = best.find(group);
    if (it == best.end()) {
      group_order.push_back(group);
      best.emplace(group, &r);
    } else if (representative_ms(*r.time_ms) < representative_ms(*it->second->time_ms)) {
      it->second = &r;
    }
  }
  json best_json = json::array();
  for (const std::string& group : group_order) {
    const CellResult& r = *best[group];
    best_json.push_back({{"tier", r.cell.tier.name},
                         {"dtype", std::string(dtype_name(r.cell.dtype))},
                         {"causal", r.cell.causal},
                         {"kernel", r.cell.kernel},
                         {"ms", representative_ms(*r.time_ms)},
                         {"by", std::isfinite(r.time_ms->median) ? "median" : "mean"},
                         {"tflops", r.tflops}});
  }

  // The table the CSV report holds, typed: numbers, true/false, null where a cell has none.
  json columns = json::array();
  for (Column c : export_columns()) columns.push_back(std::string(column_info(c).name));
  columns.push_back(kDeviceNameColumn);
  json rows = json::array();
  const std::string device = device_name(f.header);
  for (const CellResult& r : f.results) {
    json row = json::object();
    for (Column c : export_columns()) {
      const std::string field = cell_field(r, c);
      const std::string name(column_info(c).name);
      if (!column_info(c).numeric) row[name] = field;
      else row[name] = field.empty() ? json() : json::parse(field);  // cell_field writes JSON numbers and booleans
    }
    row[kDeviceNameColumn] = r.device_name.empty() ? device : r.device_name;
    rows.push_back(std::move(row));
  }

  const json report = {
      {"header", f.header},
      {"cells", std::move(cells)},
      {"columns", std::move(columns)},
      {"rows", std::move(rows)},
      {"summary", {{"cells", f.results.size()}, {"by_status", by_status}, {"best_by_tier", best_json}}},
      {"warnings", f.warnings}};
  return report.dump(indent, ' ', false, json::error_handler_t::replace) + "\n";
}

ResultFile parse_json_results(std::string_view text, const std::string& source) {
  const json doc = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) throw std::runtime_error(source + ": not valid JSON");
  ResultFile f;
  const json* cells = nullptr;
  std::string key = "cells";
  if (doc.is_object()) {
    if (doc.contains("header")) {
      if (!doc["header"].is_object()) throw std::runtime_error(source + ": field 'header': must be an object");
      f.header = doc["header"];
      const json schema = f.header.value("schema", json(kResultSchema));
      if (schema != json(kResultSchema))
        throw std::runtime_error(source + ": header field 'schema': " + schema.dump() +
                                 " is not supported (this build reads schema " + std::to_string(kResultSchema) + ")");
    }
    for (const char* name : {"results", "cells"})
      if (doc.contains(name) && doc[name].is_array()) {
        cells = &doc[name];
        key = name;
      }
  } else if (doc.is_array()) {
    cells = &doc;
  }
  if (!cells)
    throw std::runtime_error(source + ": JSON without a \"cells\" or \"results\" array: not an AttnSweep result or "
                                      "report file");
  for (std::size_t i = 0; i < cells->size(); ++i) {
    try {
      f.results.push_back(result_from_json((*cells)[i]));
    } catch (const std::exception& e) {
      throw std::runtime_error(source + ": " + key + "[" + std::to_string(i) + "]: " + e.what());
    }
  }
  if (f.header.is_null()) f.header = json::object();
  return f;
}

}  // namespace attnsweep
