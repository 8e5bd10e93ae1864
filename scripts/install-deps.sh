#!/usr/bin/env bash
# Installs what AttnSweep needs from Debian 12's packages, only what is missing, with apt-get
# (through sudo when not run as root). Safe to run again. This list is the one place that names
# system packages.
#
# The CUDA Toolkit is not a Debian package: when nvcc is absent the build says so and builds the
# CPU backend, the desktop app and attnsweep-cli.
set -euo pipefail
packages=(
  # build tools
  cmake ninja-build g++ pkg-config git
  # engine and tests
  nlohmann-json3-dev libcli11-dev libgtest-dev libgmock-dev
  # the desktop app: Qt 6 Widgets, Charts (which needs Qt6OpenGL, only a Recommends of
  # qt6-base-dev) and Svg, with the OpenGL headers Qt6Gui's CMake files look for
  qt6-base-dev qt6-charts-dev qt6-svg-dev libqt6opengl6-dev libgl-dev
  # the fonts pictures are drawn with
  fonts-dejavu-core
  # the Debian package (cpack -G DEB): dpkg-shlibdeps declares the libraries the programs link
  dpkg-dev
  # one sweep over many processes, GPUs and hosts (mpirun -np N attnsweep-cli run ...)
  libopenmpi-dev openmpi-bin
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  $sudo_cmd env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "install-deps: every Debian package is installed"
fi
if command -v nvcc >/dev/null 2>&1 || [ -x /usr/local/cuda/bin/nvcc ]; then
  echo "install-deps: CUDA Toolkit at $( (command -v nvcc || echo /usr/local/cuda/bin/nvcc) )"
else
  echo "install-deps: CUDA Toolkit not found (the CPU backend, the desktop app and the CLI are built)"
fi
