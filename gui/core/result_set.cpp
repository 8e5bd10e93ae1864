#include "core/result_set.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "attnsweep/engine/result_json.h"
#include "attnsweep/engine/seed_import.h"
#include "attnsweep/engine/store.h"

namespace attnsweep::gui {

namespace {

std::string read_text(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) throw std::runtime_error(path + ": no such file");
  if (std::filesystem::is_directory(path, ec)) throw std::runtime_error(path + ": is a folder, not a result file");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path + ": cannot be read (permissions?)");
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

char first_visible(const std::string& text) {
  for (char ch : text)
    if (!std::isspace(static_cast<unsigned char>(ch))) return ch;
  return '\0';
}

// A JSON report: {"header": {...}, "results": [cell records]} (or "cells").
ResultSet from_json_report(const std::string& path, const nlohmann::json& doc) {
  ResultSet set;
  const nlohmann::json* cells = nullptr;
  std::string key_name = "results";
  if (doc.is_object()) {
    if (doc.contains("header") && doc["header"].is_object()) set.header = doc["header"];
    for (const char* key : {"results", "cells"}) {
      if (doc.contains(key) && doc[key].is_array()) {
        cells = &doc[key];
        key_name = key;
      }
    }
  } else if (doc.is_array()) {
    cells = &doc;
  }
  if (!cells)
    throw std::runtime_error(path + ": JSON without a \"cells\" or \"results\" array: not an AttnSweep result or report file");
  for (std::size_t i = 0; i < cells->size(); ++i) {
    try {
      set.results.push_back(result_from_json((*cells)[i]));
    } catch (const std::exception& e) {
      throw std::runtime_error(path + ": " + key_name + "[" + std::to_string(i) + "]: " + e.what());
    }
  }
  return set;
}

}  // namespace

ResultSet load_result_set(const std::string& path) {
  const std::string text = read_text(path);
  if (text.empty()) throw std::runtime_error(path + ": the file is empty");
  const char first = first_visible(text);
  ResultSet set;
  if (first == '{' || first == '[') {
    // One JSON document (a report) or JSON Lines (the engine's store): try the document first.
    nlohmann::json doc = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (!doc.is_discarded() && !(doc.is_object() && doc.value("type", "") == "header")) {
      set = from_json_report(path, doc);
    } else {
      ResultFile f = read_result_file(path);
      set.header = std::move(f.header);
      set.results = std::move(f.results);
      set.warnings = std::move(f.warnings);
    }
  } else if (first == '#' || first == '|') {
    ResultFile f = import_seed_markdown(text, std::filesystem::path(path).filename().string());
    set.header = std::move(f.header);
    set.results = std::move(f.results);
    set.warnings = std::move(f.warnings);
  } else {
    throw std::runtime_error(path +
                             ": not a result file: expected the engine's JSON Lines (a header record first), "
                             "a JSON report, or the seed's Markdown table");
  }
  set.path = path;
  set.name = std::filesystem::path(path).filename().string();
  return set;
}

std::string describe_environment(const nlohmann::json& header) {
  std::string out;
  auto add = [&](const std::string& s) {
    if (s.empty()) return;
    if (!out.empty()) out += " · ";
    out += s;
  };
  auto text = [](const nlohmann::json& j, const char* key) -> std::string {
    if (!j.is_object() || !j.contains(key)) return {};
    const nlohmann::json& v = j[key];
    return v.is_string() ? v.get<std::string>() : (v.is_primitive() && !v.is_null() ? v.dump() : std::string());
  };
  const nlohmann::json env = header.is_object() && header.contains("environment") ? header["environment"] : nlohmann::json();
  const nlohmann::json dev = env.is_object() && env.contains("device") ? env["device"] : nlohmann::json();
  std::string device = text(dev, "name");
  if (device.empty()) device = text(env, "gpu");
  if (device.empty()) device = text(env, "cpu_model");
  add(device);
  add(text(header, "executor"));
  std::string date = text(header, "started");
  if (date.empty()) date = text(env, "date");
  add(date.substr(0, 10));
  if (out.empty() && header.is_object() && header.contains("source")) {
    const nlohmann::json& src = header["source"];
    add(src.is_object() && src.value("kind", "") == "seed-markdown" ? "imported seed table " + text(src, "file")
                                                                    : text(header, "source"));
  }
  return out;
}

}  // namespace attnsweep::gui
