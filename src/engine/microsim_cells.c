#include "engine/microsim_cells.h"

#include <stdlib.h>
#include <string.h>

struct mdt__cells {
  const mdt_microsim *sim;
  size_t *at;    /* [ncells + 1]: cell c's checkpoints at at[c] .. at[c + 1] - 1 */
  void *block;   /* the one block below three arrays lie in */
  mdt_i128 *pwo; /* [at[ncells]]: per cell, prefix sums of wfte_e8 x old at every
                    MDT__CELLS_STEP employees from 0 and at the cell's end (mdt__cell_run) */
  int64_t *pw;   /* the same of wfte_e8 */
  int64_t *pe;   /* the same of weight_e4 (for head counts) */
};

void mdt__cells_free(mdt__cells *cells) {
  if (cells == NULL)
    return;
  free(cells->at);
  free(cells->block);
  free(cells);
}

int mdt__cells_reference_forced(void) {
  const char *v = getenv("MANDAT_REFERENCE_PASS");
  return v != NULL && v[0] != '\0' && strcmp(v, "0") != 0;
}

/* Checkpoints of a cell of size employees: at 0, every MDT__CELLS_STEP, and at its end. */
static size_t checkpoints(size_t size) {
  return size / MDT__CELLS_STEP + 1 + (size % MDT__CELLS_STEP != 0);
}

/* Sums cell c's prefixes (its employees are in order of pay in the microsim's columns). */
static void cell_sums(mdt__cells *cells, size_t c) {
  const mdt_microsim *sim = cells->sim;
  size_t lo = sim->cell_start[c], size = sim->cell_start[c + 1] - lo;
  int64_t *pw = cells->pw + cells->at[c];
  mdt_i128 *pwo = cells->pwo + cells->at[c];
  int64_t *pe = cells->pe + cells->at[c];
  const double *old = sim->old_nok + lo, *wfte = sim->wfte_e8 + lo;
  const int32_t *weight = sim->weight_e4 + lo;
  int64_t w = 0, e = 0;
  mdt_i128 wo = 0;
  size_t j = 0;
  for (size_t i = 0; i < size; i++) {
    if (i % MDT__CELLS_STEP == 0) {
      pw[j] = w;
      pwo[j] = wo;
      pe[j++] = e;
    }
    /* Both are whole numbers below 2^53 (mdt_microsim_new checks salaries, FTE, weights). */
    int64_t wf = (int64_t)wfte[i];
    w += wf;
    wo += (mdt_i128)wf * (int64_t)old[i];
    e += weight[i];
  }
  pw[j] = w; /* the end: 0 of an empty cell */
  pwo[j] = wo;
  pe[j] = e;
}

/* The cells of one part (mdt__run_parts_shared): runs of cells of about equal employees. */
static void sums_part(void *arg, int part, int nparts) {
  mdt__cells *cells = arg;
  size_t c1 = mdt__part_cell(cells->sim, part + 1, nparts);
  for (size_t c = mdt__part_cell(cells->sim, part, nparts); c < c1; c++)
    cell_sums(cells, c);
}

mdt_status mdt__cells_new_threads(const mdt_microsim *sim, int threads, mdt__cells **out,
                                  mdt_error *err) {
  return mdt__cells_new_spare(sim, threads, NULL, out, err);
}

mdt_status mdt__cells_new_spare(const mdt_microsim *sim, int threads, mdt__spare *spare,
                                mdt__cells **out, mdt_error *err) {
  if (sim == NULL || out == NULL)
    return mdt_error_set(err, MDT_EUSAGE, "mdt__cells_new: no %s given",
                         sim == NULL ? "microsim" : "result");
  const size_t C = sim->ncells;
  int parts = threads < 1 ? 1 : threads > MDT_MICROSIM_MAX_THREADS ? MDT_MICROSIM_MAX_THREADS
                                                                   : threads;
  mdt__cells *cells = calloc(1, sizeof *cells);
  size_t m = 0;
  if (cells != NULL && (cells->at = malloc((C + 1) * sizeof *cells->at)) != NULL) {
    cells->sim = sim;
    for (size_t c = 0; c < C; c++) {
      cells->at[c] = m;
      m += checkpoints(sim->cell_start[c + 1] - sim->cell_start[c]);
    }
    cells->at[C] = m;
    /* One block for the three (32 bytes a checkpoint, i128 first for its alignment): a
     * block of the register's that the compile left (the members' column, 4 bytes an
     * employee) holds it, so that its pages need no fault. */
    cells->block = mdt__spare_take(spare, (m ? m : 1) * (sizeof(mdt_i128) + 2 * sizeof(int64_t)));
    if (cells->block != NULL) {
      cells->pwo = cells->block;
      cells->pw = (int64_t *)(void *)(cells->pwo + m);
      cells->pe = cells->pw + m;
    }
  }
  if (cells == NULL || cells->block == NULL) {
    mdt__cells_free(cells);
    return mdt_error_set(err, MDT_ENOMEM, "out of memory summing %zu employees by pay",
                         sim->n);
  }
  /* Parts taken as the threads are free: a block taken from spare has pages written before
   * and a new one fresh pages (faulted in as written), so parts of equal employees are not of
   * equal time. */
  mdt__run_parts_shared(mdt__shared_parts(parts), parts, sums_part, cells);
  *out = cells;
  return MDT_OK;
}

mdt_status mdt__cells_new(const mdt_microsim *sim, mdt__cells **out, mdt_error *err) {
  return mdt__cells_new_threads(sim, 1, out, err);
}

