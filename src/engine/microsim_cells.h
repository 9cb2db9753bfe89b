/*
 * Internal: the lean pass computed per (group, whole years) cell instead of per employee, for
 * the solver (allocate.c), whose cost then does not grow with the register.
 *
 * Ownership: mdt__cells_new returns an index that the caller frees with mdt__cells_free (NULL
 * is a no-op); the index borrows the microsim it was built from, which must outlive it.
 *
 * Why it works. Within a cell every employee shares p, a, the minimum m and the floor F, and
 * the central rise r(old) = max(max(p old + a, m), F - old) is piecewise linear in old: F - old
 * where the floor binds (a prefix of the cell sorted by old pay, since max(p old + a, m) does
 * not fall and F - old does), then m where the minimum binds, then p old + a. The microsim
 * keeps each cell's employees in order of old pay (microsim_int.h); with exact prefix sums of
 * wfte and wfte x old over them, the cell's
 * Σ wfte r is F W - S + m W' + p S'' + a W'' over the three runs, whose ends are found by
 * binary search with the very comparisons of the per-employee pass (central_rise in
 * microsim_int.h): O(cells x log n) per pass. The prefix sums are exact integers (wfte_e8 and
 * whole kroner), so the cell sums differ from the per-employee pass only by the rounding of a
 * few products, far below 1e-12 relative (tests/unit/test_microsim_cells.c).
 *
 * The per-employee pass (mdt__microsim_lean) stays the reference: the environment variable
 * MANDAT_REFERENCE_PASS=1 makes mdt_allocator_new use it instead, for tests and the bench.
 * Memory: 32 bytes per 16 employees (three prefix sums at every 16th, MDT__CELLS_STEP). The
 * index is built cell by cell (on threads, mdt__cells_new_threads) and read single-threaded in
 * a fixed cell order, so results do not depend on the number of threads.
 */
#ifndef MANDAT_ENGINE_MICROSIM_CELLS_H
#define MANDAT_ENGINE_MICROSIM_CELLS_H

#include "core/spare.h"
#include "engine/microsim_int.h"
#include "mandat/allocate.h"

typedef struct mdt__cells mdt__cells;

/*
 * Sums the prefixes of each cell's employees of sim (in order of old pay).
 *   sim: the compiled register (borrowed: must outlive the index)
 *   out: receives the index (untouched on failure)
 *   err: filled on failure; may be NULL
 * MDT_ENOMEM when out of memory.
 */
mdt_status mdt__cells_new(const mdt_microsim *sim, mdt__cells **out, mdt_error *err);
/* mdt__cells_new with the cells split over threads (1..MDT_MICROSIM_MAX_THREADS) started for
 * it: each cell is summed alone, so the index is the same for any number. */
mdt_status mdt__cells_new_threads(const mdt_microsim *sim, int threads, mdt__cells **out,
                                  mdt_error *err);
/* mdt__cells_new_threads with its prefix sums in one block taken from spare (core/spare.h:
 * blocks a run no longer needs, whose pages need no fault), or from malloc when it is NULL. */
mdt_status mdt__cells_new_spare(const mdt_microsim *sim, int threads, mdt__spare *spare,
                                mdt__cells **out, mdt_error *err);
void mdt__cells_free(mdt__cells *cells);

/* Non-zero when MANDAT_REFERENCE_PASS is set to a value other than "" or "0": the solver then
 * keeps to the per-employee pass. */
int mdt__cells_reference_forced(void);

/* The lean pass per cell on a work area prepared for its settlement (mdt__microsim_prepare
 * and mdt__microsim_central, as for mdt__microsim_lean): fills w->group_sum and returns the
 * effect. w must run on the microsim cells was built from. */
void mdt__cells_lean(const mdt__cells *cells, mdt_microsim_work *w, mdt_microsim_effect *effect);

/* A run of employees sorted by old pay with prefix sums from 0 (k = 0..n) of wfte_e8, of
 * wfte_e8 x old (exact) and of weight_e4, read with mdt__run_w, mdt__run_wo and mdt__run_e;
 * a cell's run is its employees in the microsim's columns, its k-th at position first + k.
 * The sums are kept at every 2^shift employees (checkpoint j: the prefix up to
 * min(j << shift, n)) and the rest summed from the columns wfte and weight when read: exact
 * integers either way. shift 0 keeps every prefix (wfte and weight are then not read). */
typedef struct {
  const double *old;
  const double *wfte;    /* [n]: wfte_e8, whole numbers below 2^53 */
  const int32_t *weight; /* [n]: weight_e4 (NULL where pe is not kept) */
  const int64_t *pw;
  const mdt_i128 *pwo;
  const int64_t *pe; /* NULL where not kept */
  unsigned shift;
  size_t first;
  size_t n;
} mdt__cell_run;

/* The cells index keeps a prefix at every MDT__CELLS_STEP employees of a cell: 32 bytes per
 * 16 employees instead of per employee, which a run no longer writes into fresh pages (each
 * fresh page costs a fault and its clearing, dear in a virtual machine), for at most 8 of
 * the columns' values summed per prefix read. */
#define MDT__CELLS_SHIFT 4u
#define MDT__CELLS_STEP ((size_t)1 << MDT__CELLS_SHIFT)

/* The checkpoint at or below k, or the one above it when that is nearer (at most n, the
 * last); *at receives its place. */
static inline size_t mdt__run_checkpoint(const mdt__cell_run *r, size_t k, size_t *at) {
  size_t j = k >> r->shift, lo = j << r->shift;
  if (k > lo) {
    size_t hi = lo + ((size_t)1 << r->shift);
    hi = hi < r->n ? hi : r->n;
    if (hi - k < k - lo) {
      *at = hi;
      return j + 1;
    }
  }
  *at = lo;
  return j;
}

