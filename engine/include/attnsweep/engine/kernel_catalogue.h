#pragma once
// Every kernel a sweep can name, for `attnsweep-cli list kernels` and the app's sweep panel: the
// kernels built into this binary (CPU first), then those of the registered providers
// (providers.h), each with whether it can run here and, when not, why.
#include <string>
#include <vector>

#include "attnsweep/kernels/kernel.h"

namespace attnsweep {

struct CatalogueKernel {
  std::string name;           // as specs and result files name it
  std::string description;    // one line
  std::string seed_analogue;  // the seed row it is, or stands in for; empty if none
  Backend backend = Backend::cpu;
  std::string provider;       // the provider that runs it; empty for a built-in kernel
  bool available = true;      // can run on this machine
  std::string why_not;        // when not available: "no CUDA device on this machine"
};

struct KernelCatalogue {
  std::vector<CatalogueKernel> kernels;
  std::vector<std::string> provider_errors;  // provider files that did not load, and why
  int cuda_devices = 0;                      // CUDA devices this process sees
};

KernelCatalogue kernel_catalogue();

}  // namespace attnsweep
