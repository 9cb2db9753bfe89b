/*
 * mandat/tradeoff.h: what each division of the frame costs whom: exchange
 * rates between groups, sweeps of one setting over a grid (each point a solved settlement on
 * the frame), the mandate's uncertainty carried into the priority allocation, and each
 * region's own allocation.
 *
 * Ownership: results come from *_run functions and are freed with their *_free; inputs are
 * borrowed for the call. Every solve reuses the caller's allocator and work area.
 */
#ifndef MANDAT_TRADEOFF_H
#define MANDAT_TRADEOFF_H

#include <stddef.h>

#include "mandat/allocate.h"
#include "mandat/error.h"
#include "mandat/microsim.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Exchange rates from a settlement's report: giving group a one more point of annual effect
 * costs group b points[a * G + b] = W_a / W_b points (W the wage bill); one more NOK per FTE
 * to a costs b nok[a * G + b] = F_a / F_b NOK per FTE (F the FTE). NaN where b has none.
 *   rep:    the report (its groups)
 *   points, nok: caller arrays of G x G
 */
void mdt_tradeoff_exchange(const mdt_microsim_report *rep, double *points, double *nok);

typedef enum {
  MDT_SWEEP_THETA,         /* the priority rule's theta */
  MDT_SWEEP_KRONE_SHARE,   /* the mixed rule's krone share */
  MDT_SWEEP_LOCAL_POT,     /* the local pot, percent */
  MDT_SWEEP_CENTRAL_MONTH  /* the central elements' month */
} mdt_sweep_setting;

/* "theta", "krone_share", "local_pot_pct", "central_month". */
const char *mdt_sweep_name(mdt_sweep_setting setting);

/* What a sweep measures besides the settlement itself. */
typedef struct {
  const mdt_microsim_report_options *report; /* overheng, glidning, price forecast, overhead */
  size_t nmembers;        /* members, for the mandate's satisfaction (0: not measured) */
  const long *top_group;  /* per member: group ranked first, -1 for none */
  const double *weight;   /* per member: its weight in the mandate */
  const char *const *groups; /* group ids, to name a free group in a binding (may be NULL) */
} mdt_sweep_context;

/*
 * The mandate's satisfaction with a settlement: the weighted share of the members with a
 * first-ranked group whose group's annual growth is above the area's. NaN when ctx has no
 * members or no member has a first choice.
 *   ctx: the members, their first choices and weights (report is not read)
 *   rep: the settlement's report
 */
double mdt_tradeoff_satisfaction(const mdt_sweep_context *ctx, const mdt_microsim_report *rep);

/* Room for what binds a point: "infeasible: " and the solver's reason. */
#define MDT_BINDING_SIZE 200

/*
 * What binds a settlement solved on a room, written to buf (size bytes, NUL-terminated):
 *   ""                     the rule's number is free: the point is met and x means something
 *   "all at cap"           every covered group of a priority rule is at its cap,
 *   "all at floor"         ... at its floor,
 *   "all at floor or cap"  ... at one of its bounds: the room is met (or not) by the bounds
 *                          alone, and the rule's number x says nothing
 *   "all but G at cap"     (or "at floor", "at floor or cap"; G one or more free groups,
 *                          comma-separated) the rule's x lies above every covered group's cap
 *                          or below every floor, so it is no percent anyone can get (e.g.
 *                          p0 = 63 % with caps of 6 %): the free groups' percents
 *                          x (1 + theta z_G) are met, x itself says nothing
 *   "infeasible: REASON"   the room could not be met (res->feasible = 0); REASON is the
 *                          solver's message, or "the room is not met" when reason is NULL/""
 * A group counts as at a bound when the solver clamped it or its percent is within
 * MDT_BINDING_TOLERANCE_PCT of its floor or cap (the solve ends where the last free group
 * just reaches its bound).
 * Returns 1 when the point is attainable as the rule describes it (buf is ""), else 0.
 *   groups: group ids, for the "all but G" text (may be NULL: group numbers from 1)
 *   res:    the solved (or best-effort) result
 *   spec:   what was solved (its floors and caps)
 *   rep:    its report (which groups are covered)
 *   reason: the solver's message for an infeasible result, or NULL
 */
