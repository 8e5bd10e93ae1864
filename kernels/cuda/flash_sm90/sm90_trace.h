#pragma once
// A timeline of one flash_sm90 launch, to see where a tile's time goes: one thread of each
// warpgroup writes (SM clock, event, tile, block) at the points below. Only a build configured with
// -DATTNSWEEP_SM90_TRACE records anything (`flash_sm90_bench trace`, summarised by
// bench/flash_sm90/trace_summary.py); in any other build the recorder is empty and the shipped
// kernels carry none of it.
#include <cstdint>

#if defined(__CUDACC__)
#define ATTNSWEEP_TRACE_DEVICE __device__ __forceinline__
#else
#define ATTNSWEEP_TRACE_DEVICE
#endif

namespace attnsweep::sm90 {

#ifdef ATTNSWEEP_SM90_TRACE
constexpr bool kTraceBuilt = true;
#else
constexpr bool kTraceBuilt = false;
#endif

// Consumers: per tile `q_ready` (its Q and coordinates in), `tile`, `qk_turn` (the first turn), and per
// key block k_ready .. pv_done (max_done: the softmax's row maxima); `epilogue` when the tile's
// blocks are done, o_scaled with the row sums' inverses, o_store_read, o_slot_free and o_fenced in a
// staged store, `tile_done` after its output is issued. Producer: the moment each load is issued
// (its slot free).
enum class TraceEvent : std::uint32_t {
  tile, q_ready, qk_turn, k_ready, qk_done, max_done, softmax_done, v_ready, pv_turn, pv_done, epilogue, o_scaled, o_store_read,
  o_slot_free, o_fenced, tile_done, load_q, load_k, load_v,
};
constexpr const char* kTraceEventNames[] = {
    "tile",     "q_ready",      "qk_turn",     "k_ready",  "qk_done",   "max_done", "softmax_done", "v_ready", "pv_turn", "pv_done",
    "epilogue", "o_scaled", "o_store_read", "o_slot_free", "o_fenced", "tile_done", "load_q", "load_k", "load_v",
};

// block: the key block; for `tile`, the blocks loaded | the blocks this warpgroup computes << 16.
struct TraceRecord {
  std::uint32_t clock, event, tile, block;
};

// Where a launch records: records_per_warpgroup slots for each warpgroup of CTAs 0 .. ctas-1.
struct TraceBuffer {
  TraceRecord* records = nullptr;
  int ctas = 0, records_per_warpgroup = 0;
};

#if defined(__CUDACC__)
// One thread of a warpgroup records (the producer's loading thread, a consumer's thread 0).
struct Tracer {
#ifdef ATTNSWEEP_SM90_TRACE
  TraceRecord* out = nullptr;
  int n = 0, capacity = 0;
  ATTNSWEEP_TRACE_DEVICE Tracer(const TraceBuffer& b, int warpgroups, bool recorder) {
    if (b.records && recorder && static_cast<int>(blockIdx.x) < b.ctas) {
      out = b.records + (static_cast<std::int64_t>(blockIdx.x) * warpgroups + threadIdx.x / 128) * b.records_per_warpgroup;
      capacity = b.records_per_warpgroup;
    }
  }
  ATTNSWEEP_TRACE_DEVICE void operator()(TraceEvent e, int tile, int block) {
    if (out && n < capacity) {
      std::uint64_t clock;  // the 64-bit counter: a fast CS2R, where %clock is a slow S2R
      asm volatile("mov.u64 %0, %%clock64;" : "=l"(clock)::"memory");
      out[n++] = {static_cast<std::uint32_t>(clock), static_cast<std::uint32_t>(e), static_cast<std::uint32_t>(tile),
                  static_cast<std::uint32_t>(block)};
    }
  }
#else
  ATTNSWEEP_TRACE_DEVICE Tracer(const TraceBuffer&, int, bool) {}
  ATTNSWEEP_TRACE_DEVICE void operator()(TraceEvent, int, int) {}
#endif
};
#endif

}  // namespace attnsweep::sm90
