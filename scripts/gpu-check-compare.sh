#!/usr/bin/env bash
# compare checked on a GPU machine, in one run: two back-to-back sweeps of one build must come out
# all same or noisy (never faster or slower), and a 10% slowdown planted in a copy of the second
# must be slower on that kernel's cells only (noisy where either run had slowed samples or a noisy
# time: the cell's note says so). Writes under $OUT:
#   a.jsonl, b.jsonl          the seed preset (PRESET) twice, back to back (cold and batch, samples kept)
#   a-vs-b.txt, a-vs-b.json   their comparison; the last line of a-vs-b.txt counts the verdicts,
#                             and "fail-on slower,faster rc=" must be 0
#   planted.jsonl             b.jsonl with every time of flash_mma (KERNEL) 10% longer
#   a-vs-planted.txt/.json    "planted: flash_mma ..." must show slower (noisy only on cells noted slowed
#                             or noisy), every other kernel same or noisy
#   log.txt                   everything printed, with the files' sizes (what the samples cost)
# Needs a release build (BUILD, default build/release; built here when missing) and python3.
#
#   [BUILD=build/release] [OUT=/tmp/out] [LOCK=base] bash scripts/gpu-check-compare.sh
# (PRESET=smoke KERNEL=cpu_flash runs the same steps on a machine without a GPU.)
set -uo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build/release}
OUT=${OUT:-/tmp/out}
LOCK=${LOCK:-}
PRESET=${PRESET:-seed}
KERNEL=${KERNEL:-flash_mma}
mkdir -p "$OUT"
exec > >(tee "$OUT/log.txt") 2>&1
CLI=$BUILD/engine/attnsweep-cli
[ -x "$CLI" ] || bash scripts/build.sh
command -v nvidia-smi > /dev/null && nvidia-smi --query-gpu=name,clocks.sm,clocks.max.sm,power.draw,temperature.gpu --format=csv

lock=()
[ -n "$LOCK" ] && lock=(--lock-clocks "$LOCK")
for run in a b; do
  echo "== $PRESET preset, run $run"
  "$CLI" run --preset "$PRESET" "${lock[@]}" --out "$OUT/$run.jsonl" -q --fail-on wrong,crashed,timeout,error
  echo "run $run rc=$?"
done
ls -l "$OUT/a.jsonl" "$OUT/b.jsonl"

echo "== back to back: same or noisy only"
"$CLI" compare "$OUT/a.jsonl" "$OUT/b.jsonl" -o "$OUT/a-vs-b.txt"
"$CLI" compare "$OUT/a.jsonl" "$OUT/b.jsonl" --format json -o "$OUT/a-vs-b.json"
tail -1 "$OUT/a-vs-b.txt"
"$CLI" compare "$OUT/a.jsonl" "$OUT/b.jsonl" --fail-on slower,faster > /dev/null
echo "fail-on slower,faster rc=$? (0: no cell faster or slower)"
grep -E "^(faster|slower) " "$OUT/a-vs-b.txt"

echo "== a 10% slowdown of $KERNEL planted in a copy of run b"
python3 - "$OUT/b.jsonl" "$OUT/planted.jsonl" "$KERNEL" <<'PY'
import json, sys
with open(sys.argv[1]) as src, open(sys.argv[2], "w") as dst:
    for line in src:
        j = json.loads(line)
        if j.get("kernel") == sys.argv[3] and j.get("status") == "ok":
            for t in j["timings"].values():
                for k, v in t["time_ms"].items():
                    if k != "samples" and isinstance(v, float):
                        t["time_ms"][k] = v * 1.1
                t["samples_ms"] = [x * 1.1 for x in t.get("samples_ms", [])]
                t["tflops"] /= 1.1
                t["gbps"] /= 1.1
        dst.write(json.dumps(j) + "\n")
PY
"$CLI" compare "$OUT/a.jsonl" "$OUT/planted.jsonl" -o "$OUT/a-vs-planted.txt"
"$CLI" compare "$OUT/a.jsonl" "$OUT/planted.jsonl" --format json -o "$OUT/a-vs-planted.json"
tail -1 "$OUT/a-vs-planted.txt"
python3 - "$OUT/a-vs-planted.json" <<'PY'
import json, sys, collections
verdicts = collections.defaultdict(collections.Counter)
for c in json.load(open(sys.argv[1]))["cells"]:
    verdicts[c["kernel"]][c["verdict"]] += 1
for kernel, counts in verdicts.items():
    print("planted:", kernel, dict(counts))
PY
