// flash_sm90's tile order and the causal persistent grid's plan (kernels/cuda/flash_sm90/tile_schedule.cpp).
// Host code: built and run in every configuration, with or without CUDA.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <set>
#include <tuple>
#include <vector>

#include "tile_schedule.h"

namespace attnsweep::sm90 {
namespace {

// Every tile index maps to a distinct (row block, head, batch) in range, causal or not.
TEST(TileSchedule, TileCoordsCoverEveryTileOnce) {
  for (const TileGrid g : {TileGrid{5, 3, 2, 1}, TileGrid{5, 3, 2, 4}, TileGrid{1, 7, 1, 7}, TileGrid{16, 8, 4, 3}})
    for (bool causal : {false, true}) {
      std::set<std::tuple<int, int, int>> seen;
      for (int t = 0; t < g.tiles(); ++t) {
        const TileCoord c = tile_coord(t, g, causal);
        ASSERT_TRUE(c.m_block >= 0 && c.m_block < g.m_blocks && c.head >= 0 && c.head < g.heads && c.batch >= 0 && c.batch < g.batch);
        seen.insert({c.m_block, c.head, c.batch});
      }
      EXPECT_EQ(static_cast<int>(seen.size()), g.tiles()) << "section " << g.section << (causal ? " causal" : "");
    }
}

// Causal order: within a section the heaviest row blocks (the last rows, which see the most keys) come first.
TEST(TileSchedule, CausalOrderStartsWithTheHeaviestRowBlocks) {
  const TileGrid g{6, 4, 1, 4};
  for (int t = 1; t < g.tiles(); ++t)
    EXPECT_GE(tile_coord(t - 1, g, true).m_block, tile_coord(t, g, true).m_block) << t;
}

TEST(TileSchedule, CausalKeyBlocksStopAtTheTilesLastRow) {
  EXPECT_EQ(causal_key_blocks(0, 128, 128, 4096, 4096), 1);
  EXPECT_EQ(causal_key_blocks(128, 128, 128, 4096, 4096), 2);
  EXPECT_EQ(causal_key_blocks(0, 192, 128, 4096, 4096), 2);     // rows 0..191 reach key 191
  EXPECT_EQ(causal_key_blocks(3968, 128, 128, 4000, 4096), 32);  // the last tile ends at q_n
  EXPECT_EQ(causal_key_blocks(3968, 128, 128, 4096, 300), 3);    // fewer keys than rows
}

// The plan gives every tile to exactly one CTA, the first wave in order, and keeps the CTAs' planned
// work within one tile of each other (what taking tiles from a counter does).
TEST(TileSchedule, CausalPlanGivesEveryTileOnceAndBalancesTheWork) {
  struct Case { TileGrid g; int ctas, rows, key_block, q_n, k_n; };
  for (const Case& k : {Case{{11, 12, 8, 1}, 132, 192, 128, 2048, 2048}, Case{{8, 8, 32, 3}, 132, 128, 80, 1000, 1000},
                        Case{{3, 2, 1, 2}, 6, 128, 128, 300, 300}, Case{{2, 50, 3, 150}, 132, 192, 128, 200, 333}}) {
    const std::vector<std::int32_t> plan = plan_causal_tiles(k.g, k.ctas, k.rows, k.key_block, k.q_n, k.k_n);
    ASSERT_EQ(static_cast<int>(plan.size()), k.ctas + 1 + k.g.tiles());
    EXPECT_EQ(plan[0], 0);
    EXPECT_EQ(plan[k.ctas], k.g.tiles());
    std::vector<int> taken(k.g.tiles(), 0);
    std::int64_t most = 0, least = INT64_MAX;
    int heaviest_tile = 0;
    for (int c = 0; c < k.ctas; ++c) {
      ASSERT_LE(plan[c], plan[c + 1]);
      if (plan[c] < plan[c + 1]) EXPECT_EQ(plan[k.ctas + 1 + plan[c]], c) << "the first wave is tile c on CTA c";
      std::int64_t work = 0;
      for (int i = plan[c]; i < plan[c + 1]; ++i) {
        const int t = plan[k.ctas + 1 + i];
        ASSERT_TRUE(t >= 0 && t < k.g.tiles());
        ++taken[t];
        const int w = causal_key_blocks(tile_coord(t, k.g, true).m_block * k.rows, k.rows, k.key_block, k.q_n, k.k_n) + 1;
        heaviest_tile = std::max(heaviest_tile, w);
        work += w;
      }
      most = std::max(most, work);
      least = std::min(least, work);
    }
    EXPECT_EQ(std::count(taken.begin(), taken.end(), 1), k.g.tiles());
    EXPECT_LE(most - least, heaviest_tile);
  }
}

}  // namespace
}  // namespace attnsweep::sm90
