#include "mandat/allocate.h"

#include <float.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_roots.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine/microsim_cells.h"
#include "engine/microsim_int.h"
#include "mandat/frame.h"

/* How far the bracket grows from the first guess before the room counts as out of reach. */
#define ALLOCATE_MAX_DOUBLINGS 200

static const char *const rule_names[] = {
#define MDT__RULE_NAME(name, text) text,
    MDT_RULE_MAP(MDT__RULE_NAME)
#undef MDT__RULE_NAME
};

const char *mdt_rule_name(mdt_rule rule) {
  return (unsigned)rule < MDT_RULE_COUNT ? rule_names[rule] : "?";
}

mdt_status mdt_rule_from_name(const char *name, mdt_rule *out, mdt_error *err) {
  if (name == NULL || out == NULL)
    return mdt_error_set(err, MDT_EUSAGE, "mdt_rule_from_name: no %s given",
                         name == NULL ? "name" : "result");
  for (int r = 0; r < MDT_RULE_COUNT; r++)
    if (strcmp(name, rule_names[r]) == 0) {
      *out = (mdt_rule)r;
      return MDT_OK;
    }
  return mdt_error_set(err, MDT_EDATA,
                       "expected a rule (percent, krone, percent_min_krone, table, priority or "
                       "mixed), found '%s'",
                       name);
}

void mdt_allocation_init(mdt_allocation *spec) {
  memset(spec, 0, sizeof *spec);
  spec->rule = MDT_RULE_PERCENT;
  spec->tolerance_pct = MDT_ALLOCATE_TOLERANCE_PCT;
  spec->table = NULL;
  spec->profile = NULL;
  spec->floor_pct = NULL;
  spec->cap_pct = NULL;
}

/* Last evaluations, so that GSL's evaluation of the bracket ends costs no pass. */
typedef struct {
  double x, f;
  mdt_microsim_effect effect;
  int valid;
} memo;

struct mdt_allocator {
  mdt_microsim_work *work;
  const mdt_microsim *sim;
  mdt__cells *cells;     /* the per-cell pass; NULL: the per-employee pass (the reference) */
  int cells_borrowed;    /* cells belongs to another allocator (mdt__allocator_twin) */
  gsl_root_fsolver *solver;
  double *pct_by_group;  /* priority: the settlement's per-group percents */
  double *z;             /* priority: standardised profile */
  double *mult;          /* priority: 1 + theta z */
  double *lo, *hi;       /* priority: floor (0 without) and cap (inf without), percent */
  signed char *clamped;
  /* The solve in progress. */
  mdt_settlement s;      /* base with the rule's elements */
  const mdt_allocation *spec;
  double mean_pay_nok;   /* mixed: the covered groups' wage bill per FTE */
  double limit;          /* largest x tried */
  int passes;
  memo cache[2];
  int cache_next;
  double best_x, best_f;
  mdt_microsim_effect best_effect;
};

void mdt_allocator_free(mdt_allocator *a) {
  if (a == NULL)
    return;
  if (a->solver != NULL)
    gsl_root_fsolver_free(a->solver);
  if (!a->cells_borrowed)
    mdt__cells_free(a->cells);
  free(a->pct_by_group);
  free(a->z);
  free(a->mult);
  free(a->lo);
  free(a->hi);
  free(a->clamped);
  free(a);
}

const mdt__cells *mdt__allocator_cells(const mdt_allocator *a) { return a->cells; }

/* An allocator on work without its cells index. */
static mdt_status allocator_alloc(mdt_microsim_work *work, mdt_allocator **out, mdt_error *err) {
  mdt_allocator *a = calloc(1, sizeof *a);
  if (a == NULL)
    return mdt_error_set(err, MDT_ENOMEM, "out of memory for an allocator");
  a->work = work;
  a->sim = work->sim;
  size_t G = a->sim->ngroups;
  a->solver = gsl_root_fsolver_alloc(gsl_root_fsolver_brent);
  a->pct_by_group = calloc(G, sizeof(double));
  a->z = calloc(G, sizeof(double));
  a->mult = calloc(G, sizeof(double));
  a->lo = calloc(G, sizeof(double));
  a->hi = calloc(G, sizeof(double));
  a->clamped = calloc(G, 1);
  if (!a->solver || !a->pct_by_group || !a->z || !a->mult || !a->lo || !a->hi || !a->clamped) {
    mdt_allocator_free(a);
    return mdt_error_set(err, MDT_ENOMEM, "out of memory for an allocator");
  }
  *out = a;
  return MDT_OK;
}

