// validate, report and import: commands that read a file and write another.
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>

#include "attnsweep/engine/open_results.h"
#include "attnsweep/engine/report.h"
#include "attnsweep/engine/spec.h"
#include "attnsweep/engine/store.h"
#include "commands.h"

namespace attnsweep::cli {

void print_error(const std::string& text) { std::cerr << "attnsweep-cli: " << text << "\n"; }

int print_failure(const std::exception& e) {
  print_error(e.what());
  return dynamic_cast<const std::invalid_argument*>(&e) ? kExitUsage : kExitRuntime;
}

namespace {

std::optional<std::string> read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

bool write_text(const std::string& path, const std::string& text) {
  if (path.empty() || path == "-") {
    std::cout << text;
    return bool(std::cout);
  }
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  return bool(out);
}

}  // namespace

int validate_command(const std::string& spec_path) {
  const auto text = read_text(spec_path);
  if (!text) {
    print_error(spec_path + ": cannot read the file");
    return kExitUsage;
  }
  const SpecParseResult parsed = parse_spec(*text);
  if (!parsed.errors.empty()) {
    std::cerr << spec_path << ": " << parsed.errors.size() << " problem(s):\n";
    for (const SpecError& e : parsed.errors) std::cerr << "  " << e.to_string() << "\n";
    return kExitUsage;
  }
  const SweepSpec& s = *parsed.spec;
  std::cout << spec_path << ": valid spec '" << s.name << "': " << s.kernels.size() << " kernel(s) x " << s.tiers.size()
            << " tier(s) x " << s.dtypes.size() << " dtype(s) x " << s.causal.size() << " causal setting(s) = "
            << s.kernels.size() * s.tiers.size() * s.dtypes.size() * s.causal.size() << " cells\n";
  return kExitOk;
}

int report_command(const std::string& results_path, const std::string& format, const std::string& out_path,
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
  ResultFile file;
  try {
    file = open_results(results_path);
  } catch (const std::exception& e) {
    print_error(e.what());
    return kExitUsage;
  }
  for (const std::string& w : file.warnings) std::cerr << "warning: " << w << "\n";
  std::string report;
  try {
    report = render_report(file, *report_format, mode, baseline);
  } catch (const std::invalid_argument& e) {
    print_error(e.what());
    return kExitUsage;
  }
  if (!write_text(out_path, report)) {
    print_error(out_path + ": cannot write the report");
    return kExitRuntime;
  }
  if (!out_path.empty() && out_path != "-") std::cerr << "wrote " << out_path << "\n";
  return kExitOk;
}

int import_command(const std::string& source_path, const std::string& out_path) {
  ResultFile imported;
  try {
    imported = open_results(source_path);
  } catch (const std::exception& e) {
    print_error(e.what());
    return kExitUsage;
  }
  for (const std::string& w : imported.warnings) std::cerr << "warning: " << w << "\n";
  try {
    ResultWriter writer = ResultWriter::create(out_path, imported.header);
    for (const CellResult& r : imported.results) writer.append(r);
  } catch (const std::exception& e) {
    print_error(e.what());
    return kExitRuntime;
  }
  std::cerr << "imported " << imported.results.size() << " cells from " << source_path << " into " << out_path << "\n";
  return kExitOk;
}

}  // namespace attnsweep::cli
