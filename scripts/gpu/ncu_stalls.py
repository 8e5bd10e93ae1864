"""Sums Nsight Compute's per-instruction warp-stall samples into one line per profile.
Usage: python3 ncu_stalls.py NAME.sass.csv ...  (the CSVs profile-call.sh writes with
`ncu --import R --page source --csv --print-source sass`)."""
import collections
import csv
import sys

for path in sys.argv[1:]:
    rows = list(csv.reader(open(path)))
    header, data = rows[1], rows[2:]
    col = {h: i for i, h in enumerate(header)}
    reasons = [h for h in header if h.startswith("stall_") and "Not Issued" not in h]
    totals = collections.Counter()
    for r in data:
        for s in reasons:
            totals[s] += int(r[col[s]] or 0)
    samples = sum(int(r[col["Warp Stall Sampling (All Samples)"]] or 0) for r in data)
    print(f"== {path}: {len(data)} instructions, {samples} samples")
    print("  ", ", ".join(f"{k[6:]}={v / samples * 100:.1f}%" for k, v in totals.most_common(9)))
