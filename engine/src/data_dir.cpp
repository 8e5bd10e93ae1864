#include "attnsweep/engine/data_dir.h"

#include <cstdlib>

namespace attnsweep {

namespace fs = std::filesystem;

namespace {

// Linux names the running program's file here, wherever it was started from.
fs::path running_executable() {
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  return ec ? fs::path() : exe;
}

}  // namespace

fs::path data_dir() {
  std::error_code ec;
  if (const fs::path exe = running_executable(); !exe.empty()) {
    // ATTNSWEEP_DATA_DIR_FROM_BINDIR: the installed data directory relative to the installed
    // programs' directory, e.g. "../share/attnsweep" (engine/CMakeLists.txt).
    const fs::path installed = (exe.parent_path() / ATTNSWEEP_DATA_DIR_FROM_BINDIR).lexically_normal();
    if (fs::is_directory(installed, ec)) return installed;
  }
  if (const char* refuse = std::getenv("ATTNSWEEP_NO_SOURCE_TREE"); refuse && *refuse) return {};
  const fs::path source = ATTNSWEEP_SOURCE_DIR;
  if (fs::is_directory(source / "resources", ec)) return source;
  return {};
}

}  // namespace attnsweep
