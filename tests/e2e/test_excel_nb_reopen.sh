#!/usr/bin/env bash
# End-to-end: the CSV files of `mandat run --csv excel-nb`, opened by LibreOffice Calc in a
# Norwegian locale (language 1044, `;`, UTF-8) as a user opens a CSV, come back as numbers:
# every cell that mandat wrote as a number is a number in the sheet, not text and not a date
# (1,7 must not become 1 July), with the value mandat computed.
set -euo pipefail
: "${MANDAT:?path to the mandat program}" "${MDT_SOURCE_DIR:?source tree}"
command -v soffice > /dev/null || { echo "FAIL: soffice missing (.ci/install-deps installs it)" >&2; exit 1; }
model="$MDT_SOURCE_DIR/models/ks-2024"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
sed -e "s|^dir = \.$|dir = $model|" \
    -e "s#^\(table\|base_table\|guarantee\|new_guarantee\) = \([^/].*\)\$#\1 = $model/\2#" \
    -e "s|^draws = .*|draws = 500|" "$model/scenario.ini" > "$tmp/s.ini"
"$MANDAT" run "$tmp/s.ini" --out "$tmp/nb" --lang nb --csv excel-nb --quiet
"$MANDAT" run "$tmp/s.ini" --out "$tmp/tidy" --quiet
mkdir "$tmp/x"
for f in frame settlement indicators guarantee; do
  # CSV filter: separator ';' (59), text delimiter '"' (34), UTF-8 (76), from row 1, the
  # Norwegian (bokmål) locale 1044 for numbers and dates.
  soffice -env:UserInstallation="file://$tmp/lo-profile" --headless \
    --infilter="CSV:59,34,76,1,,1044" --convert-to xlsx --outdir "$tmp/x" "$tmp/nb/$f.csv" \
    > "$tmp/soffice.log" 2>&1 || { cat "$tmp/soffice.log" >&2; fail "LibreOffice could not open $f.csv"; }
  [ -s "$tmp/x/$f.xlsx" ] || fail "LibreOffice wrote no $f.xlsx"
done
python3 - "$tmp" <<'PY'
import csv, os, re, sys, zipfile
tmp = sys.argv[1]
def sheet_cells(path):
    z = zipfile.ZipFile(path)
    shared = re.findall(r"<si>.*?<t[^>]*>(.*?)</t>.*?</si>", z.read("xl/sharedStrings.xml").decode(), re.S) \
        if "xl/sharedStrings.xml" in z.namelist() else []
    xml = z.read("xl/worksheets/sheet1.xml").decode()
    cells = {}
    for m in re.finditer(r'<c r="([A-Z]+)(\d+)"([^>]*?)(?:/>|>(.*?)</c>)', xml, re.S):
        col, row, attrs, body = m.group(1), int(m.group(2)), m.group(3), m.group(4) or ""
        v = re.search(r"<v>(.*?)</v>", body)
        t = re.search(r't="(\w+)"', attrs)
        s = re.search(r's="(\d+)"', attrs)
        cells[(col, row)] = (t.group(1) if t else "n", v.group(1) if v else None, s.group(1) if s else "0")
    return cells
def col_name(k):
    n = ""
    k += 1
    while k:
        k, r = divmod(k - 1, 26)
        n = chr(65 + r) + n
    return n
checked = 0
for f in ("frame", "settlement", "indicators", "guarantee"):
    tidy = list(csv.reader(open(os.path.join(tmp, "tidy", f + ".csv"), encoding="utf-8")))
    cells = sheet_cells(os.path.join(tmp, "x", f + ".xlsx"))
    for i, row in enumerate(tidy[1:], start=2):
        for k, v in enumerate(row):
            if tidy[0][k] == "chapter":  # a label ("kap. 3.4"), not a number
                continue
            try:
                x = float(v)
            except ValueError:
                continue
            t, got, style = cells.get((col_name(k), i), (None, None, None))
            assert t == "n" and got is not None, (f, i, k, v, t, got)
            # the Excel dialect's fixed decimals: within half a unit of its last decimal
            assert abs(float(got) - x) <= 0.5 * max(1.0, abs(x)) * 1e-3 + 0.0005 or abs(float(got) - x) < 0.5, (f, i, k, v, got)
            checked += 1
assert checked > 100, checked
print("ok:", checked, "numbers read back as numbers")
PY
echo ok
