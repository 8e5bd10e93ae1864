// The CSV report (RFC 4180 fields, LF line ends, every column at full precision, the seed's
// columns first) and its reader. A CSV has no header block: each row also names the device the
// results ran on (device_name), so rows of several machines' CSVs stay told apart.
#include "attnsweep/engine/report.h"
#include "attnsweep/engine/table_reader.h"
#include "header_text.h"
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
            throw std::runtime_error(source + ": line " + std::to_string(opened_on) + ": a quoted field is not closed");
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
  for (Column c : export_columns()) out.append(column_info(c).name).append(",");
  out.append(kDeviceNameColumn).append("\n");
  const std::string device = device_name(f.header);
  for (const CellResult& r : export_rows(f)) {
    for (Column c : export_columns()) out.append(csv_field(cell_field(r, c))).append(",");
    out.append(csv_field(r.device_name.empty() ? device : r.device_name)).append("\n");
  }
  return out;
}

ResultFile parse_csv_results(std::string_view text, const std::string& source) {
  TextTable table;
  std::vector<TextTable::Row> records = split_records(text, source, &table.end_line);
  if (records.empty()) throw std::runtime_error(source + ": no CSV header row (kernel,tier,q_n,...)");
  for (TextTable::Row& record : records)
    for (std::string& field : record.cells) field = csv_unguarded(std::move(field));
  table.names_line = records.front().line;
  table.names = std::move(records.front().cells);
  table.rows.assign(std::make_move_iterator(records.begin() + 1), std::make_move_iterator(records.end()));
  // The device column goes back into the header: the first name as the device, every name when
  // the rows were measured on several models.
  TableSource from{source, "csv", "", nlohmann::json::array()};
  std::vector<std::string> devices;
  const auto device = std::find(table.names.begin(), table.names.end(), kDeviceNameColumn);
  if (device != table.names.end()) {
    const std::size_t at = static_cast<std::size_t>(device - table.names.begin());
    table.names.erase(device);
    for (TextTable::Row& row : table.rows) {
      if (at >= row.cells.size()) continue;  // a short row: the table reader says so
      const std::string& name = row.cells[at];
      if (!name.empty() && std::find(devices.begin(), devices.end(), name) == devices.end()) devices.push_back(name);
      row.cells.erase(row.cells.begin() + static_cast<std::ptrdiff_t>(at));
    }
  }
  if (!devices.empty()) from.details.push_back({"Device", devices.front()});
  ResultFile file = results_from_table(table, from);
  if (devices.size() > 1) file.header["mixed_devices"] = devices;
  return file;
}

}  // namespace attnsweep
