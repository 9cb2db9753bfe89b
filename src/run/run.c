/* The run layer: a scenario resolved, computed for each year of its period, and its results
 * turned into tables. See mandat/run.h. */
#include "mandat/run.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/microsim_cells.h"
#include "mandat/response_status.h"
#include "mandat/result_tables.h"
#include "mandat/text_answers.h"
#include "run/run_int.h"
#include "run/shard_int.h"
#include "core/thread.h"

void mdt_run_options_init(mdt_run_options *o) { memset(o, 0, sizeof *o); }

/* Tells the caller what the run does next; MDT_ECANCELED when the caller wants it to stop. */
static mdt_status step(const mdt_run_options *o, const char *what) {
  if (o->cancel != NULL && o->cancel(o->user))
    return MDT_ECANCELED;
  if (o->progress != NULL)
    o->progress(o->user, what);
  return MDT_OK;
}

#define STEP(what)                                                                            \
  do {                                                                                        \
    if ((st = step(o, what)) != MDT_OK)                                                       \
      return mdt_error_set(err, st, "the run was cancelled");                                 \
  } while (0)

/* ------------------------------------------------------------------ tables -- */

static mdt_status keep(mdt__table_set *ts, mdt_table *t, mdt_error *err) {
  if (t == NULL)
    return mdt_error_set(err, MDT_ENOMEM, "out of memory building the result tables");
  if (ts->n == MDT__MAX_TABLES) {
    mdt_table_free(t);
    return mdt_error_set(err, MDT_EINTERNAL, "too many result tables");
  }
  ts->t[ts->n++] = t;
  return MDT_OK;
}

static void table_set_free(mdt__table_set *ts) {
  for (size_t k = 0; k < ts->n; k++)
    mdt_table_free(ts->t[k]);
  ts->n = 0;
}

void mdt__year_free(mdt__year *s) {
  table_set_free(&s->tables);
  mdt_region_allocations_free(s->regions);
  mdt_mandate_uncertainty_free(s->mandate);
  mdt_mc_result_free(s->mc);
  for (int k = 0; k < 4; k++)
    mdt_sweep_free(s->sweeps[k]);
  mdt_step_table_free(s->new_guarantee);
  mdt_microsim_report_free(s->rep);
  free(s->res_pct);
  free(s->res_z);
  free(s->res_clamped);
  mdt__pipeline_free(&s->p);
  mdt_aggregate_free(s->agg);
  memset(s, 0, sizeof *s);
}

/* Keeps the solution's per-group arrays in the run's own memory. */
static mdt_status own_solution(mdt__year *s, mdt_error *err) {
  size_t G = s->p.model->groups->n, G1 = G ? G : 1;
  mdt_allocation_result *r = &s->res;
  if (r->pct_by_group) {
    if ((s->res_pct = malloc(G1 * sizeof *s->res_pct)) == NULL)
      return mdt_error_set(err, MDT_ENOMEM, "out of memory");
    memcpy(s->res_pct, r->pct_by_group, G * sizeof *s->res_pct);
    r->pct_by_group = s->res_pct;
    r->settlement.pct_by_group = s->res_pct;
  }
  if (r->z) {
    if ((s->res_z = malloc(G1 * sizeof *s->res_z)) == NULL)
      return mdt_error_set(err, MDT_ENOMEM, "out of memory");
    memcpy(s->res_z, r->z, G * sizeof *s->res_z);
    r->z = s->res_z;
  }
  if (r->clamped) {
    if ((s->res_clamped = malloc(G1)) == NULL)
      return mdt_error_set(err, MDT_ENOMEM, "out of memory");
    memcpy(s->res_clamped, r->clamped, G);
    r->clamped = s->res_clamped;
  }
  return MDT_OK;
}

static mdt_mc_dist mc_dist(const mdt_scenario_dist *d, double frame_value) {
  mdt_mc_dist out = {0, frame_value, 0};
  if (!d->given || d->use_frame)
    return out;
  out.normal = d->normal;
  out.mean = d->value;
  out.sd = d->sd;
  return out;
}

