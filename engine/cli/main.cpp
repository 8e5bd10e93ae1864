// attnsweep-cli: the headless engine. Subcommands: list, validate, run, report, import, compare, merge, worker.
#include <CLI/CLI.hpp>
#include <iostream>
#include <new>

#include "attnsweep/engine/environment.h"
#include "commands.h"

namespace {

// A first word that is no subcommand gets the nearest one named, before CLI11's generic message.
bool refuse_unknown_command(const CLI::App& app, int argc, char** argv) {
  if (argc < 2 || argv[1][0] == '-') return false;
  std::vector<std::string> names;
  for (const CLI::App* sub : app.get_subcommands({})) names.push_back(sub->get_name());
  const std::string word = argv[1];
  if (std::find(names.begin(), names.end(), word) != names.end()) return false;
  std::string known;
  for (const std::string& n : names) known += (known.empty() ? "" : ", ") + n;
  const std::string hint = attnsweep::cli::did_you_mean(word, names);
  attnsweep::cli::print_error("unknown command '" + word + "'" + (hint.empty() ? "" : "; " + hint) +
                              " (commands: " + known + "; see --help)");
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace attnsweep::cli;
  CLI::App app{"attnsweep-cli: benchmark attention-forward kernels (CPU and CUDA), headless"};
  app.require_subcommand(1);
  app.set_version_flag("--version", attnsweep::version_text("attnsweep-cli") + "\n" + mpi_support_text(),
                       "Print the version, the git commit and whether it runs sweeps over MPI");

  std::string list_what;
  auto* list = app.add_subcommand("list", "List kernels, presets or devices");
  list->add_option("what", list_what, "kernels | presets | devices")->required();

  std::string validate_path;
  auto* validate = app.add_subcommand("validate", "Check a sweep spec and say what it would run");
  validate->add_option("spec", validate_path, "Spec file (JSON)")->required();

  RunArgs run_args;
  auto* run = app.add_subcommand("run", "Run a sweep and append every finished cell to a result file");
  auto* preset_opt = run->add_option("--preset", run_args.preset, "Built-in spec (see: list presets)");
  run->add_option("--spec", run_args.spec_path, "Spec file (JSON)")->excludes(preset_opt);
  run->add_option("--backend", run_args.backend, "auto | cpu | cuda (auto: cuda when a GPU is present)");
  run->add_option("--kernels", run_args.kernels, "Only these kernels (replaces the spec's list)")->delimiter(',');
  run->add_option("--out,-o", run_args.out_path, "Result file (JSON Lines); default <name>-<time>.jsonl");
  run->add_flag("--resume", run_args.resume, "Continue the sweep in --out, skipping finished cells");
  run->add_flag("--force", run_args.force, "Replace an existing --out file with a fresh sweep");
  run->add_flag("--in-process", run_args.in_process, "Run CUDA work in this process, not a worker");
  run->add_option("--devices", run_args.devices,
                  "CUDA devices: all | 0,1,... (default 0; under MPI, each rank takes one of its host's by its "
                  "place there)");
  run->add_option("--worker-command", run_args.worker_command,
                  "Worker command, split into words as a shell would (quotes keep spaces), e.g. "
                  "'ssh gpu attnsweep-cli worker --device {device}' (runs cells in workers)");
  run->add_flag("--quiet,-q", run_args.quiet, "No progress output");
  run->add_option("--provider", run_args.providers, "Provider file (JSON) offering more kernels (docs/providers.md)");
  run->add_flag("--mpi", run_args.mpi,
                "One rank of an MPI job (mpirun -np N attnsweep-cli run ...; detected without it): rank 0 hands "
                "the cells out and writes the one result file (docs/mpi.md)");
  run->add_option("--shard", run_args.shard,
                  "K/N: run only share K of N of the cells (a job array's task); join the shares with merge");

  std::vector<std::string> merge_inputs;
  std::string merge_out;
  bool merge_force = false;
  auto* merge = app.add_subcommand("merge", "Join result files of one spec (the shares of run --shard) into one");
  merge->add_option("results", merge_inputs, "Result files (JSON Lines) of one spec")->required();
  merge->add_option("-o,--out", merge_out, "Result file to write (written whole, then renamed into place)")->required();
  merge->add_flag("--force", merge_force, "Replace an existing output file");
  run->add_option("--lock-clocks", run_args.lock_clocks,
                  "Lock the SM clock of the CUDA devices for the sweep: base (the clock the card holds under "
                  "load) or MHz; reset when the sweep ends. Default: free clocks");
  run->add_option("--fail-on", run_args.fail_on,
                  "Exit 1 when a cell of the file ends in one of these statuses: wrong, crashed, timeout, error, oom, "
                  "unsupported, skipped (comma-separated)");

  std::string worker_backend = "cuda";
  int worker_device = 0;
  auto* worker =
      app.add_subcommand("worker", "Measure cells requested on stdin (JSON lines; see docs/worker-protocol.md)");
  worker->add_option("--backend", worker_backend, "cpu | cuda");
  worker->add_option("--device", worker_device, "CUDA device ordinal");

  std::string report_path, report_format = "md", report_mode, report_baseline;
  OutputArgs report_out;
  auto* report = app.add_subcommand("report", "Write a report (Markdown, CSV, JSON or HTML) of results");
  report
      ->add_option("results", report_path,
                   "Results: a result file (JSON Lines), or a JSON, CSV or Markdown "
                   "report, or the seed's Markdown table")
      ->required();
  report->add_option("--format,-f", report_format, "md | csv | json | html");
  report->add_option("-o,--out", report_out.path, "Output file; - or none: standard output");
  report->add_flag("--force", report_out.force, "Replace an existing output file");
  report->add_option("--mode", report_mode,
                     "cold | batch | unstated: the timing mode the table shows (default: cold "
                     "where the file has cold times)");
  report->add_option("--baseline", report_baseline,
                     "A kernel of the results: the table gets every cell's speedup against it (same tier, dtype "
                     "and mask); md, html and json");

  std::string import_path;
  OutputArgs import_out;
  auto* import = app.add_subcommand("import", "Convert a report or the seed's Markdown table into a result file");
  import->add_option("source", import_path, "A JSON, CSV or Markdown report, or the seed's Markdown table")->required();
  import->add_option("-o,--out", import_out.path, "Result file to write; -: standard output")->required();
  import->add_flag("--force", import_out.force, "Replace an existing output file");

  CompareArgs compare_args;
  auto* compare = app.add_subcommand("compare", "Compare two result files cell by cell: same, faster, slower, noisy, "
                                                "status-changed, missing, new (docs/compare.md)");
  compare->add_option("base", compare_args.base_path, "The run to compare against (any file report reads)")->required();
  compare->add_option("new", compare_args.new_path, "The run to judge")->required();
  compare->add_option("--threshold", compare_args.threshold,
                      "The smallest change of a median called faster or slower, in percent (default 2%)");
  compare->add_option("--fail-on", compare_args.fail_on,
                      "Exit 1 when a cell has one of these verdicts (slower, faster, noisy, status-changed, missing, "
                      "new) or ends in one of these statuses in NEW (wrong, crashed, timeout, error, oom, ...)");
  compare->add_option("--format,-f", compare_args.format, "text | md | csv | json | html");
  compare->add_option("--mode", compare_args.mode, "cold | batch | unstated: the timing mode compared (default: cold "
                                                   "where BASE has cold times)");
  compare->add_option("-o,--out", compare_args.out.path, "Output file; - or none: standard output");
  compare->add_flag("--force", compare_args.out.force, "Replace an existing output file");

  if (refuse_unknown_command(app, argc, argv)) return kExitUsage;
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // CLI11 prints help for --help (exit 0) and a message naming the option otherwise.
    const int code = app.exit(e);
    return code == 0 ? kExitOk : kExitUsage;
  }

  // Every command reports its own errors; this catches what none expected (out of memory), so the
  // program never ends in an uncaught exception.
  try {
    if (*list) return list_command(list_what);
    if (*validate) return validate_command(validate_path);
    if (*run) return run_command(run_args);
    if (*report) return report_command(report_path, report_format, report_out, report_mode, report_baseline);
    if (*import) return import_command(import_path, import_out);
    if (*compare) return compare_command(compare_args);
    if (*merge) return merge_command(merge_inputs, merge_out, merge_force);
    if (*worker) return worker_main(worker_backend, worker_device);
  } catch (const std::bad_alloc&) {
    print_error("out of memory");
    return kExitRuntime;
  } catch (const std::exception& e) {
    return print_failure(e);
  }
  return kExitUsage;
}
