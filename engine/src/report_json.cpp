// The JSON report (the header, every cell record, the CSV report's rows under the same column
// names, a summary) and its reader, which reads the records.
#include <algorithm>
#include <cmath>
#include <map>

#include "attnsweep/engine/baseline.h"
#include "attnsweep/engine/format.h"
#include "attnsweep/engine/json_input.h"
#include "attnsweep/engine/peaks.h"
#include "attnsweep/engine/report.h"
#include "attnsweep/engine/result_json.h"
#include "header_text.h"

namespace attnsweep {

using nlohmann::json;

namespace {

// `j` as it reads `level` levels deep in a document dumped with `indent`.
std::string nested(const json& j, int indent, int level) {
  std::string text = j.dump(indent, ' ', false, json::error_handler_t::replace);
  if (indent < 0) return text;
  const std::string pad = "\n" + std::string(static_cast<std::size_t>(indent * level), ' ');
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '\n') out += pad;
    else out += c;
  }
  return out;
}

}  // namespace

std::string report_json(const ResultFile& f, int indent, std::optional<TimingMode> mode, const std::string& baseline) {
  const TimingMode shown = mode.value_or(default_view_mode(f.results));
  json by_status = json::object();
  for (CellStatus s : {CellStatus::ok, CellStatus::oom, CellStatus::unsupported, CellStatus::skipped, CellStatus::wrong,
                       CellStatus::error, CellStatus::crashed, CellStatus::timeout})
    by_status[std::string(status_name(s))] = 0;

  // The document {"cells": [...], "columns": [...], "header": ..., "rows": [...], "summary": ...,
  // "warnings": [...]} as one dump would write it (keys in order), with the cells and rows written one
  // at a time: a million cells never exist as one JSON tree.
  const std::string newline = indent >= 0 ? "\n" : "";
  const std::string pad1 = newline + std::string(static_cast<std::size_t>(std::max(indent, 0)), ' ');
  const std::string pad2 = newline + std::string(static_cast<std::size_t>(std::max(indent, 0) * 2), ' ');
  const std::string colon = indent >= 0 ? ": " : ":";
  std::string out = "{" + pad1 + "\"cells\"" + colon + "[";

  // Fastest ok kernel per (tier, dtype, causal) in the mode shown, in the order the groups first appear.
  std::vector<std::string> group_order;
  std::map<std::string, const CellResult*> best;
  for (std::size_t i = 0; i < f.results.size(); ++i) {
    const CellResult& r = f.results[i];
    json cell = result_to_json(r);
    if (const auto timings = cell.find("timings"); timings != cell.end())
      for (const Timing& t : r.timings) {  // null: the device's peak is not known
        const std::optional<double> pct = pct_of_peak(r, t, f.header);
        (*timings)[std::string(timing_mode_name(t.mode))]["pct_of_peak"] = pct ? json(*pct) : json(nullptr);
      }
    if (i > 0) out += ',';
    out += pad2;
    out += nested(cell, indent, 2);
    by_status[std::string(status_name(r.status))] = by_status[std::string(status_name(r.status))].get<int>() + 1;
    const Timing* t = r.status == CellStatus::ok ? r.timing(shown) : nullptr;
    if (!t || !std::isfinite(representative_ms(t->time_ms))) continue;
    const std::string group =
        r.cell.tier.name + "|" + std::string(dtype_name(r.cell.dtype)) + "|" + (r.cell.causal ? "causal" : "full");
    const auto it = best.find(group);
    if (it == best.end()) {
      group_order.push_back(group);
      best.emplace(group, &r);
    } else if (representative_ms(t->time_ms) < representative_ms(it->second->timing(shown)->time_ms)) {
      it->second = &r;
    }
  }
  out += (f.results.empty() ? "" : pad1) + "]";

  json best_json = json::array();
  for (const std::string& group : group_order) {
    const CellResult& r = *best[group];
    const Timing& t = *r.timing(shown);
    best_json.push_back({{"tier", r.cell.tier.name},
                         {"dtype", std::string(dtype_name(r.cell.dtype))},
                         {"causal", r.cell.causal},
                         {"kernel", r.cell.kernel},
                         {"ms", representative_ms(t.time_ms)},
                         {"by", std::isfinite(t.time_ms.median) ? "median" : "mean"},
                         {"tflops", t.tflops},
                         {"noisy", t.noisy}});
  }

  const SweepWall wall = sweep_wall(f.results);
  const json split = {{"inputs", wall.split.inputs}, {"check", wall.split.check}, {"warmup", wall.split.warmup},
                      {"settle", wall.split.settle}, {"timing", wall.split.timing}};
  json summary = {{"cells", f.results.size()},
                  {"by_status", by_status},
                  {"mode", std::string(timing_mode_name(shown))},
                  {"best_by_tier", best_json},
                  {"wall_s", wall.wall_s},
                  {"wall_split_s", split}};
  if (!baseline.empty()) {
    const std::vector<CellResult> shown_results = with_mode_first(f.results, shown);
    speedup_texts(shown_results, baseline);  // refuses a kernel the results do not have
    const std::vector<std::optional<double>> speedups = speedups_against(shown_results, baseline);
    json list = json::array();
    for (std::size_t i = 0; i < speedups.size(); ++i)
      if (speedups[i]) list.push_back({{"id", shown_results[i].cell.id()}, {"speedup", *speedups[i]}});
    summary["baseline"] = {{"kernel", baseline}, {"speedups", std::move(list)}};
  }

  // The table the CSV report holds, typed: numbers, true/false, null where a cell has none; one row
  // at a time, as the cells.
  json columns = json::array();
  for (Column c : export_columns()) columns.push_back(std::string(column_info(c).name));
  columns.push_back(kDeviceNameColumn);
  out += "," + pad1 + "\"columns\"" + colon + nested(columns, indent, 1);
  out += "," + pad1 + "\"header\"" + colon + nested(f.header, indent, 1);
  out += "," + pad1 + "\"rows\"" + colon + "[";
  const std::string device = device_name(f.header);
  const std::vector<CellResult> export_results = export_rows(f);
  for (std::size_t i = 0; i < export_results.size(); ++i) {
    const CellResult& r = export_results[i];
    json row = json::object();
    for (Column c : export_columns()) {
      const std::string field = cell_field(r, c);
      const std::string name(column_info(c).name);
      if (!column_info(c).numeric) row[name] = field;
      else row[name] = field.empty() ? json() : json::parse(field);  // cell_field writes JSON numbers and booleans
    }
    row[kDeviceNameColumn] = r.device_name.empty() ? device : r.device_name;
    out += (i > 0 ? "," : "") + pad2 + nested(row, indent, 2);
  }
  out += (export_results.empty() ? "" : pad1) + "]";
  out += "," + pad1 + "\"summary\"" + colon + nested(summary, indent, 1);
  out += "," + pad1 + "\"warnings\"" + colon + nested(f.warnings, indent, 1);
  return out + newline + "}\n";
}

