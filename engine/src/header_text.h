#pragma once
// A result file's header as the reports print it (report.cpp).
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace attnsweep {

struct ResultFile;

// Where the results come from and where they ran, as (label, value) lines: GPU or device, driver
// and runtime versions, CPU, host, build, date, executor, the ranks, share, merged files and mixed
// device models when the header has them, cache; for an imported table, its source
// and what it said. The Markdown report prints them as "- **Label:** value", the HTML report as a table.
std::vector<std::pair<std::string, std::string>> environment_lines(const ResultFile& f);

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

}  // namespace attnsweep
