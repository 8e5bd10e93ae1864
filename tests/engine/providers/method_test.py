#!/usr/bin/env python3
"""engine/providers/method.py, the engine's method for Python providers, driven by fake timers:
one launch per cold sample after a flush, batch labelled and batched, more samples for tiny cold
cells, noisy when the interval stays wide, ten samples by default, slowed samples flagged, and
settling before sampling."""
import os
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "engine", "providers"))
import method  # noqa: E402


class FakeTimer:
    """timed(launches, flush) with scripted per-launch times and readings; records every call."""

    def __init__(self, per_launch_ms, readings=None):
        self.per_launch_ms = per_launch_ms  # a function of the call's index
        self.readings = readings or (lambda call: None)
        self.calls = []  # (launches, flush)

    def __call__(self, launches, flush):
        call = len(self.calls)
        self.calls.append((launches, flush))
        return self.per_launch_ms(call) * launches, self.readings(call)


def timing(**overrides):
    t = method.timing_options({"timing": overrides})
    return t


def never():
    return False


class SampleMode(unittest.TestCase):
    def sample(self, mode, timer, launch_ms, opts, watch=None):
        return method.sample_mode(mode, timer, launch_ms, opts, watch or method.ClockWatch("fake: no clocks"),
                                  never, flops=1e9, min_bytes=1e6)

    def test_cold_is_one_launch_after_a_flush_and_batch_is_batched_without(self):
        opts = timing(min_samples=10)
        timer = FakeTimer(lambda call: 0.002)
        cold = self.sample("cold", timer, 0.002, opts)
        self.assertEqual(timer.calls, [(1, True)] * 10)
        self.assertEqual(cold["launches_per_sample"], 1)
        timer.calls.clear()
        batch = self.sample("batch", timer, 0.002, opts)
        self.assertEqual(timer.calls, [(25, False)] * 10)  # 25 x 2 us = the 50 us a batch lasts
        self.assertEqual(batch["launches_per_sample"], 25)
        self.assertAlmostEqual(batch["time_ms"]["median"], 0.002)
        self.assertAlmostEqual(batch["tflops"], 1e9 / 2e-6 / 1e12)

    def test_ten_samples_by_default_and_a_tight_interval_is_not_noisy(self):
        self.assertEqual(method.timing_options({})["min_samples"], 10)
        self.assertEqual(method.timing_options({})["modes"], ["cold", "batch"])
        result = self.sample("cold", FakeTimer(lambda call: 0.5), 0.5, timing())
        self.assertEqual(result["time_ms"]["samples"], 10)
        self.assertEqual(result["samples_ms"], [0.5] * 10)  # every sample kept, as the engine keeps them
        self.assertFalse(result["noisy"])

    def test_samples_are_kept_to_six_significant_digits(self):
        self.assertEqual(method.kept_sample(0.045312000066041946), 0.045312)
        self.assertEqual(method.kept_sample(116.65228), 116.652)

    def test_tiny_cold_cells_get_more_samples_and_a_wide_interval_is_noisy(self):
        opts = timing(min_samples=10, max_samples=20, target_rel_ci=0.01, max_cell_s=30)
        alternating = lambda call: 0.001 if call % 2 else 0.004
        cold = self.sample("cold", FakeTimer(alternating), 0.004, opts)
        batch = self.sample("batch", FakeTimer(alternating), 0.004, opts)
        self.assertEqual(cold["time_ms"]["samples"], 20 * 13)  # a batch would hold 13 launches of 4 us
        self.assertEqual(batch["time_ms"]["samples"], 20)
        self.assertTrue(cold["noisy"])
        self.assertTrue(batch["noisy"])

    def test_slowed_samples_are_flagged_and_the_clocks_summed(self):
        def reading(call):
            return {"sm_mhz": 1200 if call == 2 else 1755, "sm_max_mhz": 1980,
                    "throttle_reasons": 0x4 if call == 4 else 0x1, "power_w": 600.0 + call, "temperature_c": 60.0}
        watch = method.ClockWatch()
        result = self.sample("cold", FakeTimer(lambda call: 0.5, reading), 0.5, timing(max_samples=10), watch)
        self.assertEqual(result["flagged_samples"], 2)
        self.assertEqual(result["flags"], ["low_clock", "sw_power_cap"])
        clocks = watch.record()
        self.assertEqual(clocks["readings"], 10)
        self.assertEqual((clocks["sm_mhz_min"], clocks["sm_mhz_max"]), (1200, 1755))
        self.assertEqual(clocks["reasons"], ["sw_power_cap"])
        self.assertEqual(clocks["power_w_max"], 609.0)

    def test_no_clocks_is_recorded_with_the_reason(self):
        self.assertEqual(method.ClockWatch("pynvml is not installed").record(),
                         {"read": False, "why_not": "pynvml is not installed"})

    def test_cancel_between_samples_gives_none(self):
        self.assertIsNone(method.sample_mode("cold", FakeTimer(lambda call: 0.5), 0.5, timing(), method.ClockWatch(),
                                             lambda: True, flops=1.0, min_bytes=1.0))


