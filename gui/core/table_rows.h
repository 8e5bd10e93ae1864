#pragma once
// The results table without Qt: sort order and filter. What each column shows comes from the
// engine (attnsweep/engine/columns.h), as in the reports; the Qt model only translates.
#include <cstddef>
#include <string_view>
#include <vector>

#include "attnsweep/engine/columns.h"

namespace attnsweep::gui {

// Row order for a column. Measured cells sort by value; cells without a value (failed, or a
// column that does not apply) always come after them, whichever the direction, grouped by status.
std::vector<std::size_t> sorted_rows(const std::vector<CellResult>& results, std::vector<std::size_t> rows,
                                     Column c, bool ascending);

// Whitespace-separated words, each of which must occur (case-insensitively) in the kernel, tier,
// dtype, causal or status text. "flash fp16 oom" keeps flash kernels' fp16 out-of-memory cells.
bool row_matches(const CellResult& r, std::string_view filter);

}  // namespace attnsweep::gui
