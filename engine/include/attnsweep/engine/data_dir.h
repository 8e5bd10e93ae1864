#pragma once
// Where the programs find the files shipped beside them: provider registrations
// (resources/providers) and their scripts (engine/providers), the sample results
// (resources/sample-results) and copies of the presets (resources/presets). They lie below one
// directory, laid out as in the source tree, so a provider file's relative paths hold in both:
//   - an installed copy: <prefix>/share/attnsweep, found from the running executable's own path
//     (<prefix>/bin/...), so a prefix moved elsewhere still works;
//   - a binary run from its build tree: the source tree it was built from, unless the environment
//     sets ATTNSWEEP_NO_SOURCE_TREE (the test of an installed copy does, to prove it needs none).
#include <filesystem>

namespace attnsweep {

// The directory, or an empty path when there is none.
std::filesystem::path data_dir();

}  // namespace attnsweep
