#!/usr/bin/env bash
# Judges a flash_sm90 change on a Hopper GPU in one run of under nine minutes. Two builds, each a
# folder holding bundle.tar.xz, a tar of bin/ (OLD: flash_sm90_bench; NEW: flash_sm90_bench and
# kernels_tests) and lib/ (the shared libraries they need beside CUDA's and the C/C++ runtime);
# then on the GPU machine:
#   1. NEW's flash_sm90 GoogleTest cases (every shipped kernel, odd shapes, strides, an allocation
#      failure as `oom`) and the harness's `check` (60 odd shapes, NaN-poisoned outputs);
#   2. compute-sanitizer on NEW: memcheck on the small-shape test cases, racecheck and synccheck on
#      four small shapes (one-tile d=64 and d=128, d=256, persistent causal d=64);
#   3. the SASS of both builds' kernels side by side (cuobjdump: registers, instructions, HGMMA,
#      MUFU, barriers, spills, instructions the same with their registers), and the d=64 kernels'
#      full listings of both builds in OUT/sass-d64.txt.gz;
#   4. the same tiers timed by OLD's and NEW's harness in alternating rounds (old-new, new-old, ...)
#      while the time allows (at most ROUNDS, default 5): the seed tiers (d, H, B = 64,12,1 /
#      64,12,8 / 128,12,1 / 256,24,2) and the FlashAttention-3 paper's (B*N = 16384, H*d = 2048),
#      N = 512..16384, fp16 and bf16, causal and not; compare_builds.py prints per tier NEW's time
#      over OLD's (the median of the rounds and their range) and the median over the tiers.
#
#   bash compare-builds.sh OLD_DIR NEW_DIR [OUT]      (OUT defaults to $OUT, else ./compare-out)
#
# Writes OUT/summary.txt (each step's verdict, the SASS table, the ratio table: what to read),
# OUT/sass-d64.txt.gz and OUT/logs.tar.gz (every raw output but the full SASS listings). Every step
# has a time limit, and the whole run stops its last timing round in time to finish within BUDGET
# seconds (default 510). compare_builds.py must lie beside this script.
set -uo pipefail
old_pack=${1:?usage: compare-builds.sh OLD_DIR NEW_DIR [OUT]}
new_pack=${2:?usage: compare-builds.sh OLD_DIR NEW_DIR [OUT]}
out=${3:-${OUT:-compare-out}}
max_rounds=${ROUNDS:-5}
budget=${BUDGET:-510}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out"
work=$(mktemp -d)
logs=$work/logs
mkdir -p "$logs" "$work/old" "$work/new"
summary=$out/summary.txt
: > "$summary"
say() { echo "$*" | tee -a "$summary"; }
step() { say "== $* (at ${SECONDS}s)"; }
# A step's time limit: its own cap, or what is left of the budget less `reserve` seconds (by
# default what one round of timing and the packing of the logs take).
limit() {
  local cap=$1 left=$((budget - SECONDS - ${2:-150}))
  ((left < 5)) && left=5
  echo $((cap < left ? cap : left))
}
finish() {
  step "done in ${SECONDS} s"
  tar czf "$out/logs.tar.gz" -C "$work" logs
  rm -rf "$work"
}
trap finish EXIT

tar xJf "$old_pack/bundle.tar.xz" -C "$work/old" || { say "cannot unpack $old_pack/bundle.tar.xz"; exit 2; }
tar xJf "$new_pack/bundle.tar.xz" -C "$work/new" || { say "cannot unpack $new_pack/bundle.tar.xz"; exit 2; }
cuda_lib=/usr/local/cuda/lib64
sanitizer=$(command -v compute-sanitizer || echo /usr/local/cuda/bin/compute-sanitizer)
cuobjdump=$(command -v cuobjdump || echo /usr/local/cuda/bin/cuobjdump)
# run BUILD SECONDS LOG PROGRAM ARGS...: a packed program with its libraries, stopped after SECONDS.
run() {
  local build=$1 seconds=$2 log=$3
  shift 3
  timeout -k 5 "$seconds" env LD_LIBRARY_PATH="$work/$build/lib:$cuda_lib" "$@" > "$log" 2>&1
}
clocks() {
  nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.max.sm,clocks.mem,temperature.gpu,power.draw --format=csv,noheader 2>&1
}

step "device"
say "$(clocks)"

step "1. tests and check (new build)"
run new "$(limit 150)" "$logs/tests.log" "$work/new/bin/kernels_tests" \
  --gtest_filter='*FlashSm90*:*Sm90KernelChoice*:*TileSchedule*' --gtest_brief=1
say "tests rc=$? (124: time limit)"
grep -E '^\[  (PASSED|FAILED|SKIPPED) ' "$logs/tests.log" | tee -a "$summary"
run new "$(limit 90)" "$logs/check.log" "$work/new/bin/flash_sm90_bench" check
say "check rc=$?: $(tail -1 "$logs/check.log"); rows not ok: $(grep -cE ' (BAD|NaN|ERR) ' "$logs/check.log")"

