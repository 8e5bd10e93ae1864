#pragma once
// The subcommands of attnsweep-cli. Each returns the process exit code: 0 the work ran (a sweep
// with oom/unsupported cells among its measured ones still ran), 2 bad usage or spec (a sweep of
// which nothing can run on the chosen backend included: it is refused before it starts), 1 runtime
// failure or a cell that --fail-on names, 3 a sweep that ran and measured no cell (each one's status
// is in its file).
#include <exception>
#include <optional>
#include <string>
#include <vector>

namespace attnsweep::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitRuntime = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitNothingMeasured = 3;

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
  std::string devices;                    // CUDA devices: all | 0,1,... ("": 0; under MPI, all of the host's)
  std::string worker_command;             // worker argv, "{device}" replaced (default: this program's `worker`)
  std::vector<std::string> providers;     // extra provider files (docs/providers.md)
  std::string lock_clocks;                // "" free clocks; "base" or an SM clock in MHz to lock at
  std::string fail_on;                    // statuses that make the run exit 1 ("wrong,crashed")
  bool quiet = false;
  bool mpi = false;                       // one rank of an MPI job (also when a launcher's variables say so)
  std::string shard;                      // "K/N": only share K of N of the cells
};
int run_command(const RunArgs& args);
// run as one rank of an MPI job (cmd_run_mpi.cpp).
int run_mpi_command(const RunArgs& args);
// "MPI: yes (<library>)" or "MPI: no (...)": whether this build runs sweeps over MPI.
std::string mpi_support_text();

// Joins result files of one spec (the shares of run --shard) into `out_path`.
int merge_command(const std::vector<std::string>& inputs, const std::string& out_path, bool force);

// The worker end of the worker protocol (docs/worker-protocol.md) on standard input/output.
int worker_main(const std::string& backend, int device);

// Where report and import write: a file, never replacing one without --force; "-" (and, for
// report, nothing) means standard output.
struct OutputArgs {
  std::string path;
  bool force = false;
};
// `mode`: the timing mode the Markdown and HTML tables and the JSON summary show ("" for the default).
// `baseline`: a kernel of the results whose speedup column the report adds ("" for none).
int report_command(const std::string& results_path, const std::string& format, const OutputArgs& out,
                   const std::string& mode, const std::string& baseline);
int import_command(const std::string& source_path, const OutputArgs& out);

struct CompareArgs {
  std::string base_path, new_path;  // any files of results the app opens
  std::string threshold = "2%";     // the smallest change called faster or slower
  std::string fail_on;              // verdicts and statuses that make it exit 1 ("slower,wrong")
  std::string format = "text";      // text | md | csv | json | html
  std::string mode;                 // the timing mode compared ("" for the default)
  OutputArgs out;                   // default: standard output
};
int compare_command(const CompareArgs& args);

// `text` where `out` says: standard output (escaped where it is a terminal: reports hold names from
// files), or a file written whole or not at all, replacing one only with --force. Returns the exit
// code; errors are printed.
int write_output(const OutputArgs& out, const std::string& text);
bool to_stdout(const OutputArgs& out);
// Asked before the work: false (and the reason printed) when `out` names a file that may not be
// replaced, so no file (the results being read, say) is replaced without --force.
bool may_write(const OutputArgs& out);

// Prints an error the way every command does: "attnsweep-cli: <text>" on stderr, with control
// characters escaped (names and messages come from files and workers).
void print_error(const std::string& text);
// A line for people on stderr, escaped the same way.
void print_note(const std::string& text);
// Prints a caught error and returns its exit code: a bad argument (std::invalid_argument) is usage.
int print_failure(const std::exception& e);

// "did you mean 'list'?" when one of `known` is near `word` (a typo, or its beginning); else "".
std::string did_you_mean(const std::string& word, const std::vector<std::string>& known);

}  // namespace attnsweep::cli
