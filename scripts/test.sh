#!/usr/bin/env bash
# Builds and runs every test, twice: a normal build (build/) and an
# AddressSanitizer + UndefinedBehaviorSanitizer build (build-asan/); then
# runs every fuzz target for 30 s (scripts/fuzz.sh, Clang; FUZZ_SECONDS=N
# to change it).
# Installs missing Debian packages first. Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh

jobs=${JOBS:-$(nproc)}
san_flags="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all"

run_suite() {  # run_suite <build dir> <cmake args...>
  local dir=$1
  shift
  echo "=== configure + build $dir"
  # Unity builds (8 files per batch) keep both builds within CI's time on
  # two cores; see docs/contributing.md.
  # -g1 (line tables, enough for backtraces and sanitizer reports) instead
  # of full debug info: much less for the assembler and linker to write.
  cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_UNITY_BUILD=ON \
    -DCMAKE_UNITY_BUILD_BATCH_SIZE=8 "-DCMAKE_C_FLAGS_RELWITHDEBINFO=-O2 -g1 -DNDEBUG" \
    "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O2 -g1 -DNDEBUG" -DCMAKE_C_FLAGS_DEBUG=-g1 \
    -DCMAKE_CXX_FLAGS_DEBUG=-g1 "$@" >/dev/null
  local start=$SECONDS
  cmake --build "$dir" -j "$jobs"
  echo "=== built $dir in $((SECONDS - start))s; test $dir"
  start=$SECONDS
  ctest --test-dir "$dir" --output-on-failure -j "$jobs" --timeout 300
  echo "=== tested $dir in $((SECONDS - start))s"
}

run_suite build
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
  run_suite build-asan -DCMAKE_BUILD_TYPE=Debug -DBLOCKHEALTH_BUILD_BENCH=OFF \
  "-DCMAKE_C_FLAGS=$san_flags" "-DCMAKE_CXX_FLAGS=$san_flags" \
  "-DCMAKE_EXE_LINKER_FLAGS=-fsanitize=address,undefined" \
  "-DCMAKE_MODULE_LINKER_FLAGS=-fsanitize=address,undefined" \
  "-DCMAKE_SHARED_LINKER_FLAGS=-fsanitize=address,undefined"
echo "=== fuzz: every target ${FUZZ_SECONDS:-30}s (scripts/fuzz.sh)"
start=$SECONDS
./scripts/fuzz.sh "${FUZZ_SECONDS:-30}"
echo "=== fuzzed in $((SECONDS - start))s"
echo "=== all tests passed (build, build-asan and fuzz) in ${SECONDS}s"
