#pragma once
// A result file's header, and what every report says of how it was timed, as the reports print
// them (report.cpp).
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "attnsweep/engine/result.h"

namespace attnsweep {

// A field of a JSON object as text: "" when absent or null, numbers and booleans as JSON writes them.
std::string text_of(const nlohmann::json& j, const char* key);

// What a table said of where it ran (header.source.details, [[label, value], ...]), by label; "" if not said.
std::string header_detail(const nlohmann::json& header, std::string_view label);

// "cold: one launch per sample after the last-level cache is flushed (also in the file: batch)",
// and how many cells show another mode for want of a time in `shown`.
std::string times_line(const std::vector<CellResult>& results, TimingMode shown);
// The header's "clocks": "SM clock locked at 1590 MHz" or "free (why)".
std::string clocks_line(const nlohmann::json& clocks);

// The cells' wall time, and its split summed over the cells that recorded one.
struct SweepWall {
  double wall_s = 0;
  WallSplit split;
  int cells_with_split = 0;
};
SweepWall sweep_wall(const std::vector<CellResult>& results);
// "Wall time: 4.0 s in cells: inputs 0.5 s, ..."; "" when no cell recorded a split.
std::string wall_line(const std::vector<CellResult>& results);

}  // namespace attnsweep
