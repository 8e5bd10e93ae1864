#!/usr/bin/env python3
"""Puts result files side by side: one Markdown table of TFLOP/s (or status) per tier, one column
per kernel, in the order the files and their specs list them. Usage: compare.py A.jsonl [B.jsonl ...]"""
import json, sys

kernels, tiers, cells = [], [], {}
for path in sys.argv[1:]:
    lines = [json.loads(l) for l in open(path) if l.strip()]
    for k in lines[0]["spec"]["kernels"]:
        if k not in kernels:
            kernels.append(k)
    for c in lines[1:]:
        t = c["tier"]
        key = (t["head_dim"], t["heads"], t["batch"], t["q_n"], t["k_n"], c["dtype"], c["causal"])
        if key not in tiers:
            tiers.append(key)
        cells[(key, c["kernel"])] = c

def show(c):
    if c is None:
        return "-"
    return f"{c['tflops']:.0f}" if c["status"] == "ok" else c["status"].upper()

print("| d, H, B | N | dtype | causal | " + " | ".join(kernels) + " |")
print("|---|---|---|---|" + "---|" * len(kernels))
for key in sorted(tiers):
    d, h, b, q, k, dt, causal = key
    n = str(q) if q == k else f"{q}/{k}"
    row = [show(cells.get((key, kern))) for kern in kernels]
    print(f"| {d}, {h}, {b} | {n} | {dt} | {'yes' if causal else 'no'} | " + " | ".join(row) + " |")
