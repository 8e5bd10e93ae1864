#!/usr/bin/env bash
# Configures and builds the Release preset into build/release: the CPU backend, the CUDA backend when
# nvcc exists, the desktop app and attnsweep-cli. Arguments name targets to build (default: all).
set -euo pipefail
cd "$(dirname "$0")/.."
# Configure quietly, but keep the lines that say what this build holds (and any error, on stderr).
cmake --preset release | { grep -E '^-- (attnsweep:|nvcc not found)' || true; }
targets=()
for t in "$@"; do targets+=(--target "$t"); done
cmake --build --preset release -j "$(nproc)" "${targets[@]}"
