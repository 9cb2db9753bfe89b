/*
 * mandat/microsim.h: a settlement applied to every employee of the register,
 * with its annual effect, carry-over and cost per employee group and for the whole area.
 *
 * Ownership: mdt_microsim_new compiles a register into an mdt_microsim that the caller frees
 * with mdt_microsim_free (it borrows the groups table, which must outlive it, and keeps no
 * pointer into the register); mdt_microsim_work_new returns a work area that the caller frees
 * with mdt_microsim_work_free (it borrows the microsim); mdt_microsim_apply returns a report
 * that the caller frees with mdt_microsim_report_free; settlements, tables and options are
 * borrowed for the duration of a call only.
 *
 * The model. A settlement's elements apply to employee i of group g with seniority s_i:
 *   central elements, from central_month, for the covered groups (default: chapter "4"):
 *     A_i   = krone_nok + base_table(g, s_i) + table_scale * table(g, s_i)   NOK per year
 *     c_i   = max(p_g * old_i + A_i, min_krone_nok)             the central rise
 *     mid_i = max(old_i + c_i, G'(g, s_i))                      after the guarantee floor
 *   where p_g = pct_by_group[g] (or pct) / 100 and G' is the new guarantee: the explicit
 *   new_guarantee table if given, else each cell G_k of the current guarantee table raised by
 *   the same central elements as an employee paid exactly G_k at that cell's step years Y_k:
 *     G'_k = G_k + max(p_g * G_k + krone_nok + base_table(g, Y_k)
 *                      + table_scale * table(g, Y_k), min_krone_nok).
 *   So a kroner table alone raises every guarantee cell by exactly the table's amount at
 *   that cell's years, and a percent raises it by the percent.
 *   Percent elements on the pay before the settlement (old_i), each from its own month, as
 *   TBU and KS count them: a percent p from month m costs exactly p (13 - m)/12 of the wage
 *   bill it is defined on, whatever the central elements do, so that `mandat frame` and a
 *   microsimulation give the same room for the same elements. Their percents do not compound
 *   on each other or on the central rise:
 *     the local pot:         local_pct of the covered groups' wage bill, given out as the
 *                            same percent to every covered employee (the real pot is
 *                            negotiated locally; an equal percent is its expected cost and a
 *                            neutral guess at its distribution);
 *     named-group increases: pct for every employee of the named group (e.g. leaders in
 *                            chapter 3.4; several elements for one group add up).
 *   Groups neither covered nor named get nothing. No element may be negative: a settlement
 *   never cuts pay.
 *   Each element's full-year rise Δ enters this year's annual growth with (13 - m)/12 and
 *   next year's carry-over with (m - 1)/12 (TBU's additive convention, as mandat/frame.h):
 *     annual effect = Σ_i weight_i fte_i Δ_i (13 - m)/12 / Σ_i weight_i fte_i old_i × 100.
 *
 * An employee's step in any table is the highest step not above their seniority. Steps are
 * whole years (as the loader guarantees), so the microsim only needs each employee's whole
 * years of seniority, counted up to MDT_MICROSIM_MAX_STEP_YEARS; tables with steps beyond it
 * or between whole years are rejected.
 *
 * Exactness and determinism. Head counts, FTE and wage bills are exact integer sums (in units
 * of 1e-4 employees, 1e-8 FTE and 1e-8 NOK). Full-year rises are summed per employee as an
 * exact whole part plus a double remainder, so for settlements of whole-krone elements only
 * (no percent, no local pot, no named increase) rise_e8 is the exact sum and rise_frac_e8 0. Rates and effects are doubles
 * summed over fixed chunks of employees and combined in a fixed order, so every result is
 * bit-identical whatever the number of threads.
 *
 * Speed. The microsim holds the employees sorted by (group, whole years of seniority), and
 * within each such cell by old pay, in two double columns (old pay, weight x FTE); a pass
 * reads 16 bytes per covered employee and
 * allocates nothing (about 0.35 ns per employee on the development machine, where memory
 * bandwidth is the limit). Build a work area once per thread of control and reuse it: a
 * solver (mandat/allocate.h) runs a handful of passes per solve, a sweep hundreds of solves.
 *
 * Errors: NULL objects are MDT_EUSAGE; values outside their domain are MDT_EDATA with an
 * "expected ..., found ..." message that names the element; MDT_ENOMEM when out of memory.
 */
#ifndef MANDAT_MICROSIM_H
#define MANDAT_MICROSIM_H

