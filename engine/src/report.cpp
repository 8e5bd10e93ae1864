// What every report shares: the formats by name, the sweep's name and where it ran.
#include "attnsweep/engine/report.h"

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

std::optional<ReportFormat> parse_report_format(std::string_view name) {
  if (name == "md") return ReportFormat::md;
  if (name == "csv") return ReportFormat::csv;
  if (name == "json") return ReportFormat::json;
  if (name == "html") return ReportFormat::html;
  return std::nullopt;
}

std::string render_report(const ResultFile& f, ReportFormat format) {
  switch (format) {
    case ReportFormat::md: return report_markdown(f);
    case ReportFormat::csv: return report_csv(f);
    case ReportFormat::json: return report_json(f);
    case ReportFormat::html: return report_html(f);
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
  if (const json mixed = header.is_object() ? header.value("mixed_devices", json()) : json();
      mixed.is_array() && mixed.size() > 1) {
    where = "mixed devices:";
    for (std::size_t i = 0; i < mixed.size(); ++i)
      where += (i ? ", " : " ") + (mixed[i].is_string() ? mixed[i].get<std::string>() : mixed[i].dump());
  }
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
