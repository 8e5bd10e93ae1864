// run: resolve the spec, have the engine choose the executor, sweep, print a summary. Launched by
// mpirun (or with --mpi) it is one rank of a sweep over many processes (cmd_run_mpi.cpp).
#include <cctype>
#include <csignal>
#include <cstdlib>
#include <ctime>
#include <iostream>
#include <sstream>

#include "attnsweep/engine/compare.h"
#include "attnsweep/engine/executor_choice.h"
#include "attnsweep/engine/files.h"
#include "attnsweep/engine/json_input.h"
#include "attnsweep/engine/presets.h"
#include "attnsweep/engine/providers.h"
#include "attnsweep/engine/store.h"
#include "attnsweep/engine/sweep.h"
#include "progress.h"
#include "run_steps.h"

namespace attnsweep::cli {

namespace {

std::atomic<bool> g_cancel{false};
std::vector<std::unique_ptr<ClockLock>>* g_clock_locks = nullptr;  // set while clocks are locked

// First Ctrl-C (or SIGTERM): finish the current cell's sample and stop, leaving a resumable file;
// locked clocks are reset on the way out. A second one ends the process at once (the file is still
// valid: every line was fsynced), after resetting locked clocks: they are never left locked.
void on_interrupt(int signal) {
  if (!g_cancel.exchange(true)) return;
  if (g_clock_locks)
    for (auto& lock : *g_clock_locks) lock->reset();
  std::_Exit(128 + signal);
}

// --lock-clocks: every device of the sweep locked at one SM clock, or none (clocks stay free and
// the header says why). Locks reset when `locks` is cleared or destroyed.
ClockState lock_clocks(const std::string& request, const std::vector<int>& devices,
                       std::vector<std::unique_ptr<ClockLock>>& locks) {
  ClockState state;
  if (request.empty()) return state;
  unsigned mhz = 0;
  if (request != "base") {
    std::size_t used = 0;
    long value = 0;
    try {
      value = std::stol(request, &used);
    } catch (const std::exception&) {
    }
    if (used != request.size() || value <= 0 || value > 10000)
      throw std::invalid_argument("--lock-clocks: must be base or an SM clock in MHz (got '" + request + "')");
    mhz = static_cast<unsigned>(value);
  }
  for (int d : devices) {
    locks.push_back(lock_sm_clock(d, mhz));
    if (!locks.back()->locked()) {
      state.why_free = "locking failed on CUDA device " + std::to_string(d) + ": " + locks.back()->why_not();
      locks.clear();
      return state;
    }
  }
  state.locked = true;
  state.sm_mhz = locks.front()->sm_mhz();
  return state;
}

std::string default_out_path(const SweepSpec& spec) {
  char stamp[32];
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
  std::string name = spec.name.empty() ? "sweep" : spec.name;
  for (char& c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') c = '_';
  return name + "-" + stamp + ".jsonl";
}

// --fail-on: every cell of the file (those of earlier runs resumed included) against the rule.
int check_fail_on(const FailOn& rule, const std::string& rule_text, const std::string& path) {
  ResultFile f;
  try {
    f = read_result_file(path);
  } catch (const std::exception& e) {
    print_error(e.what());
    return kExitRuntime;
  }
  int failing = 0;
  for (const CellResult& r : f.results)
    if (fails(rule, r)) {
      if (++failing <= 10) print_note("  " + std::string(status_name(r.status)) + ": " + r.cell.id() + ": " + r.message);
    }
  if (failing == 0) return kExitOk;
  print_note("run: " + std::to_string(failing) + " cell(s) fail --fail-on " + rule_text);
  return kExitRuntime;
}

}  // namespace

std::string run_args_problem(const RunArgs& args) {
  if (args.preset.empty() == args.spec_path.empty()) return "run: give exactly one of --preset NAME or --spec FILE";
  if (args.resume && args.out_path.empty()) return "--resume: needs --out FILE, the result file to continue";
  if (args.resume && args.force) return "--resume and --force: choose one (continue the file, or replace it)";
  // A result file is appended to, synced and resumed: it must be a file. (report -o - writes a report to stdout.)
  if (args.out_path == "-")
    return "--out -: a result file cannot be standard output (it is appended to and resumed); write it to a file, "
           "then `attnsweep-cli report FILE` prints it";
  if (!parse_backend_choice(args.backend)) return "--backend: must be auto, cpu or cuda (got '" + args.backend + "')";
  try {
    (void)parse_fail_on(args.fail_on, false);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  if (!args.shard.empty()) {
    try {
      (void)parse_shard(args.shard);
    } catch (const std::invalid_argument& e) {
      return e.what();
    }
  }
  return "";
}

std::string register_run_providers(const RunArgs& args) {
  for (const std::string& file : args.providers) {
    try {
      register_provider(load_provider_file(file));
    } catch (const std::exception& e) {
      return std::string("--provider: ") + e.what();
    }
  }
  return "";
}

std::optional<SweepSpec> load_run_spec(const RunArgs& args) {
  std::string text;
  std::string origin;
  if (!args.preset.empty()) {
    const auto preset = preset_json(args.preset);
    if (!preset) {
      std::string known;
      for (const std::string& n : preset_names()) known += (known.empty() ? "" : ", ") + n;
      print_error("--preset: unknown preset '" + args.preset + "' (known: " + known + ")");
      return std::nullopt;
    }
    text = *preset;
    origin = "preset " + args.preset;
  } else {
    try {
      text = read_input_file(args.spec_path, kMaxSpecBytes);
    } catch (const std::exception& e) {
      print_error(std::string("--spec: ") + e.what());
      return std::nullopt;
    }
    origin = args.spec_path;
  }
  // --kernels replaces the spec's list, and the spec's rules apply to it (known, each once).
  if (!args.kernels.empty()) {
    try {
      nlohmann::json j = parse_json(text);
      if (j.is_object()) {
        j["kernels"] = args.kernels;
        text = j.dump();
        origin += " with --kernels";
      }
    } catch (const std::runtime_error&) {  // not JSON: parse_spec says why
    }
  }
  SpecParseResult parsed = parse_spec(text);
  if (!parsed.errors.empty()) {
    print_error(origin + " is not a valid spec:");
    for (const SpecError& e : parsed.errors) print_note("  " + e.to_string());
    return std::nullopt;
  }
  return *parsed.spec;
}

SweepFile run_file(const RunArgs& args, const SweepSpec& spec) {
  SweepFile file{args.out_path.empty() ? default_out_path(spec) : args.out_path, args.resume, args.force, std::nullopt};
  if (!args.shard.empty()) file.shard = parse_shard(args.shard);
  return file;
}

int sweep_and_summarize(const RunArgs& args, const SweepSpec& spec, Executor& executor, const SweepFile& file) {
  print_note("sweep '" + spec.name + "'" + (file.shard ? " (share " + file.shard->text() + ")" : "") + " on " +
             executor.describe() + " -> " + file.path);

  std::vector<std::unique_ptr<ClockLock>> locks;
  ClockState clocks;
  try {
    const std::string devices = args.devices.empty() ? "0" : args.devices;  // as the executor reads them
    clocks = lock_clocks(args.lock_clocks, parse_devices(devices, std::max(cuda_device_count(), 1)), locks);
  } catch (const std::invalid_argument& e) {
    print_error(e.what());
    return kExitUsage;
  }
  if (!args.lock_clocks.empty())
    std::cerr << (clocks.locked ? "SM clock locked at " + std::to_string(clocks.sm_mhz) + " MHz"
                                : "clocks free: " + clocks.why_free)
              << "\n";

  std::unique_ptr<Progress> progress;
  SweepObserver observer;
  observer.planned = [&](std::size_t planned, std::size_t already_done) {
    if (!args.quiet) progress = std::make_unique<Progress>(planned, already_done, stderr);
  };
  observer.cell_started = [&](std::size_t, const Cell& c) {
    if (progress) progress->started(c);
  };
  std::string first_failure;  // the first cell that did not measure, and why
  observer.cell_finished = [&](std::size_t, const CellResult& r) {
    if (progress) progress->finished(r);
    if (first_failure.empty() && r.status != CellStatus::ok)
      first_failure = r.cell.kernel + " " + r.cell.tier.name + ": " + std::string(status_name(r.status)) +
                      (r.message.empty() ? "" : ": " + r.message);
  };
  observer.log = [&](const std::string& level, const std::string& text) {
    if (progress) progress->message(level, text);
    else print_note(level + ": " + text);
  };

  g_cancel.store(false);
  g_clock_locks = &locks;
  std::signal(SIGINT, on_interrupt);
  std::signal(SIGTERM, on_interrupt);
  SweepOutcome outcome;
  std::string failure;
  bool nothing_to_run = false;  // refused before it started: the request was wrong, not the run
  try {
    outcome = run_sweep(spec, executor, file, observer, &g_cancel, clocks);
  } catch (const NothingToRun& e) {
    nothing_to_run = true;
    failure = e.what();
  } catch (const std::exception& e) {
    failure = e.what();
  }
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
  g_clock_locks = nullptr;
  locks.clear();  // clocks free again before anything else
  if (progress) progress->close();
  if (!failure.empty()) {
    print_error(failure);
    return nothing_to_run ? kExitUsage : kExitRuntime;
  }

  std::ostringstream summary;
  summary << "measured " << outcome.measured << " of " << outcome.planned << " cells";
  if (outcome.already_done) summary << " (" << outcome.already_done << " already in the file)";
  for (const auto& [status, n] : outcome.by_status) summary << ", " << n << " " << status;
  print_note(summary.str());
  print_note("wall time: " + outcome.wall_split.describe(outcome.wall_s));
  print_note("results: " + file.path);
  if (outcome.cancelled) {
    print_note("interrupted: the file is valid; continue with --resume --out " + file.path);
    return kExitRuntime;
  }
  // Cells ran and not one was measured (all unsupported, oom, failed): the sweep did not succeed.
  if (outcome.measured > 0 && !outcome.by_status.contains("ok")) {
    print_error("sweep '" + spec.name + "' measured nothing: none of its " + std::to_string(outcome.measured) +
                " cells ran here (first: " + first_failure + ")");
    return kExitNothingMeasured;
  }
  if (args.fail_on.empty()) return kExitOk;
  return check_fail_on(parse_fail_on(args.fail_on, false), args.fail_on, file.path);
}

int run_command(const RunArgs& args) {
  if (args.mpi || !mpi_launch_variable().empty()) return run_mpi_command(args);
  if (const std::string problem = run_args_problem(args); !problem.empty()) {
    print_error(problem);
    return kExitUsage;
  }
  if (const std::string problem = register_run_providers(args); !problem.empty()) {
    print_error(problem);
    return kExitUsage;
  }
  const std::optional<SweepSpec> spec = load_run_spec(args);
  if (!spec) return kExitUsage;
  const SweepFile file = run_file(args, *spec);
  if (!file.resume) {
    try {
      check_output_path(file.path, file.replace, "continue it with --resume, or replace it with --force");
    } catch (const std::exception& e) {
      print_error(e.what());
      return kExitUsage;
    }
  }

  const BackendChoice backend = *parse_backend_choice(args.backend);
  std::unique_ptr<Executor> executor;
  try {
    executor = make_executor(*spec, ExecutorChoice{backend, args.devices.empty() ? "0" : args.devices, args.in_process,
                                                   args.worker_command});
  } catch (const std::invalid_argument& e) {
    print_error(e.what());
    return kExitUsage;
  } catch (const std::exception& e) {
    print_error(std::string("cannot start the ") + std::string(backend_name(resolve_backend(backend))) +
                " backend: " + e.what());
    return kExitRuntime;
  }
  return sweep_and_summarize(args, *spec, *executor, file);
}

}  // namespace attnsweep::cli
