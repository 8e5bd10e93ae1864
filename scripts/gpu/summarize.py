#!/usr/bin/env python3
"""Puts our cells (attnsweep JSON Lines) beside the same-call torch baselines (torch_baselines.py
JSON) as one Markdown table of TFLOP/s, plus the card's ceilings. Usage:
  summarize.py RESULTS.jsonl... --baselines baselines.json"""
import json, sys

args = sys.argv[1:]
base_path = None
if "--baselines" in args:
    i = args.index("--baselines"); base_path = args[i + 1]; del args[i:i + 2]

ours = {}  # (kernel, dtype, causal, d, H, B, N) -> cell
bad = []
for path in args:
    for line in open(path):
        r = json.loads(line)
        if r.get("type") != "cell":
            continue
        t = r["tier"]
        key = (r["kernel"], r["dtype"], r["causal"], t["head_dim"], t["heads"], t["batch"], t["q_n"])
        ours[key] = r
        if r["status"] not in ("ok", "oom", "unsupported"):
            bad.append(f'{r["id"]}: {r["status"]}: {r["message"]}')
        elif r["status"] == "ok" and not r["check"].get("passed"):
            bad.append(f'{r["id"]}: ok without a passed check')

base = {}
peaks = {}
if base_path:
    b = json.load(open(base_path))
    peaks = b.get("peaks", {})
    for c in b["cells"]:
        base[(c["kernel"], c["dtype"], c["causal"], c["d"], c["H"], c["B"], c["N"])] = c

def fmt(cell, field="tflops"):
    if cell is None:
        return "-"
    if "status" in cell and cell["status"] != "ok":
        return cell["status"]
    v = cell.get(field)
    return f"{v:.0f}" if v is not None else "-"

print("ceilings:", ", ".join(f"{k} {v:.0f}" if "tflops" in k else f"{k} {v:.2f}" for k, v in peaks.items()))
groups = [
    ("fp16/bf16 (TFLOP/s)", ["fp16", "bf16"], ["flash_mma", "flash_sm90", "cublas"],
     ["sdpa_flash", "triton_fa2", "sdpa_cudnn", "vectorized_torch"],
     [("flash_mma", "sdpa_flash"), ("flash_sm90", "sdpa_cudnn"), ("cublas", "vectorized_torch")]),
    ("fp32 (TFLOP/s)", ["fp32"], ["fused_simt", "cublas"], ["sdpa_efficient", "vectorized_torch"],
     [("fused_simt", "sdpa_efficient"), ("cublas", "vectorized_torch")]),
]
shapes = sorted({k[3:] for k in ours})
for title, dts, mine, theirs, ratios in groups:
    print(f"\n### {title}\n")
    print("| dtype | causal | d, H, B | N | " + " | ".join(mine + theirs) + " | " +
          " | ".join(f"{a} / {b}" for a, b in ratios) + " |")
    print("|" + "---|" * (4 + len(mine) + len(theirs) + len(ratios)))
    for dt in dts:
        for causal in (False, True):
            for s in shapes:
                row_o = [ours.get((k, dt, causal) + s) for k in mine]
                if all(r is None for r in row_o):
                    continue
                row_b = [base.get((k, dt, causal) + s) for k in theirs]
                cols = []
                for a, b in ratios:
                    x, y = ours.get((a, dt, causal) + s), base.get((b, dt, causal) + s)
                    ok = x and y and x.get("status") == "ok" and y.get("tflops")
                    cols.append(f'{x["tflops"] / y["tflops"]:.2f}' if ok else "-")
                print(f"| {dt} | {int(causal)} | {s[0]}, {s[1]}, {s[2]} | {s[3]} | " +
                      " | ".join(fmt(c) for c in row_o + row_b) + " | " + " | ".join(cols) + " |")
print(f"\ncells: {len(ours)}, not ok/oom/unsupported or unchecked: {len(bad)}")
for line in bad[:40]:
    print("  " + line)
