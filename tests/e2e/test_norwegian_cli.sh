#!/usr/bin/env bash
# End-to-end: --lang nb on mandat frame, aggregate and status. The text output's headings and
# columns are Norwegian and the English ones are gone; the numbers are the same as with
# --lang en (numeric tokens compared in order); csv and json are the same in both languages;
# --lang xx is a usage error (exit status 2).
set -euo pipefail
: "${MANDAT:?path to the mandat program}" "${MDT_SOURCE_DIR:?source tree}"
model="$MDT_SOURCE_DIR/models/ks-2024"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

frame=(frame --frame 5.2 --overheng 1.7 --glidning-history 0.9,1.0,1.1 --increase 1.1@10)
aggregate=(aggregate --model "$model" --bootstrap 20 --poststrata region --threads 2)
status=(status --model "$model")

for lang in en nb; do
  "$MANDAT" "${frame[@]}" --lang "$lang" > "$tmp/frame.$lang"
  "$MANDAT" "${aggregate[@]}" --lang "$lang" > "$tmp/aggregate.$lang"
  "$MANDAT" "${status[@]}" --lang "$lang" > "$tmp/status.$lang"
done

# Norwegian headings in, English out.
expect() { # file, then pairs of (Norwegian pattern, English pattern)
  local f=$1; shift
  while [ $# -gt 0 ]; do
    grep -q -- "$1" "$tmp/$f.nb" || fail "$f --lang nb: expected '$1'"
    grep -q -- "$2" "$tmp/$f.en" || fail "$f --lang en: expected '$2'"
    if grep -q -- "$2" "$tmp/$f.nb"; then fail "$f --lang nb: English '$2' left"; fi
    shift 2
  done
}
expect frame "^Årslønnsvekst: TBUs additive" "^Annual wage growth (årslønnsvekst)" \
  "Overheng fra i fjor" "Overheng from last year" \
  "Årsvirkning" "Annual effect" \
  "Overheng til neste år" "Carry-over" \
  "Ramme 5.20 %. Rom for sentrale tillegg" "Frame 5.20 %. Room for central increases" \
  "fra 1. mai" "from 1 May" \
  "Nivåbane" "Level path"
expect aggregate "^Mandat fra 291 av 370 medlemmer" "^Mandate from 291 of 370 members" \
  "^Politisk vedtatt:" "^Adopted politically:" \
  "^Mandatprofil (prioritet" "^Mandate profile (priority" \
  "stillingsgruppe .* prioritet  intervall" "group .* priority  interval" \
  "svaralternativ .* snitt  intervall" "option .* mean  interval" \
  "enighet (Kendalls W)" "agreement (Kendall's W)" \
  "^Mandatprofil etter region" "^Mandate profile by region"
grep -q "g4 Lærer / 3-årig U&H-utdanning" "$tmp/aggregate.nb" || fail "aggregate --lang nb: group names"
expect status "^Svarstatus: 291 av 370 medlemmer har svart" "^Response status: 291 of 370 members answered" \
  "medl.    svart  svar-%" "members answered    rate" \
  "^Ikke svart: 79 medlemmer" "^Not answered: 79 members" \
  "ansatte)" "employees)"
grep -q "^  alle " "$tmp/status.nb" || fail "status --lang nb: the nation's row"

# The same numbers in both languages.
python3 - "$tmp" <<'PY'
import re, sys
tmp = sys.argv[1]
for f in ("frame", "aggregate", "status"):
    nums = {}
    for lang in ("en", "nb"):
        text = open(f"{tmp}/{f}.{lang}", encoding="utf-8").read()
        nums[lang] = [float(t.replace(",", ".")) for t in re.findall(r"\d+(?:[.,]\d+)?", text)]
    assert nums["en"] == nums["nb"], (f, "numbers differ", len(nums["en"]), len(nums["nb"]),
        next((k, a, b) for k, (a, b) in enumerate(zip(nums["en"], nums["nb"])) if a != b)
        if any(a != b for a, b in zip(nums["en"], nums["nb"])) else None)
    assert len(nums["en"]) > 20, (f, "too few numbers", len(nums["en"]))
PY

# Machine formats do not depend on the language.
for lang in en nb; do
  "$MANDAT" "${frame[@]}" --format json --lang "$lang" > "$tmp/frame.json.$lang"
  "$MANDAT" "${aggregate[@]}" --format csv --lang "$lang" > "$tmp/aggregate.csv.$lang"
  "$MANDAT" "${status[@]}" --format json --lang "$lang" > "$tmp/status.json.$lang"
done
for f in frame.json aggregate.csv status.json; do
  cmp -s "$tmp/$f.en" "$tmp/$f.nb" || fail "$f differs between --lang en and nb"
done

# --lang en is the default.
"$MANDAT" "${status[@]}" | cmp -s - "$tmp/status.en" || fail "status: en is not the default"
"$MANDAT" "${frame[@]}" | cmp -s - "$tmp/frame.en" || fail "frame: en is not the default"

# A language other than en or nb is a usage error.
for cmd in frame aggregate status; do
  set +e
  "$MANDAT" "$cmd" --lang xx --model "$model" > "$tmp/out" 2> "$tmp/err"
  rc=$?
  set -e
  [ "$rc" -eq 2 ] || fail "$cmd --lang xx: exit status $rc, expected 2"
  grep -q -- "--lang: expected en or nb, found 'xx'" "$tmp/err" || fail "$cmd --lang xx: message"
  [ ! -s "$tmp/out" ] || fail "$cmd --lang xx: wrote output"
  "$MANDAT" "$cmd" --help | grep -q -- "--lang en|nb" || fail "$cmd --help: no --lang"
done
echo "ok"
