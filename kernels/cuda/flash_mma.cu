// `flash_mma`: FlashAttention-2 style forward on mma.sync tensor cores (fp16/bf16, head_dim
// 64/128/256, causal or not, any lengths; GQA, sliding windows, both causal alignments). The kernel is flash_mma/flash_mma_kernel.cuh.
#include <stdexcept>

#include "common.h"
#include "cuda_check.h"
#include "flash_mma/flash_mma_dispatch.h"

namespace attnsweep::cuda {
namespace {

// Q tile, two K tiles and one V tile of 2-byte elements (flash_mma_kernel.cuh): 160 KiB at d=256.
template <int D>
constexpr std::uint64_t smem_bytes() {
  using S = flash::Shape<D>;
  return static_cast<std::uint64_t>(S::kBlockM + 3 * S::kBlockN) * D * 2;
}

class FlashMmaKernel final : public CudaKernel {
 public:
  FlashMmaKernel()
      : CudaKernel("flash_mma",
                   "FlashAttention-2 style: cp.async tiles, ldmatrix, mma.sync m16n8k16, online softmax (fp16/bf16)",
                   "flash_attention_triton", {.gqa = true, .window = true, .bottom_right = true}) {}

  Support supports(const AttentionProblem& p, const DeviceCaps& caps) const override {
    if (auto s = check_shape(p); !s.ok) return s;
    if (p.dtype != DType::fp16 && p.dtype != DType::bf16)
      return Support::no(std::string(dtype_name(p.dtype)) + ": tensor-core kernel, fp16/bf16 only");
    if (auto s = check_head_dim_64_128_256(p); !s.ok) return s;
    if (auto s = check_device_cc(caps, 8); !s.ok) return s;
    if (p.q_n >= (1LL << 31) || p.k_n >= (1LL << 31)) return Support::no("q_n and k_n must be < 2^31");
    const std::uint64_t smem = p.head_dim == 64 ? smem_bytes<64>() : p.head_dim == 128 ? smem_bytes<128>() : smem_bytes<256>();
    if (caps.known && caps.smem_per_block_optin > 0 && smem > caps.smem_per_block_optin)
      return Support::no("needs " + std::to_string(smem / 1024) + " KiB of shared memory per block; the device has " +
                         std::to_string(caps.smem_per_block_optin / 1024));
    return Support::yes();
  }

  void run(const AttentionArgs& a) const override {
    // cp.async and the 16-byte epilogue stores need 16-byte aligned rows.
    const auto misaligned = [](const void* ptr, std::int64_t row_stride) {
      return reinterpret_cast<std::uintptr_t>(ptr) % 16 != 0 || row_stride % 8 != 0;
    };
    if (misaligned(a.q, a.q_row_stride) || misaligned(a.k, a.k_row_stride) || misaligned(a.v, a.v_row_stride) ||
        misaligned(a.o, a.o_row_stride))
      throw DeviceError("flash_mma: q, k, v, o must be 16-byte aligned with row strides a multiple of 8 elements",
                        false);
    if (a.problem.dtype != DType::fp16 && a.problem.dtype != DType::bf16)
      throw std::invalid_argument("flash_mma: dtype must be fp16 or bf16");
    flash::dispatch(a);
  }
};

}  // namespace

const Kernel* flash_mma_kernel() {
  static const FlashMmaKernel k;
  return &k;
}

}  // namespace attnsweep::cuda
