#!/usr/bin/env bash
# End-to-end: `mandat aggregate` on the mini fixture against tables computed by an independent
# reference (tests/e2e/reference_aggregate.py), plus the command's errors and exit statuses.
set -euo pipefail
: "${MANDAT:?path to the mandat program}" "${MDT_SOURCE_DIR:?source tree}"
here="$MDT_SOURCE_DIR/tests"
mini="$here/fixtures/mini"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# 1. Tidy CSV against the reference, three weightings (no bootstrap: the reference has none).
"$MANDAT" aggregate --model "$mini" --weights employees --poststrata region --bootstrap 0 \
  --format csv --quiet > "$tmp/a.csv"
python3 "$here/e2e/compare_csv.py" "$tmp/a.csv" "$mini/expected/aggregate_employees_poststrata_region.csv"
"$MANDAT" aggregate --model "$mini" --weights population --poststrata size_class --by kind \
  --by-group --bootstrap 0 --format csv --quiet > "$tmp/b.csv"
python3 "$here/e2e/compare_csv.py" "$tmp/b.csv" "$mini/expected/aggregate_population_poststrata_size_bygroup_by_kind.csv"
"$MANDAT" aggregate --model "$mini" --weights equal --bootstrap 0 --format csv > "$tmp/c.csv"
python3 "$here/e2e/compare_csv.py" "$tmp/c.csv" "$mini/expected/aggregate_equal.csv"
[ "$(head -1 "$tmp/a.csv")" = "scope,stratum,question,option,statistic,value,ci_low,ci_high,n,n_eff" ] \
  || fail "CSV header"

# 2. Post-stratified weights sum to each region's employees; the silent region is reported.
"$MANDAT" aggregate --model "$mini" --weights employees --poststrata region --bootstrap 0 \
  --format json --quiet > "$tmp/a.json"
python3 - "$tmp/a.json" "$mini/respondents.csv" <<'PY'
import csv, json, sys
j = json.load(open(sys.argv[1]))
emp = {}
for m in csv.DictReader(open(sys.argv[2], encoding="utf-8")):
    emp[m["region"]] = emp.get(m["region"], 0) + float(m["employees"])
seen = 0
for s in j["weights_by_stratum"]:
    assert s["column"] == "region"
    assert abs(s["size"] - emp[s["level"]]) < 1e-9
    if s["respondents"] > 0:
        assert abs(s["weight"] - emp[s["level"]]) < 1e-9 * emp[s["level"]], s
        seen += 1
    else:
        assert s["weight"] == 0 and s["level"] == "nord", s
assert seen == 2
assert [(e["column"], e["level"], e["members"]) for e in j["empty_strata"]] == [("region", "nord", 4)]
assert j["respondents"] == 8 and j["members"] == 12
PY

# The default model: the tidy table with national and per-region rows, and each region's
# post-stratified weights summing to the region's employees over all its members.
ks="$MDT_SOURCE_DIR/models/ks-2024"
"$MANDAT" aggregate --model "$ks" --weights employees --poststrata region --format csv --quiet \
  > "$tmp/ks.csv"
"$MANDAT" aggregate --model "$ks" --weights employees --poststrata region --bootstrap 0 \
  --format json --quiet > "$tmp/ks.json"
python3 - "$tmp/ks.csv" "$tmp/ks.json" "$ks/respondents.csv" <<'PY'
import csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1], encoding="utf-8")))
scopes = {(r["scope"], r["stratum"]) for r in rows}
regions = {m["region"] for m in csv.DictReader(open(sys.argv[3], encoding="utf-8"))}
assert ("all", "all") in scopes and {("region", x) for x in regions} <= scopes, scopes
assert sum(1 for r in rows if r["ci_low"] != "") > 100  # bootstrap intervals by default
emp = {}
for m in csv.DictReader(open(sys.argv[3], encoding="utf-8")):
    emp[m["region"]] = emp.get(m["region"], 0) + float(m["employees"])
j = json.load(open(sys.argv[2]))
seen = 0
for s in j["weights_by_stratum"]:
    if s["respondents"] > 0:
        assert abs(s["weight"] - emp[s["level"]]) <= 1e-9 * emp[s["level"]], s
        seen += 1
assert seen == len(regions), seen
PY

# 3. Bootstrap intervals are reproducible for a seed, whatever the thread count.
"$MANDAT" aggregate --model "$mini" --poststrata region --bootstrap 300 --seed 11 --threads 1 \
  --format csv --quiet > "$tmp/s1.csv"
"$MANDAT" aggregate --model "$mini" --poststrata region --bootstrap 300 --seed 11 --threads 2 \
  --format csv --quiet > "$tmp/s2.csv"
"$MANDAT" aggregate --model "$mini" --poststrata region --bootstrap 300 --seed 12 \
  --format csv --quiet > "$tmp/s3.csv"
cmp -s "$tmp/s1.csv" "$tmp/s2.csv" || fail "bootstrap differs between 1 and 2 threads"
cmp -s "$tmp/s1.csv" "$tmp/s3.csv" && fail "another seed gave the same intervals"
grep -q '^all,all,profile,g1,top3_frequency,' "$tmp/s1.csv" || fail "top3_frequency rows"
python3 - "$tmp/s1.csv" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
with_ci = [r for r in rows if r["ci_low"] != ""]
assert len(with_ci) > 50
for r in with_ci:
    assert float(r["ci_low"]) <= float(r["ci_high"]), r
PY

# 3b. Raking models/ks-2024 to region and size_class: some bootstrap draws cannot be raked;
# they are dropped and counted, the same count in text, CSV and JSON and for any thread
# count, and the command fails (65, naming the margin) only above --max-failed-draws.
"$MANDAT" aggregate --model "$ks" --rake region,size_class --threads 1 > "$tmp/rk.txt"
"$MANDAT" aggregate --model "$ks" --rake region,size_class --threads 2 --format csv \
  2> "$tmp/rk.err" > "$tmp/rk.csv"
