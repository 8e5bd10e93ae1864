#!/usr/bin/env python3
"""A fake external provider for the conformance test (tests/engine/provider_test.cpp).

It speaks the worker protocol through engine/providers/provider_protocol.py, as the torch provider
does, but measures nothing: every result says "synthetic" in its message. Standard library only.
Kernels (by name):
  fake_ok           ok, with made-up statistics (1 TFLOP/s nominal) and a passed check
  fake_wrong        wrong: a failed check, no time
  fake_unsupported  unsupported, with a reason
  fake_error        error, with a message
  fake_crash        the process dies (exit code 70) after cell_started
  fake_slow         sleeps until cancelled (or 30 s), then answers skipped/cancelled
anything else      unsupported ("the fake provider has no kernel ...")
"""
import argparse
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "engine", "providers"))
import method  # noqa: E402
import provider_protocol as protocol  # noqa: E402

SYNTHETIC = "synthetic result from the fake provider (nothing was measured)"


def flops(cell):
    t = cell["tier"]
    f = 4.0 * t["batch"] * t["heads"] * t["q_n"] * t["k_n"] * t["head_dim"]
    return f / 2 if cell["causal"] else f


def min_bytes(cell):
    """Q, K, V read once and O written once, as the engine counts them (fp32 here: 4 bytes)."""
    t = cell["tier"]
    element = 2 if cell["dtype"] in ("fp16", "bf16") else 4
    return 2.0 * t["batch"] * t["heads"] * (t["q_n"] + t["k_n"]) * t["head_dim"] * element


def synthetic_stats(median_ms):
    return {"samples": 10, "median": median_ms, "mean": median_ms * 1.01, "std": median_ms * 0.02,
            "min": median_ms * 0.97, "max": median_ms * 1.08, "p10": median_ms * 0.98, "p90": median_ms * 1.04,
            "ci_low": median_ms * 0.99, "ci_high": median_ms * 1.01}


def check(passed):
    return {"checked": True, "passed": passed, "max_abs_err": 1e-3 if passed else 2.0, "naive_max_abs_err": 6e-4,
            "tolerance": 2e-3, "rel_err": 1e-4 if passed else 0.5, "naive_rel_err": 3e-4, "nonfinite": 0,
            "unwritten": 0, "rows_checked": 8, "slices_checked": 2, "rechecked_after_timing": passed}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", type=int, default=0)
    args = parser.parse_args()

    def describe():
        return {"worker": "fake_provider.py", "free_bytes": 1 << 30,
                "device": {"backend": "cpu", "ordinal": args.device, "name": "fake provider (no device)",
                           "facts": {"provider": "fake", "pid": str(os.getpid())}},
                "caps": {"backend": "cpu", "known": False}}

    def run_cell(request, cancelled):
        cell = request["cell"]
        kernel = cell["kernel"]
        modes = method.timing_options(request)["modes"]
        done = lambda status, message, **kw: protocol.cell_result(cell, status, message, device=args.device, **kw)
        if kernel == "fake_ok":
            median_ms = flops(cell) / 1e12 * 1e3  # as if at 1 TFLOP/s
            seed = method.cell_seed(int(request.get("seed", 0)), protocol.cell_id(cell))
            # The rates follow from the time, as the driver checks they do.
            gbps = min_bytes(cell) / (median_ms * 1e-3) / 1e9
            timing = {"time_ms": synthetic_stats(median_ms), "tflops": 1.0, "gbps": gbps, "launches_per_sample": 1,
                      "noisy": False, "flagged_samples": 0}
            return done("ok", "{}; input seed {}".format(SYNTHETIC, seed), timings={m: timing for m in modes},
                        check=check(True), clocks={"read": False, "why_not": SYNTHETIC}, wall_s=0.001)
        if kernel == "fake_wrong":
            return done("wrong", "wrong result: max_abs_err 2 > tolerance 0.002 (" + SYNTHETIC + ")", check=check(False))
        if kernel == "fake_unsupported":
            return done("unsupported", "the fake provider supports no cell of fake_unsupported")
        if kernel == "fake_error":
            return done("error", "synthetic error from the fake provider")
        if kernel == "fake_crash":
            sys.stderr.write("fake_provider: crashing on purpose for " + protocol.cell_id(cell) + "\n")
            sys.stderr.flush()
            os._exit(70)
        if kernel == "fake_slow":
            cancelled.wait(30)
            return done("skipped", "cancelled")
        return done("unsupported", "the fake provider has no kernel '" + kernel + "'")

    return protocol.serve(describe, run_cell)


if __name__ == "__main__":
    sys.exit(main())
