#!/usr/bin/env python3
"""Side by side: each shape's flash_sm90 variants from a bench_sm90 run (ab, seed, overlap, tiles...),
their time and their ratio to the first (the shipped one), and cuDNN's time from cudnn_same_call.py.

  python3 scripts/gpu/variant_ratios.py SM90_OUTPUT.txt [CUDNN.txt]

A variant is named by the harness's columns after `cau` (wg, wk, pe, ov, ...), without sec.
"""
import re
import sys


def main():
    columns, shapes = None, {}
    for line in open(sys.argv[1]):
        fields = line.split()
        if fields and fields[0] == "tag":
            columns = fields[: fields.index("|")]
            continue
        if not columns or len(fields) < len(columns) + 6 or fields[0] in ("one", "check", "spike", "multi"):
            continue
        row = dict(zip(columns, fields))
        key = (row["tag"], row["dt"], int(row["B"]), int(row["H"]), int(row["q_n"]), int(row["d"]), int(row["cau"]))
        name = "".join(f"{c}{row[c]}" for c in columns[columns.index("cau") + 1:] if c != "sec")
        shapes.setdefault(key, []).append((name, float(fields[-2])))
    cudnn = {}
    if len(sys.argv) > 2:
        for line in open(sys.argv[2]):
            m = re.match(r"cudnn (\w+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+) (\d) \|\s+([\d.]+) us", line)
            if m:
                dt, b, h, n, d, c, us = m.groups()
                cudnn[(dt, int(b), int(h), int(n), int(d), int(c))] = float(us)
    for (tag, dt, b, h, n, d, c), variants in shapes.items():
        first = variants[0][1]
        cells = " ".join(f"{name}:{us:.1f}({first / us:.3f})" for name, us in variants)
        ref = cudnn.get((dt, b, h, n, d, c))
        tail = f"cudnn {ref:.1f} first/cudnn {ref / first:.3f} best/cudnn {ref / min(us for _, us in variants):.3f}" if ref else "cudnn -"
        print(f"{tag} {dt} B{b} H{h} N{n} d{d} c{c} | {cells} | {tail}")


if __name__ == "__main__":
    main()
