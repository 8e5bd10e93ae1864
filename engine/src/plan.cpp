// Expands a spec into cells, names tiers from their values, estimates device bytes and marks
// what cannot run before anything does.
#include "attnsweep/engine/plan.h"

#include <limits>

#include "attnsweep/engine/providers.h"

namespace attnsweep {

namespace {

// 512 -> "512", 1024 -> "1k", 16384 -> "16k", 1000 -> "1000".
std::string length_name(std::int64_t n) {
  if (n > 0 && n % 1024 == 0) return std::to_string(n / 1024) + "k";
  return std::to_string(n);
}

// Saturates instead of wrapping: an estimate past 2^64 bytes is "more than any device has".
std::uint64_t saturating_mul(std::uint64_t a, std::uint64_t b) {
  std::uint64_t out;
  return __builtin_mul_overflow(a, b, &out) ? std::numeric_limits<std::uint64_t>::max() : out;
}
std::uint64_t saturating_add(std::uint64_t a, std::uint64_t b) {
  std::uint64_t out;
  return __builtin_add_overflow(a, b, &out) ? std::numeric_limits<std::uint64_t>::max() : out;
}
std::uint64_t as_count(std::int64_t v) { return v > 0 ? static_cast<std::uint64_t>(v) : 0; }

// Q and O are [B, H, q_n, d]; K and V are [B, H, k_n, d].
std::uint64_t qkvo_bytes(const AttentionProblem& p) {
  const std::uint64_t bh_d = saturating_mul(saturating_mul(as_count(p.batch), as_count(p.heads)), as_count(p.head_dim));
  const std::uint64_t q = saturating_mul(bh_d, as_count(p.q_n));
  const std::uint64_t kv = saturating_mul(bh_d, as_count(p.k_n));
  const std::uint64_t elements = saturating_add(saturating_mul(q, 2), saturating_mul(kv, 2));
  return saturating_mul(elements, dtype_bytes(p.dtype));
}

}  // namespace

std::string tier_name(const TierShape& s) {
  std::string name = "hd" + std::to_string(s.head_dim) + "-h" + std::to_string(s.heads) + "-b" + std::to_string(s.batch);
  if (s.q_n == s.k_n) return name + "-n" + length_name(s.q_n);
  return name + "-q" + length_name(s.q_n) + "-k" + length_name(s.k_n);
}

AttentionProblem Cell::problem() const {
  AttentionProblem p;
  p.batch = tier.shape.batch;
  p.heads = tier.shape.heads;
  p.q_n = tier.shape.q_n;
  p.k_n = tier.shape.k_n;
  p.head_dim = tier.shape.head_dim;
  p.causal = causal;
  p.dtype = dtype;
  return p;
}

std::string Cell::id() const {
  return kernel + "|" + tier.name + "|" + std::string(dtype_name(dtype)) + "|" + (causal ? "causal" : "full");
}

Support cell_support(const Kernel& kernel, const Cell& cell, const DeviceCaps& caps) {
  const Backend backend = kernel.info().backend;
  // The executors turn a reason starting with "runs on " into `skipped`.
  if (caps.known && backend != caps.backend)
    return Support::no("runs on " + std::string(backend_name(backend)) + "; this run uses " +
                       std::string(backend_name(caps.backend)));
  Support support = kernel.supports(cell.problem(), caps);
  if (!support.ok && support.reason.empty()) support.reason = "not supported by this kernel";
  return support;
}

Plan make_plan(const SweepSpec& spec, const DeviceCaps& caps) {
  Plan plan;
  plan.spec = spec;
  plan.cells.reserve(spec.tiers.size() * spec.dtypes.size() * spec.causal.size() * spec.kernels.size());
  for (const TierShape& shape : spec.tiers) {
    const Tier tier{tier_name(shape), shape};
    for (DType dtype : spec.dtypes)
      for (bool causal : spec.causal)
        for (const std::string& kernel_name : spec.kernels) {
          Cell cell;
          cell.kernel = kernel_name;
          cell.tier = tier;
          cell.dtype = dtype;
          cell.causal = causal;
          const AttentionProblem problem = cell.problem();
          cell.bytes_estimate = qkvo_bytes(problem);
          const Kernel* kernel = find_kernel(kernel_name);
          if (!kernel && is_provider_kernel(kernel_name)) {
            // An external provider's kernel (providers.h): it decides support and workspace itself
            // and answers `unsupported` with its reason; the estimate stays Q, K, V, O.
          } else if (!kernel) {  // parse_spec rejects these; a spec built in code may still hold one
            cell.supported = false;
            cell.unsupported_reason = "unknown kernel \"" + kernel_name + "\" (not in this build)";
          } else {
            cell.bytes_estimate = saturating_add(cell.bytes_estimate, kernel->workspace_bytes(problem));
            if (const Support support = cell_support(*kernel, cell, caps); !support.ok) {
              cell.supported = false;
              cell.unsupported_reason = support.reason;
            }
          }
          plan.cells.push_back(std::move(cell));
        }
  }
  return plan;
}

}  // namespace attnsweep
