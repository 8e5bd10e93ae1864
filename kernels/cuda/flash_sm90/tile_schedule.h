#pragma once
// Which output tiles flash_sm90's CTAs compute, and in what order: shared by the host, which plans
// the causal persistent grid's tile lists, and the kernel, which walks them. Plain C++ on the host.
#include <cstdint>
#include <vector>

#include "host_device.h"

namespace attnsweep::sm90 {

// The tiles of one launch: m_blocks row blocks of block_rows query rows for each (head, batch).
struct TileGrid {
  int m_blocks, heads, batch;
  int section;  // causal: (head, batch) pairs whose tiles are ordered together
  ATTNSWEEP_HOST_DEVICE int tiles() const { return m_blocks * heads * batch; }
};

struct TileCoord {
  int m_block, head, batch;
};

// Tile t's row block, head and batch. Non-causal: row blocks vary fastest, so the CTAs running at
// once share one head's K and V in L2. Causal: the (head, batch) pairs go in sections (sized on the
// host so that a section's K and V fit in L2); within one, the heaviest row blocks (most keys) of
// all its pairs come first, so that the last tiles to start are the light ones.
ATTNSWEEP_HOST_DEVICE inline TileCoord tile_coord(int t, const TileGrid& g, bool causal) {
  if (causal) {
    const int pairs = g.heads * g.batch, section_tiles = g.section * g.m_blocks;
    const int first_pair = t / section_tiles * g.section, r = t % section_tiles;
    const int in_section = pairs - first_pair < g.section ? pairs - first_pair : g.section;  // the last may be short
    const int hb = first_pair + r % in_section;
    return {g.m_blocks - 1 - r / in_section, hb % g.heads, hb / g.heads};
  }
  const int hb = t / g.m_blocks;
  return {t % g.m_blocks, hb % g.heads, hb / g.heads};
}

// Key blocks of key_block keys that a causal tile of block_rows rows starting at row m0 reads.
ATTNSWEEP_HOST_DEVICE inline int causal_key_blocks(int m0, int block_rows, int key_block, int q_n, int k_n) {
  const int all = (k_n + key_block - 1) / key_block;
  const int last_row = (m0 + block_rows < q_n ? m0 + block_rows : q_n);
  const int seen = (last_row + key_block - 1) / key_block;
  return seen < all ? seen : all;
}

// The causal persistent grid's plan: ctas CTAs, each computing the tiles
// list[list[c] .. list[c + 1]) (indices into list's tail, which follows the ctas + 1 offsets).
// The tiles are handed out in tile_coord's order, heaviest first, each to the CTA whose planned work
// (key blocks, plus one block's worth per tile for its Q load and output) ends first: what a shared
// counter would do at run time, without a counter to reset or an index to hand between warps.
std::vector<std::int32_t> plan_causal_tiles(const TileGrid& grid, int ctas, int block_rows, int key_block, int q_n, int k_n);

}  // namespace attnsweep::sm90
