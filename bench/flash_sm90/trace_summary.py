#!/usr/bin/env python3
"""Where a flash_sm90 tile's time goes, from a trace CSV (`flash_sm90_bench trace ... out=FILE`,
a build configured with -DATTNSWEEP_SM90_TRACE; kernels/cuda/flash_sm90/sm90_trace.h).

Each consumer warpgroup's records are one timeline of SM clocks. The time between two consecutive
records is charged to the pair of events (e.g. qk_done -> softmax_done: the softmax), summed over all
CTAs and shown per warpgroup as a share of the warpgroups' time, with the mean per occurrence.
Then per tile size (key blocks loaded): tiles, mean cycles from one tile's output issued to the
next's, and the producer's view: cycles from a K load's issue to a consumer seeing it, where the
consumer had to wait for it.

usage: trace_summary.py TRACE.csv [TRACE.csv ...]
"""
import collections
import csv
import statistics
import sys

WRAP = 1 << 32


def read(path):
    header, streams = "", collections.defaultdict(list)
    with open(path) as f:
        first = f.readline()
        if first.startswith("#"):
            header = first[1:].strip()
        else:
            f.seek(0)
        for row in csv.DictReader(f):
            key = (int(row["cta"]), int(row["wg"]))
            streams[key].append((int(row["clock"]), row["event"], int(row["tile"]), int(row["block"])))
    return header, streams


def elapsed(a, b):
    return (b - a) % WRAP


def summarize(path):
    header, streams = read(path)
    print(f"== {path}\n{header}")
    consumers = sorted({wg for _, wg in streams if wg > 0})
    spans = []
    for (cta, wg), recs in streams.items():
        if wg > 0 and recs:
            spans.append(elapsed(recs[0][0], recs[-1][0]))
    if spans:
        print(f"consumer timelines: {len(spans)}, cycles from first tile to last output: "
              f"median {statistics.median(spans):.0f}, max {max(spans)}")

    # Transitions per consumer warpgroup.
    for wg in consumers:
        totals, counts = collections.Counter(), collections.Counter()
        for (cta, w), recs in streams.items():
            if w != wg:
                continue
            for (c0, e0, _, _), (c1, e1, _, _) in zip(recs, recs[1:]):
                label = f"{e0} -> {e1}"
                totals[label] += elapsed(c0, c1)
                counts[label] += 1
        whole = sum(totals.values()) or 1
        print(f"\nconsumer warpgroup {wg}: {whole} cycles over all CTAs")
        print(f"  {'from -> to':32s} {'share':>6s} {'mean':>7s} {'count':>7s}")
        for label, total in totals.most_common():
            print(f"  {label:32s} {100 * total / whole:5.1f}% {total / counts[label]:7.0f} {counts[label]:7d}")

    # Per tile size: cycles from the previous tile's output issued (or this CTA's first record) to
    # this tile's, for the last consumer warpgroup (it computes every loaded block).
    last_wg = consumers[-1] if consumers else None
    per_size = collections.defaultdict(list)
    for (cta, wg), recs in streams.items():
        if wg != last_wg:
            continue
        previous_done, size = recs[0][0], None
        for clock, event, tile, block in recs:
            if event == "tile":
                size = block & 0xFFFF
            elif event == "tile_done" and size is not None:
                per_size[size].append(elapsed(previous_done, clock))
                previous_done = clock
    if per_size:
        print(f"\nper tile (warpgroup {last_wg}): key blocks, tiles, mean cycles between outputs")
        for size in sorted(per_size):
            times = per_size[size]
            print(f"  {size:4d} {len(times):6d} {statistics.mean(times):8.0f}")

    # The producer: a K block's load issued -> a consumer past its k_full wait, where the consumer
    # reached the wait before the load was even issued or within that time (it waited).
    issued = {}
    for (cta, wg), recs in streams.items():
        if wg == 0:
            for clock, event, tile, block in recs:
                if event == "load_k":
                    issued[(cta, tile, block)] = clock
    waits = []
    for (cta, wg), recs in streams.items():
        if wg == 0:
            continue
        for (c0, e0, _, _), (c1, e1, tile, block) in zip(recs, recs[1:]):
            if e1 == "k_ready" and (cta, tile, block) in issued and elapsed(c0, c1) > 64:
                waits.append((elapsed(issued[(cta, tile, block)], c1), elapsed(c0, c1)))
    if waits:
        print(f"\nK waits over 64 cycles: {len(waits)}; cycles from the load's issue to ready: median "
              f"{statistics.median(w[0] for w in waits):.0f}; the consumer's wait: median "
              f"{statistics.median(w[1] for w in waits):.0f}, total {sum(w[1] for w in waits)}")
    print()


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    for p in sys.argv[1:]:
        summarize(p)
