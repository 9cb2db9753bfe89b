#!/usr/bin/env bash
# End-to-end: the numbers reconcile the way KS's own do. Every table of a run adds up (totals
# from rows); `mandat frame` and `mandat run` give the same room for the same elements; the
# 2024 settlement reproduces the published guarantee pay at step 0; a two-year period chains
# year two's overheng to year one's carry-over, group by group.
set -euo pipefail
: "${MANDAT:?path to the mandat program}" "${MDT_SOURCE_DIR:?source tree}"
model="$MDT_SOURCE_DIR/models/ks-2024"
check="$MDT_SOURCE_DIR/tests/e2e/check_totals.py"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# 1. The default model's scenarios, and the run fixture (area figures over groups.csv's).
"$MANDAT" run "$model/scenario.ini" --out "$tmp/base" --quiet
"$MANDAT" run "$model/scenario-priority.ini" --out "$tmp/prio" --quiet
"$MANDAT" run "$MDT_SOURCE_DIR/tests/fixtures/run/scenario.ini" --out "$tmp/fx" --quiet
for d in base prio fx; do python3 "$check" "$tmp/$d" || fail "$d does not add up"; done

# 2. frame and run agree: KS's 2024 frame for chapter 4 (overheng 1.8, glidning 0.1, local
# pot 1.1 % from October) leaves 5.2 - 1.8 - 0.1 - 1.1 x 3/12 = 3.025 for central increases,
# 3.025 x 12/8 = 4.5375 % from 1 May. The run's covered scope must show the same room, the
# same local pot and a central effect that fills it; its exact path must be frame's.
"$MANDAT" frame --frame 5.2 --overheng 1.8 --glidning 0.1 --increase 1.1@10 --format json \
  > "$tmp/frame.json"
python3 - "$tmp/frame.json" "$tmp/base/frame.csv" <<'PY'
import csv, json, sys
fr = json.load(open(sys.argv[1]))
rows = {(r["scope"], r["component"]): r for r in csv.DictReader(open(sys.argv[2]))}
def v(c, col="annual_effect_pct"):
    return float(rows[("covered", c)][col])
assert abs(fr["room_annual_pct"] - 3.025) < 1e-9, fr["room_annual_pct"]
assert abs(v("room") - fr["room_annual_pct"]) < 1e-9, (v("room"), fr["room_annual_pct"])
assert abs(v("room_dated") - fr["room_dated_pct"]) < 1e-9
assert abs(v("central") - fr["room_annual_pct"]) < 1e-9, v("central")
assert abs(v("local_pot") - 0.275) < 1e-12, v("local_pot")
assert abs(v("overheng") - 1.8) < 1e-12 and abs(v("glidning") + v("step_moves") - 0.1) < 1e-12
assert abs(v("annual_growth") - 5.2) < 1e-9
# frame's exact path (printed to 6 decimals) of the same elements, drift = glidning + steps
assert abs(v("exact_annual_growth") - fr["exact_annual_growth_pct"]) < 1e-6
print("ok: frame and run give the same room", v("room"))
PY
# ... and the same exact path when the run's own central increase is given to frame.
central=$(python3 -c "import csv,sys; r={(x['scope'],x['component']):x for x in csv.DictReader(open('$tmp/base/frame.csv'))}; print(float(r[('covered','central')]['annual_effect_pct'])*12/8)")
"$MANDAT" frame --overheng 1.8 --glidning 0.1 --increase "$central@5" --increase 1.1@10 \
  --format json > "$tmp/frame2.json"
python3 - "$tmp/frame2.json" <<'PY'
import json, sys
fr = json.load(open(sys.argv[1]))
assert abs(fr["annual_growth_pct"] - 5.2) < 1e-9, fr["annual_growth_pct"]
PY