mdt_status mdt_allocator_new(mdt_microsim_work *work, mdt_allocator **out, mdt_error *err) {
  return mdt__allocator_new_spare(work, NULL, out, err);
}

mdt_status mdt__allocator_new_spare(mdt_microsim_work *work, mdt__spare *spare,
                                    mdt_allocator **out, mdt_error *err) {
  if (work == NULL || out == NULL)
    return mdt_error_set(err, MDT_EUSAGE, "mdt_allocator_new: no %s given",
                         work == NULL ? "work area" : "result");
  mdt_allocator *a = NULL;
  mdt_status st = allocator_alloc(work, &a, err);
  if (st != MDT_OK)
    return st;
  if (!mdt__cells_reference_forced() &&
      (st = mdt__cells_new_spare(a->sim, work->threads, spare, &a->cells, err)) != MDT_OK) {
    mdt_allocator_free(a);
    return st;
  }
  *out = a;
  return MDT_OK;
}

mdt_status mdt__allocator_twin(mdt_microsim_work *work, const mdt_allocator *a,
                               mdt_allocator **out, mdt_error *err) {
  mdt_allocator *t = NULL;
  mdt_status st = allocator_alloc(work, &t, err);
  if (st != MDT_OK)
    return st;
  t->cells = a->cells;
  t->cells_borrowed = 1;
  *out = t;
  return MDT_OK;
}

/* ------------------------------------------------------------------------------------------
 * The rule as a function of x
 * ------------------------------------------------------------------------------------------ */

static int bound_ok(double pct) {
  return isnan(pct) || (isfinite(pct) && pct >= 0.0 && pct <= MDT_FRAME_MAX_PCT);
}

static mdt_status spec_check(const mdt_allocator *a, const mdt_allocation *spec,
                             mdt_error *err) {
  const mdt_groups *groups = a->sim->groups;
  if ((unsigned)spec->rule >= MDT_RULE_COUNT)
    return mdt_error_set(err, MDT_EDATA, "expected an allocation rule, found %d",
                         (int)spec->rule);
  if (!isfinite(spec->room_annual_pct) || fabs(spec->room_annual_pct) > MDT_FRAME_MAX_PCT)
    return mdt_error_set(err, MDT_EDATA,
                         "the room: expected a finite percentage from -%g to %g, found %.15g",
                         MDT_FRAME_MAX_PCT, MDT_FRAME_MAX_PCT, spec->room_annual_pct);
  if (!(isfinite(spec->tolerance_pct) && spec->tolerance_pct > 0.0 &&
        spec->tolerance_pct <= MDT_ALLOCATE_ACCEPT_PCT))
    return mdt_error_set(err, MDT_EDATA,
                         "the tolerance: expected percentage points above 0 and at most %g, "
                         "found %.15g",
                         MDT_ALLOCATE_ACCEPT_PCT, spec->tolerance_pct);
  switch (spec->rule) {
  case MDT_RULE_PERCENT_MIN_KRONE:
    if (!(isfinite(spec->min_krone_nok) && spec->min_krone_nok >= 0.0 &&
          spec->min_krone_nok <= MDT_MICROSIM_MAX_NOK))
      return mdt_error_set(err, MDT_EDATA,
                           "the kroner minimum: expected NOK per year from 0 to %g, found %.15g",
                           MDT_MICROSIM_MAX_NOK, spec->min_krone_nok);
    break;
  case MDT_RULE_TABLE:
    if (spec->table == NULL)
      return mdt_error_set(err, MDT_EUSAGE, "the table rule needs a kroner table, none given");
    break;
  case MDT_RULE_MIXED:
    if (!(spec->krone_share >= 0.0 && spec->krone_share <= 1.0))
      return mdt_error_set(err, MDT_EDATA,
                           "the krone share: expected a share from 0 to 1, found %.15g",
                           spec->krone_share);
    break;
  case MDT_RULE_PRIORITY:
    if (!isfinite(spec->theta) || fabs(spec->theta) > 1e6)
      return mdt_error_set(err, MDT_EDATA,
                           "theta: expected a finite number from -1e6 to 1e6, found %.15g",
                           spec->theta);
    for (size_t g = 0; g < a->sim->ngroups; g++) {
      const char *id = groups->id != NULL && groups->id[g] != NULL ? groups->id[g] : "?";
      double f = spec->floor_pct != NULL ? spec->floor_pct[g] : NAN;
      double c = spec->cap_pct != NULL ? spec->cap_pct[g] : NAN;
      if (spec->profile != NULL && !isnan(spec->profile[g]) && !isfinite(spec->profile[g]))
        return mdt_error_set(err, MDT_EDATA,
                             "the profile of group '%s': expected a finite priority or none, "
                             "found %.15g",
                             id, spec->profile[g]);
      if (!bound_ok(f))
        return mdt_error_set(err, MDT_EDATA,
                             "the floor of group '%s': expected a percentage from 0 to %g or "
                             "none, found %.15g",
                             id, MDT_FRAME_MAX_PCT, f);
      if (!bound_ok(c))
        return mdt_error_set(err, MDT_EDATA,
                             "the cap of group '%s': expected a percentage from 0 to %g or "
                             "none, found %.15g",
                             id, MDT_FRAME_MAX_PCT, c);
      if (!isnan(f) && !isnan(c) && f > c)
        return mdt_error_set(err, MDT_EDATA,
                             "group '%s': expected a floor at most its cap %.15g %%, found a "
                             "floor of %.15g %%",
                             id, c, f);
    }
    break;
  default:
    break;
  }
  return MDT_OK;
}