static mdt_status compute(mdt__year *s, const mdt_run_options *o, mdt_error *err) {
  mdt__pipeline *p = &s->p;
  const mdt_scenario *sc = p->sc;
  mdt_status st;
  /* The mandate with its intervals: the pipeline aggregated with the run's bootstrap. */
  s->agg = p->agg;
  p->agg = NULL;
  if (s->agg == NULL && o->scope == MDT_RUN_ALL) {
    STEP("aggregating the answers");
    if ((st = mdt__pipeline_aggregate(p, sc->bootstrap, &s->agg, err)) != MDT_OK)
      return st;
  } else
    STEP("the mandate is in");
  /* The settlement. */
  STEP("solving the settlement");
  st = mdt__pipeline_solve(p, &s->res, err);
  if (st == MDT_EINFEASIBLE) {
    s->infeasible = 1;
    snprintf(s->infeasible_msg, sizeof s->infeasible_msg, "%s", err->message);
    s->infeasible_err = *err;
    st = MDT_OK;
  }
  if (st == MDT_OK)
    st = own_solution(s, err);
  if (st != MDT_OK)
    return st;
  if (p->has_frame && s->res.feasible == 0)
    s->infeasible = 1;
  mdt_microsim_report_options ro;
  mdt__pipeline_report_options(p, &ro);
  if ((st = mdt_microsim_apply(p->work, &s->res.settlement, &ro, &s->rep, err)) != MDT_OK)
    return st;
  if (p->has_frame && s->rep->total.annual_growth_pct > sc->frame_pct + 1e-6)
    s->infeasible = 1;
  if (p->has_frame)
    mdt_tradeoff_binding(&s->res, &p->spec, s->rep, (const char *const *)p->model->groups->id,
                         s->infeasible_msg, s->binding, sizeof s->binding);
  if (p->guarantee != NULL) {
    if ((st = mdt_step_table_new(p->model->groups->n, &s->new_guarantee, err)) != MDT_OK ||
        (st = mdt_microsim_guarantee(p->sim, &s->res.settlement, s->new_guarantee, err)) !=
            MDT_OK)
      return st;
  }
  /* Key figures of the settlement itself, for comparisons between alternatives. */
  /* Per cell where the allocator has the cells index: the same bits as the per-employee
   * pass (microsim_cells.h), and the low- and high-paid it gathers serve the sweeps too. */
  if ((st = mdt__microsim_spread_cells(mdt__allocator_cells(p->alloc), p->work,
                                       &s->res.settlement, &ro, &s->spread, err)) != MDT_OK)
    return st;
  s->satisfaction = NAN;
  if (s->agg != NULL) {
    mdt_sweep_context sc1 = {&ro, s->agg->nmembers, s->agg->top_group, s->agg->weights, NULL};
    s->satisfaction = mdt_tradeoff_satisfaction(&sc1, s->rep);
  }
  if (o->scope == MDT_RUN_SETTLEMENT)
    return MDT_OK;
  /* Sweeps, each point a solved settlement (only with a frame to solve on). */
  STEP("sweeping the settings");
  const mdt_scenario_grid *grids[4] = {&sc->sweep_theta, &sc->sweep_krone_share,
                                       &sc->sweep_local_pot, &sc->sweep_central_month};
  mdt_sweep_context ctx = {&ro, s->agg->nmembers, s->agg->top_group, s->agg->weights,
                           (const char *const *)p->model->groups->id};
  for (int k = 0; k < 4 && p->has_frame; k++) {
    if (grids[k]->n == 0)
      continue;
    if (s->shard != NULL)
      st = mdt__shard_sweep_run(s->shard, p->alloc, p->work, &p->base, &p->spec,
                                (mdt_sweep_setting)k, grids[k]->values, grids[k]->n, &ctx,
                                &s->sweeps[k], err);
    else
      st = mdt_sweep_run(p->alloc, p->work, &p->base, &p->spec, (mdt_sweep_setting)k,
                         grids[k]->values, grids[k]->n, &ctx, &s->sweeps[k], err);
    if (st != MDT_OK)
      return st;
  }
  /* Monte Carlo around the settlement. */
  STEP("Monte Carlo");
  if (sc->draws > 0) {
    mdt_mc_options mo;
    mdt_mc_options_init(&mo);
    mo.draws = sc->draws;
    mo.seed = sc->seed;
    mo.threads = p->threads;
    mo.overheng_pct = mc_dist(&sc->u_overheng, ro.overheng_pct);
    mo.glidning_pct = mc_dist(&sc->u_glidning, ro.glidning_pct);
    mo.price_pct = mc_dist(&sc->u_price, isnan(ro.price_forecast_pct) ? 0 : ro.price_forecast_pct);
    mo.drift_pct = mc_dist(&sc->u_headcount_drift, 0);
    mo.frame_pct = p->has_frame ? sc->frame_pct : NAN;
    st = s->shard != NULL ? mdt__shard_mc_run(s->shard, s->rep, &mo, &s->mc, err)
                          : mdt_mc_run(s->rep, &mo, &s->mc, err);
    if (st != MDT_OK)
      return st;
  }
  /* The mandate's uncertainty carried into the priority allocation. */
  STEP("the mandate's uncertainty");
  if (sc->u_mandate && p->has_frame && p->spec.rule == MDT_RULE_PRIORITY &&
      (s->agg->profile_draws != NULL || s->shard != NULL)) {
    mdt_allocation spec = p->spec;
    spec.profile = s->agg->profiles[0].priority;
    if (s->shard != NULL)
      st = mdt__shard_mandate_run(s->shard, p->alloc, p->work, &p->base, &spec, s->agg,
                                  sc->level, &ro, &s->mandate, err);
    else
      st = mdt_mandate_uncertainty_run(p->alloc, p->work, &p->base, &spec,
                                       s->agg->profile_draws, s->agg->bootstrap, sc->level, &ro,
                                       &s->mandate, err);
    if (st != MDT_OK)
      return st;
  }
  /* Each region's own profile on the same frame. */
  STEP("the regions");
  s->region_column = s->agg->breakdown;
  if (sc->regions && p->has_frame && s->region_column >= 0 && p->model->groups->n > 0) {
    size_t L = s->agg->nstrata, G = s->agg->ngroups;
    double *profiles = malloc((L ? L : 1) * (G ? G : 1) * sizeof *profiles);
    if (profiles == NULL)
      return mdt_error_set(err, MDT_ENOMEM, "out of memory");
    for (size_t l = 0; l < L; l++)
      memcpy(&profiles[l * G], s->agg->profiles[1 + l].priority, G * sizeof *profiles);
    mdt_allocation spec = p->spec;
    if (spec.rule != MDT_RULE_PRIORITY)
      spec.rule = MDT_RULE_PRIORITY; /* a region's mandate speaks through the priority rule */
    spec.profile = s->agg->profiles[0].priority;
    st = s->shard != NULL ? mdt__shard_regions_run(s->shard, p->alloc, p->work, &p->base, &spec,
                                                   profiles, L, &ro, &s->regions, err)
                          : mdt_regions_run(p->alloc, p->work, &p->base, &spec, profiles, L,
                                            &ro, &s->regions, err);
    free(profiles);
    if (st != MDT_OK)
      return st;
  }
  return MDT_OK;
}

