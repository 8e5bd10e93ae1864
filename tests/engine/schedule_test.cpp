#include "attnsweep/engine/schedule.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "attnsweep/kernels/device.h"

namespace attnsweep {
namespace {

// 2 kernels x 4 tiers x 2 masks = 16 cells of different sizes.
Plan sample_plan(const DeviceCaps& caps = {}) {
  const SpecParseResult parsed = parse_spec(R"({"version": 1, "name": "s", "kernels": ["cpu_naive", "cpu_flash"],
    "dtypes": ["fp32"], "causal": [false, true],
    "tiers": [{"q_n": 64, "head_dim": 16, "heads": 1, "batch": 1}, {"q_n": 256, "head_dim": 16, "heads": 1, "batch": 1},
              {"q_n": 128, "head_dim": 32, "heads": 2, "batch": 1}, {"q_n": 32, "head_dim": 8, "heads": 1, "batch": 3}]})");
  EXPECT_TRUE(parsed.spec) << (parsed.errors.empty() ? "" : parsed.errors.front().to_string());
  return make_plan(*parsed.spec, caps);
}

std::set<std::string> ids_of(const Plan& plan) {
  std::set<std::string> ids;
  for (const Cell& c : plan.cells) ids.insert(c.id());
  return ids;
}

TEST(Schedule, ParsesShardsAndNamesTheRule) {
  EXPECT_EQ(parse_shard("1/1"), (Shard{1, 1}));
  EXPECT_EQ(parse_shard("3/4"), (Shard{3, 4}));
  EXPECT_EQ(parse_shard("3/4").text(), "3/4");
  for (const char* bad : {"", "3", "0/4", "5/4", "-1/4", "1/0", "a/b", "1/4x", " 1/4", "1//4", "1/99999999999"}) {
    try {
      parse_shard(bad);
      ADD_FAILURE() << "accepted '" << bad << "'";
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find("--shard: must be K/N"), std::string::npos) << e.what();
    }
  }
}

TEST(Schedule, LargestFirstOrdersByFlopsThenBytesThenPlan) {
  const Plan plan = sample_plan();
  const std::vector<std::size_t> order = largest_first(plan);
  ASSERT_EQ(order.size(), plan.cells.size());
  EXPECT_EQ(std::set<std::size_t>(order.begin(), order.end()).size(), order.size());  // a permutation
  for (std::size_t i = 1; i < order.size(); ++i) {
    const Cell& a = plan.cells[order[i - 1]];
    const Cell& b = plan.cells[order[i]];
    EXPECT_GE(cell_cost(a), cell_cost(b));
    if (cell_cost(a) == cell_cost(b) && a.problem().min_bytes() == b.problem().min_bytes())
      EXPECT_LT(order[i - 1], order[i]);  // ties keep plan order
  }
  // The biggest are n=128, d=32, 2 heads and n=256, d=16, 1 head, full mask: 4*2^20 FLOPs each; the
  // first moves twice the bytes. cpu_naive before cpu_flash (plan order).
  EXPECT_EQ(plan.cells[order[0]].id(), "cpu_naive|hd32-h2-b1-n128|fp32|full");
  EXPECT_EQ(plan.cells[order[1]].id(), "cpu_flash|hd32-h2-b1-n128|fp32|full");
  EXPECT_EQ(plan.cells[order[2]].id(), "cpu_naive|hd16-h1-b1-n256|fp32|full");
  EXPECT_EQ(plan.cells[order[3]].id(), "cpu_flash|hd16-h1-b1-n256|fp32|full");
}

TEST(Schedule, SharesHoldEveryCellOnceWithLikeWork) {
  const Plan plan = sample_plan();
  for (int n : {1, 2, 3, 5, 16, 20}) {
    std::map<std::string, int> times_seen;
    double least = 1e300, most = 0;
    for (int k = 1; k <= n; ++k) {
      const Plan share = shard_of(plan, Shard{k, n});
      double work = 0;
      for (const Cell& c : share.cells) {
        ++times_seen[c.id()];
        work += cell_cost(c);
      }
      least = std::min(least, work);
      most = std::max(most, work);
      EXPECT_EQ(share.spec.name, plan.spec.name);
    }
    EXPECT_EQ(times_seen.size(), plan.cells.size()) << n << " shares";
    for (const auto& [id, times] : times_seen) EXPECT_EQ(times, 1) << id << " in " << n << " shares";
    // Dealt back and forth: no share has more than the largest cell over the least loaded one.
    if (n <= static_cast<int>(plan.cells.size()))
      EXPECT_LE(most - least, cell_cost(plan.cells[largest_first(plan).front()])) << n << " shares";
  }
}

TEST(Schedule, AShareKeepsPlanOrderAndDoesNotDependOnTheDevice) {
  const Plan cpu = sample_plan(make_cpu_device()->caps());
  DeviceCaps gpu;
  gpu.known = true;
  gpu.backend = Backend::cuda;
  const Plan elsewhere = sample_plan(gpu);  // every CPU kernel unsupported there
  for (int k = 1; k <= 3; ++k) {
    const Plan a = shard_of(cpu, Shard{k, 3});
    EXPECT_EQ(ids_of(a), ids_of(shard_of(elsewhere, Shard{k, 3})));
    EXPECT_EQ(ids_of(a), ids_of(shard_of(cpu, Shard{k, 3})));  // the same every time
    std::size_t last = 0;
    for (const Cell& c : a.cells) {
      std::size_t at = 0;
      while (cpu.cells[at].id() != c.id()) ++at;
      EXPECT_GE(at, last);
      last = at;
    }
  }
}

}  // namespace
}  // namespace attnsweep
