/*
 * mandat/allocate.h: allocation rules: the one number of a settlement that
 * makes its total annual effect use the room exactly.
 *
 * Ownership: mdt_allocator_new returns a solver that the caller frees with
 * mdt_allocator_free; it borrows the work area (which must outlive it) and owns the per-group
 * arrays that a result points to, which stay valid until its next solve or evaluation.
 *
 * A rule sets some central elements of a base settlement as a function of one scalar x >= 0
 * and leaves everything else of the base as fixed elements (the local pot, named increases,
 * guarantee tables, and any central element the rule does not set):
 *   percent            pct = x for every covered group (the base's pct_by_group is dropped)
 *   krone              krone_nok = x
 *   percent_min_krone  pct = x (pct_by_group dropped), min_krone_nok = the allocation's
 *   table              table = the allocation's table, table_scale = x
 *   priority           pct_by_group[g] = clamp(x (1 + theta z_g), floor_g, cap_g), z_g the
 *                      mandate profile standardised with wage-bill weights over the covered
 *                      groups that have one (mean 0, sd 1; z = 0 for the others, and for all
 *                      when the profile does not vary); no floor means 0, no cap means none
 *   mixed              pct = (1 - krone_share) x (pct_by_group dropped) and krone_nok =
 *                      krone_share x / 100 times the covered groups' mean pay per FTE: x is
 *                      the percent the settlement would be if it were all percent,
 *                      krone_share the part given as equal kroner
 * The solver finds x such that the settlement's total annual effect (every element, local pot
 * and named increases included, from mdt_microsim_pass) equals room_annual_pct, with GSL's
 * Brent solver on a bracket grown from a first guess, to tolerance_pct.
 *
 * Why the cost rises with x: every central rise max(p old + A, min, G' - old) is a maximum of
 * terms that do not fall when p, A or the raised guarantee G' grow, and each rule makes p, A
 * and G' non-decreasing functions of x (a clamp of x (1 + theta z) is non-decreasing as long
 * as 1 + theta z >= 0; groups with 1 + theta z < 0 sit at their floor for every x >= 0); the
 * local pot and named increases are percents of the pay before the settlement and do not
 * depend on x. So the cost never falls as x grows, and it rises strictly while anyone's
 * rise still depends on x.
 *
 * Clamping. The priority rule's clamped set is the fixed point of "clamp the groups outside
 * their bounds and re-solve the others until the set is stable": the solver puts the clamp
 * inside the cost function, which stays continuous and non-decreasing, so one bracketed solve
 * lands on that fixed point directly; the result lists which groups ended at a floor or cap.
 * With theta = 0 and no bounds the rule evaluates exactly the percent rule's settlements, in
 * the same order, and gives a bit-identical answer.
 *
 * Infeasible rooms give MDT_EINFEASIBLE with a message that names the cause:
 *   "the room is negative: ..."                       a settlement cannot cut pay
 *   "the fixed elements already cost ..."              local pot, named increases, guarantee
 *                                                      lifts and central elements at x = 0
 *   "the floors alone cost X pp, more than the room"   priority floors at x = 0
 *   "the caps allow at most ..."                       every group with a share is capped
 *   "... nothing to give the room to"                  no covered employee depends on x
 * and still fill the result with the nearest settlement (x = 0, or every group at its cap)
 * and its effect, with feasible = 0: a run without --strict can report it and the gap to the
 * room; with --strict it fails with exit status 1.
 */
#ifndef MANDAT_ALLOCATE_H
#define MANDAT_ALLOCATE_H

#include <stddef.h>

#include "mandat/error.h"
#include "mandat/microsim.h"
#include "mandat/steptable.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Default target for |annual effect - room|, percentage points. */
#define MDT_ALLOCATE_TOLERANCE_PCT 1e-9
/* A solve that cannot get within this of the room fails with MDT_ENOCONV. */
#define MDT_ALLOCATE_ACCEPT_PCT 1e-6
/* Brent iterations before giving up (it needs about ten on these functions). */
#define MDT_ALLOCATE_MAX_ITER 200

/* X(name, text): the rules and their names in scenario files. */
#define MDT_RULE_MAP(X)                                                                        \
  X(PERCENT, "percent")                                                                        \
  X(KRONE, "krone")                                                                            \
  X(PERCENT_MIN_KRONE, "percent_min_krone")                                                    \
  X(TABLE, "table")                                                                            \
  X(PRIORITY, "priority")                                                                      \
  X(MIXED, "mixed")

typedef enum {
#define MDT__RULE_ENUM(name, text) MDT_RULE_##name,
  MDT_RULE_MAP(MDT__RULE_ENUM)
#undef MDT__RULE_ENUM
      MDT_RULE_COUNT
} mdt_rule;

/* The rule's name, e.g. "percent_min_krone"; "?" for a value outside the enum. */
const char *mdt_rule_name(mdt_rule rule);
/* The rule called name; MDT_EDATA ("expected one of percent, krone, ..., found ...") else.
 *   name: the text (must not be NULL)
 *   out:  receives the rule (untouched on failure)
 *   err:  filled on failure; may be NULL */
mdt_status mdt_rule_from_name(const char *name, mdt_rule *out, mdt_error *err);

