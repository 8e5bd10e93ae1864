// worker: the child-process end of the worker protocol.
#include <iostream>

#include "attnsweep/engine/worker.h"
#include "commands.h"

namespace attnsweep::cli {

int worker_main(const std::string& backend, int device) {
  if (backend != "cpu" && backend != "cuda") {
    print_error("worker --backend: must be cpu or cuda (got '" + backend + "')");
    return kExitUsage;
  }
  WorkerOptions options;
  options.backend = backend == "cpu" ? Backend::cpu : Backend::cuda;
  options.device = device;
  return run_worker(std::cin, std::cout, options);
}

}  // namespace attnsweep::cli
