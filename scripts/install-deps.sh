#!/usr/bin/env bash
# Installs the Debian packages esvgd needs, only those missing (needs root or sudo).
# libopenblas0-openmp: torch's matmuls are ~30x slower with the reference BLAS (docs/toolchain).
# clang-14 and libclang-rt-14-dev: libFuzzer and its sanitizer runtimes, for the fuzzers in fuzz/.
# python3-dev, pybind11-dev: the Python package (python/); python3-pytest, python3-matplotlib: its tests and figures.
set -euo pipefail
packages=(build-essential cmake pkg-config ccache libtorch-dev libgloo-dev libopenblas0-openmp nlohmann-json3-dev
          libcairo2-dev libgtest-dev libbenchmark-dev python3-numpy python3-torch
          librdkit-dev libboost-dev zlib1g-dev dataset-fashion-mnist
          python3-dev pybind11-dev python3-pytest python3-matplotlib
          clang-14 libclang-rt-14-dev)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing: ${missing[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends "${missing[@]}"
