#include "attnsweep/engine/open_results.h"

#include <cctype>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "attnsweep/engine/columns.h"
#include "attnsweep/engine/files.h"
#include "attnsweep/engine/json_input.h"
#include "attnsweep/engine/report.h"

namespace attnsweep {

namespace {

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
  const std::string text = read_input_file(path, kMaxResultsBytes);
  if (text.empty()) throw std::runtime_error(path + ": the file is empty");
  const char first = first_visible(text);
  if (first == '{' || first == '[') {
    // One JSON document (a report) or JSON Lines (the store), whose first line is a header record.
    if (!nlohmann::json::accept(text)) return parse_result_lines(text, path);
    nlohmann::json doc;
    try {
      doc = parse_json(text);
    } catch (const std::runtime_error& e) {
      throw std::runtime_error(path + ": " + e.what());
    }
    if (doc.is_object() && doc.contains("type")) return parse_result_lines(text, path);  // a header alone
    return results_from_json_report(doc, path);
  }
  if (first == '#' || first == '|') return parse_markdown_results(text, path);
  if (starts_like_csv(text)) return parse_csv_results(text, path);
  throw std::runtime_error(path +
                           ": not a result file: expected the engine's JSON Lines (a header record first), a JSON "
                           "report, a CSV report (Kernel,Tier,...), or a Markdown table (a report's or the seed's)");
}

}  // namespace attnsweep
