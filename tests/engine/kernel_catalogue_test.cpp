// Every kernel a sweep can name, and whether it runs here (kernel_catalogue.cpp).
#include "attnsweep/engine/kernel_catalogue.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "attnsweep/engine/providers.h"
#include "attnsweep/kernels/device.h"

namespace attnsweep {
namespace {

TEST(KernelCatalogue, BuiltInKernelsFirstEachSayingWhetherItRunsHere) {
  const KernelCatalogue c = kernel_catalogue();
  EXPECT_EQ(c.cuda_devices, cuda_device_count());
  const std::vector<const Kernel*> built_in = all_kernels();
  ASSERT_GE(c.kernels.size(), built_in.size());
  for (std::size_t i = 0; i < built_in.size(); ++i) {
    const CatalogueKernel& k = c.kernels[i];
    EXPECT_EQ(k.name, built_in[i]->info().name);
    EXPECT_EQ(k.backend, built_in[i]->info().backend);
    EXPECT_TRUE(k.provider.empty());
    const bool runs_here = k.backend == Backend::cpu || c.cuda_devices > 0;
    EXPECT_EQ(k.available, runs_here) << k.name;
    EXPECT_EQ(k.why_not, runs_here ? "" : "no CUDA device on this machine") << k.name;
  }
  EXPECT_TRUE(std::any_of(c.kernels.begin(), c.kernels.end(), [](const CatalogueKernel& k) {
    return k.name == "cpu_flash" && k.available;
  }));
}

TEST(KernelCatalogue, ProviderKernelsFollowWithTheirProvider) {
  Provider p;
  p.name = "catalogue-test";
  p.command = {"true"};
  p.file = "(test)";
  p.kernels.push_back({"catalogue_test_kernel", "from a test provider", "vectorized_torch"});
  register_provider(p);
  const KernelCatalogue c = kernel_catalogue();
  const auto it = std::find_if(c.kernels.begin(), c.kernels.end(),
                               [](const CatalogueKernel& k) { return k.name == "catalogue_test_kernel"; });
  ASSERT_NE(it, c.kernels.end());
  EXPECT_EQ(it->provider, "catalogue-test");
  EXPECT_EQ(it->seed_analogue, "vectorized_torch");
  EXPECT_EQ(it->backend, Backend::cuda);
  EXPECT_EQ(it->available, c.cuda_devices > 0);
  EXPECT_GE(static_cast<std::size_t>(it - c.kernels.begin()), all_kernels().size()) << "after the built-in kernels";
}

}  // namespace
}  // namespace attnsweep