#include <stddef.h>
#include <stdint.h>

#include "mandat/error.h"
#include "mandat/groups.h"
#include "mandat/register.h"
#include "mandat/steptable.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Exact sums: a signed 128-bit integer (GCC and Clang). */
__extension__ typedef __int128 mdt_i128;

/* Seniority is distinguished in whole years up to this many; table steps may not exceed it. */
#define MDT_MICROSIM_MAX_STEP_YEARS 100
/* Largest accepted kroner amount of one element (NOK per year); guards against typing errors. */
#define MDT_MICROSIM_MAX_NOK 1e9
/* Largest accepted table_scale; like MDT_MICROSIM_MAX_NOK it only stops typing errors. */
#define MDT_MICROSIM_MAX_SCALE 1e6
/* Largest accepted salary (NOK per year), so that every salary is exact as a double. */
#define MDT_MICROSIM_MAX_SALARY_NOK 1000000000000LL
/* Most worker threads a work area starts. */
#define MDT_MICROSIM_MAX_THREADS 64

/* One percent increase for the employees of one named group (e.g. leaders). */
typedef struct mdt_named_increase {
  size_t group; /* row in the groups table */
  double pct;   /* percent of the pay before the settlement; finite, 0..MDT_FRAME_MAX_PCT */
  int month;    /* effective month 1..12 (from the 1st) */
} mdt_named_increase;

/*
 * A settlement: its dated elements. Set it up with mdt_settlement_init (which gives a
 * settlement that changes nothing), then fill it. Every pointer is borrowed.
 */
typedef struct mdt_settlement {
  /* Central elements, for the covered groups, from central_month. */
  const unsigned char *covered;   /* per group: non-zero when the central elements and the
                                     local pot apply; NULL: the groups whose chapter is "4" */
  int central_month;              /* 1..12; default 5 (1 May) */
  double pct;                     /* percent for every covered group, >= 0 */
  const double *pct_by_group;     /* per group percent (>= 0) replacing pct; NULL: pct for all;
                                     entries of groups that are not covered are not read */
  double krone_nok;               /* general kroner increase, NOK per year, >= 0 */
  const mdt_step_table *table;    /* kroner increase per (group, step), or NULL */
  double table_scale;             /* factor on table's amounts, 0..MDT_MICROSIM_MAX_SCALE;
                                     default 1 */
  const mdt_step_table *base_table; /* kroner increase per (group, step) applied as written
                                     (never scaled), e.g. the published amounts of a
                                     settlement beside an unpublished part solved with
                                     table_scale; or NULL */
  double min_krone_nok;           /* the central rise is at least this, NOK per year, >= 0
                                     (0: no minimum) */
  const mdt_step_table *guarantee;     /* the current guarantee table, or NULL (no floors) */
  const mdt_step_table *new_guarantee; /* an explicit new guarantee table replacing the raised
                                          one for covered groups, or NULL */
  /* The local pot, for the covered groups. */
  double local_pct;               /* percent, >= 0; 0: no pot */
  int local_month;                /* 1..12; read only when local_pct > 0; default 5 */
  /* Percent increases for named groups. */
  const mdt_named_increase *named; /* may be NULL only when nnamed is 0 */
  size_t nnamed;
} mdt_settlement;

/* Zero elements, central and local month 5, table_scale 1, every pointer NULL. */
void mdt_settlement_init(mdt_settlement *s);

/* The compiled register (opaque): immutable after mdt_microsim_new, so one microsim may serve
 * any number of work areas in any number of threads at once. */
typedef struct mdt_microsim mdt_microsim;

/*
 * Compiles reg into columns sorted by (group, whole years of seniority) and within those by
 * old pay (employees paid the same in register order).
 *   reg:    the register (read during the call only)
 *   groups: the groups table reg's group column refers to (borrowed: must outlive the result)
 *   out:    receives the microsim (untouched on failure)
 *   err:    filled on failure; may be NULL
 * Errors: MDT_EDATA for an empty register, more than 4 294 967 295 rows, a group row outside
 * the groups table, seniority not finite or below 0, fte_e4 not in 1..10 000, weight_e4 not
 * above 0, a salary not in 1..MDT_MICROSIM_MAX_SALARY_NOK (the message names the register
 * row, 1-based).
 */
mdt_status mdt_microsim_new(const mdt_register *reg, const mdt_groups *groups,
                            mdt_microsim **out, mdt_error *err);
void mdt_microsim_free(mdt_microsim *sim);

