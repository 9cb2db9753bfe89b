/*
 * The report's figures and the spread over pay per cell instead of per employee, for the
 * callers that solve many settlements and read only each group's growth and rise and the
 * spread (the sweeps, the mandate's uncertainty and the regions; tradeoff.c):
 * O(cells x 12 x 12 x log n) per settlement.
 *
 * The central rise per group is the solver's per-cell sum (microsim_cells.h). The full-year
 * rise adds the percent elements, which are a fraction of the group's wage bill. Step moves
 * (mdt__step_move): an employee of a cell with a guarantee step at its years + 1 moves from
 * a month fixed by their seniority, and in each month from then on is lifted to the floor by
 * max(F - pay, 0), where pay = old x (1 + the percents in force) + the central rise once
 * settled. Pay does not fall with old pay, so within the employees of one cell and first
 * month sorted by old pay the lifted ones are a prefix, found by binary search with the very
 * comparison of the per-employee pass, and their lifts sum from exact prefix sums of wfte
 * and wfte x old and the central rise's three runs (microsim_cells.h) clipped to the prefix.
 *
 * The sums differ from the per-employee pass's only by the rounding of a few products: every
 * figure agrees to far below 1e-12 relative (tests/unit/test_microsim_cellreport.c). In the
 * spread, the count of real falls per cell is exact (cell_falls). The low-paid of a cell are
 * a prefix of its run by pay and the high-paid a suffix, so their wage bills are exact
 * differences of the prefix sums, the same integers the per-employee pass sums, and their
 * rises are sums of such differences times the cell's parameters, carried as double-double
 * (rise_between): within a few units of 1e-16 of the exact sum of exact rises. The
 * per-employee pass sums whole kroner exactly (mdt_microsim_spread_of), so the two agree to
 * about 1e-15 (the test holds them to 1e-14).
 * The step index is built in parts of cells on the work area's threads, each part alone; the
 * sums are read single-threaded in a fixed order: the results do not depend on the number of
 * threads.
 *
 * Ownership: the step index belongs to the work area (freed with it); the cells index is the
 * allocator's, borrowed.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine/microsim_cells.h"

/* First months 1 to 12 of the step moves, per cell. */
#define STEP_MONTHS 12

/* The employees who move a step, per (cell, first month) run, each run sorted by old pay. */
struct mdt__steps {
  size_t ncells;
  unsigned char *indexed; /* [ncells]: the cell's movers are here */
  size_t *run_start;      /* [ncells x 12 + 1]: run r = c x 12 + from - 1 */
  double *old;            /* [m]: the runs' old pay, ascending within each run */
  int64_t *pw;            /* [m + runs]: per run, prefix sums of wfte_e8 from 0 */
  mdt_i128 *pwo;          /* [m + runs]: the same of wfte_e8 x old, exact */
  int64_t *emp;           /* [runs]: weight_e4 of the run */
};

void mdt__steps_free(struct mdt__steps *steps) {
  if (steps == NULL)
    return;
  free(steps->indexed);
  free(steps->run_start);
  free(steps->old);
  free(steps->pw);
  free(steps->pwo);
  free(steps->emp);
  free(steps);
}

/* Sums the prefixes of runs r0..r1 - 1; m holds the runs' column positions, each run by pay. */
static void steps_sums(struct mdt__steps *st, const mdt_microsim *sim, const uint32_t *m,
                       size_t r0, size_t r1) {
  for (size_t r = r0; r < r1; r++) {
    size_t lo = st->run_start[r], n = st->run_start[r + 1] - lo;
    int64_t *pw = st->pw + lo + r;
    mdt_i128 *pwo = st->pwo + lo + r;
    pw[0] = 0;
    pwo[0] = 0;
    st->emp[r] = 0;
    for (size_t k = 0; k < n; k++) {
      size_t i = m[lo + k];
      int64_t wf = (int64_t)sim->wfte_e8[i]; /* whole numbers below 2^53 (mdt_microsim_new) */
      st->old[lo + k] = sim->old_nok[i];
      pw[k + 1] = pw[k] + wf;
      pwo[k + 1] = pwo[k] + (mdt_i128)wf * (int64_t)sim->old_nok[i];
      st->emp[r] += sim->weight_e4[i];
    }
  }
}

