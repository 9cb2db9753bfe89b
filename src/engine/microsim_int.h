/*
 * Internal: the structures behind mandat/microsim.h, shared with the solver (allocate.c),
 * which runs passes on a prepared work area without validating the settlement every time.
 *
 * Ownership: as mandat/microsim.h; every array here belongs to the struct that holds it.
 */
#ifndef MANDAT_ENGINE_MICROSIM_INT_H
#define MANDAT_ENGINE_MICROSIM_INT_H

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>

#include "core/spare.h"
#include "mandat/microsim.h"

/* Employees per unit of work: a unit is a run of at most this many employees of one cell,
 * its partial sums are combined in unit order, and units never depend on the threads. 8192
 * employees are 128 KiB of columns: large enough to hide the scheduling, small enough to
 * balance two threads over a few hundred thousand employees. */
#define MDT__MICROSIM_CHUNK 8192

/* A cell: the employees of one group with the same whole years of seniority (up to
 * MDT_MICROSIM_MAX_STEP_YEARS), who therefore share every table lookup. */
struct mdt_microsim {
  const mdt_groups *groups;
  size_t n;            /* employees (register rows) */
  size_t ngroups;
  size_t ncells;
  size_t nunits;
  /* Columns, sorted by cell, and within a cell by old pay (those paid the same in register
   * order): the per-cell passes (microsim_cells.h) search them by pay. */
  double *old_nok;     /* full-time pay before the settlement, whole NOK (exact) */
  double *wfte_e8;     /* weight_e4 x fte_e4 (exact integer below 2^53) */
  int32_t *weight_e4;  /* employees the row stands for x 10^4 (for percentiles) */
  uint8_t *move_from;  /* the month (1..12) from which the employee has their cell's whole
                          years + 1 (a step move), 0 when not within the year: seniority as
                          of 1 January is all step moves need of it (mdt__move_month) */
  uint32_t *row_of;    /* the register row of each column position (registers have at most
                          UINT32_MAX rows) */
  /* Cells, in order of (group, years). */
  size_t *group_cell;  /* [ngroups + 1]: the cells of group g are group_cell[g] .. [g + 1] - 1 */
  size_t *cell_group;
  int *cell_years;
  size_t *cell_start;  /* [ncells + 1]: employees of cell c are cell_start[c] .. [c + 1] - 1 */
  double *cell_wfte_e8; /* sum of wfte_e8 over the cell (for the solver's first guesses) */
  /* Units, in order of cells. */
  size_t *group_unit;  /* [ngroups + 1] */
  size_t *unit_cell;
  size_t *unit_start;  /* [nunits + 1] */
  /* Exact totals per group and for the area. */
  unsigned char *default_covered; /* chapter "4" */
  int64_t *employees_e4;
  mdt_i128 *fte_e8;
  mdt_i128 *wage_bill_e8;
  double *wage_bill_d;  /* wage_bill_e8 as a double */
  int64_t total_employees_e4;
  mdt_i128 total_fte_e8;
  mdt_i128 total_wage_bill_e8;
  double total_wage_bill_d;
};

/* The month (1..12) from which an employee of a cell of whole years `years` (capped at
 * MDT_MICROSIM_MAX_STEP_YEARS) with seniority sen as of 1 January reaches years + 1: t =
 * years + 1 - sen years into the year, from month floor(12 t) + 1 (month 1 when t is below
 * 0, past the cap); 0 when not within the year (t of 1 or more). 12 t is then in [0, 12), where
 * the conversion's truncation is the floor (without a call: the baseline x86-64 has no
 * instruction for floor). */
static inline uint8_t mdt__move_month(int years, double sen) {
  double t = (double)years + 1.0 - sen;
  if (!(t < 1.0))
    return 0;
  if (t < 0.0)
    return 1;
  return (uint8_t)((int)(12.0 * t) + 1);
}

typedef void (*mdt__unit_fn)(struct mdt_microsim_work *w, size_t unit);

