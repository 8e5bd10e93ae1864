// compare: two result files, cell by cell, with verdicts a CI job can fail on.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>

#include "attnsweep/engine/compare.h"
#include "attnsweep/engine/compare_report.h"
#include "attnsweep/engine/open_results.h"
#include "attnsweep/engine/report.h"
#include "commands.h"

namespace attnsweep::cli {

namespace {

// "2%" or "2": a percentage, as a fraction.
std::optional<double> parse_percent(std::string text) {
  if (!text.empty() && text.back() == '%') text.pop_back();
  std::size_t used = 0;
  double value = 0;
  try {
    value = std::stod(text, &used);
  } catch (const std::exception&) {
    return std::nullopt;
  }
  if (used != text.size() || !(value >= 0 && value < 100)) return std::nullopt;
  return value / 100;
}

bool color_wanted(const OutputArgs& out) {
  const char* no_color = std::getenv("NO_COLOR");
  return to_stdout(out) && ::isatty(STDOUT_FILENO) && !(no_color && *no_color);
}

}  // namespace

int compare_command(const CompareArgs& args) {
  const std::optional<CompareFormat> format = parse_compare_format(args.format);
  if (!format) {
    print_error("--format: must be text, md, csv, json or html (got '" + args.format + "')");
    return kExitUsage;
  }
  CompareOptions options;
  if (const auto threshold = parse_percent(args.threshold)) {
    options.threshold = *threshold;
  } else {
    print_error("--threshold: must be a percentage from 0 to under 100, e.g. 2% (got '" + args.threshold + "')");
    return kExitUsage;
  }
  if (!args.mode.empty()) {
    options.mode = parse_timing_mode(args.mode);
    if (!options.mode) {
      print_error("--mode: must be cold, batch or unstated (got '" + args.mode + "')");
      return kExitUsage;
    }
  }
  FailOn fail_on;
  try {
    fail_on = parse_fail_on(args.fail_on, true);
  } catch (const std::invalid_argument& e) {
    print_error(e.what());
    return kExitUsage;
  }

  if (!may_write(args.out)) return kExitUsage;
  ResultFile base, now;
  try {
    base = open_results(args.base_path);
    now = open_results(args.new_path);
  } catch (const std::exception& e) {
    print_error(e.what());
    return kExitUsage;
  }
  for (const std::string& w : base.warnings) print_note("warning: BASE: " + w);
  for (const std::string& w : now.warnings) print_note("warning: NEW: " + w);

  const Comparison comparison = compare(base, now, options);
  const ComparedRuns runs{args.base_path, args.new_path, describe_environment(base.header),
                          describe_environment(now.header)};
  const bool color = *format == CompareFormat::text && color_wanted(args.out);
  const std::string text = render_comparison(comparison, runs, *format, color);
  if (color) {
    std::cout << text << std::flush;  // the text form shows names from files escaped already
  } else if (const int code = write_output(args.out, text); code != kExitOk) {
    return code;
  } else if (!to_stdout(args.out)) {
    print_note("wrote " + args.out.path);
  }

  int failing = 0;
  for (const CellComparison& c : comparison.cells) failing += fails(fail_on, c);
  if (failing > 0) {
    print_note("compare: " + std::to_string(failing) + " cell(s) fail --fail-on " + args.fail_on);
    return kExitRuntime;
  }
  return kExitOk;
}

}  // namespace attnsweep::cli
