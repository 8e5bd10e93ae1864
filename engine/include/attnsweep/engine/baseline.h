#pragma once
// A baseline inside one sweep: every cell's speedup against one kernel of the same sweep (our kernel
// against torch.sdpa_cudnn, say), on the same tier, dtype and mask.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "attnsweep/engine/result.h"

namespace attnsweep {

// The title of the speedup column ("speedup vs torch.sdpa_cudnn"); readers of a table skip a
// column so named, as it is computed from the cells.
inline constexpr std::string_view kSpeedupTitlePrefix = "speedup vs ";
std::string speedup_title(std::string_view kernel);

// For each result, the baseline kernel's time over the result's time, each the row's timing
// (row_timing: lay the results out with with_mode_first first): above 1 faster than the baseline,
// 1 for the baseline itself. nullopt where either cell has no time.
std::vector<std::optional<double>> speedups_against(const std::vector<CellResult>& results, std::string_view kernel);

// The column's text for each result: the speedup, a failed cell's status label, "n/a" where the
// baseline has no time for that tier. Throws std::invalid_argument naming the kernels there are
// when no result is of `kernel`.
std::vector<std::string> speedup_texts(const std::vector<CellResult>& results, std::string_view kernel);

}  // namespace attnsweep
