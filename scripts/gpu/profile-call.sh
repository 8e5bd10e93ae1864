#!/usr/bin/env bash
# One device call that profiles our tensor-core kernels beside PyTorch's on the same shapes with
# Nsight Compute (full section set, clocks left alone), plus the GPU tests whose code changed.
# Run from the repo root on the GPU machine with the packed programs in $G:
#   G=.gpu-x bash scripts/gpu/profile-call.sh
# Each profile becomes a details page and a SASS page with stall samples (text) in $OUT/profiles.tar.gz.
set -uo pipefail
source "$(dirname "$0")/call-setup.sh"
SM90=$B/bin/flash_sm90_bench
nvidia-smi --query-gpu=name,uuid,driver_version,clocks.sm,clocks.max.sm --format=csv

echo "== GPU tests (flash_sm90 suite, cublas)"
ATTNSWEEP_CLI=$B/bin/attnsweep-cli timeout 120 $B/bin/kernels_tests --gtest_filter='*FlashSm90*:*cublas*:*Cublas*' --gtest_brief=1 \
  > "$W/tests.log" 2>&1; echo "tests rc=$?"; tail -3 "$W/tests.log"; grep FAILED "$W/tests.log" | head
stamp

python3 - "$W" <<'PY'
import json, sys
timing = {"warmup_ms": 1, "min_samples": 3, "max_samples": 3, "target_rel_ci": 0.5, "max_cell_s": 1, "cache": "cold"}
spec = dict(version=1, name="one", timing=timing, seed=0, kernels=["flash_mma"], dtypes=["fp16"], causal=[False],
            tiers=[{"q_n": 4096, "head_dim": 256, "heads": 24, "batch": 2}])
json.dump(spec, open(sys.argv[1] + "/mma256.json", "w"))
PY
ncu_profile mma-d256 flash_fwd $B/bin/attnsweep-cli run --spec "$W/mma256.json" --backend cuda --in-process --quiet --out "$W/mma.jsonl"
ncu_profile fa2-d256 flash_fwd_kernel python3 scripts/gpu/torch_one.py run flash fp16 2,24,4096,256,0
ncu_profile sm90-d128 'flash_fwd_sm90' $SM90 time shape=4,16,4096,128,0,fp16
ncu_profile cudnn-d128 'sdpa|fprop|cudnn' python3 scripts/gpu/torch_one.py run cudnn fp16 4,16,4096,128,0
ncu_profile sm90-d256 'flash_fwd_sm90' $SM90 time shape=2,24,4096,256,0,fp16
ncu_profile cudnn-d256 'sdpa|fprop|cudnn' python3 scripts/gpu/torch_one.py run cudnn fp16 2,24,4096,256,0
ncu_profile sm90-d128-n2k 'flash_fwd_sm90' $SM90 time shape=1,12,2048,128,0,fp16
ncu_profile cudnn-d128-n2k 'sdpa|fprop|cudnn' python3 scripts/gpu/torch_one.py run cudnn fp16 1,12,2048,128,0
stamp
echo "== flash_sm90 on the seed tiers"
timeout 120 $SM90 seed nocheck > "$W/sm90-seed.txt" 2>&1; echo "seed rc=$?"; cp "$W/sm90-seed.txt" "$OUT/"
PYTHONUNBUFFERED=1 timeout 90 python3 kernels/cuda/flash_sm90/cudnn_same_call.py seed > "$W/cudnn-seed.txt" 2>&1; echo "cudnn rc=$?"; cp "$W/cudnn-seed.txt" "$OUT/"
stamp
rm -f "$W"/prof/*.ncu-rep
tar -czf "$OUT/profiles.tar.gz" -C "$W" prof tests.log
ls -la "$OUT"
