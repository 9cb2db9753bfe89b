#!/usr/bin/env bash
# GNU parallel as the scheduler: `mandat run --shard parallel` for 4 shards (PARALLEL_SEQ
# 1..4, the count from --shard-count or MANDAT_SHARD_COUNT), two at a time, then `mandat
# merge`; the merged folder must be the single-process run's byte for byte. Installs Debian's
# parallel when missing; skips (77) only when it cannot.
set -euo pipefail
: "${MANDAT:?path to the mandat program}" "${MDT_SOURCE_DIR:?source tree}"
. "$MDT_SOURCE_DIR/tests/e2e/scheduler_lib.sh"
need_packages parallel -- parallel
scenario="$MDT_SOURCE_DIR/tests/fixtures/run/scenario-shard.ini"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
cd "$tmp"
"$MANDAT" run "$scenario" --out single --quiet
mkdir parts
# As in the README: the shard's number comes from PARALLEL_SEQ, not from the argument.
parallel --will-cite --halt now,fail=1 -j2 \
  "$MANDAT" run "$scenario" --shard parallel --shard-count 4 --threads 1 --out parts/part-{} --quiet \
  ::: 1 2 3 4 || fail "a shard failed under parallel"
"$MANDAT" merge parts/part-* --out merged --quiet || fail "the merge failed"
same_as_single single merged "GNU parallel, 4 shards"
# The count from the environment, shards in another order (--shuf): the same parts.
mkdir parts2
MANDAT_SHARD_COUNT=4 parallel --will-cite -N0 --shuf --halt now,fail=1 -j2 \
  "$MANDAT" run "$scenario" --shard parallel --threads 1 --out 'parts2/part-$PARALLEL_SEQ' --quiet \
  ::: a b c d || fail "a shard failed under parallel (MANDAT_SHARD_COUNT)"
for k in 1 2 3 4; do cmp -s "parts/part-$k" "parts2/part-$k" || fail "part $k differs"; done
echo "ok"
