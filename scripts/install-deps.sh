#!/usr/bin/env bash
# Installs what AttnSweep needs from Debian's packages, only what is missing. Safe to run again.
# The CUDA Toolkit is not a Debian package here: when nvcc is absent the build says so and
# builds the CPU parts only.
set -euo pipefail
packages=(
  cmake ninja-build g++ pkg-config git
  nlohmann-json3-dev libcli11-dev libgtest-dev libgmock-dev
  qt6-base-dev qt6-charts-dev qt6-svg-dev libgl-dev
  fonts-dejavu-core xvfb xauth
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
if command -v nvcc >/dev/null 2>&1 || [ -x /usr/local/cuda/bin/nvcc ]; then
  echo "CUDA Toolkit: $( (command -v nvcc || echo /usr/local/cuda/bin/nvcc) )"
else
  echo "CUDA Toolkit: not found (the CPU backend and the GUI will be built)"
fi
