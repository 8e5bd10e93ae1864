// cpu_flash: FlashAttention's tiled online softmax on the CPU. Each task is one tile of query
// rows of one (batch, head); it walks the keys in blocks, keeping a running row max m, row sum l
// and an unnormalised output accumulator, so the scores never leave a few cache-resident tiles.
// Tasks are spread over OpenMP threads. The inner loops run along contiguous memory with no
// reductions, so GCC vectorizes them at -O3 for baseline x86-64 (no -march=native needed).
#include <algorithm>
#include <bit>
#include <cstdint>
#include <cmath>
#include <limits>
#include <vector>

#include "cpu_kernels.h"
#include "cpu_support.h"

namespace attnsweep::cpu {

namespace {

// Tile sizes: keep a query tile plus its accumulator, and a K^T block plus the V rows it pairs
// with, near 32 KiB each (L1/L2 sized) whatever head_dim is. Rows/columns cap at 64.
struct Tiles {
  std::int64_t rows;  // query rows per task (Br)
  std::int64_t cols;  // keys per block (Bc)
};
Tiles choose_tiles(std::int64_t head_dim) {
  const std::int64_t fit = 8192 / head_dim;  // 8192 floats = 32 KiB
  return {std::clamp<std::int64_t>(fit, 8, 64), std::clamp<std::int64_t>(fit, 16, 64)};
}

constexpr int kRowBlock = 4;

// e^x for x <= 0, written so a simd loop vectorizes it (glibc's expf only vectorizes under
// -ffast-math). x = n ln2 + r with |r| <= ln2/2; e^r by its Taylor series to r^6 (error
// < 1.2e-7, about one fp32 ulp); 2^n put straight into the exponent bits. Below -87 the result
// would be subnormal: it is clamped to e^-87 (~1e-38), which no sum of probabilities can notice.
#pragma omp declare simd notinbranch
inline float exp_nonpositive(float x) {
  constexpr float kLog2e = 1.44269504f, kLn2Hi = 0.693145752f, kLn2Lo = 1.42860677e-6f;
  constexpr float kRound = 12582912.0f;  // 1.5 * 2^23: adding it rounds to an integer
  x = std::max(x, -87.0f);
  const float n = (x * kLog2e + kRound) - kRound;
  const float r = (x - n * kLn2Hi) - n * kLn2Lo;
  float e = 1.0f / 720;
  e = e * r + 1.0f / 120;
  e = e * r + 1.0f / 24;
  e = e * r + 1.0f / 6;
  e = e * r + 0.5f;
  e = e * r + 1.0f;
  e = e * r + 1.0f;
  const std::int32_t bits = (static_cast<std::int32_t>(n) + 127) << 23;
  return e * std::bit_cast<float>(bits);
}

// Per-thread scratch, allocated once per run and reused across that thread's tasks.
struct Scratch {
  std::vector<float> q;    // (Br, d) the query tile, pre-multiplied by the softmax scale
  std::vector<float> kt;   // (d, Bc) the key block, transposed so score rows are contiguous
  std::vector<float> s;    // (Br, Bc) scores, then probabilities
  std::vector<float> acc;  // (Br, d) unnormalised output
  std::vector<float> m;    // (Br) running row max
  std::vector<float> l;    // (Br) running row sum
  Scratch(const Tiles& t, std::int64_t d)
      : q(t.rows * d), kt(d * t.cols), s(t.rows * t.cols), acc(t.rows * d), m(t.rows), l(t.rows) {}
};

class FlashKernel final : public Kernel {
 public:
  const KernelInfo& info() const override { return info_; }

  Support supports(const AttentionProblem& p, const DeviceCaps&) const override { return fp32_support(p); }

  void run(const AttentionArgs& a) const override {
    const AttentionProblem& p = a.problem;
    require_fp32_support(p, "cpu_flash");
    const Tiles t = choose_tiles(p.head_dim);
    const std::int64_t tiles_per_head = (p.q_n + t.rows - 1) / t.rows;
    const std::int64_t tasks = p.batch * p.heads * tiles_per_head;

#pragma omp parallel
    {
      Scratch scratch(t, p.head_dim);
      // Dynamic: with causal masking, late tiles have far more keys than early ones.
#pragma omp for schedule(dynamic, 1)
      for (std::int64_t task = 0; task < tasks; ++task) {
        const std::int64_t bh = task / tiles_per_head;
        run_tile(a, t, bh / p.heads, bh % p.heads, (task % tiles_per_head) * t.rows, scratch);
      }
    }
  }

