#!/usr/bin/env bash
# -h and --help on the program and on every command and subcommand: exit 0, the same text on
# stdout beginning "Usage: mandat ...", nothing on stderr, even after other options.
set -euo pipefail

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

check() {
  local what="$*" usage
  for flag in -h --help; do
    if ! "$MANDAT" "$@" "$flag" >"$tmp/out$flag" 2>"$tmp/err"; then
      echo "FAIL: mandat $what $flag exits $?"
      exit 1
    fi
    if [ -s "$tmp/err" ]; then
      echo "FAIL: mandat $what $flag writes to stderr:"
      cat "$tmp/err"
      exit 1
    fi
  done
  usage="Usage: mandat${what:+ $what}"
  if [ "$(head -c ${#usage} "$tmp/out-h")" != "$usage" ]; then
    echo "FAIL: mandat $what -h does not begin '$usage':"
    head -n 2 "$tmp/out-h"
    exit 1
  fi
  if ! cmp -s "$tmp/out-h" "$tmp/out--help"; then
    echo "FAIL: mandat $what: -h and --help differ"
    exit 1
  fi
}

check
for cmd in run merge status aggregate frame simulate compare generate "generate answers" \
  "generate register" "generate members" "generate model"; do
  # shellcheck disable=SC2086
  check $cmd
done

# After another option, -h still asks for the help rather than being taken as a value.
for cmd in aggregate run status "generate answers"; do
  # shellcheck disable=SC2086
  "$MANDAT" $cmd --quiet -h > "$tmp/after"
  [ "$(head -n 1 "$tmp/after" | cut -d ' ' -f 1-$(( $(echo "$cmd" | wc -w) + 2 )))" = \
    "Usage: mandat $cmd" ] || { echo "FAIL: mandat $cmd --quiet -h"; exit 1; }
done

# An unknown short option is still a usage error (exit 2).
set +e
"$MANDAT" simulate -x >/dev/null 2>&1
rc=$?
set -e
[ "$rc" -eq 2 ] || { echo "FAIL: mandat simulate -x exits $rc, not 2"; exit 1; }
echo "ok"
