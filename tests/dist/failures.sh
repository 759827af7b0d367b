#!/usr/bin/env bash
# Multi-rank runs through `esvgd launch` on the loopback: a particle-parallel experiment equals one
# process, an experiment without multi-rank support is refused, a killed rank ends the job with one
# line naming it, and a rendezvous that nobody joins fails after its timeout.
#   failures.sh ESVGD DIST_RANKS
set -uo pipefail
esvgd=$1
ranks=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAILED: $*"; exit 1; }

echo "== c4-gaussians on 2 ranks equals 1 process"
args=(c4-gaussians --preset quick --set svgd.steps=300 --threads 1 --no-plot --quiet)
"$esvgd" run "${args[@]}" --out "$work/one" > /dev/null || fail "one process"
"$esvgd" launch --nproc 2 -- run "${args[@]}" --out "$work/two" > /dev/null || fail "two ranks"
/usr/bin/python3 - "$work/one" "$work/two" <<'PY' || fail "2 ranks differ from 1 process"
import glob, json, os, sys
import numpy as np
one, two = sys.argv[1:]
files = sorted(os.path.basename(f) for f in glob.glob(f"{one}/*.npy"))
assert files, "no particles written"
worst = max(np.abs(np.load(f"{one}/{f}") - np.load(f"{two}/{f}")).max() for f in files)
ranks = json.load(open(f"{two}/metrics.json"))["ranks"]
print(f"{len(files)} particle files, largest difference {worst:.1e}, ranks {ranks}")
assert worst < 1e-12 and ranks == 2
PY

echo "== an experiment that runs in one process is refused on 2 ranks"
out=$("$esvgd" launch --nproc 2 -- run jem-c4 --preset quick --out "$work/jem" 2>&1) && fail "jem-c4 ran on 2 ranks"
grep -q "this experiment runs in one process" <<< "$out" || fail "no clear error: $out"

echo "== a killed rank ends the job"
start=$SECONDS
out=$("$esvgd" launch --nproc 2 -- "$ranks" die 30 2>&1)
status=$?
echo "$out"
[ "$status" -ne 0 ] || fail "the job succeeded"
grep -q "esvgd launch: rank 1 was killed by signal 9" <<< "$out" || fail "the launcher did not name rank 1"
[ $((SECONDS - start)) -lt 25 ] || fail "took $((SECONDS - start)) s"

echo "== a rendezvous that nobody joins times out"
port=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
start=$SECONDS
out=$(RANK=0 WORLD_SIZE=2 MASTER_ADDR=127.0.0.1 MASTER_PORT=$port "$ranks" join 2 2>&1) && fail "joined alone"
echo "$out"
grep -q "rendezvous at 127.0.0.1:$port failed within 2 s" <<< "$out" || fail "no clear timeout error"
[ $((SECONDS - start)) -lt 15 ] || fail "took $((SECONDS - start)) s"
echo "failures.sh: OK"
