// How large are the errors of correct attention kernels, against those of the naive computation in
// the same precision? The survey behind the correctness check's floors (check_floor in
// engine/src/correctness.cpp; docs/result-format.md gives the table this prints).
//
// For each dtype, shape and seed it computes every output row of one (batch, head) slice from the
// engine's seeded inputs: the double reference, the naive computation in the dtype
// (naive_row_in_precision) and the kernels: cpu_naive and cpu_flash as built (fp32), and two
// emulations of the GPU kernels' arithmetic (any dtype): `flash` (64-key blocks, online softmax
// with exp2 and the scale folded into log2(e), unnormalised P stored in the dtype, fp32 sums, O
// divided once at the end) and `gemm` (S stored in the dtype by a GEMM with 4 partial sums, softmax
// in fp32, P stored in the dtype, P·V in 16-key partial sums: the cublas kernel's order). The exp2
// of both emulations drops the last mantissa bit, standing in for MUFU.EX2's ulp of error.
//
// Then, per dtype and kernel: the max error, the max error of the naive path, and how far the
// kernel's error goes past 2 x the naive one over a whole slice and over single rows (the smallest
// set a check may compare). The floor must cover the latter.
//
// With --results, the same for measured kernels instead: each checked cell of the result files
// beside the naive max error on the rows and inputs that cell was checked on (cells of provider
// kernels are left out: their inputs come from torch's generator).
//
//   attnsweep-bench-check-errors [--seeds 6] [--results FILE.jsonl ...]
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "attnsweep/engine/correctness.h"
#include "attnsweep/engine/inputs.h"
#include "attnsweep/engine/providers.h"
#include "attnsweep/engine/store.h"
#include "attnsweep/kernels/reference.h"

using namespace attnsweep;

