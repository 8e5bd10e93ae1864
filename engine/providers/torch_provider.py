#!/usr/bin/env python3
"""AttnSweep's torch provider: PyTorch and Triton attention kernels, measured by the engine's method.

Speaks the worker protocol (docs/worker-protocol.md) on stdin/stdout; registered by
resources/providers/torch.json; docs/providers.md tells the kernels and the method. Kernels:
  scaled_dot_prod_attention   torch SDPA with PyTorch's own backend choice (the seed's row)
  vectorized_torch            QK^T, softmax, PV in plain PyTorch (materialises the scores)
  vectorized_torch_compiled   the same function under torch.compile
  flash_attention_triton      the Triton FlashAttention-2 forward of triton_flash.py
  torch.sdpa_cudnn / _flash / _efficient / _math   SDPA restricted to one backend
Without torch (or triton, or a GPU) it still starts, says hello, and answers every cell it cannot
run `unsupported` with the reason.
"""
import argparse
import math
import os
import sys
import time
import warnings

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import method  # noqa: E402
import provider_protocol as protocol  # noqa: E402

try:
    import torch
    import torch.nn.functional as F
    TORCH_MISSING = None
except Exception as e:  # ImportError, or a broken install (missing CUDA libraries)
    torch = None
    TORCH_MISSING = "torch is not installed in {} ({}: {})".format(sys.executable, type(e).__name__, e)

triton_flash = None
TRITON_MISSING = "triton is not usable: torch is missing"
if torch is not None:
    try:
        import triton
        import triton_flash
        TRITON_MISSING = None
    except Exception as e:
        TRITON_MISSING = "triton is not installed in {} ({}: {})".format(sys.executable, type(e).__name__, e)

WORKER = "attnsweep torch_provider.py"
SDPA_BACKENDS = {"torch.sdpa_cudnn": "CUDNN_ATTENTION", "torch.sdpa_flash": "FLASH_ATTENTION",
                 "torch.sdpa_efficient": "EFFICIENT_ATTENTION", "torch.sdpa_math": "MATH"}
KERNELS = ("scaled_dot_prod_attention", "vectorized_torch", "vectorized_torch_compiled",
           "flash_attention_triton") + tuple(SDPA_BACKENDS)


class Unsupported(Exception):
    """The kernel cannot run this cell (dtype, head_dim, missing package): status `unsupported`."""


class Crashed(Exception):
    """The CUDA context is poisoned (illegal address, launch failure): this process must end."""


# ---------------------------------------------------------------- the kernels

def vectorized(q, k, v, causal):
    """The plain three steps, as a PyTorch user writes them."""
    s = torch.matmul(q, k.transpose(-2, -1)) * (1.0 / math.sqrt(q.shape[-1]))
    if causal:  # top-left: query row i sees keys j <= i
        s = s.masked_fill(torch.ones(s.shape[-2], s.shape[-1], dtype=torch.bool, device=s.device).triu(1),
                          float("-inf"))
    return torch.matmul(torch.softmax(s, dim=-1), v)


_compiled = None


def vectorized_compiled(q, k, v, causal):
    global _compiled
    if _compiled is None:
        # dynamic=True: one graph for every sequence length, instead of a recompile per tier.
        _compiled = torch.compile(vectorized, dynamic=True)
    return _compiled(q, k, v, causal)


def make_launch(kernel, q, k, v, o, dtype, causal):
    """A no-argument callable that runs one forward and returns the output tensor."""
    if kernel == "scaled_dot_prod_attention":
        return lambda: F.scaled_dot_product_attention(q, k, v, is_causal=causal)
    if kernel == "vectorized_torch":
        return lambda: vectorized(q, k, v, causal)
    if kernel == "vectorized_torch_compiled":
        return lambda: vectorized_compiled(q, k, v, causal)
    if kernel == "flash_attention_triton":
        if TRITON_MISSING:
            raise Unsupported(TRITON_MISSING)
        why = triton_flash.unsupported_reason(q.shape[-1])
        if why:
            raise Unsupported(why)
        return lambda: triton_flash.flash_attention(q, k, v, o, causal, tf32=(dtype == "tf32"))
    if kernel in SDPA_BACKENDS:
        from torch.nn.attention import SDPBackend, sdpa_kernel
        backend = getattr(SDPBackend, SDPA_BACKENDS[kernel])

        def launch():
            with sdpa_kernel([backend]):
                return F.scaled_dot_product_attention(q, k, v, is_causal=causal)
        return launch
    raise Unsupported("the torch provider has no kernel '{}' (it has: {})".format(kernel, ", ".join(KERNELS)))


