#!/usr/bin/env bash
# One device call that measures the tensor-core kernels for the benchmark tables: the CUDA GPU tests
# and memcheck on the flash_sm90 suite, flash_sm90's harness as shipped against the previous build's harness on the
# fa3-paper shapes (when $G/flash_sm90_bench_old is there: a same-card before/after), flash_mma
# and flash_sm90 through the CLI on the seed's tier families, PyTorch's FlashAttention-2 and cuDNN
# backends on the same tiers in the same call, and the seed preset through worker processes (every
# kernel; the GUI's bundled sample results).
# Run from the repo root on the GPU machine with the packed programs and torch_baselines.py in $G:
#   G=.gpu-x [KERNELS=flash_sm90] [SEED_PRESET=0] bash scripts/gpu/final-call.sh
# (KERNELS: the kernels timed on the tier families, default flash_mma,flash_sm90; SEED_PRESET=0 skips
# the seed preset.)
# Everything lands in $OUT/call.tar.gz; the summaries are also copied to $OUT.
set -uo pipefail
source "$(dirname "$0")/call-setup.sh"
SM90=$B/bin/flash_sm90_bench
nvidia-smi --query-gpu=name,uuid,driver_version,clocks.sm,clocks.max.sm --format=csv | tee "$W/smi.txt"
echo "== CUDA GPU tests (every kernel, shipped dispatch); memcheck on the flash_sm90 suite"
ATTNSWEEP_CLI=$B/bin/attnsweep-cli timeout 240 $B/bin/kernels_tests --gtest_filter='Cuda*:AllKernels/CudaKernelCheck*:*FlashSm90*' \
  --gtest_brief=1 > "$W/gpu-tests.log" 2>&1; echo "gpu tests rc=$?"; grep -E "tests ran|PASSED|SKIPPED|FAILED" "$W/gpu-tests.log" | head -6
timeout 150 /usr/local/cuda/bin/compute-sanitizer --tool memcheck --error-exitcode 9 $B/bin/kernels_tests --gtest_brief=1 \
  --gtest_filter='*FlashSm90*' > "$W/memcheck.log" 2>&1
echo "memcheck rc=$?"; grep -E "ERROR SUMMARY|PASSED|FAILED" "$W/memcheck.log" | head -3
stamp

sm90_before_after

echo "== our tensor-core kernels on the seed's tier families"
KERNELS=${KERNELS:-flash_mma,flash_sm90} python3 - "$W" <<'PY'
import json, os, sys
fam = [(64, 12, 1), (64, 12, 8), (128, 12, 1), (256, 24, 2)]
timing = {"warmup_ms": 10, "min_samples": 5, "max_samples": 25, "target_rel_ci": 0.02, "max_cell_s": 0.3, "cache": "cold"}
tiers = [{"q_n": n, "head_dim": d, "heads": h, "batch": b} for d, h, b in fam for n in (512, 1024, 2048, 4096, 8192, 16384)]
json.dump(dict(version=1, name="f-tensor", timing=timing, seed=0, kernels=os.environ["KERNELS"].split(","), dtypes=["fp16", "bf16"],
               causal=[False, True], tiers=tiers), open(f"{sys.argv[1]}/f-tensor.json", "w"))
PY
timeout 200 $B/bin/attnsweep-cli run --spec "$W/f-tensor.json" --backend cuda --in-process --quiet --out "$W/f-tensor.jsonl" 2>&1 | tail -2
stamp
echo "== torch baselines, same call"
cp $G/torch_baselines.py "$W/"
( cd "$W" && PYTHONUNBUFFERED=1 OUT=$W BUDGET_S=110 SEQS=512,1024,2048,4096,8192,16384 DTYPES=fp16,bf16 CAUSAL=0,1 \
    KERNELS=sdpa_flash,sdpa_cudnn timeout 150 python3 torch_baselines.py > torch.log 2>&1; echo "torch rc=$?" )
python3 scripts/gpu/summarize.py "$W"/f-tensor.jsonl --baselines "$W/baselines.json" > "$W/summary.md" 2>&1
cp "$W/summary.md" "$W/f-tensor.jsonl" "$W/baselines.json" "$OUT/"
stamp
if [ "${SEED_PRESET:-1}" != 0 ]; then
echo "== seed preset through workers"
timeout 260 $B/bin/attnsweep-cli run --preset seed --backend cuda --devices all --kernels naive,cublas,fused_simt,flash_mma,flash_sm90 --out "$W/seed.jsonl" 2>&1 | tail -3
cp "$W/seed.jsonl" "$OUT/"
stamp
fi
tar czf "$OUT/call.tar.gz" -C "$W" .