namespace {

struct Shape {
  std::int64_t q_n, k_n, d;
  bool causal;
};

float exp2_approx(float x) {  // exp2 with its last mantissa bit dropped: about one ulp off
  float y = std::exp2(x);
  std::uint32_t bits;
  std::memcpy(&bits, &y, 4);
  bits &= ~1u;
  std::memcpy(&y, &bits, 4);
  return y;
}

std::int64_t visible(const AttentionProblem& p, std::int64_t row) { return p.causal ? std::min(p.k_n, row + 1) : p.k_n; }

// An operand of a tensor-core product as the hardware takes it.
float operand(const AttentionProblem& p, float x) { return p.dtype == DType::tf32 ? round_to_tf32(x) : x; }

void flash_row(const AttentionProblem& p, const float* q, const float* k, const float* v, std::int64_t row, float* out) {
  const std::int64_t d = p.head_dim, n = visible(p, row);
  const float scale_log2 = p.softmax_scale() * 1.44269504088896340736f;
  std::vector<float> acc(d, 0.0f), x(64);
  float m = -std::numeric_limits<float>::infinity(), l = 0;
  for (std::int64_t j0 = 0; j0 < n; j0 += 64) {
    const std::int64_t j1 = std::min(n, j0 + 64);
    float m_new = m;
    for (std::int64_t j = j0; j < j1; ++j) {
      float s = 0;
      for (std::int64_t c = 0; c < d; ++c) s += operand(p, q[c]) * operand(p, k[j * d + c]);
      x[j - j0] = s * scale_log2;
      m_new = std::max(m_new, x[j - j0]);
    }
    const float alpha = exp2_approx(m - m_new);
    l *= alpha;
    for (float& a : acc) a *= alpha;
    for (std::int64_t j = j0; j < j1; ++j) {
      const float pj = exp2_approx(x[j - j0] - m_new);
      l += pj;
      const float stored = operand(p, round_to_dtype(pj, p.dtype));
      for (std::int64_t c = 0; c < d; ++c) acc[c] += stored * operand(p, v[j * d + c]);
    }
    m = m_new;
  }
  for (std::int64_t c = 0; c < d; ++c) out[c] = round_to_dtype(acc[c] / l, p.dtype);
}

void gemm_row(const AttentionProblem& p, const float* q, const float* k, const float* v, std::int64_t row, float* out) {
  const std::int64_t d = p.head_dim, n = visible(p, row);
  std::vector<float> s(n);
  float m = -std::numeric_limits<float>::infinity();
  for (std::int64_t j = 0; j < n; ++j) {
    float part[4] = {0, 0, 0, 0};
    for (std::int64_t c = 0; c < d; ++c) part[c % 4] += operand(p, q[c]) * operand(p, k[j * d + c]);
    s[j] = round_to_dtype(((part[0] + part[1]) + (part[2] + part[3])) * p.softmax_scale(), p.dtype);
    m = std::max(m, s[j]);
  }
  float l = 0;
  for (std::int64_t j = 0; j < n; ++j) {
    s[j] = exp2_approx((s[j] - m) * 1.44269504088896340736f);
    l += s[j];
  }
  std::vector<float> acc(d, 0.0f), block(d);
  for (std::int64_t j0 = 0; j0 < n; j0 += 16) {
    std::fill(block.begin(), block.end(), 0.0f);
    for (std::int64_t j = j0; j < std::min(n, j0 + 16); ++j) {
      const float pj = operand(p, round_to_dtype(s[j] / l, p.dtype));
      for (std::int64_t c = 0; c < d; ++c) block[c] += pj * operand(p, v[j * d + c]);
    }
    for (std::int64_t c = 0; c < d; ++c) acc[c] += block[c];
  }
  for (std::int64_t c = 0; c < d; ++c) out[c] = round_to_dtype(acc[c], p.dtype);
}

// One kernel's errors against the reference, per row, beside the naive path's.
struct Errors {
  double max = 0, naive_max = 0;     // over the slice
  double excess_slice = -1e30;       // kernel max - 2 x naive max over the slice
  double excess_row = -1e30;         // the same over single rows, the worst row
  double ratio = 0;                  // kernel max / naive max over the slice
};

struct Summary {
  int cases = 0;
  double max = 0, naive_max = 0, naive_min = 1e30, ratio = 0;
  double excess_slice = -1e30, excess_row = -1e30;
  void add(const Errors& e) {
    ++cases;
    max = std::max(max, e.max);
    naive_max = std::max(naive_max, e.naive_max);
    naive_min = std::min(naive_min, e.naive_max);
    ratio = std::max(ratio, e.ratio);
    excess_slice = std::max(excess_slice, e.excess_slice);
    excess_row = std::max(excess_row, e.excess_row);
  }
};

// The rows a record was checked on. Records without `slices_checked` were checked on the first,
// a third, two thirds and last slices only, 64 to 256 rows spread over them.
std::vector<OutputRow> recorded_rows(const AttentionProblem& p, std::uint64_t seed, const CheckResult& c) {
  const std::int64_t slices = p.batch * p.heads;
  if (c.slices_checked > 0 || static_cast<double>(p.k_n) * p.head_dim * p.q_n * slices <= (1 << 24))
    return choose_check_rows(p, seed);
  const std::set<std::int64_t> four{0, slices / 3, 2 * slices / 3, slices - 1};
  const auto budget = static_cast<std::int64_t>(std::clamp((1 << 27) / (static_cast<double>(p.k_n) * p.head_dim), 64.0, 256.0));
  const std::int64_t per_slice = std::min<std::int64_t>(p.q_n, (budget + 3) / 4);
  std::uint64_t state = seed ^ 0x636865636b726f77ull;  // the sampler's "checkrow" stream
  std::vector<OutputRow> rows;
  for (std::int64_t slice : four) {
    std::set<std::int64_t> picked{0, p.q_n - 1};
    while (static_cast<std::int64_t>(picked.size()) < per_slice) {
      std::uint64_t x = (state += 0x9e3779b97f4a7c15ull);
      x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
      x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
      picked.insert(static_cast<std::int64_t>((x ^ (x >> 31)) % static_cast<std::uint64_t>(p.q_n)));
    }
    for (std::int64_t i : picked) rows.push_back({slice / p.heads, slice % p.heads, i});
  }
  return rows;
}

// Recorded max errors of the checked cells in `files`, beside the naive max error on their rows.
void survey_results(const std::vector<std::string>& files) {
  std::map<std::pair<DType, std::string>, Summary> summaries;
  for (const std::string& file : files) {
    const ResultFile f = read_result_file(file);
    const std::uint64_t spec_seed = f.header.contains("spec") ? f.header["spec"].value("seed", std::uint64_t{0}) : 0;
    for (const CellResult& r : f.results) {
      if (r.status != CellStatus::ok || !r.check.checked || is_provider_kernel(r.cell.kernel)) continue;
      const AttentionProblem p = r.cell.problem();
      const std::uint64_t seed = cell_seed(spec_seed, r.cell.id());
      const std::vector<OutputRow> rows = recorded_rows(p, seed, r.check);
      if (static_cast<std::int64_t>(rows.size()) != r.check.rows_checked) {
        std::fprintf(stderr, "%s: %s: not the rows it was checked on; left out\n", file.c_str(), r.cell.id().c_str());
        continue;
      }
      const std::int64_t d = p.head_dim;
      std::vector<float> q(d), k(p.k_n * d), v(p.k_n * d), naive(d);
      std::vector<double> ref(d);
      double naive_max = 0;
      std::int64_t slice = -1;
      for (const OutputRow& row : rows) {
        const std::int64_t s = row.batch * p.heads + row.head;
        if (s != slice) {
          generate_input(seed, InputTensor::k, p.dtype, s * p.k_n * d, k.size(), k.data());
          generate_input(seed, InputTensor::v, p.dtype, s * p.k_n * d, v.size(), v.data());
          slice = s;
        }
        generate_input(seed, InputTensor::q, p.dtype, (s * p.q_n + row.row) * d, d, q.data());
        reference_row_double(p, q.data(), k.data(), v.data(), row.row, ref.data());
        naive_row_in_precision(p, q.data(), k.data(), v.data(), row.row, naive.data());
        for (std::int64_t c = 0; c < d; ++c) naive_max = std::max(naive_max, std::abs(naive[c] - ref[c]));
      }
      Errors e;
      e.max = r.check.max_abs_err;
      e.naive_max = naive_max;
      e.excess_slice = e.excess_row = e.max - 2 * naive_max;
      e.ratio = naive_max > 0 ? e.max / naive_max : 0;
      summaries[{p.dtype, r.cell.kernel}].add(e);
    }
  }
  std::printf("| dtype | kernel | cells | max error | naive max error (min..max) | kernel / naive | "
              "worst excess over 2 x naive | floor |\n");
  std::printf("|---|---|---|---|---|---|---|---|\n");
  for (const auto& [key, s] : summaries)
    std::printf("| %s | %s | %d | %.3g | %.3g..%.3g | %.2f | %.3g | %.3g |\n", std::string(dtype_name(key.first)).c_str(),
                key.second.c_str(), s.cases, s.max, s.naive_min, s.naive_max, s.ratio, s.excess_slice,
                check_floor(key.first));
}

}  // namespace