/* Rows of the register compiled into sim. */
size_t mdt_microsim_rows(const mdt_microsim *sim);
/* Groups of the groups table sim was compiled against. */
size_t mdt_microsim_ngroups(const mdt_microsim *sim);

/* Where passes run: per-cell parameters, partial sums and worker threads (opaque). A work
 * area runs one call at a time; give each thread of control its own. */
typedef struct mdt_microsim_work mdt_microsim_work;

/*
 * A work area for sim with threads threads (the caller's plus threads - 1 workers that wait
 * between passes). Every result is bit-identical for any threads.
 *   sim:     the compiled register (borrowed: must outlive the work area)
 *   threads: 1..MDT_MICROSIM_MAX_THREADS (else MDT_EUSAGE)
 *   out:     receives the work area (untouched on failure)
 *   err:     filled on failure; may be NULL
 * MDT_EINTERNAL when a worker thread cannot be started.
 */
mdt_status mdt_microsim_work_new(const mdt_microsim *sim, int threads, mdt_microsim_work **out,
                                 mdt_error *err);
void mdt_microsim_work_free(mdt_microsim_work *w);
/* The microsim a work area runs on. */
const mdt_microsim *mdt_microsim_work_sim(const mdt_microsim_work *w);

/* The annual effect of a settlement for the whole area, split by element, in percentage
 * points of the area's wage bill before the settlement. */
typedef struct mdt_microsim_effect {
  double annual_pct;   /* all elements: central + local + named */
  double central_pct;  /* the central elements, guarantee lifts included */
  double local_pct;    /* the local pot */
  double named_pct;    /* the named-group increases */
  double carryover_pct; /* all elements' carry-over into next year */
} mdt_microsim_effect;

/*
 * The lean pass: the settlement's annual effect for the whole area, and nothing else. No
 * allocation; one read of the covered employees' columns.
 *   w:      the work area
 *   s:      the settlement (validated first)
 *   effect: receives the effect (untouched on failure)
 *   err:    filled on failure; may be NULL
 */
mdt_status mdt_microsim_pass(mdt_microsim_work *w, const mdt_settlement *s,
                             mdt_microsim_effect *effect, mdt_error *err);

/* What the report needs beyond the settlement. Set it up with mdt_microsim_report_options_init. */
typedef struct mdt_microsim_report_options {
  double overheng_pct;       /* one carry-over from last year for every group, when
                                group_overheng_pct is NULL; NaN: unknown (growth is NaN) */
  double glidning_pct;       /* one drift for every group, when group_glidning_pct is NULL;
                                NaN: unknown */
  const double *group_overheng_pct; /* per group (borrowed), or NULL: overheng_pct for all.
                                The total row's overheng is always the wage-bill-weighted
                                mean of the groups' (never typed in beside them) */
  const double *group_glidning_pct; /* per group (borrowed), or NULL: glidning_pct for all;
                                the total's is the groups' wage-bill-weighted mean */
  int step_moves;            /* non-zero: employees who reach a step of the guarantee table
                                during the year move up from that month (see below) */
  int glidning_includes_step_moves; /* with step_moves: the glidning given is measured
                                glidning, which already holds the step moves, so the
                                glidning used beside them is the remainder (glidning - the
                                group's step-move effect); zero: the glidning given excludes
                                them, and they add to growth */
  double price_forecast_pct; /* consumer price growth this year; NaN: no real growth */
  double payroll_overhead_pct; /* employer's social costs on pay (e.g. 14.1 + pension), >= 0:
                                  costs are multiplied by 1 + payroll_overhead_pct / 100 */
  int percentiles;           /* non-zero: the 10th, 50th and 90th percentile of individual
                                rises (needs memory for two numbers per employee) */
} mdt_microsim_report_options;

/* overheng, glidning and price forecast NaN, no overhead, percentiles on. */
void mdt_microsim_report_options_init(mdt_microsim_report_options *opt);

/* One row of the report: one employee group, or the whole area. "Rise" is full-year: the
 * level at the end of the year over the level before, whatever the months. */
