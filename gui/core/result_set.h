#pragma once
// Results as the views see them: one opened file or one live run. Opening accepts the engine's
// JSON Lines, a JSON report, and the seed's Markdown table, and fails with a message a user can
// act on (which file, which line, what was expected), never a crash.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "attnsweep/engine/result.h"

namespace attnsweep::gui {

struct ResultSet {
  std::string name;  // what titles show: the file name, or the live run's spec name
  std::string path;
  nlohmann::json header = nlohmann::json::object();
  std::vector<CellResult> results;
  std::vector<std::string> warnings;
};

// Throws std::runtime_error("<path>: <what is wrong>").
ResultSet load_result_set(const std::string& path);

// One line about where the results were measured: "NVIDIA H100 80GB HBM3 · cuda · 2026-11-25".
std::string describe_environment(const nlohmann::json& header);

}  // namespace attnsweep::gui