/* Σ wfte_e8 into *w and Σ wfte_e8 x old into *wo over the first k of r, in one reading. */
static inline void mdt__run_w_wo(const mdt__cell_run *r, size_t k, int64_t *w, mdt_i128 *wo) {
  size_t at, j = mdt__run_checkpoint(r, k, &at);
  int64_t sw = r->pw[j];
  mdt_i128 swo = r->pwo[j];
  for (size_t i = at; i < k; i++) {
    int64_t f = (int64_t)r->wfte[i];
    sw += f;
    swo += (mdt_i128)f * (int64_t)r->old[i];
  }
  for (size_t i = k; i < at; i++) {
    int64_t f = (int64_t)r->wfte[i];
    sw -= f;
    swo -= (mdt_i128)f * (int64_t)r->old[i];
  }
  *w = sw;
  *wo = swo;
}

/* Σ wfte_e8 over the first k of r (inlined, the unused sum is not computed). */
static inline int64_t mdt__run_w(const mdt__cell_run *r, size_t k) {
  int64_t w;
  mdt_i128 wo;
  mdt__run_w_wo(r, k, &w, &wo);
  return w;
}

/* Σ wfte_e8 x old over the first k of r, exact. */
static inline mdt_i128 mdt__run_wo(const mdt__cell_run *r, size_t k) {
  int64_t w;
  mdt_i128 wo;
  mdt__run_w_wo(r, k, &w, &wo);
  return wo;
}

/* Σ weight_e4 over the first k of r (a run with pe). */
static inline int64_t mdt__run_e(const mdt__cell_run *r, size_t k) {
  size_t at, j = mdt__run_checkpoint(r, k, &at);
  int64_t s = r->pe[j];
  for (size_t i = at; i < k; i++)
    s += r->weight[i];
  for (size_t i = k; i < at; i++)
    s -= r->weight[i];
  return s;
}

/* Cell c's employees as a run. */
mdt__cell_run mdt__cells_run(const mdt__cells *cells, size_t c);

/* The two splits of a run of n employees in order of pay old[0..n) under a central rise
 * max(p old + a, min) with the floor floor_nok: split[0], the first employee not lifted to
 * the floor (below it every rise is the lift to the floor), and split[1], from split[0] on, the
 * first whose p old + a is above the minimum (below it, the minimum). Searched out from the
 * split[0..2) given, where an earlier pass found them (n or more: none, the plain halving);
 * with p < 0 or NaN always the plain halving. The result never depends on the hint. */
void mdt__central_splits(const double *old, size_t n, double p, double a, double min,
                         double floor_nok, size_t *split);

/* Σ wfte x central rise over cell c, per cell (for the tests). */
double mdt__cells_sum(const mdt__cells *cells, size_t c, double p, double a, double min,
                      double floor_nok);
/* The same sum, its two splits (the first employee not lifted to the floor, the first above
 * the minimum) searched outward from hint[0] and hint[1], where an earlier pass found them,
 * and left there. The hint changes the work, never the sum: with p < 0 (or NaN), or a hint
 * outside the cell's run, it is the plain halving search. */
double mdt__cells_sum_from(const mdt__cells *cells, size_t c, double p, double a, double min,
                           double floor_nok, size_t *hint);

/* The allocator's per-cell index; NULL when it keeps to the per-employee pass. */
const mdt__cells *mdt__allocator_cells(const mdt_allocator *a);

/* A second allocator of a's microsim on work (a twin work area, mdt__work_twin) that borrows
 * a's cells index (a must outlive it): its solves are the same as a's, so that two threads
 * can solve independent settlements at once. */
mdt_status mdt__allocator_twin(mdt_microsim_work *work, const mdt_allocator *a,
                               mdt_allocator **out, mdt_error *err);
/* mdt_allocator_new with its cells index built in spare's blocks (mdt__cells_new_spare). */
mdt_status mdt__allocator_new_spare(mdt_microsim_work *work, mdt__spare *spare,
                                    mdt_allocator **out, mdt_error *err);

/*
 * mdt_microsim_apply without the percentiles, per cell (microsim_cellreport.c): the same
 * report to far below 1e-12 relative, in O(cells x log n). Falls back to mdt_microsim_apply
 * when cells is NULL, opt asks for percentiles, or a cell with a step move is not in the work
 * area's step index (built on first use for the settlement's guarantee table).
 */
mdt_status mdt__microsim_apply_cells(const mdt__cells *cells, mdt_microsim_work *w,
                                     const mdt_settlement *s,
                                     const mdt_microsim_report_options *opt,
                                     mdt_microsim_report **out, mdt_error *err);

/* The employee-weighted 20th and 80th percentile of full-time pay into w->pay_p20 and
 * w->pay_p80 (once per work area), as mdt__pay_fifths finds them, the same values: the
 * smallest pay whose cumulative weight reaches the share, found by binary search over whole
 * kroner with each cell's weight up to a pay from its prefix sums, O(cells x log^2 n). w
 * must run on the microsim cells was built from. */
void mdt__cells_pay_fifths(const mdt__cells *cells, mdt_microsim_work *w);

/* mdt_microsim_spread_of per cell (microsim_cellreport.c): the share whose real growth falls
 * the same, the rises of the low- and high-paid to about 1e-15 relative, in O(cells x log n).
 * Falls back to mdt_microsim_spread_of when cells is NULL. */
mdt_status mdt__microsim_spread_cells(const mdt__cells *cells, mdt_microsim_work *w,
                                      const mdt_settlement *s,
                                      const mdt_microsim_report_options *opt,
                                      mdt_microsim_spread *out, mdt_error *err);

#endif