typedef struct mdt_microsim_row {
  int covered;              /* the central elements and the local pot apply (total row: 0) */
  int named;                /* at least one named increase applies (total row: 0) */
  int64_t employees_e4;     /* employees (sum of weights) x 10^4, exact */
  mdt_i128 fte_e8;          /* full-time equivalents (sum of weight x fte) x 10^8, exact */
  mdt_i128 wage_bill_e8;    /* wage bill before the settlement, NOK per year x 10^8, exact */
  mdt_i128 rise_e8;         /* full-year rise of the wage bill, NOK per year x 10^8: the sum
                               of each employee's weight x fte x (whole kroner of their rise),
                               exact */
  double rise_frac_e8;      /* the rest of the full-year rise (fractions of a krone, and the
                               percent elements on the pay before the settlement); 0 for
                               a settlement of whole-krone elements only */
  double employees;         /* employees_e4 / 10^4 */
  double fte;               /* fte_e8 / 10^8 */
  double wage_bill_nok;     /* wage_bill_e8 / 10^8 */
  double rise_nok;          /* (rise_e8 + rise_frac_e8) / 10^8 */
  double nok_per_fte;       /* rise_nok / fte: NOK per FTE per year; NaN without FTE */
  double rise_pct;          /* rise_nok / wage_bill_nok x 100; NaN without wage bill */
  double annual_effect_pct; /* this year's cost over the row's wage bill, pp */
  double central_effect_pct; /* the part of the central elements (guarantee lifts included) */
  double local_effect_pct;  /* the part of the local pot */
  double named_effect_pct;  /* the part of the named increases */
  double area_effect_pct;   /* the row's cost over the AREA's wage bill, pp: the rows' values
                               add up to the total's annual_effect_pct (to rounding) */
  double carryover_pct;     /* carry-over into next year over the row's wage bill, pp */
  double carryover_nok;     /* the same in NOK per year: December's level over the year's
                               mean level, for the settlement's elements and step moves */
  double step_effect_pct;   /* step moves' annual effect over the row's wage bill, pp (0
                               without step moves) */
  double step_carryover_pct; /* step moves' carry-over into next year, pp */
  double step_rise_nok;     /* step moves' full-year rise (December level), NOK per year */
  double step_employees;    /* employees (weighted) who move up a step during the year */
  double overheng_pct;      /* the carry-over from last year used (for the total: the groups'
                               wage-bill-weighted mean) */
  double glidning_pct;      /* the drift used beside the elements and step moves (the
                               remainder when glidning_includes_step_moves; for the total:
                               the groups' wage-bill-weighted mean) */
  double annual_growth_pct; /* overheng_pct + annual_effect_pct + step_effect_pct +
                               glidning_pct; for the total, equal to the groups' values
                               weighted by their wage bills */
  double real_growth_pct;   /* ((1 + growth/100) / (1 + price/100) - 1) x 100; NaN without a
                               price forecast */
  double cost_nok;          /* this year's cost: sum of weight x fte x Δ x (13 - m)/12 over
                               the elements, times 1 + payroll_overhead_pct / 100 */
  double rise_p10_nok, rise_p50_nok, rise_p90_nok; /* percentiles of individual full-year
                               rises, NOK per year full time, weighted by employees (the
                               smallest rise whose cumulative weight reaches q of the total,
                               the mean of it and the next when reached exactly, as
                               mandat/aggregate.h); NaN when not asked for or no employees */
  double rise_p10_pct, rise_p50_pct, rise_p90_pct; /* the same of rise / old pay x 100 */
} mdt_microsim_row;

typedef struct mdt_microsim_report {
  size_t ngroups;
  mdt_microsim_row *groups; /* one row per group of the groups table, in its order */
  mdt_microsim_row total;   /* the whole area: every group, every employee */
} mdt_microsim_report;

/*
 * The full pass: applies s to every employee and reports per group and in total. Its
 * total.annual_effect_pct is bit-identical to mdt_microsim_pass's annual_pct.
 *   w:   the work area
 *   s:   the settlement (validated first)
 *   opt: report settings (NULL: the defaults of mdt_microsim_report_options_init)
 *   out: receives a report to free with mdt_microsim_report_free (untouched on failure)
 *   err: filled on failure; may be NULL
 * Allocates the report and, with percentiles, 16 bytes per employee for the call.
 */
mdt_status mdt_microsim_apply(mdt_microsim_work *w, const mdt_settlement *s,
                              const mdt_microsim_report_options *opt,
                              mdt_microsim_report **out, mdt_error *err);
void mdt_microsim_report_free(mdt_microsim_report *r);