/* The step index built in parts of cells (mdt__run_parts_shared): a cell's runs and their
 * places are its own, so the parts share nothing they write. The parts are cut into equal
 * shares of the indexed cells' employees (what the passes go through): cut by all employees,
 * the indexed cells, a few groups' years, may all fall in one part. */
typedef struct {
  const mdt_microsim_work *w;
  struct mdt__steps *st;
  uint32_t *m;  /* the runs' column positions (below 2^32: mdt_microsim_new) */
  size_t *next; /* where each run's next mover goes */
  size_t cut[MDT_MICROSIM_MAX_THREADS + 1]; /* part k's cells: cut[k] .. cut[k + 1] - 1 */
} steps_job;

/* Pass 1: which of the part's cells have movers, and each run's count (shifted by one run:
 * run r's count at run_start[r + 1]). */
static void steps_count_part(void *arg, int part, int nparts) {
  (void)nparts;
  steps_job *job = arg;
  const mdt_microsim *sim = job->w->sim;
  struct mdt__steps *st = job->st;
  for (size_t c = job->cut[part]; c < job->cut[part + 1]; c++) {
    for (size_t i = sim->cell_start[c]; st->indexed[c] && i < sim->cell_start[c + 1]; i++) {
      int from = sim->move_from[i]; /* the first month i moves in, 0: none */
      if (from > 0)
        st->run_start[c * STEP_MONTHS + (size_t)from]++;
    }
  }
}

/* Pass 2: the part's cells' movers taken in column order (each cell by pay: microsim_int.h)
 * into the run of their first month, so that every run is in order of pay too; then their
 * sums. */
static void steps_fill_part(void *arg, int part, int nparts) {
  (void)nparts;
  steps_job *job = arg;
  const mdt_microsim *sim = job->w->sim;
  struct mdt__steps *st = job->st;
  size_t c0 = job->cut[part], c1 = job->cut[part + 1];
  for (size_t c = c0; c < c1; c++) {
    for (size_t i = sim->cell_start[c]; st->indexed[c] && i < sim->cell_start[c + 1]; i++) {
      int from = sim->move_from[i];
      if (from > 0)
        job->m[job->next[c * STEP_MONTHS + (size_t)from - 1]++] = (uint32_t)i;
    }
  }
  steps_sums(st, sim, job->m, c0 * STEP_MONTHS, c1 * STEP_MONTHS);
}

/* The index of the cells with a guarantee step at their years + 1 in w's settlement, on
 * w's threads: the same index for any number. */
