#include "attnsweep/engine/correctness.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <map>
#include <set>

#include "attnsweep/engine/format.h"
#include "attnsweep/engine/inputs.h"
#include "attnsweep/kernels/reference.h"
#include "parallel.h"

namespace attnsweep {

namespace {

// A problem this small (multiply-adds of one pass) is checked on every row.
constexpr double kAllRowsWork = 1 << 24;
// Otherwise the sampled rows cost about this many multiply-adds (64..256 rows).
constexpr double kSampledWork = 1 << 27;
constexpr std::uint64_t kScanChunkBytes = 1ull << 24;

std::uint64_t next_random(std::uint64_t& state) {  // splitmix64 step
  std::uint64_t x = (state += 0x9e3779b97f4a7c15ull);
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

bool is_poison(const unsigned char* e, std::uint64_t bytes) {
  return std::all_of(e, e + bytes, [](unsigned char b) { return b == 0xff; });
}

// Counts poisoned (unwritten) and other non-finite elements over the whole output.
void scan_output(Device& device, const AttentionProblem& p, const void* o, CheckResult& c) {
  const std::uint64_t eb = dtype_bytes(p.dtype);
  const std::uint64_t total = p.q_elements();
  const std::uint64_t chunk = kScanChunkBytes / eb;
  std::vector<unsigned char> bytes;
  for (std::uint64_t first = 0; first < total; first += chunk) {
    const std::uint64_t n = std::min(chunk, total - first);
    bytes.resize(n * eb);
    device.copy_to_host(bytes.data(), static_cast<const unsigned char*>(o) + first * eb, n * eb);
    std::atomic<std::int64_t> unwritten{0}, nonfinite{0};
    parallel_ranges(n, 1 << 16, [&](std::uint64_t b, std::uint64_t e) {
      std::int64_t uw = 0, nf = 0;
      float f;
      for (std::uint64_t i = b; i < e; ++i) {
        const unsigned char* elem = bytes.data() + i * eb;
        if (is_poison(elem, eb)) {
          ++uw;
          continue;
        }
        decode_from_dtype(elem, 1, p.dtype, &f);
        nf += !std::isfinite(f);
      }
      unwritten += uw;
      nonfinite += nf;
    });
    c.unwritten += unwritten;
    c.nonfinite += nonfinite;
  }
}

}  // namespace

double check_floor(DType dtype) {
  switch (dtype) {
    // fp32: the naive fp32 error here is 1e-7..1e-6; tiled kernels sum in other orders and may use
    // a fast exp (__expf, ~2 ulp), which moves results at that level, never near 1e-5.
    case DType::fp32: return 1e-5;
    // tf32 and fp16 keep 10 mantissa bits (unit roundoff 4.9e-4). Flash kernels round the
    // unnormalised P to 16 bits for P·V, the naive path the normalised one, so their rounding
    // differs by a few ulps: 2e-3 covers that without letting a real bug (>= 1e-2) through.
    case DType::tf32:
    case DType::fp16: return 2e-3;
    // bf16 keeps 7 mantissa bits (unit roundoff 3.9e-3, 8x fp16's): the same margin scaled.
    case DType::bf16: return 1e-2;
  }
  return 1e-5;
}

std::vector<OutputRow> choose_check_rows(const AttentionProblem& p, std::uint64_t seed) {
  std::vector<OutputRow> rows;
  const double row_work = static_cast<double>(p.k_n) * static_cast<double>(p.head_dim);
  const std::int64_t slices = p.batch * p.heads;
  if (row_work * static_cast<double>(p.q_n) * static_cast<double>(slices) <= kAllRowsWork) {
    for (std::int64_t b = 0; b < p.batch; ++b)
      for (std::int64_t h = 0; h < p.heads; ++h)
        for (std::int64_t i = 0; i < p.q_n; ++i) rows.push_back({b, h, i});
    return rows;
  }

  const std::set<std::int64_t> picked_slices{0, slices / 3, 2 * slices / 3, slices - 1};
  const auto budget = static_cast<std::int64_t>(std::clamp(kSampledWork / row_work, 64.0, 256.0));
  const std::int64_t per_slice =
      std::min<std::int64_t>(p.q_n, (budget + static_cast<std::int64_t>(picked_slices.size()) - 1) /
                                        static_cast<std::int64_t>(picked_slices.size()));
  std::uint64_t state = seed ^ 0x636865636b726f77ull;  // "checkrow"
  for (std::int64_t slice : picked_slices) {
    std::set<std::int64_t> picked{0, p.q_n - 1};  // the first and last rows are where tails hide
    while (static_cast<std::int64_t>(picked.size()) < per_slice)
      picked.insert(static_cast<std::int64_t>(next_random(state) % static_cast<std::uint64_t>(p.q_n)));
    for (std::int64_t i : picked) rows.push_back({slice / p.heads, slice % p.heads, i});
  }
  return rows;
}

CheckResult check_output(Device& device, const AttentionProblem& p, std::uint64_t seed, const void* o,
                         const CheckOptions& opts) {
  CheckResult c;
  c.checked = true;
  scan_output(device, p, o, c);

  const std::int64_t d = p.head_dim;
  const std::uint64_t eb = dtype_bytes(p.dtype);
  std::map<std::pair<std::int64_t, std::int64_t>, std::vector<std::int64_t>> by_slice;
  for (const OutputRow& r : choose_check_rows(p, seed)) by_slice[{r.batch, r.head}].push_back(r.row);

  double err2 = 0, naive_err2 = 0, ref2 = 0;
  std::vector<float> k(p.k_n * d), v(p.k_n * d), out_bytes_f;
  std::vector<unsigned char> out_bytes;
  for (const auto& [slice, rows] : by_slice) {
    const auto [b, h] = slice;
    const std::uint64_t kv_first = static_cast<std::uint64_t>((b * p.heads + h) * p.k_n * d);
    parallel_ranges(k.size(), 1 << 16, [&](std::uint64_t first, std::uint64_t last) {
      generate_input(seed, InputTensor::k, p.dtype, kv_first + first, last - first, k.data() + first);
      generate_input(seed, InputTensor::v, p.dtype, kv_first + first, last - first, v.data() + first);
    });

    // The kernel's rows, read back one by one (they are scattered through the output).
    const std::uint64_t q_first = static_cast<std::uint64_t>((b * p.heads + h) * p.q_n * d);
    const std::size_t n = rows.size();
    out_bytes.resize(n * d * eb);
    for (std::size_t r = 0; r < n; ++r)
      device.copy_to_host(out_bytes.data() + r * d * eb,
                          static_cast<const unsigned char*>(o) + (q_first + rows[r] * d) * eb, d * eb);
    out_bytes_f.resize(n * d);
    decode_from_dtype(out_bytes.data(), n * d, p.dtype, out_bytes_f.data());

    // Per-row sums, reduced afterwards in row order so the result never depends on threads.
    std::vector<double> row_err2(n), row_naive2(n), row_ref2(n), row_max(n);
    parallel_ranges(n, 1, [&](std::uint64_t first, std::uint64_t last) {
      std::vector<float> q(d), naive(d);
      std::vector<double> ref(d);
      for (std::uint64_t r = first; r < last; ++r) {
        generate_input(seed, InputTensor::q, p.dtype, q_first + rows[r] * d, d, q.data());
        reference_row_double(p, q.data(), k.data(), v.data(), rows[r], ref.data());
        naive_row_in_precision(p, q.data(), k.data(), v.data(), rows[r], naive.data());
        const float* out = out_bytes_f.data() + r * d;
        for (std::int64_t i = 0; i < d; ++i) {
          row_ref2[r] += ref[i] * ref[i];
          row_naive2[r] += (naive[i] - ref[i]) * (naive[i] - ref[i]);
          // NaN/Inf and poison are counted by the scan; leaving them out here keeps the error a
          // number (JSON has no NaN) that says how far the finite part is off.
          if (!std::isfinite(out[i])) continue;
          const double e = out[i] - ref[i];
          row_err2[r] += e * e;
          row_max[r] = std::max(row_max[r], std::abs(e));
        }
      }
    });
    for (std::size_t r = 0; r < n; ++r) {
      err2 += row_err2[r];
      naive_err2 += row_naive2[r];
      ref2 += row_ref2[r];
      c.max_abs_err = std::max(c.max_abs_err, row_max[r]);
    }
    c.rows_checked += static_cast<std::int64_t>(n);
  }

  c.rel_err = ref2 > 0 ? std::sqrt(err2 / ref2) : std::sqrt(err2);
  c.naive_rel_err = ref2 > 0 ? std::sqrt(naive_err2 / ref2) : std::sqrt(naive_err2);
  c.tolerance = opts.tolerance ? *opts.tolerance : 2 * c.naive_rel_err + check_floor(p.dtype);
  c.passed = c.rel_err <= c.tolerance && c.nonfinite == 0 && c.unwritten == 0;
  return c;
}

std::string describe_failure(const CheckResult& c) {
  std::string why;
  auto add = [&why](const std::string& part) { why += (why.empty() ? "" : "; ") + part; };
  if (c.unwritten > 0) add(std::to_string(c.unwritten) + " output elements never written");
  if (c.nonfinite > 0) add(std::to_string(c.nonfinite) + " output elements NaN or Inf");
  if (c.rel_err > c.tolerance)
    add("rel_err " + format_sci(c.rel_err, 3) + " > tolerance " + format_sci(c.tolerance, 3) +
        " (naive in same precision: " + format_sci(c.naive_rel_err, 3) + ")");
  return why.empty() ? "correctness check passed" : "wrong result: " + why;
}

}  // namespace attnsweep
