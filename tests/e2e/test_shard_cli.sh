#!/usr/bin/env bash
# End-to-end: `mandat run --shard K/N` and `mandat merge`: for N = 1, 2, 3 and 7 shards, with
# one thread and with two, the merged folder is the single run's byte for byte (every CSV,
# report.json, report.xlsx and manifest.json; shards.json besides); a two-year period too; a
# missing, duplicated, foreign (another seed, another scenario, another N) or corrupt part
# fails with exit 65 naming it, and nothing is written.
set -euo pipefail
: "${MANDAT:?path to the mandat program}" "${MDT_SOURCE_DIR:?source tree}"
scenario="$MDT_SOURCE_DIR/tests/fixtures/run/scenario-shard.ini"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
cd "$tmp"

# The merged folder holds exactly the single run's files, each byte-identical, and shards.json.
same_folder() { # REF MERGED WHAT
  diff -r -q -x shards.json "$1" "$2" > /dev/null || { diff -r -q -x shards.json "$1" "$2" >&2 || true; fail "$3: the merged folder differs from the single run"; }
  [ -s "$2/shards.json" ] || fail "$3: no shards.json"
  python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$2/shards.json" || fail "$3: shards.json is not JSON"
}

"$MANDAT" run "$scenario" --out single --threads 1 --quiet
for threads in 1 2; do
  for n in 1 2 3 7; do
    parts=()
    for k in $(seq 1 "$n"); do
      "$MANDAT" run "$scenario" --shard "$k/$n" --out "part-$n-$k" --threads "$threads" --quiet
      parts+=("part-$n-$k")
    done
    # any order of the parts on the command line
    "$MANDAT" merge $(printf '%s\n' "${parts[@]}" | sort -r) --out "merged-$n-$threads" \
      --threads "$threads" --quiet
    same_folder single "merged-$n-$threads" "$n shards, $threads threads"
  done
done
python3 - merged-3-1/shards.json <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
assert s["shards"] == 3 and [p["shard"] for p in s["parts"]] == [1, 2, 3], s
# every bootstrap draw and Monte Carlo chunk in exactly one part, in order
b = [p["years"][0]["bootstrap_draws"] for p in s["parts"]]
assert b[0][0] == 0 and all(b[i][1] == b[i + 1][0] for i in range(2)) and b[2][1] == 60, b
mc = [p["years"][0]["monte_carlo_chunks"] for p in s["parts"]]
assert mc == [[0, 1], [1, 2], [2, 3]], mc
assert all(len(p["sha256"]) == 64 for p in s["parts"])
PY

# A two-year period: each year's folder and the period's files.
period="$MDT_SOURCE_DIR/tests/fixtures/run/period-shard.ini"
"$MANDAT" run "$period" --out psingle --quiet
for k in 1 2 3; do "$MANDAT" run "$period" --shard "$k/3" --out "pp-$k" --threads 2 --quiet; done
"$MANDAT" merge pp-1 pp-2 pp-3 --out pmerged --quiet
same_folder psingle pmerged "a two-year period"
[ -s pmerged/2025/settlement.csv ] || fail "period: no 2025 folder"

# The options that change the folder travel with the parts: Norwegian labels and Excel CSVs.
"$MANDAT" run "$scenario" --out nb-single --lang nb --csv excel-nb --quiet
for k in 1 2; do "$MANDAT" run "$scenario" --shard "$k/2" --lang nb --csv excel-nb --out "nb-$k" --quiet; done
"$MANDAT" merge nb-1 nb-2 --out nb-merged --quiet
same_folder nb-single nb-merged "--lang nb --csv excel-nb"
expect_csv_differs=$(cmp -s single/settlement.csv nb-single/settlement.csv && echo same || echo differs)
[ "$expect_csv_differs" = differs ] || fail "--csv excel-nb wrote the tidy CSV"

# The summary a merge prints is the single run's.
"$MANDAT" run "$scenario" --out single-again > summary-single.txt 2> /dev/null
"$MANDAT" merge part-2-1 part-2-2 --out merged-summary > summary-merged.txt 2> /dev/null
diff <(sed 's/ to .*$//' summary-single.txt) <(sed 's/ to .*$//' summary-merged.txt) \
  || fail "the merge's summary differs from the run's"

