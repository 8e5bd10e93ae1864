#pragma once
// Opens any file of results the app and attnsweep-cli read, by what it holds: the engine's JSON
// Lines, a JSON report, a CSV report, or a Markdown table (a report, a copied table, the seed's).
#include <string>

#include "attnsweep/engine/store.h"

namespace attnsweep {

// Throws std::runtime_error("<path>: <what is wrong>"): which file, which line, what was expected.
ResultFile open_results(const std::string& path);

}  // namespace attnsweep
