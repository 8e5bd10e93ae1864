// validate, report and import: commands that read a file and write another.
#include <unistd.h>

#include <stdexcept>

#include <iostream>

#include "attnsweep/engine/files.h"
#include "attnsweep/engine/format.h"
#include "attnsweep/engine/open_results.h"
#include "attnsweep/engine/report.h"
#include "attnsweep/engine/spec.h"
#include "attnsweep/engine/store.h"
#include "commands.h"

namespace attnsweep::cli {

void print_error(const std::string& text) { std::cerr << "attnsweep-cli: " << printable_text(text) << "\n"; }

void print_note(const std::string& text) { std::cerr << printable_text(text) << "\n"; }

int print_failure(const std::exception& e) {
  print_error(e.what());
  return dynamic_cast<const std::invalid_argument*>(&e) ? kExitUsage : kExitRuntime;
}

namespace {

constexpr const char* kHowToReplace = "replace it with --force";

}  // namespace

bool to_stdout(const OutputArgs& out) { return out.path.empty() || out.path == "-"; }

bool may_write(const OutputArgs& out) {
  if (to_stdout(out)) return true;
  try {
    check_output_path(out.path, out.force, kHowToReplace);
  } catch (const std::exception& e) {
    print_error(e.what());
    return false;
  }
  return true;
}

int write_output(const OutputArgs& out, const std::string& text) {
  if (to_stdout(out)) {
    std::cout << (::isatty(STDOUT_FILENO) ? printable_lines(text) : text) << std::flush;
    if (!std::cout) {
      print_error("standard output: cannot write");
      return kExitRuntime;
    }
    return kExitOk;
  }
  try {
    write_output_file(out.path, text, out.force, kHowToReplace);
  } catch (const std::exception& e) {
    print_error(e.what());
    return kExitRuntime;
  }
  return kExitOk;
}

int validate_command(const std::string& spec_path) {
  std::string text;
  try {
    text = read_input_file(spec_path, kMaxSpecBytes);
  } catch (const std::exception& e) {
    print_error(e.what());
    return kExitUsage;
  }
  const SpecParseResult parsed = parse_spec(text);
  if (!parsed.errors.empty()) {
    print_note(spec_path + ": " + std::to_string(parsed.errors.size()) + " problem(s):");
    for (const SpecError& e : parsed.errors) print_note("  " + e.to_string());
    return kExitUsage;
  }
  const SweepSpec& s = *parsed.spec;
  std::cout << printable_text(spec_path + ": valid spec '" + s.name + "': ") << s.kernels.size() << " kernel(s) x "
            << s.tiers.size() << " tier(s) x " << s.dtypes.size() << " dtype(s) x " << s.causal.size()
            << " causal setting(s) = " << s.kernels.size() * s.tiers.size() * s.dtypes.size() * s.causal.size()
            << " cells\n";
  return kExitOk;
}

int report_command(const std::string& results_path, const std::string& format, const OutputArgs& out,
                   const std::string& mode_name, const std::string& baseline) {
  const std::optional<ReportFormat> report_format = parse_report_format(format);
  if (!report_format) {
    print_error("--format: must be md, csv, json or html (got '" + format + "')");
    return kExitUsage;
  }
  std::optional<TimingMode> mode;
  if (!mode_name.empty()) {
    mode = parse_timing_mode(mode_name);
    if (!mode) {
      print_error("--mode: must be cold, batch or unstated (got '" + mode_name + "')");
      return kExitUsage;
    }
  }
  if (!may_write(out)) return kExitUsage;
  ResultFile file;
  try {
    file = open_results(results_path);
  } catch (const std::exception& e) {
    print_error(e.what());
    return kExitUsage;
  }
  for (const std::string& w : file.warnings) print_note("warning: " + w);
  std::string text;
  try {
    text = render_report(file, *report_format, mode, baseline);
  } catch (const std::invalid_argument& e) {
    print_error(e.what());
    return kExitUsage;
  }
  const int code = write_output(out, text);
  if (code == kExitOk && !to_stdout(out)) print_note("wrote " + out.path);
  return code;
}

int import_command(const std::string& source_path, const OutputArgs& out) {
  if (!may_write(out)) return kExitUsage;
  ResultFile imported;
  try {
    imported = open_results(source_path);
  } catch (const std::exception& e) {
    print_error(e.what());
    return kExitUsage;
  }
  for (const std::string& w : imported.warnings) print_note("warning: " + w);
  std::string text;
  try {
    text = result_file_text(imported, out.path);
  } catch (const std::exception& e) {
    print_error(e.what());
    return kExitRuntime;
  }
  // Written whole or not at all: an import cut short leaves no file that looks complete.
  const int code = write_output(out, text);
  if (code == kExitOk)
    print_note("imported " + std::to_string(imported.results.size()) + " cells from " + source_path + " into " +
               (to_stdout(out) ? std::string("standard output") : out.path));
  return code;
}

}  // namespace attnsweep::cli
