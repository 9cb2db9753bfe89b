#!/usr/bin/env bash
# End-to-end: `mandat status` on tests/fixtures/regional (figures counted by hand in its
# README) and on models/ks-2024 (291 of 370), the text answers byte for byte through CSV and
# JSON, --adopted on `mandat aggregate`, and the commands' errors and exit statuses.
set -euo pipefail
: "${MANDAT:?path to the mandat program}" "${MDT_SOURCE_DIR:?source tree}"
fx="$MDT_SOURCE_DIR/tests/fixtures/regional"
ks="$MDT_SOURCE_DIR/models/ks-2024"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
expect_exit() {
  local want=$1; shift
  set +e; "$MANDAT" "$@" > "$tmp/out" 2> "$tmp/stderr"; local got=$?; set -e
  [ "$got" = "$want" ] || fail "mandat $* exited $got, expected $want: $(cat "$tmp/stderr")"
}

# 1. The status table as CSV, every figure counted by hand.
"$MANDAT" status --model "$fx" --format csv > "$tmp/status.csv"
cat > "$tmp/want.csv" <<'CSV'
scope,stratum,members,answered,response_rate,employees,employees_answered,employee_share,political,administrative,unknown,political_share
region,Nord,3,2,0.666666666666667,750,350,0.466666666666667,1,1,0,0.5
region,Sør,3,2,0.666666666666667,800,750,0.9375,1,0,1,0.5
region,Vest,1,0,0,300,0,0,0,0,0,
all,all,7,4,0.571428571428571,1850,1100,0.594594594594595,2,1,1,0.5
CSV
diff "$tmp/want.csv" "$tmp/status.csv" || fail "status.csv differs"
"$MANDAT" status --model "$fx" --table missing --format csv --region Sør > "$tmp/missing.csv"
printf 'scope,stratum,respondent,name,kind,employees\nregion,Sør,203,Zeta,kommune,50\n' \
  | diff - "$tmp/missing.csv" || fail "missing.csv for Sør differs"

# 2. The text answers: the file's bytes come back unchanged in CSV (the same quoting) and
#    in JSON.
"$MANDAT" status --model "$fx" --table text --format csv --out "$tmp/text.csv"
python3 - "$tmp/text.csv" "$fx/text_answers.csv" <<'PY'
import csv, sys
out = list(csv.DictReader(open(sys.argv[1], encoding="utf-8", newline="")))
src = {r["respondent"]: r["text"] for r in csv.DictReader(open(sys.argv[2], encoding="utf-8", newline=""))}
assert [r["respondent"] for r in out] == ["101", "202", "201"], out
for r in out:
    assert r["text"] == src[r["respondent"]], r
assert "\n" in out[1]["text"] and '"Prioriter sykepleiere"' in out[1]["text"]
assert out[1]["adopted"] == "unknown" and out[0]["adopted"] == "political"
PY
"$MANDAT" status --model "$fx" --format json > "$tmp/all.json"
python3 - "$tmp/all.json" "$fx/text_answers.csv" <<'PY'
import csv, json, sys
j = json.load(open(sys.argv[1], encoding="utf-8"))
src = {r["respondent"]: r["text"] for r in csv.DictReader(open(sys.argv[2], encoding="utf-8", newline=""))}
assert [r["stratum"] for r in j["status"]] == ["Nord", "Sør", "Vest", "all"]
assert j["status"][3]["answered"] == 4 and j["status"][2]["political_share"] is None
assert [m["respondent"] for m in j["missing"]] == ["103", "203", "31"]
assert len(j["text_answers"]) == 3
for r in j["text_answers"]:
    assert r["text"] == src[r["respondent"]], r
PY
"$MANDAT" status --model "$fx" > "$tmp/status.txt"
grep -q "^Response status: 4 of 7 members answered (57.1%), covering 59.5% of employees$" \
  "$tmp/status.txt" || fail "text heading: $(head -1 "$tmp/status.txt")"
grep -q "31    Øst fylkeskommune (fylkeskommune, 300 employees)" "$tmp/status.txt" \
  || fail "missing member in text"
grep -q "^og fagarbeidere – æøå ÆØÅ$" "$tmp/status.txt" || fail "text answer in text"

# 3. The default model: 291 of 370 answered; exit 0 whatever the rate.
"$MANDAT" status --model "$ks" > "$tmp/ks.txt"
grep -q "^Response status: 291 of 370 members answered" "$tmp/ks.txt" || fail "ks-2024: $(head -1 "$tmp/ks.txt")"
grep -q "^Not answered: 79 members$" "$tmp/ks.txt" || fail "ks-2024 missing count"
"$MANDAT" status --model "$ks" --table text --format csv > "$tmp/ks_text.csv"
python3 - "$tmp/ks_text.csv" "$ks/text_answers.csv" <<'PY'
import csv, sys
out = list(csv.DictReader(open(sys.argv[1], encoding="utf-8", newline="")))
src = list(csv.DictReader(open(sys.argv[2], encoding="utf-8", newline="")))
assert sorted((r["respondent"], r["text"]) for r in out) == sorted((r["respondent"], r["text"]) for r in src)
assert any("\n" in r["text"] for r in out) and any('"' in r["text"] for r in out)
PY

# 4. mandat aggregate --adopted: the heading counts the adoption (hand count in the README).
"$MANDAT" aggregate --model "$fx" --bootstrap 0 --adopted political > "$tmp/agg.txt"
grep -q "^Mandate from 2 of 7 members" "$tmp/agg.txt" || fail "political only: $(head -1 "$tmp/agg.txt")"
grep -q "^Adopted politically: 2 of 3 answers (administratively 1, unknown 0); political only: 1 left out" \
  "$tmp/agg.txt" || fail "adoption line: $(sed -n 2p "$tmp/agg.txt")"

# 5. Errors.
expect_exit 0 status --help
grep -q "^Usage: mandat status --model DIR" "$tmp/out" || fail "help"
expect_exit 2 status
expect_exit 2 status --model "$fx" --format xml
expect_exit 2 status --model "$fx" --format csv --table all
expect_exit 2 status --model "$fx" --table everything
expect_exit 2 status --model "$fx" --by landsdel
grep -q "expected a grouping column" "$tmp/stderr" || fail "--by message"
expect_exit 2 status --model "$fx" --region Midt
expect_exit 66 status --model "$tmp/nowhere"
expect_exit 2 aggregate --model "$fx" --adopted some
expect_exit 2 aggregate --model "$fx" --adopted-weight 0
cp -r "$fx" "$tmp/bad"
printf 'respondent,question,text\n101,q_score,hei\n' > "$tmp/bad/text_answers.csv"
expect_exit 65 status --model "$tmp/bad"
grep -q "text_answers.csv:2:5: question: expected a question of type text" "$tmp/stderr" \
  || fail "bad text answer: $(cat "$tmp/stderr")"
echo ok
