#!/usr/bin/env bash
# End-to-end: a smoke run of the benchmark (bench/run --smoke): tiny inputs, one rep, the
# programs of this build. It fails when mandat's results differ between one thread and two, or
# when a peer that is installed (pandas and numpy under /usr/bin/python3; DuckDB only when it is
# already in the benchmark's cache: a smoke run downloads nothing) disagrees with mandat.
set -euo pipefail

: "${MDT_SOURCE_DIR:?MDT_SOURCE_DIR must name the source tree}"
: "${MDT_BINARY_DIR:?MDT_BINARY_DIR must name the build tree}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

[ -x "$MDT_BINARY_DIR/bench/mdtbench" ] ||
  fail "$MDT_BINARY_DIR/bench/mdtbench is missing (configure with -DMANDAT_BENCH=ON)"
node_dir="${MANDAT_BENCH_DIR:-${HOME:-/nonexistent}/.cache/mandat-bench}/node"

status=0
python3 "$MDT_SOURCE_DIR/bench/run" --smoke --dir "$tmp/bench" --build-dir "$MDT_BINARY_DIR" \
  --node-dir "$node_dir" > "$tmp/table.txt" 2> "$tmp/log.txt" || status=$?
cat "$tmp/table.txt"
[ "$status" -eq 0 ] || fail "bench/run --smoke exited $status: $(tail -n 20 "$tmp/log.txt")"

# One row per case and tool, every case's thread check passed, no check failed.
for c in aggregate register_load settlement_pass solve monte_carlo full_run; do
  grep -q "^| $c | mandat | [0-9]" "$tmp/table.txt" || fail "no timing of mandat for $c"
done
for c in aggregate register_load settlement_pass solve monte_carlo; do
  grep -q "^- $c: --threads 1 and N give the same bytes" "$tmp/table.txt" ||
    fail "$c: no check of 1 against 2 threads"
done
grep -q "^- full_run: .* the same bytes with --threads 1 and N" "$tmp/table.txt" ||
  fail "full_run: no check of 1 against 2 threads"
for n in 2 4; do
  grep -q "^- sharded_run: the merge of $n shards gives the single run's" "$tmp/table.txt" ||
    fail "sharded_run: no check of the merge of $n shards"
  grep -q "^| sharded_run | $n shards, sum | [0-9]" "$tmp/table.txt" || fail "sharded_run: $n shards"
done
! grep -q "FAILED" "$tmp/table.txt" || fail "a check failed"
# The CPU time of mandat's same work in each round, per case.
grep -q "^CPU time (user + system, s) of the same work" "$tmp/table.txt" || fail "no CPU times"
grep -Eq "^- aggregate \(mandat\): [0-9]" "$tmp/table.txt" || fail "aggregate: no CPU time"
# The cores free at each round, measured with bench/cores, for every case (or why not).
if grep -q "the cores free at each round are not measured" "$tmp/log.txt"; then
  echo "note: $(grep "the cores free" "$tmp/log.txt")"
else
  grep -q "^Cores free for [0-9]* threads" "$tmp/table.txt" || fail "no cores-free section"
  for c in aggregate register_load settlement_pass solve monte_carlo full_run; do
    grep -Eq "^- $c: [0-9]+\.[0-9]{2}" "$tmp/table.txt" || fail "$c: no cores free measured"
  done
fi
# A peer either ran and agreed, or is reported as skipped with its reason.
for peer in "aggregate | pandas" "aggregate | DuckDB" "register_load | pandas" \
            "register_load | DuckDB" "settlement_pass | tuned numpy" "settlement_pass | DuckDB"; do
  line=$(grep "^| $peer |" "$tmp/table.txt") || fail "no row for $peer"
  case "$line" in
    *"skipped ("*) ;;
    *) name=${peer#*| }; grep -q "^- ${peer%% |*}: $name: .* agree with mandat" "$tmp/table.txt" ||
         fail "$peer ran but its agreement is not reported" ;;
  esac
done
grep -q "^| monte_carlo | DuckDB | skipped (cannot reproduce the mt19937 stream in SQL)" \
  "$tmp/table.txt" || fail "the Monte Carlo DuckDB row"
echo "bench smoke: ok"
