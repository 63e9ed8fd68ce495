#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/, Clang 14, ASan + UBSan) in
# build-fuzz/ and runs each for SECONDS seconds (default 30) from its seed
# corpus in fuzz/corpus/<target>/ (copied: the committed corpus is not
# changed). Exits non-zero when a target finds a crash, a leak, a hang or
# undefined behaviour; the input is left in build-fuzz/findings/<target>/.
#   scripts/fuzz.sh            # 30 s per target (what scripts/test.sh runs)
#   scripts/fuzz.sh 600        # the longer run of docs/contributing.md
#   scripts/fuzz.sh 600 fuzz_config fuzz_push   # only these targets
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-30}
shift || true
jobs=${JOBS:-$(nproc)}
dir=build-fuzz
flags="-fsanitize=address,undefined,fuzzer-no-link -fno-sanitize-recover=all -fno-omit-frame-pointer -g1 -O1"
cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=Debug -DBLOCKHEALTH_BUILD_FUZZ=ON \
  -DCMAKE_C_COMPILER=clang-14 -DCMAKE_CXX_COMPILER=clang++-14 \
  -DCMAKE_UNITY_BUILD=ON -DCMAKE_UNITY_BUILD_BATCH_SIZE=8 \
  "-DCMAKE_C_FLAGS=$flags" "-DCMAKE_CXX_FLAGS=$flags" \
  "-DCMAKE_EXE_LINKER_FLAGS=-fsanitize=address,undefined" >/dev/null
targets="fuzz_config fuzz_api_block fuzz_exposition fuzz_push fuzz_health fuzz_lines fuzz_remote_write fuzz_http_request fuzz_targets"
[ $# -gt 0 ] && targets="$*"
# shellcheck disable=SC2086
cmake --build "$dir" -j "$jobs" --target $targets
status=0
for target in $targets; do
  corpus="$dir/corpus/$target"
  findings="$dir/findings/$target"
  rm -rf "$corpus" && mkdir -p "$corpus" "$findings"
  cp fuzz/corpus/"$target"/* "$corpus"/
  # The config's bounds (4,000,000 YAML values) make a long input slow to
  # refuse: short inputs keep the config target exploring.
  max_len=65536
  [ "$target" = fuzz_config ] && max_len=4096
  echo "=== $target: ${seconds}s"
  if ! ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
    "$dir/bin/$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -max_len="$max_len" -print_final_stats=1 -artifact_prefix="$findings/" "$corpus" \
    >"$dir/$target.log" 2>&1; then
    echo "$target FAILED: see $dir/$target.log and $findings/"
    tail -40 "$dir/$target.log"
    status=1
  fi
  grep -E "^stat::number_of_executed_units|^stat::peak_rss_mb|cov: " "$dir/$target.log" | tail -3
done
exit $status
