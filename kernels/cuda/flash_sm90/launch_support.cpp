#include "launch_support.h"

#include <cuda_runtime.h>
#include <cudaTypedefs.h>

#include <array>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "../cuda_check.h"
#include "attnsweep/kernels/device.h"

namespace attnsweep::sm90 {
namespace {

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
  if (!tma_aligned(base)) throw DeviceError(std::string("flash_sm90: ") + field + " must be 16-byte aligned", false);
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

}  // namespace

const Gpu& current_gpu() {
  thread_local Gpu gpu;
  int device = 0;
  ATTNSWEEP_CUDA_CALL(cudaGetDevice(&device));
  if (gpu.device != device) {
    int sms = 0, l2_bytes = 0;
    ATTNSWEEP_CUDA_CALL(cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, device));
    ATTNSWEEP_CUDA_CALL(cudaDeviceGetAttribute(&l2_bytes, cudaDevAttrL2CacheSize, device));
    gpu = {device, {sms, l2_bytes}};
  }
  return gpu;
}

TensorMaps make_tensor_maps(const AttentionArgs& a, const KernelConfig& k) {
  const AttentionProblem& p = a.problem;
  // K and V have p.heads heads, one per query head.
  const std::int64_t kv_heads = p.heads;
  TensorMaps maps{};
  maps.q = make_tensor_map("q", a.q, p.dtype, p.head_dim, p.q_n, p.heads, p.batch, a.q_row_stride, a.q_head_stride, a.q_batch_stride,
                           block_rows(k));
  maps.k = make_tensor_map("k", a.k, p.dtype, p.head_dim, p.k_n, kv_heads, p.batch, a.k_row_stride, a.k_head_stride, a.k_batch_stride,
                           k.key_block);
  maps.v = make_tensor_map("v", a.v, p.dtype, p.head_dim, p.k_n, kv_heads, p.batch, a.v_row_stride, a.v_head_stride, a.v_batch_stride,
                           k.key_block);
  // O through a TMA store where the tile has room for it and TMA can address O, else 16-byte stores
  // where O's rows are 16-byte aligned (the same condition), else 4-byte stores.
  maps.o_aligned = tma_aligned(a.o) && tma_strides(a.o_row_stride, a.o_head_stride, a.o_batch_stride);
  if (shared_layout(k).staged_store && maps.o_aligned)
    maps.o = make_tensor_map("o", a.o, p.dtype, p.head_dim, p.q_n, p.heads, p.batch, a.o_row_stride, a.o_head_stride, a.o_batch_stride,
                             o_store_rows(k));
  return maps;
}

const std::int32_t* causal_plan(int device, const TileGrid& grid, int ctas, int block_rows, int key_block, int q_n, int k_n) {
  constexpr std::size_t kKeptPlans = 64;  // the oldest goes first
  using Key = std::array<int, 10>;
  static std::mutex mutex;
  static std::map<Key, std::int32_t*> plans;
  static std::deque<Key> made;  // oldest first
  const Key key{device, grid.m_blocks, grid.heads, grid.batch, grid.section, ctas, block_rows, key_block, q_n, k_n};
  const std::lock_guard<std::mutex> lock(mutex);
  if (const auto found = plans.find(key); found != plans.end()) return found->second;
  if (made.size() == kKeptPlans) {
    ATTNSWEEP_CUDA_CALL(cudaFree(plans.at(made.front())));  // waits for launches reading it
    plans.erase(made.front());
    made.pop_front();
  }
  const std::vector<std::int32_t> plan = plan_causal_tiles(grid, ctas, block_rows, key_block, q_n, k_n);
  std::int32_t* on_device = nullptr;
  ATTNSWEEP_CUDA_CALL(cudaMalloc(&on_device, plan.size() * sizeof(std::int32_t)));
  try {
    ATTNSWEEP_CUDA_CALL(cudaMemcpy(on_device, plan.data(), plan.size() * sizeof(std::int32_t), cudaMemcpyHostToDevice));
  } catch (...) {
    cudaFree(on_device);
    throw;
  }
  plans[key] = on_device;
  made.push_back(key);
  return on_device;
}

}  // namespace attnsweep::sm90
