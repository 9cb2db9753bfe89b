#!/usr/bin/env bash
# Builds the libFuzzer harnesses with clang in their own folder (MANDAT_FUZZ=ON) and runs
# each for a bounded time from its seed corpus and the dictionary; any finding (a crash, a
# leak, a sanitizer report, a timeout) fails the test and leaves the input in the artifacts
# folder. MDT_FUZZ_SECONDS sets the time per harness (default 15), MDT_FUZZ_TARGETS the
# harnesses (default all). New inputs go to a scratch corpus, never into the repository.
set -euo pipefail
: "${MDT_SOURCE_DIR:?source tree}" "${MDT_BINARY_DIR:?build tree}"
seconds=${MDT_FUZZ_SECONDS:-15}
cc=${MDT_FUZZ_CC:-clang}
build="$MDT_BINARY_DIR/fuzz-build"
fuzz="$MDT_SOURCE_DIR/tests/fuzz"
command -v "$cc" > /dev/null || { echo "FAIL: $cc not found (.ci/install-deps installs clang)" >&2; exit 1; }
mkdir -p "$build"
cmake -S "$MDT_SOURCE_DIR" -B "$build" -DCMAKE_C_COMPILER="$cc" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DMANDAT_FUZZ=ON -DMANDAT_TESTS=OFF -DMANDAT_BENCH=OFF -DBUILD_SHARED_LIBS=OFF -DMANDAT_WERROR=ON \
  > "$build/configure.log" 2>&1 || { cat "$build/configure.log" >&2; exit 1; }
cmake --build "$build" -j2 --target mdt_fuzzers > "$build/build.log" 2>&1 \
  || { tail -50 "$build/build.log" >&2; exit 1; }
targets=${MDT_FUZZ_TARGETS:-$(cd "$fuzz/seeds" && ls)}
artifacts="$build/artifacts"
mkdir -p "$artifacts"
failed=0
for t in $targets; do
  work=$(mktemp -d)
  log="$build/fuzz_$t.log"
  if "$build/tests/fuzz/fuzz_$t" "$work" "$fuzz/seeds/$t" -dict="$fuzz/mandat.dict" \
       -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2560 -print_final_stats=1 \
       -artifact_prefix="$artifacts/$t-" > "$log" 2>&1; then
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
    echo "fuzz_$t: $runs runs, $rate exec/s, no finding"
  else
    echo "FAIL: fuzz_$t found something (input in $artifacts):" >&2
    grep -E "ERROR|runtime error|SUMMARY|Test unit written" "$log" | head -20 >&2
    failed=1
  fi
  rm -rf "$work"
done
exit $failed
