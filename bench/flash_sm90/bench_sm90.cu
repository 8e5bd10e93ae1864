// Standalone check-and-time harness for flash_sm90 on a Hopper GPU (not part of the library).
// For every shape: random inputs made on the device, output poisoned with NaN, one run checked
// against a double-precision host reference (all rows for small shapes, sampled rows for large),
// then timed with events (median of repeats, L2 flushed before each). Prints one line per shape
// and variant (column wg: consumer warpgroups, 2 = 128-row tiles, 3 = 192-row tiles at d=64/128;
// column wk: 1 = wide key blocks, 176 at d=128 and 80 at d=256; column pe: 1 = persistent grid;
// column sec: causal tile order, (head, batch) pairs per section; column ov: 1 = a warpgroup's softmax
// overlaps its previous block's P V; column qs: Q slots, 2 = the next tile's Q loads during this one;
// column hd: 1 = causal warpgroups compute only the first half of a diagonal block that allows it;
// column tt: 1 = the consumer warpgroups issue their GEMMs in turn).
//   bench_sm90 check            60 odd shapes (12 with inputs 16x larger), each with every variant
//   bench_sm90 time [wg=N] [wk=0|1] [pe=0|1] [sec=N] [ov=0|1] [qs=1|2] [hd=0|1] [tt=0|1]
//                               the fa3-paper preset with one variant (default: the shipped one);
//                               time-nocheck: without the 48-row checks
//   bench_sm90 ab [nocheck]     the fa3-paper preset: the shipped variant beside the other grid (persistent
//                               or one CTA per tile) and, at d=128, 2 warpgroups; interleaved
//   bench_sm90 d64 [nocheck]    fa3-paper d=64 shapes, fp16 and bf16, N = 512..16384, causal and
//                               not, every variant interleaved
//   bench_sm90 seed [nocheck]   the seed's tiers (d64 H12 B1/B8, d128 H12 B1, d256 H24 B2), N = 512..16384,
//                               fp16, causal and not, variants as ab
//   bench_sm90 overlap [nocheck]  the seed's tiers and the fa3-paper preset (fp16; bf16 at 8192): the
//                               shipped variant without and with the overlap, the other grid with it,
//                               and at d=128 two warpgroups without and with it
//   bench_sm90 tiles [nocheck]  the seed's and the fa3-paper fp16 shapes with N <= 2048, causal and not:
//                               tile choices side by side (2 and 3 warpgroups at d=64/128, 64- and
//                               80-key blocks at d=256), each with its shipped grid
//   bench_sm90 qslots [nocheck] the seed's tiers and the fa3-paper preset with N <= 4096: the shipped
//                               variant beside one Q slot, and where the shipped grid is one CTA per
//                               tile, the persistent grid with two and with one
//   bench_sm90 diagonal [nocheck]  causal seed tiers and fa3-paper shapes: the shipped variant beside
//                               whole diagonal blocks (hd=0) and the other warpgroup count
//   bench_sm90 turns [nocheck]  the seed's tiers and the fa3-paper preset: the shipped variant beside
//                               the other turn-taking (tt), and at d=64 and d=128 the other
//                               warpgroup count with each
//   bench_sm90 order            causal tile orders side by side (fp16, the seed's tiers and the fa3-paper
//                               shapes, 3 warpgroups at d=64): sections of 1 pair, of one and two waves
//                               of tiles, and the shipped L2-sized ones
//   bench_sm90 time shape=B,H,N,D,causal,fp16|bf16 [wg=N] [wk=0|1]  one shape (e.g. under a profiler)
//   bench_sm90 trace shape=... [variant] [out=FILE]  one launch's timeline as CSV (a trace build only,
//                               sm90_trace.h; trace_summary.py reads it): cta, warpgroup, clock, event, tile, block
//   bench_sm90 all | small      check + time | check
#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "attnsweep/kernels/device.h"
#include "flash_sm90.h"
#include "flash_sm90_config.h"

using namespace attnsweep;

