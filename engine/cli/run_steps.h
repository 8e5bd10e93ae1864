#pragma once
// The steps of `run`, shared by its one-process form (cmd_run.cpp) and its MPI form
// (cmd_run_mpi.cpp), so both check, name and report the same way.
#include <optional>
#include <string>

#include "attnsweep/engine/executor.h"
#include "attnsweep/engine/sweep.h"
#include "commands.h"

namespace attnsweep::cli {

// What is wrong with run's arguments before any file is read (one spec source, --resume with
// --out, --backend, --shard, --fail-on), or "" when nothing is.
std::string run_args_problem(const RunArgs& args);

// Registers the --provider files; returns what is wrong ("--provider: ..."), or "".
std::string register_run_providers(const RunArgs& args);

// The spec --preset or --spec names, with --kernels applied; prints what is wrong and returns
// nullopt when it cannot be read or is not valid.
std::optional<SweepSpec> load_run_spec(const RunArgs& args);

// The result file: --out (or <spec name>-<UTC time>.jsonl), --resume and --shard.
SweepFile run_file(const RunArgs& args, const SweepSpec& spec);

// Runs the sweep with progress on stderr (unless --quiet), prints the summary, checks the file's
// cells against --fail-on, and returns the exit code.
int sweep_and_summarize(const RunArgs& args, const SweepSpec& spec, Executor& executor, const SweepFile& file);

// Whether this process was started as one of several by an MPI launcher (mpirun, mpiexec, srun):
// the variable that says so ("OMPI_COMM_WORLD_SIZE=3"), or "" when none does.
std::string mpi_launch_variable();

}  // namespace attnsweep::cli
