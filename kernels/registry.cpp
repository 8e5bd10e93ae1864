#include <cstdlib>
#include <string>
#include <string_view>

#include "attnsweep/kernels/kernel.h"

namespace attnsweep {

namespace {
bool test_kernels_enabled() {
  const char* v = std::getenv("ATTNSWEEP_TEST_KERNELS");
  return v && std::string_view(v) == "1";
}
}  // namespace

Support kernel_supports(const Kernel& kernel, const AttentionProblem& p, const DeviceCaps& caps) {
  const KernelInfo& info = kernel.info();
  const auto side = [](std::int64_t w) { return w < 0 ? std::string("unlimited") : std::to_string(w); };
  if (p.kv_group > 1 && !info.shapes.gqa)
    return Support::no("GQA (" + std::to_string(p.heads) + " query heads on " + std::to_string(p.kv_heads()) +
                       " K/V heads): " + info.name + " computes multi-head attention only");
  if (p.has_window() && !info.shapes.window)
    return Support::no("window [" + side(p.window_left) + ", " + side(p.window_right) + "]: " + info.name +
                       " has no sliding window");
  if (p.causal && p.align == CausalAlign::bottom_right && p.q_n != p.k_n && !info.shapes.bottom_right)
    return Support::no("bottom-right causal mask with q_n " + std::to_string(p.q_n) + " != k_n " +
                       std::to_string(p.k_n) + ": " + info.name + " aligns causal masks top-left only");
  return kernel.supports(p, caps);
}

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
