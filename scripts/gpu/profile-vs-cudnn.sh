#!/usr/bin/env bash
# One device call that profiles flash_sm90 (the harness, shipped variant) and PyTorch's cuDNN SDPA on
# the same shapes with Nsight Compute (full section set, clocks left alone).
# Run from the repo root on the GPU machine with the packed programs in $G:
#   G=.gpu-x SHAPES="8,12,1024,64,0 16,32,1024,64,0" [DTYPE=fp16] bash scripts/gpu/profile-vs-cudnn.sh
# Each shape B,H,N,D,causal gives sm90-B-H-N-D-c and cudnn-B-H-N-D-c: a details page, a launch
# summary and per-instruction stall samples, in $OUT/profiles.tar.gz; stall totals in $OUT/stalls.txt.
set -uo pipefail
source "$(dirname "$0")/call-setup.sh"
DTYPE=${DTYPE:-fp16}
nvidia-smi --query-gpu=name,uuid,driver_version,clocks.sm,clocks.max.sm --format=csv

for shape in ${SHAPES:?}; do
  tag=${shape//,/-}
  ncu_profile "sm90-$tag" flash_fwd_sm90 "$B/bin/flash_sm90_bench" time "shape=$shape,$DTYPE"
  ncu_profile "cudnn-$tag" 'sdpa|fprop|cudnn' python3 scripts/gpu/torch_one.py run cudnn "$DTYPE" "$shape"
  stamp
done
python3 scripts/gpu/ncu_stalls.py "$W"/prof/*.sass.csv > "$OUT/stalls.txt" 2>&1; cat "$OUT/stalls.txt"
rm -f "$W"/prof/*.ncu-rep
tar -czf "$OUT/profiles.tar.gz" -C "$W" prof