#define MDT_BINDING_TOLERANCE_PCT 1e-6
int mdt_tradeoff_binding(const mdt_allocation_result *res, const mdt_allocation *spec,
                         const mdt_microsim_report *rep, const char *const *groups,
                         const char *reason, char *buf, size_t size);

typedef struct {
  double value;             /* the setting */
  int feasible;             /* the settlement met the room */
  int attainable;           /* met with the rule's number free (binding is "") */
  char binding[MDT_BINDING_SIZE]; /* mdt_tradeoff_binding's: what binds, "" for nothing */
  double scalar;            /* the rule's solved number (meaningless unless attainable) */
  double total_growth_pct;  /* the area's annual growth (on the frame when feasible) */
  double satisfaction;      /* weighted share of respondents whose first-choice group grows
                               more than the area */
  double low_pay_ratio_pct; /* mdt_microsim_spread's */
  double real_fall_share;   /* mdt_microsim_spread's */
} mdt_sweep_point;

typedef struct mdt_sweep {
  mdt_sweep_setting setting;
  size_t npoints, ngroups;
  mdt_sweep_point *points;
  double *group_growth_pct; /* npoints x ngroups: each group's annual growth */
  double *group_rise_pct;   /* npoints x ngroups: each group's full-year rise, % */
} mdt_sweep;

/*
 * Solves the settlement at every value of setting: theta and krone share set the rule
 * (priority, mixed) and its parameter; the local pot and the central month change the base.
 * An infeasible point is kept with feasible = 0 (its best-effort settlement); other errors
 * stop the sweep.
 */
mdt_status mdt_sweep_run(mdt_allocator *a, mdt_microsim_work *w, const mdt_settlement *base,
                         const mdt_allocation *spec, mdt_sweep_setting setting,
                         const double *values, size_t n, const mdt_sweep_context *ctx,
                         mdt_sweep **out, mdt_error *err);
void mdt_sweep_free(mdt_sweep *s);

/*
 * Re-solves spec (a priority rule) for each of ndraws profiles (ndraws x ngroups, e.g. the
 * aggregate's bootstrap profiles) and reports, per group, the interval (percentiles
 * (1 - level)/2 and (1 + level)/2 over the draws) of its percent and its annual growth.
 */
typedef struct mdt_mandate_uncertainty {
  size_t ngroups, ndraws, infeasible; /* draws whose settlement could not meet the room */
  double *pct, *pct_low, *pct_high;         /* per group: the point solution and interval */
  double *growth, *growth_low, *growth_high;
} mdt_mandate_uncertainty;

mdt_status mdt_mandate_uncertainty_run(mdt_allocator *a, mdt_microsim_work *w,
                                       const mdt_settlement *base, const mdt_allocation *spec,
                                       const double *profile_draws, size_t ndraws,
                                       double level, const mdt_microsim_report_options *ro,
                                       mdt_mandate_uncertainty **out, mdt_error *err);
void mdt_mandate_uncertainty_free(mdt_mandate_uncertainty *u);

/*
 * Each region's own profile (nregions x ngroups; a region whose profile is all NaN is
 * skipped) applied to the same frame with spec's rule, against the national allocation:
 * per region and group the percent, and the L1 distance sum_g |pct_g - national pct_g| in
 * percentage points over the covered groups.
 */
typedef struct mdt_region_allocations {
  size_t nregions, ngroups;
  unsigned char *solved;   /* per region: 0 when skipped (no respondents) */
  int *feasible;
  double *pct;             /* nregions x ngroups */
  double *growth_pct;      /* nregions x ngroups */
  double *national_pct;    /* ngroups */
  double *l1_distance_pp;  /* per region */
} mdt_region_allocations;

mdt_status mdt_regions_run(mdt_allocator *a, mdt_microsim_work *w, const mdt_settlement *base,
                           const mdt_allocation *spec, const double *profiles, size_t nregions,
                           const mdt_microsim_report_options *ro,
                           mdt_region_allocations **out, mdt_error *err);
void mdt_region_allocations_free(mdt_region_allocations *r);

#ifdef __cplusplus
}
#endif

#endif
