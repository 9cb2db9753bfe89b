#include "mandat/tradeoff.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/microsim_cells.h"
#include "engine/microsim_int.h"
#include "engine/partial.h"
#include "engine/quantile.h"

void mdt_tradeoff_exchange(const mdt_microsim_report *rep, double *points, double *nok) {
  size_t G = rep->ngroups;
  for (size_t a = 0; a < G; a++)
    for (size_t b = 0; b < G; b++) {
      double Wa = rep->groups[a].wage_bill_nok, Wb = rep->groups[b].wage_bill_nok;
      double Fa = rep->groups[a].fte, Fb = rep->groups[b].fte;
      points[a * G + b] = Wb > 0 ? Wa / Wb : NAN;
      nok[a * G + b] = Fb > 0 ? Fa / Fb : NAN;
    }
}

static const char *const sweep_names[] = {"theta", "krone_share", "local_pot_pct",
                                          "central_month"};

const char *mdt_sweep_name(mdt_sweep_setting setting) {
  return (unsigned)setting < 4 ? sweep_names[setting] : "?";
}

void mdt_sweep_free(mdt_sweep *s) {
  if (s == NULL)
    return;
  free(s->points);
  free(s->group_growth_pct);
  free(s->group_rise_pct);
  free(s);
}

/* -1 at the floor, +1 at the cap, 0 free (see mdt_tradeoff_binding). */
static int at_bound(const mdt_allocation_result *res, const mdt_allocation *spec, size_t g) {
  if (res->clamped[g] != 0)
    return res->clamped[g];
  double p = res->pct_by_group ? res->pct_by_group[g] : NAN;
  double lo = spec && spec->floor_pct ? spec->floor_pct[g] : NAN;
  double hi = spec && spec->cap_pct ? spec->cap_pct[g] : NAN;
  if (isfinite(p) && isfinite(hi) && fabs(p - hi) <= MDT_BINDING_TOLERANCE_PCT)
    return 1;
  if (isfinite(p) && isfinite(lo) && fabs(p - lo) <= MDT_BINDING_TOLERANCE_PCT)
    return -1;
  return 0;
}

int mdt_tradeoff_binding(const mdt_allocation_result *res, const mdt_allocation *spec,
                         const mdt_microsim_report *rep, const char *const *groups,
                         const char *reason, char *buf, size_t size) {
  if (size == 0)
    return 0;
  buf[0] = '\0';
  if (!res->feasible) {
    snprintf(buf, size, "infeasible: %s", reason && reason[0] ? reason : "the room is not met");
    return 0;
  }
  if (res->clamped == NULL)
    return 1;
  size_t covered = 0, floor = 0, cap = 0;
  double max_cap = -INFINITY, min_floor = INFINITY;
  for (size_t g = 0; g < rep->ngroups; g++) {
    if (!rep->groups[g].covered)
      continue;
    covered++;
    int b = at_bound(res, spec, g);
    floor += b < 0;
    cap += b > 0;
    double hi = spec && spec->cap_pct ? spec->cap_pct[g] : NAN;
    double lo = spec && spec->floor_pct ? spec->floor_pct[g] : NAN;
    max_cap = fmax(max_cap, isfinite(hi) ? hi : INFINITY);
    min_floor = fmin(min_floor, isfinite(lo) ? lo : 0); /* no floor: 0 */
  }
  size_t bound = floor + cap;
  double x = res->scalar;
  int beyond = x > max_cap + MDT_BINDING_TOLERANCE_PCT || x < min_floor - MDT_BINDING_TOLERANCE_PCT;
  if (covered == 0 || (bound < covered && !beyond))
    return 1;
  const char *which = bound == 0       ? "free"
                      : cap == bound   ? "at cap"
                      : floor == bound ? "at floor"
                                       : "at floor or cap";
  if (bound == covered) {
    snprintf(buf, size, "all %s", which);
    return 0;
  }
  size_t o = (size_t)snprintf(buf, size, "all but");
  for (size_t g = 0, k = 0; g < rep->ngroups && o < size; g++) {
    if (!rep->groups[g].covered || at_bound(res, spec, g) != 0)
      continue;
    if (groups)
      o += (size_t)snprintf(buf + o, size - o, "%s %s", k++ ? "," : "", groups[g]);
    else
      o += (size_t)snprintf(buf + o, size - o, "%s group %zu", k++ ? "," : "", g + 1);
  }
  if (o < size)
    snprintf(buf + o, size - o, " %s", which);
  return 0;
}

