#include "attnsweep/engine/baseline.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <stdexcept>

#include "attnsweep/engine/columns.h"
#include "attnsweep/engine/format.h"

namespace attnsweep {

namespace {

// What a cell is apart from its kernel: the tier, dtype and mask it is compared on.
std::string problem_key(const Cell& c) {
  return c.tier.name + "|" + std::string(dtype_name(c.dtype)) + "|" + (c.causal ? "causal" : "full");
}

std::optional<double> time_of(const CellResult& r) {
  const Timing* t = row_timing(r);
  if (!t) return std::nullopt;
  const double ms = representative_ms(t->time_ms);
  return std::isfinite(ms) && ms > 0 ? std::optional(ms) : std::nullopt;
}

}  // namespace

std::string speedup_title(std::string_view kernel) { return std::string(kSpeedupTitlePrefix) + std::string(kernel); }

std::vector<std::optional<double>> speedups_against(const std::vector<CellResult>& results, std::string_view kernel) {
  std::map<std::string, double> baseline_ms;
  for (const CellResult& r : results)
    if (r.cell.kernel == kernel)
      if (const auto ms = time_of(r)) baseline_ms[problem_key(r.cell)] = *ms;
  std::vector<std::optional<double>> out;
  out.reserve(results.size());
  for (const CellResult& r : results) {
    const auto it = baseline_ms.find(problem_key(r.cell));
    const auto ms = time_of(r);
    out.push_back(it != baseline_ms.end() && ms ? std::optional(it->second / *ms) : std::nullopt);
  }
  return out;
}

std::vector<std::string> speedup_texts(const std::vector<CellResult>& results, std::string_view kernel) {
  if (std::none_of(results.begin(), results.end(), [&](const CellResult& r) { return r.cell.kernel == kernel; })) {
    std::vector<std::string> kernels;
    for (const CellResult& r : results)
      if (std::find(kernels.begin(), kernels.end(), r.cell.kernel) == kernels.end()) kernels.push_back(r.cell.kernel);
    std::string known;
    for (const std::string& k : kernels) known += (known.empty() ? "" : ", ") + k;
    throw std::invalid_argument("--baseline: no kernel '" + std::string(kernel) + "' in the results (kernels: " +
                                known + ")");
  }
  const std::vector<std::optional<double>> speedups = speedups_against(results, kernel);
  std::vector<std::string> out;
  out.reserve(results.size());
  for (std::size_t i = 0; i < results.size(); ++i)
    out.push_back(results[i].status != CellStatus::ok ? status_label(results[i].status)
                  : speedups[i]                        ? format_number(*speedups[i])
                                                       : "n/a");
  return out;
}

}  // namespace attnsweep
