#!/usr/bin/env bash
# One device call that checks and measures the CUDA kernels for the benchmark tables: the CUDA GPU
# tests (fault tests included), racecheck on the kernels whose synchronisation changed, the
# flash_sm90 harness (every variant checked, variants timed side by side, cuDNN on the same
# shapes), our kernels on the seed's tier families, and PyTorch's baselines in the same call.
# Run from the repo root on the GPU machine with the packed programs and torch_baselines.py in $G:
#   G=.gpu-x bash scripts/gpu/final-call.sh
# Everything lands in $OUT/call.tar.gz; the summaries are also copied to $OUT.
set -uo pipefail
source "$(dirname "$0")/call-setup.sh"
SM90=$B/bin/flash_sm90_bench
SAN=/usr/local/cuda/bin/compute-sanitizer
nvidia-smi --query-gpu=name,uuid,driver_version,clocks.sm,clocks.max.sm --format=csv | tee "$W/smi.txt"

echo "== GPU tests"
ATTNSWEEP_CLI=$B/bin/attnsweep-cli timeout 150 $B/bin/kernels_tests --gtest_filter='Cuda*:AllKernels/CudaKernelCheck*:*FlashSm90*' \
  --gtest_brief=1 > "$W/tests.log" 2>&1
echo "tests rc=$?"; tail -3 "$W/tests.log"; grep -E "FAILED" "$W/tests.log" | head -20
stamp
echo "== flash_sm90 check (every variant)"
timeout 90 $SM90 check > "$W/sm90-check.txt" 2>&1; echo "check rc=$?"; tail -1 "$W/sm90-check.txt"
grep -E " (BAD|NaN|ERR) " "$W/sm90-check.txt" | head
stamp
echo "== racecheck: fused_simt (cp.async double use of K/V buffers), flash_sm90 (3 consumer warpgroups)"
timeout 60 $SAN --tool racecheck --error-exitcode 9 $B/bin/kernels_tests --gtest_brief=1 \
  --gtest_filter='AllKernels/CudaKernelCheck.*/fused_simt_fp32_d128_causal:AllKernels/CudaKernelCheck.*/fused_simt_fp16_d64_full' \
  > "$W/race-simt.log" 2>&1; echo "racecheck fused_simt rc=$?"; tail -2 "$W/race-simt.log"
timeout 60 $SAN --tool racecheck --error-exitcode 9 $B/bin/kernels_tests --gtest_brief=1 --gtest_filter='Gpu/FlashSm90Shapes.*' \
  > "$W/race-sm90.log" 2>&1; echo "racecheck flash_sm90 rc=$?"; tail -2 "$W/race-sm90.log"
stamp
echo "== flash_sm90 variants side by side, cuDNN on the same shapes"
timeout 100 $SM90 ab > "$W/sm90-ab.txt" 2>&1; echo "ab rc=$?"; cp "$W/sm90-ab.txt" "$OUT/"
PYTHONUNBUFFERED=1 timeout 60 python3 kernels/cuda/flash_sm90/cudnn_same_call.py > "$W/cudnn.txt" 2>&1; echo "cudnn rc=$?"
cp "$W/cudnn.txt" "$OUT/"
stamp
echo "== our kernels on the seed's tier families"
python3 - "$W" <<'PY'
import json, sys
w = sys.argv[1]
fam = [(64, 12, 1), (64, 12, 8), (128, 12, 1), (256, 24, 2)]
timing = {"warmup_ms": 10, "min_samples": 5, "max_samples": 25, "target_rel_ci": 0.02, "max_cell_s": 0.3, "cache": "cold"}
def tiers(ns, fams=fam): return [{"q_n": n, "head_dim": d, "heads": h, "batch": b} for d, h, b in fams for n in ns]
all_n, long_n = [512, 1024, 2048, 4096, 8192, 16384], [2048, 4096, 8192, 16384]
specs = {
    "f-tensor": dict(kernels=["flash_mma", "flash_sm90"], dtypes=["fp16", "bf16"], causal=[False, True], tiers=tiers(long_n)),
    "f-cublas": dict(kernels=["cublas"], dtypes=["fp16", "bf16"], causal=[False, True], tiers=tiers(all_n)),
    "f-fp32": dict(kernels=["fused_simt", "cublas"], dtypes=["fp32"], causal=[False], tiers=tiers([2048, 8192, 16384])),
    "f-mma256": dict(kernels=["flash_mma"], dtypes=["fp16"], causal=[False, True], tiers=tiers(long_n, [(256, 24, 2)])),
}
for name, s in specs.items():
    json.dump(dict(version=1, name=name, timing=timing, seed=0, **s), open(f"{w}/{name}.json", "w"))
PY
for s in f-tensor f-cublas f-fp32; do
  timeout 110 $B/bin/attnsweep-cli run --spec "$W/$s.json" --backend cuda --in-process --quiet --out "$W/$s.jsonl" 2>&1 | tail -2
done
echo "flash_mma d=256 with 32-key tiles (experiment)"
ATTNSWEEP_FLASH_MMA_D256_BLOCK_N=32 timeout 40 $B/bin/attnsweep-cli run --spec "$W/f-mma256.json" --backend cuda --in-process \
  --quiet --out "$W/f-mma256-bn32.jsonl" 2>&1 | tail -2
stamp
echo "== torch baselines, same call"
cp $G/torch_baselines.py "$W/"
( cd "$W" && PYTHONUNBUFFERED=1 OUT=$W BUDGET_S=90 SEQS=512,1024,2048,4096,8192,16384 DTYPES=fp16,bf16 CAUSAL=0,1 \
    KERNELS=vectorized_torch,sdpa_flash,sdpa_cudnn timeout 120 python3 torch_baselines.py > torch.log 2>&1
  PYTHONUNBUFFERED=1 OUT=$W BUDGET_S=25 SEQS=2048,8192,16384 DTYPES=fp32 CAUSAL=0 PEAKS=0 NAME=baselines_fp32 \
    KERNELS=vectorized_torch,sdpa_efficient timeout 50 python3 torch_baselines.py >> torch.log 2>&1 )
python3 - "$W" <<'PY'
import json, sys, os
o = sys.argv[1]; a = json.load(open(f"{o}/baselines.json"))
if os.path.exists(f"{o}/baselines_fp32.json"):
    a["cells"] += json.load(open(f"{o}/baselines_fp32.json"))["cells"]
json.dump(a, open(f"{o}/baselines.json", "w"), indent=1)
PY
python3 scripts/gpu/summarize.py "$W"/f-tensor.jsonl "$W"/f-cublas.jsonl "$W"/f-fp32.jsonl --baselines "$W/baselines.json" \
  > "$W/summary.md" 2>&1; cp "$W/summary.md" "$OUT/"
stamp
tar czf "$OUT/call.tar.gz" -C "$W" .
