#!/usr/bin/env bash
# End-to-end: a run for Norwegian Excel (--lang nb --csv excel-nb). Every CSV is UTF-8 with a
# byte-order mark, `;`-separated with decimal commas and fixed decimals, no number in exponent
# form; no header or row label is left as its English machine name, groups appear by name;
# chart titles and the terminal summary are Norwegian. The tidy default keeps ids and full
# precision and never writes an exponent either.
set -euo pipefail
: "${MANDAT:?path to the mandat program}" "${MDT_SOURCE_DIR:?source tree}"
model="$MDT_SOURCE_DIR/models/ks-2024"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

"$MANDAT" run "$model/scenario-priority.ini" --out "$tmp/nb" --lang nb --csv excel-nb \
  > "$tmp/summary.txt" 2> /dev/null
"$MANDAT" run "$model/scenario-priority.ini" --out "$tmp/tidy" --quiet
grep -q "^Mandat: 291 av 370 medlemmer har svart" "$tmp/summary.txt" || fail "summary not Norwegian"
grep -q "^Ramme 5.20 %" "$tmp/summary.txt" || fail "frame line not Norwegian"
if grep -E "^(Mandate|Frame|Settlement|Uncertainty|Wrote) " "$tmp/summary.txt"; then
  fail "English lines in the Norwegian summary"
fi
mkdir "$tmp/x" && (cd "$tmp/x" && unzip -q "$tmp/nb/report.xlsx")
python3 - "$tmp" "$MDT_SOURCE_DIR" <<'PY'
import csv, glob, io, os, re, sys
tmp, src = sys.argv[1:3]
# The catalogue's keys, read from its source: none of them may be left as written.
keys = set(re.findall(r'\{"([a-z0-9_]+)",', open(os.path.join(src, "src/report/labels.c"), encoding="utf-8").read()))
groups = {r["id"]: r["name"] for r in csv.DictReader(open(os.path.join(src, "models/ks-2024/groups.csv"), encoding="utf-8"))}
n = 0
for f in sorted(glob.glob(os.path.join(tmp, "nb", "*.csv"))):
    raw = open(f, "rb").read()
    assert raw.startswith(b"\xef\xbb\xbf"), f + ": no byte-order mark"
    text = raw[3:].decode("utf-8")
    assert not re.search(r"\d[eE][-+]?\d", text), f + ": a number in exponent form"
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    for h in rows[0]:
        assert not re.fullmatch(r"[a-z0-9_]+", h) or h not in keys, (f, "header left in English", h)
        assert not re.fullmatch(r"[a-z][a-z0-9]*(_[a-z0-9]+)+", h), (f, "a machine name as header", h)
    gcols = [k for k, h in enumerate(rows[0]) if h in ("Stillingsgruppe", "Fra gruppe", "Til gruppe")]
    for r in rows[1:]:
        for k, c in enumerate(r):
            assert c not in keys, (f, "row label left in English", c)
            if k in gcols and c:
                assert c not in groups, (f, "a group id instead of its name", c)
            if re.fullmatch(r"-?\d+\.\d+", c):
                raise AssertionError((f, "a decimal point in the Excel dialect", c))
    n += 1
assert n >= 15, n
# the tidy default: ids, full precision, no exponent
for f in glob.glob(os.path.join(tmp, "tidy", "*.csv")):
    text = open(f, encoding="utf-8").read()
    assert not text.startswith("\ufeff") and not re.search(r"\d[eE][-+]?\d", text), f
# nor does any JSON (jansson alone would write 9.8e-05 for the small exchange rates), and the
# written-out numbers are the same values as the CSV's
import json
for f in glob.glob(os.path.join(tmp, "tidy", "*.json")):
    text = open(f, encoding="utf-8").read()
    json.loads(text)
    bad = [m.group(0) for m in re.finditer(r"(?<![\w\"])-?\d+(\.\d+)?[eE][-+]?\d+", text)]
    assert not bad, (f, "numbers in exponent form", bad[:3])
s = list(csv.DictReader(open(os.path.join(tmp, "tidy", "settlement.csv"), encoding="utf-8")))
assert s[0]["group"] == "g1"
# chart titles: every one in Norwegian
titles = set()
for f in glob.glob(os.path.join(tmp, "x", "xl", "charts", "*.xml")):
    titles.update(re.findall(r"<a:t>([^<]*)</a:t>", open(f, encoding="utf-8").read()))
english = {"The frame decomposed", "Monte Carlo: annual growth", "Each group's annual growth along theta"}
assert titles and not (titles & english), titles
# sheet names: none left as a table's machine name
wb = open(os.path.join(tmp, "x", "xl", "workbook.xml"), encoding="utf-8").read()
sheets = re.findall(r'<sheet name="([^"]*)"', wb)
assert sheets[0] == "Sammendrag", sheets
left = [s for s in sheets if re.fullmatch(r"[a-z0-9_]+", s)]
assert not left, left
print("ok:", n, "Norwegian CSVs")
PY
echo ok
