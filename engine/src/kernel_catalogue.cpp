#include "attnsweep/engine/kernel_catalogue.h"

#include "attnsweep/engine/providers.h"
#include "attnsweep/kernels/device.h"

namespace attnsweep {

namespace {

constexpr const char* kNoCuda = "no CUDA device on this machine";

}  // namespace

KernelCatalogue kernel_catalogue() {
  KernelCatalogue c;
  c.cuda_devices = cuda_device_count();
  const bool have_cuda = c.cuda_devices > 0;
  for (const Kernel* k : all_kernels()) {
    const KernelInfo& i = k->info();
    const bool available = i.backend == Backend::cpu || have_cuda;
    c.kernels.push_back({i.name, i.description, i.seed_analogue, i.backend, "", available, available ? "" : kNoCuda});
  }
  // Providers run their kernels on a GPU (their workers take a CUDA device ordinal).
  for (const Provider& p : installed_providers())
    for (const ProviderKernel& k : p.kernels)
      c.kernels.push_back({k.name, k.description, k.seed_analogue, Backend::cuda, p.name, have_cuda,
                           have_cuda ? "" : kNoCuda});
  c.provider_errors = provider_load_errors();
  return c;
}

}  // namespace attnsweep
