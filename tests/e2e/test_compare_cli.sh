#!/usr/bin/env bash
# End-to-end: `mandat compare` on the 2024 baseline and the priority-rule alternative, from
# the scenarios and from the two runs' own folders: every figure is the runs' own, every
# difference is the alternative's minus the baseline's, the differing settings are listed,
# and the folder has its CSVs, JSON and workbook.
set -euo pipefail
: "${MANDAT:?path to the mandat program}" "${MDT_SOURCE_DIR:?source tree}"
model="$MDT_SOURCE_DIR/models/ks-2024"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

"$MANDAT" run "$model/scenario.ini" --out "$tmp/base" --quiet
"$MANDAT" run "$model/scenario-priority.ini" --out "$tmp/prio" --quiet
"$MANDAT" compare "$model/scenario.ini" "$model/scenario-priority.ini" --out "$tmp/c1" \
  > "$tmp/c1.txt" 2> /dev/null || fail "compare of two scenarios"
"$MANDAT" compare "$tmp/base" "$tmp/prio" --out "$tmp/c2" --quiet || fail "compare of two folders"
for f in compare_groups compare_growth compare_guarantee compare_indicators compare_settings; do
  [ -s "$tmp/c1/$f.csv" ] || fail "missing $f.csv"
done
[ -s "$tmp/c1/compare.json" ] && [ -s "$tmp/c1/compare.xlsx" ] || fail "no JSON or workbook"
grep -q "^Annual growth" "$tmp/c1.txt" || fail "no table on the terminal"
unzip -l "$tmp/c1/compare.xlsx" | grep "xl/charts/chart1.xml" > /dev/null || fail "no chart in the workbook"

python3 - "$tmp" <<'PY'
import csv, os, sys
d = sys.argv[1]
def rows(p): return list(csv.DictReader(open(p, encoding="utf-8")))
def num(s): return float(s) if s != "" else None
for c, (a, b) in (("c1", ("scenario", "scenario_priority")), ("c2", ("base", "prio"))):
    groups = rows(os.path.join(d, c, "compare_groups.csv"))
    for which, name in (("base", a), ("prio", b)):
        s = {r["group"]: r for r in rows(os.path.join(d, which, "settlement.csv"))}
        for r in groups:
            assert num(r[name]) == num(s[r["group"]][r["measure"]]), (c, name, r)
    for r in groups:
        x, y, dxy = num(r[a]), num(r[b]), num(r[f"{b}_minus_{a}"])
        assert (dxy is None) == (x is None or y is None), r
        assert dxy is None or abs(dxy - (y - x)) <= 1e-9 * max(1.0, abs(x), abs(y)), r
    ind = rows(os.path.join(d, c, "compare_indicators.csv"))
    for which, name in (("base", a), ("prio", b)):
        own = {r["indicator"]: num(r["value"]) for r in rows(os.path.join(d, which, "indicators.csv"))}
        for r in ind:
            assert num(r[name]) == own[r["indicator"]], (c, r)
    gua = rows(os.path.join(d, c, "compare_guarantee.csv"))
    for which, name in (("base", a), ("prio", b)):
        own = {(r["group"], r["step_years"]): num(r["new_annual_nok"])
               for r in rows(os.path.join(d, which, "guarantee.csv"))}
        for r in gua:
            assert num(r[name]) == own[(r["group"], r["step_years"])], (c, r)
    sett = {r["setting"]: r for r in rows(os.path.join(d, c, "compare_settings.csv"))}
    assert sett["settlement.rule"][a] == "table" and sett["settlement.rule"][b] == "priority", sett.get("settlement.rule")
    assert "frame.frame_pct" not in sett  # the same frame in both
print("ok: the comparison is the runs' own figures and their differences")
PY

# Errors: one alternative is a usage error; a missing folder or scenario is missing input.
set +e
"$MANDAT" compare "$model/scenario.ini" --out "$tmp/x" 2> /dev/null; [ $? -eq 2 ] || fail "one alternative"
"$MANDAT" compare "$tmp/base" "$tmp/nowhere.ini" --out "$tmp/x" 2> /dev/null; rc=$?
[ $rc -eq 66 ] || fail "missing scenario: exit $rc"
mkdir -p "$tmp/empty"
"$MANDAT" compare "$tmp/base" "$tmp/empty" --out "$tmp/x" 2> "$tmp/err"; rc=$?
[ $rc -eq 66 ] || fail "empty folder: exit $rc"
set -e
[ ! -e "$tmp/x" ] || fail "a failed compare wrote a folder"

# --lang nb: the terminal summary in Norwegian, groups by name, the same figures
"$MANDAT" compare "$tmp/base" "$tmp/prio" --out "$tmp/c3" --lang nb 2> /dev/null > "$tmp/c3.txt"
"$MANDAT" compare "$tmp/base" "$tmp/prio" --out "$tmp/c4" 2> /dev/null > "$tmp/c4.txt"
for want in "Årslønnsvekst, %" "Nøkkeltall (kroner i millioner)" "Lektor / mastergrad" "totalt" \
            "Innstillinger som er ulike"; do
  grep -qF "$want" "$tmp/c3.txt" || fail "nb summary: no '$want'"
done
for gone in "Key figures" "Annual growth" "Settings that differ" "  g7 "; do
  if grep -qF "$gone" "$tmp/c3.txt"; then fail "nb summary: '$gone' left in English"; fi
done
nums() { awk 'NF >= 3 && $NF ~ /^[-+][0-9.]+$/ { print $(NF-2), $(NF-1), $NF }' "$1"; }
cmp <(nums "$tmp/c3.txt") <(nums "$tmp/c4.txt") || fail "nb and en summaries differ in their figures"
echo ok
