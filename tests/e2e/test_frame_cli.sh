#!/usr/bin/env bash
# End-to-end test of `mandat frame`: the worked examples of the frame arithmetic through the program,
# both output formats, --out, --help and bad input.
set -euo pipefail

: "${MANDAT:?MANDAT must name the mandat program}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

# jget FILE EXPR: evaluates a Python expression on the JSON object j read from FILE.
jget() {
  python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}

# near ACTUAL EXPECTED TOL: |actual - expected| <= tol.
near() {
  python3 -c 'import sys; a,e,t=map(float,sys.argv[1:4]); sys.exit(0 if abs(a-e)<=t else 1)' \
    "$1" "$2" "$3" || fail "got $1, expected $2 (tolerance $3)"
}

# expect_exit STATUS ARGS...: runs mandat frame ARGS and checks its exit status; keeps stderr.
expect_exit() {
  local want=$1
  shift
  local got=0
  "$MANDAT" frame "$@" >"$tmp/stdout" 2>"$tmp/stderr" || got=$?
  [ "$got" -eq "$want" ] || fail "mandat frame $* exited $got, expected $want: $(cat "$tmp/stderr")"
}

# 1. The room: 3.5 - 1.0 - 1.5 = 1.0 as annual effect, 1.0 * 12/12 from 1 January.
"$MANDAT" frame --frame 3.5 --overheng 1.0 --glidning 1.5 --central-month 1 --format json \
  >"$tmp/room.json"
near "$(jget "$tmp/room.json" 'j["room_annual_pct"]')" 1.0 1e-9
near "$(jget "$tmp/room.json" 'j["room_dated_pct"]')" 1.0 1e-9
near "$(jget "$tmp/room.json" 'j["annual_growth_pct"]')" 3.5 1e-9
# Exact: 1.01 * 1.015 * (1 + x) = 1.035, x = 0.960835 %.
near "$(jget "$tmp/room.json" 'j["room_dated_exact_pct"]')" 0.960835 1e-6
near "$(jget "$tmp/room.json" 'j["frame_pct"]')" 3.5 0
[ "$(jget "$tmp/room.json" 'j["central_month"]')" = 1 ] || fail "central_month"
[ "$(jget "$tmp/room.json" '[e["kind"] for e in j["elements"]]')" = "['central_room']" ] \
  || fail "elements of the room example"
# Every key of the documented object is there, in this order.
keys="frame_pct overheng_pct glidning_pct glidning_source glidning_history_pct central_month"
keys+=" annual_growth_pct exact_annual_growth_pct difference_pct carryover_next_pct"
keys+=" exact_carryover_next_pct carryover_difference_pct given_annual_effect_pct"
keys+=" room_annual_pct room_dated_pct room_dated_exact_pct elements"
keys+=" level_december_last_year level_by_month"
[ "$(jget "$tmp/room.json" '" ".join(j.keys())')" = "$keys" ] || fail "JSON keys or their order"

