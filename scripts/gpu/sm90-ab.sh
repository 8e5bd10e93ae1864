#!/usr/bin/env bash
# One short device call for a flash_sm90 change: the GoogleTest suite, the harness check of every
# variant, racecheck on the suite, then the harness's side-by-side MODE (default seed; ab: the
# fa3-paper preset; order: causal tile orders) and cuDNN on the seed tiers and the fa3-paper
# shapes, and (when packed) the previous build's harness beside this one's.
# Run from the repo root on the GPU machine with the packed programs in $G:
#   G=.gpu-x [MODE=seed] bash scripts/gpu/sm90-ab.sh
set -uo pipefail
source "$(dirname "$0")/call-setup.sh"
SM90=$B/bin/flash_sm90_bench
nvidia-smi --query-gpu=name,uuid,driver_version,clocks.sm,clocks.max.sm --format=csv
timeout 60 $B/bin/kernels_tests --gtest_filter='*FlashSm90*' --gtest_brief=1 2>&1 | tail -2
timeout 100 $SM90 check > "$W/sm90-check.txt" 2>&1; echo "check rc=$?"; tail -1 "$W/sm90-check.txt"
grep -E " (BAD|NaN|ERR) " "$W/sm90-check.txt" | head
timeout 120 /usr/local/cuda/bin/compute-sanitizer --tool racecheck --error-exitcode 9 $B/bin/kernels_tests --gtest_brief=1 \
  --gtest_filter='Gpu/FlashSm90Shapes.*' > "$W/racecheck.log" 2>&1
echo "racecheck rc=$?"; grep -E "RACECHECK SUMMARY|PASSED|FAILED" "$W/racecheck.log" | head -3
stamp
timeout 200 $SM90 "${MODE:-seed}" nocheck > "$W/sm90-${MODE:-seed}.txt" 2>&1; echo "${MODE:-seed} rc=$?"
stamp
( PYTHONUNBUFFERED=1 timeout 60 python3 kernels/cuda/flash_sm90/cudnn_same_call.py seed
  PYTHONUNBUFFERED=1 timeout 60 python3 kernels/cuda/flash_sm90/cudnn_same_call.py ) > "$W/cudnn.txt" 2>&1; echo "cudnn rc=$?"
stamp
cp "$W/sm90-${MODE:-seed}.txt" "$W/cudnn.txt" "$W/sm90-check.txt" "$OUT/"
sm90_before_after