/* The settlement's key figures in one table: what `mandat compare` sets side by side. */
static mdt_table *indicators_table(const mdt__year *s) {
  static const char *const names[] = {"indicator", "value"};
  static const mdt_col_kind kinds[] = {MDT_COL_TEXT, MDT_COL_NUMBER};
  mdt_table *t = NULL;
  mdt_error err;
  if (mdt_table_new("indicators", "The settlement's key figures", 2, names, kinds, &t, &err) !=
      MDT_OK)
    return NULL;
  const mdt_microsim_row *tot = &s->rep->total;
  const struct {
    const char *name;
    double v;
  } rows[] = {
      {"annual_growth_pct", tot->annual_growth_pct},
      {"real_growth_pct", tot->real_growth_pct},
      {"annual_effect_pct", tot->annual_effect_pct},
      {"cost_nok", tot->cost_nok},
      {"carryover_pct", tot->carryover_pct},
      {"carryover_nok", tot->carryover_nok},
      {"satisfaction", s->satisfaction},
      {"low_pay_ratio_pct", s->spread.low_pay_ratio_pct},
      {"real_fall_share", s->spread.real_fall_share},
      {"p_growth_above_frame", s->mc != NULL ? s->mc->p_above_frame : NAN},
  };
  for (size_t k = 0; k < sizeof rows / sizeof rows[0]; k++) {
    long r = mdt_table_add_row(t);
    if (r < 0 || mdt_table_set_text(t, (size_t)r, 0, rows[k].name) != 0) {
      mdt_table_free(t);
      return NULL;
    }
    mdt_table_set_num(t, (size_t)r, 1, rows[k].v);
  }
  return t;
}

