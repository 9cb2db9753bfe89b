#!/usr/bin/env bash
# End-to-end: small-cell suppression (issue 9). The small fixture with group g3 cut down to
# one employee: a single register row of weight 10 (ten weighted employees, one person).
# The suppression counts register rows, so g3 is suppressed, and complementary: the smallest
# other group of its class (covered, not named: g2, 8 rows; l1 is named and not covered, and
# the frame's local pot and named rows are sums over those classes) is suppressed with it, so
# that the total minus the shown groups is g2 + g3 + ... and never g3's own numbers. The test tries that subtraction on the
# settlement table in CSV, report.json and the workbook and on simulate's CSV and JSON, and
# checks that no per-group table (exchange rates, sweeps, uncertainty, mandate, regions)
# lists either group.
set -euo pipefail
: "${MANDAT:?path to the mandat program}" "${MDT_SOURCE_DIR:?source tree}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

cp -r "$MDT_SOURCE_DIR/tests/fixtures/small" "$tmp/m"
grep -v ',g3,' "$MDT_SOURCE_DIR/tests/fixtures/small/register.csv" > "$tmp/m/register.csv"
# the one g3 employee: 0.8 FTE at 537 300 NOK, weight 10
echo "100,1103,g3,4.1,0.8,537300,10" >> "$tmp/m/register.csv"

"$MANDAT" run "$tmp/m/scenario.ini" --out "$tmp/res" --quiet
"$MANDAT" simulate --model "$tmp/m" --format csv --quiet > "$tmp/sim.csv"
"$MANDAT" simulate --model "$tmp/m" --format json --quiet > "$tmp/sim.json"
"$MANDAT" simulate --model "$tmp/m" --quiet > "$tmp/sim.txt"

python3 - "$tmp" <<'PY'
import csv, json, os, re, sys, zipfile
tmp = sys.argv[1]
res = os.path.join(tmp, "res")
# g3's own numbers, by hand from its one register row: 10 employees, 10 x 0.8 = 8 FTE,
# a wage bill of 8 x 537 300 = 4 298 400 NOK.
G3 = {"employees": 10.0, "fte": 8.0, "wage_bill_nok": 4298400.0}
# g2's rows in the small register: weights 12.5 + 40 + 25 + 60 + 18 + 33.3 + 50 + 20
# = 258.8 employees.
G2_EMPLOYEES = 258.8
ADDITIVE = ["employees", "fte", "wage_bill_nok", "rise_nok", "cost_nok"]
HIDDEN = {"g3", "g2"}


def num(v):
    return None if v in ("", None) else float(v)


def attack(rows, where):
    """Total minus the shown groups: must not give g3's numbers."""
    rows = [dict(r) for r in rows]
    total = [r for r in rows if r["group"] == "total"][0]
    groups = [r for r in rows if r["group"] != "total"]
    for r in groups:
        hidden = r["group"] in HIDDEN
        shown = [c for c in ADDITIVE + ["pct", "rise_p10_nok", "rise_p50_nok", "rise_p90_nok",
                                        "annual_growth_pct", "real_growth_pct", "nok_per_fte"]
                 if num(r.get(c)) is not None]
        if hidden:
            assert str(r["suppressed"]).lower() in ("1", "true"), (where, r)
            assert shown == [], (where, r["group"], "shows", shown)
        else:
            assert str(r["suppressed"]).lower() in ("0", "false"), (where, r)
    for c in ADDITIVE:
        left = num(total[c]) - sum(num(r[c]) for r in groups if r["group"] not in HIDDEN)
        if c in G3:
            assert abs(left - G3[c]) > 1, (where, c, "recovered g3's", left)
    # what the subtraction does give: g2 and g3 together (258.8 + 10 employees)
    left = num(total["employees"]) - sum(num(r["employees"]) for r in groups
                                          if r["group"] not in HIDDEN)
    assert abs(left - (G3["employees"] + G2_EMPLOYEES)) < 1e-6, (where, left)


# settlement.csv of the run and simulate's CSV
with open(os.path.join(res, "settlement.csv"), encoding="utf-8") as f:
    attack(csv.DictReader(f), "run settlement.csv")
with open(os.path.join(tmp, "sim.csv"), encoding="utf-8") as f:
    attack(csv.DictReader(f), "simulate csv")

# report.json: the same table
rep = json.load(open(os.path.join(res, "report.json"), encoding="utf-8"))
attack([{k: ("" if v is None else v) for k, v in r.items()} for r in rep["tables"]["settlement"]],
       "report.json")

# simulate's JSON: groups and total
sj = json.load(open(os.path.join(tmp, "sim.json"), encoding="utf-8"))
for g in sj["groups"]:
    if g["group"] in HIDDEN:
        assert g["suppressed"] is True and "employees" not in g or g.get("employees") is None, g
    else:
        assert g["suppressed"] is False, g
total = sj["total"]
left = total["employees"] - sum(g["employees"] for g in sj["groups"] if g["group"] not in HIDDEN)
assert abs(left - G3["employees"]) > 1, ("simulate json recovered g3", left)

