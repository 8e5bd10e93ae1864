#include "core/result_set.h"

#include <filesystem>

#include "attnsweep/engine/open_results.h"

namespace attnsweep::gui {

ResultSet load_result_set(const std::string& path) {
  ResultSet set;
  static_cast<ResultFile&>(set) = open_results(path);
  set.path = path;
  set.name = std::filesystem::path(path).filename().string();
  return set;
}

std::optional<double> peak_tflops(const nlohmann::json& header, DType dtype) {
  if (header.is_object() && header.contains("mixed_devices")) return std::nullopt;  // no one peak for several models
  const std::string dump = header.is_object() && header.contains("environment") ? header["environment"].dump() : "";
  if (dump.find("H100") == std::string::npos) return std::nullopt;
  switch (dtype) {
    case DType::bf16: return 796;
    case DType::fp16: return 751;
    case DType::tf32: return 360;
    case DType::fp32: return 51;
  }
  return std::nullopt;
}

}  // namespace attnsweep::gui
