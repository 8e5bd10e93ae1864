#pragma once
// Where and with what a sweep ran: written into the result file's header.
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "attnsweep/kernels/device.h"

namespace attnsweep {

// host, cpu model, cores, os, date (UTC ISO 8601), build id (version + git commit + build type),
// compiler, and the device's facts.
nlohmann::json capture_environment(const Device* device);
std::string build_id();
// What `--version` prints in both programs: "attnsweep-cli 0.1.0 (git aa9bcfa1ee4f)".
std::string version_text(std::string_view program);
std::string utc_now_iso8601();

}  // namespace attnsweep