static mdt_status steps_new(const mdt_microsim_work *w, struct mdt__steps **out,
                            mdt_error *err) {
  const mdt_microsim *sim = w->sim;
  const size_t C = sim->ncells, runs = C * STEP_MONTHS;
  /* Parts taken as the threads are free (mdt__run_parts_shared). */
  const int threads = w->threads > 1 ? w->threads : 1, parts = mdt__shared_parts(threads);
  struct mdt__steps *st = calloc(1, sizeof *st);
  steps_job job = {w, st, NULL, NULL, {0}};
  if (st == NULL || (st->indexed = calloc(C ? C : 1, 1)) == NULL ||
      (st->run_start = calloc(runs + 1, sizeof *st->run_start)) == NULL)
    goto nomem;
  st->ncells = C;
  size_t indexed = 0; /* employees of the indexed cells */
  for (size_t c = 0; c < C; c++) {
    st->indexed[c] = (unsigned char)!isnan(w->cell_next_guarantee[c]);
    indexed += st->indexed[c] ? sim->cell_start[c + 1] - sim->cell_start[c] : 0;
  }
  /* Part k starts at the first cell with k / parts of those employees before it. */
  for (int k = 1; k <= parts; k++)
    job.cut[k] = C;
  for (size_t c = 0, below = 0, k = 1; c < C && k < (size_t)parts; c++) {
    while (k < (size_t)parts && below * (size_t)parts >= k * indexed)
      job.cut[k++] = c;
    below += st->indexed[c] ? sim->cell_start[c + 1] - sim->cell_start[c] : 0;
  }
  mdt__run_parts_shared(parts, threads, steps_count_part, &job);
  for (size_t r = 0; r < runs; r++)
    st->run_start[r + 1] += st->run_start[r];
  size_t total = st->run_start[runs];
  if ((job.m = malloc((total ? total : 1) * sizeof *job.m)) == NULL ||
      (job.next = malloc((runs ? runs : 1) * sizeof *job.next)) == NULL ||
      (st->old = malloc((total ? total : 1) * sizeof *st->old)) == NULL ||
      (st->pw = malloc((total + runs) * sizeof *st->pw)) == NULL ||
      (st->pwo = malloc((total + runs) * sizeof *st->pwo)) == NULL ||
      (st->emp = malloc((runs ? runs : 1) * sizeof *st->emp)) == NULL)
    goto nomem;
  /* Fresh blocks, a fault for every 4 KiB of them where not advised (core/spare.h). */
  mdt__huge(job.m, total * sizeof *job.m);
  mdt__huge(st->old, total * sizeof *st->old);
  mdt__huge(st->pw, (total + runs) * sizeof *st->pw);
  mdt__huge(st->pwo, (total + runs) * sizeof *st->pwo);
  memcpy(job.next, st->run_start, runs * sizeof *job.next);
  mdt__run_parts_shared(parts, threads, steps_fill_part, &job);
  free(job.next);
  free(job.m);
  *out = st;
  return MDT_OK;

nomem:
  free(job.next);
  free(job.m);
  mdt__steps_free(st);
  return mdt_error_set(err, MDT_ENOMEM, "out of memory indexing the step moves");
}

/* ------------------------------------------------------------------------------------------
 * Sums over a run sorted by old pay
 * ------------------------------------------------------------------------------------------ */

typedef mdt__cell_run run;

/* Where the central rise's three runs of r begin: the floor's lift on [0, k1), the minimum
 * on [k1, k2), p old + a from k2 (as mdt__cells_sum finds them). */
typedef struct {
  size_t k1, k2;
} central_runs;

static central_runs central_runs_of(run r, double p, double a, double min, double floor_nok) {
  size_t split[2] = {SIZE_MAX, SIZE_MAX}; /* no hint: the plain halving */
  mdt__central_splits(r.old, r.n, p, a, min, floor_nok, split);
  return (central_runs){split[0], split[1]};
}

static size_t min_size(size_t a, size_t b) { return a < b ? a : b; }

/* Σ wfte x central rise over the first k employees of r. */
static double central_prefix(run r, central_runs k, size_t upto, double p, double a,
                             double min, double floor_nok) {
  size_t e1 = min_size(k.k1, upto), e2 = min_size(k.k2, upto);
  double sum = 0.0;
  if (e1 > 0)
    sum += floor_nok * (double)mdt__run_w(&r, e1) - (double)mdt__run_wo(&r, e1);
  if (e2 > e1)
    sum += min * (double)(mdt__run_w(&r, e2) - mdt__run_w(&r, e1));
  if (upto > e2)
    sum += p * (double)(mdt__run_wo(&r, upto) - mdt__run_wo(&r, e2)) +
           a * (double)(mdt__run_w(&r, upto) - mdt__run_w(&r, e2));
  return sum;
}

/* Σ wfte x the step lift in one month over run r of cell c: F the floor that month, frac
 * the percents in force, settled whether the central rise is paid. */
static double month_lift(const mdt_microsim_work *w, size_t c, run r, central_runs k,
                         double F, double frac, int settled) {
  /* The lifted: a prefix, where F > pay, the comparison of mdt__step_move. */
  size_t lo = 0, hi = r.n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    double old = r.old[mid];
    double pay = old * (1.0 + frac) + (settled ? cell_central(w, c, old) : 0.0);
    if (F > pay)
      lo = mid + 1;
    else
      hi = mid;
  }
  if (lo == 0)
    return 0.0;
  double sum = F * (double)mdt__run_w(&r, lo) - (1.0 + frac) * (double)mdt__run_wo(&r, lo);
  if (settled)
    sum -= central_prefix(r, k, lo, w->cell_p[c], w->cell_a[c], w->cell_min[c],
                          w->cell_floor[c]);
  return sum;
}

