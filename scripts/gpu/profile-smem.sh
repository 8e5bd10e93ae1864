#!/usr/bin/env bash
# One short device call: Nsight Compute's throughput, memory, scheduler and warp-stall sections
# (shared-memory and tensor-pipe utilisation, why warps wait) for flash_sm90 and PyTorch's cuDNN path
# on one shape.
# Run from the repo root on the GPU machine with the packed programs in $G:
#   G=.gpu-x [SHAPE=2,24,2048,256,0,fp16] bash scripts/gpu/profile-smem.sh
# The details pages land in $OUT (sm90.details.txt, cudnn.details.txt).
set -uo pipefail
source "$(dirname "$0")/call-setup.sh"
NCU=${NCU:-$(command -v ncu || echo /usr/local/cuda/bin/ncu)}
SHAPE=${SHAPE:-2,24,2048,256,0,fp16}
IFS=, read -r b h n d c dt <<< "$SHAPE"
nvidia-smi --query-gpu=name,uuid,driver_version --format=csv
sections=(--section SpeedOfLight --section ComputeWorkloadAnalysis --section MemoryWorkloadAnalysis
          --section MemoryWorkloadAnalysis_Tables --section LaunchStats --section SchedulerStats --section WarpStateStats)
# profile NAME KERNEL_REGEX COMMAND...: the third launch matching the regex.
profile() {
  local name=$1 regex=$2; shift 2
  timeout 150 "$NCU" --clock-control none "${sections[@]}" -k "regex:$regex" --launch-skip 2 --launch-count 1 \
    --page details "$@" > "$OUT/$name.details.txt" 2>&1
  echo "$name rc=$?"
  grep -E "Duration|Shared Memory|Tensor|Compute \(SM\) Throughput|Memory Throughput|DRAM Throughput|Issue Slots|Warp Cycles Per Issued" \
    "$OUT/$name.details.txt" | head -16
  stamp
}
profile sm90 flash_fwd_sm90 "$B/bin/flash_sm90_bench" time "shape=$SHAPE"
profile cudnn 'sdpa|fprop|cudnn' python3 scripts/gpu/torch_one.py run cudnn "$dt" "$b,$h,$n,$d,$c"
