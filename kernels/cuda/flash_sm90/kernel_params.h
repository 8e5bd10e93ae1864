#pragma once
// What a flash_sm90 launch passes its kernel beside the tensor maps of Q, K, V and O.
#include <cstdint>

#include "sm90_trace.h"
#include "tile_schedule.h"

namespace attnsweep::sm90 {

struct Params {
  void* o;
  std::int64_t batch_stride, head_stride, row_stride;  // O's, in elements
  int q_n, k_n;
  // Q slots and turns are read here even where a kernel has them fixed: folded into constants, they
  // change the code ptxas makes of the d=64 loop of three warpgroups that overlap and take turns,
  // which measured 2-5% slower on the H100.
  int q_slots;  // 1 or 2 (at most the layout's): Q tiles in shared memory at once
#if ATTNSWEEP_SM90_EXPERIMENTS
  bool half_diagonal;  // halve the diagonal block where the kernel can (halves_diagonal); shipped: where it can
#endif
  bool take_turns;                   // the consumer warpgroups issue their GEMMs in turn (a kernel compiled with turns)
  float scale_log2;                  // softmax_scale * log2(e)
  TileGrid grid;                     // the launch's tiles and their causal order
  const std::int32_t* causal_plan;   // causal persistent: plan_causal_tiles() for this grid, on the device
  bool o_aligned;                    // O's rows start 16-byte aligned (strides of 8 elements): tm_o describes O
#if ATTNSWEEP_SM90_TRACE
  TraceBuffer trace;  // where the launch records its timeline (sm90_trace.h)
#endif
};

}  // namespace attnsweep::sm90

namespace attnsweep::sm90 {

// The switches as the kernel K runs them: Q slots and turns from Params (see there), the halved
// diagonal from Params in an experiments build, else fixed.
template <class K>
ATTNSWEEP_HOST_DEVICE constexpr int q_slots_in_use(const Params& params) {
  return K::kLayout.q_slots > 1 ? params.q_slots : 1;
}
template <class K>
ATTNSWEEP_HOST_DEVICE constexpr bool takes_turns(const Params& params) {
  return K::kTurns && params.take_turns;
}
template <class K>
ATTNSWEEP_HOST_DEVICE constexpr bool halves_diagonal_in_use([[maybe_unused]] const Params& params) {
#if ATTNSWEEP_SM90_EXPERIMENTS
  return K::kHalfDiagonal && params.half_diagonal;
#else
  return K::kHalfDiagonal;
#endif
}

}  // namespace attnsweep::sm90