/* Puts the rule's elements for x into a->s. */
static void set_scalar(mdt_allocator *a, double x) {
  const mdt_allocation *spec = a->spec;
  switch (spec->rule) {
  case MDT_RULE_PERCENT:
  case MDT_RULE_PERCENT_MIN_KRONE:
    a->s.pct = x;
    break;
  case MDT_RULE_KRONE:
    a->s.krone_nok = x;
    break;
  case MDT_RULE_TABLE:
    a->s.table_scale = x;
    break;
  case MDT_RULE_MIXED:
    a->s.pct = (1.0 - spec->krone_share) * x;
    a->s.krone_nok = spec->krone_share * x / 100.0 * a->mean_pay_nok;
    break;
  case MDT_RULE_PRIORITY:
    for (size_t g = 0; g < a->sim->ngroups; g++) {
      if (!a->work->covered[g]) {
        a->pct_by_group[g] = 0.0;
        a->clamped[g] = 0;
        continue;
      }
      double v = x * a->mult[g];
      a->clamped[g] = 0;
      if (!(v >= a->lo[g])) {
        a->clamped[g] = -1;
        v = a->lo[g];
      } else if (v > a->hi[g]) {
        a->clamped[g] = 1;
        v = a->hi[g];
      }
      /* x stays below MDT_FRAME_MAX_PCT / max multiplier; this only absorbs its rounding. */
      a->pct_by_group[g] = v < MDT_FRAME_MAX_PCT ? v : MDT_FRAME_MAX_PCT;
    }
    break;
  default:
    break;
  }
}

/* A lean pass on the prepared work area: per cell, or per employee when forced. */
static void lean(mdt_allocator *a, mdt_microsim_effect *e) {
  if (a->cells != NULL)
    mdt__cells_lean(a->cells, a->work, e);
  else
    mdt__microsim_lean(a->work, e);
}

/* One lean pass at x: the annual effect minus the room; the effect goes to *effect when not
 * NULL. */
