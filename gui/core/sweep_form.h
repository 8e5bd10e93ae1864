#pragma once
// The text forms of the sweep panel, parsed without Qt: size lists ("512, 1k, 2k"), tier lines
// ("Q_N K_N head_dim heads batch" per line) and the grid crossing that fills them.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "attnsweep/engine/kernel_catalogue.h"
#include "attnsweep/engine/spec.h"

namespace attnsweep::gui {

// Sizes separated by commas or spaces; "k" multiplies by 1024. Error names the bad word.
struct SizeList {
  std::vector<std::int64_t> values;
  std::string error;
};
SizeList parse_size_list(std::string_view text);

struct TierLines {
  std::vector<TierShape> tiers;
  std::string error;  // "line 3: expected 5 numbers (Q_N K_N head_dim heads batch), got 4"
};
TierLines parse_tier_lines(std::string_view text);
std::string tier_lines(const std::vector<TierShape>& tiers);

// Every combination of the axes, Q_N = K_N (k_n empty) or crossed with k_n; in tier_before order.
std::vector<TierShape> cross_grid(const std::vector<std::int64_t>& q_n, const std::vector<std::int64_t>& k_n,
                                  const std::vector<std::int64_t>& head_dim, const std::vector<std::int64_t>& heads,
                                  const std::vector<std::int64_t>& batch);

// What the panel says under the kernels when some checked ones cannot run with `backend` here
// (greyed out, or another backend's): which, why, and when none can, what would. Empty when all can.
std::string kernel_hint(const std::vector<CatalogueKernel>& catalogue, const std::vector<std::string>& checked,
                        Backend backend);
// Whether any checked kernel can run with `backend` here: when none can, Run is refused.
bool any_checked_kernel_runs(const std::vector<CatalogueKernel>& catalogue, const std::vector<std::string>& checked,
                             Backend backend);

// Seconds left from how long `done` cells took; nullopt before the first cell finished.
std::optional<double> eta_seconds(double elapsed_s, std::size_t done, std::size_t total);

}  // namespace attnsweep::gui
