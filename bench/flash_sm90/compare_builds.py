#!/usr/bin/env python3
"""Two flash_sm90 builds side by side, from compare-builds.sh's raw outputs.

  compare_builds.py sass OLD_SASS NEW_SASS OLD_RES NEW_RES
      cuobjdump -sass / -res-usage of each build's flash_sm90_bench: for every kernel of the new
      build, the same kernel of the old one (same dtype, head_dim, key block, warpgroups, causal,
      grid, overlap), with registers, stack, instructions, HGMMA, MUFU, barriers and local-memory
      accesses (spills), whether the two opcode sequences are the same, and how many instructions
      are the same with their operands (registers included) where the sequences align.
  compare_builds.py listing SASS D
      the full cuobjdump -sass listing of the build's kernels of head_dim D.
  compare_builds.py times LOGDIR
      time-{old,new}-R.txt (the harness's `time-nocheck` lines): per tier the new build's time over
      the old's (< 1: faster), the median of the rounds and their range, then the median over tiers.
"""
import difflib
import glob
import os
import re
import statistics
import sys

# Kernel names. Old: flash_fwd_sm90<T, D, BN, STAGES, CONSUMERS, CAUSAL, PERSISTENT, OVERLAP>;
# new: flash_fwd_sm90<KernelTraits<T, D, BN, CONSUMERS, CAUSAL, PERSISTENT, OVERLAP, TURNS>>.
OLD = re.compile(r"flash_fwd_sm90I(6__half|13__nv_bfloat16)Li(\d+)ELi(\d+)ELi\d+ELi(\d+)ELb([01])ELb([01])ELb([01])E")
NEW = re.compile(r"KernelTraitsI(6__half|13__nv_bfloat16)Li(\d+)ELi(\d+)ELi(\d+)ELb([01])ELb([01])ELb([01])ELb([01])E")


def kernel_key(name):
    """(dtype, d, key block, warpgroups, causal, persistent, overlap), turns or None."""
    for pattern, has_turns in ((NEW, True), (OLD, False)):
        m = pattern.search(name)
        if m:
            g = m.groups()
            key = ("fp16" if g[0] == "6__half" else "bf16",) + tuple(int(x) for x in g[1:7])
            return key, (int(g[7]) if has_turns else None)
    return None, None


def read_sass(path):
    """kernel name -> list of (opcode, the instruction with its operands)."""
    kernels, name = {}, None
    for line in open(path, errors="replace"):
        m = re.search(r"Function : (\S+)", line)
        if m:
            name = m.group(1)
            kernels[name] = []
            continue
        m = re.match(r"\s+/\*[0-9a-f]{4,}\*/\s+((@!?U?P\w+\s+)?([A-Z][A-Z0-9_.]*)[^;]*);", line)
        if name and m:
            kernels[name].append((m.group(3), " ".join(m.group(1).split())))
    return kernels


def listing(path, head_dim):
    """The lines of the kernels of head_dim, from each one's Function line to the next."""
    keep = False
    for line in open(path, errors="replace"):
        m = re.search(r"Function : (\S+)", line)
        if m:
            key, _ = kernel_key(m.group(1))
            keep = key is not None and key[1] == head_dim
        if keep:
            sys.stdout.write(line)


def read_res(path):
    """kernel name -> {REG: .., STACK: .., LOCAL: ..}."""
    usage, name = {}, None
    for line in open(path, errors="replace"):
        m = re.match(r"\s*Function (\S+):", line)
        if m:
            name = m.group(1)
            continue
        if name and "REG:" in line:
            usage[name] = {k: int(v) for k, v in re.findall(r"(\w+(?:\[\d+\])?):(\d+)", line)}
            name = None
    return usage


def count(ops, prefixes):
    return sum(1 for op in ops if op.startswith(prefixes))


