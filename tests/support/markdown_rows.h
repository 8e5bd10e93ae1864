#pragma once
// The first table of a Markdown text as rows of cells (the header row first, the separator row
// left out), read independently of the engine's reader: trimmed, "\|" read as "|".
#include <sstream>
#include <string>
#include <vector>

namespace attnsweep::test_support {

inline std::vector<std::vector<std::string>> markdown_rows(const std::string& md) {
  std::vector<std::vector<std::string>> rows;
  std::istringstream in(md);
  std::size_t table_line = 0;  // lines of the table so far; the second is the separator
  for (std::string line; std::getline(in, line);) {
    if (!line.starts_with("|")) {
      if (table_line > 0) break;
      continue;
    }
    if (++table_line == 2) continue;
    std::vector<std::string> cells;
    std::string cell;
    for (std::size_t i = 1; i < line.size(); ++i) {
      if (line[i] == '\\' && i + 1 < line.size() && line[i + 1] == '|') {
        cell += '|';
        ++i;
      } else if (line[i] == '|') {
        const auto b = cell.find_first_not_of(' '), e = cell.find_last_not_of(' ');
        cells.push_back(b == std::string::npos ? "" : cell.substr(b, e - b + 1));
        cell.clear();
      } else {
        cell += line[i];
      }
    }
    rows.push_back(cells);
  }
  return rows;
}

}  // namespace attnsweep::test_support
