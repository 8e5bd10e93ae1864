#pragma once
// JSON form of cells and results: one place, used by the store, the reports, the worker
// protocol and the GUI, so they all read and write the same records.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "attnsweep/engine/result.h"

namespace attnsweep {

nlohmann::json cell_to_json(const Cell& c);
Cell cell_from_json(const nlohmann::json& j);          // throws std::runtime_error naming the field
nlohmann::json result_to_json(const CellResult& r);    // {"type":"cell", ...}
CellResult result_from_json(const nlohmann::json& j);  // throws std::runtime_error naming the field

}  // namespace attnsweep