static double cost_at(mdt_allocator *a, double x, mdt_microsim_effect *effect) {
  for (int k = 0; k < 2; k++)
    if (a->cache[k].valid && a->cache[k].x == x) {
      if (effect != NULL)
        *effect = a->cache[k].effect;
      return a->cache[k].f;
    }
  mdt_microsim_effect e;
  set_scalar(a, x);
  mdt__microsim_central(a->work, &a->s);
  lean(a, &e);
  a->passes++;
  double f = e.annual_pct - a->spec->room_annual_pct;
  a->cache[a->cache_next] = (memo){x, f, e, 1};
  a->cache_next ^= 1;
  if (isnan(a->best_f) || fabs(f) < fabs(a->best_f)) {
    a->best_x = x;
    a->best_f = f;
    a->best_effect = e;
  }
  if (effect != NULL)
    *effect = e;
  return f;
}

static double cost_gsl(double x, void *params) { return cost_at(params, x, NULL); }

/* The priority rule's z, multipliers and bounds (after prepare, which knows who is covered). */
static void priority_setup(mdt_allocator *a) {
  const mdt_allocation *spec = a->spec;
  const mdt_microsim *sim = a->sim;
  const unsigned char *covered = a->work->covered;
  double sw = 0.0, swx = 0.0;
  for (size_t g = 0; g < sim->ngroups; g++)
    if (covered[g] && spec->profile != NULL && !isnan(spec->profile[g])) {
      sw += sim->wage_bill_d[g];
      swx += sim->wage_bill_d[g] * spec->profile[g];
    }
  double mean = sw > 0.0 ? swx / sw : 0.0, var = 0.0;
  for (size_t g = 0; g < sim->ngroups; g++)
    if (covered[g] && spec->profile != NULL && !isnan(spec->profile[g])) {
      double d = spec->profile[g] - mean;
      var += sim->wage_bill_d[g] * d * d;
    }
  double sd = sw > 0.0 ? sqrt(var / sw) : 0.0;
  /* A profile that does not vary leaves only rounding noise in sd: no tilt then. */
  int varies = sd > 1e-12 * (1.0 + fabs(mean));
  for (size_t g = 0; g < sim->ngroups; g++) {
    int has = covered[g] && varies && spec->profile != NULL && !isnan(spec->profile[g]);
    a->z[g] = has ? (spec->profile[g] - mean) / sd : 0.0;
    a->mult[g] = 1.0 + spec->theta * a->z[g];
    double f = spec->floor_pct != NULL ? spec->floor_pct[g] : NAN;
    double c = spec->cap_pct != NULL ? spec->cap_pct[g] : NAN;
    a->lo[g] = isnan(f) ? 0.0 : f;
    a->hi[g] = isnan(c) ? INFINITY : c;
  }
}

/* The largest x the rule may take, so that the settlement stays within the checked domain. */
static double scalar_limit(const mdt_allocator *a) {
  switch (a->spec->rule) {
  case MDT_RULE_KRONE:
    return MDT_MICROSIM_MAX_NOK;
  case MDT_RULE_TABLE:
    return MDT_MICROSIM_MAX_SCALE;
  case MDT_RULE_PRIORITY: {
    double m = 0.0;
    for (size_t g = 0; g < a->sim->ngroups; g++)
      if (a->work->covered[g] && a->mult[g] > m)
        m = a->mult[g];
    return m > 1.0 ? MDT_FRAME_MAX_PCT / m : MDT_FRAME_MAX_PCT;
  }
  default:
    return MDT_FRAME_MAX_PCT;
  }
}