/* Solves, keeping a best-effort answer and the reason when the room cannot be met. */
static mdt_status solve_point(mdt_allocator *a, const mdt_settlement *base,
                              const mdt_allocation *spec, mdt_allocation_result *res,
                              char *reason, size_t reason_size, mdt_error *err) {
  mdt_status st = mdt_allocator_solve(a, base, spec, res, err);
  if (reason_size > 0)
    reason[0] = '\0';
  if (st == MDT_EINFEASIBLE) {
    res->feasible = 0;
    if (err && reason_size > 0) {
      size_t n = strnlen(err->message, reason_size - 1);
      memcpy(reason, err->message, n);
      reason[n] = '\0';
    }
    return MDT_OK;
  }
  return st;
}

double mdt_tradeoff_satisfaction(const mdt_sweep_context *ctx, const mdt_microsim_report *rep) {
  if (ctx->nmembers == 0 || ctx->top_group == NULL || ctx->weight == NULL)
    return NAN;
  double avg = rep->total.annual_growth_pct, yes = 0, all = 0;
  for (size_t i = 0; i < ctx->nmembers; i++) {
    long g = ctx->top_group[i];
    if (g < 0 || (size_t)g >= rep->ngroups || !(ctx->weight[i] > 0))
      continue;
    all += ctx->weight[i];
    if (rep->groups[g].annual_growth_pct > avg)
      yes += ctx->weight[i];
  }
  return all > 0 ? yes / all : NAN;
}

/* What the points of one sweep share. */
typedef struct {
  const mdt_settlement *base;
  const mdt_allocation *spec;
  mdt_sweep_setting setting;
  const double *values;
  const mdt_sweep_context *ctx;
  const mdt_microsim_report_options *ro;
  mdt_sweep *s;
} sweep_args;

/* Point k of the sweep (arg: its sweep_args) solved on a and w into s->points[k] and the
 * group columns; a twin_item_fn. */
static mdt_status sweep_point(void *arg, mdt_allocator *a, mdt_microsim_work *w, size_t k,
                              mdt_error *err) {
  const sweep_args *x = arg;
  mdt_settlement b = *x->base;
  mdt_allocation sp = *x->spec;
  double v = x->values[k];
  switch (x->setting) {
  case MDT_SWEEP_THETA:
    sp.rule = MDT_RULE_PRIORITY;
    sp.theta = v;
    break;
  case MDT_SWEEP_KRONE_SHARE:
    sp.rule = MDT_RULE_MIXED;
    sp.krone_share = v;
    break;
  case MDT_SWEEP_LOCAL_POT:
    b.local_pct = v;
    break;
  case MDT_SWEEP_CENTRAL_MONTH:
    b.central_month = (int)v;
    break;
  }
  mdt_allocation_result res;
  mdt_microsim_report *rep = NULL;
  mdt_microsim_spread spread;
  char reason[MDT_BINDING_SIZE];
  mdt_status st = solve_point(a, &b, &sp, &res, reason, sizeof reason, err);
  if (st == MDT_OK)
    st = mdt__microsim_apply_cells(mdt__allocator_cells(a), w, &res.settlement, x->ro, &rep,
                                   err);
  if (st == MDT_OK)
    st = mdt__microsim_spread_cells(mdt__allocator_cells(a), w, &res.settlement, x->ro, &spread,
                                    err);
  if (st != MDT_OK) {
    mdt_microsim_report_free(rep);
    char msg[sizeof err->message];
    snprintf(msg, sizeof msg, "sweep of %s at %g: %.600s", mdt_sweep_name(x->setting), v,
             err ? err->message : "");
    if (err)
      memcpy(err->message, msg, sizeof msg);
    return st;
  }
  mdt_sweep *s = x->s;
  size_t G = s->ngroups;
  mdt_sweep_point *p = &s->points[k];
  p->value = v;
  p->feasible = res.feasible;
  p->attainable = mdt_tradeoff_binding(&res, &sp, rep, x->ctx->groups, reason, p->binding,
                                       sizeof p->binding);
  p->scalar = res.scalar;
  p->total_growth_pct = rep->total.annual_growth_pct;
  p->satisfaction = mdt_tradeoff_satisfaction(x->ctx, rep);
  p->low_pay_ratio_pct = spread.low_pay_ratio_pct;
  p->real_fall_share = spread.real_fall_share;
  for (size_t g = 0; g < G; g++) {
    s->group_growth_pct[k * G + g] = rep->groups[g].annual_growth_pct;
    s->group_rise_pct[k * G + g] = rep->groups[g].rise_pct;
  }
  mdt_microsim_report_free(rep);
  return MDT_OK;
}

