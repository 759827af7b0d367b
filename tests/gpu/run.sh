#!/bin/bash
# Builds tests/gpu/CMakeLists.txt against the CUDA LibTorch of `python3 -c "import torch"`, runs the
# CUDA path tests (tests/train/cuda_path_test.cpp; they skip without a GPU), then the rest of the
# kernel, sampler, model and train tests on that LibTorch. From the repository root:
#   tests/gpu/run.sh [BUILD_DIR]
# GTEST_SOURCE_DIR (googletest's sources) where the machine has no installed GoogleTest,
# NLOHMANN_INCLUDE_DIR where it has no nlohmann_json package.
set -uo pipefail
build=${1:-build-gpu}
python3 -c 'import torch; print("torch", torch.__version__, "CUDA available:", torch.cuda.is_available())' || exit 1
prefix=$(python3 -c 'import torch; print(torch.utils.cmake_prefix_path)')
cmake -S tests/gpu -B "$build" -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$prefix" \
  -DGTEST_SOURCE_DIR="${GTEST_SOURCE_DIR:-/usr/src/googletest}" \
  -DNLOHMANN_INCLUDE_DIR="${NLOHMANN_INCLUDE_DIR:-/usr/include}" || exit 1
cmake --build "$build" -j "$(nproc)" -- -k
[ -x "$build/test_train" ] || { echo "test_train: not built"; exit 1; }
"$build/test_train" --gtest_filter='CudaPath.*'  # the check itself, first
status=$?
for module in train sampler model kernel; do  # the same modules on this LibTorch, CPU tests included
  if [ -x "$build/test_$module" ]; then
    "$build/test_$module" --gtest_filter='-CudaPath.*' || status=1
  else
    echo "test_$module: not built"; status=1
  fi
done
exit $status
