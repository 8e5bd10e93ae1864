#pragma once
// Sweep specs shipped with the program (resources/presets/*.json), embedded into the binary at
// build time so they work from any install location.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace attnsweep {

std::vector<std::string> preset_names();  // sorted, e.g. "demo-cpu", "fa3-paper", "seed", "smoke"
std::optional<std::string> preset_json(std::string_view name);  // the spec's JSON text; nullopt if unknown

}  // namespace attnsweep