/* One of n independent items (a sweep point, a draw of the mandate) solved on a and w. */
typedef mdt_status (*twin_item_fn)(void *arg, mdt_allocator *a, mdt_microsim_work *w, size_t k,
                                   mdt_error *err);

/* Items 1..n - 1 on two threads: part 0 on the caller's allocator and work area, part 1 on
 * their twins; each takes the next item left. Each item is solved alone, so it is the same
 * whichever part solves it; each part stops at its first failure, and the first failing item
 * of all is the earliest of those. */
typedef struct {
  twin_item_fn fn;
  void *arg;
  mdt_allocator *a[2];
  mdt_microsim_work *w[2];
  size_t n;
  atomic_size_t next;
  size_t failed_at[2]; /* n: none */
  mdt_status st[2];
  mdt_error err[2];
} twin_job;

static void twin_part(void *arg, int part, int nparts) {
  (void)nparts;
  twin_job *job = arg;
  job->failed_at[part] = job->n;
  job->st[part] = MDT_OK;
  for (;;) {
    size_t k = atomic_fetch_add_explicit(&job->next, 1, memory_order_relaxed);
    if (k >= job->n)
      return;
    mdt_status st = job->fn(job->arg, job->a[part], job->w[part], k, &job->err[part]);
    if (st != MDT_OK) {
      job->failed_at[part] = k;
      job->st[part] = st;
      return;
    }
  }
}

static mdt_status twin_rest(mdt_allocator *a, mdt_microsim_work *w, size_t n, twin_item_fn fn,
                            void *arg, mdt_error *err) {
  twin_job *job = calloc(1, sizeof *job);
  if (job == NULL)
    return mdt_error_set(err, MDT_ENOMEM, "out of memory");
  job->fn = fn;
  job->arg = arg;
  job->a[0] = a;
  job->w[0] = w;
  job->n = n;
  atomic_init(&job->next, 1);
  mdt_status st = mdt__work_twin(w, &job->w[1], err);
  if (st == MDT_OK)
    st = mdt__allocator_twin(job->w[1], a, &job->a[1], err);
  if (st == MDT_OK) {
    mdt__run_parts(2, twin_part, job);
    int first = job->failed_at[0] <= job->failed_at[1] ? 0 : 1;
    if (job->failed_at[first] < n) {
      st = job->st[first];
      if (err)
        *err = job->err[first];
    }
  }
  mdt_allocator_free(job->a[1]);
  mdt_microsim_work_free(job->w[1]);
  free(job);
  return st;
}

/* Items 0..n - 1 in turn, or with more than one thread item 0 (which builds the work area's
 * step index and pay percentiles for the twin to share) and then the rest on two. Returns
 * the first failing item's error. */
