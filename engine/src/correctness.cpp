#include "attnsweep/engine/correctness.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <set>

#include "attnsweep/engine/format.h"
#include "attnsweep/engine/inputs.h"
#include "attnsweep/kernels/reference.h"
#include "parallel.h"

namespace attnsweep {

namespace {

// A problem this small (multiply-adds of one pass) is checked on every row.
constexpr double kAllRowsWork = 1 << 24;
// Otherwise the sampled rows cost about this many multiply-adds (64..256 rows), or more where
// kMinRowsPerSlice rows of every slice need more.
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

// Host floats held at once while checking, of K, of V and of the output rows: 64 MiB each.
constexpr std::uint64_t kGroupFloats = 1ull << 24;

struct RowErrors {
  double err2 = 0, naive_err2 = 0, ref2 = 0, max_abs = 0, naive_max_abs = 0;
};

// Rows [rows_begin, rows_end) of the chosen rows, all in slices [first_slice, first_slice + span).
struct SliceGroup {
  std::size_t rows_begin = 0, rows_end = 0;
  std::int64_t first_slice = 0, span = 0;
  std::int64_t slices = 0;  // slices that have rows in the group
};

std::int64_t slice_of(const AttentionProblem& p, const OutputRow& r) { return r.batch * p.heads + r.head; }
std::uint64_t flat_row(const AttentionProblem& p, const OutputRow& r) {
  return static_cast<std::uint64_t>(slice_of(p, r) * p.q_n + r.row);
}

// The longest run of whole slices' rows from `first` whose K, V and output rows fit kGroupFloats
// (at least one slice).
SliceGroup next_group(const AttentionProblem& p, const std::vector<OutputRow>& rows, std::size_t first) {
  const auto slice_floats = static_cast<std::uint64_t>(p.k_n * p.head_dim);
  const auto max_span = static_cast<std::int64_t>(std::max<std::uint64_t>(1, kGroupFloats / slice_floats));
  const auto max_rows = std::max<std::size_t>(1, kGroupFloats / static_cast<std::uint64_t>(p.head_dim));
  SliceGroup g;
  g.rows_begin = first;
  g.first_slice = slice_of(p, rows[first]);
  std::int64_t last = -1;
  std::size_t i = first;
  for (; i < rows.size(); ++i) {
    const std::int64_t slice = slice_of(p, rows[i]);
    if (slice != last) {  // a new slice joins only while the group has room for it
      if (last >= 0 && (slice - g.first_slice >= max_span || i - first >= max_rows)) break;
      ++g.slices;
      last = slice;
    }
  }
  g.rows_end = i;
  g.span = last - g.first_slice + 1;
  return g;
}

// Compares the group's rows of the kernel's output with the reference and the naive computation,
// with K and V of the group's slices read back from the device (their digest added to `read`).
void compare_rows(Device& device, const AttentionProblem& p, std::uint64_t seed, const DeviceInputs& in, const void* o,
                  const std::vector<OutputRow>& rows, const SliceGroup& g, std::vector<RowErrors>& errors,
                  InputsDigest& read) {
  const std::int64_t d = p.head_dim;
  const std::uint64_t eb = dtype_bytes(p.dtype);
  const auto slice_floats = static_cast<std::uint64_t>(p.k_n * d);
  const std::uint64_t kv_first = static_cast<std::uint64_t>(g.first_slice) * slice_floats;
  const std::uint64_t kv_count = static_cast<std::uint64_t>(g.span) * slice_floats;
  std::vector<unsigned char> k_stored(kv_count * eb), v_stored(kv_count * eb);
  device.copy_to_host(k_stored.data(), static_cast<const unsigned char*>(in.k) + kv_first * eb, kv_count * eb);
  device.copy_to_host(v_stored.data(), static_cast<const unsigned char*>(in.v) + kv_first * eb, kv_count * eb);
  std::vector<float> k(kv_count), v(kv_count);
  std::atomic<std::uint64_t> k_digest{0}, v_digest{0};
  parallel_ranges(kv_count, 1 << 16, [&](std::uint64_t first, std::uint64_t last) {
    decode_from_dtype(k_stored.data() + first * eb, last - first, p.dtype, k.data() + first);
    decode_from_dtype(v_stored.data() + first * eb, last - first, p.dtype, v.data() + first);
    k_digest += digest_elements(k_stored.data() + first * eb, kv_first + first, last - first, p.dtype);
    v_digest += digest_elements(v_stored.data() + first * eb, kv_first + first, last - first, p.dtype);
  });
  read.k += k_digest;
  read.v += v_digest;

  // The kernel's rows, read back in runs of consecutive rows (a whole slice when all are checked).
  const std::size_t n = g.rows_end - g.rows_begin;
  const OutputRow* group_rows = rows.data() + g.rows_begin;
  std::vector<unsigned char> out_bytes(n * d * eb);
  for (std::size_t r = 0; r < n;) {
    std::size_t run = 1;
    while (r + run < n && flat_row(p, group_rows[r + run]) == flat_row(p, group_rows[r]) + run) ++run;
    device.copy_to_host(out_bytes.data() + r * d * eb,
                        static_cast<const unsigned char*>(o) + flat_row(p, group_rows[r]) * d * eb, run * d * eb);
    r += run;
  }
  std::vector<float> out(n * d);
  decode_from_dtype(out_bytes.data(), n * d, p.dtype, out.data());

  parallel_ranges(n, 1, [&](std::uint64_t first, std::uint64_t last) {
    std::vector<float> q(d), naive(d);
    std::vector<double> ref(d);
    for (std::uint64_t r = first; r < last; ++r) {
      const OutputRow& row = group_rows[r];
      const std::uint64_t kv_offset = static_cast<std::uint64_t>(slice_of(p, row) - g.first_slice) * slice_floats;
      generate_input(seed, InputTensor::q, p.dtype, flat_row(p, row) * d, d, q.data());
      reference_row_double(p, q.data(), k.data() + kv_offset, v.data() + kv_offset, row.row, ref.data());
      naive_row_in_precision(p, q.data(), k.data() + kv_offset, v.data() + kv_offset, row.row, naive.data());
      RowErrors& e = errors[g.rows_begin + r];
      const float* got = out.data() + r * d;
      for (std::int64_t i = 0; i < d; ++i) {
        const double naive_diff = naive[i] - ref[i];
        e.ref2 += ref[i] * ref[i];
        e.naive_err2 += naive_diff * naive_diff;
        e.naive_max_abs = std::max(e.naive_max_abs, std::abs(naive_diff));
        // NaN/Inf and poison are counted by the scan; leaving them out here keeps the error a
        // number (JSON has no NaN) that says how far the finite part is off.
        if (!std::isfinite(got[i])) continue;
        const double diff = got[i] - ref[i];
        e.err2 += diff * diff;
        e.max_abs = std::max(e.max_abs, std::abs(diff));
      }
    }
  });
}

}  // namespace

double check_floor(DType dtype) {
  // Measured by attnsweep-bench-check-errors (docs/result-format.md, "How the floors were chosen"):
  // 333 checked cells of the built-in kernels on an H100 all stayed under 2 x the naive max error
  // on the same rows, and so did every 16-bit kernel over whole slices on the CPU; over single rows,
  // the worst went 3e-5 past it (fp16) and 4.9e-5 (tf32). The 16-bit floors are about one ulp of
  // an output of 0.3 (2^-12 with 10 mantissa bits, 2^-9 with bf16's 7), 5x and more above those.
  // fp32 kernels with a fast exp went 7.7e-7 past 2 x naive on a single row (cpu_flash): 2e-6.
  switch (dtype) {
    case DType::fp32: return 2e-6;
    case DType::tf32:
    case DType::fp16: return 2.5e-4;
    case DType::bf16: return 2e-3;
  }
  return 2e-6;
}

double check_bound(double naive_max_abs_err, DType dtype) { return 2 * naive_max_abs_err + check_floor(dtype); }

std::vector<OutputRow> choose_check_rows(const AttentionProblem& p, std::uint64_t seed, bool all_rows) {
  std::vector<OutputRow> rows;
  const double row_work = static_cast<double>(p.k_n) * static_cast<double>(p.head_dim);
  const std::int64_t slices = p.batch * p.heads;
  if (all_rows || row_work * static_cast<double>(p.q_n) * static_cast<double>(slices) <= kAllRowsWork) {
    rows.reserve(static_cast<std::size_t>(slices * p.q_n));
    for (std::int64_t b = 0; b < p.batch; ++b)
      for (std::int64_t h = 0; h < p.heads; ++h)
        for (std::int64_t i = 0; i < p.q_n; ++i) rows.push_back({b, h, i});
    return rows;
  }

  // Every slice, so a kernel right only in some slices fails; the budget spreads over them.
  const double budget = std::clamp(kSampledWork / row_work, 64.0, 256.0);
  const std::int64_t per_slice = std::min<std::int64_t>(
      p.q_n, std::max<std::int64_t>(kMinRowsPerSlice, static_cast<std::int64_t>(std::ceil(budget / static_cast<double>(slices)))));
  std::uint64_t state = seed ^ 0x636865636b726f77ull;  // "checkrow"
  rows.reserve(static_cast<std::size_t>(slices * per_slice));
  for (std::int64_t slice = 0; slice < slices; ++slice) {
    std::set<std::int64_t> picked{0, p.q_n - 1};  // the first and last rows are where tails hide
    while (static_cast<std::int64_t>(picked.size()) < per_slice)
      picked.insert(static_cast<std::int64_t>(next_random(state) % static_cast<std::uint64_t>(p.q_n)));
    for (std::int64_t i : picked) rows.push_back({slice / p.heads, slice % p.heads, i});
  }
  return rows;
}

CheckResult check_output(Device& device, const AttentionProblem& p, std::uint64_t seed, const DeviceInputs& inputs,
                         const void* o, const CheckOptions& opts) {
  CheckResult c;
  c.checked = true;
  scan_output(device, p, o, c);

  const std::vector<OutputRow> rows = choose_check_rows(p, seed, opts.all_rows);
  std::vector<RowErrors> errors(rows.size());
  // Rows are handled a group of whole slices at a time (their K and V read back, bounded in
  // memory), with the rows of a group spread over the threads. Every slice has rows, so all of K
  // and V is read and its digest must be the one fill_inputs returned.
  InputsDigest read;
  for (std::size_t first = 0; first < rows.size();) {
    const SliceGroup g = next_group(p, rows, first);
    compare_rows(device, p, seed, inputs, o, rows, g, errors, read);
    c.slices_checked += g.slices;
    first = g.rows_end;
  }
  c.inputs_changed = read != inputs.digest;

  // Reduced in row order, so the result never depends on the number of threads.
  double err2 = 0, naive_err2 = 0, ref2 = 0;
  for (const RowErrors& e : errors) {
    err2 += e.err2;
    naive_err2 += e.naive_err2;
    ref2 += e.ref2;
    c.max_abs_err = std::max(c.max_abs_err, e.max_abs);
    c.naive_max_abs_err = std::max(c.naive_max_abs_err, e.naive_max_abs);
  }
  c.rows_checked = static_cast<std::int64_t>(rows.size());
  c.rel_err = ref2 > 0 ? std::sqrt(err2 / ref2) : std::sqrt(err2);
  c.naive_rel_err = ref2 > 0 ? std::sqrt(naive_err2 / ref2) : std::sqrt(naive_err2);
  c.tolerance = opts.tolerance ? *opts.tolerance : check_bound(c.naive_max_abs_err, p.dtype);
  c.passed = c.max_abs_err <= c.tolerance && c.nonfinite == 0 && c.unwritten == 0 && !c.inputs_changed;
  return c;
}

std::string describe_failure(const CheckResult& c) {
  std::string why;
  auto add = [&why](const std::string& part) { why += (why.empty() ? "" : "; ") + part; };
  if (c.unwritten > 0) add(std::to_string(c.unwritten) + " output elements never written");
  if (c.nonfinite > 0) add(std::to_string(c.nonfinite) + " output elements NaN or Inf");
  if (c.inputs_changed) add("K or V changed on the device: the kernel wrote into its inputs");
  if (c.max_abs_err > c.tolerance)
    add("max_abs_err " + format_sci(c.max_abs_err, 3) + " > tolerance " + format_sci(c.tolerance, 3) +
        " (naive in same precision: " + format_sci(c.naive_max_abs_err, 3) + "; " + std::to_string(c.rows_checked) +
        " rows of " + std::to_string(c.slices_checked) + " slices)");
  return why.empty() ? "correctness check passed" : "wrong result: " + why;
}

}  // namespace attnsweep
