#!/usr/bin/env bash
# End-to-end regressions of issue 9: inputs that crashed the program, were accepted silently
# or were reported at the wrong place, and the leftovers of killed runs. Each check names the
# reproducer from the issue; all of them are run, and the script fails if any failed.
set -uo pipefail
: "${MANDAT:?path to the mandat program}" "${MDT_SOURCE_DIR:?source tree}"
small="$MDT_SOURCE_DIR/tests/fixtures/small"
ks="$MDT_SOURCE_DIR/models/ks-2024"
tmp=$(mktemp -d)
trap 'chmod -R u+rwx "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }

# expect NAME STATUS PATTERN -- COMMAND...: the exit status and a grep -E pattern on stderr.
expect() {
  local name=$1 want=$2 pattern=$3
  shift 4
  "$@" > "$tmp/out" 2> "$tmp/err"
  local rc=$?
  if [ "$rc" -ne "$want" ]; then
    fail "$name: exit status $rc, expected $want; stderr: $(head -c 600 "$tmp/err")"
  elif [ -n "$pattern" ] && ! grep -Eq -- "$pattern" "$tmp/err"; then
    fail "$name: stderr does not match '$pattern': $(head -c 600 "$tmp/err")"
  fi
}

fresh() { rm -rf "$tmp/m"; cp -r "$small" "$tmp/m"; }

# --- crashes --------------------------------------------------------------------------------

# CR-only line ends and more than 256 rows (old Mac Excel): the reader sized its rows by '\n'
# and overflowed its columns. models/ks-2024/answers.csv has 6 176 rows.
cp -r "$ks" "$tmp/ks"
tr '\n' '\r' < "$ks/answers.csv" > "$tmp/ks/answers.csv"
expect "CR-only answers.csv" 65 "answers\.csv:1:33: expected a line end LF or CR LF, found a carriage return alone" \
  -- "$MANDAT" aggregate --model "$tmp/ks" --bootstrap 0 --quiet
# the same rows after a CRLF header: found at the first data row's end
{ head -n 1 "$ks/answers.csv" | tr -d '\n'; printf '\r\n'; tail -n +2 "$ks/answers.csv" | tr '\n' '\r'; } \
  > "$tmp/ks/answers.csv"
expect "CR-only rows after a CRLF header" 65 "answers\.csv:2:17: expected a line end LF or CR LF" \
  -- "$MANDAT" aggregate --model "$tmp/ks" --bootstrap 0 --quiet
# CRLF and LF mixed are line ends like any other
{ head -n 40 "$ks/answers.csv" | sed 's/$/\r/'; tail -n +41 "$ks/answers.csv"; } > "$tmp/ks/answers.csv"
expect "CRLF and LF mixed" 0 "" -- "$MANDAT" aggregate --model "$tmp/ks" --bootstrap 0 --quiet
rm -rf "$tmp/ks"

# A month that is not a number, or out of an int's range, converted to int (UB).
for month in 1e300 x -1e300 nan; do
  fresh
  sed -i "s/^named = .*/named = l1:4.1@$month/" "$tmp/m/scenario.ini"
  expect "named month $month" 65 "scenario\.ini:19:9: expected items GROUP:PCT@MONTH" \
    -- "$MANDAT" simulate --model "$tmp/m" --scenario "$tmp/m/scenario.ini" --quiet
done

# --- accepted silently ----------------------------------------------------------------------

fresh
sed -n 2p "$small/register.csv" >> "$tmp/m/register.csv"
expect "duplicated register row" 65 "register\.csv:33:1: id: expected each employee id once, found '1' again \(first on line 2\)" \
  -- "$MANDAT" simulate --model "$tmp/m" --quiet

fresh
rm "$tmp/m/guarantee.csv"
expect "missing default guarantee file" 0 "warning: .*guarantee\.csv not found: the settlement has no guarantee table" \
  -- "$MANDAT" simulate --model "$tmp/m" --quiet
