// What every report shares: the formats by name, the sweep's name and where it ran.
#include "attnsweep/engine/report.h"

#include <algorithm>
#include <stdexcept>

#include "header_text.h"

namespace attnsweep {

using nlohmann::json;

std::string text_of(const json& j, const char* key) {
  if (!j.is_object()) return "";
  const auto it = j.find(key);
  if (it == j.end() || it->is_null()) return "";
  return it->is_string() ? it->get<std::string>() : it->dump();
}

std::string header_detail(const json& header, std::string_view label) {
  const json details = header.is_object() && header.contains("source") && header["source"].is_object()
                           ? header["source"].value("details", json::array())
                           : json::array();
  for (const json& d : details)
    if (d.is_array() && d.size() == 2 && d[0] == label && d[1].is_string()) return d[1].get<std::string>();
  return "";
}

namespace {

std::string mode_meaning(TimingMode m) {
  switch (m) {
    case TimingMode::cold: return "cold: one launch per sample after the last-level cache is flushed";
    case TimingMode::batch: return "batch: back-to-back launches per sample on a warm cache, time per launch";
    case TimingMode::unstated: return "as imported: the source does not say how it timed";
  }
  return {};
}

}  // namespace

std::string times_line(const std::vector<CellResult>& results, TimingMode shown) {
  std::string others;
  for (TimingMode m : {TimingMode::cold, TimingMode::batch, TimingMode::unstated})
    if (m != shown && std::any_of(results.begin(), results.end(), [m](const CellResult& r) { return r.timing(m); }))
      others += (others.empty() ? "" : ", ") + std::string(timing_mode_name(m));
  const auto elsewhere = std::count_if(results.begin(), results.end(), [shown](const CellResult& r) {
    return r.status == CellStatus::ok && !r.timings.empty() && !r.timing(shown);
  });
  std::string line = mode_meaning(shown);
  if (!others.empty()) line += " (also in the file: " + others + ")";
  if (elsewhere > 0)
    line += "; cells not timed " + std::string(timing_mode_name(shown)) + " show the mode they were timed in (" +
            std::to_string(elsewhere) + ")";
  return line;
}

std::string clocks_line(const json& clocks) {
  if (clocks.value("locked", false)) return "SM clock locked at " + text_of(clocks, "sm_mhz") + " MHz";
  return "free (" + text_of(clocks, "why") + ")";
}

SweepWall sweep_wall(const std::vector<CellResult>& results) {
  SweepWall w;
  for (const CellResult& r : results) {
    w.wall_s += r.wall_s;
    if (!r.wall_split) continue;
    ++w.cells_with_split;
    w.split.add(*r.wall_split);
  }
  return w;
}

std::string wall_line(const std::vector<CellResult>& results) {
  const SweepWall w = sweep_wall(results);
  return w.cells_with_split == 0 ? std::string() : "Wall time: " + w.split.describe(w.wall_s) + ".";
}

std::optional<ReportFormat> parse_report_format(std::string_view name) {
  if (name == "md") return ReportFormat::md;
  if (name == "csv") return ReportFormat::csv;
  if (name == "json") return ReportFormat::json;
  if (name == "html") return ReportFormat::html;
  return std::nullopt;
}

std::string render_report(const ResultFile& f, ReportFormat format, std::optional<TimingMode> mode,
                          const std::string& baseline) {
  switch (format) {
    case ReportFormat::md: return report_markdown(f, mode, baseline);
    case ReportFormat::csv:
      if (!baseline.empty())
        throw std::invalid_argument("--baseline: the CSV report holds the cells' own fields only; use md, html or json");
      return report_csv(f);
    case ReportFormat::json: return report_json(f, 2, mode, baseline);
    case ReportFormat::html: return report_html(f, {}, mode, baseline);
  }
  return {};
}

std::string sweep_name(const json& header) {
  if (header.is_object() && header.contains("spec")) {
    const std::string name = text_of(header["spec"], "name");
    if (!name.empty()) return name;
  }
  const std::string name = text_of(header, "name");
  return name.empty() ? "unnamed sweep" : name;
}

std::string describe_environment(const json& header) {
  std::string out;
  auto add = [&](const std::string& s) {
    if (s.empty()) return;
    if (!out.empty()) out += " · ";
    out += s;
  };
  const json env = header.is_object() && header.contains("environment") ? header["environment"] : json();
  const json device = env.is_object() && env.contains("device") ? env["device"] : json();
  std::string where = text_of(device, "name");
  if (where.empty()) where = text_of(env, "gpu");
  if (where.empty()) where = text_of(env, "cpu_model");
  if (where.empty()) where = header_detail(header, "GPU");
  if (where.empty()) where = header_detail(header, "Device");
  add(where);
  add(text_of(header, "executor"));
  std::string date = text_of(header, "started");
  if (date.empty()) date = text_of(env, "date");
  if (date.empty()) date = header_detail(header, "Date");
  add(date.substr(0, 10));
  if (out.empty() && header.is_object() && header.contains("source")) {
    const json& source = header["source"];
    const std::string kind = text_of(source, "kind");
    add(kind == "seed-markdown" ? "imported seed table " + text_of(source, "file")
                                : kind + " " + text_of(source, "file"));
  }
  return out;
}

}  // namespace attnsweep