static mdt_status build_tables(mdt__year *s, mdt_error *err) {
  mdt__pipeline *p = &s->p;
  const mdt_groups *g = p->model->groups;
  mdt__table_set *ts = &s->tables;
  mdt_report_context rctx = {p->model->respondents, p->model->questionnaire, g, &p->agg_opt,
                             NULL};
  mdt_settlement_context sctx;
  mdt__pipeline_settlement_context(p, &sctx);
  mdt_status st;
  if (s->agg != NULL &&
      ((st = keep(ts, mdt_tables_profile(s->agg, &rctx), err)) ||
       (s->agg->nstrata > 0 && (st = keep(ts, mdt_tables_profile_strata(s->agg, &rctx), err))) ||
       (st = keep(ts, mdt_tables_aggregate(s->agg, &rctx), err))))
    return st;
  if ((st = keep(ts, mdt_tables_frame(s->rep, &s->res.settlement, p->nnamed_given, g,
                                      p->has_frame ? p->sc->frame_pct : NAN),
                 err)) ||
      (st = keep(ts, mdt_tables_settlement(s->rep, &s->res, &sctx), err)) ||
      (st = keep(ts, mdt_tables_exchange(s->rep, g), err)) ||
      (st = keep(ts, indicators_table(s), err)))
    return st;
  /* Who has answered (and who not), and what they wrote, for the regional process. */
  if (s->agg != NULL && s->agg->answered != NULL) {
    mdt_table *status = NULL, *missing = NULL;
    const char *by = mdt_respondents_grouping_index(p->model->respondents,
                                                    p->sc->region_column) >= 0
                         ? p->sc->region_column
                         : NULL;
    if ((st = mdt_response_status_tables(p->model, s->agg->answered, by, &status, &missing,
                                         err)) != MDT_OK)
      return st;
    if ((st = keep(ts, status, err)) != MDT_OK) {
      mdt_table_free(missing);
      return st;
    }
    if ((st = keep(ts, missing, err)) != MDT_OK)
      return st;
  }
  if (s->agg != NULL && s->agg->breakdown >= 0 &&
      s->agg->breakdown ==
          mdt_respondents_grouping_index(p->model->respondents, p->sc->region_column) &&
      (st = keep(ts, mdt__regions_side_by_side(s), err)) != MDT_OK)
    return st;
  if (p->model->text_answers != NULL) {
    mdt_table *text = NULL;
    long grouping = mdt_respondents_grouping_index(p->model->respondents, p->sc->region_column);
    if ((st = mdt_text_answers_table(p->model->text_answers, p->model->respondents,
                                     p->model->questionnaire, grouping, -1, -1, &text, err)) !=
            MDT_OK ||
        (st = keep(ts, text, err)) != MDT_OK)
      return st;
  }
  if (p->guarantee != NULL &&
      (st = keep(ts, mdt_tables_guarantee(p->guarantee, s->new_guarantee, g), err)))
    return st;
  mdt_table *summary = NULL;
  for (int k = 0; k < 4; k++) {
    if (s->sweeps[k] == NULL)
      continue;
    if ((st = keep(ts, mdt_tables_sweep(s->sweeps[k], s->rep, g), err)))
      return st;
    if (summary == NULL && (st = keep(ts, summary = mdt_tables_sweep_summary(), err)))
      return st;
    if (mdt_tables_sweep_summary_add(summary, s->sweeps[k]) != 0)
      return mdt_error_set(err, MDT_ENOMEM, "out of memory");
  }
  if (s->mc != NULL &&
      ((st = keep(ts, mdt_tables_uncertainty(s->mc, p->has_frame ? p->sc->frame_pct : NAN), err)) ||
       (st = keep(ts, mdt_tables_uncertainty_groups(s->mc, s->rep, g), err)) ||
       (st = keep(ts, mdt_tables_growth_distribution(s->mc), err))))
    return st;
  if (s->mandate != NULL &&
      (st = keep(ts, mdt_tables_mandate_uncertainty(s->mandate, s->rep, g), err)))
    return st;
  if (s->regions != NULL) {
    const mdt_grouping *reg = &p->model->respondents->groupings[s->region_column];
    if ((st = keep(ts, mdt_tables_regions(s->regions, reg, s->agg), err)) ||
        (st = keep(ts, mdt_tables_region_allocations(s->regions, reg, s->rep, g), err)))
      return st;
  }
  return MDT_OK;
}
/* ----------------------------------------------------------------- period -- */

/* A copy of a step table (year two starts from year one's new guarantee). */
static mdt_status copy_table(const mdt_step_table *t, mdt_step_table **out, mdt_error *err) {
  mdt_status st = mdt_step_table_new(t->ngroups, out, err);
  for (size_t g = 0; g < t->ngroups && st == MDT_OK; g++)
    for (size_t k = 0; k < t->nsteps[g] && st == MDT_OK; k++)
      st = mdt_step_table_set(*out, g, t->years[g * MDT_STEPS_MAX + k],
                              t->nok[g * MDT_STEPS_MAX + k], err);
  if (st != MDT_OK) {
    mdt_step_table_free(*out);
    *out = NULL;
  }
  return st;
}

/* What year two takes over from year one: the register a year later, the new guarantee
 * table and each group's carry-over as its overheng. */