step "2. compute-sanitizer (new build)"
# Small shapes only (the sanitizers run the kernels many times slower); the allocation-failure
# case fills the GPU's memory, which the sanitizer's own bookkeeping needs.
memchecked='Gpu/FlashSm90Shapes.*:FlashSm90.StaysExact*:FlashSm90.TakesEveryCausalTile*:FlashSm90.Follows*:FlashSm90.Writes*:FlashSm90.Rejects*'
run new "$(limit 100)" "$logs/memcheck.log" "$sanitizer" --tool memcheck --error-exitcode 9 \
  "$work/new/bin/kernels_tests" --gtest_filter="$memchecked" --gtest_brief=1
say "memcheck rc=$? (9: errors, 124: time limit) on the small-shape cases: $(grep -E 'ERROR SUMMARY' "$logs/memcheck.log" | tail -1)"
small='Gpu/FlashSm90Shapes.*fp16_b2h3q77k300d64causal:Gpu/FlashSm90Shapes.*bf16_b1h2q300k77d128causal'
small="$small:Gpu/FlashSm90Shapes.*bf16_b1h2q129k1000d256full:Gpu/FlashSm90Shapes.*fp16_b3h50q200k333d64causal"
for tool in racecheck synccheck; do
  run new "$(limit 60)" "$logs/$tool.log" "$sanitizer" --tool $tool --error-exitcode 9 \
    "$work/new/bin/kernels_tests" --gtest_filter="$small" --gtest_brief=1
  say "$tool rc=$? on 4 small shapes: $(grep -E 'SUMMARY' "$logs/$tool.log" | tail -1)"
done

step "3. SASS of both builds (cuobjdump)"
# The full listings stay behind (too large to bring back) but for the d=64 kernels'; the table and
# the resource usage travel.
for build in old new; do
  timeout "$(limit 30)" "$cuobjdump" -sass "$work/$build/bin/flash_sm90_bench" > "$work/sass-$build.txt" 2>&1
  timeout "$(limit 30)" "$cuobjdump" -res-usage "$work/$build/bin/flash_sm90_bench" > "$logs/res-usage-$build.txt" 2>&1
done
python3 "$here/compare_builds.py" sass "$work/sass-old.txt" "$work/sass-new.txt" "$logs/res-usage-old.txt" "$logs/res-usage-new.txt" \
  > "$logs/sass-table.txt" 2>&1
tail -1 "$logs/sass-table.txt"
cat "$logs/sass-table.txt" >> "$summary"
for build in old new; do
  echo "===== $build build"
  python3 "$here/compare_builds.py" listing "$work/sass-$build.txt" 64
done | gzip > "$out/sass-d64.txt.gz"
say "d=64 listings of both builds: $(zcat "$out/sass-d64.txt.gz" | grep -c 'Function :') kernels in sass-d64.txt.gz"

step "4. the same tiers, old and new alternating"
shapes=()
for dt in fp16 bf16; do
  for c in 0 1; do
    for tier in "64 12 1" "64 12 8" "128 12 1" "256 24 2"; do
      read -r d h b <<< "$tier"
      for n in 512 1024 2048 4096 8192 16384; do shapes+=("shape=$b,$h,$n,$d,$c,$dt"); done
    done
    for d in 64 128 256; do
      for n in 512 1024 2048 4096 8192 16384; do shapes+=("shape=$((16384 / n)),$((2048 / d)),$n,$d,$c,$dt"); done
    done
  done
done
say "${#shapes[@]} tiers a run; clocks before: $(clocks)"
longest=0  # the longest run so far: a round starts only if two such runs fit
for ((r = 1; r <= max_rounds; r++)); do
  if ((r > 1 && SECONDS + 2 * longest + 20 > budget)); then
    say "round $r not started: ${SECONDS}s gone, runs take up to ${longest}s"
    break
  fi
  order="old new"
  ((r % 2 == 0)) && order="new old"
  for build in $order; do
    started=$SECONDS
    run $build "$(limit 150 15)" "$logs/time-$build-$r.txt" "$work/$build/bin/flash_sm90_bench" time-nocheck "${shapes[@]}"
    rc=$?
    took=$((SECONDS - started))
    ((took > longest)) && longest=$took
    say "round $r $build rc=$rc: $(grep -c '^one ' "$logs/time-$build-$r.txt") tiers in ${took}s"
  done
done
say "clocks after: $(clocks)"
python3 "$here/compare_builds.py" times "$logs" > "$logs/times-table.txt" 2>&1
cat "$logs/times-table.txt" >> "$summary"
grep -E '^(seed|fa3): median' "$logs/times-table.txt"
