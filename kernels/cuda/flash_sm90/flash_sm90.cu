// Host side of flash_sm90: tensor maps, launch configuration and the Kernel entry.
#include "flash_sm90.h"
#include "flash_sm90_config.h"

#include <cuda.h>
#include <cuda_runtime.h>
#include <cudaTypedefs.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <deque>
#include <limits>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "attnsweep/kernels/device.h"
#include "flash_sm90_kernel.cuh"
#include "tile_schedule.h"

namespace attnsweep::cuda {
namespace {

using sm90::kPanelCols;

// Tiles of 64 * consumers query rows: one per row block, head and batch.
std::int64_t tile_count(const AttentionProblem& p, int consumers) {
  const std::int64_t rows = 64 * consumers;
  return (p.q_n + rows - 1) / rows * p.heads * p.batch;
}

// Consumer warpgroups in the shipped dispatch (all figures measured on H100 SXM). 3 (192-row tiles,
// as FlashAttention-3) run faster per row than 2 (d=64: about 12%; d=128: 4-6%, causal 7-17%) but
// make fewer, larger tiles. Causal tiles differ in work: 2 while 192-row tiles would make fewer than
// two per SM, and at d=64 with fewer than 2048 keys (2-5% faster). At d=64 the count with the lower
// estimate of waves x rows per tile, two warpgroups' rows costing 1.15 of three's (measured
// 1.11-1.15 at N >= 2048; 1.15 picks three for the fa3 preset's N = 512 and 1024, level and 4%
// faster there, and keeps two for the seed's B=8 tiers, where three are 7-15% slower); at d=128,
// 3 from 2048 keys where they fill at
// least one wave (with fewer keys 2 measured 2-4% faster even on many tiles). d=256 uses 2: its O
// alone takes 128 of a third warpgroup's 160 registers.
int default_consumers(const AttentionProblem& p, int sms) {
  if (p.head_dim == 256) return 2;
  if (p.causal) return tile_count(p, 3) >= 2 * sms && (p.head_dim == 128 || p.k_n >= 2048) ? 3 : 2;
  if (p.head_dim == 128) return p.k_n >= 2048 && tile_count(p, 3) >= sms ? 3 : 2;
  const auto cost = [&](int consumers, double per_row) {
    return static_cast<double>((tile_count(p, consumers) + sms - 1) / sms) * (64.0 * consumers) * per_row;
  };
  return cost(3, 1.0) <= cost(2, 1.15) ? 3 : 2;
}
// Wider key blocks (176 at d=128, 80 at d=256, instead of 128 and 64) in the shipped dispatch:
// at d=256, where they measured 1-3% faster at N >= 2048, except causal with at most 2048 keys
// (64-key blocks 1-4% faster there: less of the diagonal block is masked); and for causal
// d=128, 2-4% faster at N >= 8192 (fewer softmax rounds and barrier waits per key); non-causal
// d=128 was within -2..+1%.
bool wide_keys_by_default(const AttentionProblem& p) {
  if (p.head_dim == 256) return !(p.causal && p.k_n <= 2048);
  return p.head_dim == 128 && p.causal;
}
// A persistent grid (one CTA per SM, tiles taken in turn) in the shipped dispatch, where the next
// tile's loads overlap this tile's tail instead of a new CTA starting cold (measured against one CTA
// per tile on the same card). Non-causal: d=256 at every length (1-7% faster); d=64 with
// three warpgroups at every length, where it runs overlapped (overlap_by_default), and with two up
// to 2048 keys (up to 27%; 1-3% slower at 4096); d=128 with two warpgroups and at most 4096 keys
// (up to 16%), and with three at every length (1-2.5%, since the Q descriptors went to uniform
// registers). Causal tiles differ in work: a
// static turn was up to 43% slower, so the kernel follows a plan made on the host as a
// shared counter would hand the tiles out, heaviest first (tile_schedule.h): with more than two
// waves of tiles, 3-20% faster at d=64 with at most 4096 keys, at d=128 with three warpgroups and at
// most 2048 (from 4096 keys -4%..+2.5%), and at d=256 at every length (1-8%); with fewer tiles, or
// with two warpgroups at d=128, level or slower. Also three warpgroups at d=64 from 8192 keys, causal
// or not: there the persistent grid runs overlapped (overlap_by_default), 1-3% faster than one CTA
// per tile without the overlap; non-causal from 4096 keys, 4-6%.
bool persistent_by_default(const AttentionProblem& p, int consumers, int sms) {
  const std::int64_t tiles = tile_count(p, consumers);
  if (p.causal) {
    if (tiles <= 2 * sms) return false;
    if (p.head_dim == 64) return p.k_n <= 4096 || (consumers == 3 && p.k_n >= 8192);
    if (p.head_dim == 128) return consumers == 3 && p.k_n <= 2048;
    return true;
  }
  if (p.head_dim == 64) return p.k_n <= 2048 || consumers == 3;
  if (p.head_dim == 128) return consumers == 3 || p.k_n <= 4096;
  return true;
}
// FlashAttention-3's intra-warpgroup overlap (a warpgroup's softmax of key block j runs while its
// P V of block j-1 is on the tensor cores) in the shipped dispatch, measured interleaved against
// one block at a time on two cards: d=256 always (1.03-1.21x
// from 1024 keys, 0.99-1.04x at 512); two warpgroups at d=128 (1.01-1.07x; three have no registers
// for it) unless their tiles fit one wave with at most 512 keys (3% slower: four key blocks leave
// nothing to hide, and nothing else runs); at d=64 with three warpgroups on the persistent grid,
// causal from 8192 keys (1.01-1.04x; 0.98-1.00x below) and, since the warpgroups take turns
// (turns_by_default), non-causal at every length (1.01-1.06x); two warpgroups'
// short blocks leave less to hide (3-5% slower with turns, 1-8% without).
bool overlap_by_default(const AttentionProblem& p, int consumers, bool persistent, int sms) {
  if (p.head_dim == 256) return true;
  if (p.head_dim == 128) return consumers == 2 && (p.k_n > 512 || tile_count(p, consumers) > sms);
  return consumers == 3 && persistent && (!p.causal || p.k_n >= 8192);
}
// The consumer warpgroups taking turns at their GEMMs (FlashAttention-3's ping-pong) in the shipped
// dispatch, measured interleaved against each warpgroup issuing when ready (four cards; medians per
// group): d=64 1.01-1.08x (the seed's B=8 N=1024 non-causal 1.06-1.08x:
// one warpgroup's softmax runs under the other's GEMMs instead of beside its softmax), d=128 with
// two warpgroups 1.01-1.07x, d=256 1.00-1.02x; three warpgroups at d=128 3-6% slower (each waits
// out two others' 128-column P V), but for causal tiles of at most 512 keys (the fa3 preset's N=512:
// 1.028-1.033x on three cards, 1.006x on the fourth).
bool turns_by_default(const AttentionProblem& p, int consumers) {
  return !(p.head_dim == 128 && consumers == 3) || (p.causal && p.k_n <= 512);
}
// Causal tile order: with about as many (head, batch) pairs as SMs or more and at most 16 row blocks
// a pair, each pair's tiles run back to back, heaviest first (its K and V stay hot in L2 and the many
// pairs keep the SMs even: 2-15% faster). Otherwise as many pairs per section as fill half the L2 with
// their K and V, heaviest row blocks of the section first (with few pairs, up to 1.4x faster).
int pairs_per_section(const AttentionProblem& p, int m_blocks, int sms, std::int64_t l2_bytes) {
  const std::int64_t kv_bytes = 2 * p.k_n * p.head_dim * 2, pairs = p.heads * p.batch;
  if (10 * pairs >= 9 * sms && m_blocks <= 16) return 1;  // 128 pairs on 132 SMs: back to back (measured)
  return static_cast<int>(std::clamp<std::int64_t>(l2_bytes / 2 / kv_bytes, 1, pairs));
}

// cuTensorMapEncodeTiled from the driver, found at run time so that no -lcuda link is needed.
PFN_cuTensorMapEncodeTiled_v12000 tensor_map_encoder() {
  static PFN_cuTensorMapEncodeTiled_v12000 fn = [] {
    void* p = nullptr;
    cudaDriverEntryPointQueryResult found{};
    const cudaError_t err = cudaGetDriverEntryPointByVersion("cuTensorMapEncodeTiled", &p, 12000, cudaEnableDefault, &found);
    if (err != cudaSuccess || found != cudaDriverEntryPointSuccess || !p)
      throw DeviceError("flash_sm90: the driver has no cuTensorMapEncodeTiled", false);
    return reinterpret_cast<PFN_cuTensorMapEncodeTiled_v12000>(p);
  }();
  return fn;
}

// What TMA needs of a tensor: strides (in 16-bit elements) of 16 bytes, and a 16-byte aligned base.
bool tma_strides(std::int64_t row_stride, std::int64_t head_stride, std::int64_t batch_stride) {
  for (std::int64_t s : {row_stride, head_stride, batch_stride})
    if ((s * 2) % 16 != 0) return false;
  return true;
}
bool tma_aligned(const void* base) { return reinterpret_cast<std::uintptr_t>(base) % 16 == 0; }

// A rank-4 view (head_dim, rows, heads, batch) of one operand, read (or written) in boxes of
// 64 columns x box_rows rows with the 128-byte swizzle. Rows past `rows` read as zeros and are not written.
CUtensorMap make_tensor_map(const char* field, const void* base, DType dtype, std::int64_t head_dim, std::int64_t rows,
                            std::int64_t heads, std::int64_t batch, std::int64_t row_stride, std::int64_t head_stride,
                            std::int64_t batch_stride, int box_rows) {
  if (!tma_strides(row_stride, head_stride, batch_stride))
    throw DeviceError(std::string("flash_sm90: ") + field + " strides must be multiples of 8 elements (TMA needs 16-byte strides)",
                      false);
  if (!tma_aligned(base))
    throw DeviceError(std::string("flash_sm90: ") + field + " must be 16-byte aligned", false);
  CUtensorMap map;
  const cuuint64_t dims[4] = {static_cast<cuuint64_t>(head_dim), static_cast<cuuint64_t>(rows), static_cast<cuuint64_t>(heads),
                              static_cast<cuuint64_t>(batch)};
  const cuuint64_t byte_strides[3] = {static_cast<cuuint64_t>(row_stride * 2), static_cast<cuuint64_t>(head_stride * 2),
                                      static_cast<cuuint64_t>(batch_stride * 2)};
  const cuuint32_t box[4] = {kPanelCols, static_cast<cuuint32_t>(box_rows), 1, 1};
  const cuuint32_t element_strides[4] = {1, 1, 1, 1};
  const CUresult r = tensor_map_encoder()(
      &map, dtype == DType::bf16 ? CU_TENSOR_MAP_DATA_TYPE_BFLOAT16 : CU_TENSOR_MAP_DATA_TYPE_FLOAT16, 4, const_cast<void*>(base),
      dims, byte_strides, box, element_strides, CU_TENSOR_MAP_INTERLEAVE_NONE, CU_TENSOR_MAP_SWIZZLE_128B,
      CU_TENSOR_MAP_L2_PROMOTION_L2_256B, CU_TENSOR_MAP_FLOAT_OOB_FILL_NONE);
  if (r != CUDA_SUCCESS)
    throw DeviceError(std::string("flash_sm90: cuTensorMapEncodeTiled failed for ") + field + " (CUresult " + std::to_string(r) + ")",
                      false);
  return map;
}

void check(cudaError_t err, const char* what) {
  if (err != cudaSuccess) {
    // Launch-configuration errors leave the context usable; anything else is treated as sticky.
    const bool sticky = err != cudaErrorInvalidValue && err != cudaErrorInvalidConfiguration && err != cudaErrorLaunchOutOfResources;
    throw DeviceError(std::string("flash_sm90: ") + what + ": " + cudaGetErrorString(err), sticky);
  }
}

// The current device, its multiprocessors (a persistent grid has one CTA each) and its L2 size,
// read once per device and thread.
struct Gpu {
  int device = -1, sms = 0, l2_bytes = 0;
};
const Gpu& current_gpu() {
  thread_local Gpu gpu;
  int device = 0;
  check(cudaGetDevice(&device), "cudaGetDevice");
  if (gpu.device != device) {
    check(cudaDeviceGetAttribute(&gpu.sms, cudaDevAttrMultiProcessorCount, device), "cudaDeviceGetAttribute");
    check(cudaDeviceGetAttribute(&gpu.l2_bytes, cudaDevAttrL2CacheSize, device), "cudaDeviceGetAttribute");
    gpu.device = device;
  }
  return gpu;
}

// The causal persistent grid's tile plan (plan_causal_tiles) on the device, made and uploaded on the
// first launch of a shape and kept for the next (a sweep times each shape many times). At most
// kKeptPlans are kept; the oldest goes first.
const std::int32_t* causal_plan(int device, const sm90::TileGrid& grid, int ctas, int block_rows, int key_block, int q_n,
                                int k_n) {
  constexpr std::size_t kKeptPlans = 64;
  using Key = std::array<int, 10>;
  static std::mutex mutex;
  static std::map<Key, std::int32_t*> plans;
  static std::deque<Key> made;  // oldest first
  const Key key{device, grid.m_blocks, grid.heads, grid.batch, grid.section, ctas, block_rows, key_block, q_n, k_n};
  const std::lock_guard<std::mutex> lock(mutex);
  if (const auto found = plans.find(key); found != plans.end()) return found->second;
  if (made.size() == kKeptPlans) {
    check(cudaFree(plans.at(made.front())), "cudaFree (causal tile plan)");  // waits for launches reading it
    plans.erase(made.front());
    made.pop_front();
  }
  const std::vector<std::int32_t> plan = sm90::plan_causal_tiles(grid, ctas, block_rows, key_block, q_n, k_n);
  std::int32_t* on_device = nullptr;
  check(cudaMalloc(&on_device, plan.size() * sizeof(std::int32_t)), "cudaMalloc (causal tile plan)");
  const cudaError_t copied = cudaMemcpy(on_device, plan.data(), plan.size() * sizeof(std::int32_t), cudaMemcpyHostToDevice);
  if (copied != cudaSuccess) cudaFree(on_device);
  check(copied, "cudaMemcpy (causal tile plan)");
  plans[key] = on_device;
  made.push_back(key);
  return on_device;
}

// Where a trace build's launches record (set_flash_sm90_trace; the harness only).
sm90::TraceBuffer trace_buffer;

// Launches the kernel; v.q_slots and v.half_diagonal become what it used.
template <class T, int D, int BN, int STAGES, int CONSUMERS, bool CAUSAL, bool PERSISTENT, bool OVERLAP>
void launch(const AttentionArgs& a, Sm90Variant& v) {
  using L = sm90::Tiles<D, BN, STAGES, CONSUMERS>;
  using S = sm90::SharedLayout<D, BN, STAGES, CONSUMERS, PERSISTENT>;
  const AttentionProblem& p = a.problem;
  const Gpu& gpu = current_gpu();
  auto* kernel = &sm90::flash_fwd_sm90<T, D, BN, STAGES, CONSUMERS, CAUSAL, PERSISTENT, OVERLAP>;
  // The shared-memory opt-in is per device: remember which devices have it (one bit each).
  static std::atomic<std::uint64_t> configured{0};
  const std::uint64_t bit = 1ull << (gpu.device & 63);
  if (!(configured.load() & bit)) {
    check(cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, S::kBytes), "cudaFuncSetAttribute");
    configured.fetch_or(bit);
  }
  const CUtensorMap tm_q = make_tensor_map("q", a.q, p.dtype, D, p.q_n, p.heads, p.batch, a.q_row_stride, a.q_head_stride,
                                           a.q_batch_stride, L::kBlockM);
  const CUtensorMap tm_k = make_tensor_map("k", a.k, p.dtype, D, p.k_n, p.heads, p.batch, a.k_row_stride, a.k_head_stride,
                                           a.k_batch_stride, BN);
  const CUtensorMap tm_v = make_tensor_map("v", a.v, p.dtype, D, p.k_n, p.heads, p.batch, a.v_row_stride, a.v_head_stride,
                                           a.v_batch_stride, BN);
  // O through a TMA store where the tile has room for it and TMA can address O, else 16-byte stores
  // where O's rows are 16-byte aligned (the same condition), else 4-byte stores.
  const bool o_aligned = tma_aligned(a.o) && tma_strides(a.o_row_stride, a.o_head_stride, a.o_batch_stride);
  CUtensorMap tm_o{};
  if (S::kStagedStore && o_aligned)
    tm_o = make_tensor_map("o", a.o, p.dtype, D, p.q_n, p.heads, p.batch, a.o_row_stride, a.o_head_stride, a.o_batch_stride,
                           sm90::o_store_rows(D, CAUSAL));
  const std::int64_t m_blocks = (p.q_n + L::kBlockM - 1) / L::kBlockM, tiles = m_blocks * p.heads * p.batch;
  if (tiles > std::numeric_limits<int>::max())
    throw DeviceError("flash_sm90: more than 2^31 - 1 tiles (q_n/tile rows x heads x batch)", false);
  const sm90::TileGrid tile_grid{static_cast<int>(m_blocks), static_cast<int>(p.heads), static_cast<int>(p.batch), v.pairs_per_section};
  const unsigned grid = static_cast<unsigned>(PERSISTENT ? std::min<std::int64_t>(tiles, gpu.sms) : tiles);
  v.q_slots = std::clamp(v.q_slots, 1, S::kQSlots);
  v.half_diagonal = sm90::halves_diagonal(CAUSAL, BN, OVERLAP) && v.half_diagonal ? 1 : 0;  // where the kernel has it
  const sm90::OutputParams out{
      a.o, a.o_batch_stride, a.o_head_stride, a.o_row_stride, static_cast<int>(p.q_n), static_cast<int>(p.k_n),
      v.q_slots, v.half_diagonal != 0, v.turns != 0,
      a.softmax_scale * 1.4426950408889634f, tile_grid,
      CAUSAL && PERSISTENT ? causal_plan(gpu.device, tile_grid, static_cast<int>(grid), L::kBlockM, BN, static_cast<int>(p.q_n),
                                         static_cast<int>(p.k_n))
                           : nullptr,
      o_aligned, trace_buffer};
  kernel<<<grid, L::kThreads, S::kBytes, static_cast<cudaStream_t>(a.stream)>>>(tm_q, tm_k, tm_v, tm_o, out);
  check(cudaGetLastError(), "launch");
}

template <class T, int D, int BN, int STAGES, int CONSUMERS, bool OVERLAP>
void launch_causal_or_not(const AttentionArgs& a, Sm90Variant& v) {
  if (a.problem.causal) {
    if (v.persistent) launch<T, D, BN, STAGES, CONSUMERS, true, true, OVERLAP>(a, v);
    else launch<T, D, BN, STAGES, CONSUMERS, true, false, OVERLAP>(a, v);
  } else if (v.persistent) {
    launch<T, D, BN, STAGES, CONSUMERS, false, true, OVERLAP>(a, v);
  } else {
    launch<T, D, BN, STAGES, CONSUMERS, false, false, OVERLAP>(a, v);
  }
}

// Three warpgroups at d=128 have no registers for the overlap (O, S and the previous block's P
// together take all 160): those kernels are compiled without it.
constexpr bool overlap_fits(std::int64_t head_dim, int consumers) { return !(head_dim == 128 && consumers == 3); }

template <class T, int D, int BN, int STAGES, int CONSUMERS>
void launch_overlapped_or_not(const AttentionArgs& a, Sm90Variant& v) {
  if constexpr (overlap_fits(D, CONSUMERS)) {
    if (v.overlap) return launch_causal_or_not<T, D, BN, STAGES, CONSUMERS, true>(a, v);
  }
  launch_causal_or_not<T, D, BN, STAGES, CONSUMERS, false>(a, v);
}

// Per-head_dim tiles: key block BN and ring depth chosen to fit 227 KB of shared memory
// (Q and the ring: d=64: 145 KB with 128-row Q tiles, 153 KB with 192-row; d=128: 161 KB, 209 KB with
// 176-key blocks; d=256: 193 KB, 225 KB with 80-key blocks; SharedLayout adds the O staging tile and a
// second Q slot where they fit).
template <class T>
void launch_typed(const AttentionArgs& a, Sm90Variant& v) {
  switch (a.problem.head_dim) {
    case 64:
      if (v.consumers == 2) launch_overlapped_or_not<T, 64, 128, 4, 2>(a, v);
      else launch_overlapped_or_not<T, 64, 128, 4, 3>(a, v);
      return;
    case 128:
      if (v.consumers == 3) launch_overlapped_or_not<T, 128, 128, 2, 3>(a, v);
      else if (v.wide_keys) launch_overlapped_or_not<T, 128, 176, 2, 2>(a, v);
      else launch_overlapped_or_not<T, 128, 128, 2, 2>(a, v);
      return;
    case 256:
      if (v.wide_keys) launch_overlapped_or_not<T, 256, 80, 2, 2>(a, v);
      else launch_overlapped_or_not<T, 256, 64, 2, 2>(a, v);
      return;
    default: throw DeviceError("flash_sm90: head_dim must be 64, 128 or 256", false);
  }
}

}  // namespace