def workspace_bytes(kernel, batch, heads, q_n, k_n, element_bytes):
    """Device memory beyond Q, K, V, O that is known up front: the eager scores and probabilities."""
    if kernel == "vectorized_torch":
        return 2 * batch * heads * q_n * k_n * element_bytes
    return 0


# ---------------------------------------------------------------- the method

TORCH_DTYPES = {"fp16": "float16", "bf16": "bfloat16", "fp32": "float32", "tf32": "float32"}


def gib(n):
    return "{:.2f}".format(n / 2 ** 30)


def is_poison(o):
    """Elements still all-ones bytes (the poison pattern) after the kernel ran."""
    bits = {1: torch.int8, 2: torch.int16, 4: torch.int32}[o.element_size()]
    return o.view(bits) == -1


def round_to_tf32(x):
    """Rounds fp32 to TF32's 10 mantissa bits (nearest, ties away), as tensor cores take operands."""
    bits = x.view(torch.int32)
    return ((bits + 0x1000) & ~0x1FFF).view(torch.float32)


# Elements of the float64 scores the check holds at once (a chunk of slices and rows): 128 MiB.
CHECK_CHUNK = 1 << 24


def check(q, k, v, out, dtype, causal, seed, poisoned, options):
    """correctness.cpp's check: the rows it would pick (some of every (batch, head) slice, or all
    with rows "all"), against a float64 reference; the max error may be at most 2 x that of the
    naive computation in the cell's precision + the dtype's floor; every element finite and
    written."""
    batch, heads, q_n, d = q.shape
    k_n = k.shape[2]
    slices = batch * heads
    scale = 1.0 / math.sqrt(d)
    unwritten = int(is_poison(out).sum()) if poisoned else 0
    finite = torch.isfinite(out)
    nonfinite = int((~finite).sum()) - unwritten  # the poison pattern is NaN: counted once, as unwritten
    tf32 = dtype == "tf32"
    torch_dtype = q.dtype
    op = round_to_tf32 if tf32 else (lambda x: x)

    rows = method.choose_check_rows(batch, heads, q_n, k_n, d, seed, options.get("rows") == "all")
    per_slice = len(rows) // slices  # the same count in every slice
    index = torch.tensor([i for _, _, i in rows], device=q.device).view(slices, per_slice)
    qf, kf, vf, of = (t.reshape(slices, -1, d) for t in (q, k, v, out))
    slices_per_chunk = max(1, CHECK_CHUNK // (per_slice * k_n))
    rows_per_chunk = min(per_slice, max(1, CHECK_CHUNK // k_n))
    err2 = naive2 = ref2 = 0.0
    max_abs = naive_max_abs = 0.0
    previous_tf32 = torch.backends.cuda.matmul.allow_tf32
    torch.backends.cuda.matmul.allow_tf32 = False  # the naive path and the reference multiply exactly
    try:
        for s0 in range(0, slices, slices_per_chunk):
            s1 = min(slices, s0 + slices_per_chunk)
            ks, vs = kf[s0:s1].float(), vf[s0:s1].float()
            for r0 in range(0, per_slice, rows_per_chunk):
                at = index[s0:s1, r0:r0 + rows_per_chunk]  # [slices, rows]
                gather = at[..., None].expand(-1, -1, d)
                qs = torch.gather(qf[s0:s1], 1, gather).float()
                mask = (torch.arange(k_n, device=q.device)[None, None, :] > at[..., None]) if causal else None

                # float64 reference
                s = (qs.double() @ ks.double().transpose(1, 2)) * scale
                if mask is not None:
                    s = s.masked_fill(mask, float("-inf"))
                ref = torch.softmax(s, dim=-1) @ vs.double()

                # naive in the kernel's precision: S and P stored in the dtype, fp32 sums (reference.cpp)
                s = ((op(qs) @ op(ks).transpose(1, 2)) * scale).to(torch_dtype).float()
                if mask is not None:
                    s = s.masked_fill(mask, float("-inf"))
                p = torch.softmax(s, dim=-1).to(torch_dtype).float()
                naive = (op(p) @ op(vs)).to(torch_dtype).double()

                got = torch.gather(of[s0:s1], 1, gather).double()
                diff = torch.where(torch.isfinite(got), got - ref, torch.zeros_like(ref))
                err2 += float((diff * diff).sum())
                naive2 += float(((naive - ref) ** 2).sum())
                ref2 += float((ref * ref).sum())
                max_abs = max(max_abs, float(diff.abs().max()))
                naive_max_abs = max(naive_max_abs, float((naive - ref).abs().max()))
    finally:
        torch.backends.cuda.matmul.allow_tf32 = previous_tf32

    tolerance = options.get("tolerance")
    bound = tolerance if tolerance is not None else method.check_bound(naive_max_abs, dtype)
    passed = max_abs <= bound and nonfinite == 0 and unwritten == 0
    return {"checked": True, "passed": passed, "max_abs_err": max_abs, "naive_max_abs_err": naive_max_abs,
            "tolerance": bound, "rel_err": math.sqrt(err2 / ref2) if ref2 > 0 else math.sqrt(err2),
            "naive_rel_err": math.sqrt(naive2 / ref2) if ref2 > 0 else math.sqrt(naive2), "nonfinite": nonfinite,
            "unwritten": unwritten, "rows_checked": len(rows), "slices_checked": slices,
            "rechecked_after_timing": False}


def describe_failure(c):
    why = []
    if c["unwritten"]:
        why.append("{} output elements never written".format(c["unwritten"]))
    if c["nonfinite"]:
        why.append("{} output elements NaN or Inf".format(c["nonfinite"]))
    if c["max_abs_err"] > c["tolerance"]:
        why.append("max_abs_err {:.3g} > tolerance {:.3g} (naive in same precision: {:.3g}; {} rows of {} slices)".format(
            c["max_abs_err"], c["tolerance"], c["naive_max_abs_err"], c["rows_checked"], c["slices_checked"]))
    return "wrong result: " + "; ".join(why)


class NvmlClocks:
    """The card's clocks through NVML (the pynvml module), read as the engine reads them; where
    pynvml or NVML is missing, no readings and the reason."""

    SLOW_READ_S = 0.02  # power and temperature are read at most this often (cuda/nvml.h)

    def __init__(self, ordinal):
        self.nvml, self.handle, self.why_not = None, None, ""
        try:
            import pynvml
            pynvml.nvmlInit()
            uuid = str(getattr(torch.cuda.get_device_properties(ordinal), "uuid", ""))
            if uuid:
                self.handle = pynvml.nvmlDeviceGetHandleByUUID(uuid if uuid.startswith("GPU-") else "GPU-" + uuid)
            elif "CUDA_VISIBLE_DEVICES" not in os.environ:
                self.handle = pynvml.nvmlDeviceGetHandleByIndex(ordinal)
            else:
                raise RuntimeError("torch gives no device UUID to find it in NVML by")
            self.nvml = pynvml
            self.sm_max_mhz = pynvml.nvmlDeviceGetMaxClockInfo(self.handle, pynvml.NVML_CLOCK_SM)
            self.reasons = getattr(pynvml, "nvmlDeviceGetCurrentClocksEventReasons", None) or \
                pynvml.nvmlDeviceGetCurrentClocksThrottleReasons
        except Exception as e:  # ImportError, NVMLError, no UUID
            self.nvml, self.why_not = None, "NVML through pynvml: {}: {}".format(type(e).__name__, e)
        self.power_w = self.temperature_c = None
        self.last_slow_read = None

    def read(self):
        if self.nvml is None:
            return None
        n, h = self.nvml, self.handle
        reading = {"sm_mhz": n.nvmlDeviceGetClockInfo(h, n.NVML_CLOCK_SM), "sm_max_mhz": self.sm_max_mhz,
                   "throttle_reasons": int(self.reasons(h))}
        now = time.monotonic()
        if self.last_slow_read is None or now - self.last_slow_read >= self.SLOW_READ_S:
            self.last_slow_read = now
            self.power_w = n.nvmlDeviceGetPowerUsage(h) / 1000.0
            self.temperature_c = float(n.nvmlDeviceGetTemperature(h, n.NVML_TEMPERATURE_GPU))
        reading.update(power_w=self.power_w, temperature_c=self.temperature_c)
        return reading


class HeldTimer:
    """The engine's timed interval in PyTorch: CUDA events around the launches, enqueued behind a
    hold (torch.cuda._sleep) so Python's dispatch never lands between the events. The hold is sized
    from how long the last enqueue took; if the start event has already passed when the stop event
    is enqueued, the hold ran out first and the sample is taken again with a longer one."""

    MAX_HOLD_MS = 2000.0  # the engine's hold timeout (cuda_device.cpp)

    def __init__(self, flush_buffer, clocks):
        self.start = torch.cuda.Event(enable_timing=True)
        self.end = torch.cuda.Event(enable_timing=True)
        self.flush_buffer, self.clocks = flush_buffer, clocks
        cycles = 1 << 22
        torch.cuda._sleep(cycles)  # the first call loads the kernel
        self.start.record()
        torch.cuda._sleep(cycles)
        self.end.record()
        self.end.synchronize()
        self.cycles_per_ms = cycles / max(self.start.elapsed_time(self.end), 1e-3)
        self.hold_ms = 1.0

    def __call__(self, launch, launches, flush=False):
        """(milliseconds of `launches` back-to-back launches, the clocks read while they ran)."""
        while True:
            if flush:
                self.flush_buffer.zero_()  # before the hold: outside the interval
            torch.cuda._sleep(int(self.hold_ms * self.cycles_per_ms))
            enqueue_start = time.perf_counter()
            self.start.record()
            for _ in range(launches):
                launch()
            self.end.record()
            enqueue_ms = (time.perf_counter() - enqueue_start) * 1e3
            held = not self.start.query()
            reading = self.clocks.read()  # while the launches run
            self.end.synchronize()
            if held:
                self.hold_ms = min(max(4 * enqueue_ms, 0.1), self.MAX_HOLD_MS)
                return self.start.elapsed_time(self.end), reading
            if self.hold_ms >= self.MAX_HOLD_MS:
                raise RuntimeError("the stream hold ran out ({:.0f} ms) before the timed launches were "
                                   "enqueued, so host time may be in the sample".format(self.hold_ms))
            self.hold_ms = min(max(2 * self.hold_ms, 4 * enqueue_ms), self.MAX_HOLD_MS)


class Measurer:
    def __init__(self, ordinal):
        self.ordinal = ordinal
        self.device = torch.device("cuda", ordinal)
        props = torch.cuda.get_device_properties(self.device)
        l2 = getattr(props, "L2_cache_size", 0) or 50 * 2 ** 20
        flush_buffer = torch.empty(2 * l2, dtype=torch.int8, device=self.device)  # twice L2: evicts it all
        self.clocks = NvmlClocks(ordinal)
        self.timer = HeldTimer(flush_buffer, self.clocks)

    def measure(self, request, cancelled):
        """One cell: the engine's measure_cell, statuses included."""
        cell = request["cell"]
        kernel, dtype, causal, tier = cell["kernel"], cell["dtype"], bool(cell["causal"]), cell["tier"]
        timing = method.timing_options(request)
        check_opts = request.get("check") or {}
        checking = check_opts.get("enabled", True)
        batch, heads, q_n, k_n, d = tier["batch"], tier["heads"], tier["q_n"], tier["k_n"], tier["head_dim"]
        if dtype not in TORCH_DTYPES:
            raise Unsupported("dtype {} is not one the torch provider knows".format(dtype))
        torch_dtype = getattr(torch, TORCH_DTYPES[dtype])
        element = torch.tensor([], dtype=torch_dtype).element_size()

        needed = (2 * batch * heads * q_n * d + 2 * batch * heads * k_n * d) * element + \
            workspace_bytes(kernel, batch, heads, q_n, k_n, element)
        free = torch.cuda.mem_get_info(self.device)[0]
        if needed > free:
            return "oom", "needs {} GiB, {} GiB free".format(gib(needed), gib(free)), {}

        # TF32 only where the cell asks for it (fp32 cells multiply exactly).
        torch.backends.cuda.matmul.allow_tf32 = dtype == "tf32"
        torch.backends.cudnn.allow_tf32 = dtype == "tf32"

        began = time.monotonic()
        seed = method.cell_seed(int(request.get("seed", 0)), protocol.cell_id(cell))
        gen = torch.Generator(device=self.device)
        gen.manual_seed(seed & 0x7FFFFFFFFFFFFFFF)
        q = torch.randn(batch, heads, q_n, d, generator=gen, device=self.device, dtype=torch_dtype)
        k = torch.randn(batch, heads, k_n, d, generator=gen, device=self.device, dtype=torch_dtype)
        v = torch.randn(batch, heads, k_n, d, generator=gen, device=self.device, dtype=torch_dtype)
        o = torch.empty(batch, heads, q_n, d, device=self.device, dtype=torch_dtype)
        launch = make_launch(kernel, q, k, v, o, dtype, causal)
        writes_o = kernel == "flash_attention_triton"  # the others return a fresh tensor: nothing to poison
        torch.cuda.synchronize(self.device)
        extra = {}
        split = extra["wall_split"] = {"inputs": time.monotonic() - began, "check": 0.0, "warmup": 0.0,
                                       "settle": 0.0, "timing": 0.0}

        def run_and_check(after_timing):
            phase = time.monotonic()
            if writes_o:
                o.view(torch.uint8).fill_(0xFF)  # poison: unwritten elements read as all-ones bytes (NaN)
            out = run_first(kernel, launch) if not after_timing else launch()
            torch.cuda.synchronize(self.device)
            failure = None
            if checking:
                c = check(q, k, v, out, dtype, causal, seed, writes_o, check_opts)
                c["rechecked_after_timing"] = after_timing
                extra["check"] = c
                failure = None if c["passed"] else ("after timing: " if after_timing else "") + describe_failure(c)
            split["check"] += time.monotonic() - phase
            return failure

        failure = run_and_check(False)
        if failure:
            return "wrong", failure, extra

        # Warm-up: at least one launch, until warmup_ms has passed; the last one sizes batches.
        phase = time.monotonic()
        launch_ms, _ = self.timer(launch, 1)
        while (time.monotonic() - phase) * 1e3 < timing["warmup_ms"]:
            launch_ms, _ = self.timer(launch, 1)
        split["warmup"] = time.monotonic() - phase

        phase = time.monotonic()
        if timing["steady"] == "sustained":
            step = method.launches_lasting(method.SETTLE_STEP_MS, launch_ms)
            extra["steady"] = method.settle(lambda: self.timer(launch, step)[1], timing["sustain_s"],
                                            cancelled.is_set)
            split["settle"] = time.monotonic() - phase
        else:
            extra["steady"] = {"state": "burst"}

        phase = time.monotonic()
        watch = method.ClockWatch(self.clocks.why_not)
        element_bytes = (2 * batch * heads * q_n * d + 2 * batch * heads * k_n * d) * element
        timings = {}
        for mode in sorted(timing["modes"], key=("cold", "batch").index):  # cold first, as records list them
            t = method.sample_mode(mode, lambda n, flush: self.timer(launch, n, flush), launch_ms, timing, watch,
                                   cancelled.is_set, method.flops(batch, heads, q_n, k_n, d, causal), element_bytes)
            if t is None:
                return "skipped", "cancelled", extra
            timings[mode] = t
        extra["clocks"] = watch.record()
        split["timing"] = time.monotonic() - phase

        failure = run_and_check(True)
        if failure:
            return "wrong", failure, extra
        extra["timings"] = timings
        return "ok", "", extra


def run_first(kernel, launch):
    """The first run of a cell: where a backend says it cannot take this dtype or head_dim."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            return launch()
        except RuntimeError as e:
            if kernel in SDPA_BACKENDS and "No available kernel" in str(e):
                reasons = "; ".join(str(w.message).strip().replace("\n", " ") for w in caught)
                raise Unsupported("torch SDPA {} backend rejects this cell{}".format(
                    SDPA_BACKENDS[kernel].lower(), ": " + reasons[:400] if reasons else "")) from e
            raise


STICKY = ("illegal memory access", "unspecified launch failure", "device-side assert", "illegal instruction",
          "misaligned address")


def run_cell(measurer, request, cancelled):
    cell = request["cell"]
    began = time.monotonic()

    def result(status, message, extra=None):
        extra = extra or {}
        return protocol.cell_result(cell, status, message, timings=extra.get("timings") if status == "ok" else None,
                                    check=extra.get("check"), steady=extra.get("steady"), clocks=extra.get("clocks"),
                                    wall_split=extra.get("wall_split"),
                                    device=measurer.ordinal if measurer else 0, wall_s=time.monotonic() - began)

    if TORCH_MISSING:
        return result("unsupported", TORCH_MISSING)
    if measurer is None:
        return result("unsupported", "torch {} sees no CUDA device".format(torch.__version__))
    try:
        status, message, extra = measurer.measure(request, cancelled)
        return result(status, message, extra)
    except Unsupported as e:
        return result("unsupported", str(e))
    except torch.cuda.OutOfMemoryError as e:
        return result("oom", "torch: " + str(e).splitlines()[0])
    except Exception as e:
        text = "{}: {}".format(type(e).__name__, str(e).strip().splitlines()[0] if str(e).strip() else "")
        if any(s in str(e) for s in STICKY):
            return result("crashed", text)  # protocol.serve ends the process after sending it
        return result("error", text)
    finally:
        if torch is not None and measurer is not None:
            torch.cuda.empty_cache()


def describe(ordinal, measurer):
    facts = {"python": sys.version.split()[0], "provider": "torch"}
    if TORCH_MISSING:
        facts["torch"] = "not installed"
        return {"worker": WORKER, "free_bytes": 0, "caps": {"backend": "cuda", "known": False},
                "device": {"backend": "cuda", "ordinal": ordinal, "name": "no torch", "facts": facts}}
    facts["torch"] = torch.__version__
    facts["triton"] = triton.__version__ if not TRITON_MISSING else "not installed"
    facts["cuda"] = str(torch.version.cuda)
    facts["cudnn"] = str(torch.backends.cudnn.version())
    if measurer is None:
        return {"worker": WORKER, "free_bytes": 0, "caps": {"backend": "cuda", "known": False},
                "device": {"backend": "cuda", "ordinal": ordinal, "name": "no CUDA device", "facts": facts}}
    props = torch.cuda.get_device_properties(measurer.device)
    facts.update({"name": props.name, "sm_count": str(props.multi_processor_count),
                  "memory_bytes": str(props.total_memory), "cc": "{}.{}".format(props.major, props.minor)})
    if getattr(props, "L2_cache_size", 0):
        facts["l2_bytes"] = str(props.L2_cache_size)
    if getattr(props, "uuid", None) is not None:
        facts["uuid"] = str(props.uuid)
    return {"worker": WORKER, "free_bytes": int(torch.cuda.mem_get_info(measurer.device)[0]),
            "caps": {"backend": "cuda", "cc_major": props.major, "cc_minor": props.minor, "known": True},
            "device": {"backend": "cuda", "ordinal": ordinal, "name": props.name, "facts": facts}}


def main():
    parser = argparse.ArgumentParser(description="AttnSweep's torch provider (worker protocol on stdin/stdout)")
    parser.add_argument("--device", type=int, default=0, help="CUDA device ordinal")
    args = parser.parse_args()

    measurer = None
    if torch is not None and torch.cuda.is_available() and args.device < torch.cuda.device_count():
        torch.cuda.set_device(args.device)
        measurer = Measurer(args.device)
    if torch is not None and torch.cuda.is_available():
        # torch.compile recompiles for new shapes and dtypes; a sweep has many.
        import torch._dynamo as dynamo
        dynamo.config.cache_size_limit = max(dynamo.config.cache_size_limit, 256)
    return protocol.serve(lambda: describe(args.device, measurer),
                          lambda request, cancelled: run_cell(measurer, request, cancelled))


if __name__ == "__main__":
    sys.exit(main())