int main(int argc, char** argv) {
  int seeds = 6;
  std::vector<std::string> results;
  CLI::App app{"errors of correct attention kernels against the naive path in the same precision"};
  app.add_option("--seeds", seeds, "seeds per shape")->check(CLI::Range(1, 1000));
  app.add_option("--results", results, "result files: survey their checked cells instead")->check(CLI::ExistingFile);
  CLI11_PARSE(app, argc, argv);
  if (!results.empty()) {
    survey_results(results);
    return 0;
  }

  const Shape shapes[] = {{1, 1, 64, false},      {16, 16, 64, true},     {128, 128, 64, false},
                          {128, 128, 128, true},  {512, 512, 64, false},  {512, 512, 64, true},
                          {512, 512, 128, false}, {512, 512, 256, true},  {1024, 1024, 64, false},
                          {1024, 1024, 128, true}, {300, 700, 96, false}, {700, 300, 32, true}};
  const auto cpu = make_cpu_device();
  std::map<std::pair<DType, std::string>, Summary> summaries;
  for (DType dtype : {DType::fp32, DType::tf32, DType::fp16, DType::bf16}) {
    for (const Shape& s : shapes) {
      for (int seed = 1; seed <= seeds; ++seed) {
        AttentionProblem p;
        p.q_n = s.q_n, p.k_n = s.k_n, p.head_dim = s.d, p.causal = s.causal, p.dtype = dtype;
        const std::uint64_t cs = cell_seed(static_cast<std::uint64_t>(seed), "check-errors");
        std::vector<float> q(p.q_elements()), k(p.kv_elements()), v(p.kv_elements());
        generate_input(cs, InputTensor::q, dtype, 0, q.size(), q.data());
        generate_input(cs, InputTensor::k, dtype, 0, k.size(), k.data());
        generate_input(cs, InputTensor::v, dtype, 0, v.size(), v.data());

        // The kernels' outputs: the CPU ones as built (fp32 only), the emulations in any dtype.
        std::map<std::string, std::vector<float>> outs;
        if (dtype == DType::fp32)
          for (const char* name : {"cpu_naive", "cpu_flash"}) {
            const Kernel* kernel = find_kernel(name);
            DeviceBuffer workspace(*cpu, kernel->workspace_bytes(p));
            std::vector<float> o(p.q_elements());
            AttentionArgs a = contiguous_args(p, q.data(), k.data(), v.data(), o.data());
            a.workspace = workspace.get();
            a.workspace_bytes = workspace.bytes();
            kernel->run(a);
            outs[name] = std::move(o);
          }
        std::vector<float>& flash = outs["flash"];
        std::vector<float>& gemm = outs["gemm"];
        flash.resize(p.q_elements());
        gemm.resize(p.q_elements());
        for (std::int64_t i = 0; i < p.q_n; ++i) {
          flash_row(p, q.data() + i * p.head_dim, k.data(), v.data(), i, flash.data() + i * p.head_dim);
          gemm_row(p, q.data() + i * p.head_dim, k.data(), v.data(), i, gemm.data() + i * p.head_dim);
        }

        // Per row: the reference, the naive path's max error, each kernel's.
        std::map<std::string, Errors> errors;
        std::vector<double> ref(p.head_dim);
        std::vector<float> naive(p.head_dim);
        std::vector<double> naive_row_max(p.q_n);
        double naive_max = 0;
        std::map<std::string, std::vector<double>> row_max;
        for (std::int64_t i = 0; i < p.q_n; ++i) {
          const float* qi = q.data() + i * p.head_dim;
          reference_row_double(p, qi, k.data(), v.data(), i, ref.data());
          naive_row_in_precision(p, qi, k.data(), v.data(), i, naive.data());
          for (std::int64_t c = 0; c < p.head_dim; ++c)
            naive_row_max[i] = std::max(naive_row_max[i], std::abs(naive[c] - ref[c]));
          naive_max = std::max(naive_max, naive_row_max[i]);
          for (const auto& [name, o] : outs) {
            double m = 0;
            for (std::int64_t c = 0; c < p.head_dim; ++c) m = std::max(m, std::abs(o[i * p.head_dim + c] - ref[c]));
            row_max[name].push_back(m);
          }
        }
        for (const auto& [name, rows] : row_max) {
          Errors e;
          e.naive_max = naive_max;
          for (std::int64_t i = 0; i < p.q_n; ++i) {
            e.max = std::max(e.max, rows[i]);
            e.excess_row = std::max(e.excess_row, rows[i] - 2 * naive_row_max[i]);
          }
          e.excess_slice = e.max - 2 * naive_max;
          e.ratio = naive_max > 0 ? e.max / naive_max : 0;
          summaries[{dtype, name}].add(e);
        }
      }
    }
  }

  std::printf("%d shapes x %d seeds per dtype; one (batch, head) slice each, every row; inputs as a sweep's "
              "(standard normal, rounded to the dtype)\n\n",
              static_cast<int>(std::size(shapes)), seeds);
  std::printf("| dtype | kernel | max error | naive max error (min..max) | kernel / naive | "
              "worst excess over 2 x naive: slice | single row | floor |\n");
  std::printf("|---|---|---|---|---|---|---|---|\n");
  for (const auto& [key, s] : summaries)
    std::printf("| %s | %s | %.3g | %.3g..%.3g | %.2f | %.3g | %.3g | %.3g |\n", std::string(dtype_name(key.first)).c_str(),
                key.second.c_str(), s.max, s.naive_min, s.naive_max, s.ratio, s.excess_slice, s.excess_row,
                check_floor(key.first));
  return 0;
}
