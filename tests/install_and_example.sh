#!/usr/bin/env bash
# Installs esvgd into a scratch prefix, builds every program of examples/ against it with
# find_package(esvgd), and runs each: the user's path from `cmake --install` to their own program.
# Each example prints "<name>: OK" when its checks pass. Where the Python package was built, every
# program of examples/python runs on the package installed in the prefix. The examples' own code is
# compiled at -O1 (the installed library keeps its -O3): what is tested is that they build and run.
set -euo pipefail
src=$1
build=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cmake --install "$build" --prefix "$work/prefix" > "$work/install.log"
cmake -S "$src/examples" -B "$work/examples" -DCMAKE_PREFIX_PATH="$work/prefix" \
      -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_FLAGS_RELEASE="-O1 -DNDEBUG" > "$work/configure.log"
cmake --build "$work/examples" -j 2 > "$work/build.log" || { cat "$work/build.log"; exit 1; }
for dir in "$src"/examples/*/; do
  name=$(basename "$dir")
  [ "$name" = python ] && continue
  echo "== $name"
  start=$SECONDS
  "$work/examples/$name/$name" | tee "$work/$name.log"
  grep -q "^$name: OK" "$work/$name.log"
  echo "($name: $((SECONDS - start)) s)"
done
if ls "$build"/python/esvgd/_core*.so > /dev/null 2>&1; then
  site=$(ls -d "$work"/prefix/lib/python3*/dist-packages)
  for example in "$src"/examples/python/*.py; do
    name=$(basename "$example" .py)
    echo "== python: $name (installed package)"
    (cd "$work" && PYTHONPATH="$site" OMP_NUM_THREADS=1 /usr/bin/python3 "$example" | tee "$work/py-$name.log")
    grep -q "^$name: OK" "$work/py-$name.log"
  done
fi
