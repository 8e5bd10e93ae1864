// The CSV report (RFC 4180, every column, full precision) and its reader.
#include <algorithm>

#include "attnsweep/engine/report.h"
#include "attnsweep/engine/table_reader.h"
#include "text_escape.h"

namespace attnsweep {

namespace {

// Splits CSV text into records of fields, each with the line it starts on. Line ends may be CRLF
// or LF; blank lines are skipped; a quoted field may hold commas, quotes ("") and line breaks.
std::vector<TextTable::Row> split_records(std::string_view text, const std::string& source, std::size_t* end_line) {
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);  // a UTF-8 byte order mark (spreadsheets write one)
  std::vector<TextTable::Row> records;
  std::size_t line = 1;
  std::size_t i = 0;
  while (i < text.size()) {
    if (text[i] == '\n' || (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n')) {  // a blank line
      i += text[i] == '\r' ? 2 : 1;
      ++line;
      continue;
    }
    TextTable::Row record{line, {}};
    std::string field;
    bool record_done = false;
    while (!record_done) {
      if (i < text.size() && text[i] == '"') {
        const std::size_t opened_on = line;
        for (++i;; ++i) {
          if (i == text.size())
            throw std::runtime_error(source + ": line " + std::to_string(opened_on) +
                                     ": a quoted field is not closed");
          if (text[i] == '"') {
            if (i + 1 < text.size() && text[i + 1] == '"') {
              field += '"';
              ++i;
              continue;
            }
            ++i;
            break;
          }
          if (text[i] == '\n') ++line;
          field += text[i];
        }
      }
      for (; i < text.size() && text[i] != ',' && text[i] != '\n'; ++i)
        if (!(text[i] == '\r' && (i + 1 == text.size() || text[i + 1] == '\n'))) field += text[i];
      record.cells.push_back(std::move(field));
      field.clear();
      if (i < text.size() && text[i] == ',') {
        ++i;
      } else {
        record_done = true;
        if (i < text.size()) ++i;  // the '\n'
        ++line;
      }
    }
    records.push_back(std::move(record));
  }
  *end_line = line;
  return records;
}

}  // namespace

std::string report_csv(const ResultFile& f) {
  std::string out;
  for (Column c : all_columns()) out += std::string(out.empty() ? "" : ",") + std::string(column_info(c).key);
  out += "\r\n";
  // One row per cell and timing mode, cold first; a cell without times has one row, mode empty.
  for (const CellResult& cell : f.results) {
    CellResult r = cell;
    const std::size_t rows = std::max<std::size_t>(cell.timings.size(), 1);
    for (std::size_t i = 0; i < rows; ++i) {
      if (!cell.timings.empty()) r.timings = {cell.timings[i]};
      std::string line;
      for (Column c : all_columns()) line += std::string(line.empty() ? "" : ",") + csv_field(cell_field(r, c));
      out += line + "\r\n";
    }
  }
  return out;
}

ResultFile parse_csv_results(std::string_view text, const std::string& source) {
  TextTable table;
  std::vector<TextTable::Row> records = split_records(text, source, &table.end_line);
  if (records.empty()) throw std::runtime_error(source + ": no CSV header row (kernel,tier,q_n,...)");
  table.names_line = records.front().line;
  table.names = std::move(records.front().cells);
  table.rows.assign(std::make_move_iterator(records.begin() + 1), std::make_move_iterator(records.end()));
  return results_from_table(table, TableSource{source, "csv", "", nlohmann::json::array()});
}

}  // namespace attnsweep