def sass(old_sass, new_sass, old_res, new_res):
    old_k, new_k = read_sass(old_sass), read_sass(new_sass)
    old_u, new_u = read_res(old_res), read_res(new_res)
    old_by_key = {}
    for name in old_k:
        key, _ = kernel_key(name)
        if key:
            old_by_key[key] = name
    print("kernel (dtype d bn wg causal persistent overlap turns) | REG old/new | STACK | instructions | HGMMA | MUFU | BAR | LDL+STL "
          "| same opcodes | same with operands")
    same = differ = 0
    for name in sorted(new_k, key=lambda n: kernel_key(n)[0] or ()):
        key, turns = kernel_key(name)
        if not key:
            continue
        o = old_by_key.get(key)
        n_ops = [op for op, _ in new_k[name]]
        cells = []
        if o is None:
            print(f"{key} tt={turns} | no such kernel in the old build | instructions {len(n_ops)}")
            continue
        o_ops = [op for op, _ in old_k[o]]
        for label, fn in (("REG", lambda u, ops: u.get("REG")), ("STACK", lambda u, ops: u.get("STACK"))):
            cells.append(f"{fn(old_u.get(o, {}), o_ops)}/{fn(new_u.get(name, {}), n_ops)}")
        cells.append(f"{len(o_ops)}/{len(n_ops)}")
        for prefixes in (("HGMMA",), ("MUFU",), ("BAR",), ("LDL", "STL")):
            cells.append(f"{count(o_ops, prefixes)}/{count(n_ops, prefixes)}")
        identical = o_ops == n_ops
        same += identical
        differ += not identical
        with_operands = difflib.SequenceMatcher(None, [t for _, t in old_k[o]], [t for _, t in new_k[name]], autojunk=False)
        same_text = sum(block.size for block in with_operands.get_matching_blocks())
        print(f"{' '.join(map(str, key))} tt={turns} | " + " | ".join(cells) + f" | {'yes' if identical else 'no'} | {same_text}")
    print(f"{same} kernels with the same opcode sequence, {differ} with another")


def read_times(path):
    """(dtype, B, H, N, d, causal) -> microseconds."""
    times = {}
    for line in open(path, errors="replace"):
        f = line.split()
        if len(f) == 23 and f[0] == "one" and f[16] == "|" and f[20] == "|":
            times[(f[1], int(f[2]), int(f[3]), int(f[4]), int(f[6]), int(f[7]))] = float(f[-2])
    return times


def times(folder):
    rounds = {b: [read_times(p) for p in sorted(glob.glob(os.path.join(folder, f"time-{b}-*.txt")))] for b in ("old", "new")}
    if not rounds["old"] or not rounds["new"]:
        sys.exit("no time-old-R.txt / time-new-R.txt in " + folder)
    seed_tiers = {(64, 12, 1), (64, 12, 8), (128, 12, 1), (256, 24, 2)}
    medians = {"seed": [], "fa3": []}
    print("new time / old time per tier (< 1: the new build is faster): median of the rounds [min max], old us")
    for shape in sorted(rounds["old"][0]):
        dt, b, h, n, d, causal = shape
        pairs = [(o[shape], w[shape]) for o, w in zip(rounds["old"], rounds["new"]) if shape in o and shape in w and o[shape] > 0]
        if not pairs:
            print(f"{dt} B{b} H{h} N{n} d{d} causal={causal}: missing in a round")
            continue
        ratios = [w / o for o, w in pairs]
        preset = "seed" if (d, h, b) in seed_tiers else "fa3"
        med = statistics.median(ratios)
        medians[preset].append(med)
        print(f"{preset:4s} {dt} B{b:<3d} H{h:<3d} N{n:<6d} d{d:<4d} c{causal} | {med:.3f} [{min(ratios):.3f} {max(ratios):.3f}] "
              f"| old {statistics.median(o for o, _ in pairs):9.1f} us")
    for preset, values in medians.items():
        if values:
            print(f"{preset}: median new/old {statistics.median(values):.3f} over {len(values)} tiers, range "
                  f"{min(values):.3f}-{max(values):.3f}, {sum(v > 1.02 for v in values)} tiers more than 2% slower")


def main():
    if len(sys.argv) >= 2 and sys.argv[1] == "sass" and len(sys.argv) == 6:
        sass(*sys.argv[2:])
    elif len(sys.argv) == 4 and sys.argv[1] == "listing":
        listing(sys.argv[2], int(sys.argv[3]))
    elif len(sys.argv) == 3 and sys.argv[1] == "times":
        times(sys.argv[2])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
