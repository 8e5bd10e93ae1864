"""AttnSweep's measuring method in plain Python, for providers: the same cell seeds
(engine/src/inputs.cpp), check rows and error floors (correctness.cpp), statistics (stats.cpp),
timing modes, sampling and stopping rule, settling (measure.cpp) and clock watch (clock_watch.cpp)
as the engine, so a provider's numbers mean what the engine's mean. A provider supplies the timed
interval itself (held stream, events); everything else is here. Standard library only.
"""
import math
import time

M64 = (1 << 64) - 1
GOLDEN = 0x9E3779B97F4A7C15

# A batch sample lasts at least this long; at most MAX_LAUNCHES_PER_SAMPLE go behind one stream
# hold (CUDA's launch queue holds about a thousand).
MIN_SAMPLE_MS = 0.05
MAX_LAUNCHES_PER_SAMPLE = 100
# Past this many samples the stopping rule is evaluated every 1/16th more samples.
EVALUATE_EVERY_SAMPLE_UP_TO = 64
# Sustained: busy steps of about SETTLE_STEP_MS; settled once two windows of SETTLE_WINDOW_S agree
# on mean power and SM clock within SETTLE_TOLERANCE.
SETTLE_STEP_MS = 10.0
SETTLE_WINDOW_S = 0.5
SETTLE_TOLERANCE = 0.02
# nvbench's threshold: a sample under this fraction of the card's highest SM clock is slowed.
LOW_CLOCK_FRACTION = 0.75
# NVML's clock event reasons that slow the SM clock down (nvml.h).
SLOWDOWN_REASONS = ((0x4, "sw_power_cap"), (0x8, "hw_slowdown"), (0x20, "sw_thermal_slowdown"),
                    (0x40, "hw_thermal_slowdown"), (0x80, "hw_power_brake"))

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


def kept_sample(ms):
    """stats.cpp's kept_sample: a sample as it is kept and written, to 6 significant digits."""
    return float(f"{ms:.6g}")


def rel_ci(stats):
    return (stats["ci_high"] - stats["ci_low"]) / 2 / stats["median"] if stats["median"] > 0 else 0.0


def launches_lasting(ms, launch_ms):
    """Back-to-back launches that together last about `ms` (1..MAX_LAUNCHES_PER_SAMPLE)."""
    return int(min(max(math.ceil(ms / max(launch_ms, 1e-6)), 1), MAX_LAUNCHES_PER_SAMPLE))


def timing_options(request):
    """The request's timing with the spec's defaults for missing keys (docs/spec.md)."""
    timing = {"warmup_ms": 25.0, "min_samples": 10, "max_samples": 200, "target_rel_ci": 0.02,
              "max_cell_s": 10.0, "modes": ["cold", "batch"], "steady": "burst", "sustain_s": 5.0}
    timing.update(request.get("timing") or {})
    return timing


def slowdown_flags(reading):
    """clock_watch.cpp's slowdown_flags: NVML slowdown reasons by name, and "low_clock"."""
    flags = [name for bit, name in SLOWDOWN_REASONS if reading.get("throttle_reasons", 0) & bit]
    if reading.get("sm_max_mhz", 0) > 0 and reading["sm_mhz"] < LOW_CLOCK_FRACTION * reading["sm_max_mhz"]:
        flags.append("low_clock")
    return flags


class ClockWatch:
    """clock_watch.cpp's ClockWatch: readings gathered into the record's `clocks`, flags per sample.
    A reading is a dict: sm_mhz, sm_max_mhz, throttle_reasons, power_w and temperature_c (optional)."""

    def __init__(self, why_not=""):
        self.why_not = why_not  # why clocks cannot be read here; empty when they can
        self.readings = 0
        self.sm_mhz_min = self.sm_mhz_max = self.sm_max_mhz = 0
        self.power_w_max = self.temperature_c_max = None
        self.reasons = []

    def add(self, reading):
        """Takes one sample's reading (None when none came) and returns that sample's flags."""
        if reading is None:
            return []
        sm = reading["sm_mhz"]
        self.sm_mhz_min = sm if self.readings == 0 else min(self.sm_mhz_min, sm)
        self.sm_mhz_max = sm if self.readings == 0 else max(self.sm_mhz_max, sm)
        self.sm_max_mhz = reading.get("sm_max_mhz", 0)
        if reading.get("power_w") is not None:
            self.power_w_max = max(reading["power_w"], self.power_w_max or reading["power_w"])
        if reading.get("temperature_c") is not None:
            self.temperature_c_max = max(reading["temperature_c"], self.temperature_c_max or reading["temperature_c"])
        self.readings += 1
        flags = slowdown_flags(reading)
        self.reasons.extend(f for f in flags if f != "low_clock" and f not in self.reasons)
        return flags

    def record(self):
        """The record's `clocks`."""
        if self.readings == 0 and self.why_not:
            return {"read": False, "why_not": self.why_not}
        out = {"read": True, "readings": self.readings, "sm_mhz_min": self.sm_mhz_min,
               "sm_mhz_max": self.sm_mhz_max, "sm_max_mhz": self.sm_max_mhz, "reasons": list(self.reasons)}
        if self.power_w_max is not None:
            out["power_w_max"] = self.power_w_max
        if self.temperature_c_max is not None:
            out["temperature_c_max"] = self.temperature_c_max
        return out


