#include "kernel_choice.h"

#include <algorithm>

#include "attnsweep/kernels/device.h"

namespace attnsweep::sm90 {

std::string describe(const KernelConfig& k) {
  std::string s = "d=" + std::to_string(k.head_dim) + " wg=" + std::to_string(k.consumers) + " bn=" + std::to_string(k.key_block);
  if (k.causal) s += " causal";
  if (k.persistent) s += " persistent";
  if (k.overlap) s += " overlap";
  if (k.turns) s += " turns";
  return s;
}

std::int64_t tile_count(const AttentionProblem& p, int consumers) {
  const std::int64_t rows = 64 * consumers;
  return (p.q_n + rows - 1) / rows * p.heads * p.batch;
}

// Every figure was measured on H100 SXM cards, the alternatives timed side by side in one run
// (docs/flash_sm90.md has the whole list). "waves" are tiles over SMs.
LaunchConfig choose_launch(const AttentionProblem& p, const GpuShape& gpu, const Sm90Variant& fixed) {
  const int d = static_cast<int>(p.head_dim), sms = gpu.sms;
  LaunchConfig c;
  KernelConfig& k = c.kernel;
  k.head_dim = d;
  k.causal = p.causal;

  // Consumer warpgroups: three (192-row tiles) are faster per row than two but make fewer tiles.
  if (fixed.consumers != 0) {
    k.consumers = fixed.consumers;
  } else if (d == 256) {
    k.consumers = 2;  // O alone takes 128 of a third warpgroup's 160 registers
  } else if (p.causal) {
    // 3 where they make two waves: 7-17% faster at d=128; at d=64 2-5% slower below 2048 keys.
    k.consumers = tile_count(p, 3) >= 2 * sms && (d == 128 || p.k_n >= 2048) ? 3 : 2;
  } else if (d == 128) {
    // 3 from 2048 keys on a full wave: 4-6% faster; with fewer keys 2-4% slower.
    k.consumers = p.k_n >= 2048 && tile_count(p, 3) >= sms ? 3 : 2;
  } else {
    // d=64: 3 are 11-15% faster per row from 2048 keys; 2 where 192-row tiles leave SMs idle (14-23%
    // faster at B=1 N=512/1k): the lower waves x rows, two warpgroups' rows costing 1.15 of three's.
    const auto cost = [&](int consumers, double per_row) {
      return static_cast<double>((tile_count(p, consumers) + sms - 1) / sms) * (64.0 * consumers) * per_row;
    };
    k.consumers = cost(3, 1.0) <= cost(2, 1.15) ? 3 : 2;
  }
  if (k.consumers != 2 && k.consumers != 3) throw DeviceError("flash_sm90: consumer warpgroups must be 2 or 3", false);
  if (d == 256) k.consumers = 2;  // the only count it has

  // Key blocks: 128 keys, but wider where it pays.
  bool wide = false;
  if (fixed.wide_keys >= 0) {
    wide = fixed.wide_keys != 0;
  } else if (d == 256) {
    // 80 keys: 1-3% faster from 2048 keys; 64 for causal up to 2048 keys: 1-4% faster (less of the
    // diagonal block masked).
    wide = !(p.causal && p.k_n <= 2048);
  } else {
    wide = d == 128 && p.causal;  // 176 keys for causal d=128: 2-4% faster from 8k keys; non-causal -2..+1%
  }
  if (d == 64 || k.consumers == 3) k.key_block = 128;  // the one size there
  else if (d == 128) k.key_block = wide ? 176 : 128;
  else k.key_block = wide ? 80 : 64;

  // The grid: one CTA per tile, or persistent (one CTA per SM; causal tiles follow the host's plan).
  const std::int64_t tiles = tile_count(p, k.consumers);
  if (fixed.persistent >= 0) {
    k.persistent = fixed.persistent != 0;
  } else if (p.causal && tiles <= 2 * sms) {
    k.persistent = false;  // the plan pays only with more than two waves; level or slower below
  } else if (p.causal) {
    // The plan: 3-20% faster at d=64 up to 4096 keys, d=128 with three warpgroups up to 2048, d=256
    // (1-8%); at d=64 with three from 8192 keys it runs overlapped (1-3% faster).
    k.persistent = d == 256 || (d == 64 && (p.k_n <= 4096 || (k.consumers == 3 && p.k_n >= 8192))) ||
                   (d == 128 && k.consumers == 3 && p.k_n <= 2048);
  } else {
    // d=256 1-7% faster at every length; d=64 with two warpgroups up to 2048 keys (up to 27%), with
    // three always (it runs overlapped); d=128 with two up to 4096 keys (up to 16%), with three 1-2.5%.
    k.persistent = d == 256 || (d == 64 && (p.k_n <= 2048 || k.consumers == 3)) ||
                   (d == 128 && (k.consumers == 3 || p.k_n <= 4096));
  }

  // The overlap of a block's softmax with the previous block's P V.
  if (fixed.overlap >= 0) {
    k.overlap = fixed.overlap != 0;
  } else if (d == 256) {
    k.overlap = true;  // 1.03-1.21x from 1024 keys, 0.99-1.04x at 512
  } else if (d == 128) {
    // Two warpgroups: 1.01-1.07x, but 3% slower on one wave of tiles with 512 keys (nothing to hide).
    k.overlap = k.consumers == 2 && (p.k_n > 512 || tiles > sms);
  } else {
    // d=64, three warpgroups, persistent: 1.01-1.06x non-causal, 1.01-1.04x causal from 8192 keys;
    // two warpgroups' short blocks leave less to hide (1-8% slower).
    k.overlap = k.consumers == 3 && k.persistent && (!p.causal || p.k_n >= 8192);
  }
  if (d == 128 && k.consumers == 3) k.overlap = false;  // no registers for it

  // Turns at the GEMMs: d=64 1.01-1.08x, d=128 with two warpgroups 1.01-1.07x, d=256 1.00-1.02x;
  // three at d=128 3-6% slower (each waits out two others' P V) but for causal tiles of at most 512
  // keys (1.03x).
  if (fixed.turns >= 0) k.turns = fixed.turns != 0;
  else k.turns = !(d == 128 && k.consumers == 3) || (p.causal && p.k_n <= 512);

  // Causal tile order: with about as many (head, batch) pairs as SMs and at most 16 row blocks a
  // pair, each pair's tiles back to back (its K and V stay in L2: 2-15% faster); otherwise sections
  // of pairs whose K and V fill half the L2 (with few pairs, up to 1.4x faster).
  const std::int64_t pairs = p.heads * p.batch, m_blocks = (p.q_n + block_rows(k) - 1) / block_rows(k);
  if (fixed.pairs_per_section > 0) {
    c.pairs_per_section = fixed.pairs_per_section;
  } else if (10 * pairs >= 9 * sms && m_blocks <= 16) {
    c.pairs_per_section = 1;
  } else {
    const std::int64_t kv_bytes = 2 * p.k_n * p.head_dim * 2;
    c.pairs_per_section = static_cast<int>(std::clamp<std::int64_t>(gpu.l2_bytes / 2 / kv_bytes, 1, pairs));
  }
  c.pairs_per_section = static_cast<int>(std::min<std::int64_t>(c.pairs_per_section, pairs));

  // Two Q slots and halved diagonal blocks wherever the kernel has them.
  c.q_slots = std::clamp(fixed.q_slots < 0 ? 2 : fixed.q_slots, 1, shared_layout(k).q_slots);
  c.half_diagonal = halves_diagonal(k) && fixed.half_diagonal != 0;
  return c;
}

}  // namespace attnsweep::sm90
