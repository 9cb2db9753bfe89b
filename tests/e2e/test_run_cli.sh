#!/usr/bin/env bash
# End-to-end: `mandat run`: a complete result folder, byte-identical for 1 and 2 threads, a
# valid workbook with its sheets and charts, a killed run never leaving a partial folder
# under the target's name, the lock, and every exit status.
set -euo pipefail
: "${MANDAT:?path to the mandat program}" "${MDT_SOURCE_DIR:?source tree}"
scenario="$MDT_SOURCE_DIR/tests/fixtures/run/scenario.ini"
model="$MDT_SOURCE_DIR/models/ks-2024"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# 1. A complete folder; the same numbers with one thread and with two.
"$MANDAT" run "$scenario" --out "$tmp/r1" --threads 1 > "$tmp/summary.txt" 2> "$tmp/log.txt"
"$MANDAT" run "$scenario" --out "$tmp/r2" --threads 2 --quiet
for f in profile profile_strata aggregate frame settlement exchange_rates indicators guarantee sweep_theta sweep_summary \
         sweep_krone_share sweep_local_pot sweep_central_month uncertainty \
         uncertainty_groups growth_distribution mandate_uncertainty regions region_allocations; do
  [ -s "$tmp/r1/$f.csv" ] || fail "missing $f.csv"