def sample_mode(mode, timed, launch_ms, timing, watch, cancelled, flops, min_bytes):
    """measure.cpp's sample_mode: samples one mode until the median is tight or a cap is hit.
    `timed(launches, flush)` returns (interval ms, clock reading or None) for `launches` back-to-back
    launches, after a cache flush when `flush`. Returns the record's timing, or None when cancelled."""
    cold = mode == "cold"
    batch_launches = launches_lasting(MIN_SAMPLE_MS, launch_ms)
    launches = 1 if cold else batch_launches
    # Tiny cells are never batched cold: they get as many more samples as a batch has launches.
    cap = timing["max_samples"] * (batch_launches if cold else 1)
    samples, flags, flagged = [], [], 0
    next_evaluation = 0
    start = time.monotonic()
    while True:
        if cancelled():
            return None
        ms, reading = timed(launches, cold)
        samples.append(kept_sample(ms / launches))
        sample_flags = watch.add(reading)
        if sample_flags:
            flagged += 1
            flags.extend(f for f in sample_flags if f not in flags)
        n = len(samples)
        if n >= cap or time.monotonic() - start >= timing["max_cell_s"]:
            break
        if n < timing["min_samples"] or n < next_evaluation:
            continue
        next_evaluation = 0 if n <= EVALUATE_EVERY_SAMPLE_UP_TO else n + n // 16
        if rel_ci(compute_stats(samples)) <= timing["target_rel_ci"]:
            break
    stats = compute_stats(samples)
    seconds = stats["median"] * 1e-3
    result = {"time_ms": stats, "tflops": flops / seconds / 1e12, "gbps": min_bytes / seconds / 1e9,
              "launches_per_sample": launches, "noisy": rel_ci(stats) > timing["target_rel_ci"],
              "flagged_samples": flagged, "samples_ms": samples}
    if flags:
        result["flags"] = flags
    return result


def settle(busy, sustain_s, cancelled):
    """measure.cpp's settle: `busy()` runs about SETTLE_STEP_MS of the cell's launches and returns a
    clock reading or None; it is called until two consecutive SETTLE_WINDOW_S windows agree on mean
    power and SM clock, or sustain_s runs out. Returns the record's `steady` (the time it took is the
    caller's wall split `settle`)."""
    def agree(a, b):
        if not a or not b:
            return False
        close = lambda x, y: abs(x - y) <= SETTLE_TOLERANCE * abs(y)
        mean = lambda w, k: sum(r[k] for r in w) / len(w)
        powered = [r for r in a if r.get("power_w") is not None], [r for r in b if r.get("power_w") is not None]
        power_ok = not powered[0] or not powered[1] or close(mean(powered[0], "power_w"), mean(powered[1], "power_w"))
        return close(mean(a, "sm_mhz"), mean(b, "sm_mhz")) and power_ok

    start = window_start = time.monotonic()
    previous, current = [], []
    settled = False
    while time.monotonic() - start < sustain_s and not cancelled():
        reading = busy()
        if reading is not None:
            current.append(reading)
        if time.monotonic() - window_start < SETTLE_WINDOW_S:
            continue
        if agree(current, previous):
            settled = True
            break
        previous, current = current, []
        window_start = time.monotonic()
    return {"state": "sustained", "settled": settled}


class Shape:
    """A cell's tier and mask as problem.h has them: K/V heads (GQA), sliding window, alignment."""

    def __init__(self, tier, causal):
        self.batch, self.heads, self.q_n, self.k_n, self.head_dim = (
            tier["batch"], tier["heads"], tier["q_n"], tier["k_n"], tier["head_dim"])
        self.kv_heads = tier.get("kv_heads", self.heads)
        self.window_left = tier.get("window_left", -1)
        self.window_right = tier.get("window_right", -1)
        self.bottom_right = tier.get("align", "top-left") == "bottom-right"
        self.causal = causal

    def gqa(self):
        return self.kv_heads != self.heads

    def plain_mask(self):
        """No window, and a causal mask (if any) that is top-left or square: what is_causal does."""
        return (self.window_left < 0 and self.window_right < 0 and
                (not self.causal or not self.bottom_right or self.q_n == self.k_n))

    def diagonal(self, row):
        return row + self.k_n - self.q_n if self.bottom_right else row

    def reach(self):
        """Keys a row reaches left and right of its diagonal key (q_n + k_n: unlimited)."""
        unlimited = self.q_n + self.k_n
        left = self.window_left if self.window_left >= 0 else unlimited
        right = 0 if self.causal else (self.window_right if self.window_right >= 0 else unlimited)
        return left, right

    def visible_keys(self, row):
        """Keys [begin, end) row `row` sees: AttentionProblem::visible_keys."""
        left, right = self.reach()
        d = self.diagonal(row)
        begin = min(max(d - left, 0), self.k_n)
        end = min(max(d + right + 1, begin), self.k_n)
        return begin, end

    def flops(self):
        """AttentionProblem::flops: 4 B H d x the (query, key) pairs the mask keeps, the causal
        diagonal counting half."""
        left, right = self.reach()
        d0 = self.diagonal(0)

        def below(n):  # sum of clamp(x, 0, k_n) for x < n
            k = self.k_n
            return 0 if n <= 0 else n * (n - 1) // 2 if n <= k + 1 else k * (k + 1) // 2 + (n - k - 1) * k

        def clamped_sum(first):
            return below(first + self.q_n) - below(first)

        pairs = float(clamped_sum(d0 + right + 1) - clamped_sum(d0 - left))
        if self.causal:
            pairs -= 0.5 * max(0, min(d0 + self.q_n, self.k_n) - max(d0, 0))
        return 4.0 * self.batch * self.heads * self.head_dim * pairs


def flops(batch, heads, q_n, k_n, head_dim, causal):
    """Full or top-left causal attention of as many K/V heads as heads (Shape.flops for the rest)."""
    return Shape({"batch": batch, "heads": heads, "q_n": q_n, "k_n": k_n, "head_dim": head_dim}, causal).flops()