 private:
  // Rows r .. r+R-1 of the tile take in one key block: scores, online softmax, P·V. R rows at a
  // time let every K^T and V element loaded feed R accumulators. (On a loaded 2-core VM, R = 4 vs 1
  // was within the noise, 71-90 vs 82-92 ms at N = 1k, one thread; kept for less load traffic.)
  template <int R>
  static void update_rows(const AttentionArgs& a, const Tiles& t, Scratch& w, const float* v, std::int64_t row0,
                          std::int64_t r, std::int64_t col0, std::int64_t cols) {
    const std::int64_t d = a.problem.head_dim;
    float* s[R];    // (R, Bc)
    float* acc[R];  // (R, d)
    float q[R];
    for (int i = 0; i < R; ++i) {
      s[i] = w.s.data() + (r + i) * t.cols;
      acc[i] = w.acc.data() + (r + i) * d;
      std::fill(s[i], s[i] + cols, 0.0f);
    }
    for (std::int64_t c = 0; c < d; ++c) {
      for (int i = 0; i < R; ++i) q[i] = w.q[(r + i) * d + c];
      const float* ktc = w.kt.data() + c * t.cols;
#pragma omp simd
      for (std::int64_t j = 0; j < cols; ++j)
        for (int i = 0; i < R; ++i) s[i][j] += q[i] * ktc[j];
    }

    std::int64_t block_visible = 0;  // the widest row: P·V runs that far, narrower rows pad with 0
    for (int i = 0; i < R; ++i) {
      // Keys of this block the row may see. Block 0 always holds key 0, so a row's running max is
      // finite from its first block on and exp() never sees inf - inf.
      const std::int64_t visible =
          a.problem.causal ? std::clamp<std::int64_t>(row0 + r + i + 1 - col0, 0, cols) : cols;
      block_visible = std::max(block_visible, visible);
      float* si = s[i];
      float block_max = -std::numeric_limits<float>::infinity();
      for (std::int64_t j = 0; j < visible; ++j) block_max = std::max(block_max, si[j]);
      const float m_old = w.m[r + i];
      const float m_new = std::max(m_old, block_max);
      const float alpha = std::exp(m_old - m_new);  // rescales what was summed so far (0 at first)
      float sum = 0;
#pragma omp simd reduction(+ : sum)
      for (std::int64_t j = 0; j < visible; ++j) {
        si[j] = exp_nonpositive(si[j] - m_new);
        sum += si[j];
      }
      std::fill(si + visible, si + cols, 0.0f);
      w.m[r + i] = m_new;
      w.l[r + i] = w.l[r + i] * alpha + sum;
      if (alpha != 1.0f) {
        float* ai = acc[i];
#pragma omp simd
        for (std::int64_t c = 0; c < d; ++c) ai[c] *= alpha;
      }
    }

    for (std::int64_t j = 0; j < block_visible; ++j) {
      float pj[R];
      for (int i = 0; i < R; ++i) pj[i] = s[i][j];
      const float* vj = v + (col0 + j) * a.v_row_stride;
#pragma omp simd
      for (std::int64_t c = 0; c < d; ++c)
        for (int i = 0; i < R; ++i) acc[i][c] += pj[i] * vj[c];
    }
  }

  static void run_tile(const AttentionArgs& a, const Tiles& t, std::int64_t b, std::int64_t h, std::int64_t row0,
                       Scratch& w) {
    const AttentionProblem& p = a.problem;
    const std::int64_t d = p.head_dim;
    const std::int64_t rows = std::min(t.rows, p.q_n - row0);
    const float* q = static_cast<const float*>(a.q) + b * a.q_batch_stride + h * a.q_head_stride;
    const float* k = static_cast<const float*>(a.k) + b * a.k_batch_stride + h * a.k_head_stride;
    const float* v = static_cast<const float*>(a.v) + b * a.v_batch_stride + h * a.v_head_stride;
    float* o = static_cast<float*>(a.o) + b * a.o_batch_stride + h * a.o_head_stride;
    constexpr float kNegInf = -std::numeric_limits<float>::infinity();

    for (std::int64_t r = 0; r < rows; ++r) {
      const float* src = q + (row0 + r) * a.q_row_stride;
      float* dst = w.q.data() + r * d;
      for (std::int64_t c = 0; c < d; ++c) dst[c] = src[c] * a.softmax_scale;
    }
    std::fill(w.acc.begin(), w.acc.begin() + rows * d, 0.0f);
    std::fill(w.m.begin(), w.m.begin() + rows, kNegInf);
    std::fill(w.l.begin(), w.l.begin() + rows, 0.0f);

    // Causal: the tile's last row sees keys up to itself; blocks past that are skipped whole.
    const std::int64_t key_end = p.causal ? std::min(p.k_n, row0 + rows) : p.k_n;
    for (std::int64_t col0 = 0; col0 < key_end; col0 += t.cols) {
      const std::int64_t cols = std::min(t.cols, key_end - col0);
      float* kt = w.kt.data();
      for (std::int64_t j = 0; j < cols; ++j) {
        const float* key = k + (col0 + j) * a.k_row_stride;
        for (std::int64_t c = 0; c < d; ++c) kt[c * t.cols + j] = key[c];
      }
      std::int64_t r = 0;
      for (; r + kRowBlock <= rows; r += kRowBlock) update_rows<kRowBlock>(a, t, w, v, row0, r, col0, cols);
      for (; r < rows; ++r) update_rows<1>(a, t, w, v, row0, r, col0, cols);
    }

    for (std::int64_t r = 0; r < rows; ++r) {
      const float inv_l = 1.0f / w.l[r];
      const float* acc = w.acc.data() + r * d;
      float* out = o + (row0 + r) * a.o_row_stride;
#pragma omp simd
      for (std::int64_t c = 0; c < d; ++c) out[c] = acc[c] * inv_l;
    }
  }

  KernelInfo info_{"cpu_flash", Backend::cpu,
                   "CPU fp32: tiled online softmax (FlashAttention on the CPU), multithreaded, vectorized",
                   ""};
};

}  // namespace

const Kernel* flash_kernel() {
  static const FlashKernel kernel;
  return &kernel;
}

}  // namespace attnsweep::cpu
