#!/usr/bin/env bash
# End-to-end: the regional process's outputs of `mandat run`. One workbook per region of
# models/ks-2024, named by the region's number and an ASCII form of its name, each with the
# overview, response status, missing members, answers beside the nation's, priorities and text
# answers; the same bytes with 1 and 2 threads; a region where nobody answered gets a pack that
# says so; and the national table of the regions side by side, most disagreeing first.
set -euo pipefail
: "${MANDAT:?path to the mandat program}" "${MDT_SOURCE_DIR:?source tree}"
model="$MDT_SOURCE_DIR/models/ks-2024"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
# A lighter copy of the priority scenario: fewer draws, the same regions.
sed -e "s|^dir = \.$|dir = $model|" \
    -e "s#^\(table\|base_table\|guarantee\|new_guarantee\) = \([^/].*\)\$#\1 = $model/\2#" \
    -e "s|^draws = .*|draws = 500|" -e "s|^bootstrap = .*|bootstrap = 200|" \
    "$model/scenario-priority.ini" > "$tmp/s.ini"
"$MANDAT" run "$tmp/s.ini" --out "$tmp/r1" --regional-packs "$tmp/p1" --threads 1 --quiet
"$MANDAT" run "$tmp/s.ini" --out "$tmp/r2" --regional-packs "$tmp/p2" --threads 2 --quiet
[ "$(ls "$tmp/p1" | wc -l)" -eq 14 ] || fail "expected 14 packs, found $(ls "$tmp/p1" | wc -l)"
[ -f "$tmp/p1/15-More-og-Romsdal.xlsx" ] && [ -f "$tmp/p1/50-Trondelag.xlsx" ] \
  && [ -f "$tmp/p1/31-Ostfold.xlsx" ] || fail "pack names: $(ls "$tmp/p1" | tr '\n' ' ')"
for f in "$tmp"/p1/*.xlsx; do
  cmp -s "$f" "$tmp/p2/$(basename "$f")" || fail "$(basename "$f") differs between 1 and 2 threads"
done
mkdir "$tmp/x" && (cd "$tmp/x" && unzip -q "$tmp/p1/42-Agder.xlsx")
# The sheets, by their Norwegian names: overview, response status, missing members, answers
# beside the nation's, priorities, text answers.
for sheet in Oversikt Svarstatus "Ikke svart" "Svar mot landet" Prioriteringer Fritekstsvar; do
  grep -o "<sheet name=\"[^\"]*\"" "$tmp/x/xl/workbook.xml" | grep "\"$sheet\"" > /dev/null \
    || fail "Agder's pack has no $sheet sheet"
done
grep -o "<sheet name=\"[^\"]*\"" "$tmp/x/xl/workbook.xml" | head -1 | grep "Oversikt" > /dev/null \
  || fail "the overview is not the first sheet"
python3 - "$tmp/r1" <<'PY'
import csv, os, sys
rows = list(csv.DictReader(open(os.path.join(sys.argv[1], "regions_side_by_side.csv"), encoding="utf-8")))
assert rows[0]["region"] == "all" and len(rows) == 15, len(rows)
d = [float(r["l1_distance_pp"]) for r in rows[1:]]
assert d == sorted(d, reverse=True), d  # most disagreeing first
st = {r["stratum"]: r for r in csv.DictReader(open(os.path.join(sys.argv[1], "response_status.csv"), encoding="utf-8"))}
for r in rows:
    assert float(r["answered"]) == float(st[r["region"]]["answered"]), r["region"]
print("ok: the regions side by side")
PY
# A region where nobody answered: drop Finnmark's answers from a copy of the model.
cp -r "$model" "$tmp/m"
python3 - "$tmp/m" <<'PY'
import csv, os, sys
m = sys.argv[1]
fin = {r["id"] for r in csv.DictReader(open(os.path.join(m, "respondents.csv"), encoding="utf-8")) if r["region"] == "Finnmark"}
for name in ("answers.csv", "text_answers.csv"):
    p = os.path.join(m, name)
    if not os.path.exists(p):
        continue
    lines = open(p, encoding="utf-8", newline="").read().splitlines(True)
    keep = [lines[0]] + [l for l in lines[1:] if l.split(",")[0] not in fin]
    open(p, "w", encoding="utf-8", newline="").write("".join(keep))
PY
sed -e "s|^dir = .*|dir = $tmp/m|" "$tmp/s.ini" > "$tmp/m.ini"
"$MANDAT" run "$tmp/m.ini" --out "$tmp/r3" --regional-packs "$tmp/p3" --quiet 2> "$tmp/err" \
  || { cat "$tmp/err" >&2; fail "a run with a region that did not answer"; }
mkdir "$tmp/y" && (cd "$tmp/y" && unzip -q "$tmp/p3/56-Finnmark.xlsx")
grep -r "No member of this region has answered" "$tmp/y/xl" > /dev/null || fail "Finnmark's pack does not say so"
echo ok
