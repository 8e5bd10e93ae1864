#!/usr/bin/env bash
# One short device call: flash_sm90 as shipped on the seed's tier families (N >= 2048, fp16 and
# bf16, causal and not) beside PyTorch's cuDNN and FlashAttention-2 backends in the same call,
# plus the flash_sm90 GoogleTest suite. Packed programs and torch_baselines.py in $G:
#   G=.gpu-z bash scripts/gpu/sm90-seed-tiers.sh
set -uo pipefail
G=${G:-.gpu-z}
source "$(dirname "$0")/call-setup.sh"
timeout 60 $B/bin/kernels_tests --gtest_filter='*FlashSm90*' --gtest_brief=1 2>&1 | tail -2
nvidia-smi --query-gpu=name,uuid,clocks.sm,clocks.max.sm --format=csv
python3 - "$W" <<'PY'
import json, sys
fam = [(64, 12, 1), (64, 12, 8), (128, 12, 1), (256, 24, 2)]
timing = {"warmup_ms": 10, "min_samples": 5, "max_samples": 25, "target_rel_ci": 0.02, "max_cell_s": 0.3, "cache": "cold"}
tiers = [{"q_n": n, "head_dim": d, "heads": h, "batch": b} for d, h, b in fam for n in (2048, 4096, 8192, 16384)]
json.dump(dict(version=1, name="sm90-seed", kernels=["flash_sm90"], dtypes=["fp16", "bf16"], causal=[False, True],
               tiers=tiers, timing=timing, seed=0), open(f"{sys.argv[1]}/sm90-seed.json", "w"))
PY
timeout 120 $B/bin/attnsweep-cli run --spec "$W/sm90-seed.json" --backend cuda --in-process --quiet --out "$W/sm90-seed.jsonl" 2>&1 | tail -2
cp $G/torch_baselines.py "$W/"
( cd "$W" && PYTHONUNBUFFERED=1 OUT=$W BUDGET_S=80 SEQS=2048,4096,8192,16384 DTYPES=fp16,bf16 CAUSAL=0,1 PEAKS=0 \
    KERNELS=sdpa_cudnn,sdpa_flash timeout 110 python3 torch_baselines.py > torch.log 2>&1; echo "torch rc=$?" )
python3 scripts/gpu/summarize.py "$W/sm90-seed.jsonl" --baselines "$W/baselines.json" > "$OUT/summary.md" 2>&1
cp "$W/sm90-seed.jsonl" "$W/baselines.json" "$OUT/"
