#pragma once
// The results table without Qt: columns, display text, sort order, filter and Markdown copy.
// The Qt model only translates these into QVariants.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "attnsweep/engine/result.h"

namespace attnsweep::gui {

// A row shows its cell's first timing (cold where the cell was timed cold), and says which in
// the Mode column.
enum class Column {
  kernel, tier, dtype, causal, q_n, k_n, head_dim, heads, batch, status, mode,
  median_ms, mean_ms, std_ms, min_ms, p10_ms, p90_ms, tflops, gbps, rel_err, samples, message,
  count_
};
inline constexpr int kColumnCount = static_cast<int>(Column::count_);

struct ColumnInfo {
  std::string_view title;
  std::string_view tooltip;
  bool numeric;
};
const ColumnInfo& column_info(Column c);

// Display text. A failed cell shows its status in the median column and nothing in the other
// timing columns: never a 0 that could be read as a time. An ok cell's status carries its time's
// marks ("ok ~!", timing_marks).
std::string cell_text(const CellResult& r, Column c);
// The number behind a column, if the cell has one (failed cells have no timings).
std::optional<double> cell_number(const CellResult& r, Column c);

// Row order for a column. Measured cells sort by value; cells without a value (failed, or a
// column that does not apply) always come after them, whichever the direction, grouped by status.
std::vector<std::size_t> sorted_rows(const std::vector<CellResult>& results, std::vector<std::size_t> rows,
                                     Column c, bool ascending);

// Whitespace-separated words, each of which must occur (case-insensitively) in the kernel, tier,
// dtype, causal or status text. "flash fp16 oom" keeps flash kernels' fp16 out-of-memory cells.
bool row_matches(const CellResult& r, std::string_view filter);

// A Markdown table of the given rows with the visible columns, for the clipboard.
std::string rows_markdown(const std::vector<CellResult>& results, const std::vector<std::size_t>& rows,
                          const std::vector<Column>& columns);

}  // namespace attnsweep::gui
