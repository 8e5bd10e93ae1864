#pragma once
// Cells from a table of text, whatever wrote it: the CSV report, the Markdown report, the GUI's
// "Copy as Markdown", or the seed's table. The CSV and Markdown readers split their text into a
// TextTable; this reads it by the column names (columns.h), the same way for both.
//
// Two kinds of table:
//  - a result table names at least Kernel, Q_N, K_N, head_dim, heads, batch, dtype, causal and
//    status; a cell that is not ok holds no number in a measured column;
//  - the seed's table has exactly Kernel | Tier | Q_N | K_N | head_dim | heads | batch | avg_ms |
//    std_ms | min_ms. It states no dtype, mask or status: its rows are taken as fp16, full, and a
//    row of 0 ms did not run there (out of memory); the header says so under "assumed".
// Tier names are rebuilt from the values in both (the seed's names contradict its values).
#include <cstddef>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "attnsweep/engine/store.h"

namespace attnsweep {

struct TextTable {
  struct Row {
    std::size_t line = 0;  // where it starts in the source, from 1
    std::vector<std::string> cells;
  };
  std::size_t names_line = 0;
  std::vector<std::string> names;  // the header row
  std::vector<Row> rows;
  std::size_t end_line = 0;        // the line after the last row (where a first row was expected)
};

struct TableSource {
  std::string file;    // names the source in errors and in the header
  std::string kind;    // "markdown" or "csv"; the seed's table is recorded as "seed-<kind>"
  std::string title;   // the sweep's name, when the source gives one
  nlohmann::json details = nlohmann::json::array();  // what the source said of where it ran: [[label, value], ...]
};

// Throws std::runtime_error "<file>: line L[, column C (name)]: <rule>".
ResultFile results_from_table(const TextTable& table, const TableSource& source);

}  // namespace attnsweep