/* Everything before the first pass: checks, the rule's fixed elements, the prepared work. */
static mdt_status setup(mdt_allocator *a, const mdt_settlement *base, const mdt_allocation *spec,
                        mdt_error *err) {
  if (base == NULL || spec == NULL)
    return mdt_error_set(err, MDT_EUSAGE, "no %s given", base == NULL ? "settlement" : "rule");
  a->spec = spec;
  mdt_status st = spec_check(a, spec, err);
  if (st != MDT_OK)
    return st;
  a->s = *base;
  switch (spec->rule) {
  case MDT_RULE_PERCENT:
  case MDT_RULE_MIXED:
    a->s.pct = 0.0;
    a->s.pct_by_group = NULL;
    if (spec->rule == MDT_RULE_MIXED)
      a->s.krone_nok = 0.0;
    break;
  case MDT_RULE_PERCENT_MIN_KRONE:
    a->s.pct = 0.0;
    a->s.pct_by_group = NULL;
    a->s.min_krone_nok = spec->min_krone_nok;
    break;
  case MDT_RULE_KRONE:
    a->s.krone_nok = 0.0;
    break;
  case MDT_RULE_TABLE:
    a->s.table = spec->table;
    a->s.table_scale = 0.0;
    break;
  case MDT_RULE_PRIORITY:
    memset(a->pct_by_group, 0, a->sim->ngroups * sizeof *a->pct_by_group);
    a->s.pct_by_group = a->pct_by_group;
    break;
  default:
    break;
  }
  if ((st = mdt__microsim_prepare(a->work, &a->s, err)) != MDT_OK)
    return st;
  if (spec->rule == MDT_RULE_PRIORITY)
    priority_setup(a);
  if (spec->rule == MDT_RULE_MIXED) {
    double wage = 0.0, fte = 0.0;
    for (size_t g = 0; g < a->sim->ngroups; g++)
      if (a->work->covered[g]) {
        wage += a->sim->wage_bill_d[g];
        fte += (double)a->sim->fte_e8[g];
      }
    a->mean_pay_nok = fte > 0.0 ? wage / fte : 0.0;
  }
  a->limit = scalar_limit(a);
  a->passes = 0;
  a->cache[0].valid = a->cache[1].valid = 0;
  a->cache_next = 0;
  a->best_x = 0.0;
  a->best_f = NAN;
  return MDT_OK;
}

/* The settlement at x (evaluated already or now) as the caller's result. */
static void fill_result(mdt_allocator *a, double x, int feasible, int iterations,
                        mdt_allocation_result *out) {
  mdt_microsim_effect e = a->best_effect;
  double f = a->best_f;
  if (!(x == a->best_x && !isnan(f)))
    f = cost_at(a, x, &e);  /* a pass only when x is neither the best nor one of the last two */
  set_scalar(a, x);         /* the per-group percents of x, whatever was evaluated last */
  memset(out, 0, sizeof *out);
  out->settlement = a->s;
  out->scalar = x;
  out->effect = e;
  out->annual_effect_pct = a->spec->room_annual_pct + f;
  out->room_annual_pct = a->spec->room_annual_pct;
  out->feasible = feasible;
  out->iterations = iterations;
  out->passes = a->passes;
  if (a->spec->rule == MDT_RULE_PRIORITY) {
    out->z = a->z;
    out->pct_by_group = a->pct_by_group;
    out->clamped = a->clamped;
  }
}

/* ------------------------------------------------------------------------------------------
 * Solving
 * ------------------------------------------------------------------------------------------ */

/* The first guess: x for which the room left after the fixed elements would be used if the
 * rule's rise were linear and nobody sat at a guarantee. */
static double first_guess(const mdt_allocator *a, double need_pct) {
  const mdt_microsim *sim = a->sim;
  const mdt_microsim_work *w = a->work;
  double per_unit = 0.0; /* pp of the area per unit of x */
  for (size_t c = 0; c < sim->ncells; c++) {
    if (!w->cell_active[c])
      continue;
    switch (a->spec->rule) {
    case MDT_RULE_KRONE:
      per_unit += sim->cell_wfte_e8[c];
      break;
    case MDT_RULE_TABLE:
      per_unit += sim->cell_wfte_e8[c] * w->cell_table[c];
      break;
    default:
      break;
    }
  }
  if (a->spec->rule != MDT_RULE_KRONE && a->spec->rule != MDT_RULE_TABLE)
    for (size_t g = 0; g < sim->ngroups; g++)
      if (w->covered[g])
        per_unit += sim->wage_bill_d[g] / 100.0; /* x is in percent */
  per_unit *= w->central_year * 100.0 / sim->total_wage_bill_d;
  double x = per_unit > 0.0 ? need_pct / per_unit : 1.0;
  if (!(x > 0.0) || !isfinite(x))
    x = 1.0;
  return x < a->limit ? x : a->limit;
}

