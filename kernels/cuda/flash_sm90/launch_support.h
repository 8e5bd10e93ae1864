#pragma once
// Host pieces of a flash_sm90 launch that do not depend on the kernel's template parameters: the
// current GPU, the TMA tensor maps of Q, K, V and O, and the causal persistent grid's plans on the
// device.
#include <cuda.h>

#include <cstdint>

#include "attnsweep/kernels/problem.h"
#include "kernel_choice.h"
#include "kernel_config.h"
#include "sm90_trace.h"
#include "tile_schedule.h"

namespace attnsweep::sm90 {

// The current device, read once per device and thread.
struct Gpu {
  int device = -1;
  GpuShape shape;
};
const Gpu& current_gpu();

// The operands as TMA reads (and writes) them: rank-4 views (head_dim, rows, heads, batch) in boxes of
// 64 columns x the kernel's rows, 128-byte swizzled. Throws DeviceError naming the tensor where TMA
// cannot address it (strides not multiples of 8 elements, a base not 16-byte aligned); O is then
// written without TMA where it can be (o_aligned: 16-byte stores) and by 4-byte stores otherwise.
struct TensorMaps {
  CUtensorMap q, k, v, o;
  bool o_aligned;  // O's rows start 16-byte aligned; o describes O where the kernel stages its stores
};
TensorMaps make_tensor_maps(const AttentionArgs& a, const KernelConfig& k);

// The causal persistent grid's tile plan (plan_causal_tiles) on the device, made and uploaded on the
// first launch of a shape and kept for the next (a sweep times each shape many times). Throws
// OutOfMemory when the device has no room for it.
const std::int32_t* causal_plan(int device, const TileGrid& grid, int ctas, int block_rows, int key_block, int q_n, int k_n);

#if ATTNSWEEP_SM90_TRACE
// Where a trace build's launches record (set_flash_sm90_trace).
const TraceBuffer& trace_buffer();
#endif

}  // namespace attnsweep::sm90