/*
 * Step moves (ansiennitetsopprykk). Seniority in the register is as of 1 January, in years
 * with decimals. An employee of cell (g, y) (whole years y, seniority s in [y, y + 1)) whose
 * group's guarantee table has a step at exactly y + 1 reaches it during the year, in month
 *   m_i = floor(12 (y + 1 - s)) + 1      (1..12; s = y exactly reaches it on 1 January next
 *                                         year, which is not this year's move)
 * and from the 1st of that month their pay is at least that step's guarantee: the current
 * table's G(g, y + 1) before central_month, the new one's G'(g, y + 1) from it. The lift in
 * month m >= m_i is max(0, floor_m - pay_m), pay_m the settled pay of that month (old, plus
 * every element from its month on). Its annual effect is the sum of the monthly lifts / 12,
 * its full-year rise December's lift, and its carry-over the difference of the two. The
 * settlement's own elements use the step as of 1 January. Step moves never change the
 * settlement's elements and are reported as their own element, apart from the settlement.
 */

/*
 * The register a year later, for the second year of a settlement period: every row of reg
 * (the register sim was compiled from) with its pay at December's level after s (the
 * settlement's full-year rise and, with opt->step_moves, the step move's lift; rounded to
 * whole kroner, half away from zero) and its seniority one year higher.
 *   w:   the work area (its microsim compiled from reg)
 *   reg: the register (read during the call only)
 *   s:   the settlement of the year (validated first)
 *   opt: step moves on or off (NULL: the defaults, no step moves)
 *   out: receives the new register (untouched on failure); path is reg's
 *   err: filled on failure; may be NULL
 */
mdt_status mdt_microsim_next_year(mdt_microsim_work *w, const mdt_register *reg,
                                  const mdt_settlement *s,
                                  const mdt_microsim_report_options *opt, mdt_register **out,
                                  mdt_error *err);

/* How a settlement's rises spread over pay, for the trade-offs (mandat/tradeoff.h). */
typedef struct mdt_microsim_spread {
  double low_rise_pct;      /* full-year rise of the lowest-paid fifth over its wage bill, %:
                               employees at or below the 20th percentile of full-time pay
                               (weighted by employees, over the whole area) */
  double high_rise_pct;     /* the same for the highest-paid fifth (at or above the 80th) */
  double low_pay_ratio_pct; /* low_rise_pct / high_rise_pct x 100 (NaN if the top gets 0) */
  double real_fall_share;   /* share of employees whose own annual growth (their group's
                               overheng and glidning, as in the report, plus their own annual
                               effect) is below the price forecast; NaN without a forecast */
} mdt_microsim_spread;

/*
 * The spread of s's rises over pay. One pass over every employee (single-threaded; the pay
 * percentiles are found on the first call and kept in the work area). The rises of the low-
 * and the high-paid are summed as the report sums rises: whole kroner exactly and the
 * remainders beside them; their wage bills exactly.
 *   w, s: as mdt_microsim_apply
 *   opt:  overheng, glidning and price forecast (NULL: the defaults)
 *   out:  receives the spread (untouched on failure)
 * Errors as mdt_microsim_apply.
 */
mdt_status mdt_microsim_spread_of(mdt_microsim_work *w, const mdt_settlement *s,
                                  const mdt_microsim_report_options *opt,
                                  mdt_microsim_spread *out, mdt_error *err);

/*
 * The new guarantee table after s: for covered groups the explicit new_guarantee's cells, or
 * else the current guarantee's cells raised as above and rounded to whole kroner (half away
 * from zero; kroner elements are exact, so a kroner table raises each cell by exactly its
 * amount); for other groups the current cells unchanged. The passes floor pay at the
 * unrounded raised cells, so that the cost stays continuous in a solved scalar; the two differ
 * by less than half a krone per cell, and not at all for kroner elements.
 *   sim: the compiled register (for its groups)
 *   s:   the settlement (validated first)
 *   out: a table of mdt_microsim_ngroups(sim) groups (e.g. from mdt_step_table_new), whose
 *        cells are replaced; the caller keeps owning it and frees it with mdt_step_table_free
 *   err: filled on failure; may be NULL
 */
mdt_status mdt_microsim_guarantee(const mdt_microsim *sim, const mdt_settlement *s,
                                  mdt_step_table *out, mdt_error *err);

/*
 * Writes an amount held in units of 10^-8 (e.g. wage_bill_e8) as a decimal number rounded to
 * decimals places (0..8, half away from zero), e.g. "123456789.12". Returns buf, always
 * NUL-terminated ("" when size is too small).
 */
char *mdt_microsim_format_e8(mdt_i128 value_e8, int decimals, char *buf, size_t size);

#ifdef __cplusplus
}
#endif

#endif
