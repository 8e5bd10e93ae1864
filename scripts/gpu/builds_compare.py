#!/usr/bin/env python3
"""Builds side by side, from old-new-alternating.sh's output folder: for every shape, each build's
time (the median of its rounds) and its speed relative to the first build named (>1: faster), with
each round's ratio in brackets, and per build the median ratio over the shapes.

  python3 scripts/gpu/builds_compare.py OUTDIR old new [other ...]     (fa3-NAME-R.txt, seed-NAME-R.txt)
"""
import collections
import glob
import os
import re
import statistics
import sys


def times(path):
    """(dtype, B, H, N, d, causal) -> microseconds, from one harness output."""
    out = {}
    for line in open(path):
        f = line.split()
        if len(f) > 20 and f[0] in ("fa3", "one", "seed") and f[-3] == "|":
            out[(f[1], int(f[2]), int(f[3]), int(f[4]), int(f[6]), int(f[7]))] = float(f[-2])
    return out


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    folder, names = sys.argv[1], sys.argv[2:]
    for preset in ("fa3", "seed"):
        runs = {n: [times(p) for p in sorted(glob.glob(os.path.join(folder, f"{preset}-{n}-*.txt")))] for n in names}
        if not all(runs.values()):
            continue
        print(f"== {preset}: us per build (median of rounds); speed against {names[0]} [per round]")
        ratios = collections.defaultdict(list)
        for shape in runs[names[0]][0]:
            cells = []
            base_rounds = [r[shape] for r in runs[names[0]] if shape in r]
            base = statistics.median(base_rounds)
            for n in names:
                rounds = [r[shape] for r in runs[n] if shape in r]
                if not rounds:
                    cells.append(f"{n}: -")
                    continue
                us = statistics.median(rounds)
                text = f"{n} {us:8.1f}"
                if n != names[0]:
                    per_round = [b / x for b, x in zip(base_rounds, rounds)]
                    ratios[n].append(base / us)
                    text += f" {base / us:.3f} [" + " ".join(f"{p:.3f}" for p in per_round) + "]"
                cells.append(text)
            dt, b, h, n_, d, causal = shape
            print(f"{dt} B{b:<3d} H{h:<3d} N{n_:<6d} d{d:<4d} c{causal} | " + " | ".join(cells))
        for n in names[1:]:
            print(f"{n}: median speed {statistics.median(ratios[n]):.3f} over {len(ratios[n])} shapes, "
                  f"range {min(ratios[n]):.3f}-{max(ratios[n]):.3f}")
        print()


if __name__ == "__main__":
    main()