struct mdt_microsim_work {
  const mdt_microsim *sim;
  /* What mdt__microsim_prepare derived from the settlement's fixed parts. */
  unsigned char *covered;  /* per group */
  double *group_frac_full; /* per group: local pot and named percents as fractions */
  double *group_local_year;  /* per group: local fraction x (13 - m)/12 */
  double *group_named_year;  /* per group: sum of named fraction x (13 - m)/12 */
  double *group_local_carry; /* per group: local fraction x (m - 1)/12 */
  double *group_named_carry;
  double central_year;     /* (13 - central_month)/12 */
  double central_carry;    /* (central_month - 1)/12 */
  int explicit_guarantee;  /* the settlement has a new_guarantee */
  unsigned char *cell_active; /* cell of a covered group */
  double *cell_table;      /* the kroner table's amount at the cell's years (0 without) */
  double *cell_fixed;      /* the base table's amount at the cell's years (0 without) */
  double *cell_fixed_at_guarantee; /* the base table's amount at the guarantee cell's years */
  /* Step moves: the guarantee step at the cell's years + 1, when the table has one there. */
  double *cell_next_guarantee;     /* current guarantee at years + 1, NaN without a step */
  double *cell_next_table;         /* the kroner table's amount at years + 1 */
  double *cell_next_fixed;         /* the base table's amount at years + 1 */
  double *cell_next_explicit;      /* the explicit new guarantee at years + 1, NaN without */
  double *cell_next_floor;         /* the new guarantee at years + 1 for the central values,
                                      NaN without a step there */
  double *group_frac_month;        /* [ngroups x 12]: percent elements in force in each month,
                                      as a fraction of old pay */
  int central_month;
  int step_moves;                  /* the report's pass computes step moves */
  double *unit_step_year;          /* per unit: sum of wfte_e8 x the step lifts' annual sum/12 */
  double *unit_step_full;          /* per unit: sum of wfte_e8 x December's lift */
  int64_t *unit_step_emp;          /* per unit: weight_e4 of the employees who move */
  int extremes;                    /* the report's pass takes each unit's smallest and largest
                                      full-year rise, in NOK and in percent (the percentiles'
                                      first need, microsim_pct.c) */
  double *unit_rise_lo, *unit_rise_hi; /* [units x 2]: those, NOK then percent */
  double *group_step_year, *group_step_full;
  int64_t *group_step_emp;
  double *cell_guarantee;  /* the current guarantee at the cell's years, NaN without */
  double *cell_table_at_guarantee; /* the table's amount at that guarantee cell's years */
  double *cell_new_guarantee; /* the explicit new guarantee at the cell's years, NaN without */
  /* What mdt__microsim_central set for one value of the central elements. */
  double *cell_p;          /* percent as a fraction */
  double *cell_a;          /* kroner added */
  double *cell_min;        /* minimum central rise */
  double *cell_floor;      /* new guarantee, -inf without */
  /* Per cell, where the per-cell pass last found its two splits (k1, k2): a solve's passes
   * move them little, so the next pass searches out from there. A hint, never a result. */
  size_t *cell_split;
  /* Partial sums per unit and their combination per group. */
  double *unit_sum;        /* sum of wfte_e8 x central rise */
  mdt_i128 *unit_whole;    /* sum of wfte_e8 x whole kroner of the full-year rise */
  double *unit_frac;       /* sum of wfte_e8 x the rest of the full-year rise */
  double *group_sum;
  mdt_i128 *group_whole;
  double *group_frac;
  /* Worker threads. */
  int threads;
  pthread_t *tids;
  int nstarted;
  int pool_ready;          /* the mutex and conditions exist */
  pthread_mutex_t mu;
  pthread_cond_t go;
  pthread_cond_t done;
  unsigned long generation;
  int busy;
  int stop;
  mdt__unit_fn job;
  atomic_size_t next;
  /* The 20th and 80th percentile of full-time pay over the area (for the spread), found once. */
  int have_pay_fifths;
  double pay_p20, pay_p80;
  /* The step-moving employees by cell and first month, sorted by pay, for the report's
   * figures per cell (microsim_cellreport.c); built on first use, NULL before. */
  struct mdt__steps *steps;
  /* A twin (mdt__work_twin) borrows its original's step index when it was built: not freed
   * with it. */
  int steps_borrowed;
};


/* mdt_microsim_new with the register split over threads (1..MDT_MICROSIM_MAX_THREADS)
 * started for it: the same microsim, and the same first error, for any number. */
mdt_status mdt__microsim_new_threads(const mdt_register *reg, const mdt_groups *groups,
                                     int threads, mdt_microsim **out, mdt_error *err);
