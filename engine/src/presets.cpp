// Presets are the JSON files of resources/presets, embedded at build time (engine/presets.cmake).
#include "attnsweep/engine/presets.h"

#include <algorithm>
#include <utility>

namespace attnsweep {

namespace detail {
// Defined in the source engine/presets.cmake generates: {file name without .json, file text}.
std::vector<std::pair<std::string_view, std::string_view>> embedded_presets();
}  // namespace detail

std::vector<std::string> preset_names() {
  std::vector<std::string> names;
  for (const auto& [name, text] : detail::embedded_presets()) names.emplace_back(name);
  std::sort(names.begin(), names.end());
  return names;
}

std::optional<std::string> preset_json(std::string_view name) {
  for (const auto& [preset, text] : detail::embedded_presets())
    if (preset == name) return std::string(text);
  return std::nullopt;
}

}  // namespace attnsweep
