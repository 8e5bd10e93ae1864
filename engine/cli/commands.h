#pragma once
// The subcommands of attnsweep-cli. Each returns the process exit code:
// 0 the work ran (a sweep with oom/unsupported cells still ran), 2 bad usage or spec, 1 runtime failure
// or a cell that --fail-on names.
#include <optional>
#include <string>
#include <vector>

namespace attnsweep::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitRuntime = 1;
inline constexpr int kExitUsage = 2;

int list_command(const std::string& what);
int validate_command(const std::string& spec_path);

struct RunArgs {
  std::string preset;
  std::string spec_path;
  std::string backend = "auto";           // auto | cpu | cuda
  std::vector<std::string> kernels;       // replaces the spec's kernel list when given
  std::string out_path;                   // default: <spec name>-<UTC time>.jsonl
  bool resume = false;
  bool in_process = false;                // CUDA work in this process instead of a worker
  std::string devices = "0";              // CUDA devices: all | 0,1,...
  std::string worker_command;             // worker argv, "{device}" replaced (default: this program's `worker`)
  std::vector<std::string> providers;     // extra provider files (docs/providers.md)
  std::string lock_clocks;                // "" free clocks; "base" or an SM clock in MHz to lock at
  std::string fail_on;                    // statuses that make the run exit 1 ("wrong,crashed")
  bool quiet = false;
};
int run_command(const RunArgs& args);

// The worker end of the worker protocol (docs/worker-protocol.md) on standard input/output.
int worker_main(const std::string& backend, int device);

// `mode`: the timing mode the Markdown and HTML tables and the JSON summary show ("" for the default).
// `baseline`: a kernel of the results whose speedup column the report adds ("" for none).
int report_command(const std::string& results_path, const std::string& format, const std::string& out_path,
                   const std::string& mode, const std::string& baseline);
int import_command(const std::string& source_path, const std::string& out_path);

struct CompareArgs {
  std::string base_path, new_path;  // any files of results the app opens
  std::string threshold = "2%";     // the smallest change called faster or slower
  std::string fail_on;              // verdicts and statuses that make it exit 1 ("slower,wrong")
  std::string format = "text";      // text | md | csv | json | html
  std::string mode;                 // the timing mode compared ("" for the default)
  std::string out_path;             // default: standard output
};
int compare_command(const CompareArgs& args);

// Prints an error the way every command does: "attnsweep-cli: <text>" on stderr.
void print_error(const std::string& text);

}  // namespace attnsweep::cli
