#pragma once
// An Executor that sends each cell to the executor of its kernel: built-in kernels to the one the
// CLI or GUI already makes, a provider's kernels (providers.h) to a worker executor running that
// provider. Cells run in plan order (consecutive cells of one executor go together), so results
// reach the one sink tier by tier, as from any other executor.
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "attnsweep/engine/executor.h"
#include "attnsweep/engine/providers.h"
#include "attnsweep/engine/worker_executor.h"

namespace attnsweep {

struct ExecutorRoute {
  std::string name;                 // shown in describe() and prefixed to its device facts
  std::set<std::string> kernels;    // the kernels it runs
  std::unique_ptr<Executor> executor;
};

// `fallback` runs every kernel no route names; its device and caps are the routing executor's.
std::unique_ptr<Executor> make_routing_executor(std::unique_ptr<Executor> fallback, std::vector<ExecutorRoute> routes);

// Worker options for providers on `devices`: more time to start (importing torch) and a wider
// watchdog margin (a provider's first cells compile: torch.compile, Triton's JIT).
WorkerExecutorOptions provider_worker_options(std::vector<int> devices);

// A route for `provider` running `kernels`: a worker executor over the provider's command, one
// worker per device in `base.devices`. Throws std::runtime_error when it does not start.
ExecutorRoute make_provider_route(const Provider& provider, const std::set<std::string>& kernels,
                                  WorkerExecutorOptions base = provider_worker_options({0}));

// The executor for a spec: `make_builtin()` for its built-in kernels (called only when it names
// any) and a route per provider whose kernels it names, started with `provider_options()` (called
// only when it names any). Throws std::runtime_error when a provider does not start.
std::unique_ptr<Executor> make_executor_for_spec(const SweepSpec& spec,
                                                 const std::function<std::unique_ptr<Executor>()>& make_builtin,
                                                 const std::function<WorkerExecutorOptions()>& provider_options);

}  // namespace attnsweep
