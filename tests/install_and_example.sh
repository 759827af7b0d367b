#!/usr/bin/env bash
# Installs esvgd into a scratch prefix, builds every program of examples/ against it with
# find_package(esvgd), and runs each: the user's path from `cmake --install` to their own program.
# Each example prints "<name>: OK" when its checks pass.
set -euo pipefail
src=$1
build=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cmake --install "$build" --prefix "$work/prefix" > "$work/install.log"
cmake -S "$src/examples" -B "$work/examples" -DCMAKE_PREFIX_PATH="$work/prefix" \
      -DCMAKE_BUILD_TYPE=Release > "$work/configure.log"
cmake --build "$work/examples" -j 2 > "$work/build.log" || { cat "$work/build.log"; exit 1; }
for dir in "$src"/examples/*/; do
  name=$(basename "$dir")
  echo "== $name"
  start=$SECONDS
  "$work/examples/$name/$name" | tee "$work/$name.log"
  grep -q "^$name: OK" "$work/$name.log"
  echo "($name: $((SECONDS - start)) s)"
done
