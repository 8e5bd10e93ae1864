#pragma once
// Results as the views see them: one opened file or one live run. The engine opens every format
// (attnsweep/engine/open_results.h); this only adds the name titles show.
#include <string>

#include "attnsweep/engine/store.h"

namespace attnsweep::gui {

struct ResultSet : ResultFile {
  std::string name;  // what titles show: the file name, or the live run's spec name
  std::string path;
};

// Throws std::runtime_error("<path>: <what is wrong>") (the engine's open_results).
ResultSet load_result_set(const std::string& path);

}  // namespace attnsweep::gui