static mdt_status year_two_args(mdt__year *s1, mdt__pipeline_args *a, mdt_error *err) {
  mdt__pipeline *p = &s1->p;
  mdt_microsim_report_options ro;
  mdt__pipeline_report_options(p, &ro);
  ro.percentiles = 0;
  mdt_status st = mdt_microsim_next_year(p->work, p->reg, &s1->res.settlement, &ro, &a->reg,
                                         err);
  if (st == MDT_OK && s1->new_guarantee != NULL)
    st = copy_table(s1->new_guarantee, &a->guarantee, err);
  if (st != MDT_OK)
    return st;
  size_t G = s1->rep->ngroups;
  if ((a->overheng_pct = malloc((G ? G : 1) * sizeof *a->overheng_pct)) == NULL)
    return mdt_error_set(err, MDT_ENOMEM, "out of memory");
  for (size_t k = 0; k < G; k++)
    a->overheng_pct[k] = s1->rep->groups[k].carryover_pct;
  a->year = 2;
  return MDT_OK;
}

/* The period: per group and in total, each year's growth and real growth, the period's
 * (compounded), and the carry-over out of each year. */
static mdt_table *period_table(const mdt__year *y1, const mdt__year *y2) {
  static const char *const names[] = {
      "group", "name", "year1_growth_pct", "year2_growth_pct", "period_growth_pct",
      "year1_real_growth_pct", "year2_real_growth_pct", "period_real_growth_pct",
      "year1_carryover_pct", "year1_carryover_nok", "year2_overheng_pct",
      "year2_carryover_pct", "year2_carryover_nok"};
  static const mdt_col_kind kinds[] = {MDT_COL_TEXT, MDT_COL_TEXT, MDT_COL_PCT, MDT_COL_PCT,
                                       MDT_COL_PCT,  MDT_COL_PCT,  MDT_COL_PCT, MDT_COL_PCT,
                                       MDT_COL_PCT,  MDT_COL_NOK,  MDT_COL_PCT, MDT_COL_PCT,
                                       MDT_COL_NOK};
  mdt_table *t = NULL;
  mdt_error err;
  if (mdt_table_new("period", "The settlement period: both years and the two together", 13,
                    names, kinds, &t, &err) != MDT_OK)
    return NULL;
  const mdt_groups *g = y1->p.model->groups;
  const mdt_microsim_report *a = y1->rep, *b = y2->rep;
  for (size_t k = 0; k <= a->ngroups; k++) {
    const mdt_microsim_row *r1 = k < a->ngroups ? &a->groups[k] : &a->total;
    const mdt_microsim_row *r2 = k < b->ngroups ? &b->groups[k] : &b->total;
    long r = mdt_table_add_row(t);
    if (r < 0 || mdt_table_set_text(t, (size_t)r, 0, k < a->ngroups ? g->id[k] : "total") ||
        mdt_table_set_text(t, (size_t)r, 1, k < a->ngroups ? g->name[k] : "")) {
      mdt_table_free(t);
      return NULL;
    }
    if (r1->employees < MDT_REPORT_MIN_EMPLOYEES)
      continue;
    double g1 = r1->annual_growth_pct, g2 = r2->annual_growth_pct;
    double q1 = r1->real_growth_pct, q2 = r2->real_growth_pct;
    const double v[] = {g1, g2, ((1 + g1 / 100) * (1 + g2 / 100) - 1) * 100, q1, q2,
                        ((1 + q1 / 100) * (1 + q2 / 100) - 1) * 100, r1->carryover_pct,
                        r1->carryover_nok, r2->overheng_pct, r2->carryover_pct,
                        r2->carryover_nok};
    for (size_t c = 0; c < sizeof v / sizeof v[0]; c++)
      mdt_table_set_num(t, (size_t)r, 2 + c, v[c]);
  }
  return t;
}


/* ------------------------------------------------------------------ the run -- */

static void note_fn(void *user, const char *message) {
  const mdt_run_options *o = user;
  if (o->note != NULL)
    o->note(o->user, message);
}

static char *dup_opt(const char *s, int *nomem) {
  if (s == NULL)
    return NULL;
  char *d = strdup(s);
  if (d == NULL)
    *nomem = 1;
  return d;
}

/* Loads one year into y. args' register and guarantee are taken over, also on failure. */
static mdt_status open_year(mdt_run *run, mdt__year *y, mdt__pipeline_args *args,
                            mdt_error *err) {
  y->shard = run->shard[args->year > 1 ? 1 : 0];
  args->boot_raw = mdt__shard_boot(y->shard);
  mdt_status st = mdt__pipeline_load(&y->p, args, err);
  if (st == MDT_OK && run->seed != NULL)
    st = mdt_scenario_set(y->p.sc, "run", "seed", run->seed, err);
  if (st == MDT_OK && run->lang != NULL) {
    if (strcmp(run->lang, "en") != 0 && strcmp(run->lang, "nb") != 0)
      return mdt_error_set(err, MDT_EUSAGE, "expected the language en or nb, found '%s'",
                           run->lang);
    memcpy(y->p.sc->lang, run->lang, 3);
  }
  if (st == MDT_OK && run->csv != NULL)
    st = mdt_scenario_set(y->p.sc, "output", "csv", run->csv, err);
  if (st == MDT_OK) {
    y->p.agg_opt.seed = y->p.sc->seed;
    for (int k = 0; k < y->p.nnotes; k++) {
      char msg[600];
      snprintf(msg, sizeof msg, "note: %s", y->p.notes[k]);
      note_fn(&run->opt, msg);
    }
  }
  return st;
}

