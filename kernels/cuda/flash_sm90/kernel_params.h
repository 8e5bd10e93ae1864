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
  // Q slots, halved diagonal blocks and turns are read here even where a kernel has them fixed:
  // folded into constants (or the flag left out), they change the code ptxas makes of the d=64
  // kernels, which measured 2-5% slower on the H100.
  int q_slots;                       // 1 or 2 (at most the layout's): Q tiles in shared memory at once
  bool half_diagonal;                // halve the diagonal block where the kernel can (halves_diagonal)
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

// The switches as the kernel K runs them: from Params (see there), where K has them.
template <class K>
ATTNSWEEP_HOST_DEVICE constexpr int q_slots_in_use(const Params& params) {
  return K::kLayout.q_slots > 1 ? params.q_slots : 1;
}
template <class K>
ATTNSWEEP_HOST_DEVICE constexpr bool takes_turns(const Params& params) {
  return K::kTurns && params.take_turns;
}
template <class K>
ATTNSWEEP_HOST_DEVICE constexpr bool halves_diagonal_in_use(const Params& params) {
  return K::kHalfDiagonal && params.half_diagonal;
}

}  // namespace attnsweep::sm90