class FlashSm90 final : public Kernel {
 public:
  const KernelInfo& info() const override {
    static const KernelInfo i{"flash_sm90", Backend::cuda,
                              "Hopper forward: TMA ring, warp-specialised wgmma, online exp2 softmax (sm_90a)", "", false};
    return i;
  }
  Support supports(const AttentionProblem& p, const DeviceCaps& caps) const override {
    if (caps.known && !(caps.backend == Backend::cuda && caps.cc_major == 9 && caps.cc_minor == 0))
      return Support::no("needs compute capability 9.0 (Hopper, sm_90a)");
    if (p.dtype != DType::fp16 && p.dtype != DType::bf16) return Support::no(std::string(dtype_name(p.dtype)) + ": only fp16/bf16");
    if (p.head_dim != 64 && p.head_dim != 128 && p.head_dim != 256)
      return Support::no("head_dim " + std::to_string(p.head_dim) + ": only 64/128/256");
    if (p.q_n < 1 || p.k_n < 1 || p.q_n > (1ll << 30) || p.k_n > (1ll << 30)) return Support::no("q_n and k_n must be in 1..2^30");
    if (tile_count(p, 1) > std::numeric_limits<int>::max())
      return Support::no("more than 2^31 - 1 tiles of 64 rows (q_n/64 x heads x batch)");
    return Support::yes();
  }
  void run(const AttentionArgs& a) const override { launch_flash_sm90(a); }
};

