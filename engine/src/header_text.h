#pragma once
// A result file's header as the reports print it (report.cpp).
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace attnsweep {

// A field of a JSON object as text: "" when absent or null, numbers and booleans as JSON writes them.
std::string text_of(const nlohmann::json& j, const char* key);

// What a table said of where it ran (header.source.details, [[label, value], ...]), by label; "" if not said.
std::string header_detail(const nlohmann::json& header, std::string_view label);

}  // namespace attnsweep
