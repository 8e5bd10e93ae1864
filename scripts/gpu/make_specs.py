#!/usr/bin/env python3
"""Writes the benchmark specs for issue 3 into DIR: h4-tensor.json (flash_mma and cublas, fp16 and
bf16, causal and not) and h4-fp32.json (fused_simt and cublas in fp32), on the seed's tier
families at the lengths in NS (default 2048,8192,16384). Usage: make_specs.py DIR"""
import json, os, sys

out = sys.argv[1]
ns = [int(n) for n in os.environ.get("NS", "2048,8192,16384").split(",")]
families = [(64, 12, 1), (64, 12, 8), (128, 12, 1), (256, 24, 2)]  # (head_dim, heads, batch)
tiers = [{"q_n": n, "head_dim": d, "heads": h, "batch": b} for d, h, b in families for n in ns]
timing = {"warmup_ms": 10, "min_samples": 5, "max_samples": 30, "target_rel_ci": 0.02, "max_cell_s": 0.4,
          "cache": "cold"}
specs = {
    "h4-tensor": dict(kernels=["flash_mma", "cublas"], dtypes=["fp16", "bf16"], causal=[False, True]),
    "h4-fp32": dict(kernels=["fused_simt", "cublas"], dtypes=["fp32"], causal=[False]),
}
for name, s in specs.items():
    spec = dict(version=1, name=name, tiers=tiers, timing=timing, seed=0, **s)
    json.dump(spec, open(os.path.join(out, name + ".json"), "w"), indent=1)
