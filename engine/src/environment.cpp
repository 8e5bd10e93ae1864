#include "attnsweep/engine/environment.h"

#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <fstream>
#include <string>
#include <thread>

#include "attnsweep/engine/peaks.h"

#ifndef ATTNSWEEP_VERSION
#define ATTNSWEEP_VERSION "unknown"
#endif
#ifndef ATTNSWEEP_GIT_COMMIT
#define ATTNSWEEP_GIT_COMMIT "unknown"
#endif

namespace attnsweep {

namespace {

std::string compiler() {
#if defined(__clang__)
  return std::string("clang ") + __clang_version__;
#elif defined(__GNUC__)
  return std::string("gcc ") + __VERSION__;
#else
  return "unknown";
#endif
}

// Optimisation and assertions are what matter about a build for timing; CMake's build type
// name is not visible to the code.
std::string build_type() {
#if defined(__OPTIMIZE__) && defined(NDEBUG)
  return "optimized";
#elif defined(__OPTIMIZE__)
  return "optimized, assertions on";
#else
  return "debug (not optimized)";
#endif
}

std::string host_name() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0) return "unknown";
  return buf;
}

std::string os_name() {
  utsname u{};
  if (::uname(&u) != 0) return "unknown";
  return std::string(u.sysname) + " " + u.release + " " + u.machine;
}

// The first "model name" of /proc/cpuinfo (x86), else its "Hardware" or "CPU part" line (Arm).
std::string cpu_model() {
  std::ifstream in("/proc/cpuinfo");
  std::string line, fallback;
  while (std::getline(in, line)) {
    const auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string key = line.substr(0, colon);
    while (!key.empty() && (key.back() == ' ' || key.back() == '\t')) key.pop_back();
    std::string value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.erase(0, 1);
    if (key == "model name" && !value.empty()) return value;
    if ((key == "Hardware" || key == "CPU part") && fallback.empty()) fallback = value;
  }
  return fallback.empty() ? "unknown" : fallback;
}

}  // namespace

std::string build_id() {
  std::string id = std::string(ATTNSWEEP_VERSION) + "+" + ATTNSWEEP_GIT_COMMIT;
#if !defined(__OPTIMIZE__)
  id += "-debug";
#endif
  return id;
}

std::string version_text(std::string_view program) {
  std::string text = std::string(program) + " " + ATTNSWEEP_VERSION + " (git " + ATTNSWEEP_GIT_COMMIT;
#if !defined(__OPTIMIZE__)
  text += ", debug build";
#endif
  return text + ")";
}

std::vector<std::string> device_names_of(const std::vector<nlohmann::json>& environments) {
  std::vector<std::string> names;
  for (const nlohmann::json& env : environments) {
    if (!env.is_object() || !env.contains("device") || !env["device"].is_object()) continue;
    const nlohmann::json name = env["device"].value("name", nlohmann::json());
    if (name.is_string() && std::find(names.begin(), names.end(), name.get<std::string>()) == names.end())
      names.push_back(name.get<std::string>());
  }
  return names;
}

std::string utc_now_iso8601() {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm utc{};
  gmtime_r(&now, &utc);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return buf;
}

nlohmann::json capture_environment(const Device* device) {
  nlohmann::json env;
  env["host"] = host_name();
  env["os"] = os_name();
  env["cpu_model"] = cpu_model();
  env["cpu_cores"] = std::thread::hardware_concurrency();  // logical cores; 0 when unknown
  const long pages = ::sysconf(_SC_PHYS_PAGES), page_size = ::sysconf(_SC_PAGE_SIZE);
  if (pages > 0 && page_size > 0) env["memory_bytes"] = static_cast<std::uint64_t>(pages) * page_size;
  env["date"] = utc_now_iso8601();
  env["build_id"] = build_id();
  env["version"] = ATTNSWEEP_VERSION;
  env["git_commit"] = ATTNSWEEP_GIT_COMMIT;
  env["build_type"] = build_type();
  env["compiler"] = compiler();
  if (device) {
    const DeviceInfo& info = device->info();
    nlohmann::json d;
    for (const auto& [key, value] : info.facts) d[key] = value;
    // The identity fields win over a fact of the same name.
    d["backend"] = std::string(backend_name(info.backend));
    d["ordinal"] = info.ordinal;
    d["name"] = info.name;
    d["peak"] = peak_to_json(device_peak(d));
    env["device"] = std::move(d);
  }
  return env;
}

}  // namespace attnsweep
