#!/usr/bin/env bash
# One device call that records flash_sm90 timelines (kernels/cuda/flash_sm90/sm90_trace.h) and says
# where each traced launch's time goes (trace_summary.py). Needs the harness of a trace build packed
# as $G/flash_sm90_bench_trace (cmake -DCMAKE_CUDA_FLAGS=-DATTNSWEEP_SM90_TRACE; ninja flash_sm90_bench).
# Run from the repo root on the GPU machine with the packed programs in $G:
#   G=.gpu-x TRACES="shape=32,32,512,64,1,fp16;shape=32,32,512,64,1,fp16 tt=0" bash scripts/gpu/trace.sh
# Writes $OUT/trace-N.csv.gz (the records) and $OUT/trace-summary.txt.
set -uo pipefail
source "$(dirname "$0")/call-setup.sh"
nvidia-smi --query-gpu=name,uuid,driver_version,clocks.sm,clocks.max.sm --format=csv
IFS=';' read -ra traces <<< "${TRACES:?}"
n=0
for args in "${traces[@]}"; do
  n=$((n + 1))
  # shellcheck disable=SC2086  # one entry is several arguments
  timeout 120 "$G/flash_sm90_bench_trace" trace $args out="$W/trace-$n.csv"; echo "trace $n [$args] rc=$?"
  python3 scripts/gpu/trace_summary.py "$W/trace-$n.csv" >> "$W/trace-summary.txt" 2>&1
  gzip -c "$W/trace-$n.csv" > "$OUT/trace-$n.csv.gz"
done
cp "$W/trace-summary.txt" "$OUT/"
cat "$W/trace-summary.txt"
stamp
