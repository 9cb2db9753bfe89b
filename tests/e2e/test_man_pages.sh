#!/usr/bin/env bash
# The manual pages: mandat(1) and mandat-scenario(5) render without a warning; mandat(1) names
# every command, subcommand and option that the program's --help texts give and every exit
# status; mandat-scenario(5) documents every key of the scenario parser's table
# (src/model/scenario_keys.c) under its section; cmake --install puts them where man finds them.
set -euo pipefail
: "${MANDAT:?path to the mandat program}" "${MDT_SOURCE_DIR:?source tree}" \
  "${MDT_BINARY_DIR:?build tree}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
man1="$MDT_SOURCE_DIR/src/cli/man/mandat.1"
man5="$MDT_SOURCE_DIR/src/cli/man/mandat-scenario.5"

# 1. No warnings from groff (-ww: all of them), in the terminal's rendering and in man's own.
for page in "$man1" "$man5"; do
  groff -man -Tutf8 -ww -z "$page" 2> "$tmp/warnings" || fail "groff fails on $page"
  [ ! -s "$tmp/warnings" ] || { cat "$tmp/warnings" >&2; fail "groff warns on $page"; }
  MANWIDTH=80 man --warnings -l "$page" > "$tmp/rendered" 2> "$tmp/warnings" \
    || fail "man -l fails on $page"
  [ ! -s "$tmp/warnings" ] || { cat "$tmp/warnings" >&2; fail "man -l warns on $page"; }
  [ -s "$tmp/rendered" ] || fail "man -l renders nothing of $page"
done
groff -man -Tutf8 -P-cbou "$man1" > "$tmp/mandat.txt"

# 2. Every command and option the program's help gives is in mandat(1).
for cmd in "" run merge status aggregate frame simulate compare generate "generate answers" \
  "generate register" "generate members" "generate model"; do
  # shellcheck disable=SC2086
  "$MANDAT" $cmd --help > "$tmp/help"
  [ -z "$cmd" ] || grep -q -- "mandat $cmd" "$tmp/mandat.txt" || fail "no 'mandat $cmd' in mandat(1)"
  for opt in $(grep -o -- '--[a-z][a-z0-9-]*' "$tmp/help" | sort -u); do
    grep -q -- "$opt\\b" "$tmp/mandat.txt" || fail "mandat(1) lacks $opt of 'mandat $cmd'"
  done
done
"$MANDAT" --help > "$tmp/help"
sed -n '/^EXIT STATUS/,/^FILES/p' "$tmp/mandat.txt" > "$tmp/statuses"
for status in $(sed -n '/^Exit status/,$p' "$tmp/help" | grep -o '\b[0-9]\+\b'); do
  grep -q "^       $status\\b" "$tmp/statuses" || fail "mandat(1) lacks exit status $status"
done

# 3. Every key of the parser's table, under its section, in mandat-scenario(5); and no key
#    there that the parser does not have.
sed -n 's/^ *{"\([a-z0-9_]*\)", "\([a-z0-9_]*\)", k_[a-z_0-9]*},.*/\1 \2/p' \
  "$MDT_SOURCE_DIR/src/model/scenario_keys.c" > "$tmp/keys"
[ "$(wc -l < "$tmp/keys")" -ge 50 ] || fail "the key table was not found in scenario_keys.c"
awk '/^\.SS/ { section = $0; gsub(/^\.SS "?\[|\]"?$/, "", section) }
     /^\.SH/ { section = "" }
     prev == ".TP" && /^\.B [a-z_0-9]+$/ && section != "" { print section, $2 }
     { prev = $0 }' "$man5" | sort > "$tmp/documented"
sort "$tmp/keys" > "$tmp/parsed"
missing=$(comm -23 "$tmp/parsed" "$tmp/documented")
[ -z "$missing" ] || fail "mandat-scenario(5) lacks keys: $missing"
extra=$(comm -13 "$tmp/parsed" "$tmp/documented")
[ -z "$extra" ] || fail "mandat-scenario(5) documents keys the parser does not have: $extra"
grep -q '^\.SS "\[year2.frame\], \[year2.settlement\]"' "$man5" || fail "no [year2.*] section"

# 4. cmake --install puts them where man looks.
cmake --install "$MDT_BINARY_DIR" --prefix "$tmp/prefix" > "$tmp/install.log" \
  || { cat "$tmp/install.log" >&2; fail "cmake --install"; }
mandir=$(dirname "$(find "$tmp/prefix" -path '*/man1/mandat.1' | head -1)")
[ -n "$mandir" ] && [ "$mandir" != . ] || fail "mandat.1 not installed"
mandir=$(dirname "$mandir")
[ -f "$mandir/man5/mandat-scenario.5" ] || fail "mandat-scenario.5 not installed in $mandir"
[ "$(MANPATH="$mandir" man -w mandat)" = "$mandir/man1/mandat.1" ] || fail "man -w mandat"
MANPATH="$mandir" MANWIDTH=80 man 5 mandat-scenario > "$tmp/man5.txt"
grep -q "max_failed_draws" "$tmp/man5.txt" || fail "man 5 mandat-scenario does not render"
echo "ok"
