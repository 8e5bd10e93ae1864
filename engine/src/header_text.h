#pragma once
// A result file's header, and what every report says of how it was timed, as the reports print
// them (report.cpp).
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "attnsweep/engine/result.h"

namespace attnsweep {

struct ResultFile;

// Where the results come from and where they ran, as (label, value) lines: GPU or device, driver
// and runtime versions, CPU, host, build, date, executor, the ranks, share, merged files and mixed
// device models when the header has them, the device's peak (one device only), how the times were
// taken (`shown` first), the steady state and the clocks; for an imported table, its source and what it said. The
// Markdown report prints them as "- **Label:** value", the HTML report as a table.
std::vector<std::pair<std::string, std::string>> environment_lines(const ResultFile& f, TimingMode shown);

// A field of a JSON object as text: "" when absent or null, numbers and booleans as JSON writes them.
std::string text_of(const nlohmann::json& j, const char* key);

// The device the results were measured on: its name from the environment (GPU or CPU), or what an
// imported table said; "" when unknown.
std::string device_name(const nlohmann::json& header);

// The device models the header says the cells were measured on ("mixed_devices"), when more than
// one; empty otherwise.
std::vector<std::string> mixed_devices(const nlohmann::json& header);

// What a table said of where it ran (header.source.details, [[label, value], ...]), by label; "" if not said.
std::string header_detail(const nlohmann::json& header, std::string_view label);

// "cold: one launch per sample after the last-level cache is flushed (also in the file: batch)",
// and how many cells show another mode for want of a time in `shown`.
std::string times_line(const std::vector<CellResult>& results, TimingMode shown);
// The header's "clocks": "SM clock locked at 1590 MHz" or "free (why)".
std::string clocks_line(const nlohmann::json& clocks);

// The rows of the CSV report and of the JSON report's table: one per cell and timing mode, cold
// first, each with its pct_of_peak; a cell without times has one row, its mode empty.
std::vector<CellResult> export_rows(const ResultFile& f);

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
