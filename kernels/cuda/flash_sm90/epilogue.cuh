#pragma once
// A consumer warpgroup's epilogue: O normalised by the row sums' inverses and written, rows past q_n
// left alone, in one of three ways:
//  - staged: through a swizzled tile in shared memory and a TMA store, where the layout has room for
//    it (SharedLayout::staged_store) and TMA can address O; per warp (16 rows, lane 0 issues) or per
//    warpgroup (64 rows between two named barriers, thread 0 issues): stores_o_per_warp;
//  - 16-byte stores from registers where O's rows are 16-byte aligned (a quad's values gathered by
//    two shuffles: 1.14-1.15x at d=256 N=512 over 4-byte stores);
//  - else 4-byte stores.
#include <cuda.h>

#include <cstdint>

#include "../element.cuh"
#include "kernel_params.h"
#include "kernel_traits.cuh"
#include "shared_storage.cuh"
#include "sm90_ptx.cuh"
#include "sm90_trace.h"
#include "tile_schedule.h"

namespace attnsweep::sm90 {

using attnsweep::cuda::pack2;

template <class K>
struct Epilogue {
  using T = typename K::Element;
  static constexpr int D = K::kHeadDim;
  static constexpr bool kStaged = K::kLayout.staged_store;

  const SharedStorage<K>& smem;
  const ConsumerThread& thread;
  const Params& params;
  const CUtensorMap& tm_o;

  __device__ __forceinline__ bool staged() const { return kStaged && params.o_aligned; }
  __device__ __forceinline__ bool issuer() const { return K::kStorePerWarp ? thread.lane == 0 : thread.tid == 0; }

  // The tile's O (this thread's two rows, from row0) times inv, the rows' inverse sums.
  __device__ __forceinline__ void store(const float (&o)[D / 2], const float (&inv)[2], const TileCoord& c, int m0, int row0,
                                        Tracer& trace) const {
    const int consumer = thread.consumer, warp = thread.warp, lane = thread.lane, col_in_chunk = thread.col_in_chunk;
    trace(TraceEvent::o_scaled, 0, 0);
    if (staged()) {
      // Rows of each 64-column panel, 128-byte swizzled as TMA reads them: 16-byte chunk kc of row r
      // sits at chunk kc ^ (r % 8), so a warp's stores hit 32 banks.
      std::uint8_t* o_rows = smem.o + (consumer * 64 + (K::kStorePerWarp ? warp * 16 : 0)) * 128;
      const auto sync_writers = [&] {
        if constexpr (K::kStorePerWarp) __syncwarp();
        else named_barrier_sync(kEpilogueBarrier + consumer, 128);
      };
      if (issuer()) bulk_wait_read<0>();  // the previous tile's store has read these rows
      trace(TraceEvent::o_store_read, 0, 0);
      sync_writers();
      trace(TraceEvent::o_slot_free, 0, 0);
#pragma unroll
      for (int r = 0; r < 2; ++r) {
        // Within o_rows, which start at a multiple of 8 rows (1024 bytes: the swizzle's period).
        const int row = (K::kStorePerWarp ? 0 : warp * 16) + lane / 4 + 8 * r;
#pragma unroll
        for (int k = 0; k < D / 8; ++k) {
          const int chunk = (k % 8) ^ (row % 8);
          *reinterpret_cast<std::uint32_t*>(o_rows + (k / 8) * K::kBlockM * 128 + row * 128 + chunk * 16 + col_in_chunk * 2) =
              pack2<T>(o[4 * k + 2 * r] * inv[r], o[4 * k + 2 * r + 1] * inv[r]);
        }
      }
      fence_proxy_async_shared();
      trace(TraceEvent::o_fenced, 0, 0);
      sync_writers();
      if (issuer()) {  // rows past q_n fall outside the tensor map and are not written
        const int first_row = m0 + consumer * 64 + (K::kStorePerWarp ? warp * 16 : 0);
        for (int p = 0; p < K::kPanels; ++p)
          tma_store_4d(&tm_o, o_rows + p * K::kBlockM * 128, p * kPanelCols, first_row, c.head, c.batch);
        bulk_commit();
      }
    } else if (params.o_aligned) {
      // 16-byte stores: a quad holds 8 columns of each 8-column chunk of its row, two per lane; two
      // butterfly exchanges give lane q all 8 of chunk 4g + q (4x fewer store requests than one
      // 4-byte store per lane and chunk).
      const int q = lane % 4;
      const bool odd = q & 1, upper = q & 2;
#pragma unroll
      for (int r = 0; r < 2; ++r) {
        const int row = row0 + 8 * r;
        T* out = row < params.q_n ? static_cast<T*>(params.o) + c.batch * params.batch_stride + c.head * params.head_stride +
                                        row * params.row_stride
                                  : nullptr;  // past q_n: the quad still shuffles, nothing is stored
#pragma unroll
        for (int g = 0; g < D / 32; ++g) {
          std::uint32_t p[4];
#pragma unroll
          for (int i = 0; i < 4; ++i) p[i] = pack2<T>(o[4 * (4 * g + i) + 2 * r] * inv[r], o[4 * (4 * g + i) + 2 * r + 1] * inv[r]);
          // Lanes q, q^1: lane q keeps 4 columns (at 4 * (q >> 1)) of chunk 4g + (q & 1), and of 4g + 2 + (q & 1).
          const std::uint32_t got_a = __shfl_xor_sync(0xffffffff, odd ? p[0] : p[1], 1);
          const std::uint32_t got_b = __shfl_xor_sync(0xffffffff, odd ? p[2] : p[3], 1);
          const std::uint32_t a_lo = odd ? got_a : p[0], a_hi = odd ? p[1] : got_a;
          const std::uint32_t b_lo = odd ? got_b : p[2], b_hi = odd ? p[3] : got_b;
          // Lanes q, q^2: the lower lane completes chunk 4g + q from its A half, the upper from its B half.
          const std::uint32_t got_lo = __shfl_xor_sync(0xffffffff, upper ? a_lo : b_lo, 2);
          const std::uint32_t got_hi = __shfl_xor_sync(0xffffffff, upper ? a_hi : b_hi, 2);
          const uint4 chunk = upper ? make_uint4(got_lo, got_hi, b_lo, b_hi) : make_uint4(a_lo, a_hi, got_lo, got_hi);
          if (out) *reinterpret_cast<uint4*>(out + (4 * g + q) * 8) = chunk;
        }
      }
    } else {  // O's rows not 16-byte aligned: one 4-byte store per lane and chunk
#pragma unroll
      for (int r = 0; r < 2; ++r) {
        const int row = row0 + 8 * r;
        if (row < params.q_n) {
          T* out = static_cast<T*>(params.o) + c.batch * params.batch_stride + c.head * params.head_stride + row * params.row_stride;
#pragma unroll
          for (int k = 0; k < D / 8; ++k)
            *reinterpret_cast<std::uint32_t*>(out + k * 8 + col_in_chunk) =
                pack2<T>(o[4 * k + 2 * r] * inv[r], o[4 * k + 2 * r + 1] * inv[r]);
        }
      }
    }
  }

  // Shared memory outlives the last store's reads (each issuing thread waits for its own).
  __device__ __forceinline__ void finish() const {
    if (staged() && issuer()) bulk_wait_read<0>();
  }
};

}  // namespace attnsweep::sm90