/* The step moves of cell c into its group's sums. */
static void cell_steps(const struct mdt__steps *st, mdt_microsim_work *w, size_t c) {
  const mdt_microsim *sim = w->sim;
  size_t g = sim->cell_group[c];
  const double *frac = w->group_frac_month + g * 12;
  double next_old = w->cell_next_guarantee[c], year = 0.0, full = 0.0;
  int active = w->cell_active[c];
  for (size_t from = 1; from <= STEP_MONTHS; from++) {
    size_t ri = c * STEP_MONTHS + from - 1, lo = st->run_start[ri];
    run r = {st->old + lo, NULL, NULL, st->pw + lo + ri, st->pwo + lo + ri, NULL, 0, 0,
             st->run_start[ri + 1] - lo};
    if (r.n == 0)
      continue;
    w->group_step_emp[g] += st->emp[ri];
    central_runs k = {0, 0};
    if (active)
      k = central_runs_of(r, w->cell_p[c], w->cell_a[c], w->cell_min[c], w->cell_floor[c]);
    for (int m = (int)from; m <= 12; m++) {
      int settled = active && m >= w->central_month;
      double F = settled ? w->cell_next_floor[c] : next_old;
      double lift = month_lift(w, c, r, k, F, frac[m - 1], settled);
      year += lift;
      if (m == 12)
        full += lift;
    }
  }
  w->group_step_year[g] += year / 12.0;
  w->group_step_full[g] += full;
}

/* ------------------------------------------------------------------------------------------
 * The report
 * ------------------------------------------------------------------------------------------ */

/* The step index for w's settlement: built on first use; 0 when a cell with a step is not
 * in it (another guarantee table), for the per-employee pass to take over. */
static mdt_status steps_ready(mdt_microsim_work *w, int *ok, mdt_error *err) {
  if (w->steps == NULL) {
    mdt_status st = steps_new(w, &w->steps, err);
    if (st != MDT_OK)
      return st;
  }
  *ok = w->steps->ncells == w->sim->ncells;
  for (size_t c = 0; c < w->sim->ncells && *ok; c++)
    *ok = isnan(w->cell_next_guarantee[c]) || w->steps->indexed[c];
  return MDT_OK;
}

/* Group sums as the per-employee pass leaves them, per cell. */
static void cell_sums(const mdt__cells *cells, mdt_microsim_work *w, int steps,
                      mdt_microsim_effect *effect) {
  const mdt_microsim *sim = w->sim;
  mdt__cells_lean(cells, w, effect);
  for (size_t g = 0; g < sim->ngroups; g++) {
    /* Σ wfte x (central + frac old) = the central sum + frac x the wage bill. */
    w->group_whole[g] = 0;
    w->group_frac[g] = w->group_sum[g] + w->group_frac_full[g] * sim->wage_bill_d[g];
    w->group_step_year[g] = w->group_step_full[g] = 0.0;
    w->group_step_emp[g] = 0;
  }
  for (size_t c = 0; steps && c < sim->ncells; c++)
    if (!isnan(w->cell_next_guarantee[c]))
      cell_steps(w->steps, w, c);
}

mdt_status mdt__microsim_apply_cells(const mdt__cells *cells, mdt_microsim_work *w,
                                     const mdt_settlement *s,
                                     const mdt_microsim_report_options *opt,
                                     mdt_microsim_report **out, mdt_error *err) {
  if (cells == NULL || (opt != NULL && opt->percentiles))
    return mdt_microsim_apply(w, s, opt, out, err);
  mdt_microsim_report_options defaults;
  mdt_status st = mdt__report_begin("mdt_microsim_apply", w, out, s, &opt, &defaults, err);
  int indexed = 1;
  if (st == MDT_OK && opt->step_moves)
    st = steps_ready(w, &indexed, err);
  if (st != MDT_OK)
    return st;
  if (!indexed)
    return mdt_microsim_apply(w, s, opt, out, err);
  const mdt_microsim *sim = w->sim;
  mdt_microsim_report *r = calloc(1, sizeof *r);
  if (r == NULL || (r->groups = calloc(sim->ngroups ? sim->ngroups : 1, sizeof *r->groups)) ==
                       NULL) {
    mdt_microsim_report_free(r);
    return mdt_error_set(err, MDT_ENOMEM, "out of memory for the settlement's report");
  }
  r->ngroups = sim->ngroups;
  mdt_microsim_effect effect;
  cell_sums(cells, w, opt->step_moves, &effect);
  mdt__report_rows(w, opt, &effect, r);
  mdt__report_no_percentiles(r);
  *out = r;
  return MDT_OK;
}

