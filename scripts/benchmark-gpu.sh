#!/usr/bin/env bash
# Measures the GPU tables of docs/benchmarks.md on this machine and writes a report of each:
#   1. builds the release preset (CUDA, the app when Qt is present);
#   2. runs each sweep below through attnsweep-cli on every GPU (one worker process each);
#   3. exports each result file as a report folder: report.md/.csv/.json/.html, and with the app
#      built the pictures too.
# The torch provider's kernels (seed-torch, and cuDNN and FlashAttention-2 in seed-tiers-vs-cudnn)
# need python3 with PyTorch and Triton on PATH; without them their cells come back `unsupported`,
# with the reason (a sweep of only such cells exits 3, having measured nothing), and the rest still
# runs.
#   scripts/benchmark-gpu.sh [OUT]      (default: out/benchmarks-<UTC time>; nothing else is written)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-out/benchmarks-$(date -u +%Y%m%dT%H%M%SZ)}
scripts/build.sh
cli=build/release/engine/attnsweep-cli
app=build/release/gui/attnsweep
if ! "$cli" list devices | grep -q '^cuda:'; then
  echo "benchmark-gpu: no CUDA device here (attnsweep-cli list devices); nothing measured" >&2
  exit 1
fi
mkdir -p "$out"
"$cli" list devices > "$out/devices.txt"
nvidia-smi > "$out/nvidia-smi.txt" 2>&1 || true

# Each line: a name, then what to run: a preset with the arguments that adapt it, or a spec file.
while read -r name how; do
  results=$out/$name.jsonl
  echo "== $name"
  # shellcheck disable=SC2086  # $how is several arguments
  "$cli" run $how --backend cuda --devices all --out "$results" || [ $? -eq 3 ]
  if [ -x "$app" ]; then
    QT_QPA_PLATFORM=offscreen "$app" --open "$results" --export-report "$out/$name"
  else
    mkdir -p "$out/$name"
    for format in md csv json html; do "$cli" report "$results" --format $format -o "$out/$name/report.$format"; done
  fi
done <<'RUNS'
seed --preset seed --kernels naive,cublas,fused_simt,flash_mma,flash_sm90
seed-torch --preset seed-torch
seed-tiers-vs-cudnn --spec bench/specs/seed-tiers-vs-cudnn.json
fa3-paper --preset fa3-paper
RUNS
echo "results and reports: $out/"
