// list kernels | presets | devices
#include <iostream>

#include "attnsweep/engine/presets.h"
#include "attnsweep/engine/providers.h"
#include "attnsweep/engine/spec.h"
#include "attnsweep/kernels/device.h"
#include "commands.h"

namespace attnsweep::cli {

namespace {

// Kernels of external providers (docs/providers.md): run by the provider's own program.
void list_provider_kernels() {
  const std::vector<Provider> providers = installed_providers();
  if (!providers.empty()) std::cout << "\nprovider kernel             provider  description\n";
  for (const Provider& p : providers)
    for (const ProviderKernel& k : p.kernels)
      std::printf("%-27s %-9s %s%s\n", k.name.c_str(), p.name.c_str(), k.description.c_str(),
                  k.seed_analogue.empty() ? "" : (" [seed: " + k.seed_analogue + "]").c_str());
  for (const std::string& e : provider_load_errors()) std::cout << "(provider not loaded: " << e << ")\n";
}

void list_kernels() {
  const bool have_gpu = cuda_device_count() > 0;
  std::cout << "kernel         backend  here  description\n";
  for (const Kernel* k : all_kernels()) {
    const KernelInfo& i = k->info();
    const bool runs_here = i.backend == Backend::cpu || have_gpu;
    std::printf("%-14s %-8s %-5s %s%s\n", i.name.c_str(), std::string(backend_name(i.backend)).c_str(),
                runs_here ? "yes" : "no", i.description.c_str(),
                i.seed_analogue.empty() ? "" : (" [seed: " + i.seed_analogue + "]").c_str());
  }
  if (!have_gpu) std::cout << "(no CUDA device here: cuda kernels are marked 'no' and skipped by CPU runs)\n";
  list_provider_kernels();
}

void list_presets() {
  for (const std::string& name : preset_names()) {
    const SpecParseResult parsed = parse_spec(preset_json(name).value_or(""));
    if (parsed.spec) {
      const SweepSpec& s = *parsed.spec;
      std::printf("%-10s %zu kernel(s) x %zu tier(s) x %zu dtype(s) x %zu causal = %zu cells\n", name.c_str(),
                  s.kernels.size(), s.tiers.size(), s.dtypes.size(), s.causal.size(),
                  s.kernels.size() * s.tiers.size() * s.dtypes.size() * s.causal.size());
    } else {
      std::printf("%-10s not usable in this build: %s\n", name.c_str(),
                  parsed.errors.empty() ? "?" : parsed.errors.front().to_string().c_str());
    }
  }
}

void print_device(const Device& d) {
  const DeviceInfo& info = d.info();
  std::cout << backend_name(info.backend) << ":" << info.ordinal << "  " << info.name << "\n";
  for (const auto& [key, value] : info.facts) std::cout << "    " << key << ": " << value << "\n";
}

void list_devices() {
  print_device(*make_cpu_device());
  const int n = cuda_device_count();
  for (int i = 0; i < n; ++i) {
    try {
      print_device(*make_cuda_device(i));
    } catch (const std::exception& e) {
      std::cout << "cuda:" << i << "  unavailable: " << e.what() << "\n";
    }
  }
  if (n == 0) std::cout << "(no CUDA device)\n";
}

}  // namespace

int list_command(const std::string& what) {
  if (what == "kernels") list_kernels();
  else if (what == "presets") list_presets();
  else if (what == "devices") list_devices();
  else {
    print_error("list: expected kernels, presets or devices (got '" + what + "')");
    return kExitUsage;
  }
  return kExitOk;
}

}  // namespace attnsweep::cli
