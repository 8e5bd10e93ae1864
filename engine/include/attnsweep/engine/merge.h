#pragma once
// Joins result files of one spec into one: the shares of `run --shard K/N` (a Slurm job array's
// tasks), or any runs of the same spec. Files of different specs are refused; a cell found in more
// than one file is reported, and the later file's record kept (the store's rule for a cell run
// again).
#include <string>
#include <vector>

namespace attnsweep {

struct MergeOutcome {
  std::size_t cells = 0;                // in the merged file
  std::size_t planned = 0;              // cells the spec plans (0 when the spec does not parse here)
  std::vector<std::string> duplicates;  // "<id>: in A and B (B's record kept)"
  std::vector<std::string> missing;     // ids the spec plans that no file holds
  std::vector<std::string> warnings;    // the inputs' read warnings, and why nothing is missing-checked
};

// Reads every input, checks that they hold the same spec, and writes `out_path` whole (write, sync,
// rename); an existing `out_path` (an input, say) is replaced only when `replace` is true. Its header is the first input's with the share removed and "merged" added (each
// input's file, share, executor, start and environment), plus "mixed_devices" when the inputs ran
// on more than one model. Throws std::invalid_argument for inputs that cannot be merged (no
// spec, another spec: naming the file and the first difference) and std::runtime_error for I/O.
MergeOutcome merge_result_files(const std::vector<std::string>& inputs, const std::string& out_path,
                                bool replace = false);

}  // namespace attnsweep