done
for f in report.json report.xlsx manifest.json; do [ -s "$tmp/r1/$f" ] || fail "missing $f"; done
for f in "$tmp"/r1/*.csv "$tmp"/r1/*.json; do
  cmp -s "$f" "$tmp/r2/$(basename "$f")" || fail "$(basename "$f") differs between 1 and 2 threads"
done
[ -z "$(ls -A "$tmp" | grep '\.tmp-')" ] || fail "a temporary folder was left"

# The summary on the terminal; log lines with ISO timestamps on stderr (not a terminal: no bar).
grep -q "^Mandate: 291 of 370 members answered" "$tmp/summary.txt" || fail "summary"
grep -q "^Frame 5.20 %" "$tmp/summary.txt" || fail "summary: frame"
grep -Eq '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z mandat: ' "$tmp/log.txt" \
  || fail "log lines without timestamps"
if grep -q $'\r' "$tmp/log.txt"; then fail "a progress bar went to a file"; fi

# The report holds every table; the settlement is on the frame; the manifest's digests are
# those of the files (checked with coreutils' sha256sum).
python3 - "$tmp/r1" "$model" "$scenario" <<'PY'
import hashlib, json, os, sys
out, model, scenario = sys.argv[1:4]
rep = json.load(open(os.path.join(out, "report.json")))
assert rep["summary"]["status"] == "solved" and abs(rep["summary"]["annual_growth_pct"] - 5.2) < 1e-6
assert len(rep["tables"]) == 23, sorted(rep["tables"])
man = json.load(open(os.path.join(out, "manifest.json")))
assert man["seed"] == 7 and man["program"] == "mandat"
files = {i["file"]: i["sha256"] for i in man["inputs"]}
def sha(p): return hashlib.sha256(open(p, "rb").read()).hexdigest()
assert files["scenario.ini"] == sha(scenario)
for f in ("answers.csv", "register.csv", "respondents.csv", "headcounts.csv"):
    key = [k for k in files if k.endswith(f)][0]
    assert files[key] == sha(os.path.join(model, f)), f
assert man["settings"]["settlement"]["rule"] == "priority"
PY
for f in scenario.ini; do
  want=$(sha256sum "$scenario" | cut -d' ' -f1)
  grep -q "$want" "$tmp/r1/manifest.json" || fail "manifest: sha256 of $f"
done

# 2. The workbook is a valid XLSX: its sheets and native charts.
mkdir "$tmp/x"
(cd "$tmp/x" && unzip -q "$tmp/r1/report.xlsx")
for s in profile settlement sweep_theta frame growth_distribution mandate_uncertainty regions; do
  grep -q "<sheet name=\"$s\"" "$tmp/x/xl/workbook.xml" || fail "no sheet $s"
done
nch=$(ls "$tmp/x/xl/charts" | wc -l)
[ "$nch" -ge 4 ] || fail "only $nch charts"
grep -l '<c:lineChart>' "$tmp"/x/xl/charts/*.xml > /dev/null || fail "no line chart"
grep -l '<c:barDir val="col"/>' "$tmp"/x/xl/charts/*.xml > /dev/null || fail "no column chart"
grep -l '<c:barDir val="bar"/>' "$tmp"/x/xl/charts/*.xml > /dev/null || fail "no bar chart"
# Norwegian labels with --lang nb
"$MANDAT" run "$scenario" --out "$tmp/nb" --lang nb --quiet
mkdir "$tmp/xn" && (cd "$tmp/xn" && unzip -q "$tmp/nb/report.xlsx")
grep -q "Årslønnsvekst" "$tmp/xn/xl/sharedStrings.xml" || fail "no Norwegian label"

# 3. A killed run never leaves a partial folder under the target's name; the previous result
#    stays as it was. Kill at many moments across a run (about 1 s).
before=$(cd "$tmp/r1" && sha256sum ./* | sha256sum)
for delay in 0.05 0.1 0.2 0.3 0.4 0.5 0.6 0.7 0.8 0.9 1.0 1.2 1.5; do
  "$MANDAT" run "$scenario" --out "$tmp/r1" --seed 99 --quiet &
  pid=$!
  sleep "$delay"
  kill -KILL "$pid" 2> /dev/null || true
  wait "$pid" 2> /dev/null || true
  after=$(cd "$tmp/r1" && sha256sum ./* | sha256sum)
  if [ "$after" != "$before" ]; then
    # the run finished before the kill: then the folder is the new, complete result
    python3 -c "import json,sys; m=json.load(open('$tmp/r1/manifest.json')); sys.exit(m['seed']!=99)" \
      || fail "killed after ${delay}s: the target is neither the old nor a complete new result"
    "$MANDAT" run "$scenario" --out "$tmp/r1" --threads 1 --quiet
    before=$(cd "$tmp/r1" && sha256sum ./* | sha256sum)
  fi
  [ -f "$tmp/r1/manifest.json" ] || fail "killed after ${delay}s: the result folder is incomplete"
done
rm -rf "$tmp"/r1.tmp-*

# 4. The lock: a second run exits 75 at once while the first holds it.
exec 9> "$tmp/lock"
flock 9
start=$(date +%s)
set +e; "$MANDAT" run "$scenario" --out "$tmp/r3" --lock "$tmp/lock" --quiet 2> "$tmp/err"; rc=$?; set -e
exec 9>&-
[ "$rc" -eq 75 ] || fail "lock held: exit $rc, expected 75"
grep -q "another run holds the lock" "$tmp/err" || fail "lock message"
[ $(( $(date +%s) - start )) -le 3 ] || fail "the locked run waited"
[ ! -e "$tmp/r3" ] || fail "a locked run wrote results"
"$MANDAT" run "$scenario" --out "$tmp/r3" --lock "$tmp/lock" --quiet || fail "lock free: run failed"

# 4b. Raking with bootstrap intervals: models/ks-2024's scenario with rake = region,
# size_class instead of poststrata runs; the draws dropped are reported alike in the
# summary, report.json and manifest.json.
sed -e "s|^dir = \.$|dir = $model|" \
    -e "s#^\(table\|base_table\|guarantee\|new_guarantee\) = \([^/].*\)\$#\1 = $model/\2#" \
    -e "s|^poststrata = .*|rake = region, size_class|" "$model/scenario-priority.ini" > "$tmp/rake.ini"
grep -q "^rake = region, size_class" "$tmp/rake.ini" || fail "no rake line in the raking scenario"
"$MANDAT" run "$tmp/rake.ini" --out "$tmp/rake" --threads 2 > "$tmp/rake.txt" 2> /dev/null \
  || fail "a run with raking failed"
python3 - "$tmp/rake" "$tmp/rake.txt" <<'PY'
import json, os, re, sys
out, summary = sys.argv[1:3]
s = json.load(open(os.path.join(out, "report.json")))["summary"]["bootstrap"]
m = json.load(open(os.path.join(out, "manifest.json")))
assert m["bootstrap"] == s and m["settings"]["weighting"]["max_failed_draws"] == 0.05, m
assert s["dropped"] > 0 and s["used"] + s["dropped"] == s["draws"], s
line = re.search(r"Bootstrap: (\d+) of (\d+) draws dropped .*first: draw (\d+)", open(summary).read())
assert line and (int(line.group(1)), int(line.group(2)), int(line.group(3))) == \
    (s["dropped"], s["draws"], s["first_dropped"]), (line, s)
PY

# 4c. Honest sweeps and settlements. Caps of 6 % from 1 December are worth at most 6/12 =
# 0.5 pp of annual effect, far below the room of 5.2 - 1.7 - 0.6 = 2.9 pp even with the local
# pot and the leaders: that point is infeasible, says why, and shows no p0 and no growth; the
# May point is solved as usual. Without a frame the settlement is "applied", not infeasible.
sed -e "s|\.\./\.\./\.\./models/ks-2024|$model|" -e 's/^central_month = 1, 5$/central_month = 5, 12/' \
  "$scenario" > "$tmp/sweep.ini"
grep -q "^central_month = 5, 12" "$tmp/sweep.ini" || fail "no central_month sweep to change"
"$MANDAT" run "$tmp/sweep.ini" --out "$tmp/sweep" > "$tmp/sweep.txt" 2> /dev/null
grep -q "^Sweeps: 1 of 9 points unattainable (binding in sweep_summary.csv): central_month 12$" \
  "$tmp/sweep.txt" || fail "summary: unattainable sweep point"
python3 - "$tmp/sweep" <<'PY'
import csv, os, sys
out = sys.argv[1]
rows = {(r["setting"], r["value"]): r for r in csv.DictReader(open(os.path.join(out, "sweep_summary.csv")))}
may, dec = rows[("central_month", "5")], rows[("central_month", "12")]
assert may["binding"] == "" and float(may["scalar"]) > 0, may
assert dec["binding"].startswith("infeasible: the caps allow at most 0.8"), dec
assert dec["scalar"] == "" and float(dec["total_growth_pct"]) < 5.2, dec
for r in rows.values():  # a blank binding has its number, every other none
    assert (r["binding"] == "") == (r["scalar"] != ""), r
for r in csv.DictReader(open(os.path.join(out, "sweep_central_month.csv"))):
    assert (r["value"] == "12") == (r["annual_growth_pct"] == ""), r
    assert (r["value"] == "12") == r["binding"].startswith("infeasible"), r
PY
sed -e "s|\.\./\.\./\.\./models/ks-2024|$model|" -e '/^frame_pct/d' \
  -e 's/^rule = priority$/rule = percent\npct = 3/' "$scenario" > "$tmp/applied.ini"
"$MANDAT" run "$tmp/applied.ini" --out "$tmp/applied" > "$tmp/applied.txt" 2> "$tmp/applied.err"
grep -q "^Settlement: rule percent, as written: percent 3.000 %$" "$tmp/applied.txt" || fail "applied summary"
if grep -q "warning" "$tmp/applied.err"; then fail "an applied settlement warned"; fi
python3 - "$tmp/applied/report.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))["summary"]
assert s["status"] == "applied" and s["binding"] is None and s["scalar"] == 3, s
PY

# 5. Every exit status.
expect() { # expect STATUS PATTERN -- command...
  local want=$1 pattern=$2; shift 3
  set +e; "$@" > "$tmp/out" 2> "$tmp/err"; local got=$?; set -e
  [ "$got" -eq "$want" ] || { cat "$tmp/err" >&2; fail "exit $got, expected $want: $*"; }
  grep -q -- "$pattern" "$tmp/err" || { cat "$tmp/err" >&2; fail "no '$pattern' in: $*"; }
}
mkdir "$tmp/s"
cp "$scenario" "$tmp/s/base.ini"
sed -i "s|\.\./\.\./\.\./models/ks-2024|$model|" "$tmp/s/base.ini"
# 0 and 1: a frame below overheng + glidning cannot be met; with --strict that is exit 1
sed 's/^frame_pct = 5.2$/frame_pct = 2.0/' "$tmp/s/base.ini" > "$tmp/s/low.ini"
expect 0 "warning: the room is negative" -- "$MANDAT" run "$tmp/s/low.ini" --out "$tmp/low" --quiet
[ -s "$tmp/low/settlement.csv" ] || fail "a run over the frame wrote no results"
expect 1 "the room is negative" -- "$MANDAT" run "$tmp/s/low.ini" --out "$tmp/low" --strict --quiet
expect 2 "expected --out DIR" -- "$MANDAT" run "$scenario"
expect 2 "expected a scenario file" -- "$MANDAT" run --out "$tmp/x2"
expect 2 "--lang: expected en or nb" -- "$MANDAT" run "$scenario" --out "$tmp/x2" --lang de
printf '[frame]\nframe_pct = 5.2\nframe = 1\n' > "$tmp/s/bad.ini"
expect 65 "bad.ini:3:1: expected a key of \[frame\], found 'frame'" -- \
  "$MANDAT" run "$tmp/s/bad.ini" --out "$tmp/x2"
expect 66 "cannot open" -- "$MANDAT" run "$tmp/s/none.ini" --out "$tmp/x2"
touch "$tmp/afile"
expect 73 "cannot create a folder beside it" -- "$MANDAT" run "$scenario" --out "$tmp/afile/sub" --quiet
expect 73 "expected a folder for the results, found a file" -- \
  "$MANDAT" run "$scenario" --out "$tmp/afile" --quiet
# 70: the machine has no threads left (a shim makes thread creation fail)
if [ -n "${MDT_FAIL_THREADS:-}" ]; then
  expect 70 "thread" -- env LD_PRELOAD="$MDT_FAIL_THREADS" ASAN_OPTIONS=verify_asan_link_order=0 \
    "$MANDAT" run "$scenario" --out "$tmp/x3" --threads 2 --quiet
  [ ! -e "$tmp/x3" ] || fail "a failed run left its folder"
fi
[ -z "$(ls -A "$tmp" | grep '\.tmp-')" ] || fail "a failed run left a temporary folder"
"$MANDAT" run --help | grep -q -- "--lock FILE" || fail "--help"
# --seed reaches every random draw, the mandate's bootstrap included.
"$MANDAT" run "$scenario" --out "$tmp/seed8" --seed 8 --quiet
"$MANDAT" run "$scenario" --out "$tmp/seed8b" --seed 8 --quiet --threads 2
cmp -s "$tmp/seed8/aggregate.csv" "$tmp/seed8b/aggregate.csv" || fail "--seed 8 twice differs"
if cmp -s "$tmp/seed8/aggregate.csv" "$tmp/r1/aggregate.csv"; then
  fail "--seed does not reach the bootstrap's intervals"
fi
echo ok