static mdt_status run_items(mdt_allocator *a, mdt_microsim_work *w, size_t n, twin_item_fn fn,
                            void *arg, mdt_error *err) {
  mdt_status st = MDT_OK;
  if (w->threads > 1 && n > 2) {
    if ((st = fn(arg, a, w, 0, err)) == MDT_OK)
      st = twin_rest(a, w, n, fn, arg, err);
    return st;
  }
  for (size_t k = 0; k < n && st == MDT_OK; k++)
    st = fn(arg, a, w, k, err);
  return st;
}

mdt_status mdt_sweep_run(mdt_allocator *a, mdt_microsim_work *w, const mdt_settlement *base,
                         const mdt_allocation *spec, mdt_sweep_setting setting,
                         const double *values, size_t n, const mdt_sweep_context *ctx,
                         mdt_sweep **out, mdt_error *err) {
  *out = NULL;
  size_t G = mdt_microsim_ngroups(mdt_microsim_work_sim(w));
  mdt_sweep *s = calloc(1, sizeof *s);
  if (s == NULL)
    return mdt_error_set(err, MDT_ENOMEM, "out of memory");
  s->setting = setting;
  s->npoints = n;
  s->ngroups = G;
  s->points = calloc(n ? n : 1, sizeof *s->points);
  s->group_growth_pct = calloc((n ? n : 1) * (G ? G : 1), sizeof(double));
  s->group_rise_pct = calloc((n ? n : 1) * (G ? G : 1), sizeof(double));
  if (!s->points || !s->group_growth_pct || !s->group_rise_pct) {
    mdt_sweep_free(s);
    return mdt_error_set(err, MDT_ENOMEM, "out of memory");
  }
  mdt_microsim_report_options ro = *ctx->report;
  ro.percentiles = 0;
  sweep_args x = {base, spec, setting, values, ctx, &ro, s};
  mdt_status st = run_items(a, w, n, sweep_point, &x, err);
  if (st != MDT_OK) {
    mdt_sweep_free(s);
    return st;
  }
  *out = s;
  return MDT_OK;
}

/* The percent of each group in a solved settlement (NaN where no percent applies). */
static void group_pcts(const mdt_allocation_result *res, const mdt_microsim_report *rep,
                       double *pct) {
  for (size_t g = 0; g < rep->ngroups; g++)
    pct[g] = rep->groups[g].covered ? mdt_allocation_group_pct(res, g) : NAN;
}

void mdt_mandate_uncertainty_free(mdt_mandate_uncertainty *u) {
  if (u == NULL)
    return;
  free(u->pct);
  free(u->pct_low);
  free(u->pct_high);
  free(u->growth);
  free(u->growth_low);
  free(u->growth_high);
  free(u);
}


/* Solves spec with profile and reports each group's percent and growth. */
static mdt_status solve_profile(mdt_allocator *a, mdt_microsim_work *w,
                                const mdt_settlement *base, const mdt_allocation *spec,
                                const double *profile, const mdt_microsim_report_options *ro,
                                double *pct, double *growth, int *feasible, mdt_error *err) {
  mdt_allocation sp = *spec;
  sp.profile = profile;
  mdt_allocation_result res;
  mdt_microsim_report *rep = NULL;
  mdt_status st = solve_point(a, base, &sp, &res, NULL, 0, err);
  if (st == MDT_OK)
    st = mdt__microsim_apply_cells(mdt__allocator_cells(a), w, &res.settlement, ro, &rep, err);
  if (st != MDT_OK)
    return st;
  group_pcts(&res, rep, pct);
  for (size_t g = 0; g < rep->ngroups; g++)
    growth[g] = rep->groups[g].annual_growth_pct;
  *feasible = res.feasible;
  mdt_microsim_report_free(rep);
  return MDT_OK;
}

mdt_status mdt__mandate_solve(mdt_allocator *a, mdt_microsim_work *w, const mdt_settlement *base,
                              const mdt_allocation *spec, const double *profile,
                              const mdt_microsim_report_options *ro, double *pct,
                              double *growth, int *feasible, mdt_error *err) {
  mdt_microsim_report_options opt = *ro;
  opt.percentiles = 0;
  return solve_profile(a, w, base, spec, profile, &opt, pct, growth, feasible, err);
}

