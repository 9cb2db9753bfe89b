#!/usr/bin/env bash
# End-to-end: files as a Norwegian Excel saves them. respondents.csv and register.csv of
# models/ks-2024 rewritten as Excel's plain "CSV" in a Norwegian locale: Windows-1252 (å as the
# byte 0xE5), `;` between fields, CRLF, a decimal comma and a no-break space between
# thousands. `aggregate` and `run` give the same numbers as from the UTF-8 originals, with a
# notice naming each converted file; a file that is neither UTF-8 nor Windows-1252 is still an
# error with its position.
set -euo pipefail
: "${MANDAT:?path to the mandat program}" "${MDT_SOURCE_DIR:?source tree}"
model="$MDT_SOURCE_DIR/models/ks-2024"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
cp -r "$model" "$tmp/m"
python3 - "$model" "$tmp/m" <<'PY'
import csv, os, sys
src, dst = sys.argv[1:3]
def grouped(s):
    whole, _, frac = s.partition(".")
    neg = whole.startswith("-")
    g = f"{abs(int(whole)):,}".replace(",", "\u00a0")
    return ("-" if neg else "") + g + ("," + frac if frac else "")
def excel(name, numeric):
    rows = list(csv.reader(open(os.path.join(src, name), encoding="utf-8")))
    head = rows[0]
    out = [";".join(head)]
    for r in rows[1:]:
        out.append(";".join(grouped(v) if head[k] in numeric and v else v for k, v in enumerate(r)))
    open(os.path.join(dst, name), "wb").write(("\r\n".join(out) + "\r\n").encode("cp1252"))
excel("respondents.csv", {"population", "employees", "fte"})
excel("register.csv", {"fte", "annual_salary", "seniority_years", "weight"})
raw = open(os.path.join(dst, "respondents.csv"), "rb").read()
assert b"\xe5" in raw or b"\xf8" in raw and b"\xa0" in raw, "no Windows-1252 bytes"
PY
"$MANDAT" aggregate --model "$model" --format csv > "$tmp/utf8.csv" 2> /dev/null
"$MANDAT" aggregate --model "$tmp/m" --format csv > "$tmp/cp1252.csv" 2> "$tmp/err"
cmp -s "$tmp/utf8.csv" "$tmp/cp1252.csv" || fail "aggregate differs from the UTF-8 original"
grep "respondents.csv is not UTF-8 but Windows-1252" "$tmp/err" > /dev/null || fail "no notice"
sed -e "s|^dir = \.$|dir = $tmp/m|" \
    -e "s#^\(table\|base_table\|guarantee\|new_guarantee\) = \([^/].*\)\$#\1 = $tmp/m/\2#" \
    -e "s|^draws = .*|draws = 500|" -e "s|^bootstrap = .*|bootstrap = 100|" \
    "$model/scenario.ini" > "$tmp/m.ini"
sed -e "s|^dir = .*|dir = $model|" -e "s|$tmp/m/|$model/|" "$tmp/m.ini" > "$tmp/u.ini"
"$MANDAT" run "$tmp/u.ini" --out "$tmp/ru" --quiet
"$MANDAT" run "$tmp/m.ini" --out "$tmp/rm" --quiet
for f in settlement frame aggregate guarantee indicators uncertainty response_status; do
  cmp -s "$tmp/ru/$f.csv" "$tmp/rm/$f.csv" || fail "run: $f.csv differs from the UTF-8 original"
done
# Neither UTF-8 nor Windows-1252 (0x81 is undefined in it): an error at its position.
printf 'id,name,kind,region,population,employees\n1,Bad\x81name,kommune,X,1,1\n' > "$tmp/m/respondents.csv"
set +e
"$MANDAT" aggregate --model "$tmp/m" 2> "$tmp/err2"; rc=$?
set -e
[ $rc -eq 65 ] || fail "a file that is neither: exit $rc"
grep "respondents.csv:2:6: .*UTF-8" "$tmp/err2" > /dev/null || { cat "$tmp/err2" >&2; fail "no position"; }
echo ok
