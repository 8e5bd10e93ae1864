#!/usr/bin/env bash
# The timing method checked on a GPU machine, in one run. Writes under $OUT:
#   gpu-tests.log             the GPU test binaries (stream hold, clocks read and locked, kernels)
#   seed.jsonl, seed-cold.md, seed-batch.md, seed.csv, seed-run.log
#                             the seed preset (cold and batch, checks on): its wall time and where
#                             it went are the last lines of seed-run.log
#   cudnn.jsonl, cudnn-vs-do_bench.txt
#                             cuDNN on the seed tiers through the torch provider (cold and batch) and
#                             the same cells through triton.testing.do_bench, side by side
#   log.txt                   everything printed
# Needs a release build (BUILD, default build/release; built here when missing) and, for the
# cuDNN part, python3 with torch and triton (pynvml for clocks).
#
#   [BUILD=build/release] [OUT=/tmp/out] bash scripts/gpu-check-timing.sh
set -uo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build/release}
OUT=${OUT:-/tmp/out}
mkdir -p "$OUT"
exec > >(tee "$OUT/log.txt") 2>&1
CLI=$BUILD/engine/attnsweep-cli
[ -x "$CLI" ] || bash scripts/build.sh
nvidia-smi --query-gpu=name,clocks.sm,clocks.max.sm,power.draw,temperature.gpu --format=csv

echo "== GPU tests"
{ timeout 900 "$BUILD/tests/kernels_tests" --gtest_brief=1; echo "kernels_tests rc=$?"
  timeout 600 "$BUILD/tests/engine_tests" --gtest_brief=1; echo "engine_tests rc=$?"; } > "$OUT/gpu-tests.log" 2>&1
grep -E "rc=|FAILED|PASSED|SKIPPED \]" "$OUT/gpu-tests.log"
grep -E "enqueued over|SM [0-9]+ of|locked at|not permitted" "$OUT/gpu-tests.log"

echo "== seed preset, cold and batch"
start=$SECONDS
"$CLI" run --preset seed --out "$OUT/seed.jsonl" > "$OUT/seed-run.log" 2>&1
echo "seed sweep: $((SECONDS - start)) s from start to end" >> "$OUT/seed-run.log"
tail -4 "$OUT/seed-run.log"
"$CLI" report "$OUT/seed.jsonl" --mode cold -o "$OUT/seed-cold.md"
"$CLI" report "$OUT/seed.jsonl" --mode batch -o "$OUT/seed-batch.md"
"$CLI" report "$OUT/seed.jsonl" --format csv -o "$OUT/seed.csv"

echo "== cuDNN: torch provider against triton.testing.do_bench"
"$CLI" run --preset seed-torch --kernels torch.sdpa_cudnn --out "$OUT/cudnn.jsonl" -q
python3 scripts/do_bench_compare.py "$OUT/cudnn.jsonl" | tee "$OUT/cudnn-vs-do_bench.txt"