static void base_args(const mdt_run *run, mdt__pipeline_args *a) {
  memset(a, 0, sizeof *a);
  a->scenario_path = run->scenario_path;
  a->model_dir = run->model_dir;
  a->rule = run->rule;
  a->seed = run->seed;
  a->threads = run->opt.threads;
  a->bootstrap = run->opt.scope == MDT_RUN_ALL;
  a->log = note_fn;
  a->log_user = (void *)&run->opt;
}

mdt_status mdt_run_open(const mdt_run_options *o, mdt_run **out, mdt_error *err) {
  return mdt__run_open(o, NULL, out, err);
}

mdt_status mdt__run_open(const mdt_run_options *o, mdt__shard_year *shard[2], mdt_run **out,
                         mdt_error *err) {
  if (o == NULL || out == NULL)
    return mdt_error_set(err, MDT_EUSAGE, "mdt_run_open: no %s given",
                         o == NULL ? "options" : "result");
  mdt_run *run = calloc(1, sizeof *run);
  if (run == NULL)
    return mdt_error_set(err, MDT_ENOMEM, "out of memory");
  run->opt = *o;
  if (shard != NULL) {
    run->shard[0] = shard[0];
    run->shard[1] = shard[1];
  }
  int nomem = 0;
  run->scenario_path = dup_opt(o->scenario_path, &nomem);
  run->model_dir = dup_opt(o->model_dir, &nomem);
  run->rule = dup_opt(o->rule, &nomem);
  run->seed = dup_opt(o->seed, &nomem);
  run->lang = dup_opt(o->lang, &nomem);
  run->csv = dup_opt(o->csv, &nomem);
  if (nomem) {
    mdt_run_free(run);
    return mdt_error_set(err, MDT_ENOMEM, "out of memory");
  }
  mdt_status st = step(o, "loading the scenario and the model");
  if (st != MDT_OK) {
    mdt_run_free(run);
    return mdt_error_set(err, st, "the run was cancelled");
  }
  mdt__pipeline_args a;
  base_args(run, &a);
  if ((st = open_year(run, &run->years[0], &a, err)) != MDT_OK) {
    mdt_run_free(run);
    return st;
  }
  run->nyears = run->years[0].p.sc->period_years == 2 ? 2 : 1;
  *out = run;
  return MDT_OK;
}

const mdt_scenario *mdt_run_scenario(const mdt_run *run) {
  return run != NULL && run->nyears > 0 ? run->years[0].p.sc : NULL;
}

void mdt_run_free(mdt_run *run) {
  if (run == NULL)
    return;
  for (int k = 0; k < 2; k++)
    mdt__year_free(&run->years[k]);
  free(run->scenario_path);
  free(run->model_dir);
  free(run->rule);
  free(run->seed);
  free(run->lang);
  free(run->csv);
  free(run);
}

/* The years' per-employee structures (the register, the microsim, its work area and the
 * allocator with its cells index), which nothing reads once the tables are built: with more
 * than one thread they are freed on a thread of their own (at 10x ~0.07 s of unmapping),
 * which waits for its go (mdt__result_release): mdt_output_write gives it once the tables
 * are written and the workbook's thread alone is busy, so that the freeing takes the core
 * the tables leave rather than half the workbook's; mdt_result_free gives it and waits. */
struct mdt__releaser {
  pthread_t tid;
  pthread_mutex_t mu;
  pthread_cond_t cv;
  int go;
  int n;
  mdt_allocator *alloc[2];
  mdt_microsim_work *work[2];
  mdt_microsim *sim[2];
  mdt_register *reg[2];
};

static void *release_main(void *arg) {
  struct mdt__releaser *b = arg;
  pthread_mutex_lock(&b->mu);
  while (!b->go)
    pthread_cond_wait(&b->cv, &b->mu);
  pthread_mutex_unlock(&b->mu);
  for (int k = 0; k < b->n; k++) {
    mdt_allocator_free(b->alloc[k]);
    mdt_microsim_work_free(b->work[k]);
    mdt_microsim_free(b->sim[k]);
    mdt_register_free(b->reg[k]);
  }
  return NULL;
}

/* Starts freeing the years' per-employee structures on a thread of its own; NULL (and
 * nothing taken) when it cannot start: they are then freed with the years. */
