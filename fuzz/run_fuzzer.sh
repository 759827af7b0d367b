#!/usr/bin/env bash
# Runs one fuzzer for ctest: on a copy of its seed corpus in the build dir (the fuzzer adds what it
# finds there, never in the source tree), for a fixed time, with the limits of issue 13. Any crash,
# leak, timeout (> 10 s for one input) or out-of-memory (> 2 GB) is a non-zero exit: a failed test,
# with the input saved under WORK/artifacts/.
# Usage: run_fuzzer.sh FUZZER SEEDS WORK SECONDS MAX_LEN [DICT]
set -euo pipefail
fuzzer=$1 seeds=$2 work=$3 seconds=$4 max_len=$5 dict=${6:-}
mkdir -p "$work/corpus" "$work/artifacts"
cp "$seeds"/* "$work/corpus/"
args=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len="$max_len"
      -print_final_stats=1 -artifact_prefix="$work/artifacts/")
[ -z "$dict" ] || args+=(-dict="$dict")
exec "$fuzzer" "${args[@]}" "$work/corpus"
