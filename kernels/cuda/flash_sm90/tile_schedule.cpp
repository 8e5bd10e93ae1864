#include "tile_schedule.h"

#include <functional>
#include <queue>
#include <utility>

namespace attnsweep::sm90 {

std::vector<std::int32_t> plan_causal_tiles(const TileGrid& grid, int ctas, int block_rows, int key_block, int q_n, int k_n) {
  const int tiles = grid.tiles();
  // (planned end, CTA), earliest first; ties go to the lower CTA, so the first wave is tile c on CTA c.
  using Slot = std::pair<std::int64_t, int>;
  std::priority_queue<Slot, std::vector<Slot>, std::greater<Slot>> free_at;
  for (int c = 0; c < ctas; ++c) free_at.push({0, c});
  std::vector<int> owner(tiles), count(ctas, 0);
  for (int t = 0; t < tiles; ++t) {
    const auto [end, c] = free_at.top();
    free_at.pop();
    const TileCoord tc = tile_coord(t, grid, true);
    const int work = causal_key_blocks(tc.m_block * block_rows, block_rows, key_block, q_n, k_n) + 1;
    owner[t] = c;
    ++count[c];
    free_at.push({end + work, c});
  }
  // Offsets, then each CTA's tiles in the order it takes them.
  std::vector<std::int32_t> plan(ctas + 1 + tiles);
  plan[0] = 0;
  for (int c = 0; c < ctas; ++c) plan[c + 1] = plan[c] + count[c];
  std::vector<int> next(plan.begin(), plan.begin() + ctas);
  for (int t = 0; t < tiles; ++t) plan[ctas + 1 + next[owner[t]]++] = t;
  return plan;
}

}  // namespace attnsweep::sm90
