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
// Reads a record's fields; throws std::runtime_error naming a field that is missing or mistyped.
// Whether the measurement is possible is result_problem's to say (result.h).
CellResult read_result_json(const nlohmann::json& j);
// read_result_json, and throws std::runtime_error naming the rule for an impossible measurement.
CellResult result_from_json(const nlohmann::json& j);

}  // namespace attnsweep