/* Why x = 0 already costs more than the room, as the error message. */
static mdt_status infeasible_at_zero(mdt_allocator *a, mdt_error *err) {
  const double room = a->spec->room_annual_pct;
  mdt_microsim_effect e0 = a->best_effect; /* x = 0 was the only evaluation */
  mdt_microsim_effect fixed = e0;
  int floors = 0;
  if (a->spec->rule == MDT_RULE_PRIORITY)
    for (size_t g = 0; g < a->sim->ngroups; g++)
      if (a->work->covered[g] && a->lo[g] > 0.0)
        floors = 1;
  if (floors) {
    /* The same settlement with every percent at 0: what the floors add is the difference. */
    mdt_settlement bare = a->s;
    bare.pct_by_group = NULL;
    bare.pct = 0.0;
    mdt__microsim_central(a->work, &bare);
    lean(a, &fixed);
    a->passes++;
  }
  if (!floors || fixed.annual_pct > room + a->spec->tolerance_pct)
    return mdt_error_set(err, MDT_EINFEASIBLE,
                         "the fixed elements already cost %.6f pp (local pot %.6f, named "
                         "increases %.6f, central elements and guarantee lifts at zero %.6f), "
                         "more than the room %.6f pp",
                         fixed.annual_pct, fixed.local_pct, fixed.named_pct, fixed.central_pct,
                         room);
  double floor_cost = e0.annual_pct - fixed.annual_pct;
  if (fixed.annual_pct > 0.0)
    return mdt_error_set(err, MDT_EINFEASIBLE,
                         "the floors alone cost %.6f pp, more than the room %.6f pp left after "
                         "the fixed elements' %.6f pp (of a room of %.6f pp)",
                         floor_cost, room - fixed.annual_pct, fixed.annual_pct, room);
  return mdt_error_set(err, MDT_EINFEASIBLE,
                       "the floors alone cost %.6f pp, more than the room %.6f pp", floor_cost,
                       room);
}

/* Priority with every group that can take a share capped: the most the rule can cost. */
static int priority_bounded(const mdt_allocator *a, double *x_all_capped) {
  double x = 0.0;
  for (size_t g = 0; g < a->sim->ngroups; g++) {
    if (!a->work->covered[g] || a->sim->wage_bill_d[g] <= 0.0 || a->mult[g] <= 0.0)
      continue;
    if (isinf(a->hi[g]))
      return 0;
    double at = a->hi[g] / a->mult[g];
    if (at > x)
      x = at;
  }
  *x_all_capped = x * (1.0 + 1e-12);
  return 1;
}

/* Brent from a bracket [lo, hi] with cost(lo) < 0 < cost(hi). */
static mdt_status brent(mdt_allocator *a, double lo, double hi, int *iterations, mdt_error *err) {
  const double tol = a->spec->tolerance_pct;
  gsl_function F = {cost_gsl, a};
  int gs = gsl_root_fsolver_set(a->solver, &F, lo, hi);
  int it = 0;
  while (gs == GSL_SUCCESS && fabs(a->best_f) > tol && it < MDT_ALLOCATE_MAX_ITER) {
    gs = gsl_root_fsolver_iterate(a->solver);
    it++;
    double xl = gsl_root_fsolver_x_lower(a->solver), xu = gsl_root_fsolver_x_upper(a->solver);
    if (xu - xl <= 4.0 * DBL_EPSILON * fmax(1.0, fabs(xu)))
      break;
  }
  *iterations = it;
  if (gs != GSL_SUCCESS)
    return mdt_error_set(err, MDT_ENOCONV, "the %s rule's root finder failed: %s",
                         mdt_rule_name(a->spec->rule), gsl_strerror(gs));
  if (!(fabs(a->best_f) <= MDT_ALLOCATE_ACCEPT_PCT))
    return mdt_error_set(err, MDT_ENOCONV,
                         "the %s rule's root finder got no closer than %.3g pp to the room "
                         "after %d iterations",
                         mdt_rule_name(a->spec->rule), fabs(a->best_f), it);
  return MDT_OK;
}