fresh
rm "$tmp/m/guarantee.csv"
mkdir "$tmp/m/guarantee.csv"
expect "guarantee file is a directory" 66 "guarantee\.csv: cannot read: expected a file, found a directory" \
  -- "$MANDAT" simulate --model "$tmp/m" --quiet
if [ "$(id -u)" -ne 0 ]; then
  fresh
  chmod 000 "$tmp/m/guarantee.csv"
  expect "unreadable guarantee file" 66 "guarantee\.csv: cannot open: Permission denied" \
    -- "$MANDAT" simulate --model "$tmp/m" --quiet
fi

fresh
python3 - "$tmp/m/respondents.csv" <<'PY'
import sys
p = sys.argv[1]
rows = open(p, encoding="utf-8").read().splitlines()
out = [rows[0]] + [",".join(f if i != 5 else "0" for i, f in enumerate(r.split(","))) for r in rows[1:]]
open(p, "w", encoding="utf-8").write("\n".join(out) + "\n")
PY
expect "every member's employees 0" 65 "respondents\.csv:2: employees: expected a size above 0 for at least one member" \
  -- "$MANDAT" aggregate --model "$tmp/m" --weights employees --bootstrap 0 --quiet

fresh
sed -i '2,$s/,[0-9.]*$/,0/' "$tmp/m/headcounts.csv"
expect "every headcount 0" 65 "headcounts\.csv:2:[0-9]+: headcount: expected a headcount above 0 in some row, found 0 in every row" \
  -- "$MANDAT" aggregate --model "$tmp/m" --by-group --bootstrap 0 --quiet

fresh
sed -i '2s/,11653,/,1e308,/' "$tmp/m/respondents.csv"
expect "employees 1e308" 65 "respondents\.csv:2:[0-9]+: employees: expected a number from 0 to 1e\+15, found '1e\+308'" \
  -- "$MANDAT" aggregate --model "$tmp/m" --bootstrap 0 --quiet

fresh
grep -v '^1103,' "$small/headcounts.csv" > "$tmp/m/headcounts.csv"
expect "an answering member with no headcounts" 65 "headcounts\.csv:35:1: expected rows for member '1103', which answered, found none" \
  -- "$MANDAT" aggregate --model "$tmp/m" --by-group --bootstrap 0 --quiet

fresh
printf '[run]\nseed = 3\0 7\n' > "$tmp/nul.ini"
expect "NUL byte in a scenario value" 65 "nul\.ini:2:9: expected text, found a NUL byte" \
  -- "$MANDAT" simulate --model "$tmp/m" --scenario "$tmp/nul.ini" --quiet

if [ -w /dev/full ]; then
  fresh
  expect "run's summary to a full device" 73 "standard output: cannot write" \
    -- sh -c '"$0" run "$1" --out "$2" > /dev/full' "$MANDAT" "$tmp/m/scenario.ini" "$tmp/r-full"
  expect "simulate's table to a full device" 73 "standard output" \
    -- sh -c '"$0" simulate --model "$1" --quiet > /dev/full' "$MANDAT" "$tmp/m"
fi

# --- locations ------------------------------------------------------------------------------

fresh
printf '4627,q_form,"krone,1\n5501,q_form,krone,1\n' >> "$tmp/m/answers.csv"
expect "unterminated quote: where it opens" 65 "answers\.csv:80:13: expected a closing quote for the quote that opens here" \
  -- "$MANDAT" aggregate --model "$tmp/m" --bootstrap 0 --quiet

fresh
{ printf '; %0300d\n' 0; cat "$small/scenario.ini"; printf '[output]\nlang = xx ; %0250d\n' 0; } > "$tmp/long.ini"
sed -i 's|^dir = .*|dir = '"$tmp"'/m|; s|^table = .*|table = '"$tmp"'/m/increases.csv|' "$tmp/long.ini"
line=$(( $(wc -l < "$small/scenario.ini") + 3 )) # the long comment, the file, [output]
expect "lines longer than inih's buffer" 65 "long\.ini:$line:8: expected en or nb, found 'xx'" \
  -- "$MANDAT" simulate --scenario "$tmp/long.ini" --quiet

