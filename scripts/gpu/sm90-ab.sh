#!/usr/bin/env bash
# One short device call for a flash_sm90 change: the GoogleTest suite, the harness check of every
# variant, racecheck on the suite and on the harness variants in RACE (one `time shape=...` argument
# list per entry, separated by ';'), then the harness's side-by-side MODES (default seed; ab: the
# fa3-paper preset; order: causal tile orders) and cuDNN on the seed tiers and the fa3-paper
# shapes, and (when packed) the previous build's harness beside this one's.
# Run from the repo root on the GPU machine with the packed programs in $G:
#   G=.gpu-x [MODES="seed ab"] [RACE="shape=2,3,333,128,0,fp16 wg=3 pe=0;..."] bash scripts/gpu/sm90-ab.sh
set -uo pipefail
source "$(dirname "$0")/call-setup.sh"
SM90=$B/bin/flash_sm90_bench
nvidia-smi --query-gpu=name,uuid,driver_version,clocks.sm,clocks.max.sm --format=csv
timeout 60 $B/bin/kernels_tests --gtest_filter='*FlashSm90*' --gtest_brief=1 > "$W/suite.log" 2>&1
rc=$?; tail -2 "$W/suite.log"
if [ $rc = 124 ]; then echo "the suite timed out (a hang?): stopping here"; exit 1; fi
timeout 400 $SM90 check > "$W/sm90-check.txt" 2>&1; echo "check rc=$?"; tail -1 "$W/sm90-check.txt"
grep -E " (BAD|NaN|ERR) " "$W/sm90-check.txt" | head
timeout 120 /usr/local/cuda/bin/compute-sanitizer --tool racecheck --error-exitcode 9 $B/bin/kernels_tests --gtest_brief=1 \
  --gtest_filter='Gpu/FlashSm90Shapes.*' > "$W/racecheck.log" 2>&1
echo "racecheck rc=$?"; grep -E "RACECHECK SUMMARY|PASSED|FAILED" "$W/racecheck.log" | head -3
head -c 200000 "$W/racecheck.log" > "$OUT/racecheck.log"
IFS=';' read -ra races <<< "${RACE:-}"
for args in "${races[@]}"; do
  # shellcheck disable=SC2086  # one entry is several arguments
  timeout 120 /usr/local/cuda/bin/compute-sanitizer --tool racecheck --error-exitcode 9 $SM90 time $args > "$W/race-variant.log" 2>&1
  echo "racecheck [$args] rc=$?"; grep -E "RACECHECK SUMMARY| (ok|BAD|NaN|ERR) " "$W/race-variant.log" | head -3
  head -c 200000 "$W/race-variant.log" >> "$OUT/racecheck-variants.log"
done
stamp
for mode in ${MODES:-seed}; do
  timeout 200 $SM90 "$mode" nocheck > "$W/sm90-$mode.txt" 2>&1; echo "$mode rc=$?"
  cp "$W/sm90-$mode.txt" "$OUT/"
  stamp
done
( PYTHONUNBUFFERED=1 timeout 60 python3 kernels/cuda/flash_sm90/cudnn_same_call.py seed
  PYTHONUNBUFFERED=1 timeout 60 python3 kernels/cuda/flash_sm90/cudnn_same_call.py ) > "$W/cudnn.txt" 2>&1; echo "cudnn rc=$?"
stamp
cp "$W/cudnn.txt" "$W/sm90-check.txt" "$OUT/"
sm90_before_after
