#pragma once
// The one interface every attention kernel implements, CPU or CUDA, and the registry of them.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "attnsweep/kernels/problem.h"

namespace attnsweep {

enum class Backend { cpu, cuda };
constexpr std::string_view backend_name(Backend b) { return b == Backend::cpu ? "cpu" : "cuda"; }

// What a kernel may ask of the device it would run on. A default-constructed value means
// "not known yet" (planning without a device): kernels then answer from dtype/head_dim alone.
struct DeviceCaps {
  Backend backend = Backend::cpu;
  int cc_major = 0;  // compute capability; 0 on the CPU
  int cc_minor = 0;
  std::uint64_t smem_per_block_optin = 0;
  bool known = false;
};

struct Support {
  bool ok = true;
  std::string reason;  // why not, in words a user reads in a table ("head_dim 96: only 64/128/256")
  static Support yes() { return {}; }
  static Support no(std::string why) { return {false, std::move(why)}; }
};

struct KernelInfo {
  std::string name;         // stable id used in specs and result files
  Backend backend;
  std::string description;  // one line for `list kernels` and the GUI
  std::string seed_analogue;  // the seed row this kernel stands in for, or empty
  bool test_only = false;   // fault-injection kernels: hidden unless ATTNSWEEP_TEST_KERNELS=1
};

class Kernel {
 public:
  virtual ~Kernel() = default;
  virtual const KernelInfo& info() const = 0;
  virtual Support supports(const AttentionProblem& p, const DeviceCaps& caps) const = 0;
  // Device scratch the kernel needs beyond Q, K, V, O (e.g. the materialised scores).
  virtual std::uint64_t workspace_bytes(const AttentionProblem&) const { return 0; }
  // CPU kernels run synchronously; CUDA kernels enqueue on args.stream and throw DeviceError
  // (device.h) when the launch fails.
  virtual void run(const AttentionArgs& args) const = 0;
};

// Every kernel built into this binary, CPU first. Test-only kernels appear only when the
// environment variable ATTNSWEEP_TEST_KERNELS is 1.
std::vector<const Kernel*> all_kernels();
const Kernel* find_kernel(std::string_view name);  // nullptr if unknown (or test-only and hidden)

// Implemented by the per-backend libraries; the registry concatenates them.
std::vector<const Kernel*> cpu_kernels();
std::vector<const Kernel*> cuda_kernels();  // empty when built without CUDA
std::vector<const Kernel*> test_kernels();  // fault injection (kernels/cpu/test_kernels.cpp); may be empty

}  // namespace attnsweep
