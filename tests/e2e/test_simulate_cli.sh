#!/usr/bin/env bash
# End-to-end: `mandat simulate` on models/ks-2024: every rule lands on the room, a kroner table
# applied as written raises the guarantee by exactly its amounts, infeasible frames fail with
# their cause, small groups are suppressed, and the thread count changes nothing.
set -euo pipefail
: "${MANDAT:?path to the mandat program}" "${MDT_SOURCE_DIR:?source tree}"
model="$MDT_SOURCE_DIR/models/ks-2024"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# 1. Each rule's solved settlement uses the room to 0.001 pp. The scenario solves on the
#    covered groups (chapter 4) with KS's 2024 split: frame 5.2 = overheng 1.8 + glidning 0.1
#    + 3.3 for central and local increases, so chapter 4's groups' annual effects, weighted
#    by their wage bills, must come to 3.3.
for rule in percent krone percent_min_krone table priority mixed; do
  "$MANDAT" simulate --scenario "$model/scenario-priority.ini" --rule "$rule" --format json \
    --quiet > "$tmp/$rule.json"
  python3 - "$tmp/$rule.json" "$rule" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
s = j["solution"]
assert s["status"] == "solved" and s["binding"] == "", s
ch4 = [g for g in j["groups"] if g["chapter"] == "4"]
W = sum(g["wage_bill_nok"] for g in ch4)
e = sum(g["wage_bill_nok"] * g["annual_effect_pct"] for g in ch4) / W
assert abs(e - 3.3) < 1e-3, (sys.argv[2], e)
assert abs(s["annual_effect_pct"] - s["room_annual_pct"]) < 1e-3, (sys.argv[2], s)
# the groups' shares of the area effect add up to the total
total = sum(g["area_effect_pct"] for g in j["groups"] if not g["suppressed"])
assert abs(total - s["annual_effect_pct"]) < 1e-9, (total, s)
# every group has an annual growth, a cost and a real growth
for g in j["groups"]:
    for k in ("annual_growth_pct", "cost_nok", "real_growth_pct"):
        assert g[k] is not None, (g["group"], k)
PY
done

# 2. The terminal table and the tidy CSV.
"$MANDAT" simulate --model "$model" --quiet > "$tmp/t.txt"
grep -q "on the room" "$tmp/t.txt" || fail "text: not on the room"
for g in g1 g2 g3 g4 g5 g6 g7 g8 c34 c5 total; do
  grep -q "^  $g " "$tmp/t.txt" || fail "text: no row for $g"
done
"$MANDAT" simulate --model "$model" --format csv --threads 1 --quiet > "$tmp/1.csv"
"$MANDAT" simulate --model "$model" --format csv --threads 2 --quiet > "$tmp/2.csv"
cmp -s "$tmp/1.csv" "$tmp/2.csv" || fail "results differ between 1 and 2 threads"
python3 - "$tmp/1.csv" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], encoding="utf-8")))
groups, total = rows[:-1], rows[-1]
assert total["group"] == "total"
for col in ("employees", "fte", "wage_bill_nok", "rise_nok", "cost_nok"):
    s = sum(float(r[col]) for r in groups)
    assert abs(s - float(total[col])) <= 1e-9 * float(total[col]), (col, s, total[col])
assert float(total["employees"]) == 461400 and float(total["fte"]) == 383600
PY

# 3. No frame: the 2023 kroner table applied as written raises each guarantee cell by its
#    amount (the table's step at the cell's years), and nothing is solved.
cp -r "$model" "$tmp/m"
cat > "$tmp/m/asis.ini" <<'INI'
[settlement]
rule = table
table = increases_2023.csv
INI
"$MANDAT" simulate --scenario "$tmp/m/asis.ini" --format json --guarantee-out "$tmp/new.csv" \
  --quiet > "$tmp/asis.json"
python3 - "$tmp/asis.json" "$model/guarantee.csv" "$model/increases_2023.csv" "$tmp/new.csv" <<'PY'
import csv, json, sys
j = json.load(open(sys.argv[1]))
assert j["solution"]["status"] == "applied" and j["solution"]["binding"] is None
assert j["solution"]["scalar"] == 1
old = {(r["group"], int(r["step_years"])): int(r["annual_nok"]) for r in csv.DictReader(open(sys.argv[2]))}
inc = {}
for r in csv.DictReader(open(sys.argv[3])):
    inc.setdefault(r["group"], []).append((int(r["step_years"]), int(r["annual_nok"])))