void launch_flash_sm90(const AttentionArgs& a) { launch_flash_sm90_variant(a, Sm90Variant{}); }

Sm90Variant resolve_flash_sm90_variant(const AttentionProblem& p, Sm90Variant v) {
  const bool d64 = p.head_dim == 64;
  const Gpu& gpu = current_gpu();
  if (v.consumers == 0) v.consumers = default_consumers(p, gpu.sms);
  if (v.consumers != 2 && v.consumers != 3)
    throw DeviceError("flash_sm90: consumer warpgroups must be 2 or 3", false);
  if (p.head_dim == 256) v.consumers = 2;  // reported as used: O alone takes 128 registers
  if (v.wide_keys < 0) v.wide_keys = wide_keys_by_default(p) ? 1 : 0;
  if (d64 || v.consumers == 3) v.wide_keys = 0;  // one key block size there
  if (v.persistent < 0) v.persistent = persistent_by_default(p, v.consumers, gpu.sms) ? 1 : 0;
  if (v.overlap < 0) v.overlap = overlap_by_default(p, v.consumers, v.persistent, gpu.sms) ? 1 : 0;
  if (v.q_slots < 0) v.q_slots = 2;  // the launch keeps one where the layout has no room for two
  if (v.half_diagonal < 0) v.half_diagonal = 1;  // the launch reports 0 where the kernel has no halves
  if (v.turns < 0) v.turns = turns_by_default(p, v.consumers) ? 1 : 0;
  v.turns = v.turns ? 1 : 0;
  if (!overlap_fits(p.head_dim, v.consumers)) v.overlap = 0;  // reported as used
  const int tile_rows = 64 * v.consumers;
  if (v.pairs_per_section <= 0)
    v.pairs_per_section = pairs_per_section(p, static_cast<int>((p.q_n + tile_rows - 1) / tile_rows), gpu.sms, gpu.l2_bytes);
  v.pairs_per_section = static_cast<int>(std::min<std::int64_t>(v.pairs_per_section, p.heads * p.batch));
  return v;
}

void set_flash_sm90_trace(const sm90::TraceBuffer& buffer) { trace_buffer = buffer; }

Sm90Variant launch_flash_sm90_variant(const AttentionArgs& a, Sm90Variant v) {
  const AttentionProblem& p = a.problem;
  v = resolve_flash_sm90_variant(p, v);
  if (p.dtype == DType::bf16) launch_typed<__nv_bfloat16>(a, v);
  else if (p.dtype == DType::fp16) launch_typed<__half>(a, v);
  else throw DeviceError("flash_sm90: dtype must be fp16 or bf16", false);
  return v;
}

}  // namespace attnsweep::cuda

namespace attnsweep {
const Kernel* flash_sm90_kernel() {
  static const cuda::FlashSm90 k;
  return &k;
}
}  // namespace attnsweep