# 2. NHO's example: 0.75 + 2 * 9/12 + 1 * 8/12 = 2.9167, "2.92"; no frame, so no room.
"$MANDAT" frame --overheng 0.75 --increase 2@4 --increase 1@5 --format json >"$tmp/nho.json"
near "$(jget "$tmp/nho.json" 'j["annual_growth_pct"]')" 2.92 0.005
near "$(jget "$tmp/nho.json" 'j["carryover_next_pct"]')" 0.833333 1e-6 # 2*3/12 + 1*4/12
# Exact: (3 * 1.0075 + 1.02765 + 8 * 1.0379265) / 12 - 1 = 2.94635 %.
near "$(jget "$tmp/nho.json" 'j["exact_annual_growth_pct"]')" 2.94635 1e-6
near "$(jget "$tmp/nho.json" 'j["difference_pct"]')" 0.029683 1e-6
for key in frame_pct central_month room_annual_pct room_dated_pct room_dated_exact_pct \
  glidning_history_pct; do
  [ "$(jget "$tmp/nho.json" "j[\"$key\"]")" = None ] || fail "$key should be null without --frame"
done
[ "$(jget "$tmp/nho.json" '[(e["pct"], e["month"], e["kind"]) for e in j["elements"]]')" \
  = "[(2.0, 4, 'given'), (1.0, 5, 'given')]" ] || fail "NHO elements"
near "$(jget "$tmp/nho.json" 'j["elements"][1]["annual_effect_pct"]')" 0.666667 1e-6
near "$(jget "$tmp/nho.json" 'j["elements"][0]["carryover_pct"]')" 0.5 1e-9

# 3. With a frame the room enters the totals and the element list; glidning from a history.
#    Glidning (0.9 + 1.4 + 2.35) / 3 = 1.55; room 4.4 - 1.3 - 1.55 - 1.1 * 3/12 = 1.275;
#    from 1 May 1.275 * 12/8 = 1.9125.
"$MANDAT" frame --frame 4.4 --overheng 1.3 --glidning-history 0.9,1.4,2.35 --increase 1.1@10 \
  --format json >"$tmp/hist.json"
near "$(jget "$tmp/hist.json" 'j["glidning_pct"]')" 1.55 1e-9
[ "$(jget "$tmp/hist.json" 'j["glidning_source"]')" = history_mean ] || fail "glidning_source"
near "$(jget "$tmp/hist.json" 'j["room_annual_pct"]')" 1.275 1e-9
near "$(jget "$tmp/hist.json" 'j["room_dated_pct"]')" 1.9125 1e-9
near "$(jget "$tmp/hist.json" 'j["annual_growth_pct"]')" 4.4 1e-9
[ "$(jget "$tmp/hist.json" 'j["central_month"]')" = 5 ] || fail "default central month"
[ "$(jget "$tmp/hist.json" '[e["kind"] for e in j["elements"]]')" = "['given', 'central_room']" ] \
  || fail "elements with a frame"
near "$(jget "$tmp/hist.json" 'j["elements"][1]["pct"]')" 1.9125 1e-9

# 4. Text output: a readable table with the growth and, with a frame, the room.
"$MANDAT" frame --overheng 0.75 --increase 2@4 --increase 1@5 >"$tmp/nho.txt"
grep -q "Annual wage growth .* 2\.92 " "$tmp/nho.txt" || fail "text: growth 2.92: $(cat "$tmp/nho.txt")"
grep -q "Given increase 2 .* 1\.00  1 May .* 0\.67 .* 0\.33" "$tmp/nho.txt" \
  || fail "text: the May element"
"$MANDAT" frame --frame 3.5 --overheng 1.0 --glidning 1.5 --central-month 5 >"$tmp/room.txt"
grep -q "additive: 1\.00 % annual effect = 1\.50 % from 1 May" "$tmp/room.txt" \
  || fail "text: room from May: $(cat "$tmp/room.txt")"
grep -q "exact: .* 1\.44 % from 1 May makes the exact annual growth 3\.50 %" "$tmp/room.txt" \
  || fail "text: exact room"

# 5. --help: exit 0, every option and an example on stdout.
expect_exit 0 --help
for opt in --frame --overheng --glidning --glidning-history --increase --central-month \
  --format --out --help Example; do
  grep -q -- "$opt" "$tmp/stdout" || fail "--help does not mention $opt"
done
"$MANDAT" --help | grep -q "^  frame " || fail "mandat --help does not list frame"

# 6. --out writes the file (and nothing on stdout); the same bytes as standard output.
"$MANDAT" frame --frame 3.5 --overheng 1.0 --glidning 1.5 --central-month 1 --format json \
  --out "$tmp/out.json" >"$tmp/out.stdout"
[ -s "$tmp/out.json" ] || fail "--out wrote nothing"
[ ! -s "$tmp/out.stdout" ] || fail "--out also wrote to stdout"
cmp -s "$tmp/out.json" "$tmp/room.json" || fail "--out differs from stdout"
[ -z "$(find "$tmp" -name 'out.json.tmp-*')" ] || fail "--out left a temporary file"
expect_exit 73 --frame 3.5 --out "$tmp/no-such-dir/out.json"
[ ! -e "$tmp/no-such-dir" ] || fail "an unwritable --out created something"

# 7. Bad input: exit 2, the message names the option and what was expected.
expect_exit 2 --increase 2.5@13
grep -q -- "--increase '2.5@13': expected an effective month from 1 to 12, found 13" "$tmp/stderr" \
  || fail "message for a bad month: $(cat "$tmp/stderr")"
expect_exit 2 --increase 2.5
grep -q -- "--increase '2.5': expected PCT@MONTH" "$tmp/stderr" || fail "message for no @"
expect_exit 2 --increase abc@5
grep -q -- "--increase 'abc@5': expected a percentage" "$tmp/stderr" || fail "message for pct"
expect_exit 2 --increase -100@5
grep -q -- "above -100" "$tmp/stderr" || fail "message for -100"
expect_exit 2 --increase 1@0
expect_exit 2 --glidning-history 0.9,1.4
grep -q -- "--glidning-history '0.9,1.4': expected .* (3 values), found 2 values" "$tmp/stderr" \
  || fail "message for a short history: $(cat "$tmp/stderr")"
expect_exit 2 --glidning 1 --glidning-history 0.9,1.4,2.35
expect_exit 2 --frame 3,5
expect_exit 2 --frame nan
expect_exit 2 --frame 3 --central-month 0
expect_exit 2 --central-month 5
expect_exit 2 --format xml
expect_exit 2 --frame
expect_exit 2 --no-such-option
expect_exit 2 --frame 3 --frame 4
expect_exit 2 stray
[ ! -s "$tmp/stdout" ] || fail "a usage error wrote to stdout"

# 8. A frame that no central cut can reach: exit 1 with the reason.
expect_exit 1 --frame 5 --increase 30@1 --central-month 12
grep -q "expected a room from December above -100 %" "$tmp/stderr" || fail "infeasible message"

echo "ok"