new = {(r["group"], int(r["step_years"])): int(r["annual_nok"]) for r in csv.DictReader(open(sys.argv[4]))}
assert set(new) == set(old)
for (g, y), v in old.items():
    amount = max(a for s, a in inc[g] if s <= y) if g in inc else 0
    assert new[(g, y)] == v + amount, (g, y, v, amount, new[(g, y)])
PY

# 4. Frames that cannot be met fail with their cause (exit 1), bad scenarios with a position.
expect() { # expect STATUS PATTERN -- command...
  local want=$1 pattern=$2; shift 3
  set +e; "$@" > "$tmp/out" 2> "$tmp/err"; local got=$?; set -e
  [ "$got" -eq "$want" ] || { cat "$tmp/err" >&2; fail "exit $got, expected $want: $*"; }
  grep -q -- "$pattern" "$tmp/err" || { cat "$tmp/err" >&2; fail "no '$pattern' in: $*"; }
}
# A frame of 1.85 leaves chapter 4 less than its overheng 1.8 + glidning 0.1, and the
# leaders' and chapter 5's fixed elements more than the whole room.
sed 's/^frame_pct = 5.2$/frame_pct = 1.85/' "$model/scenario-priority.ini" > "$tmp/m/low.ini"
expect 1 "the fixed elements already cost" -- "$MANDAT" simulate --scenario "$tmp/m/low.ini" --quiet
sed 's/^frame_pct = 5.2$/frame_pct = 1.5/' "$model/scenario-priority.ini" > "$tmp/m/lower.ini"
line=$(grep -n '^local_frame' "$tmp/m/lower.ini" | cut -d: -f1)
expect 65 "lower.ini:$line:15: \[settlement\] local_frame: group 'c5': expected room under the frame" \
  -- "$MANDAT" simulate --scenario "$tmp/m/lower.ini" --quiet
sed 's/^floors = .*/floors = g1:9, g2:9, g3:9, g4:9, g5:9, g6:9, g7:9, g8:9/; s/^caps = .*//' \
  "$model/scenario-priority.ini" > "$tmp/m/floors.ini"
expect 1 "the floors alone cost" -- "$MANDAT" simulate --scenario "$tmp/m/floors.ini" --quiet
sed 's/^floors = g1:2,/floors = g9:2,/' "$model/scenario-priority.ini" > "$tmp/m/g9.ini"
line=$(grep -n '^floors' "$tmp/m/g9.ini" | cut -d: -f1)
expect 65 "g9.ini:$line:10: \[settlement\] floors: expected a group" -- \
  "$MANDAT" simulate --scenario "$tmp/m/g9.ini" --quiet
expect 2 "expected a rule" -- "$MANDAT" simulate --model "$model" --rule fair
expect 2 "expected --model DIR or --scenario FILE" -- "$MANDAT" simulate
rm "$tmp/m/register.csv"
expect 66 "register.csv: cannot open" -- "$MANDAT" simulate --model "$tmp/m" --quiet

# 5. A group with fewer than 5 employees is not shown in any breakdown.
cp "$model/register.csv" "$tmp/m/register.csv"
echo "g9,Tiny group,4,,,,,," >> "$tmp/m/groups.csv"
sed -i 's/^g9,Tiny group,4,,,,,,$/g9,Tiny group,4,,,,1.8,0.166667/' "$tmp/m/groups.csv"
printf 'x1,1101,g9,3,1,500000,1\nx2,1101,g9,7,0.5,520000,1\nx3,1103,g9,1,1,480000,2\n' \
  >> "$tmp/m/register.csv"
"$MANDAT" simulate --model "$tmp/m" --format csv --quiet > "$tmp/small.csv"
grep -q '^g9,Tiny group,4,1,,,,,,,,,,,,,,,,,,,1$' "$tmp/small.csv" || fail "g9 not suppressed"
"$MANDAT" simulate --model "$tmp/m" --quiet | grep -q "g9 Tiny group .*not shown: too few employees" \
  || fail "text: g9 not suppressed"
"$MANDAT" simulate --help | grep -q -- "--guarantee-out FILE" || fail "--help"
echo ok
