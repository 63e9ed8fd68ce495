#!/usr/bin/env bash
# GET throughput of blockhealthd's AIOS endpoint (and /v1/blocks/<id>) with
# wrk, against the demo configuration with its live demo instances.
#   bench/http_get_bench.sh [BUILD_DIR] [RUNS] [SECONDS] [CONNECTIONS]
# Needs wrk (apt-get install wrk). Prints one line per run and the median.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
runs=${2:-3}
seconds=${3:-15}
connections=${4:-64}
command -v wrk >/dev/null || { echo "bench: needs wrk (apt-get install wrk)" >&2; exit 1; }

work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT
sed "s|/tmp/blockhealth-demo|$work|g" examples/blockhealth.yaml >"$work/blockhealth.yaml"
"$build/bin/blockhealth-demo" --data-dir examples/demo/data --log-dir "$work" >/dev/null &
"$build/bin/blockhealthd" --config "$work/blockhealth.yaml" --log-level warn 2>"$work/daemon.log" &
for _ in $(seq 100); do
  curl -sf localhost:30201/readyz >/dev/null 2>&1 && break
  sleep 0.1
done
sleep 3  # let the first evaluations land, so the answer has its reasons

median() { sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
for target in /block/health/gemma3-27b-block /v1/blocks/gemma3-27b-block; do
  results=()
  for run in $(seq "$runs"); do
    rps=$(wrk -t2 -c"$connections" -d"${seconds}s" --latency "http://127.0.0.1:30201$target" |
          tee "$work/wrk.txt" | awk '/Requests\/sec/ {print $2}')
    p50=$(awk '/^ +50%/ {print $2}' "$work/wrk.txt")
    p99=$(awk '/^ +99%/ {print $2}' "$work/wrk.txt")
    errors=$(grep -E "Non-2xx|Socket errors" "$work/wrk.txt" || true)
    echo "GET $target run $run: $rps req/s, latency p50 $p50 p99 $p99 ${errors:+($errors)}"
    results+=("$rps")
  done
  echo "GET $target median: $(printf '%s\n' "${results[@]}" | median) req/s"
done
curl -s localhost:30201/block/health/gemma3-27b-block | head -c 300; echo
