#!/usr/bin/env bash
# One command: install what is missing, build, run every test (GPU tests skip without a GPU;
# GUI tests run on Qt's offscreen platform).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
export QT_QPA_PLATFORM=offscreen
ctest --preset release -j "$(nproc)"
