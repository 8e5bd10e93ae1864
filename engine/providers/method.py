"""AttnSweep's measuring method in plain Python, for providers: the same cell seeds
(engine/src/inputs.cpp), check rows and error floors (correctness.cpp), statistics (stats.cpp) and
stopping rule (measure.cpp) as the engine, so a provider's numbers mean what the engine's mean.
Standard library only.
"""
import math

M64 = (1 << 64) - 1
GOLDEN = 0x9E3779B97F4A7C15

# A sample should last at least this long; shorter launches are batched back to back.
MIN_SAMPLE_MS = 0.05
MAX_LAUNCHES_PER_SAMPLE = 1000

# A problem this small (multiply-adds of one pass) is checked on every row; otherwise the sampled
# rows cost about SAMPLED_WORK multiply-adds (64..256 rows), with at least MIN_ROWS_PER_SLICE rows
# of every (batch, head) slice.
ALL_ROWS_WORK = 1 << 24
SAMPLED_WORK = 1 << 27
MIN_ROWS_PER_SLICE = 4


def splitmix64(x):
    x = (x + GOLDEN) & M64
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & M64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & M64
    return x ^ (x >> 31)


def cell_seed(spec_seed, cell_id):
    """FNV-1a of the cell id mixed with the spec's seed: inputs.cpp's cell_seed."""
    h = 0xCBF29CE484222325
    for byte in cell_id.encode("utf-8"):
        h = ((h ^ byte) * 0x100000001B3) & M64
    return splitmix64((spec_seed ^ splitmix64(h)) & M64)


def check_floor(dtype):
    """correctness.cpp's check_floor: the floor of the rule on the max error, in output units."""
    return {"fp32": 2e-6, "tf32": 2.5e-4, "fp16": 2.5e-4, "bf16": 2e-3}[dtype]


def check_bound(naive_max_abs_err, dtype):
    """correctness.cpp's check_bound: 2 x the naive path's max error + the floor."""
    return 2 * naive_max_abs_err + check_floor(dtype)


def choose_check_rows(batch, heads, q_n, k_n, head_dim, seed, all_rows=False):
    """(batch, head, row) triples to check: correctness.cpp's choose_check_rows."""
    row_work = float(k_n) * head_dim
    slices = batch * heads
    if all_rows or row_work * q_n * slices <= ALL_ROWS_WORK:
        return [(b, h, i) for b in range(batch) for h in range(heads) for i in range(q_n)]
    budget = min(max(SAMPLED_WORK / row_work, 64.0), 256.0)
    per_slice = min(q_n, max(MIN_ROWS_PER_SLICE, int(math.ceil(budget / slices))))
    state = seed ^ 0x636865636B726F77  # "checkrow"
    rows = []
    for s in range(slices):  # every slice, so a kernel right only in some slices fails
        picked = {0, q_n - 1}  # the first and last rows are where tails hide
        while len(picked) < per_slice:
            state = (state + GOLDEN) & M64
            picked.add(_mix(state) % q_n)
        rows.extend((s // heads, s % heads, i) for i in sorted(picked))
    return rows


def _mix(x):
    """The splitmix64 output function on an already advanced state."""
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & M64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & M64
    return x ^ (x >> 31)


def _quantile(sorted_samples, q):
    pos = q * (len(sorted_samples) - 1)
    lo = int(math.floor(pos))
    hi = min(lo + 1, len(sorted_samples) - 1)
    return sorted_samples[lo] + (pos - lo) * (sorted_samples[hi] - sorted_samples[lo])


def compute_stats(samples):
    """stats.cpp's compute_stats: median, mean, std, min, max, p10, p90 and a 95% distribution-free
    confidence interval of the median (binomial order statistics, normal approximation)."""
    s = sorted(samples)
    n = len(s)
    if n == 0:
        return None
    mean = sum(s) / n
    std = math.sqrt(sum((x - mean) ** 2 for x in s) / (n - 1)) if n > 1 else 0.0
    half_width = 1.96 * math.sqrt(n) / 2
    lo_rank = int(min(max(math.floor(n / 2 - half_width), 1.0), n))
    hi_rank = int(min(max(math.ceil(n / 2 + half_width) + 1, 1.0), n))
    return {"samples": n, "median": _quantile(s, 0.5), "mean": mean, "std": std, "min": s[0], "max": s[-1],
            "p10": _quantile(s, 0.1), "p90": _quantile(s, 0.9), "ci_low": s[lo_rank - 1], "ci_high": s[hi_rank - 1]}


def rel_ci(stats):
    return (stats["ci_high"] - stats["ci_low"]) / 2 / stats["median"] if stats["median"] > 0 else 0.0


def enough_samples(stats, timing, elapsed_s):
    """measure.cpp's stopping rule: a tight interval after min_samples, or a cap reached."""
    n = stats["samples"]
    if n >= timing["min_samples"] and rel_ci(stats) <= timing["target_rel_ci"]:
        return True
    return n >= timing["max_samples"] or elapsed_s >= timing["max_cell_s"]


def launches_per_sample(launch_ms):
    return int(min(max(math.ceil(MIN_SAMPLE_MS / max(launch_ms, 1e-6)), 1), MAX_LAUNCHES_PER_SAMPLE))


def timing_options(request):
    """The request's timing with the spec's defaults for missing keys (docs/spec.md)."""
    timing = {"warmup_ms": 25.0, "min_samples": 10, "max_samples": 200, "target_rel_ci": 0.02,
              "max_cell_s": 10.0, "cache": "cold"}
    timing.update(request.get("timing") or {})
    return timing


def flops(batch, heads, q_n, k_n, head_dim, causal):
    f = 4.0 * batch * heads * q_n * k_n * head_dim
    return f / 2 if causal else f
