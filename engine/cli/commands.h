#pragma once
// The subcommands of attnsweep-cli. Each returns the process exit code:
// 0 the work ran (a sweep with oom/unsupported cells still ran), 2 bad usage or spec, 1 runtime failure.
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
  bool force = false;                     // a fresh sweep may replace an existing out_path
  bool in_process = false;                // CUDA work in this process instead of a worker
  std::string devices = "0";              // CUDA devices: all | 0,1,...
  std::string worker_command;             // worker argv, "{device}" replaced (default: this program's `worker`)
  std::vector<std::string> providers;     // extra provider files (docs/providers.md)
  std::string lock_clocks;                // "" free clocks; "base" or an SM clock in MHz to lock at
  bool quiet = false;
};
int run_command(const RunArgs& args);

// The worker end of the worker protocol (docs/worker-protocol.md) on standard input/output.
int worker_main(const std::string& backend, int device);

// Where report and import write: a file, never replacing one without --force; "-" (and, for
// report, nothing) means standard output.
struct OutputArgs {
  std::string path;
  bool force = false;
};
// `mode`: the timing mode the Markdown and HTML tables and the JSON summary show ("" for the default).
int report_command(const std::string& results_path, const std::string& format, const OutputArgs& out,
                   const std::string& mode);
int import_command(const std::string& source_path, const OutputArgs& out);

// Prints an error the way every command does: "attnsweep-cli: <text>" on stderr, with control
// characters escaped (names and messages come from files and workers).
void print_error(const std::string& text);
// A line for people on stderr, escaped the same way.
void print_note(const std::string& text);

}  // namespace attnsweep::cli