# 3. The published guarantee pay from 1 May 2024 at step 0, all eight groups (the sources'
# guarantee_2024_step0.csv), equals the run's new guarantee table exactly.
python3 - "$model/sources/guarantee_2024_step0.csv" "$tmp/base/guarantee.csv" <<'PY'
import csv, sys
pub = {r["group"]: int(r["annual_nok"]) for r in csv.DictReader(open(sys.argv[1]))}
got = {r["group"]: r for r in csv.DictReader(open(sys.argv[2])) if r["step_years"] == "0"}
assert len(pub) == 8
for g, nok in pub.items():
    assert float(got[g]["new_annual_nok"]) == nok, (g, got[g]["new_annual_nok"], nok)
print("ok: step-0 guarantee pay after 2024 = published for", len(pub), "groups")
PY

# 4. Two years in one run: year two's overheng per group is year one's carry-over; both
# years add up; the period table is their compound; 1 and 2 threads give the same bytes.
"$MANDAT" run "$model/period-2024-2025.ini" --out "$tmp/per1" --threads 1 > "$tmp/per.txt"
"$MANDAT" run "$model/period-2024-2025.ini" --out "$tmp/per2" --threads 2 --quiet
for f in period.csv period.json 2024/settlement.csv 2025/settlement.csv 2025/frame.csv \
         2025/guarantee.csv 2025/report.json; do
  cmp -s "$tmp/per1/$f" "$tmp/per2/$f" || fail "$f differs between 1 and 2 threads"
done
for y in 2024 2025; do python3 "$check" "$tmp/per1/$y" || fail "$y does not add up"; done
grep -q "^Period 2024-2025" "$tmp/per.txt" || fail "no period in the summary"
python3 - "$tmp/per1" <<'PY'
import csv, sys, os
d = sys.argv[1]
s1 = {r["group"]: r for r in csv.DictReader(open(os.path.join(d, "2024/settlement.csv")))}
s2 = {r["group"]: r for r in csv.DictReader(open(os.path.join(d, "2025/settlement.csv")))}
for g, r in s1.items():
    if g == "total":
        continue
    assert float(s2[g]["overheng_pct"]) == float(r["carryover_pct"]), (g, s2[g]["overheng_pct"], r["carryover_pct"])
# year two's guarantee starts from year one's new one
g1 = {(r["group"], r["step_years"]): r for r in csv.DictReader(open(os.path.join(d, "2024/guarantee.csv")))}
g2 = {(r["group"], r["step_years"]): r for r in csv.DictReader(open(os.path.join(d, "2025/guarantee.csv")))}
for k, r in g1.items():
    assert r["new_annual_nok"] == g2[k]["annual_nok"], k
per = {r["group"]: r for r in csv.DictReader(open(os.path.join(d, "period.csv")))}
for g, r in per.items():
    if r["year1_growth_pct"] == "":
        continue
    a, b = float(r["year1_growth_pct"]), float(r["year2_growth_pct"])
    assert a == float(s1[g]["annual_growth_pct"]) and b == float(s2[g]["annual_growth_pct"])
    assert abs(float(r["period_growth_pct"]) - ((1 + a / 100) * (1 + b / 100) - 1) * 100) < 1e-9
    assert float(r["year1_carryover_nok"]) == float(s1[g]["carryover_nok"])
fr = {(r["scope"], r["component"]): r for r in csv.DictReader(open(os.path.join(d, "2025/frame.csv")))}
assert abs(float(fr[("covered", "annual_growth")]["annual_effect_pct"]) - 4.4) < 1e-9
print("ok: the period chains year one's carry-over into year two's overheng")
PY

# 5. An area figure beside groups.csv's own is said, with the difference.
"$MANDAT" run "$MDT_SOURCE_DIR/tests/fixtures/run/scenario.ini" --out "$tmp/fx2" --threads 1 \
  > /dev/null 2> "$tmp/fx.log"
grep -q "overheng: the scenario's 1.7 % is used for every group; groups.csv's own figures give" \
  "$tmp/fx.log" || fail "no note about the overheng the scenario overrides"
echo "ok"
