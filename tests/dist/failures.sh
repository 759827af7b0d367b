#!/usr/bin/env bash
# Multi-rank runs through `esvgd launch` on the loopback: a particle-parallel experiment equals one
# process, a data-parallel training run matches one process and resumes after Ctrl-C, an experiment
# without multi-rank support is refused, a killed rank ends the job with one
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

echo "== jem-c4 trained data-parallel on 2 ranks matches 1 process"
jem=(jem-c4 --preset quick --set train.batch_size=30 --threads 1 --no-plot --quiet)
args=("${jem[@]}" --set train.epochs=3)
"$esvgd" run "${args[@]}" --out "$work/jem1" > /dev/null 2>&1 || fail "one process"
"$esvgd" launch --nproc 2 -- run "${args[@]}" --out "$work/jem2" > /dev/null 2>&1 || fail "two ranks"
/usr/bin/python3 - "$work/jem1" "$work/jem2" <<'PY' || fail "2 ranks differ from 1 process"
import json, sys
import numpy as np
one, two = (json.load(open(f"{d}/metrics.json")) for d in sys.argv[1:])
shares = json.load(open(f"{sys.argv[2]}/config.resolved.json"))["ranks"]
assert shares == {"count": 2, "batch_per_rank": [15, 15]}, shares
def losses(m):
    return np.array([[e["loss"] for e in row["history"]] for row in m["metrics"]["combinations"]])
worst = np.abs(losses(one) - losses(two)).max()
negatives = max(np.abs(np.load(f"{sys.argv[1]}/{f}") - np.load(f"{sys.argv[2]}/{f}")).max()
                for f in ("negatives_ebm+svgd.npy", "negatives_e-ebm+e-svgd.npy"))
print(f"epoch losses differ by at most {worst:.1e}, final negatives by {negatives:.1e}; ranks {two['ranks']}")
assert worst < 1e-5 and negatives < 1e-4 and two["ranks"] == 2
PY

echo "== Ctrl-C stops both ranks after an epoch; --resume on 2 ranks finishes the run"
long=("${jem[@]}" --set train.epochs=60 --set svgd.steps=20 --set 'combinations=["e-ebm+e-svgd"]')
"$esvgd" launch --nproc 2 -- run "${long[@]}" --out "$work/int" > "$work/int.log" 2>&1 &
job=$!
# Ctrl-C once the run is under way (rank 0 has written its staging folder's config), not during start-up.
for _ in $(seq 600); do compgen -G "$work/int.tmp.*/config.resolved.json" > /dev/null && break; sleep 0.1; done
sleep 1
kill -INT $job
wait $job
status=$?
cat "$work/int.log"
[ "$status" -eq 130 ] || fail "the interrupted job ended with status $status, not 130"
grep -q "checkpoint written" "$work/int.log" || fail "no checkpoint message"
grep -q "ending the other ranks" "$work/int.log" && fail "the launcher treated the interrupted ranks as failed"
"$esvgd" launch --nproc 2 -- run "${long[@]}" --resume "$work/int" > /dev/null 2>&1 || fail "resume on 2 ranks"
/usr/bin/python3 - "$work/int/metrics.json" <<'PY' || fail "the resumed run is incomplete"
import json, sys
row = json.load(open(sys.argv[1]))["metrics"]["combinations"][0]
print(f"resumed from epoch {row['resumed_from_epoch']}, {len(row['history'])} epochs in all")
assert len(row["history"]) == 60 and 0 < row["resumed_from_epoch"] < 60
PY

echo "== an experiment that runs in one process is refused on 2 ranks"
out=$("$esvgd" launch --nproc 2 -- run ablation-init --preset quick --out "$work/abl" 2>&1) && fail "ablation-init ran on 2 ranks"
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