/* The draws of the mandate's profile, each solved alone (run_items). */
typedef struct {
  const mdt_settlement *base;
  const mdt_allocation *spec;
  const double *profile_draws;
  const mdt_microsim_report_options *ro;
  size_t G;
  double *pd, *gd;
  int *feasible;
} mandate_args;

static mdt_status mandate_item(void *arg, mdt_allocator *a, mdt_microsim_work *w, size_t b,
                               mdt_error *err) {
  const mandate_args *x = arg;
  return mdt__mandate_solve(a, w, x->base, x->spec, &x->profile_draws[b * x->G], x->ro,
                            &x->pd[b * x->G], &x->gd[b * x->G], &x->feasible[b], err);
}

mdt_status mdt_mandate_uncertainty_run(mdt_allocator *a, mdt_microsim_work *w,
                                       const mdt_settlement *base, const mdt_allocation *spec,
                                       const double *profile_draws, size_t ndraws,
                                       double level, const mdt_microsim_report_options *ro,
                                       mdt_mandate_uncertainty **out, mdt_error *err) {
  *out = NULL;
  size_t G = mdt_microsim_ngroups(mdt_microsim_work_sim(w));
  double *pd = malloc((ndraws ? ndraws : 1) * (G ? G : 1) * sizeof *pd);
  double *gd = malloc((ndraws ? ndraws : 1) * (G ? G : 1) * sizeof *gd);
  int *feasible = malloc((ndraws ? ndraws : 1) * sizeof *feasible);
  mdt_status st = MDT_OK;
  size_t infeasible = 0;
  if (pd == NULL || gd == NULL || feasible == NULL)
    st = mdt_error_set(err, MDT_ENOMEM, "out of memory");
  mandate_args x = {base, spec, profile_draws, ro, G, pd, gd, feasible};
  if (st == MDT_OK)
    st = run_items(a, w, ndraws, mandate_item, &x, err);
  for (size_t b = 0; b < ndraws && st == MDT_OK; b++)
    infeasible += !feasible[b];
  if (st == MDT_OK)
    st = mdt__mandate_uncertainty_from(a, w, base, spec, pd, gd, ndraws, infeasible, level, ro,
                                       out, err);
  free(pd);
  free(gd);
  free(feasible);
  return st;
}

mdt_status mdt__mandate_uncertainty_from(mdt_allocator *a, mdt_microsim_work *w,
                                         const mdt_settlement *base, const mdt_allocation *spec,
                                         double *pd, double *gd, size_t ndraws,
                                         size_t infeasible, double level,
                                         const mdt_microsim_report_options *ro,
                                         mdt_mandate_uncertainty **out, mdt_error *err) {
  *out = NULL;
  size_t G = mdt_microsim_ngroups(mdt_microsim_work_sim(w));
  mdt_microsim_report_options opt = *ro;
  opt.percentiles = 0;
  mdt_mandate_uncertainty *u = calloc(1, sizeof *u);
  double *col = malloc((ndraws ? ndraws : 1) * sizeof *col);
  mdt_status st = MDT_OK;
  if (u == NULL || col == NULL) {
    st = mdt_error_set(err, MDT_ENOMEM, "out of memory");
    goto done;
  }
  u->ngroups = G;
  u->ndraws = ndraws;
  u->infeasible = infeasible;
  size_t G1 = G ? G : 1;
  u->pct = malloc(G1 * sizeof(double));
  u->pct_low = malloc(G1 * sizeof(double));
  u->pct_high = malloc(G1 * sizeof(double));
  u->growth = malloc(G1 * sizeof(double));
  u->growth_low = malloc(G1 * sizeof(double));
  u->growth_high = malloc(G1 * sizeof(double));
  if (!u->pct || !u->pct_low || !u->pct_high || !u->growth || !u->growth_low ||
      !u->growth_high) {
    st = mdt_error_set(err, MDT_ENOMEM, "out of memory");
    goto done;
  }
  int feasible;
  st = solve_profile(a, w, base, spec, spec->profile, &opt, u->pct, u->growth, &feasible, err);
  if (st != MDT_OK)
    goto done;
  for (size_t g = 0; g < G; g++) {
    for (size_t b = 0; b < ndraws; b++)
      col[b] = pd[b * G + g];
    mdt__quantile_interval(col, ndraws, level, &u->pct_low[g], &u->pct_high[g]);
    for (size_t b = 0; b < ndraws; b++)
      col[b] = gd[b * G + g];
    mdt__quantile_interval(col, ndraws, level, &u->growth_low[g], &u->growth_high[g]);
  }
done:
  free(col);
  if (st != MDT_OK) {
    mdt_mandate_uncertainty_free(u);
    return st;
  }
  *out = u;
  return MDT_OK;
}

