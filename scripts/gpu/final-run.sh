#!/usr/bin/env bash
# One device call that checks the whole product on GPUs: the seed preset through worker processes
# (every GPU of the machine), the seed's own PyTorch/Triton rows through the torch provider, the
# worker fault tests, the flash_sm90 suite, and the GUI's headless report export of the results.
# Run from the repo root on the GPU machine with the packed programs in .gpu-final:
#   bash scripts/gpu/final-run.sh
set -uo pipefail
G=.gpu-final
OUT=${OUT:-/tmp/out}
mkdir -p "$OUT"
log=$OUT/final.log
exec > >(tee -a "$log") 2>&1
nvidia-smi --query-gpu=index,name,uuid,driver_version,clocks.sm,clocks.max.sm --format=csv
bash $G/run.sh attnsweep-cli list devices | head -30   # also unpacks the bundle
B=/tmp/attnsweep-bundle
export LD_LIBRARY_PATH="$B/lib:/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}"
CLI=$B/bin/attnsweep-cli
t0=$(date +%s)
echo "== seed preset, workers on all GPUs"
timeout ${SEED_S:-200} $CLI run --preset seed --backend cuda --devices all \
  --kernels naive,cublas,fused_simt,flash_mma,flash_sm90 --out "$OUT/seed.jsonl"
echo "seed: $(( $(date +%s) - t0 )) s"
echo "== worker fault tests, flash_sm90 suite, two-GPU executor"
t1=$(date +%s)
ATTNSWEEP_CLI=$CLI timeout 150 $B/bin/kernels_tests --gtest_brief=1 \
  --gtest_filter='CudaFault*:*FlashSm90*:*flash_sm90*' 2>&1 | tail -15
echo "tests: $(( $(date +%s) - t1 )) s"
echo "== torch provider: the seed's own rows"
t2=$(date +%s)
PYTHONUNBUFFERED=1 timeout ${TORCH_S:-170} $CLI run --preset seed-torch --backend cuda --devices all \
  --kernels scaled_dot_prod_attention,vectorized_torch,vectorized_torch_compiled,flash_attention_triton,torch.sdpa_cudnn,torch.sdpa_flash \
  --out "$OUT/seed-torch.jsonl"
echo "torch: $(( $(date +%s) - t2 )) s"
echo "== headless report export"
if [ -x $B/bin/attnsweep ]; then
  bash $G/run.sh attnsweep --open "$OUT/seed.jsonl" --export-report /tmp/report && \
    tar czf "$OUT/report-seed.tar.gz" -C /tmp report
  bash $G/run.sh attnsweep --open "$OUT/seed-torch.jsonl" --export-report /tmp/report-torch && \
    tar czf "$OUT/report-torch.tar.gz" -C /tmp report-torch
fi
$CLI report "$OUT/seed.jsonl" --format md | tail -100
echo "total: $(( $(date +%s) - t0 )) s"
