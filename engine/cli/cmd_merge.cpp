// merge: join result files of one spec (the shares of run --shard) into one.
#include <iostream>

#include "attnsweep/engine/merge.h"
#include "commands.h"

namespace attnsweep::cli {

namespace {

constexpr std::size_t kListed = 10;  // duplicates or missing cells named; then a count

void print_list(const std::string& title, const std::vector<std::string>& items) {
  if (items.empty()) return;
  std::cerr << title << ":\n";
  for (std::size_t i = 0; i < items.size() && i < kListed; ++i) std::cerr << "  " << items[i] << "\n";
  if (items.size() > kListed) std::cerr << "  ... and " << items.size() - kListed << " more\n";
}

}  // namespace

int merge_command(const std::vector<std::string>& inputs, const std::string& out_path) {
  MergeOutcome outcome;
  try {
    outcome = merge_result_files(inputs, out_path);
  } catch (const std::exception& e) {
    return print_failure(e);
  }
  for (const std::string& w : outcome.warnings) std::cerr << "warning: " << w << "\n";
  print_list(std::to_string(outcome.duplicates.size()) + " cell(s) in more than one file", outcome.duplicates);
  print_list(std::to_string(outcome.missing.size()) + " planned cell(s) in no file", outcome.missing);
  std::cerr << "merged " << outcome.cells << " cells";
  if (outcome.planned) std::cerr << " of the " << outcome.planned << " the spec plans";
  std::cerr << " from " << inputs.size() << " file(s) into " << out_path << "\n";
  return kExitOk;
}

}  // namespace attnsweep::cli
