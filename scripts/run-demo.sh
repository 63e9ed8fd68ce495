#!/usr/bin/env bash
# Installs what is missing (apt), builds blockhealth (optimized, in build/),
# and starts blockhealthd on examples/blockhealth.yaml together with live
# demo instances (one GPU heating up along a real H100 trace, one whose log
# gets a CUDA error, one healthy). Ctrl-C stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh

jobs=${JOBS:-$(nproc)}
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_UNITY_BUILD=ON \
  -DCMAKE_UNITY_BUILD_BATCH_SIZE=8 >/dev/null
cmake --build build -j "$jobs" --target blockhealthd blockhealth-demo gpu_temperature log_pattern \
  last_request_age metric_threshold

demo_dir=/tmp/blockhealth-demo
mkdir -p "$demo_dir"
rm -f "$demo_dir/in-logs/model.log"
./build/bin/blockhealth-demo --log-dir "$demo_dir" --error-every 90 &
demo_pid=$!
trap 'kill "$demo_pid" 2>/dev/null || true' EXIT

cat <<'MSG'

blockhealthd is starting on http://127.0.0.1:30201 with three live demo instances.
Open http://127.0.0.1:30201/ in a browser for the status page, or in another
terminal, within a few seconds:

  curl -s localhost:30201/block/health/gemma3-27b-block        # the AIOS answer
  curl -s localhost:30201/v1/blocks/gemma3-27b-block           # statuses, reasons, evidence
  curl -s localhost:30201/v1/blocks/gemma3-27b-block/history   # transitions
  curl -s localhost:30201/metrics | grep blockhealth_instance_status

Ctrl-C stops the daemon and the demo instances.

MSG
./build/bin/blockhealthd --config examples/blockhealth.yaml "$@"
