/* The ids seen so far: runs of increasing numbers, then a hash map (see core/idset.h). */
#include "core/idset.h"

#include <stdint.h>
#include <stdlib.h>

#include "core/dict.h"

/* Numbers lo..hi, number lo on line line_lo and each next one on the next line. */
typedef struct {
  uint64_t lo, hi;
  long line_lo;
} run;

struct mdt__idset {
  run *runs;
  size_t nruns, cap;
  int ordered;   /* every id so far was a canonical number above the one before */
  mdt__dict *map; /* the ids from the first one out of order on (created then) */
};

mdt__idset *mdt__idset_new(void) {
  mdt__idset *s = calloc(1, sizeof *s);
  if (s != NULL)
    s->ordered = 1;
  return s;
}

void mdt__idset_free(mdt__idset *s) {
  if (s == NULL)
    return;
  free(s->runs);
  mdt__dict_free(s->map);
  free(s);
}

/* id as a number when it is a canonical one: 1 to 18 digits, no leading zero but "0". */
static int canonical_number(const char *id, size_t len, uint64_t *out) {
  if (len == 0 || len > 18 || (len > 1 && id[0] == '0'))
    return 0;
  uint64_t v = 0;
  for (size_t i = 0; i < len; i++) {
    unsigned d = (unsigned char)id[i] - '0';
    if (d > 9)
      return 0;
    v = v * 10 + d;
  }
  *out = v;
  return 1;
}

/* The run holding v (the runs increase), or NULL. */
static const run *find_run(const mdt__idset *s, uint64_t v) {
  size_t lo = 0, hi = s->nruns;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (s->runs[mid].hi < v)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo < s->nruns && s->runs[lo].lo <= v ? &s->runs[lo] : NULL;
}

int mdt__idset_put(mdt__idset *s, const char *id, size_t len, long line, long *first) {
  uint64_t v = 0;
  int number = canonical_number(id, len, &v);
  if (s->ordered && number) {
    run *last = s->nruns ? &s->runs[s->nruns - 1] : NULL;
    if (last == NULL || v > last->hi) {
      if (last != NULL && v == last->hi + 1 &&
          line == last->line_lo + (long)(last->hi - last->lo) + 1) {
        last->hi = v;
        return 0;
      }
      if (s->nruns == s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 16;
        run *g = realloc(s->runs, cap * sizeof *g);
        if (g == NULL)
          return -1;
        s->runs = g;
        s->cap = cap;
      }
      s->runs[s->nruns++] = (run){v, v, line};
      return 0;
    }
  }
  /* Out of order (now or before): the runs so far, then the map. */
  if (number) {
    const run *r = find_run(s, v);
    if (r != NULL) {
      if (first != NULL)
        *first = r->line_lo + (long)(v - r->lo);
      return 1;
    }
  }
  if (s->map == NULL && (s->map = mdt__dict_new(1024)) == NULL)
    return -1;
  s->ordered = 0;
  return mdt__dict_put(s->map, id, len, line, first);
}
