#include "attnsweep/engine/open_results.h"

#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "attnsweep/engine/columns.h"
#include "attnsweep/engine/report.h"

namespace attnsweep {

namespace {

std::string read_text(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) throw std::runtime_error(path + ": no such file");
  if (std::filesystem::is_directory(path, ec)) throw std::runtime_error(path + ": is a folder, not a result file");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path + ": cannot be read (permissions?)");
  std::ostringstream text;
  text << in.rdbuf();
  if (!in.good() && !in.eof()) throw std::runtime_error(path + ": cannot be read");
  return text.str();
}

char first_visible(std::string_view text) {
  for (char c : text)
    if (!std::isspace(static_cast<unsigned char>(c))) return c;
  return '\0';
}

// A CSV report starts with its header row, whose first column is the kernel's ("Kernel,Tier,...").
bool starts_like_csv(std::string_view text) {
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
  std::string_view first = text.substr(0, text.find(','));
  if (first.size() == text.size()) return false;
  if (first.size() >= 2 && first.front() == '"' && first.back() == '"') first = first.substr(1, first.size() - 2);
  return column_named(first) == Column::kernel;
}

}  // namespace

ResultFile open_results(const std::string& path) {
  const std::string text = read_text(path);
  if (text.empty()) throw std::runtime_error(path + ": the file is empty");
  const char first = first_visible(text);
  if (first == '{' || first == '[') {
    // One JSON document (a report) or JSON Lines (the store), whose first line is a header record.
    const nlohmann::json doc = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (!doc.is_discarded() && !(doc.is_object() && doc.value("type", "") == "header"))
      return parse_json_results(text, path);
    return parse_result_lines(text, path);
  }
  if (first == '#' || first == '|') return parse_markdown_results(text, path);
  if (starts_like_csv(text)) return parse_csv_results(text, path);
  throw std::runtime_error(path +
                           ": not a result file: expected the engine's JSON Lines (a header record first), a JSON "
                           "report, a CSV report (Kernel,Tier,...), or a Markdown table (a report's or the seed's)");
}

}  // namespace attnsweep
