#!/usr/bin/env bash
# One device call that checks kernel changes before the full benchmark: every CUDA GPU test,
# compute-sanitizer on the changed kernels, the flash_sm90 harness (odd-shape checks of every
# variant, racecheck, every variant timed side by side on the fa3-paper shapes, cuDNN on the same
# shapes, the SASS of the loop), and a quick timing of our other kernels on a few tiers.
# Run from the repo root on the GPU machine with the packed programs in $G:
#   G=.gpu-x bash scripts/gpu/check-and-ab.sh
# Everything lands in $OUT/call.tar.gz; the summaries are also copied to $OUT.
set -uo pipefail
source "$(dirname "$0")/call-setup.sh"
SM90=$B/bin/flash_sm90_bench
nvidia-smi --query-gpu=name,uuid,driver_version,clocks.sm,clocks.max.sm --format=csv
echo "== GPU tests"
timeout 120 $B/bin/kernels_tests --gtest_filter='Cuda*:AllKernels/CudaKernelCheck*' --gtest_brief=1 > "$W/tests.log" 2>&1
echo "tests rc=$?"; tail -4 "$W/tests.log"; grep -E "FAILED" "$W/tests.log" | head -20
stamp
echo "== flash_sm90 check (every variant)"
timeout 120 $SM90 check > "$W/sm90-check.txt" 2>&1; echo "check rc=$?"; tail -3 "$W/sm90-check.txt"
grep -E " (BAD|NaN|ERR) " "$W/sm90-check.txt" | head
stamp
echo "== flash_sm90 racecheck (small shapes)"
timeout 60 /usr/local/cuda/bin/compute-sanitizer --tool racecheck --error-exitcode 9 $SM90 small > "$W/sm90-race.txt" 2>&1
echo "racecheck rc=$?"; tail -3 "$W/sm90-race.txt"
stamp
echo "== flash_sm90 variants side by side"
timeout 150 $SM90 ab > "$W/sm90-ab.txt" 2>&1; echo "ab rc=$?"
cp "$W/sm90-ab.txt" "$OUT/"
stamp
echo "== cuDNN, same shapes"
PYTHONUNBUFFERED=1 timeout 70 python3 kernels/cuda/flash_sm90/cudnn_same_call.py > "$W/cudnn.txt" 2>&1; echo "cudnn rc=$?"
cp "$W/cudnn.txt" "$OUT/"
stamp
echo "== SASS of the harness (flash_sm90 kernels)"
/usr/local/cuda/bin/cuobjdump -sass $SM90 2>/dev/null | gzip > "$W/sm90.sass.gz"; ls -la "$W/sm90.sass.gz"
echo "== our kernels, quick timing"
python3 - "$W" <<'PY'
import json, sys
w = sys.argv[1]
fam = [(64, 12, 1), (64, 12, 8), (128, 12, 1), (256, 24, 2)]
timing = {"warmup_ms": 10, "min_samples": 5, "max_samples": 20, "target_rel_ci": 0.03, "max_cell_s": 0.3, "cache": "cold"}
def tiers(ns, fams=fam): return [{"q_n": n, "head_dim": d, "heads": h, "batch": b} for d, h, b in fams for n in ns]
specs = {"q-cublas": dict(kernels=["cublas"], dtypes=["fp16", "fp32"], causal=[False], tiers=tiers([512, 1024, 16384])),
         "q-fmma": dict(kernels=["flash_mma"], dtypes=["fp16"], causal=[False, True], tiers=tiers([2048, 16384])),
         "q-simt": dict(kernels=["fused_simt"], dtypes=["fp32"], causal=[False], tiers=tiers([2048, 8192]))}
for name, s in specs.items():
    json.dump(dict(version=1, name=name, timing=timing, seed=0, **s), open(f"{w}/{name}.json", "w"))
PY
for s in q-cublas q-fmma q-simt; do
  timeout 100 $B/bin/attnsweep-cli run --spec "$W/$s.json" --backend cuda --in-process --quiet --out "$W/$s.jsonl" 2>&1 | tail -2
done
python3 scripts/gpu/summarize.py "$W"/q-*.jsonl > "$W/quick.md" 2>&1; cp "$W/quick.md" "$OUT/"
stamp
echo "== sanitizers on the changed kernels"
timeout 70 /usr/local/cuda/bin/compute-sanitizer --tool memcheck --error-exitcode 9 $B/bin/kernels_tests --gtest_brief=1 \
  --gtest_filter='AllKernels/CudaKernelCheck.*/cublas_*:AllKernels/CudaKernelCheck.*/fused_simt_*:AllKernels/CudaKernelCheck.*/flash_mma_fp16_*' \
  > "$W/memcheck.log" 2>&1; echo "memcheck rc=$?"; tail -3 "$W/memcheck.log"
stamp
timeout 60 /usr/local/cuda/bin/compute-sanitizer --tool racecheck --error-exitcode 9 $B/bin/kernels_tests --gtest_brief=1 \
  --gtest_filter='AllKernels/CudaKernelCheck.*/fused_simt_fp32_*:AllKernels/CudaKernelCheck.*/fused_simt_fp16_d64_*:AllKernels/CudaKernelCheck.*/flash_mma_fp16_d256_*' \
  > "$W/racecheck.log" 2>&1; echo "racecheck rc=$?"; tail -3 "$W/racecheck.log"
stamp
tar czf "$OUT/call.tar.gz" -C "$W" .