#define CK(x)                                                                                  \
  do {                                                                                         \
    cudaError_t e_ = (x);                                                                      \
    if (e_ != cudaSuccess) {                                                                   \
      std::fprintf(stderr, "%s:%d %s: %s\n", __FILE__, __LINE__, #x, cudaGetErrorString(e_)); \
      std::exit(2);                                                                            \
    }                                                                                          \
  } while (0)

__global__ void fill_random(std::uint16_t* x, std::uint64_t n, std::uint32_t seed, bool bf16, float amplitude) {
  for (std::uint64_t i = blockIdx.x * std::uint64_t(blockDim.x) + threadIdx.x; i < n; i += std::uint64_t(gridDim.x) * blockDim.x) {
    std::uint32_t h = static_cast<std::uint32_t>(i) * 2654435761u ^ seed ^ static_cast<std::uint32_t>(i >> 32) * 40503u;
    h ^= h >> 15; h *= 2246822519u; h ^= h >> 13; h *= 3266489917u; h ^= h >> 16;
    const float u = ((h & 0xffffff) / float(0x1000000) * 2.f - 1.f) * amplitude;  // uniform in [-amplitude, amplitude)
    if (bf16) { __nv_bfloat16 b = __float2bfloat16(u); x[i] = *reinterpret_cast<std::uint16_t*>(&b); }
    else { __half b = __float2half(u); x[i] = *reinterpret_cast<std::uint16_t*>(&b); }
  }
}

struct Shape {
  int b, h, qn, kn, d;
  bool causal;
  DType dt;
  const char* tag;
  float amplitude = 2.f;  // inputs uniform in [-amplitude, amplitude)
};

static AttentionProblem problem_of(const Shape& s) {
  AttentionProblem p;
  p.batch = s.b; p.heads = s.h; p.q_n = s.qn; p.k_n = s.kn; p.head_dim = s.d; p.causal = s.causal; p.dtype = s.dt;
  return p;
}

static float to_f(std::uint16_t v, DType dt) { return dt == DType::bf16 ? bf16_bits_to_float(v) : half_bits_to_float(v); }

// The reference output of up to max_rows rows (all of them for small shapes, else the last four and
// a random sample), in double precision, computed once per shape for all its variants.
struct Reference {
  std::vector<std::uint64_t> offsets;  // each row's first element in O
  std::vector<double> values;          // d per row
};

static Reference reference(const Shape& s, const std::vector<std::uint16_t>& q, const std::vector<std::uint16_t>& k,
                           const std::vector<std::uint16_t>& v, int max_rows) {
  Reference ref;
  const double scale = 1.0 / std::sqrt(double(s.d));
  std::mt19937 rng(7);
  std::vector<double> p(s.kn), acc(s.d);
  const int total_rows = s.b * s.h * s.qn;
  const int n_rows = std::min(total_rows, max_rows);
  for (int t = 0; t < n_rows; ++t) {
    int idx = n_rows == total_rows ? t : (t < 4 ? total_rows - 1 - t : int(rng() % total_rows));
    const int row = idx % s.qn, bh = idx / s.qn;
    const std::uint64_t qo = (std::uint64_t(bh) * s.qn + row) * s.d, ko = std::uint64_t(bh) * s.kn * s.d;
    const int last = s.causal ? std::min(row, s.kn - 1) : s.kn - 1;
    double mx = -1e300;
    for (int j = 0; j <= last; ++j) {
      double dot = 0;
      for (int e = 0; e < s.d; ++e) dot += double(to_f(q[qo + e], s.dt)) * to_f(k[ko + std::uint64_t(j) * s.d + e], s.dt);
      p[j] = dot * scale;
      mx = std::max(mx, p[j]);
    }
    double sum = 0;
    std::fill(acc.begin(), acc.end(), 0.0);
    for (int j = 0; j <= last; ++j) {
      p[j] = std::exp(p[j] - mx);
      sum += p[j];
      for (int e = 0; e < s.d; ++e) acc[e] += p[j] * to_f(v[ko + std::uint64_t(j) * s.d + e], s.dt);
    }
    ref.offsets.push_back(qo);
    for (int e = 0; e < s.d; ++e) ref.values.push_back(acc[e] / sum);
  }
  return ref;
}

// ‖out − ref‖ / ‖ref‖ over the reference's rows; also counts non-finite outputs anywhere.
struct Check { double rel_err; long nonfinite; int rows; };

static Check check(const Shape& s, const Reference& ref, const std::vector<std::uint16_t>& o) {
  Check c{0, 0, static_cast<int>(ref.offsets.size())};
  for (auto x : o) if (!std::isfinite(to_f(x, s.dt))) ++c.nonfinite;
  double num = 0, den = 0;
  for (std::size_t r = 0; r < ref.offsets.size(); ++r)
    for (int e = 0; e < s.d; ++e) {
      const double want = ref.values[r * s.d + e], got = to_f(o[ref.offsets[r] + e], s.dt);
      num += (got - want) * (got - want);
      den += want * want;
    }
  c.rel_err = den > 0 ? std::sqrt(num / den) : 0;
  return c;
}

// The median of `reps` launches of the variant, in microseconds (no L2 flush: a trace compares phases).
static double median_us(const AttentionArgs& a, const cuda::Sm90Variant& v, int reps) {
  cudaEvent_t e0, e1;
  CK(cudaEventCreate(&e0));
  CK(cudaEventCreate(&e1));
  std::vector<float> ms;
  for (int r = 0; r < reps; ++r) {
    CK(cudaEventRecord(e0));
    cuda::launch_flash_sm90_variant(a, v);
    CK(cudaEventRecord(e1));
    CK(cudaEventSynchronize(e1));
    float t;
    CK(cudaEventElapsedTime(&t, e0, e1));
    ms.push_back(t);
  }
  CK(cudaEventDestroy(e0));
  CK(cudaEventDestroy(e1));
  std::sort(ms.begin(), ms.end());
  return ms[ms.size() / 2] * 1000.0;
}

// trace mode: one launch of the variant recorded (sm90_trace.h) and written as CSV, with the median
// time of untraced and traced launches (what recording costs).
static int trace_launch(const Shape& s, const cuda::Sm90Variant& chosen, const std::string& path, int sms) {
  if (!sm90::kTraceBuilt) {
    std::fprintf(stderr, "this build records nothing: configure with -DCMAKE_CUDA_FLAGS=-DATTNSWEEP_SM90_TRACE\n");
    return 2;
  }
  const AttentionProblem p = problem_of(s);
  const std::uint64_t nq = p.q_elements(), nk = p.kv_elements();
  std::uint16_t *q, *k, *v, *o;
  CK(cudaMalloc(&q, nq * 2)); CK(cudaMalloc(&k, nk * 2)); CK(cudaMalloc(&v, nk * 2)); CK(cudaMalloc(&o, nq * 2));
  const bool bf = s.dt == DType::bf16;
  fill_random<<<1024, 256>>>(q, nq, 11, bf, s.amplitude);
  fill_random<<<1024, 256>>>(k, nk, 12, bf, s.amplitude);
  fill_random<<<1024, 256>>>(v, nk, 13, bf, s.amplitude);
  const AttentionArgs a = contiguous_args(p, q, k, v, o);
  const cuda::Sm90Variant used = cuda::resolve_flash_sm90_variant(p, chosen);
  const int rows = 64 * used.consumers, warpgroups = 1 + used.consumers;
  const std::int64_t tiles = (p.q_n + rows - 1) / rows * p.heads * p.batch;
  sm90::TraceBuffer buffer;
  buffer.ctas = static_cast<int>(used.persistent ? std::min<std::int64_t>(tiles, sms) : std::min<std::int64_t>(tiles, 1 << 14));
  buffer.records_per_warpgroup = used.persistent ? 8192 : 1024;
  const std::size_t records = std::size_t(buffer.ctas) * warpgroups * buffer.records_per_warpgroup;
  CK(cudaMalloc(&buffer.records, records * sizeof(sm90::TraceRecord)));
  CK(cudaMemset(buffer.records, 0xff, records * sizeof(sm90::TraceRecord)));  // event ~0: never written
  const double untraced_us = median_us(a, used, 21);
  cuda::set_flash_sm90_trace(buffer);
  const double traced_us = median_us(a, used, 21);  // the last launch's records are kept
  cuda::set_flash_sm90_trace({});
  std::vector<sm90::TraceRecord> host(records);
  CK(cudaMemcpy(host.data(), buffer.records, records * sizeof(sm90::TraceRecord), cudaMemcpyDeviceToHost));
  std::FILE* f = std::fopen(path.c_str(), "w");
  if (!f) { std::fprintf(stderr, "cannot write %s\n", path.c_str()); return 2; }
  std::fprintf(f, "# B=%d H=%d N=%d d=%d causal=%d %s wg=%d pe=%d ov=%d qs=%d hd=%d tt=%d untraced_us=%.2f traced_us=%.2f\n", s.b,
               s.h, s.qn, s.d, int(s.causal), bf ? "bf16" : "fp16", used.consumers, used.persistent, used.overlap, used.q_slots,
               used.half_diagonal, used.turns, untraced_us, traced_us);
  std::fprintf(f, "cta,wg,clock,event,tile,block\n");
  constexpr int kEvents = sizeof(sm90::kTraceEventNames) / sizeof(sm90::kTraceEventNames[0]);
  for (std::size_t i = 0; i < records; ++i) {
    const sm90::TraceRecord& r = host[i];
    if (r.event >= kEvents) continue;
    const std::size_t wg_index = i / buffer.records_per_warpgroup;
    std::fprintf(f, "%zu,%zu,%u,%s,%u,%u\n", wg_index / warpgroups, wg_index % warpgroups, r.clock, sm90::kTraceEventNames[r.event],
                 r.tile, r.block);
  }
  std::fclose(f);
  std::printf("trace: %s (wg=%d pe=%d ov=%d tt=%d): untraced %.2f us, traced %.2f us -> %s\n", s.tag, used.consumers,
              used.persistent, used.overlap, used.turns, untraced_us, traced_us, path.c_str());
  CK(cudaFree(buffer.records));
  CK(cudaFree(q)); CK(cudaFree(k)); CK(cudaFree(v)); CK(cudaFree(o));
  return 0;
}

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "all";
  cuda::Sm90Variant chosen;  // time/all: the one variant timed (defaults: the shipped choices)
  bool d64_check = true;
  std::vector<Shape> one_shape;
  std::string trace_path = "trace.csv";
  for (int i = 2; i < argc; ++i) {
    const std::string arg = argv[i];
    int b, h, n, d, c;
    char dt[8] = {};
    if (arg.rfind("shape=", 0) == 0) {
      if (std::sscanf(arg.c_str() + 6, "%d,%d,%d,%d,%d,%7s", &b, &h, &n, &d, &c, dt) != 6 || b < 1 || h < 1 || n < 1 ||
          (std::strcmp(dt, "fp16") != 0 && std::strcmp(dt, "bf16") != 0)) {
        std::fprintf(stderr, "shape must be B,H,N,D,causal,fp16|bf16 (positive integers)\n");
        return 2;
      }
      one_shape.push_back({b, h, n, n, d, c != 0, std::strcmp(dt, "bf16") == 0 ? DType::bf16 : DType::fp16, "one"});
    } else if (arg.rfind("wg=", 0) == 0) chosen.consumers = std::atoi(arg.c_str() + 3);
    else if (arg.rfind("pe=", 0) == 0) chosen.persistent = std::atoi(arg.c_str() + 3);
    else if (arg.rfind("sec=", 0) == 0) chosen.pairs_per_section = std::atoi(arg.c_str() + 4);
    else if (arg.rfind("wk=", 0) == 0) chosen.wide_keys = std::atoi(arg.c_str() + 3);
    else if (arg.rfind("ov=", 0) == 0) chosen.overlap = std::atoi(arg.c_str() + 3);
    else if (arg.rfind("qs=", 0) == 0) chosen.q_slots = std::atoi(arg.c_str() + 3);
    else if (arg.rfind("hd=", 0) == 0) chosen.half_diagonal = std::atoi(arg.c_str() + 3);
    else if (arg.rfind("tt=", 0) == 0) chosen.turns = std::atoi(arg.c_str() + 3);
    else if (arg.rfind("out=", 0) == 0) trace_path = arg.substr(4);
    else if (arg == "nocheck") d64_check = false;
    else { std::fprintf(stderr, "unknown argument %s\n", argv[i]); return 2; }
  }
  if (chosen.consumers != 0 && chosen.consumers != 2 && chosen.consumers != 3) {
    std::fprintf(stderr, "wg must be 0, 2 or 3\n");
    return 2;
  }
  const bool order = mode == "order";
  const bool overlap = mode == "overlap";
  const bool q_slots = mode == "qslots", diagonal = mode == "diagonal", turns = mode == "turns";
  const bool compare =
      mode == "ab" || mode == "d64" || mode == "seed" || mode == "tiles" || order || overlap || q_slots || diagonal || turns;
  cudaDeviceProp prop;
  CK(cudaGetDeviceProperties(&prop, 0));
  std::printf("device: %s, %d SMs, cc %d.%d\n", prop.name, prop.multiProcessorCount, prop.major, prop.minor);

  if (mode == "trace") {
    if (one_shape.size() != 1) {
      std::fprintf(stderr, "trace needs shape=B,H,N,D,causal,fp16|bf16\n");
      return 2;
    }
    return trace_launch(one_shape[0], chosen, trace_path, prop.multiProcessorCount);
  }

  std::vector<Shape> shapes;
  if (mode == "check" || mode == "all" || mode == "small") {
    for (DType dt : {DType::fp16, DType::bf16})
      for (bool causal : {false, true}) {
        shapes.push_back({1, 1, 1, 1, 64, causal, dt, "check"});
        shapes.push_back({2, 3, 77, 300, 64, causal, dt, "check"});
        shapes.push_back({1, 2, 300, 77, 128, causal, dt, "check"});
        shapes.push_back({2, 2, 257, 513, 128, causal, dt, "check"});
        shapes.push_back({1, 2, 129, 1000, 256, causal, dt, "check"});
        shapes.push_back({1, 1, 1000, 999, 256, causal, dt, "check"});
        // d=64 shapes for the 192-row tile: q_n not a multiple of 192 (a last tile whose third
        // warpgroup has no rows, one with two rows), q_n > k_n with k_n < one key block.
        shapes.push_back({1, 2, 450, 1000, 64, causal, dt, "check"});
        shapes.push_back({2, 1, 1000, 999, 64, causal, dt, "check"});
        shapes.push_back({1, 1, 700, 130, 64, causal, dt, "check"});
        // More tiles than SMs, so that a persistent CTA computes several (rows sampled).
        shapes.push_back({3, 50, 200, 333, 64, causal, dt, "multi"});
        shapes.push_back({2, 70, 150, 260, 128, causal, dt, "multi"});
        shapes.push_back({1, 140, 130, 100, 256, causal, dt, "multi"});
        // Large inputs: scores spread over hundreds (log2 units), so that a row's running max
        // keeps jumping by more than lazy rescaling's threshold after the first block.
        for (int d : {64, 128, 256}) shapes.push_back({1, 2, 333, 1100, d, causal, dt, "spike", 16.f});
      }
  }
  const bool check_timed = mode != "time-nocheck" && !(compare && !d64_check);
  if (!one_shape.empty()) {
    shapes = one_shape;
  } else if (mode == "time" || mode == "time-nocheck" || mode == "all" || mode == "ab" || overlap || q_slots || diagonal ||
             turns) {
    // The fa3-paper preset (B*N = 16384 tokens, H*d = 2048) and the seed's B=1 tiers.
    for (DType dt : {DType::fp16, DType::bf16})
      for (bool causal : {false, true})
        for (int d : {64, 128, 256})
          for (int n : {512, 1024, 2048, 4096, 8192, 16384}) {
            if (dt == DType::bf16 && n != 8192) continue;
            shapes.push_back({16384 / n, 2048 / d, n, n, d, causal, dt, "fa3"});
          }
  }
  if (mode == "d64") {
    for (DType dt : {DType::fp16, DType::bf16})
      for (bool causal : {false, true})
        for (int n : {512, 1024, 2048, 4096, 8192, 16384}) shapes.push_back({16384 / n, 2048 / 64, n, n, 64, causal, dt, "fa3"});
  }
  // The seed's tier families (d, H, B), fp16, N = 512..16384.
  const auto add_seed_tiers = [&](bool causal) {
    for (auto [d, h, b] : {std::array{64, 12, 1}, std::array{64, 12, 8}, std::array{128, 12, 1}, std::array{256, 24, 2}})
      for (int n : {512, 1024, 2048, 4096, 8192, 16384}) shapes.push_back({b, h, n, n, d, causal, DType::fp16, "seed"});
  };
  if (order) {
    add_seed_tiers(true);
    for (int d : {64, 128, 256})
      for (int n : {512, 1024, 2048, 4096, 8192, 16384}) shapes.push_back({16384 / n, 2048 / d, n, n, d, true, DType::fp16, "fa3"});
  }
  if (mode == "seed" || mode == "tiles" || overlap || q_slots || diagonal || turns) {
    add_seed_tiers(false);
    add_seed_tiers(true);
  }
  if (mode == "tiles") {
    for (bool causal : {false, true})
      for (int d : {64, 128, 256})
        for (int n : {512, 1024, 2048}) shapes.push_back({16384 / n, 2048 / d, n, n, d, causal, DType::fp16, "fa3"});
    std::erase_if(shapes, [](const Shape& s) { return s.qn > 2048; });
  }
  if (q_slots) std::erase_if(shapes, [](const Shape& s) { return s.qn > 4096; });  // where the persistent grid runs
  if (diagonal) std::erase_if(shapes, [](const Shape& s) { return !s.causal; });
  if (shapes.empty()) { std::fprintf(stderr, "unknown mode %s\n", mode.c_str()); return 2; }

  void* flush = nullptr;
  const std::size_t flush_bytes = std::size_t(prop.l2CacheSize) * 4;
  CK(cudaMalloc(&flush, flush_bytes));
  cudaEvent_t e0, e1;
  CK(cudaEventCreate(&e0));
  CK(cudaEventCreate(&e1));
  int failures = 0;
  std::uint32_t seed = 1;

  std::printf("%-5s %-4s %3s %3s %6s %6s %4s %3s %2s %2s %2s %3s %2s %2s %2s %2s | %9s %5s %4s | %9s %7s\n", "tag", "dt", "B", "H",
              "q_n", "k_n", "d", "cau", "wg", "wk", "pe", "sec", "ov", "qs", "hd", "tt", "rel_err", "rows", "ok", "us", "TFLOP/s");
  for (const Shape& s : shapes) {
    const bool is_multi = std::strcmp(s.tag, "multi") == 0;
    const bool is_check = std::strcmp(s.tag, "check") == 0 || std::strcmp(s.tag, "spike") == 0 || is_multi;
    // The variants this shape runs with (the warpgroup count matters at d=64 and d=128).
    // check: every tile choice, one CTA per tile and persistent (causal: sections of one pair and of
    // four); ab and seed: the shipped variant first, then with the other grid, and at d=128 with two
    // warpgroups;
    // d64: the shipped variant, non-causal without the persistent grid, causal with sections of one
    // pair and of all pairs, and both warpgroup counts.
    std::vector<cuda::Sm90Variant> configs;
    if (is_check) {
      for (int ov : {0, 1})
        for (int pe : {0, 1}) {
          const int sec = s.causal ? (pe ? 4 : 1) : 0;  // 4: a short last section where pairs % 4 != 0
          configs.push_back({2, 0, pe, sec, ov});
          if (s.d == 256) configs.push_back({2, 1, pe, sec, ov});
          else if (s.d == 64 || !ov) configs.push_back({3, 0, pe, sec, ov});  // no overlap with 3 at d=128
          if (s.d == 128) configs.push_back({2, 1, pe, sec, ov});
          if (pe) configs.push_back({2, 0, pe, sec, ov, 1});  // one Q slot (the others have two where there is room)
          if (s.causal && !ov) configs.push_back({2, 0, pe, sec, ov, -1, 0});  // whole diagonal blocks (the others halve them)
        }
      for (std::size_t i = 0, n = configs.size(); i < n; ++i) {  // each again, taking turns the other way
        configs.push_back(configs[i]);
        configs.back().turns = 1;
      }
    } else if (order) {
      const int rows = s.d == 64 ? 192 : 128, m_blocks = (s.qn + rows - 1) / rows, sms = prop.multiProcessorCount;
      const int wg = s.d == 64 ? 3 : 0;
      configs = {{wg, -1, -1, 0}, {wg, -1, -1, 1}, {wg, -1, -1, (sms + m_blocks - 1) / m_blocks},
                 {wg, -1, -1, (2 * sms + m_blocks - 1) / m_blocks}};
    } else if (mode == "tiles") {
      if (s.d == 256) configs = {{2, 0}, {2, 1}};
      else configs = {{2}, {3}};
    } else if (overlap) {
      const cuda::Sm90Variant shipped = cuda::resolve_flash_sm90_variant(problem_of(s), {});
      configs = {{0, -1, -1, 0, 0}, {0, -1, -1, 0, 1}, {0, -1, shipped.persistent ? 0 : 1, 0, 1}};
      if (s.d == 128 && shipped.consumers == 3) configs.insert(configs.end(), {{2, -1, -1, 0, 0}, {2, -1, -1, 0, 1}});
    } else if (diagonal) {
      // Shipped; with whole diagonal blocks; and, at d=64 and d=128, the other warpgroup count with halves.
      configs = {{}, {0, -1, -1, 0, -1, -1, 0}};
      if (s.d != 256) configs.push_back({cuda::resolve_flash_sm90_variant(problem_of(s), {}).consumers == 2 ? 3 : 2});
    } else if (turns) {
      // Shipped; the other turn-taking; at d=64 and d=128 the other warpgroup count, both ways.
      const cuda::Sm90Variant shipped = cuda::resolve_flash_sm90_variant(problem_of(s), {});
      const int other_turns = shipped.turns ? 0 : 1;
      configs = {{}, {0, -1, -1, 0, -1, -1, -1, other_turns}};
      if (s.d != 256) {
        const int other_wg = shipped.consumers == 2 ? 3 : 2;
        configs.insert(configs.end(), {{other_wg, -1, -1, 0, -1, -1, -1, 0}, {other_wg, -1, -1, 0, -1, -1, -1, 1}});
      }
    } else if (q_slots) {
      // Shipped; with one Q slot; and the persistent grid where the shipped choice is one CTA per tile.
      configs = {{}, {0, -1, -1, 0, -1, 1}};
      if (!cuda::resolve_flash_sm90_variant(problem_of(s), {}).persistent) configs = {{}, {0, -1, 1, 0, -1, 2}, {0, -1, 1, 0, -1, 1}};
    } else if (mode == "ab" || mode == "seed") {
      configs = {{}};
      configs.push_back({0, -1, cuda::resolve_flash_sm90_variant(problem_of(s), {}).persistent ? 0 : 1});  // the other grid
      if (s.d == 128) configs.push_back({2});
    } else if (compare) {
      configs = {{}};
      if (s.causal) configs.insert(configs.end(), {{0, -1, -1, 1}, {0, -1, -1, 1 << 20}});
      else configs.push_back({0, -1, 0});
      if (s.d == 64) configs.insert(configs.end(), {{2}, {3}});
    } else {
      configs = {chosen};
    }

    const AttentionProblem p = problem_of(s);
    const std::uint64_t nq = p.q_elements(), nk = p.kv_elements();
    std::uint16_t *q, *k, *v, *o;
    CK(cudaMalloc(&q, nq * 2)); CK(cudaMalloc(&k, nk * 2)); CK(cudaMalloc(&v, nk * 2)); CK(cudaMalloc(&o, nq * 2));
    const bool bf = s.dt == DType::bf16;
    fill_random<<<1024, 256>>>(q, nq, seed++ * 7919u, bf, s.amplitude);
    fill_random<<<1024, 256>>>(k, nk, seed++ * 7919u, bf, s.amplitude);
    fill_random<<<1024, 256>>>(v, nk, seed++ * 7919u, bf, s.amplitude);
    AttentionArgs a = contiguous_args(p, q, k, v, o);
    std::vector<std::uint16_t> hq(nq), hk(nk), hv(nk), ho(nq);
    CK(cudaDeviceSynchronize());
    CK(cudaMemcpy(hq.data(), q, nq * 2, cudaMemcpyDeviceToHost));
    CK(cudaMemcpy(hk.data(), k, nk * 2, cudaMemcpyDeviceToHost));
    CK(cudaMemcpy(hv.data(), v, nk * 2, cudaMemcpyDeviceToHost));
    const Reference ref = reference(s, hq, hk, hv, is_multi ? 2000 : is_check ? 1 << 30 : (check_timed ? 48 : 0));

    struct Result { cuda::Sm90Variant v; Check c; bool ok, launched; std::vector<float> ms; };
    std::vector<Result> results;
    for (const cuda::Sm90Variant& cfg : configs) {
      Result r{cfg, {0, 0, 0}, false, false, {}};
      CK(cudaMemset(o, 0xff, nq * 2));  // NaN in fp16 and bf16: unwritten outputs show up
      try {
        r.v = cuda::launch_flash_sm90_variant(a, cfg);
        r.launched = true;
      } catch (const DeviceError& e) {
        std::printf("launch failed (wg=%d wk=%d pe=%d): %s\n", cfg.consumers, cfg.wide_keys, cfg.persistent, e.what());
      }
      if (r.launched) {
        CK(cudaDeviceSynchronize());
        CK(cudaMemcpy(ho.data(), o, nq * 2, cudaMemcpyDeviceToHost));
        r.c = check(s, ref, ho);
        const double tol = bf ? 1.5e-2 : 3e-3;
        r.ok = r.c.nonfinite == 0 && r.c.rel_err < tol;
      }
      if (!r.ok) ++failures;
      results.push_back(r);
    }

    if (!is_check) {
      // Warm-ups, then the configs interleaved round by round so that drift hits them alike.
      for (const Result& r : results)
        if (r.launched)
          for (int w = 0; w < 3; ++w) cuda::launch_flash_sm90_variant(a, r.v);
      for (int rep = 0; rep < 25; ++rep)
        for (Result& r : results) {
          if (!r.launched) continue;
          CK(cudaMemsetAsync(flush, rep, flush_bytes));
          CK(cudaEventRecord(e0));
          cuda::launch_flash_sm90_variant(a, r.v);
          CK(cudaEventRecord(e1));
          CK(cudaEventSynchronize(e1));
          float t;
          CK(cudaEventElapsedTime(&t, e0, e1));
          r.ms.push_back(t);
        }
    }
    for (Result& r : results) {
      double us = 0, tflops = 0;
      if (!r.ms.empty()) {
        std::sort(r.ms.begin(), r.ms.end());
        us = r.ms[r.ms.size() / 2] * 1000.0;
        tflops = p.flops() / (us * 1e-6) / 1e12;
      }
      std::printf("%-5s %-4s %3d %3d %6d %6d %4d %3d %2d %2d %2d %3d %2d %2d %2d %2d | %9.2e %5d %4s | %9.1f %7.1f\n", s.tag,
                  bf ? "bf16" : "fp16", s.b, s.h, s.qn, s.kn, s.d, int(s.causal), r.v.consumers, r.v.wide_keys, r.v.persistent,
                  r.v.pairs_per_section, r.v.overlap, r.v.q_slots, r.v.half_diagonal, r.v.turns, r.c.rel_err, r.c.rows,
                  !r.launched ? "ERR" : r.ok ? "ok" : (r.c.nonfinite ? "NaN" : "BAD"), us, tflops);
    }
    std::fflush(stdout);
    CK(cudaFree(q)); CK(cudaFree(k)); CK(cudaFree(v)); CK(cudaFree(o));
  }
  CK(cudaGetLastError());
  std::printf("failures: %d\n", failures);
  return failures ? 1 : 0;
}