static struct mdt__releaser *release_start(mdt__year *years, int n) {
  struct mdt__releaser *b = calloc(1, sizeof *b);
  if (b == NULL)
    return NULL;
  b->n = n;
  for (int k = 0; k < n; k++) {
    b->alloc[k] = years[k].p.alloc;
    b->work[k] = years[k].p.work;
    b->sim[k] = years[k].p.sim;
    b->reg[k] = years[k].p.reg;
  }
  if (pthread_mutex_init(&b->mu, NULL) != 0) {
    free(b);
    return NULL;
  }
  if (pthread_cond_init(&b->cv, NULL) != 0) {
    pthread_mutex_destroy(&b->mu);
    free(b);
    return NULL;
  }
  if (mdt__thread_create(&b->tid, release_main, b) != 0) {
    pthread_cond_destroy(&b->cv);
    pthread_mutex_destroy(&b->mu);
    free(b);
    return NULL;
  }
  for (int k = 0; k < n; k++) {
    years[k].p.alloc = NULL;
    years[k].p.work = NULL;
    years[k].p.sim = NULL;
    years[k].p.reg = NULL;
  }
  return b;
}

void mdt__result_release(const mdt_result *r) {
  struct mdt__releaser *b = r != NULL ? r->releaser : NULL;
  if (b == NULL)
    return;
  pthread_mutex_lock(&b->mu);
  b->go = 1;
  pthread_cond_signal(&b->cv);
  pthread_mutex_unlock(&b->mu);
}

void mdt_result_free(mdt_result *r) {
  if (r == NULL)
    return;
  if (r->releaser != NULL) {
    mdt__result_release(r);
    pthread_join(r->releaser->tid, NULL);
    pthread_cond_destroy(&r->releaser->cv);
    pthread_mutex_destroy(&r->releaser->mu);
    free(r->releaser);
  }
  for (int k = 0; k < 2; k++)
    mdt__year_free(&r->years[k]);
  mdt_table_free(r->period);
  free(r->scenario_path);
  free(r->shards_json);
  free(r);
}

mdt_status mdt_run_compute(mdt_run *run, mdt_result **out, mdt_error *err) {
  if (run == NULL || out == NULL)
    return mdt_error_set(err, MDT_EUSAGE, "mdt_run_compute: no %s given",
                         run == NULL ? "run" : "result");
  if (run->computed)
    return mdt_error_set(err, MDT_EUSAGE, "mdt_run_compute: this run has been computed");
  const mdt_run_options *o = &run->opt;
  /* A shard computes its slice only: it has no tables to build. */
  int tables = mdt__shard_tables(run->shard[0]);
  if (tables) /* the manifest's digests, while the year computes */
    mdt__pipeline_start_digests(&run->years[0].p);
  mdt_status st = compute(&run->years[0], o, err);
  if (st == MDT_OK && run->nyears == 2) {
    /* The interim settlement: year two starts where year one ends. */
    mdt__pipeline_args a;
    base_args(run, &a);
    st = year_two_args(&run->years[0], &a, err);
    if (st == MDT_OK && (st = step(o, "loading year two")) != MDT_OK)
      st = mdt_error_set(err, st, "the run was cancelled");
    if (st == MDT_OK) {
      st = open_year(run, &run->years[1], &a, err);
      a.reg = NULL; /* taken over */
      a.guarantee = NULL;
    }
    mdt_register_free(a.reg);
    mdt_step_table_free(a.guarantee);
    free(a.overheng_pct);
    if (st == MDT_OK && tables)
      mdt__pipeline_start_digests(&run->years[1].p);
    if (st == MDT_OK)
      st = compute(&run->years[1], o, err);
  }
  /* Small groups are suppressed (complementarily) once everything is computed, before any
   * table is made of them: year two has taken year one's carry-over by then. */
  for (int y = 0; y < run->nyears && st == MDT_OK && tables; y++) {
    mdt__year *yr = &run->years[y];
    st = mdt__pipeline_suppress(&yr->p, yr->rep, &yr->res, err);
    if (st == MDT_OK)
      st = build_tables(yr, err);
  }
  if (st != MDT_OK)
    return st;
  mdt_result *r = calloc(1, sizeof *r);
  if (r == NULL)
    return mdt_error_set(err, MDT_ENOMEM, "out of memory");
  r->nyears = run->nyears;
  r->first_year = run->years[0].p.sc->first_year;
  if (run->scenario_path != NULL && (r->scenario_path = strdup(run->scenario_path)) == NULL) {
    free(r);
    return mdt_error_set(err, MDT_ENOMEM, "out of memory");
  }
  if (run->nyears == 2 && tables &&
      (r->period = period_table(&run->years[0], &run->years[1])) == NULL) {
    free(r->scenario_path);
    free(r);
    return mdt_error_set(err, MDT_ENOMEM, "out of memory building the period table");
  }
  if (tables && run->years[0].p.threads > 1)
    r->releaser = release_start(run->years, run->nyears);
  /* The result takes the years over; the run is spent. */
  for (int k = 0; k < 2; k++) {
    r->years[k] = run->years[k];
    memset(&run->years[k], 0, sizeof run->years[k]);
  }
  run->computed = 1;
  *out = r;
  return MDT_OK;
}