# every per-group table of the run: neither hidden group appears
for name in ("exchange_rates", "sweep_theta", "sweep_krone_share", "sweep_local_pot",
             "sweep_central_month", "uncertainty_groups", "mandate_uncertainty",
             "region_allocations"):
    with open(os.path.join(res, name + ".csv"), encoding="utf-8") as f:
        for r in csv.DictReader(f):
            for c in ("group", "from_group", "to_group"):
                assert r.get(c) not in HIDDEN, (name, r)
    for r in rep["tables"][name]:
        for c in ("group", "from_group", "to_group"):
            assert r.get(c) not in HIDDEN, ("report.json", name, r)

# the workbook: the settlement sheet's g2 and g3 rows hold no numbers but covered and
# suppressed (both 1)
z = zipfile.ZipFile(os.path.join(res, "report.xlsx"))
wb = z.read("xl/workbook.xml").decode()
rels = z.read("xl/_rels/workbook.xml.rels").decode()
rid = re.search(r'<sheet name="[^"]*"[^>]*sheetId="\d+"[^>]*r:id="(rId\d+)"', wb)
sheets = re.findall(r'<sheet name="([^"]*)"[^>]*r:id="(rId\d+)"', wb)
target = None
for sname, r in sheets:
    if sname.lower().startswith("settlement") or sname.lower().startswith("avtale"):
        target = re.search(r'Id="%s"[^>]*Target="([^"]+)"' % r, rels) or \
                 re.search(r'Target="([^"]+)"[^>]*Id="%s"' % r, rels)
        break
assert target, sheets
xml = z.read("xl/" + target.group(1).lstrip("/").replace("xl/", "")).decode()
strings = re.findall(r"<si>(.*?)</si>", z.read("xl/sharedStrings.xml").decode(), re.S)
strings = [re.sub(r"<[^>]+>", "", s) for s in strings]
found = set()
for row in re.findall(r"<row[^>]*>(.*?)</row>", xml, re.S):
    cells = re.findall(r'<c r="([A-Z]+)\d+"([^>]*)>(?:<f>[^<]*</f>)?<v>([^<]*)</v></c>', row)
    texts = [strings[int(v)] for _, attrs, v in cells if 't="s"' in attrs]
    if texts and texts[0] in HIDDEN:
        found.add(texts[0])
        numbers = [float(v) for _, attrs, v in cells if 't="s"' not in attrs]
        assert all(x in (0.0, 1.0) for x in numbers) and len(numbers) <= 2, (texts[0], numbers)
assert found == HIDDEN, found
print("suppression holds: total minus the shown groups gives g2 and g3 together "
      "(268.8 employees), never g3's 10")
PY

grep -q "g3 Barnehagelærere .*not shown" "$tmp/sim.txt" || fail "text: g3 shown"
grep -q "g2 Fagarbeidere .*not shown" "$tmp/sim.txt" || fail "text: g2 (the complement) shown"

# The threshold is a setting: [output] suppress_below = 1 shows every group.
printf '\n[output]\nsuppress_below = 1\n' >> "$tmp/m/scenario.ini"
"$MANDAT" simulate --model "$tmp/m" --format csv --quiet > "$tmp/sim1.csv"
grep -q '^g3,Barnehagelærere,4,1,[0-9.]*,10,8,4298400,' "$tmp/sim1.csv" \
  || fail "suppress_below = 1: g3 not shown with its own numbers: $(grep ^g3 "$tmp/sim1.csv")"
grep -q ',0$' <(grep '^g2,' "$tmp/sim1.csv") || fail "suppress_below = 1: g2 still suppressed"
# and out of range is an error at its line
printf 'suppress_below = 2.5\n' >> "$tmp/m/scenario.ini"
if "$MANDAT" simulate --model "$tmp/m" --quiet 2> "$tmp/err"; then fail "suppress_below twice accepted"; fi
grep -q "expected each key once" "$tmp/err" || fail "suppress_below twice: $(cat "$tmp/err")"

# A small group with no other of its class to hide it (l1, the one named group that is not
# covered): the totals' parts are withheld, and the terminal shows '-' and says so, never nan.
cp -r "$MDT_SOURCE_DIR/tests/fixtures/small" "$tmp/w"
grep -v ',l1,' "$MDT_SOURCE_DIR/tests/fixtures/small/register.csv" > "$tmp/w/register.csv"
echo "100,1103,l1,4.1,0.8,537300,10" >> "$tmp/w/register.csv"
"$MANDAT" run "$tmp/w/scenario.ini" --out "$tmp/wres" 2>/dev/null > "$tmp/wrun.txt"
"$MANDAT" simulate --model "$tmp/w" 2>/dev/null > "$tmp/wsim.txt"
for f in wrun wsim; do
  if grep -qi 'nan' "$tmp/$f.txt"; then fail "$f: nan in the terminal: $(grep -i nan "$tmp/$f.txt")"; fi
done
grep -q '^  total  *-  *- ' "$tmp/wrun.txt" || fail "run: total's NOK/FTE not '-': $(grep total "$tmp/wrun.txt")"
grep -q 'its parts withheld: small groups' "$tmp/wsim.txt" || fail "simulate: withheld parts not said"
echo ok
