#!/usr/bin/env bash
# One device call for issue 3: GPU tests, memcheck on a small filter, our kernels on the benchmark
# specs, the torch baselines, and a summary table last. Run from the repo root on the GPU machine
# with the packed programs in $G (default .gpu-h4; see /work/shared/gpu/README.md):
#   [G=.gpu-x] [NS=2048,8192,16384] bash scripts/gpu/run-h4.sh [tests|bench|torch|all]...
set -uo pipefail
modes=" ${*:-all} "
wants() { [[ $modes == *" $1 "* || $modes == *" all "* ]]; }
G=${G:-.gpu-h4}
OUT=${OUT:-/tmp/out}
mkdir -p "$OUT"
nvidia-smi --query-gpu=name,uuid,driver_version,clocks.sm,clocks.max.sm,clocks.mem,power.limit,temperature.gpu --format=csv > "$OUT/smi.txt"
cat "$OUT/smi.txt"
bash $G/run.sh kernels_tests --gtest_list_tests >/dev/null 2>&1 || true  # unpacks the bundle
B=/tmp/attnsweep-bundle
export LD_LIBRARY_PATH="$B/lib:/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}"
if wants tests; then
  echo "== GPU tests"
  timeout 240 $B/bin/kernels_tests --gtest_filter='Cuda*:AllKernels/CudaKernelCheck*' --gtest_brief=1 2>&1 | tee "$OUT/tests.log" | tail -25
  echo "== memcheck"
  # The oom test is left out: its deliberate failed cudaMalloc counts as an API error here.
  timeout 100 /usr/local/cuda/bin/compute-sanitizer --tool memcheck --error-exitcode 9 $B/bin/kernels_tests --gtest_brief=1 \
    --gtest_filter='AllKernels/CudaKernelCheck.*/flash_mma_*:AllKernels/CudaKernelCheck.*/*_fp16_d64_causal:AllKernels/CudaKernelCheck.*/fused_simt_fp32_*:AllKernels/CudaKernelCheck.*/cublas_bf16_d128_full:CudaDevice*:-*AnAllocationTooLarge*' \
    > "$OUT/memcheck.log" 2>&1; echo "memcheck rc=$?"; tail -6 "$OUT/memcheck.log"
  echo "== memcheck (cublas) and racecheck (fused_simt, flash_mma)"
  timeout 80 /usr/local/cuda/bin/compute-sanitizer --tool memcheck --error-exitcode 9 $B/bin/kernels_tests --gtest_brief=1 \
    --gtest_filter='AllKernels/CudaKernelCheck.*/cublas_*' > "$OUT/memcheck-cublas.log" 2>&1
  echo "memcheck cublas rc=$?"; tail -3 "$OUT/memcheck-cublas.log"
  timeout 120 /usr/local/cuda/bin/compute-sanitizer --tool racecheck --error-exitcode 9 $B/bin/kernels_tests --gtest_brief=1 \
    --gtest_filter='AllKernels/CudaKernelCheck.*/fused_simt_*_d64_*:AllKernels/CudaKernelCheck.*/fused_simt_fp32_d256_*:AllKernels/CudaKernelCheck.*/flash_mma_fp16_d256_*' \
    > "$OUT/racecheck.log" 2>&1; echo "racecheck rc=$?"; tail -3 "$OUT/racecheck.log"
fi
if wants bench; then
  echo "== our kernels"
  python3 scripts/gpu/make_specs.py /tmp
  for s in h4-tensor h4-fp32; do
    timeout ${BENCH_S:-200} $B/bin/attnsweep-cli run --spec /tmp/$s.json --backend cuda --in-process --quiet --out "$OUT/$s.jsonl" 2>&1 | tail -3
  done
fi
if wants torch; then
  echo "== torch baselines"
  PYTHONUNBUFFERED=1 BUDGET_S=${BUDGET_S:-100} SEQS=${NS:-2048,8192,16384} DTYPES=fp16,bf16 CAUSAL=0,1 \
    KERNELS=vectorized_torch,sdpa_flash,sdpa_cudnn,triton_fa2 timeout 150 python3 $G/torch_baselines.py > "$OUT/torch.log" 2>&1
  PYTHONUNBUFFERED=1 BUDGET_S=30 SEQS=${NS:-2048,8192,16384} DTYPES=fp32 CAUSAL=0 PEAKS=0 NAME=baselines_fp32 \
    KERNELS=vectorized_torch,sdpa_efficient timeout 70 python3 $G/torch_baselines.py >> "$OUT/torch.log" 2>&1
  python3 - "$OUT" <<'PY'
import json, sys, os
o = sys.argv[1]; a = json.load(open(f"{o}/baselines.json")); b = json.load(open(f"{o}/baselines_fp32.json"))
a["cells"] += b["cells"]; json.dump(a, open(f"{o}/baselines.json", "w"), indent=1); os.remove(f"{o}/baselines_fp32.json")
PY
fi
ls "$OUT"/h4-*.jsonl >/dev/null 2>&1 && python3 scripts/gpu/summarize.py "$OUT"/h4-*.jsonl \
  $( [ -e "$OUT/baselines.json" ] && echo --baselines "$OUT/baselines.json") | tee "$OUT/summary.md"