# Failures: exit 65, a message naming the culprit, and nothing written.
expect_fail() { # NAME PATTERN PARTS...
  local name=$1 pattern=$2
  shift 2
  set +e
  "$MANDAT" merge "$@" --out "bad-$name" --quiet 2> "err-$name.txt"
  local rc=$?
  set -e
  [ "$rc" -eq 65 ] || { cat "err-$name.txt" >&2; fail "$name: exit $rc, expected 65"; }
  grep -q -- "$pattern" "err-$name.txt" || { cat "err-$name.txt" >&2; fail "$name: message"; }
  [ ! -e "bad-$name" ] || fail "$name: the folder was written"
  if ls -A | grep -q "^bad-$name\.tmp-"; then fail "$name: a temporary folder was left"; fi
}
expect_fail missing "shard 2 of 3 is missing" part-3-1 part-3-3
expect_fail missing-last "shard 7 of 7 is missing" part-7-1 part-7-2 part-7-3 part-7-4 part-7-5 part-7-6
expect_fail duplicated "part-3-2.*shard 2 of 3, and so is" part-3-1 part-3-2 part-3-2 part-3-3
cp part-3-2 copy-of-2
expect_fail duplicated-copy "copy-of-2: this part is shard 2 of 3, and so is part-3-2" part-3-1 part-3-2 copy-of-2 part-3-3
expect_fail other-n "part-2-2: this part is shard 2 of 2, but part-3-1 is shard 1 of 3" part-3-1 part-2-2 part-3-3
"$MANDAT" run "$scenario" --shard 2/3 --seed 8 --out foreign-seed --quiet
expect_fail foreign-seed "foreign-seed: this part is from another run than part-3-1: they differ in the seed" part-3-1 foreign-seed part-3-3
"$MANDAT" run "$MDT_SOURCE_DIR/tests/fixtures/run/scenario.ini" --shard 3/3 --out foreign-scenario --quiet
expect_fail foreign-scenario "foreign-scenario: this part is from another run" part-3-1 part-3-2 foreign-scenario
# corrupt: one byte flipped in the middle, the end cut off, a file that is not a part
python3 - part-3-2 corrupt-flip corrupt-cut <<'PY'
import sys
data = bytearray(open(sys.argv[1], "rb").read())
flip = bytearray(data)
flip[len(flip) // 2] ^= 0x10
open(sys.argv[2], "wb").write(flip)
open(sys.argv[3], "wb").write(data[: len(data) - 100])
PY
expect_fail corrupt-flip "corrupt-flip: the part is corrupt" part-3-1 corrupt-flip part-3-3
expect_fail corrupt-cut "corrupt-cut: the part is corrupt" part-3-1 corrupt-cut part-3-3
expect_fail not-a-part "respondents.csv: not a part" part-3-1 "$MDT_SOURCE_DIR/models/ks-2024/respondents.csv" part-3-3
: > empty-part
expect_fail empty "empty-part: not a part" part-3-1 part-3-2 empty-part
set +e
"$MANDAT" merge part-3-1 no-such-part part-3-3 --out bad-missing-file --quiet 2> /dev/null
rc=$?
set -e
[ "$rc" -eq 66 ] || fail "a part that cannot be opened: exit $rc, expected 66"
[ ! -e bad-missing-file ] || fail "a part that cannot be opened: the folder was written"

# An input changed since the shards ran: the merge refuses (exit 65) and writes nothing.
mkdir -p moved/tests/fixtures/run moved/models
cp -r "$MDT_SOURCE_DIR/models/ks-2024" moved/models/
cp "$scenario" moved/tests/fixtures/run/
(cd moved && for k in 1 2; do "$MANDAT" run tests/fixtures/run/scenario-shard.ini --shard "$k/2" --out "../moved-$k" --quiet; done)
sed -i '2s/$/ /' moved/models/ks-2024/groups.csv
set +e
(cd moved && "$MANDAT" merge ../moved-1 ../moved-2 --out ../bad-changed --quiet 2> ../err-changed.txt)
rc=$?
set -e
[ "$rc" -eq 65 ] || { cat err-changed.txt >&2; fail "changed input: exit $rc, expected 65"; }
[ ! -e bad-changed ] || fail "changed input: the folder was written"

# Usage errors: exit 2.
for bad in 0/3 4/3 3 a/b 1/0 "2/"; do
  set +e
  "$MANDAT" run "$scenario" --shard "$bad" --out x --quiet 2> /dev/null
  rc=$?
  set -e
  [ "$rc" -eq 2 ] || fail "--shard $bad: exit $rc, expected 2"
done
set +e
env -u SLURM_ARRAY_TASK_ID "$MANDAT" run "$scenario" --shard slurm --out x --quiet 2> err-slurm.txt
rc=$?
set -e
[ "$rc" -eq 2 ] && grep -q SLURM_ARRAY_TASK_ID err-slurm.txt || fail "--shard slurm outside Slurm"
# The environment's task ids: Slurm's from SLURM_ARRAY_TASK_MIN, Kubernetes' from 0, GNU
# parallel's from 1; each gives the part --shard K/N gives.
SLURM_ARRAY_TASK_ID=5 SLURM_ARRAY_TASK_MIN=4 SLURM_ARRAY_TASK_COUNT=3 \
  "$MANDAT" run "$scenario" --shard slurm --out env-slurm --quiet
JOB_COMPLETION_INDEX=1 "$MANDAT" run "$scenario" --shard k8s --shard-count 3 --out env-k8s --quiet
PARALLEL_SEQ=2 MANDAT_SHARD_COUNT=3 "$MANDAT" run "$scenario" --shard parallel --out env-par --quiet
for f in env-slurm env-k8s env-par; do cmp -s "$f" part-3-2 || fail "$f differs from --shard 2/3"; done
echo "ok"