mdt_status mdt_allocator_solve(mdt_allocator *a, const mdt_settlement *base,
                               const mdt_allocation *spec, mdt_allocation_result *out,
                               mdt_error *err) {
  if (a == NULL || out == NULL)
    return mdt_error_set(err, MDT_EUSAGE, "mdt_allocator_solve: no %s given",
                         a == NULL ? "allocator" : "result");
  mdt_status st = setup(a, base, spec, err);
  if (st != MDT_OK)
    return st;
  const double room = spec->room_annual_pct, tol = spec->tolerance_pct;
  const char *rule = mdt_rule_name(spec->rule);

  double f0 = cost_at(a, 0.0, NULL);
  if (room < 0.0) {
    fill_result(a, 0.0, 0, 0, out);
    return mdt_error_set(err, MDT_EINFEASIBLE,
                         "the room is negative: %.6f pp; a settlement cannot cut pay (the "
                         "settlement at zero costs %.6f pp)",
                         room, room + f0);
  }
  if (f0 > tol) {
    st = infeasible_at_zero(a, err);
    fill_result(a, 0.0, 0, 0, out);
    return st;
  }
  if (f0 >= -tol) {
    fill_result(a, 0.0, 1, 0, out);
    return MDT_OK;
  }

  double lo = 0.0, hi;
  double x_capped;
  if (spec->rule == MDT_RULE_PRIORITY && priority_bounded(a, &x_capped)) {
    double fc = cost_at(a, x_capped, NULL);
    if (fc < -tol) {
      fill_result(a, x_capped, 0, 0, out);
      return mdt_error_set(err, MDT_EINFEASIBLE,
                           "the caps allow at most %.6f pp, less than the room %.6f pp",
                           room + fc, room);
    }
    if (fc <= tol) {
      fill_result(a, x_capped, 1, 0, out);
      return MDT_OK;
    }
    a->limit = fmin(a->limit, x_capped);
  }
  hi = first_guess(a, -f0);
  for (int k = 0;; k++) {
    double fh = cost_at(a, hi, NULL);
    if (fh >= 0.0)
      break;
    if (fh >= -tol) {
      fill_result(a, hi, 1, 0, out);
      return MDT_OK;
    }
    lo = hi;
    if (hi >= a->limit || k >= ALLOCATE_MAX_DOUBLINGS) {
      if (fh - f0 <= tol) {
        fill_result(a, 0.0, 0, 0, out);
        return mdt_error_set(err, MDT_EINFEASIBLE,
                             "no covered employee's pay depends on the %s rule: nothing to give "
                             "the room to (the settlement costs %.6f pp, the room is %.6f pp)",
                             rule, room + f0, room);
      }
      fill_result(a, hi, 0, 0, out);
      return mdt_error_set(err, MDT_EINFEASIBLE,
                           "even the %s rule's largest value %g reaches only %.6f pp, less than "
                           "the room %.6f pp",
                           rule, hi, room + fh, room);
    }
    hi = fmin(2.0 * hi, a->limit);
  }
  int iterations = 0;
  if (fabs(a->best_f) > tol && (st = brent(a, lo, hi, &iterations, err)) != MDT_OK)
    return st;
  fill_result(a, a->best_x, 1, iterations, out);
  return MDT_OK;
}

mdt_status mdt_allocator_evaluate(mdt_allocator *a, const mdt_settlement *base,
                                  const mdt_allocation *spec, double x,
                                  mdt_allocation_result *out, mdt_error *err) {
  if (a == NULL || out == NULL)
    return mdt_error_set(err, MDT_EUSAGE, "mdt_allocator_evaluate: no %s given",
                         a == NULL ? "allocator" : "result");
  mdt_status st = setup(a, base, spec, err);
  if (st != MDT_OK)
    return st;
  if (!(isfinite(x) && x >= 0.0 && x <= a->limit))
    return mdt_error_set(err, MDT_EDATA,
                         "the %s rule's value: expected a number from 0 to %g, found %.15g",
                         mdt_rule_name(spec->rule), a->limit, x);
  double f = cost_at(a, x, NULL);
  fill_result(a, x, fabs(f) <= spec->tolerance_pct, 0, out);
  return MDT_OK;
}

double mdt_allocation_group_pct(const mdt_allocation_result *res, size_t g) {
  if (res->pct_by_group)
    return res->pct_by_group[g];
  if (res->settlement.pct_by_group)
    return res->settlement.pct_by_group[g];
  return res->settlement.pct > 0 ? res->settlement.pct : NAN;
}