"$MANDAT" aggregate --model "$ks" --rake region,size_class --format json --quiet > "$tmp/rk.json"
grep -q "bootstrap draws dropped" "$tmp/rk.err" || fail "no note of dropped draws on stderr"
python3 - "$tmp/rk.txt" "$tmp/rk.csv" "$tmp/rk.json" <<'PY'
import csv, json, re, sys
text = open(sys.argv[1]).read()
m = re.search(r"Note: (\d+) of 1000 bootstrap draws dropped .*first: draw (\d+), .*margin (\S+)=", text)
assert m, "no dropped-draws note in the text"
dropped, first = int(m.group(1)), int(m.group(2))
assert dropped > 0 and m.group(3) in ("region", "size_class")
row = [r for r in csv.DictReader(open(sys.argv[2])) if r["question"] == "bootstrap"]
assert len(row) == 1 and row[0]["statistic"] == "dropped_draws", row
assert int(row[0]["value"]) == dropped and int(row[0]["n"]) == 1000, row
b = json.load(open(sys.argv[3]))["bootstrap"]
assert (b["draws"], b["used"], b["dropped"], b["first_dropped"]) == (1000, 1000 - dropped, dropped, first), b
assert json.load(open(sys.argv[3]))["settings"]["max_failed_draws"] == 0.05
PY
"$MANDAT" aggregate --model "$ks" --rake region,size_class --threads 2 > "$tmp/rk2.txt"
cmp -s "$tmp/rk.txt" "$tmp/rk2.txt" || fail "raked bootstrap differs between 1 and 2 threads"

# 4. Text output, --out, help and version.
"$MANDAT" aggregate --model "$mini" --poststrata region --bootstrap 50 > "$tmp/t.txt"
grep -q "Mandate from 8 of 12 members" "$tmp/t.txt" || fail "text heading"
grep -q "region=nord has 4 members and no respondents" "$tmp/t.txt" || fail "empty stratum note"
grep -q "Mandate profile by region" "$tmp/t.txt" || fail "breakdown block"
"$MANDAT" aggregate --model "$mini" --bootstrap 0 --format csv --out "$tmp/o.csv"
cmp -s "$tmp/o.csv" "$tmp/c.csv" && fail "--out used equal weights"
[ -s "$tmp/o.csv" ] && [ -z "$(ls "$tmp" | grep '\.tmp-')" ] || fail "--out left a temporary file"
"$MANDAT" aggregate --help | grep -q -- "--poststrata COLUMN" || fail "--help"
"$MANDAT" --version | grep -Eq '^mandat [0-9]+\.[0-9]+\.[0-9]+$' || fail "--version"
"$MANDAT" --help | grep -q aggregate || fail "--help lists aggregate"

# 5. Exit statuses and messages for bad use and bad data.
expect() { # expect STATUS PATTERN -- command...
  local want=$1 pattern=$2; shift 3
  set +e; "$@" > "$tmp/out" 2> "$tmp/err"; local got=$?; set -e
  [ "$got" -eq "$want" ] || { cat "$tmp/err" >&2; fail "exit $got, expected $want: $*"; }
  grep -q -- "$pattern" "$tmp/err" || { cat "$tmp/err" >&2; fail "no '$pattern' in: $*"; }
  [ ! -s "$tmp/out" ] || fail "wrote to stdout on error: $*"
}
expect 2 "unknown or incomplete option" -- "$MANDAT" aggregate --model "$mini" --nope
expect 2 "expected --model DIR" -- "$MANDAT" aggregate
expect 2 "expected a grouping column" -- "$MANDAT" aggregate --model "$mini" --poststrata fylke
expect 2 "expected two columns" -- "$MANDAT" aggregate --model "$mini" --rake region
expect 2 "expected a size measure" -- "$MANDAT" aggregate --model "$mini" --weights income
expect 2 "expected text, csv or json" -- "$MANDAT" aggregate --model "$mini" --format xml
expect 2 "max-failed-draws: expected a share from 0 to 1" -- \
  "$MANDAT" aggregate --model "$mini" --max-failed-draws 1.5
expect 65 "more than the 0 % allowed (max_failed_draws)" -- \
  "$MANDAT" aggregate --model "$ks" --rake region,size_class --max-failed-draws 0
grep -Eq "bootstrap draw [0-9]+: .*margin (region|size_class)=" "$tmp/err" || fail "margin not named"
expect 2 "unknown command" -- "$MANDAT" aggregat
expect 66 "respondents.csv: cannot open" -- "$MANDAT" aggregate --model "$tmp/nowhere"
cp -r "$mini" "$tmp/bad"
sed -i 's/^3403,q_score,g1,5$/3403,q_score,g1,7/' "$tmp/bad/answers.csv"
expect 65 "answers.csv:25:17: value: expected a score from 1 to 5 for question 'q_score', found '7'" -- \
  "$MANDAT" aggregate --model "$tmp/bad" --bootstrap 0
cp "$mini/answers.csv" "$tmp/bad/answers.csv"
printf '1103,q_rank,g9,1\n' >> "$tmp/bad/answers.csv"
expect 65 "answers.csv:80:13: option: expected an option of question 'q_rank'" -- \
  "$MANDAT" aggregate --model "$tmp/bad" --bootstrap 0
cp "$mini/answers.csv" "$tmp/bad/answers.csv"
printf 'respondent,group,headcount\n' > "$tmp/bad/headcounts.csv"
expect 65 "headcounts.csv:2:1" -- "$MANDAT" aggregate --model "$tmp/bad" --by-group --bootstrap 0
echo "ok"