/* Cell c's run (mdt__cells_run, which another unit calls; this one inlined here). */
static inline mdt__cell_run run_of(const mdt__cells *cells, size_t c) {
  const mdt_microsim *sim = cells->sim;
  size_t start = sim->cell_start[c], at = cells->at[c];
  return (mdt__cell_run){sim->old_nok + start, sim->wfte_e8 + start, sim->weight_e4 + start,
                         cells->pw + at, cells->pwo + at, cells->pe + at, MDT__CELLS_SHIFT,
                         start, sim->cell_start[c + 1] - start};
}

mdt__cell_run mdt__cells_run(const mdt__cells *cells, size_t c) { return run_of(cells, c); }

/* max(p old + a, min), as central_rise (microsim_int.h) computes it before the floor. */
static inline double before_floor(double old, double p, double a, double min) {
  double r = p * old + a;
  return r > min ? r : min;
}

/* The two splits' tests of an employee paid x: lift, whether the rise is not the floor's lift
 * (central_rise keeps the lift unless max(p old + a, min) is above it); else whether p old + a
 * is above the minimum. Both rise with old when p >= 0. */
static inline int split_test(int lift, double x, double p, double a, double min,
                             double floor_nok) {
  return lift ? before_floor(x, p, a, min) > floor_nok - x : p * x + a > min;
}

/* The first k in [lo, n) at which the test holds of old[k], n when none, for a test that
 * fails and then holds along a cell's pay. From hint h (the split an earlier pass found) it
 * steps out 1, 2, 4, ... places until it brackets the split, then halves the bracket: a split
 * that moved d places costs about 2 log2 d tests instead of log2 n. The result is that one
 * first k whatever the hint; a hint of n or more is none (the plain halving). */
static inline size_t split_from(int lift, const double *old, size_t lo, size_t n, size_t h,
                                double p, double a, double min, double floor_nok) {
  size_t hi = n; /* the split is in [lo, hi] */
  if (h < lo)
    h = lo;
  if (h < n) {
    if (split_test(lift, old[h], p, a, min, floor_nok)) {
      hi = h;
      for (size_t step = 1; hi > lo; step *= 2) {
        size_t k = hi - lo > step ? hi - step : lo;
        if (!split_test(lift, old[k], p, a, min, floor_nok)) {
          lo = k + 1;
          break;
        }
        hi = k;
      }
    } else {
      lo = h + 1;
      for (size_t step = 1; lo < n; step *= 2) {
        size_t k = n - lo > step ? lo + step - 1 : n - 1;
        if (split_test(lift, old[k], p, a, min, floor_nok)) {
          hi = k;
          break;
        }
        lo = k + 1;
      }
    }
  }
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (split_test(lift, old[mid], p, a, min, floor_nok))
      hi = mid;
    else
      lo = mid + 1;
  }
  return lo;
}

/* The splits of old[0..n) into split[0..2), searched from split[0..2) (see microsim_cells.h). */
static inline void splits_from(const double *old, size_t n, double p, double a, double min,
                               double floor_nok, size_t *split) {
  /* With p < 0 (or NaN) the tests need not fail then hold: the plain halving from the whole
   * run, as always, whatever the hint. */
  int hinted = p >= 0;
  size_t k1 = split_from(1, old, 0, n, hinted ? split[0] : n, p, a, min, floor_nok);
  split[1] = split_from(0, old, k1, n, hinted ? split[1] : n, p, a, min, floor_nok);
  split[0] = k1;
}

void mdt__central_splits(const double *old, size_t n, double p, double a, double min,
                         double floor_nok, size_t *split) {
  splits_from(old, n, p, a, min, floor_nok, split);
}

double mdt__cells_sum_from(const mdt__cells *cells, size_t c, double p, double a, double min,
                           double floor_nok, size_t *hint) {
  const mdt__cell_run r = run_of(cells, c);
  const size_t n = r.n;
  splits_from(r.old, n, p, a, min, floor_nok, hint);
  size_t k1 = hint[0], k2 = hint[1];
  int64_t w1 = 0, w2;
  mdt_i128 wo1 = 0, wo2;
  if (k1 > 0)
    mdt__run_w_wo(&r, k1, &w1, &wo1);
  if (k2 > k1)
    mdt__run_w_wo(&r, k2, &w2, &wo2);
  else {
    w2 = w1;
    wo2 = wo1;
  }
  double sum = 0.0;
  if (k1 > 0)
    sum += floor_nok * (double)w1 - (double)wo1;
  if (k2 > k1)
    sum += min * (double)(w2 - w1);
  if (n > k2)
    sum += p * (double)(mdt__run_wo(&r, n) - wo2) + a * (double)(mdt__run_w(&r, n) - w2);
  return sum;
}

double mdt__cells_sum(const mdt__cells *cells, size_t c, double p, double a, double min,
                      double floor_nok) {
  size_t hint[2] = {SIZE_MAX, SIZE_MAX}; /* none: halving from the whole run */
  return mdt__cells_sum_from(cells, c, p, a, min, floor_nok, hint);
}

void mdt__cells_lean(const mdt__cells *cells, mdt_microsim_work *w, mdt_microsim_effect *effect) {
  const mdt_microsim *sim = w->sim;
  for (size_t g = 0; g < sim->ngroups; g++) {
    double s = 0.0;
    for (size_t c = sim->group_cell[g]; c < sim->group_cell[g + 1]; c++)
      if (w->cell_active[c])
        s += mdt__cells_sum_from(cells, c, w->cell_p[c], w->cell_a[c], w->cell_min[c],
                                 w->cell_floor[c], &w->cell_split[2 * c]);
    w->group_sum[g] = s;
  }
  mdt__microsim_effect_from_sums(w, effect);
}
