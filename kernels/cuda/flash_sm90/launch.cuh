#pragma once
// The launch of one compiled flash_sm90 kernel, and the table of those this build compiles
// (kernel_config.h: kCompiledKernels) as the dispatch (dispatch.h) reaches them. Included by the
// flash_sm90_hd<D>_<dtype>.cu files only, each of which instantiates launch_compiled for its pair
// (and so compiles that pair's kernels alone).
#include <cuda.h>
#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <type_traits>
#include <utility>

#include "../cuda_check.h"
#include "attnsweep/kernels/device.h"
#include "flash_fwd_kernel.cuh"
#include "kernel_choice.h"
#include "kernel_traits.cuh"
#include "launch_support.h"

namespace attnsweep::sm90 {

template <class K>
void launch(const AttentionArgs& a, const LaunchConfig& c, const Gpu& gpu) {
  const AttentionProblem& p = a.problem;
  auto* kernel = &flash_fwd_sm90<K>;
  // The shared-memory opt-in is per device: remember which devices have it (one bit each).
  static std::atomic<std::uint64_t> configured{0};
  const std::uint64_t bit = 1ull << (gpu.device & 63);
  if (!(configured.load() & bit)) {
    ATTNSWEEP_CUDA_CALL(cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, K::kLayout.bytes));
    configured.fetch_or(bit);
  }
  const TensorMaps maps = make_tensor_maps(a, K::kConfig);
  const std::int64_t m_blocks = (p.q_n + K::kBlockM - 1) / K::kBlockM, tiles = m_blocks * p.heads * p.batch;
  if (tiles > std::numeric_limits<int>::max())
    throw DeviceError("flash_sm90: more than 2^31 - 1 tiles (q_n/tile rows x heads x batch)", false);
  const TileGrid grid{static_cast<int>(m_blocks), static_cast<int>(p.heads), static_cast<int>(p.batch), c.pairs_per_section};
  const unsigned ctas = static_cast<unsigned>(K::kPersistent ? std::min<std::int64_t>(tiles, gpu.shape.sms) : tiles);
  Params params{};
  params.o = a.o;
  params.batch_stride = a.o_batch_stride;
  params.head_stride = a.o_head_stride;
  params.row_stride = a.o_row_stride;
  params.q_n = static_cast<int>(p.q_n);
  params.k_n = static_cast<int>(p.k_n);
  params.scale_log2 = a.softmax_scale * 1.4426950408889634f;
  params.grid = grid;
  params.causal_plan = K::kPlannedTiles ? causal_plan(gpu.device, grid, static_cast<int>(ctas), K::kBlockM, K::kBlockN,
                                                      static_cast<int>(p.q_n), static_cast<int>(p.k_n))
                                        : nullptr;
  params.o_aligned = maps.o_aligned;
  params.q_slots = c.q_slots;
  params.half_diagonal = c.half_diagonal;
  params.take_turns = K::kTurns;
#if ATTNSWEEP_SM90_TRACE
  params.trace = trace_buffer();
#endif
  kernel<<<ctas, K::kThreads, K::kLayout.bytes, static_cast<cudaStream_t>(a.stream)>>>(maps.q, maps.k, maps.v, maps.o, params);
  ATTNSWEEP_CUDA_CHECK_LAUNCH();
}

// The compiled kernels of one head_dim.
template <int D>
constexpr auto compiled_for() {
  constexpr std::size_t kCount = [] {
    std::size_t n = 0;
    for (const KernelConfig& k : kCompiledKernels) n += k.head_dim == D;
    return n;
  }();
  std::array<KernelConfig, kCount> table{};
  std::size_t i = 0;
  for (const KernelConfig& k : kCompiledKernels)
    if (k.head_dim == D) table[i++] = k;
  return table;
}
template <int D>
inline constexpr auto kCompiledFor = compiled_for<D>();

template <class T, int D, std::size_t I>
using CompiledTraits = KernelTraits<T, D, kCompiledFor<D>[I].key_block, kCompiledFor<D>[I].consumers, kCompiledFor<D>[I].causal,
                                    kCompiledFor<D>[I].persistent, kCompiledFor<D>[I].overlap, kCompiledFor<D>[I].turns>;

template <class T, int D, std::size_t... I>
bool launch_one_of(const AttentionArgs& a, const LaunchConfig& c, const Gpu& gpu, std::index_sequence<I...>) {
  return ((c.kernel == kCompiledFor<D>[I] ? (launch<CompiledTraits<T, D, I>>(a, c, gpu), true) : false) || ...);
}

// Declared in dispatch.h.
template <DType DT, int D>
void launch_compiled(const AttentionArgs& a, const LaunchConfig& c, const Gpu& gpu) {
  using T = std::conditional_t<DT == DType::bf16, __nv_bfloat16, __half>;
  if (!launch_one_of<T, D>(a, c, gpu, std::make_index_sequence<kCompiledFor<D>.size()>{}))
    throw DeviceError("flash_sm90: " + describe(c.kernel) +
                          " is not compiled in this build (a build with -DATTNSWEEP_SM90_EXPERIMENTS=ON compiles every kernel)",
                      false);
}

}  // namespace attnsweep::sm90