/* ------------------------------------------------------------------------------------------
 * The spread over pay
 * ------------------------------------------------------------------------------------------ */

/* An employee's own effect in percent of their pay, as mdt_microsim_spread_of computes it. */
static double own_effect(const mdt_microsim_work *w, size_t c, double old, double later_year) {
  double central = cell_central(w, c, old);
  return (central * w->central_year + old * later_year) / old * 100;
}

/* Whether the own effect cannot rise with pay in cell c: the central rise over pay,
 * max(p + a/old, min/old, floor/old - 1), falls when a, min and the floor are not negative. */
static int effect_falls_with_pay(const mdt_microsim_work *w, size_t c) {
  return !w->cell_active[c] ||
         (w->cell_a[c] >= 0.0 && w->cell_min[c] >= 0.0 &&
          (w->cell_floor[c] >= 0.0 || w->cell_floor[c] == -INFINITY));
}

/* The first of r whose growth base + own effect is below limit (hi for none). */
static size_t first_below(const mdt_microsim_work *w, size_t c, run r, double base,
                          double later_year, double limit) {
  size_t lo = 0, hi = r.n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (base + own_effect(w, c, r.old[mid], later_year) < limit)
      hi = mid;
    else
      lo = mid + 1;
  }
  return lo;
}

/*
 * weight_e4 of the employees of cell c whose growth, base + own effect, is below price. The
 * effect falls with pay, so they are a suffix of the run; its computed value is within a
 * few units in the last place of the exact one. Two searches find where it is clearly above
 * and clearly below price (by eps, far beyond the rounding): the employees between, whose
 * rounding could decide, are tested one by one with the per-employee pass's comparison. Cells
 * whose effect may rise with pay are tested one by one throughout.
 */
static int64_t cell_falls(const mdt_microsim_work *w, size_t c, run r, double base,
                          double later_year, double price) {
  if (r.n == 0)
    return 0;
  size_t a = 0, b = r.n;
  if (effect_falls_with_pay(w, c) && r.old[0] > 0.0) {
    double e0 = own_effect(w, c, r.old[0], later_year);
    double e1 = own_effect(w, c, r.old[r.n - 1], later_year);
    double eps = 1e-9 * (1.0 + fabs(base) + fabs(price) + fabs(e0) + fabs(e1));
    if (isfinite(eps)) {
      size_t k_lo = first_below(w, c, r, base, later_year, price + eps);
      size_t k_hi = first_below(w, c, r, base, later_year, price - eps);
      a = min_size(k_lo, k_hi);
      b = k_lo > k_hi ? k_lo : k_hi;
    }
  }
  int64_t falls = mdt__run_e(&r, r.n) - mdt__run_e(&r, b);
  for (size_t i = a; i < b; i++)
    if (base + own_effect(w, c, r.old[i], later_year) < price)
      falls += r.weight[i];
  return falls;
}

/* A sum kept as an unevaluated pair hi + lo (double-double): each term is added with its
 * rounding error carried in lo (Knuth's two-sum; the product's error by fma), so that a
 * difference of nearly equal terms, such as the floor's F x W - S, loses nothing. */
typedef struct {
  double hi, lo;
} dd_sum;

static inline void dd_add(dd_sum *s, double x) {
  double t = s->hi + x, z = t - s->hi;
  s->lo += (s->hi - (t - z)) + (x - z);
  s->hi = t;
}

/* s += a x b. */
static inline void dd_add_product(dd_sum *s, double a, double b) {
  double p = a * b;
  dd_add(s, p);
  s->lo += fma(a, b, -p);
}

