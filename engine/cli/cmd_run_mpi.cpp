// run as one rank of an MPI job (docs/mpi.md): rank 0 checks the arguments and reads the spec,
// every rank starts its own executor on its host's device, rank 0 hands the cells out and writes
// the one result file. Without MPI in the build, says so.
#include <cstdlib>

#include "attnsweep/engine/executor_choice.h"
#include "attnsweep/engine/hand_out.h"
#include "run_steps.h"
#if ATTNSWEEP_HAVE_MPI
#include "mpi_sweep.h"
#endif

namespace attnsweep::cli {

std::string mpi_launch_variable() {
  // Open MPI's mpirun; PMIx (Open MPI, srun --mpi=pmix); PMI (MPICH's mpiexec, srun --mpi=pmi2).
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_SIZE", "PMI_RANK"})
    if (const char* value = std::getenv(name)) return std::string(name) + "=" + value;
  return "";
}

#if !ATTNSWEEP_HAVE_MPI

std::string mpi_support_text() { return "MPI: no (built without MPI: sweeps run in one process)"; }

int run_mpi_command(const RunArgs& args) {
  const std::string why = args.mpi ? "--mpi" : "started by an MPI launcher (" + mpi_launch_variable() + ")";
  print_error(why +
              ": this attnsweep-cli was built without MPI. Install libopenmpi-dev and openmpi-bin "
              "(scripts/install-deps.sh) and build again, or run it without mpirun for a sweep in one process");
  return kExitRuntime;
}

#else

std::string mpi_support_text() { return "MPI: yes (" + mpi::library_version() + ")"; }

namespace {

// What rank 0 tells every rank once it has read the spec: the spec and the backend "auto" became
// (so that no rank picks another); "" when it found a problem and printed it.
std::string start_message(const SweepSpec& spec, BackendChoice backend) {
  return nlohmann::json{{"spec", spec_to_json(spec)}, {"backend", backend_name(resolve_backend(backend))}}.dump();
}

}  // namespace

int run_mpi_command(const RunArgs& args) {
  std::optional<mpi::Session> session;
  try {
    session.emplace();
  } catch (const std::exception& e) {
    print_error(std::string("--mpi: MPI did not start: ") + e.what());
    return kExitRuntime;
  }
  const bool root = session->root();

  // Every rank has the same arguments: each finds the same problem, rank 0 alone says it.
  if (const std::string problem = run_args_problem(args); !problem.empty()) {
    if (root) print_error(problem);
    return kExitUsage;
  }
  // Rank 0 alone would lock its own host's cards, and the header would say the sweep's were locked.
  if (!args.lock_clocks.empty()) {
    if (root)
      print_error("--lock-clocks: not with MPI (it would lock one host's cards only); lock every host's clocks "
                  "before the job (nvidia-smi --lock-gpu-clocks)");
    return kExitUsage;
  }
  std::string rank_problem = register_run_providers(args);  // a provider file missing on one host
  std::string start;
  if (root) {
    const std::optional<SweepSpec> spec = rank_problem.empty() ? load_run_spec(args) : std::nullopt;
    if (!rank_problem.empty()) print_error(rank_problem);
    if (spec) start = start_message(*spec, *parse_backend_choice(args.backend));
  }
  start = session->broadcast(start);
  if (start.empty()) return kExitUsage;

  const nlohmann::json message = nlohmann::json::parse(start);
  const SpecParseResult parsed = parse_spec(message.at("spec").get<std::string>());
  const SweepSpec spec = parsed.spec.value_or(SweepSpec{});
  if (!parsed.spec && rank_problem.empty())
    rank_problem = "the spec does not read on this host: " + parsed.errors.front().to_string();
  const BackendChoice backend = *parse_backend_choice(message.at("backend").get<std::string>());

  // Every rank starts its executor on the device its place on the host picks.
  std::unique_ptr<Executor> executor;
  bool usage_error = !rank_problem.empty();
  if (rank_problem.empty()) {
    try {
      ExecutorChoice choice{backend, "0", args.in_process, args.worker_command};
      if (backend == BackendChoice::cuda)
        choice.devices = std::to_string(device_for_node_rank(args.devices, session->node_rank()));
      executor = make_executor(spec, choice);
    } catch (const std::invalid_argument& e) {
      rank_problem = e.what();
      usage_error = true;
    } catch (const std::exception& e) {
      rank_problem = "cannot start the " + message.at("backend").get<std::string>() + " backend: " + e.what();
    }
  }
  const std::string hello =
      hello_message(session->rank(), session->node_rank(), executor.get(), rank_problem, usage_error);

  if (!root) {
    mpi::serve(*session, executor.get(), hello, spec);
    return rank_problem.empty() ? kExitOk : kExitRuntime;
  }
  std::unique_ptr<Executor> coordinator;
  try {
    coordinator = mpi::coordinate(*session, std::move(executor), hello, spec);
  } catch (const std::exception& e) {
    return print_failure(e);
  }
  return sweep_and_summarize(args, spec, *coordinator, run_file(args, spec));
}

#endif

}  // namespace attnsweep::cli
