#!/usr/bin/env bash
# End-to-end: the solver's per-cell pass (src/engine/microsim_cells.c) against the per-employee
# reference pass (MANDAT_REFERENCE_PASS=1): every number of every CSV and JSON result file of
# `mandat run` agrees to 1e-12 relative, on the 2024 priority scenario and on a generated
# model with ten times its register's rows (members, answers and a register drawn by
# `mandat generate`). The same comparison at 10x the area (4.6 M employees) is a check of
# bench/run's full_run case.
set -euo pipefail
: "${MANDAT:?path to the mandat program}" "${MDT_SOURCE_DIR:?source tree}"
model="$MDT_SOURCE_DIR/models/ks-2024"
compare="$MDT_SOURCE_DIR/tests/e2e/compare_runs.py"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

both() { # SCENARIO NAME
  "$MANDAT" run "$1" --out "$tmp/$2-cells" --threads 2 --quiet || fail "$2: the run failed"
  MANDAT_REFERENCE_PASS=1 "$MANDAT" run "$1" --out "$tmp/$2-reference" --threads 2 --quiet ||
    fail "$2: the reference run failed"
  python3 "$compare" "$tmp/$2-cells" "$tmp/$2-reference" --tolerance 1e-12 ||
    fail "$2: the per-cell and the per-employee pass disagree"
}

# 1. The 2024 priority scenario as shipped.
# The checker itself: a difference column is judged against its operands (2.5 here), every
# other number against itself; each must still fail beyond 1e-12 of that scale.
check() { # WANT(0|1) CSV-A CSV-B
  mkdir -p "$tmp/chk/a" "$tmp/chk/b"
  printf 'region,group,pct,national_pct,difference_pp\n%s\n' "$2" > "$tmp/chk/a/region_allocations.csv"
  printf 'region,group,pct,national_pct,difference_pp\n%s\n' "$3" > "$tmp/chk/b/region_allocations.csv"
  rc=0
  python3 "$compare" "$tmp/chk/a" "$tmp/chk/b" --tolerance 1e-12 > /dev/null || rc=$?
  [ "$rc" = "$1" ] || fail "compare_runs.py: expected exit $1 for '$2' against '$3', got $rc"
}
check 0 "A,g1,2.5,2.4988,0.0012" "A,g1,2.5,2.4988,0.0012000000000018" # 1.8e-15: 7e-16 of 2.5
check 1 "A,g1,2.5,2.4988,0.0012" "A,g1,2.5,2.4988,0.001200000005"     # 5e-12: 2e-12 of 2.5
check 1 "A,g1,2.5,2.4988,0.0012" "A,g1,2.500000000005,2.4988,0.0012"  # 5e-12: 2e-12 of 2.5

both "$model/scenario-priority.ini" ks2024

# 2. A generated model: 370 members, their answers, and a register of 478 810 employees (ten
# times the ks-2024 register's 47 881 rows, which are a one-in-ten sample of the area's 461 400
# employees, so one row per employee of the area), with fewer bootstrap and Monte Carlo draws.
# MDT_REFERENCE_EMPLOYEES sets another size.
gen="$tmp/gen/model"
mkdir -p "$gen"
for f in groups.csv questions.csv options.csv guarantee.csv increases_2023.csv; do
  cp "$model/$f" "$gen/"
done
"$MANDAT" generate members --count 370 --seed 7 --out "$gen/respondents.csv" --quiet
"$MANDAT" generate answers --model "$gen" --seed 7 --out "$gen/answers.csv" --quiet
"$MANDAT" generate register --model "$gen" --employees "${MDT_REFERENCE_EMPLOYEES:-478810}" --seed 7 \
  --out "$gen/register.csv" --headcounts "$gen/headcounts.csv" --quiet
sed -e "s|^dir = \.|dir = model|" -e "s|^table = increases_2023.csv|table = model/increases_2023.csv|" \
    -e "s|^bootstrap = 1000|bootstrap = 100|" -e "s|^draws = 20000|draws = 2000|" \
    "$model/scenario-priority.ini" > "$tmp/gen/scenario.ini"
grep -q "^dir = model" "$tmp/gen/scenario.ini" || fail "the scenario's [model] dir was not replaced"
both "$tmp/gen/scenario.ini" generated
echo "reference pass: ok"
