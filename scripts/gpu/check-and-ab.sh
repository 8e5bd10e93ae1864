#!/usr/bin/env bash
# One device call that checks kernel changes before the full benchmark: every CUDA GPU test,
# memcheck on the flash_sm90 suite and flash_mma's d=256 cases, racecheck on a flash_sm90 shape with
# more tiles than SMs (SAN=0 skips both sanitizers), the flash_sm90 harness check (every variant),
# then flash_sm90's variants side by side on the seed's tiers (`bench_sm90 seed`) with cuDNN on the
# same shapes, the causal tile orders (`bench_sm90 order`), and, when $G/flash_sm90_bench_old is
# there, the previous build's harness beside this one's on the fa3-paper shapes.
# Run from the repo root on the GPU machine with the packed programs in $G:
#   G=.gpu-x [SAN=0] bash scripts/gpu/check-and-ab.sh
# Everything lands in $OUT/call.tar.gz; the summaries are also copied to $OUT.
set -uo pipefail
source "$(dirname "$0")/call-setup.sh"
SM90=$B/bin/flash_sm90_bench
SAN=/usr/local/cuda/bin/compute-sanitizer
nvidia-smi --query-gpu=name,uuid,driver_version,clocks.sm,clocks.max.sm --format=csv
echo "== GPU tests"
ATTNSWEEP_CLI=$B/bin/attnsweep-cli timeout 200 $B/bin/kernels_tests --gtest_filter='Cuda*:AllKernels/CudaKernelCheck*:*FlashSm90*' \
  --gtest_brief=1 > "$W/tests.log" 2>&1
echo "tests rc=$?"; tail -4 "$W/tests.log"; grep -E "FAILED" "$W/tests.log" | head -20
stamp
echo "== flash_sm90 check (every variant)"
timeout 120 $SM90 check > "$W/sm90-check.txt" 2>&1; echo "check rc=$?"; tail -1 "$W/sm90-check.txt"
grep -E " (BAD|NaN|ERR) " "$W/sm90-check.txt" | head
stamp
if [ "${SAN:-1}" != 0 ]; then
echo "== memcheck: flash_sm90 suite, flash_mma d=256; racecheck: flash_sm90 causal with more tiles than SMs"
timeout 150 $SAN --tool memcheck --error-exitcode 9 $B/bin/kernels_tests --gtest_brief=1 \
  --gtest_filter='*FlashSm90*:AllKernels/CudaKernelCheck.*/flash_mma_*_d256_*' > "$W/memcheck.log" 2>&1
echo "memcheck rc=$?"; grep -E "ERROR SUMMARY|PASSED|FAILED" "$W/memcheck.log" | head -4
timeout 100 $SAN --tool racecheck --error-exitcode 9 $B/bin/kernels_tests --gtest_brief=1 \
  --gtest_filter='Gpu/FlashSm90Shapes.*/fp16_b3h50q200k333d64causal' > "$W/racecheck.log" 2>&1
echo "racecheck rc=$?"; grep -E "RACECHECK SUMMARY|PASSED|FAILED" "$W/racecheck.log" | head -3
stamp
fi
echo "== flash_sm90 variants side by side on the seed tiers, then cuDNN"
timeout 180 $SM90 seed nocheck > "$W/sm90-seed.txt" 2>&1; echo "seed rc=$?"
PYTHONUNBUFFERED=1 timeout 90 python3 kernels/cuda/flash_sm90/cudnn_same_call.py seed > "$W/cudnn-seed.txt" 2>&1; echo "cudnn rc=$?"
cp "$W/sm90-seed.txt" "$W/cudnn-seed.txt" "$OUT/"
stamp
echo "== causal tile orders side by side"
timeout 150 $SM90 order nocheck > "$W/sm90-order.txt" 2>&1; echo "order rc=$?"; cp "$W/sm90-order.txt" "$OUT/"
stamp
sm90_before_after pe=1
tar czf "$OUT/call.tar.gz" -C "$W" .
