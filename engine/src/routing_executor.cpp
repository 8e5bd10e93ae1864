#include "attnsweep/engine/routing_executor.h"

#include <map>
#include <stdexcept>

namespace attnsweep {

namespace {

// The fallback executor's device as the result header sees it, with every route's device facts
// added under "<route>." (e.g. "torch.torch": "2.11.0"), so a provider's versions are recorded.
class CombinedDevice final : public Device {
 public:
  CombinedDevice(const Executor& fallback, const std::vector<ExecutorRoute>& routes) : caps_(fallback.caps()) {
    if (const Device* d = fallback.device()) {
      info_ = d->info();
      free_ = d->free_bytes();
    }
    for (const ExecutorRoute& r : routes) {
      const Device* d = r.executor->device();
      if (!d) continue;
      info_.facts[r.name + ".device"] = d->info().name;
      for (const auto& [key, value] : d->info().facts) info_.facts[r.name + "." + key] = value;
    }
  }
  const DeviceInfo& info() const override { return info_; }
  DeviceCaps caps() const override { return caps_; }
  std::uint64_t free_bytes() const override { return free_; }
  void* allocate(std::uint64_t) override { elsewhere(); }
  void release(void*) noexcept override {}
  void copy_to_device(void*, const void*, std::uint64_t) override { elsewhere(); }
  void copy_to_host(void*, const void*, std::uint64_t) override { elsewhere(); }
  void fill(void*, std::uint8_t, std::uint64_t) override { elsewhere(); }
  void* stream() override { return nullptr; }
  void synchronize() override { elsewhere(); }
  void flush_cache() override { elsewhere(); }
  TimedLaunches time_launches(const std::function<void()>&, int) override { elsewhere(); }
  std::optional<ClockReading> read_clocks() override { elsewhere(); }
  std::string clocks_unavailable() const override { return "read where the cells are measured"; }

 private:
  [[noreturn]] static void elsewhere() {
    throw std::logic_error("the routing executor's device only describes; cells are measured by its executors");
  }
  DeviceInfo info_;
  DeviceCaps caps_;
  std::uint64_t free_ = 0;
};

class RoutingExecutor final : public Executor {
 public:
  RoutingExecutor(std::unique_ptr<Executor> fallback, std::vector<ExecutorRoute> routes)
      : fallback_(std::move(fallback)), routes_(std::move(routes)) {
    if (!fallback_) throw std::invalid_argument("routing executor: no fallback executor");
    for (const ExecutorRoute& r : routes_)
      if (!r.executor) throw std::invalid_argument("routing executor: route '" + r.name + "' has no executor");
    device_ = std::make_unique<CombinedDevice>(*fallback_, routes_);
  }

  std::string describe() const override {
    std::string text = fallback_->describe();
    for (const ExecutorRoute& r : routes_) text += " + " + r.name + " on " + r.executor->describe();
    return text;
  }
  const Device* device() const override { return device_.get(); }
  DeviceCaps caps() const override { return fallback_->caps(); }

  bool run(const Plan& plan, const RunOptions& opts, const SweepObserver& obs,
           const std::function<void(const CellResult&)>& sink) override {
    // Each stretch of consecutive cells bound for one executor runs as a plan of its own; the
    // observer hears the cells under their indices in the whole plan.
    std::size_t i = 0;
    while (i < plan.cells.size()) {
      Executor& executor = executor_for(plan.cells[i].kernel);
      Plan part;
      part.spec = plan.spec;
      std::vector<std::size_t> whole_index;
      for (; i < plan.cells.size() && &executor_for(plan.cells[i].kernel) == &executor; ++i) {
        if (opts.done_ids.count(plan.cells[i].id())) continue;
        part.cells.push_back(plan.cells[i]);
        whole_index.push_back(i);
      }
      if (part.cells.empty()) continue;
      if (opts.cancel && opts.cancel->load()) return false;

      SweepObserver relay;
      relay.log = obs.log;
      if (obs.cell_started)
        relay.cell_started = [&](std::size_t k, const Cell& c) { obs.cell_started(whole_index.at(k), c); };
      if (obs.cell_finished)
        relay.cell_finished = [&](std::size_t k, const CellResult& r) { obs.cell_finished(whole_index.at(k), r); };
      if (!executor.run(part, opts, relay, sink)) return false;
    }
    return true;
  }

 private:
  Executor& executor_for(const std::string& kernel) const {
    for (const ExecutorRoute& r : routes_)
      if (r.kernels.count(kernel)) return *r.executor;
    return *fallback_;
  }

  std::unique_ptr<Executor> fallback_;
  std::vector<ExecutorRoute> routes_;
  std::unique_ptr<CombinedDevice> device_;
};

}  // namespace

std::unique_ptr<Executor> make_routing_executor(std::unique_ptr<Executor> fallback, std::vector<ExecutorRoute> routes) {
  return std::make_unique<RoutingExecutor>(std::move(fallback), std::move(routes));
}

WorkerExecutorOptions provider_worker_options(std::vector<int> devices) {
  WorkerExecutorOptions o;
  o.backend = Backend::cuda;
  o.devices = std::move(devices);
  o.startup_timeout_s = 180;
  o.watchdog_margin_s = 300;
  return o;
}

ExecutorRoute make_provider_route(const Provider& provider, const std::set<std::string>& kernels,
                                  WorkerExecutorOptions base) {
  base.command = provider.launch_command();
  ExecutorRoute route;
  route.name = provider.name;
  route.kernels = kernels;
  try {
    route.executor = make_worker_executor(std::move(base));
  } catch (const std::exception& e) {
    throw std::runtime_error("provider '" + provider.name + "' (" + provider.file + ") did not start: " + e.what());
  }
  return route;
}

}  // namespace attnsweep

namespace attnsweep {

std::unique_ptr<Executor> make_executor_for_spec(const SweepSpec& spec,
                                                 const std::function<std::unique_ptr<Executor>()>& make_builtin,
                                                 const std::function<WorkerExecutorOptions()>& provider_options) {
  std::map<std::string, std::pair<Provider, std::set<std::string>>> by_provider;
  bool any_builtin = false;
  for (const std::string& k : spec.kernels) {
    if (std::optional<Provider> p = provider_of_kernel(k)) {
      by_provider.try_emplace(p->name, *p, std::set<std::string>{}).first->second.second.insert(k);
    } else {
      any_builtin = true;
    }
  }
  if (by_provider.empty()) return make_builtin();

  const WorkerExecutorOptions options = provider_options();
  std::vector<ExecutorRoute> routes;
  for (const auto& [name, provider_and_kernels] : by_provider)
    routes.push_back(make_provider_route(provider_and_kernels.first, provider_and_kernels.second, options));
  std::unique_ptr<Executor> fallback;
  if (any_builtin) {
    fallback = make_builtin();
  } else {  // no built-in workers to start: the (first) provider is the fallback
    fallback = std::move(routes.front().executor);
    routes.erase(routes.begin());
  }
  return make_routing_executor(std::move(fallback), std::move(routes));
}

}  // namespace attnsweep