/* s += a x v for an exact integer v, split into two doubles that hold it exactly (v below
 * 2^106: the remainder after the first is below 2^53). */
static inline void dd_add_scaled(dd_sum *s, double a, mdt_i128 v) {
  double hi = (double)v;
  dd_add_product(s, a, hi);
  dd_add_product(s, a, (double)(v - (mdt_i128)hi));
}

/* Σ wfte x full-year rise (central rise + frac old) over employees [from, to) of run r of
 * cell c, into s: on each of the central rise's three runs (k) a linear sum of exact
 * differences of the prefix sums, F W - S on the floor's, min W on the minimum's, p S + a W
 * on the rest, and frac S on all. */
static void rise_between(const mdt_microsim_work *w, size_t c, run r, central_runs k,
                         size_t from, size_t to, double frac, dd_sum *s) {
  if (from >= to)
    return;
  dd_add_scaled(s, frac, mdt__run_wo(&r, to) - mdt__run_wo(&r, from));
  if (!w->cell_active[c])
    return;
  size_t e1 = k.k1 < from ? from : k.k1 > to ? to : k.k1;
  size_t e2 = k.k2 < e1 ? e1 : k.k2 > to ? to : k.k2;
  if (e1 > from) {
    dd_add_scaled(s, w->cell_floor[c], (mdt_i128)(mdt__run_w(&r, e1) - mdt__run_w(&r, from)));
    dd_add_scaled(s, -1.0, mdt__run_wo(&r, e1) - mdt__run_wo(&r, from));
  }
  if (e2 > e1)
    dd_add_scaled(s, w->cell_min[c], (mdt_i128)(mdt__run_w(&r, e2) - mdt__run_w(&r, e1)));
  if (to > e2) {
    dd_add_scaled(s, w->cell_p[c], mdt__run_wo(&r, to) - mdt__run_wo(&r, e2));
    dd_add_scaled(s, w->cell_a[c], (mdt_i128)(mdt__run_w(&r, to) - mdt__run_w(&r, e2)));
  }
}

/* The first of r whose pay is above limit (high 0) or at least limit (high 1). */
static size_t pay_bound(run r, double limit, int high) {
  size_t lo = 0, hi = r.n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (high ? r.old[mid] >= limit : r.old[mid] > limit)
      hi = mid;
    else
      lo = mid + 1;
  }
  return lo;
}

/* The rises of the low-paid (old <= the 20th percentile: a prefix of each cell's run) and
 * of the high-paid (old >= the 80th: a suffix), and their wage bills, per cell. */
typedef struct {
  dd_sum low_rise, high_rise;
  mdt_i128 low_bill, high_bill;
} pay_end_sums;

static void pay_ends_rise(const mdt__cells *cells, const mdt_microsim_work *w,
                          pay_end_sums *e) {
  const mdt_microsim *sim = w->sim;
  memset(e, 0, sizeof *e);
  for (size_t c = 0; c < sim->ncells; c++) {
    run r = mdt__cells_run(cells, c);
    size_t low = pay_bound(r, w->pay_p20, 0), high = pay_bound(r, w->pay_p80, 1);
    central_runs k = {0, 0};
    if (w->cell_active[c])
      k = central_runs_of(r, w->cell_p[c], w->cell_a[c], w->cell_min[c], w->cell_floor[c]);
    double frac = w->group_frac_full[sim->cell_group[c]];
    rise_between(w, c, r, k, 0, low, frac, &e->low_rise);
    rise_between(w, c, r, k, high, r.n, frac, &e->high_rise);
    e->low_bill += mdt__run_wo(&r, low);
    e->high_bill += mdt__run_wo(&r, r.n) - mdt__run_wo(&r, high);
  }
}

/* (double) of the weight_e4 of the employees paid at most x, from each cell's run by pay. */
static double weight_up_to(const mdt__cells *cells, size_t ncells, double x) {
  int64_t sum = 0;
  for (size_t c = 0; c < ncells; c++) {
    run r = mdt__cells_run(cells, c);
    sum += mdt__run_e(&r, pay_bound(r, x, 0));
  }
  return (double)sum;
}

