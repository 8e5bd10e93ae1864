// list kernels | presets | devices
#include <iostream>
#include <set>

#include "attnsweep/engine/data_dir.h"
#include "attnsweep/engine/format.h"
#include "attnsweep/engine/kernel_catalogue.h"
#include "attnsweep/engine/presets.h"
#include "attnsweep/engine/spec.h"
#include "attnsweep/kernels/device.h"
#include "commands.h"

namespace attnsweep::cli {

namespace {

// Provider files are anyone's text: what they say is printed escaped (format.h).
void print_kernel(const CatalogueKernel& k, int name_width) {
  std::printf("%-*s %-8s %-4s %s%s\n", name_width, printable_text(k.name).c_str(),
              printable_text(k.provider.empty() ? std::string(backend_name(k.backend)) : k.provider).c_str(),
              k.available ? "yes" : "no", printable_text(k.description).c_str(),
              k.seed_analogue.empty() ? "" : printable_text(" [seed: " + k.seed_analogue + "]").c_str());
}

// Built-in kernels, then those of external providers (docs/providers.md), run by the provider's
// own program; whether each runs here, and why not.
void list_kernels() {
  const KernelCatalogue catalogue = kernel_catalogue();
  std::set<std::string> reasons;
  std::printf("%-14s %-8s %-4s %s\n", "kernel", "backend", "here", "description");
  for (const CatalogueKernel& k : catalogue.kernels)
    if (k.provider.empty()) print_kernel(k, 14);
  bool provider_header = false;
  for (const CatalogueKernel& k : catalogue.kernels) {
    if (!k.provider.empty()) {
      if (!provider_header) std::printf("\n%-27s %-8s %-4s %s\n", "provider kernel", "provider", "here", "description");
      provider_header = true;
      print_kernel(k, 27);
    }
    if (!k.available) reasons.insert(k.why_not);
  }
  for (const std::string& why : reasons) std::cout << "(here 'no': " << printable_text(why) << ")\n";
  for (const std::string& e : catalogue.provider_errors) std::cout << "(provider not loaded: " << printable_text(e) << ")\n";
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
  // The programs carry their presets; the shipped files are there to start a spec of one's own from.
  if (const std::filesystem::path data = data_dir(); !data.empty())
    std::cout << "(preset files: " << (data / "resources" / "presets").string() << ")\n";
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
    const std::string hint = did_you_mean(what, {"kernels", "presets", "devices"});
    print_error("list: expected kernels, presets or devices (got '" + what + "')" + (hint.empty() ? "" : "; " + hint));
    return kExitUsage;
  }
  return kExitOk;
}

}  // namespace attnsweep::cli