class Settle(unittest.TestCase):
    def test_settles_once_two_windows_agree(self):
        busy = lambda: {"sm_mhz": 1755, "sm_max_mhz": 1980, "throttle_reasons": 0, "power_w": 650.0}
        start = time.monotonic()
        steady = method.settle(busy, 5.0, never)
        took = time.monotonic() - start
        self.assertEqual(steady, {"state": "sustained", "settled": True})
        self.assertGreaterEqual(took, 2 * method.SETTLE_WINDOW_S)
        self.assertLess(took, 5.0)

    def test_without_readings_it_runs_the_whole_bound(self):
        start = time.monotonic()
        steady = method.settle(lambda: None, 0.3, never)
        self.assertFalse(steady["settled"])
        self.assertGreaterEqual(time.monotonic() - start, 0.3)


class ShapeMasksAndFlops(unittest.TestCase):
    """method.Shape counts as problem.h does (tests/kernels/problem_test.cpp has the same cases)."""

    def test_the_known_counts(self):
        full = 4.0 * 2 * 8 * 1024 * 1024 * 64
        self.assertEqual(method.flops(2, 8, 1024, 1024, 64, False), full)
        self.assertEqual(method.flops(2, 8, 1024, 1024, 64, True), full / 2)
        chunk = method.Shape({"batch": 1, "heads": 32, "kv_heads": 8, "q_n": 2048, "k_n": 8192, "head_dim": 128,
                              "align": "bottom-right"}, True)
        self.assertTrue(chunk.gqa())
        self.assertEqual(chunk.flops(), 4.0 * 32 * 128 * 2048 * (8192 - 2048 + 8192) / 2)
        window = method.Shape({"batch": 1, "heads": 1, "q_n": 10, "k_n": 10, "head_dim": 1, "window_left": 2,
                               "window_right": 3}, False)
        self.assertEqual(window.flops(), 4 * 51)
        self.assertEqual(window.visible_keys(0), (0, 4))
        self.assertEqual(window.visible_keys(9), (7, 10))

    def test_the_closed_form_equals_the_rows_summed(self):
        for q in (1, 7, 40):
            for k in (1, 5, 40, 90):
                for causal in (False, True):
                    for align in ("top-left", "bottom-right"):
                        for left in (-1, 0, 3, 50):
                            for right in (-1, 0, 2, 60):
                                s = method.Shape({"batch": 1, "heads": 1, "q_n": q, "k_n": k, "head_dim": 1,
                                                  "window_left": left, "window_right": right, "align": align}, causal)
                                pairs = sum(e - b for b, e in map(s.visible_keys, range(q)))
                                diagonals = sum(1 for i in range(q) if 0 <= s.diagonal(i) < k)
                                self.assertEqual(s.flops(), 4 * (pairs - (diagonals / 2 if causal else 0)))


if __name__ == "__main__":
    unittest.main()