void mdt_region_allocations_free(mdt_region_allocations *r) {
  if (r == NULL)
    return;
  free(r->solved);
  free(r->feasible);
  free(r->pct);
  free(r->growth_pct);
  free(r->national_pct);
  free(r->l1_distance_pp);
  free(r);
}

mdt_status mdt_regions_run(mdt_allocator *a, mdt_microsim_work *w, const mdt_settlement *base,
                           const mdt_allocation *spec, const double *profiles, size_t nregions,
                           const mdt_microsim_report_options *ro,
                           mdt_region_allocations **out, mdt_error *err) {
  *out = NULL;
  size_t G = mdt_microsim_ngroups(mdt_microsim_work_sim(w)), G1 = G ? G : 1, R1 = nregions ? nregions : 1;
  mdt_microsim_report_options opt = *ro;
  opt.percentiles = 0;
  mdt_region_allocations *r = calloc(1, sizeof *r);
  double *growth = malloc(G1 * sizeof *growth);
  if (r == NULL || growth == NULL) {
    free(growth);
    mdt_region_allocations_free(r);
    return mdt_error_set(err, MDT_ENOMEM, "out of memory");
  }
  r->nregions = nregions;
  r->ngroups = G;
  r->solved = calloc(R1, 1);
  r->feasible = calloc(R1, sizeof *r->feasible);
  r->pct = calloc(R1 * G1, sizeof(double));
  r->growth_pct = calloc(R1 * G1, sizeof(double));
  r->national_pct = calloc(G1, sizeof(double));
  r->l1_distance_pp = calloc(R1, sizeof(double));
  mdt_status st = MDT_OK;
  if (!r->solved || !r->feasible || !r->pct || !r->growth_pct || !r->national_pct ||
      !r->l1_distance_pp)
    st = mdt_error_set(err, MDT_ENOMEM, "out of memory");
  int feasible;
  if (st == MDT_OK)
    st = solve_profile(a, w, base, spec, spec->profile, &opt, r->national_pct, growth,
                       &feasible, err);
  for (size_t k = 0; k < nregions && st == MDT_OK; k++) {
    const double *prof = &profiles[k * G];
    int any = 0;
    for (size_t g = 0; g < G; g++)
      any |= isfinite(prof[g]);
    r->l1_distance_pp[k] = NAN;
    for (size_t g = 0; g < G; g++)
      r->pct[k * G + g] = r->growth_pct[k * G + g] = NAN;
    if (!any)
      continue;
    st = solve_profile(a, w, base, spec, prof, &opt, &r->pct[k * G], &r->growth_pct[k * G],
                       &r->feasible[k], err);
    if (st != MDT_OK)
      break;
    r->solved[k] = 1;
    double d = 0;
    for (size_t g = 0; g < G; g++)
      if (isfinite(r->pct[k * G + g]) && isfinite(r->national_pct[g]))
        d += fabs(r->pct[k * G + g] - r->national_pct[g]);
    r->l1_distance_pp[k] = d;
  }
  free(growth);
  if (st != MDT_OK) {
    mdt_region_allocations_free(r);
    return st;
  }
  *out = r;
  return MDT_OK;
}