/* mdt__microsim_new_threads that takes reg's columns but its groups' (a one-year run needs
 * no more of it): the compiled columns are written into them, each once the columns placed
 * before have read it, and the last of them (the members', which held the rows' keys) goes
 * to spare. At 4.6 M employees 115 MB of fresh pages fewer. The same microsim as
 * mdt__microsim_new_threads. reg is left with its groups and its row count; on failure its
 * columns may have been written over and only its groups' are of use. */
mdt_status mdt__microsim_new_taking(mdt_register *reg, const mdt_groups *groups, int threads,
                                    mdt__spare *spare, mdt_microsim **out, mdt_error *err);

/* Shared by the microsimulation's files (microsim.c, microsim_work.c, microsim_report.c). */
int mdt__month_valid(int m);
const char *mdt__microsim_group_id(const mdt_groups *groups, size_t g);
/* Step of group g in t for whole seniority years: the highest step not above them, or -1. */
long mdt__step_at(const mdt_step_table *t, size_t g, double years);
/* t's amount for group g at years, 0 when the group has no step there. */
double mdt__amount_at(const mdt_step_table *t, size_t g, double years);
/* A guarantee cell G raised by the central elements as an employee paid exactly G would be. */
double mdt__raised_guarantee(double guarantee, double p, double krone, double scale,
                             double table_at_guarantee, double min_krone);
int mdt__is_covered(const mdt_microsim *sim, const mdt_settlement *s, size_t g);
mdt_status mdt__settlement_check(const mdt_microsim *sim, const mdt_settlement *s,
                                 mdt_error *err);
/* A part of a one-off job split into nparts independent parts (mdt__run_parts). */
typedef void (*mdt__part_fn)(void *arg, int part, int nparts);
/* Runs fn(arg, k, nparts) for k = 0..nparts - 1, part 0 on the caller's thread and the others
 * on threads started for them (on the caller's when a thread cannot start); returns when all
 * are done. The parts must not depend on each other's results, so nothing depends on which
 * thread ran which. nparts is at most MDT_MICROSIM_MAX_THREADS. */
void mdt__run_parts(int nparts, mdt__part_fn fn, void *arg);
/* As mdt__run_parts, on threads threads (at most nparts; the caller's is one) that each take
 * the next part not yet taken until none is left: parts of unequal work then keep every thread
 * busy. What a part computes must not depend on which thread runs it (as above). */
void mdt__run_parts_shared(int nparts, int threads, mdt__part_fn fn, void *arg);
/* How many parts mdt__run_parts_shared is given for threads threads: four a thread (enough
 * that a thread done early takes another), one for one thread, at most
 * MDT_MICROSIM_MAX_THREADS. */
int mdt__shared_parts(int threads);
/* The first cell of part k of nparts when the cells are split into runs of about equal
 * employees (sim->ncells for k = nparts). */
size_t mdt__part_cell(const mdt_microsim *sim, int part, int nparts);
/* A work area of one thread on w's microsim for another thread to solve settlements on while
 * w solves others: it shares w's step index and pay percentiles when w has them (w must outlive it; build them first, for instance with one report on w). Its
 * results are the same as w's. */
mdt_status mdt__work_twin(mdt_microsim_work *w, mdt_microsim_work **out, mdt_error *err);
/* Runs fn on every unit, on the caller's thread and the workers. */
void mdt__run_job(mdt_microsim_work *w, mdt__unit_fn fn);
/* The report's pass over one unit: the lean sum, the exact full-year rise and step moves. */
void mdt__unit_exact(mdt_microsim_work *w, size_t u);
/* Per group, the units' sums in unit order (exact: also the report's sums). */
void mdt__combine_sums(mdt_microsim_work *w, int exact);
/* A step move of employee i of cell c: the sum of the monthly lifts and December's lift;
 * 0 when i does not move. */
int mdt__step_move(const mdt_microsim_work *w, size_t c, size_t i, double old, double central,
                   double *lift_sum, double *lift_dec);

/* The central rise of one employee: max(p·old + a, min) lifted to the floor. Written with
 * comparisons, not fmax, so that the compiler can use max instructions. */
static inline double central_rise(double old, double p, double a, double min, double floor) {
  double r = p * old + a;
  r = r > min ? r : min;
  double lift = floor - old;
  return r > lift ? r : lift;
}

/* The central rise of an employee paid old in cell c (0 outside the covered groups). */
static inline double cell_central(const mdt_microsim_work *w, size_t c, double old) {
  return w->cell_active[c]
             ? central_rise(old, w->cell_p[c], w->cell_a[c], w->cell_min[c], w->cell_floor[c])
             : 0.0;
}

