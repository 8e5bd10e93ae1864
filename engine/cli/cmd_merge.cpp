// merge: join result files of one spec (the shares of run --shard) into one.
#include <iostream>

#include "attnsweep/engine/files.h"
#include "attnsweep/engine/merge.h"
#include "commands.h"

namespace attnsweep::cli {

namespace {

constexpr std::size_t kListed = 10;  // duplicates or missing cells named; then a count

void print_list(const std::string& title, const std::vector<std::string>& items) {
  if (items.empty()) return;
  std::cerr << title << ":\n";
  for (std::size_t i = 0; i < items.size() && i < kListed; ++i) print_note("  " + items[i]);
  if (items.size() > kListed) std::cerr << "  ... and " << items.size() - kListed << " more\n";
}

}  // namespace

int merge_command(const std::vector<std::string>& inputs, const std::string& out_path, bool force) {
  // Refused as report -o and import -o refuse it: a usage error, before any input is read.
  try {
    check_output_path(out_path, force, "replace it with --force");
  } catch (const std::exception& e) {
    print_error(e.what());
    return kExitUsage;
  }
  MergeOutcome outcome;
  try {
    outcome = merge_result_files(inputs, out_path, force);
  } catch (const std::exception& e) {
    return print_failure(e);
  }
  for (const std::string& w : outcome.warnings) print_note("warning: " + w);
  print_list(std::to_string(outcome.duplicates.size()) + " cell(s) in more than one file", outcome.duplicates);
  print_list(std::to_string(outcome.missing.size()) + " planned cell(s) in no file", outcome.missing);
  std::cerr << "merged " << outcome.cells << " cells";
  if (outcome.planned) std::cerr << " of the " << outcome.planned << " the spec plans";
  std::cerr << " from " << inputs.size() << " file(s) into " << out_path << "\n";
  return kExitOk;
}

}  // namespace attnsweep::cli
