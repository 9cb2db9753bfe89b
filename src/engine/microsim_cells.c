#include "engine/microsim_cells.h"

#include <stdlib.h>
#include <string.h>

struct mdt__cells {
  const mdt_microsim *sim;
  double *old;      /* [n]: each cell's old pay, ascending (cell c at sim->cell_start[c]) */
  int64_t *pw;      /* [n + ncells]: per cell, prefix sums of wfte_e8 from 0 (cell c's k-th
                       at sim->cell_start[c] + c + k, k = 0..size) */
  mdt_i128 *pwo;    /* [n + ncells]: the same of wfte_e8 x old, exact */
  int64_t *pe;      /* [n + ncells]: the same of weight_e4 (for head counts) */
  size_t *pos;      /* [n]: the column position of each (for the step index) */
};

/* A position of the columns and its pay as a sort key. */
typedef struct {
  uint64_t key;
  size_t pos;
} keyed;

#define RADIX_BITS 11
#define RADIX (1u << RADIX_BITS)

/* Sorts a[0..n) by key, stably, with tmp (n more) as room: an LSD radix sort over the key's
 * 11-bit digits up to max_key's highest. Returns the sorted array: a or tmp. */
static keyed *radix_sort(keyed *a, keyed *tmp, size_t n, uint64_t max_key) {
  size_t start[RADIX];
  for (unsigned shift = 0; shift < 64 && (max_key >> shift) != 0; shift += RADIX_BITS) {
    memset(start, 0, sizeof start);
    for (size_t i = 0; i < n; i++)
      start[(a[i].key >> shift) & (RADIX - 1)]++;
    size_t at = 0;
    for (size_t d = 0; d < RADIX; d++) {
      size_t k = start[d];
      start[d] = at;
      at += k;
    }
    for (size_t i = 0; i < n; i++)
      tmp[start[(a[i].key >> shift) & (RADIX - 1)]++] = a[i];
    keyed *t = a;
    a = tmp;
    tmp = t;
  }
  return a;
}

/* The positions lo..lo + n - 1 of the columns in order of old pay, in a (or in room, n more;
 * returned). Pay is whole kroner, so its excess over the lowest is an exact integer key. The
 * order among equal pays is of no account: every search of the index stops where pay
 * changes, and the prefix sums there are sums of the same employees. */
static keyed *by_pay(const double *old, size_t lo, size_t n, keyed *a, keyed *room) {
  int64_t least = n > 0 ? (int64_t)old[lo] : 0;
  for (size_t i = 0; i < n; i++)
    least = (int64_t)old[lo + i] < least ? (int64_t)old[lo + i] : least;
  uint64_t max_key = 0;
  for (size_t i = 0; i < n; i++) {
    a[i] = (keyed){(uint64_t)((int64_t)old[lo + i] - least), lo + i};
    max_key = a[i].key > max_key ? a[i].key : max_key;
  }
  return radix_sort(a, room, n, max_key);
}

void mdt__cells_free(mdt__cells *cells) {
  if (cells == NULL)
    return;
  free(cells->old);
  free(cells->pw);
  free(cells->pwo);
  free(cells->pe);
  free(cells->pos);
  free(cells);
}

int mdt__cells_reference_forced(void) {
  const char *v = getenv("MANDAT_REFERENCE_PASS");
  return v != NULL && v[0] != '\0' && strcmp(v, "0") != 0;
}

/* Sorts cell c's employees by pay into the index and sums their prefixes; tmp has room for
 * twice the cell's employees. */
static void cell_sort(mdt__cells *cells, size_t c, keyed *tmp, size_t room) {
  const mdt_microsim *sim = cells->sim;
  size_t lo = sim->cell_start[c], size = sim->cell_start[c + 1] - lo;
  const keyed *order = by_pay(sim->old_nok, lo, size, tmp, tmp + room);
  int64_t *pw = cells->pw + lo + c;
  mdt_i128 *pwo = cells->pwo + lo + c;
  int64_t *pe = cells->pe + lo + c;
  pw[0] = 0;
  pwo[0] = 0;
  pe[0] = 0;
  for (size_t i = 0; i < size; i++) {
    size_t at = order[i].pos;
    /* Both are whole numbers below 2^53 (mdt_microsim_new checks salaries, FTE, weights). */
    int64_t wf = (int64_t)sim->wfte_e8[at];
    cells->old[lo + i] = sim->old_nok[at];
    cells->pos[lo + i] = at;
    pw[i + 1] = pw[i] + wf;
    pwo[i + 1] = pwo[i] + (mdt_i128)wf * (int64_t)sim->old_nok[at];
    pe[i + 1] = pe[i] + sim->weight_e4[at];
  }
}

/* The cells taken one at a time by whichever thread is free (cells differ in size and in
 * the digits their pays span, so fixed parts would leave one thread waiting), each thread
 * with room of its own for the sort. A cell is sorted alone, so the index is the same
 * whichever thread sorts it. */
typedef struct {
  mdt__cells *cells;
  size_t largest; /* employees of the largest cell */
  atomic_size_t next;
  int failed[MDT_MICROSIM_MAX_THREADS];
} sort_job;