/* What to solve. Set it up with mdt_allocation_init, then fill it. Pointers are borrowed. */
typedef struct mdt_allocation {
  mdt_rule rule;
  double room_annual_pct;       /* the annual effect the whole settlement must have, pp of the
                                   area's wage bill (e.g. frame - overheng - glidning) */
  double tolerance_pct;         /* target |effect - room| (default MDT_ALLOCATE_TOLERANCE_PCT) */
  double min_krone_nok;         /* percent_min_krone: the minimum rise, NOK per year, >= 0 */
  const mdt_step_table *table;  /* table: the kroner table to scale (required) */
  double krone_share;           /* mixed: 0..1 */
  double theta;                 /* priority: how strongly the profile tilts the percents */
  const double *profile;        /* priority: per group in [0, 1], NaN for groups without a
                                   priority (e.g. mdt_aggregate's national profile); NULL: none */
  const double *floor_pct;      /* priority: per group lowest percent (>= 0), NaN for none;
                                   NULL: none */
  const double *cap_pct;        /* priority: per group highest percent (>= floor), NaN for
                                   none; NULL: none */
} mdt_allocation;

/* Rule percent, room 0, the default tolerance, everything else 0 or NULL. */
void mdt_allocation_init(mdt_allocation *spec);

/* The answer. Arrays point into the allocator (valid until its next solve or evaluation). */
typedef struct mdt_allocation_result {
  mdt_settlement settlement;  /* the base with the rule's elements set: apply it with
                                 mdt_microsim_apply for the report, mdt_microsim_guarantee for
                                 the new guarantee table */
  double scalar;              /* x: percent (percent, percent_min_krone, priority's p0, mixed),
                                 NOK per year (krone) or factor (table) */
  double annual_effect_pct;   /* the settlement's total annual effect */
  mdt_microsim_effect effect; /* the same, by element, with carry-over */
  double room_annual_pct;     /* the room solved for */
  int feasible;               /* 1: |annual_effect_pct - room| <= tolerance; 0: best effort */
  int iterations;             /* Brent iterations */
  int passes;                 /* lean passes over the register */
  const double *z;            /* priority: per group standardised profile (0 where none);
                                 NULL for other rules */
  const double *pct_by_group; /* priority: per group percent (also in settlement); else NULL */
  const signed char *clamped; /* priority: per group -1 at its floor, +1 at its cap, 0 free;
                                 NULL for other rules */
} mdt_allocation_result;

/* The percent a result's central elements give group g (a row of the groups table): per group
 * under the priority rule, the one percent of the percent rules, NaN when the settlement gives
 * no percent (kroner rules). */
double mdt_allocation_group_pct(const mdt_allocation_result *res, size_t g);

typedef struct mdt_allocator mdt_allocator;

/*
 * A solver for settlements over work's microsim; allocates everything a solve needs, so that
 * solves allocate nothing. It sorts each (group, whole years) cell's employees by pay once,
 * with prefix sums (kept at every 16th: 2 bytes per employee, O(n log n) time), so that each
 * pass of a solve costs O(cells x log n) whatever the register's size and equals the
 * per-employee pass to 1e-12 relative; with the environment variable MANDAT_REFERENCE_PASS=1
 * (for tests and the benchmark) it keeps to the per-employee pass instead.
 *   work: the work area passes run in (borrowed: must outlive the allocator)
 *   out:  receives the allocator (untouched on failure)
 *   err:  filled on failure; may be NULL
 */
mdt_status mdt_allocator_new(mdt_microsim_work *work, mdt_allocator **out, mdt_error *err);
void mdt_allocator_free(mdt_allocator *a);

/*
 * Solves spec's rule on base so that the total annual effect equals spec->room_annual_pct.
 *   a:    the allocator
 *   base: the fixed elements (validated; the rule's own fields are overwritten in the copy)
 *   spec: the rule and the room (validated)
 *   out:  receives the result on MDT_OK and on MDT_EINFEASIBLE (best effort, feasible = 0);
 *         untouched on other failures
 *   err:  filled on failure; may be NULL
 * Errors: MDT_EUSAGE (NULL objects, a table rule without a table), MDT_EDATA (values out of
 * their domain, as mdt_microsim_pass), MDT_EINFEASIBLE (see above), MDT_ENOCONV (the solver
 * did not get within MDT_ALLOCATE_ACCEPT_PCT).
 */
mdt_status mdt_allocator_solve(mdt_allocator *a, const mdt_settlement *base,
                               const mdt_allocation *spec, mdt_allocation_result *out,
                               mdt_error *err);

/*
 * The settlement spec's rule gives for scalar x, and its annual effect, without solving
 * (spec->room_annual_pct is only copied): for sweeps over x and checks of the cost curve.
 *   x: the scalar, >= 0 and finite (MDT_EDATA else)
 * Other parameters as mdt_allocator_solve; out->feasible says whether the effect is within
 * the tolerance of the room.
 */
mdt_status mdt_allocator_evaluate(mdt_allocator *a, const mdt_settlement *base,
                                  const mdt_allocation *spec, double x,
                                  mdt_allocation_result *out, mdt_error *err);

#ifdef __cplusplus
}
#endif

#endif