/* ---------------------------------------------------------------- results -- */

static const mdt__year *year_of(const mdt_result *r, size_t y) {
  return r != NULL && y < (size_t)r->nyears ? &r->years[y] : NULL;
}

const mdt_groups *mdt_result_groups(const mdt_result *r) {
  return r != NULL && r->nyears > 0 ? r->years[0].p.model->groups : NULL;
}

size_t mdt_result_years(const mdt_result *r) { return r != NULL ? (size_t)r->nyears : 0; }

int mdt_result_year_label(const mdt_result *r, size_t y) {
  return r != NULL ? r->first_year + (int)y : 0;
}

const mdt_scenario *mdt_result_scenario(const mdt_result *r, size_t y) {
  const mdt__year *yr = year_of(r, y);
  return yr != NULL ? yr->p.sc : NULL;
}

size_t mdt_result_ntables(const mdt_result *r, size_t y) {
  const mdt__year *yr = year_of(r, y);
  return yr != NULL ? yr->tables.n : 0;
}

const mdt_table *mdt_result_table(const mdt_result *r, size_t y, size_t k) {
  const mdt__year *yr = year_of(r, y);
  return yr != NULL && k < yr->tables.n ? yr->tables.t[k] : NULL;
}

const mdt_table *mdt_result_find(const mdt_result *r, size_t y, const char *name) {
  const mdt__year *yr = year_of(r, y);
  for (size_t k = 0; yr != NULL && name != NULL && k < yr->tables.n; k++)
    if (strcmp(yr->tables.t[k]->name, name) == 0)
      return yr->tables.t[k];
  return NULL;
}

const mdt_table *mdt_result_period(const mdt_result *r) { return r != NULL ? r->period : NULL; }

const mdt_microsim_report *mdt_result_report(const mdt_result *r, size_t y) {
  const mdt__year *yr = year_of(r, y);
  return yr != NULL ? yr->rep : NULL;
}

const mdt_allocation_result *mdt_result_solution(const mdt_result *r, size_t y) {
  const mdt__year *yr = year_of(r, y);
  return yr != NULL ? &yr->res : NULL;
}

const mdt_step_table *mdt_result_new_guarantee(const mdt_result *r, size_t y) {
  const mdt__year *yr = year_of(r, y);
  return yr != NULL ? yr->new_guarantee : NULL;
}

void mdt_result_settlement_context(const mdt_result *r, size_t y, mdt_settlement_context *ctx) {
  const mdt__year *yr = year_of(r, y);
  if (yr != NULL) {
    mdt__pipeline_settlement_context(&yr->p, ctx);
    ctx->lang = yr->p.sc->lang;
    if (yr->p.has_frame)
      ctx->binding = yr->binding;
  } else
    memset(ctx, 0, sizeof *ctx);
}

int mdt_result_infeasible_error(const mdt_result *r, size_t y, mdt_error *err) {
  const mdt__year *yr = year_of(r, y);
  if (yr == NULL || !yr->infeasible)
    return 0;
  if (err != NULL) {
    if (yr->infeasible_err.status == MDT_EINFEASIBLE)
      *err = yr->infeasible_err;
    else
      mdt_error_set(err, MDT_EINFEASIBLE, "%s",
                    yr->infeasible_msg[0] ? yr->infeasible_msg
                                          : "the settlement exceeds the frame or a bound "
                                            "cannot be met");
  }
  return 1;
}

int mdt_result_infeasible(const mdt_result *r, size_t y, const char **why) {
  const mdt__year *yr = year_of(r, y);
  if (why != NULL)
    *why = yr != NULL && yr->infeasible && yr->infeasible_msg[0] ? yr->infeasible_msg : NULL;
  return yr != NULL && yr->infeasible;
}

size_t mdt_result_nnotes(const mdt_result *r, size_t y) {
  const mdt__year *yr = year_of(r, y);
  return yr != NULL ? (size_t)yr->p.nnotes : 0;
}

const char *mdt_result_note(const mdt_result *r, size_t y, size_t k) {
  const mdt__year *yr = year_of(r, y);
  return yr != NULL && k < (size_t)yr->p.nnotes ? yr->p.notes[k] : NULL;
}
