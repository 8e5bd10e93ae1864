#!/usr/bin/env bash
# One device call for a flash_sm90 change that the harness cannot switch at run time: the
# GoogleTest suite, the harness check of every variant, then the previous build's harness
# ($G/flash_sm90_bench_old) and this build's alternately, twice each, as shipped, on the fa3-paper
# preset and on the seed's fp16 tiers with N <= 4096 (fa3-{old,new}-R.txt, seed-{old,new}-R.txt in $OUT).
# BUILDS lists the harnesses as NAME=PATH in the order each round runs them (default: old, then this
# build's as new); scripts/gpu/builds_compare.py puts the results side by side.
# Run from the repo root on the GPU machine with the packed programs in $G:
#   G=.gpu-x [BUILDS="new=/tmp/attnsweep-bundle/bin/flash_sm90_bench old=.gpu-x/flash_sm90_bench_old"] \
#     bash scripts/gpu/old-new-alternating.sh
set -uo pipefail
source "$(dirname "$0")/call-setup.sh"
SM90=$B/bin/flash_sm90_bench; OLD=$G/flash_sm90_bench_old
nvidia-smi --query-gpu=name,uuid,driver_version --format=csv
timeout 60 $B/bin/kernels_tests --gtest_filter='*FlashSm90*' --gtest_brief=1 > "$W/suite.log" 2>&1; echo "suite rc=$?"; tail -1 "$W/suite.log"
timeout 200 $SM90 check > "$OUT/sm90-check.txt" 2>&1; echo "check rc=$?"; tail -1 "$OUT/sm90-check.txt"
SEED=""
for dh in "64 12 1" "64 12 8" "128 12 1" "256 24 2"; do set -- $dh
  for n in 512 1024 2048 4096; do for c in 0 1; do SEED="$SEED shape=$3,$2,$n,$1,$c,fp16"; done; done; done
for rep in 1 2; do
  for build in ${BUILDS:-old=$OLD new=$SM90}; do
    who=${build%%=*}; bin=${build#*=}
    timeout 60 $bin time-nocheck > "$OUT/fa3-$who-$rep.txt" 2>&1; echo "fa3 $who $rep rc=$?"
    timeout 60 $bin time-nocheck $SEED > "$OUT/seed-$who-$rep.txt" 2>&1; echo "seed $who $rep rc=$?"
  done
  stamp
done