/* The full-year rise of an employee paid old in cell c: the central rise and the percent
 * elements, each on the pay before the settlement. */
static inline double full_rise(const mdt_microsim_work *w, size_t c, double frac, double old) {
  return cell_central(w, c, old) + frac * old;
}

/* The full-year rise of an employee paid old in cell c in percent of old, written in the
 * rise's terms by the branch central_rise takes (the same comparisons): (p + frac + a / old)
 * x 100 where p old + a is the rise, (min / old + frac) x 100 where the minimum is, (floor /
 * old - 1 + frac) x 100 where the floor's lift is, frac x 100 outside the covered groups. The
 * same number as rise / old x 100 but for rounding, and a percent increase the same number
 * for everyone it applies to, where rise / old rounds a few units in the last place apart
 * from pay to pay: the report's percentiles in percent (microsim_pct.c) then find a group's
 * crowd one value, settled without a finer pass. */
static inline double rise_pct(double old, int active, double p, double a, double min,
                              double floor, double frac) {
  if (!active)
    return frac * 100.0;
  double r = p * old + a;
  double m = r > min ? r : min;
  if (!(m > floor - old))
    return (floor / old - 1.0 + frac) * 100.0;
  return (r > min ? p + frac + a / old : min / old + frac) * 100.0;
}

/* rise_pct of an employee paid old in cell c. */
static inline double cell_rise_pct(const mdt_microsim_work *w, size_t c, double frac,
                                   double old) {
  return rise_pct(old, w->cell_active[c], w->cell_p[c], w->cell_a[c], w->cell_min[c],
                  w->cell_floor[c], frac);
}

/* What every report's pass does first (microsim_report.c): checks its arguments (*opt NULL
 * means the defaults, kept in *defaults) and prepares the work area for s (prepare and
 * central). fn names the caller in errors. */
mdt_status mdt__report_begin(const char *fn, mdt_microsim_work *w, const void *out,
                             const mdt_settlement *s, const mdt_microsim_report_options **opt,
                             mdt_microsim_report_options *defaults, mdt_error *err);
/* The report's rows from the work area's group sums (central, exact rise, step moves) and
 * the effect; the percentiles are left alone. */
void mdt__report_rows(const mdt_microsim_work *w, const mdt_microsim_report_options *opt,
                      const mdt_microsim_effect *effect, mdt_microsim_report *r);
/* A target bucket of the percentiles' histogram holding more employees than this gets a
 * histogram of its own (microsim_pct.c). */
#define MDT__PCT_REFINE_MIN 4096
/* The percentiles of individual full-year rises of every row of r (microsim_pct.c), on w
 * prepared for the settlement, in parts on threads (1..MDT_MICROSIM_MAX_THREADS): the same
 * values for any number and any refine_min (MDT__PCT_REFINE_MIN; smaller in the tests).
 * -1 when out of memory. */
int mdt__report_percentiles(const mdt_microsim_work *w, int threads, size_t refine_min,
                            mdt_microsim_report *r);
/* Sets every row's percentiles to NaN (not computed). */
void mdt__report_no_percentiles(mdt_microsim_report *r);
/* Finds the employee-weighted 20th and 80th percentile of full-time pay into w->pay_p20
 * and w->pay_p80 once per work area; -1 when out of memory. */
int mdt__pay_fifths(mdt_microsim_work *w);
/* Frees the step index of microsim_cellreport.c (NULL is a no-op). */
void mdt__steps_free(struct mdt__steps *steps);

/* Validates s against the work area's microsim and derives everything that does not depend
 * on the central percent, kroner, scale or minimum. */
mdt_status mdt__microsim_prepare(mdt_microsim_work *w, const mdt_settlement *s, mdt_error *err);

/* Per-cell parameters for s's central percent, kroner, scale and minimum. s must be the
 * settlement given to mdt__microsim_prepare with at most those numbers changed (and valid). */
void mdt__microsim_central(mdt_microsim_work *w, const mdt_settlement *s);

/* The lean pass over the prepared work area: fills w->group_sum and returns the effect. */
void mdt__microsim_lean(mdt_microsim_work *w, mdt_microsim_effect *effect);

/* The effect from w->group_sum (after a pass). */
void mdt__microsim_effect_from_sums(const mdt_microsim_work *w, mdt_microsim_effect *effect);

#endif