namespace {

// The pct_of_peak a report wrote beside each timing of a cell (or beside the one time of a
// record without timings) into `r`'s timings.
void read_pct_of_peak(const json& cell, CellResult& r) {
  const auto read = [](const json& holder, const std::string& where, Timing& t) {
    if (!holder.is_object() || !holder.contains("pct_of_peak")) return;
    const json& pct = holder["pct_of_peak"];
    if (!pct.is_null() && !(pct.is_number() && pct.get<double>() >= 0))
      throw std::runtime_error("cell record: field '" + where +
                               "pct_of_peak': must be a number, not negative (or "
                               "null where the device's peak is not known)");
    if (pct.is_number()) t.pct_of_peak = pct.get<double>();
  };
  if (!cell.is_object()) return;
  if (cell.contains("timings") && cell["timings"].is_object()) {
    for (Timing& t : r.timings) {
      const std::string mode(timing_mode_name(t.mode));
      read(cell["timings"].value(mode, json()), "timings." + mode + ".", t);
    }
  } else if (r.timings.size() == 1) {
    read(cell, "", r.timings.front());
  }
}

}  // namespace

ResultFile parse_json_results(std::string_view text, const std::string& source) {
  json doc;
  try {
    doc = parse_json(text);
  } catch (const std::runtime_error& e) {
    throw std::runtime_error(source + ": " + e.what());
  }
  return results_from_json_report(doc, source);
}

ResultFile results_from_json_report(const json& doc, const std::string& source) {
  ResultFile f;
  const json* cells = nullptr;
  std::string key = "cells";
  if (doc.is_object()) {
    if (doc.contains("header")) {
      if (!doc["header"].is_object()) throw std::runtime_error(source + ": field 'header': must be an object");
      f.header = doc["header"];
      const json schema = f.header.value("schema", json(kResultSchema));
      if (!schema.is_number_integer() || schema.get<int>() < kOldestReadableSchema || schema.get<int>() > kResultSchema)
        throw std::runtime_error(source + ": header field 'schema': " + schema.dump() +
                                 " is not supported (this build reads schemas " +
                                 std::to_string(kOldestReadableSchema) + " to " + std::to_string(kResultSchema) + ")");
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
    throw std::runtime_error(source +
                             ": JSON without a \"cells\" or \"results\" array: not an AttnSweep result or "
                             "report file");
  std::map<std::string, std::size_t> index_of_id;
  for (std::size_t i = 0; i < cells->size(); ++i) {
    const std::string where = source + ": " + key + "[" + std::to_string(i) + "]";
    try {
      f.results.push_back(result_from_json((*cells)[i]));
      read_pct_of_peak((*cells)[i], f.results.back());
    } catch (const std::exception& e) {
      throw std::runtime_error(where + ": " + e.what());
    }
    const auto [it, first] = index_of_id.emplace(f.results.back().cell.id(), i);
    if (!first)
      throw std::runtime_error(where + ": the same cell as " + key + "[" + std::to_string(it->second) + "] (" +
                               printable_text(it->first, 200) + ")");
  }
  if (f.header.is_null()) f.header = json::object();
  mark_noisy_in_schema_one(f);
  return f;
}

}  // namespace attnsweep
