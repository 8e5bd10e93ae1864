#pragma once
// Where and with what a sweep ran: written into the result file's header.
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "attnsweep/kernels/device.h"

namespace attnsweep {

// host, cpu model, cores, os, date (UTC ISO 8601), build id (version + git commit + build type),
// compiler, and the device's facts.
nlohmann::json capture_environment(const Device* device);
std::string build_id();
// What `--version` prints in both programs: "attnsweep-cli 0.1.0 (git aa9bcfa1ee4f)".
std::string version_text(std::string_view program);
// The distinct device names ("device":{"name"}) of several environments, in first-seen order: more
// than one means the results were measured on different models.
std::vector<std::string> device_names_of(const std::vector<nlohmann::json>& environments);
std::string utc_now_iso8601();

}  // namespace attnsweep
