#!/usr/bin/env bash
# The workbook as the board prints it: models/ks-2024/scenario-priority.ini's run (it has every
# sheet: sweeps, regions, Monte Carlo, the mandate's uncertainty) rendered to PDF by LibreOffice
# headless, and checked by check_print.py: every sheet in order, the summary on one page, the
# other sheets within their page budget, every chart whole on a page. Then the summary sheet
# of a Norwegian run is "Sammendrag". Needs libreoffice-calc-nogui and poppler-utils
# (.ci/install-deps installs them); ctest gives this test the label "render".
set -euo pipefail

for tool in soffice pdftotext pdftoppm; do
  if ! command -v "$tool" >/dev/null; then
    echo "FAIL: $tool is missing (libreoffice-calc-nogui, poppler-utils: run .ci/install-deps)"
    exit 1
  fi
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$MANDAT" run "$MDT_SOURCE_DIR/models/ks-2024/scenario-priority.ini" --out "$tmp/prio" --quiet

# A profile of its own, so that this LibreOffice neither waits for nor disturbs another one.
soffice -env:UserInstallation="file://$tmp/lo-profile" --headless --convert-to pdf \
  --outdir "$tmp" "$tmp/prio/report.xlsx" >"$tmp/soffice.log" 2>&1 || {
  cat "$tmp/soffice.log"
  exit 1
}
if [ ! -s "$tmp/report.pdf" ]; then
  echo "FAIL: LibreOffice wrote no PDF"
  cat "$tmp/soffice.log"
  exit 1
fi
mkdir "$tmp/pages"
python3 "$MDT_SOURCE_DIR/tests/e2e/check_print.py" "$tmp/prio/report.xlsx" "$tmp/report.pdf" \
  "$tmp/pages" Summary

# The summary sheet comes first, named in the workbook's language, with the terminal's lines.
"$MANDAT" run "$MDT_SOURCE_DIR/tests/fixtures/run/scenario.ini" --out "$tmp/nb" --lang nb \
  >"$tmp/nb.txt"
unzip -p "$tmp/nb/report.xlsx" xl/workbook.xml > "$tmp/workbook.xml"
grep -q '<sheets><sheet name="Sammendrag"' "$tmp/workbook.xml" || {
  echo "FAIL: the Norwegian workbook's first sheet is not Sammendrag"
  exit 1
}
strings_xml=$(unzip -p "$tmp/nb/report.xlsx" xl/sharedStrings.xml)
head -n 3 "$tmp/nb.txt" | while IFS= read -r line; do
  text=$(printf '%s' "$line" | sed 's/&/\&amp;/g; s/</\&lt;/g; s/>/\&gt;/g')
  case "$strings_xml" in
  *"$text"*) ;;
  *)
    echo "FAIL: the summary sheet lacks the terminal's line '$line'"
    exit 1
    ;;
  esac
done
echo "ok"
