#pragma once
// The results table without Qt: sort order and filter. What each column shows comes from the
// engine (attnsweep/engine/columns.h), as in the reports; the Qt model only translates.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "attnsweep/engine/columns.h"

namespace attnsweep::gui {

// Row order for a column. Measured cells sort by value; cells without a value (failed, or a
// column that does not apply) always come after them, whichever the direction, grouped by status.
// Tiers sort in reading order (head_dim, heads, batch, length), not by their names' letters.
std::vector<std::size_t> sorted_rows(const std::vector<CellResult>& results, std::vector<std::size_t> rows,
                                     Column c, bool ascending);

// What the table's filter box holds, read: words, each of which must occur (case-insensitively) in
// the kernel, tier, dtype, mask or status text ("flash fp16 oom"), and conditions on numeric
// columns, named as the table names them ("tflops>500", "median_ms <= 1", "Q_N=4k"), each of which
// must hold (a cell without that number, a failed one, fails it).
struct RowFilter {
  struct Condition {
    Column column;
    std::string op;  // < <= > >= = !=
    double value = 0;
  };
  std::vector<std::string> words;  // lower case
  std::vector<Condition> conditions;
  std::string error;  // why the text is not a filter ("'tflop>5': no numeric column 'tflop' (...)"); empty if it is

  bool matches(const CellResult& r) const;
};
RowFilter parse_row_filter(std::string_view text);

}  // namespace attnsweep::gui
