#include <cstdlib>
#include <string_view>

#include "attnsweep/kernels/kernel.h"

namespace attnsweep {

namespace {
bool test_kernels_enabled() {
  const char* v = std::getenv("ATTNSWEEP_TEST_KERNELS");
  return v && std::string_view(v) == "1";
}
}  // namespace

std::vector<const Kernel*> all_kernels() {
  std::vector<const Kernel*> out = cpu_kernels();
  for (const Kernel* k : cuda_kernels()) out.push_back(k);
  if (test_kernels_enabled())
    for (const Kernel* k : test_kernels()) out.push_back(k);
  return out;
}

const Kernel* find_kernel(std::string_view name) {
  for (const Kernel* k : all_kernels())
    if (k->info().name == name) return k;
  return nullptr;
}

}  // namespace attnsweep