expect "scenario path is a directory" 66 "cannot read: expected a scenario file, found a directory" \
  -- "$MANDAT" simulate --model "$small" --scenario "$tmp" --quiet

fresh
sed -i 's/^floors = .*/floors = g1:2, g2:6.5, g3:2/' "$tmp/m/scenario.ini"
expect "floor above its cap" 65 "scenario\.ini:20:10: \[settlement\] floors: group 'g2': expected a floor at most its cap 6 %" \
  -- "$MANDAT" simulate --model "$tmp/m" --quiet

fresh
sed -i 's/^price_forecast_pct = .*/price_forecast_pct = -100/' "$tmp/m/scenario.ini"
expect "price forecast of -100" 65 "scenario\.ini:10:22: expected a price forecast in percent above -100" \
  -- "$MANDAT" simulate --model "$tmp/m" --quiet

fresh
sed -i 's/^named = .*/named = l1:-3@5/' "$tmp/m/scenario.ini"
expect "negative named increase" 65 "scenario\.ini:19:9: \[settlement\] named: group 'l1': expected a percentage from 0 to 1000" \
  -- "$MANDAT" simulate --model "$tmp/m" --quiet

fresh
sed -i 's/^caps = .*/caps = g1:6, g2:-6, g3:6/' "$tmp/m/scenario.ini"
expect "negative cap" 65 "scenario\.ini:21:8: \[settlement\] caps: group 'g2': expected a percentage from 0 to 1000" \
  -- "$MANDAT" simulate --model "$tmp/m" --quiet

# --- leftovers ------------------------------------------------------------------------------

fresh
mkdir -p "$tmp/w"
# A killed run's folder (a pid that is not running: above the kernel's pid_max), another live
# one (this shell's pid), and names that are not the program's own pattern.
dead=$(( $(cat /proc/sys/kernel/pid_max) + 1 ))
mkdir "$tmp/w/res.tmp-$dead-AbC123" "$tmp/w/res.tmp-$$-XyZ789" "$tmp/w/res.tmp-keepme" \
      "$tmp/w/res.tmp-$dead-toolong1" "$tmp/w/other.tmp-$dead-AbC123"
touch "$tmp/w/res.tmp-$dead-AbC123/settlement.csv"
(umask 027 && "$MANDAT" run "$tmp/m/scenario.ini" --out "$tmp/w/res" --quiet) 2> "$tmp/err" \
  || fail "run with stale folders: $(cat "$tmp/err")"
[ -e "$tmp/w/res.tmp-$dead-AbC123" ] && fail "a dead run's folder was not removed"
for keep in "res.tmp-$$-XyZ789" res.tmp-keepme "res.tmp-$dead-toolong1" "other.tmp-$dead-AbC123"; do
  [ -d "$tmp/w/$keep" ] || fail "$keep was removed (not a dead run's folder of this target)"
done
mode=$(stat -c %a "$tmp/w/res")
[ "$mode" = 750 ] || fail "result folder mode $mode under umask 027, expected 750"
(umask 002 && "$MANDAT" run "$tmp/m/scenario.ini" --out "$tmp/w/res" --quiet) 2> "$tmp/err" \
  || fail "second run: $(cat "$tmp/err")"
mode=$(stat -c %a "$tmp/w/res")
[ "$mode" = 775 ] || fail "result folder mode $mode under umask 002, expected 775"
n=$(find "$tmp/w" -maxdepth 1 -name "res.tmp-*" | wc -l)
[ "$n" -eq 3 ] || fail "expected the 3 folders that are not stale beside the result, found $n"

if [ "$failures" -ne 0 ]; then
  echo "$failures check(s) failed" >&2
  exit 1
fi
echo "all hardening checks passed"