/* The smallest pay x of the area with weight_up_to(x) >= target: pays are whole kroner, so
 * a search over the whole numbers from lo to hi finds it (the weight rises only at pays). */
static double pay_reaching_target(const mdt__cells *cells, size_t ncells, int64_t lo,
                                  int64_t hi, double target) {
  while (lo < hi) {
    int64_t mid = lo + (hi - lo) / 2;
    if (weight_up_to(cells, ncells, (double)mid) >= target)
      hi = mid;
    else
      lo = mid + 1;
  }
  return (double)lo;
}

void mdt__cells_pay_fifths(const mdt__cells *cells, mdt_microsim_work *w) {
  const mdt_microsim *sim = w->sim;
  if (w->have_pay_fifths)
    return;
  double lo = INFINITY, hi = -INFINITY;
  for (size_t c = 0; c < sim->ncells; c++) {
    run r = mdt__cells_run(cells, c);
    if (r.n > 0) {
      lo = r.old[0] < lo ? r.old[0] : lo;
      hi = r.old[r.n - 1] > hi ? r.old[r.n - 1] : hi;
    }
  }
  w->pay_p20 = w->pay_p80 = sim->n > 0 ? hi : NAN;
  if (sim->n > 0 && hi > lo) {
    double total = (double)sim->total_employees_e4;
    w->pay_p20 = pay_reaching_target(cells, sim->ncells, (int64_t)lo, (int64_t)hi, 0.2 * total);
    w->pay_p80 = pay_reaching_target(cells, sim->ncells, (int64_t)lo, (int64_t)hi, 0.8 * total);
  }
  w->have_pay_fifths = 1;
}

/* The spread: the share whose real growth falls per cell (cell_falls); the rises of the low-
 * and the high-paid and their wage bills per cell (pay_ends_rise). */
mdt_status mdt__microsim_spread_cells(const mdt__cells *cells, mdt_microsim_work *w,
                                      const mdt_settlement *s,
                                      const mdt_microsim_report_options *opt,
                                      mdt_microsim_spread *out, mdt_error *err) {
  if (cells == NULL)
    return mdt_microsim_spread_of(w, s, opt, out, err);
  mdt_microsim_report_options defaults;
  mdt_status st = mdt__report_begin("mdt_microsim_spread_of", w, out, s, &opt, &defaults, err);
  if (st != MDT_OK)
    return st;
  mdt__cells_pay_fifths(cells, w);
  const mdt_microsim *sim = w->sim;
  const double price = opt->price_forecast_pct;
  int64_t falls = 0;
  int unknown = 0; /* a group's overheng or glidning is unknown: so is its real growth */
  for (size_t g = 0; g < sim->ngroups; g++) {
    double o = opt->group_overheng_pct != NULL ? opt->group_overheng_pct[g] : opt->overheng_pct;
    double gl =
        opt->group_glidning_pct != NULL ? opt->group_glidning_pct[g] : opt->glidning_pct;
    double base = o + gl;
    if (isnan(base) && sim->group_cell[g + 1] > sim->group_cell[g])
      unknown = 1;
    double later_year = w->group_local_year[g] + w->group_named_year[g];
    for (size_t c = sim->group_cell[g]; c < sim->group_cell[g + 1]; c++) {
      if (!isnan(base) && !isnan(price))
        falls += cell_falls(w, c, mdt__cells_run(cells, c), base, later_year, price);
    }
  }
  pay_end_sums e;
  pay_ends_rise(cells, w, &e);
  out->low_rise_pct = e.low_bill > 0 ? (e.low_rise.hi + e.low_rise.lo) / (double)e.low_bill * 100
                                     : NAN;
  out->high_rise_pct =
      e.high_bill > 0 ? (e.high_rise.hi + e.high_rise.lo) / (double)e.high_bill * 100 : NAN;
  out->low_pay_ratio_pct =
      out->high_rise_pct > 0 ? out->low_rise_pct / out->high_rise_pct * 100 : NAN;
  out->real_fall_share = isnan(price) || unknown
                             ? NAN
                             : (double)falls / (double)sim->total_employees_e4;
  return MDT_OK;
}