static void sort_part(void *arg, int part, int nparts) {
  (void)nparts;
  sort_job *job = arg;
  const mdt_microsim *sim = job->cells->sim;
  keyed *tmp = malloc(2 * job->largest * sizeof *tmp);
  job->failed[part] = tmp == NULL;
  for (size_t c; tmp != NULL && (c = atomic_fetch_add(&job->next, 1)) < sim->ncells;)
    cell_sort(job->cells, c, tmp, job->largest);
  free(tmp);
}

mdt_status mdt__cells_new_threads(const mdt_microsim *sim, int threads, mdt__cells **out,
                                  mdt_error *err) {
  if (sim == NULL || out == NULL)
    return mdt_error_set(err, MDT_EUSAGE, "mdt__cells_new: no %s given",
                         sim == NULL ? "microsim" : "result");
  const size_t n = sim->n, C = sim->ncells;
  int parts = threads < 1 ? 1 : threads > MDT_MICROSIM_MAX_THREADS ? MDT_MICROSIM_MAX_THREADS
                                                                   : threads;
  mdt__cells *cells = calloc(1, sizeof *cells);
  if (cells != NULL) {
    cells->sim = sim;
    cells->old = malloc((n ? n : 1) * sizeof *cells->old);
    cells->pw = malloc((n + C) * sizeof *cells->pw);
    cells->pwo = malloc((n + C) * sizeof *cells->pwo);
    cells->pe = malloc((n + C) * sizeof *cells->pe);
    cells->pos = malloc((n ? n : 1) * sizeof *cells->pos);
  }
  int failed = cells == NULL || !cells->old || !cells->pw || !cells->pwo || !cells->pe ||
               !cells->pos;
  if (!failed) {
    sort_job job = {cells, 1, 0, {0}};
    for (size_t c = 0; c < C; c++) {
      size_t size = sim->cell_start[c + 1] - sim->cell_start[c];
      job.largest = size > job.largest ? size : job.largest;
    }
    mdt__run_parts(parts, sort_part, &job);
    for (int k = 0; k < parts; k++)
      failed |= job.failed[k];
  }
  if (failed) {
    mdt__cells_free(cells);
    return mdt_error_set(err, MDT_ENOMEM, "out of memory sorting %zu employees by pay", n);
  }
  *out = cells;
  return MDT_OK;
}

mdt_status mdt__cells_new(const mdt_microsim *sim, mdt__cells **out, mdt_error *err) {
  return mdt__cells_new_threads(sim, 1, out, err);
}

mdt__cell_run mdt__cells_run(const mdt__cells *cells, size_t c) {
  size_t start = cells->sim->cell_start[c];
  return (mdt__cell_run){cells->old + start, cells->pw + start + c, cells->pwo + start + c,
                         cells->pe + start + c, cells->pos + start,
                         cells->sim->cell_start[c + 1] - start};
}

/* max(p old + a, min), as central_rise (microsim_int.h) computes it before the floor. */
static inline double before_floor(double old, double p, double a, double min) {
  double r = p * old + a;
  return r > min ? r : min;
}

double mdt__cells_sum(const mdt__cells *cells, size_t c, double p, double a, double min,
                      double floor_nok) {
  const mdt_microsim *sim = cells->sim;
  size_t start = sim->cell_start[c], n = sim->cell_start[c + 1] - start;
  const double *old = cells->old + start;
  const int64_t *pw = cells->pw + start + c;
  const mdt_i128 *pwo = cells->pwo + start + c;
  /* k1: the first employee whose rise is not the floor's lift (central_rise keeps the lift
   * unless max(p old + a, min) is above it). The test rises with old, so it is a search. */
  size_t lo = 0, hi = n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (before_floor(old[mid], p, a, min) > floor_nok - old[mid])
      hi = mid;
    else
      lo = mid + 1;
  }
  size_t k1 = lo;
  /* k2: from k1 on, the first whose p old + a is above the minimum. */
  hi = n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (p * old[mid] + a > min)
      hi = mid;
    else
      lo = mid + 1;
  }
  size_t k2 = lo;
  double sum = 0.0;
  if (k1 > 0)
    sum += floor_nok * (double)pw[k1] - (double)pwo[k1];
  if (k2 > k1)
    sum += min * (double)(pw[k2] - pw[k1]);
  if (n > k2)
    sum += p * (double)(pwo[n] - pwo[k2]) + a * (double)(pw[n] - pw[k2]);
  return sum;
}

void mdt__cells_lean(const mdt__cells *cells, mdt_microsim_work *w, mdt_microsim_effect *effect) {
  const mdt_microsim *sim = w->sim;
  for (size_t g = 0; g < sim->ngroups; g++) {
    double s = 0.0;
    for (size_t c = sim->group_cell[g]; c < sim->group_cell[g + 1]; c++)
      if (w->cell_active[c])
        s += mdt__cells_sum(cells, c, w->cell_p[c], w->cell_a[c], w->cell_min[c],
                            w->cell_floor[c]);
    w->group_sum[g] = s;
  }
  mdt__microsim_effect_from_sums(w, effect);
}
