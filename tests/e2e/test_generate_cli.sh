#!/usr/bin/env bash
# End-to-end test of `mandat generate`: help texts, usage errors, same seed same bytes, the
# committed ks-2024 files made again by the README's commands, and a small generated model
# that `mandat aggregate` accepts.
set -euo pipefail

: "${MANDAT:?MANDAT must name the mandat program}"
: "${MDT_SOURCE_DIR:?MDT_SOURCE_DIR must name the source tree}"
ks="$MDT_SOURCE_DIR/models/ks-2024"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

# expect_exit STATUS ARGS...: runs mandat ARGS and checks its exit status; keeps the output.
expect_exit() {
  local want=$1
  shift
  local got=0
  "$MANDAT" "$@" >"$tmp/stdout" 2>"$tmp/stderr" || got=$?
  [ "$got" -eq "$want" ] || fail "mandat $* exited $got, expected $want: $(cat "$tmp/stderr")"
}

# 1. Help: the command and each subcommand, on stdout, exit 0.
expect_exit 0 generate --help
grep -q '^Subcommands:' "$tmp/stdout" || fail "generate --help lists no subcommands"
for sub in answers register members model; do
  expect_exit 0 generate "$sub" --help
  grep -q "^Usage: mandat generate $sub" "$tmp/stdout" || fail "generate $sub --help"
done
expect_exit 0 --help
grep -q 'generate' "$tmp/stdout" || fail "mandat --help does not list generate"

# 2. Usage errors exit 2 and say what was expected.
expect_exit 2 generate
expect_exit 2 generate frobnicate
grep -q "expected answers, register, members or model, found 'frobnicate'" "$tmp/stderr" \
  || fail "unknown subcommand message"
expect_exit 2 generate answers --model "$ks" --seed 1 --bogus
expect_exit 2 generate answers --model "$ks"
grep -q 'expected --seed N' "$tmp/stderr" || fail "missing --seed message"
expect_exit 2 generate answers --model "$ks" --seed -3
expect_exit 2 generate answers --model "$ks" --seed 1 --response-rate 0
expect_exit 2 generate register --model "$ks" --seed 1 --sample 2
expect_exit 2 generate register --model "$ks" --seed 1 --sample 0.1 --employees 10
expect_exit 2 generate register --model "$ks" --seed 1 --count 5
grep -q "option '--count' does not apply here" "$tmp/stderr" || fail "foreign option message"
expect_exit 2 generate members --seed 1
expect_exit 2 generate members --count 0 --seed 1
expect_exit 2 generate model --members 10 --seed 1
expect_exit 2 generate answers --model "$ks" --seed 1 extra

# 3. A missing model is missing input (66), and --out is not left half-written.
expect_exit 66 generate answers --model "$tmp/nowhere" --seed 1 --out "$tmp/a.csv"
[ ! -e "$tmp/a.csv" ] || fail "a failed run left its output"
[ -z "$(ls "$tmp" | grep 'tmp-')" ] || fail "a failed run left a temporary file"

# 4. Same seed, same bytes; another seed, other bytes.
"$MANDAT" generate members --count 500 --seed 42 --out "$tmp/m1.csv" --quiet
"$MANDAT" generate members --count 500 --seed 42 --quiet >"$tmp/m2.csv"
"$MANDAT" generate members --count 500 --seed 43 --out "$tmp/m3.csv" --quiet
cmp -s "$tmp/m1.csv" "$tmp/m2.csv" || fail "members: same seed, different bytes"
! cmp -s "$tmp/m1.csv" "$tmp/m3.csv" || fail "members: different seeds, same bytes"
[ "$(wc -l <"$tmp/m1.csv")" -eq 501 ] || fail "members: expected 500 rows"

# 5. The README's commands make the committed ks-2024 files again.
"$MANDAT" generate answers --model "$ks" --seed 2024 --out "$tmp/answers.csv" --quiet
"$MANDAT" generate register --model "$ks" --seed 2024 --sample 0.1 --out "$tmp/register.csv" \
  --headcounts "$tmp/headcounts.csv" 2>"$tmp/checks"
for f in answers register headcounts; do
  cmp -s "$ks/$f.csv" "$tmp/$f.csv" || fail "models/ks-2024/$f.csv differs from seed 2024"
done
grep -q 'check chapter 4  rows    [0-9]*  headcount   400400 (groups.csv   400400)  fte   326000.0' \
  "$tmp/checks" || fail "the register's checks: $(cat "$tmp/checks")"

# 6. A small generated model: members, a copied questionnaire, answers; aggregate accepts it.
"$MANDAT" generate model --members 300 --seed 3 --out-dir "$tmp/model" --template "$ks" --quiet
for f in respondents groups questions options answers guarantee increases_2023; do
  [ -s "$tmp/model/$f.csv" ] || fail "generate model did not write $f.csv"
done
cmp -s "$ks/questions.csv" "$tmp/model/questions.csv" || fail "questions.csv not copied"
"$MANDAT" aggregate --model "$tmp/model" --bootstrap 0 --format csv >"$tmp/agg.csv"
[ "$(head -1 "$tmp/agg.csv")" = "scope,stratum,question,option,statistic,value,ci_low,ci_high,n,n_eff" ] \
  || fail "aggregate header"
grep -q '^all,all,q_rank,g1,borda,' "$tmp/agg.csv" || fail "aggregate rows"
"$MANDAT" aggregate --model "$tmp/model" --weights employees --poststrata region --bootstrap 0 \
  --format csv --quiet >"$tmp/agg_region.csv"
grep -q '^region,Finnmark,q_rank,g1,borda,' "$tmp/agg_region.csv" || fail "per-region rows"

# 7. A streamed register: exactly N rows, no weight column with --no-weight, and headcounts
#    that let aggregate weight answers about a group by the member's headcount in it.
"$MANDAT" generate register --model "$tmp/model" --seed 8 --employees 1234 --no-weight \
  --out "$tmp/model/register.csv" --headcounts "$tmp/model/headcounts.csv" --quiet
[ "$(wc -l <"$tmp/model/register.csv")" -eq 1235 ] || fail "streamed register: expected 1234 rows"
[ "$(head -1 "$tmp/model/register.csv")" = "id,respondent,group,seniority_years,fte,annual_salary" ] \
  || fail "streamed register header"
total=$(awk -F, 'NR > 1 { s += $3 } END { print s }' "$tmp/model/headcounts.csv")
[ "$total" -eq 1234 ] || fail "headcounts of the streamed register sum to $total"
"$MANDAT" aggregate --model "$tmp/model" --by-group --bootstrap 0 --format csv --quiet \
  >"$tmp/agg_bygroup.csv" || fail "aggregate --by-group on the generated model"

echo "generate: all checks passed"
