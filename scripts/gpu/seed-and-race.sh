#!/usr/bin/env bash
# One device call for the shipped kernels: the seed preset through worker processes (issue 3's
# "done" run: every cell ok or a truthful oom), the flash_sm90 GoogleTest suite on the shipped
# dispatch, and racecheck on fused_simt through one small in-process cell per case (the GoogleTest
# cases time dozens of samples, too slow under the sanitizer).
# Run from the repo root on the GPU machine with the packed programs in $G:
#   G=.gpu-x bash scripts/gpu/seed-and-race.sh
set -uo pipefail
source "$(dirname "$0")/call-setup.sh"
CLI=$B/bin/attnsweep-cli
nvidia-smi --query-gpu=name,uuid,driver_version,clocks.sm,clocks.max.sm --format=csv
echo "== flash_sm90 suite (shipped dispatch)"
timeout 60 $B/bin/kernels_tests --gtest_filter='*FlashSm90*' --gtest_brief=1 2>&1 | tail -3
stamp
echo "== racecheck: fused_simt, one small cell per case"
for dt in fp32 fp16; do
  for d in 64 128 256; do
    cat > "$W/race-$dt-$d.json" <<EOF
{"version": 1, "name": "race", "kernels": ["fused_simt"], "dtypes": ["$dt"], "causal": [false, true],
 "tiers": [{"q_n": 200, "k_n": 333, "head_dim": $d, "heads": 2, "batch": 1}],
 "timing": {"warmup_ms": 0, "min_samples": 1, "max_samples": 1, "target_rel_ci": 0.5, "max_cell_s": 1, "cache": "warm"}}
EOF
    timeout 40 /usr/local/cuda/bin/compute-sanitizer --tool racecheck --error-exitcode 9 $CLI run --spec "$W/race-$dt-$d.json" \
      --backend cuda --in-process --quiet --out "$W/race-$dt-$d.jsonl" > "$W/race-$dt-$d.log" 2>&1
    echo "racecheck fused_simt $dt d$d rc=$? $(grep -c '"status":"ok"' "$W/race-$dt-$d.jsonl" 2>/dev/null) ok cells; $(grep -E 'RACECHECK SUMMARY' "$W/race-$dt-$d.log")"
  done
done
stamp
echo "== seed preset through workers"
timeout 240 $CLI run --preset seed --backend cuda --devices all --kernels naive,cublas,fused_simt,flash_mma,flash_sm90 \
  --out "$W/seed.jsonl" 2>&1 | tail -4
$CLI report "$W/seed.jsonl" --format md > "$W/seed.md" 2>&1; cp "$W/seed.md" "$OUT/"
cp "$W/seed.jsonl" "$OUT/"
stamp
tar czf "$OUT/call.tar.gz" -C "$W" .
