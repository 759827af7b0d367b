#!/usr/bin/env bash
# Installs esvgd into a scratch prefix, builds examples/custom_density against it with
# find_package(esvgd), and runs it: the user's path from `cmake --install` to their own program.
set -euo pipefail
src=$1
build=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cmake --install "$build" --prefix "$work/prefix" > "$work/install.log"
cmake -S "$src/examples/custom_density" -B "$work/example" -DCMAKE_PREFIX_PATH="$work/prefix" \
      -DCMAKE_BUILD_TYPE=Release > "$work/configure.log"
cmake --build "$work/example" -j 2 > "$work/build.log"
"$work/example/custom_density" | tee "$work/run.log"
grep -q "custom_density: OK" "$work/run.log"
