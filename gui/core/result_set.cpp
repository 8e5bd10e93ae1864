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

}  // namespace attnsweep::gui
