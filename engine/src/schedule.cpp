#include "attnsweep/engine/schedule.h"

#include <algorithm>
#include <charconv>
#include <numeric>
#include <stdexcept>

namespace attnsweep {

namespace {

std::optional<int> parse_positive(std::string_view text) {
  int value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value < 1) return std::nullopt;
  return value;
}

}  // namespace

std::string Shard::text() const { return std::to_string(index) + "/" + std::to_string(count); }

Shard parse_shard(std::string_view text) {
  const std::size_t slash = text.find('/');
  const std::string rule = "must be K/N with whole numbers 1 <= K <= N, e.g. 2/4 (got '" + std::string(text) + "')";
  if (slash == std::string_view::npos) throw std::invalid_argument("--shard: " + rule);
  const std::optional<int> k = parse_positive(text.substr(0, slash));
  const std::optional<int> n = parse_positive(text.substr(slash + 1));
  if (!k || !n || *k > *n) throw std::invalid_argument("--shard: " + rule);
  return Shard{*k, *n};
}

double cell_cost(const Cell& cell) { return cell.problem().flops(); }

std::vector<std::size_t> largest_first(const Plan& plan) {
  std::vector<std::size_t> order(plan.cells.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    const Cell& x = plan.cells[a];
    const Cell& y = plan.cells[b];
    if (cell_cost(x) != cell_cost(y)) return cell_cost(x) > cell_cost(y);
    return x.problem().min_bytes() > y.problem().min_bytes();  // the spec's, not the build's workspace
  });
  return order;
}

Plan shard_of(const Plan& plan, const Shard& shard) {
  const std::vector<std::size_t> order = largest_first(plan);
  std::vector<bool> mine(plan.cells.size(), false);
  const auto n = static_cast<std::size_t>(shard.count);
  for (std::size_t position = 0; position < order.size(); ++position) {
    const std::size_t round = position / n, offset = position % n;
    const std::size_t share = round % 2 == 0 ? offset : n - 1 - offset;  // 0-based
    mine[order[position]] = share + 1 == static_cast<std::size_t>(shard.index);
  }
  Plan out;
  out.spec = plan.spec;
  for (std::size_t i = 0; i < plan.cells.size(); ++i)
    if (mine[i]) out.cells.push_back(plan.cells[i]);  // plan order kept
  return out;
}

}  // namespace attnsweep
