#!/usr/bin/env bash
# The repository is self-contained: nothing in it refers to a document it does not hold. No
# mention of design or style notes kept elsewhere, or of a shared data folder outside the
# tree; every relative link of a Markdown file and every *.md path named in any file exists
# (relative to the top or to the naming file's folder).
set -euo pipefail
: "${MDT_SOURCE_DIR:?source tree}"
cd "$MDT_SOURCE_DIR"
fail() { echo "FAIL: $*" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
self=tests/e2e/test_self_contained.sh
find . \( -name '.git' -o -name 'build*' -o -name 'result*' -o -name node_modules \) -prune \
  -o -type f ! -path "./$self" -print | sed 's|^\./||' > "$tmp/files"

# 1. Documents that live outside the repository.
pattern='DESIGN\.md|STYLE\.md|\.\./shared|/work/shared|data README|data/README'
if xargs -d '\n' grep -I -n -E "$pattern" < "$tmp/files"; then
  fail "the files above refer to documents outside the repository"
fi

# 2. Relative links in Markdown, and *.md paths named anywhere, exist.
: > "$tmp/missing"
while IFS= read -r f; do
  dir=$(dirname "$f")
  {
    case "$f" in
    *.md) grep -o -E '\]\([^)#]+' "$f" | sed 's/^](//' | grep -v -E '^[a-z]+:' || true ;;
    esac
    case "$f" in
    # In C, x.md is a member access: there only a path (a '/') or a name like README.md counts.
    *.c | *.h) grep -I -o -E '[A-Za-z0-9_./-]*[A-Za-z0-9_-]\.md\b' "$f" |
               grep -E '/|^[A-Z]' || true ;;
    *) grep -I -o -E '[A-Za-z0-9_./-]*[A-Za-z0-9_-]\.md\b' "$f" || true ;;
    esac
  } | sort -u > "$tmp/refs"
  while IFS= read -r ref; do
    [ -e "$ref" ] || [ -e "$dir/$ref" ] || echo "$f: $ref" >> "$tmp/missing"
  done < "$tmp/refs"
done < "$tmp/files"
if [ -s "$tmp/missing" ]; then
  cat "$tmp/missing" >&2
  fail "references to files the repository does not hold (above)"
fi
echo "ok"
