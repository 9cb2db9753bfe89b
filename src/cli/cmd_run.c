/* mandat run: everything a scenario asks, into one result folder (CSV, JSON, XLSX, manifest). */
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/outdir.h"
#include "cli/pipeline.h"
#include "mandat/hash.h"
#include "mandat/result_tables.h"
#include "mandat/tradeoff.h"
#include "mandat/uncertainty.h"
#include "mandat/version.h"
#include "mandat/workbook.h"

static void usage(FILE *fp) {
  fputs("Usage: mandat run SCENARIO.ini --out DIR [OPTIONS]\n"
        "\n"
        "Runs everything the scenario asks for: the weighted mandate with bootstrap\n"
        "intervals, the frame, the settlement solved on it, exchange rates between groups,\n"
        "sweeps, Monte Carlo uncertainty and each region's own allocation. Writes DIR with one\n"
        "CSV per result, report.json, report.xlsx (one sheet per result, with charts) and\n"
        "manifest.json (version, SHA-256 of every input, seed, settings). DIR is written\n"
        "beside its target and swapped into place only when complete: a failed or killed run\n"
        "leaves the previous result as it was.\n"
        "\n"
        "  --out DIR         the result folder (required)\n"
        "  --threads N       threads (default: the scenario's, else all cores); the results do\n"
        "                    not depend on it\n"
        "  --seed N          override the scenario's [run] seed\n"
        "  --lang en|nb      labels of the workbook (default: the scenario's, else en)\n"
        "  --strict          exit 1 when the settlement exceeds the frame or a bound cannot be\n"
        "                    met (the results are still written)\n"
        "  --lock FILE       hold FILE locked while running; another run then exits 75 at once\n"
        "  --quiet           no summary, log lines or progress\n"
        "  --help            this text\n"
        "\n"
        "Exit status: 0 ok, 1 a --strict check failed, 2 usage, 65 bad data, 66 missing input,\n"
        "70 internal error, 73 cannot write output, 75 lock held.\n"
        "\n"
        "Example:\n"
        "  mandat run models/ks-2024/scenario.ini --out result\n",
        fp);
}

enum { OPT_OUT = 256, OPT_THREADS, OPT_SEED, OPT_LANG, OPT_STRICT, OPT_LOCK, OPT_QUIET, OPT_HELP };

static const struct option long_options[] = {
    {"out", required_argument, NULL, OPT_OUT},
    {"threads", required_argument, NULL, OPT_THREADS},
    {"seed", required_argument, NULL, OPT_SEED},
    {"lang", required_argument, NULL, OPT_LANG},
    {"strict", no_argument, NULL, OPT_STRICT},
    {"lock", required_argument, NULL, OPT_LOCK},
    {"quiet", no_argument, NULL, OPT_QUIET},
    {"help", no_argument, NULL, OPT_HELP},
    {NULL, 0, NULL, 0},
};

/* ---------------------------------------------------------------- progress -- */

typedef struct {
  int bar;      /* stderr is a terminal */
  int step, steps;
} progress;

static void progress_step(progress *p, const char *what) {
  p->step++;
  if (cli_g.quiet)
    return;
  if (p->bar) {
    int width = 30, done = p->steps ? p->step * width / p->steps : width;
    fprintf(stderr, "\r[");
    for (int k = 0; k < width; k++)
      fputc(k < done ? '#' : '.', stderr);
    fprintf(stderr, "] %d/%d %-40.40s", p->step, p->steps, what);
    fflush(stderr);
  } else
    cli_log("%s", what);
}

static void progress_end(progress *p) {
  if (p->bar && !cli_g.quiet) {
    fprintf(stderr, "\r%80s\r", "");
    fflush(stderr);
  }
  cli_g.bar = 0;
}

/* ------------------------------------------------------------------ tables -- */

#define MAX_TABLES 32

typedef struct {
  mdt_table *t[MAX_TABLES];
  size_t n;
} table_set;

static mdt_status keep(table_set *ts, mdt_table *t, mdt_error *err) {
  if (t == NULL)
    return mdt_error_set(err, MDT_ENOMEM, "out of memory building the result tables");
  if (ts->n == MAX_TABLES) {
    mdt_table_free(t);
    return mdt_error_set(err, MDT_EINTERNAL, "too many result tables");
  }
  ts->t[ts->n++] = t;
  return MDT_OK;
}

static void table_set_free(table_set *ts) {
  for (size_t k = 0; k < ts->n; k++)
    mdt_table_free(ts->t[k]);
  ts->n = 0;
}

/* ------------------------------------------------------------ the results -- */

typedef struct {
  cli_pipeline p;
  mdt_aggregate *agg;              /* with bootstrap intervals */
  mdt_allocation_result res;
  double *res_pct, *res_z;         /* copies of the solution's per-group arrays: the
                                      allocator's own are overwritten by the next solve */
  signed char *res_clamped;
  int infeasible;                  /* the settlement could not meet the room or a bound */
  char infeasible_msg[768];
  mdt_microsim_report *rep;
  mdt_step_table *new_guarantee;
  mdt_sweep *sweeps[4];
  mdt_mc_result *mc;
  mdt_mandate_uncertainty *mandate;
  mdt_region_allocations *regions;
  long region_column;
  table_set tables;
} run_state;

static void run_state_free(run_state *s) {
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
  cli_pipeline_free(&s->p);
  mdt_aggregate_free(s->agg);
}

/* Keeps the solution's per-group arrays in the run's own memory. */
static mdt_status own_solution(run_state *s, mdt_error *err) {
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

static mdt_status compute(run_state *s, progress *pr, mdt_error *err) {
  cli_pipeline *p = &s->p;
  const mdt_scenario *sc = p->sc;
  mdt_status st;
  /* The mandate with its intervals: the pipeline aggregated with the run's bootstrap. */
  s->agg = p->agg;
  p->agg = NULL;
  if (s->agg == NULL) {
    progress_step(pr, "aggregating the answers");
    if ((st = cli_pipeline_aggregate(p, sc->bootstrap, &s->agg, err)) != MDT_OK)
      return st;
  } else
    progress_step(pr, "the mandate is in");
  /* The settlement. */
  progress_step(pr, "solving the settlement");
  st = cli_pipeline_solve(p, &s->res, err);
  if (st == MDT_EINFEASIBLE) {
    s->infeasible = 1;
    snprintf(s->infeasible_msg, sizeof s->infeasible_msg, "%s", err->message);
    st = MDT_OK;
  }
  if (st == MDT_OK)
    st = own_solution(s, err);
  if (st != MDT_OK)
    return st;
  if (p->has_frame && s->res.feasible == 0)
    s->infeasible = 1;
  mdt_microsim_report_options ro;
  cli_report_options(p, &ro);
  if ((st = mdt_microsim_apply(p->work, &s->res.settlement, &ro, &s->rep, err)) != MDT_OK)
    return st;
  if (p->has_frame && s->rep->total.annual_growth_pct > sc->frame_pct + 1e-6)
    s->infeasible = 1;
  if (p->guarantee != NULL) {
    if ((st = mdt_step_table_new(p->model->groups->n, &s->new_guarantee, err)) != MDT_OK ||
        (st = mdt_microsim_guarantee(p->sim, &s->res.settlement, s->new_guarantee, err)) !=
            MDT_OK)
      return st;
  }
  /* Sweeps, each point a solved settlement (only with a frame to solve on). */
  progress_step(pr, "sweeping the settings");
  const mdt_scenario_grid *grids[4] = {&sc->sweep_theta, &sc->sweep_krone_share,
                                       &sc->sweep_local_pot, &sc->sweep_central_month};
  mdt_sweep_context ctx = {&ro, s->agg->nmembers, s->agg->top_group, s->agg->weights};
  for (int k = 0; k < 4 && p->has_frame; k++) {
    if (grids[k]->n == 0)
      continue;
    st = mdt_sweep_run(p->alloc, p->work, &p->base, &p->spec, (mdt_sweep_setting)k,
                       grids[k]->values, grids[k]->n, &ctx, &s->sweeps[k], err);
    if (st != MDT_OK)
      return st;
  }
  /* Monte Carlo around the settlement. */
  progress_step(pr, "Monte Carlo");
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
    if ((st = mdt_mc_run(s->rep, &mo, &s->mc, err)) != MDT_OK)
      return st;
  }
  /* The mandate's uncertainty carried into the priority allocation. */
  progress_step(pr, "the mandate's uncertainty");
  if (sc->u_mandate && p->has_frame && p->spec.rule == MDT_RULE_PRIORITY &&
      s->agg->profile_draws != NULL) {
    mdt_allocation spec = p->spec;
    spec.profile = s->agg->profiles[0].priority;
    st = mdt_mandate_uncertainty_run(p->alloc, p->work, &p->base, &spec, s->agg->profile_draws,
                                     s->agg->bootstrap, sc->level, &ro, &s->mandate, err);
    if (st != MDT_OK)
      return st;
  }
  /* Each region's own profile on the same frame. */
  progress_step(pr, "the regions");
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
    st = mdt_regions_run(p->alloc, p->work, &p->base, &spec, profiles, L, &ro, &s->regions, err);
    free(profiles);
    if (st != MDT_OK)
      return st;
  }
  return MDT_OK;
}

static mdt_status build_tables(run_state *s, mdt_error *err) {
  cli_pipeline *p = &s->p;
  const mdt_groups *g = p->model->groups;
  table_set *ts = &s->tables;
  mdt_report_context rctx = {p->model->respondents, p->model->questionnaire, g, &p->agg_opt};
  mdt_settlement_context sctx;
  cli_settlement_context(p, &sctx);
  mdt_status st;
  if ((st = keep(ts, mdt_tables_profile(s->agg, &rctx), err)) ||
      (s->agg->nstrata > 0 && (st = keep(ts, mdt_tables_profile_strata(s->agg, &rctx), err))) ||
      (st = keep(ts, mdt_tables_aggregate(s->agg, &rctx), err)) ||
      (st = keep(ts, mdt_tables_frame(p->has_frame ? p->sc->frame_pct : NAN, p->overheng_pct,
                                      p->glidning_pct, &s->res),
                 err)) ||
      (st = keep(ts, mdt_tables_settlement(s->rep, &s->res, &sctx), err)) ||
      (st = keep(ts, mdt_tables_exchange(s->rep, g), err)))
    return st;
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

/* ----------------------------------------------------------------- writing -- */

static int has_table(const table_set *ts, const char *name) {
  for (size_t k = 0; k < ts->n; k++)
    if (strcmp(ts->t[k]->name, name) == 0)
      return 1;
  return 0;
}

static mdt_status write_workbook(const run_state *s, const char *path, const char *lang,
                                 mdt_error *err) {
  static const char *const growth[] = {"annual_growth_pct"};
  static const char *const priority[] = {"priority"};
  static const char *const effect[] = {"annual_effect_pct"};
  static const char *const share[] = {"share"};
  static const char *const pct[] = {"pct"};
  static const char *const l1[] = {"l1_distance_pp"};
  const mdt_chart_spec all[] = {
      {"sweep_theta", MDT_CHART_LINE, "Each group's annual growth along theta", "value", 1,
       growth, "group", NULL, NULL, "theta", "annual_growth_pct"},
      {"frame", MDT_CHART_COLUMN, "The frame decomposed", "component", 1, effect, NULL, NULL,
       NULL, "component", "annual_effect_pct"},
      {"growth_distribution", MDT_CHART_COLUMN, "Monte Carlo: annual growth", "bin_low_pct", 1,
       share, NULL, NULL, NULL, "annual_growth_pct", "share"},
      {"profile", MDT_CHART_BAR, "The mandate profile with intervals", "group", 1, priority,
       NULL, "ci_low", "ci_high", "group", "priority"},
      {"mandate_uncertainty", MDT_CHART_BAR, "Each group's percent with the mandate's interval",
       "group", 1, pct, NULL, "pct_low", "pct_high", "group", "pct"},
      {"regions", MDT_CHART_BAR, "Distance of each region's allocation from the national one",
       "region", 1, l1, NULL, NULL, NULL, "region", "l1_distance_pp"},
      {"sweep_krone_share", MDT_CHART_LINE, "Each group's annual growth along the krone share",
       "value", 1, growth, "group", NULL, NULL, "krone_share", "annual_growth_pct"},
  };
  mdt_chart_spec charts[sizeof all / sizeof all[0]];
  size_t nch = 0;
  for (size_t k = 0; k < sizeof all / sizeof all[0]; k++)
    if (has_table(&s->tables, all[k].table))
      charts[nch++] = all[k];
  return mdt_workbook_write(path, (const mdt_table *const *)s->tables.t, s->tables.n, charts, nch,
                            lang, err);
}

/* A path as the manifest shows it: relative to the scenario's folder when inside it. */
static const char *shown_path(const mdt_scenario *sc, const char *path) {
  size_t n = strlen(sc->dir);
  if (strncmp(path, sc->dir, n) == 0 && path[n] == '/') {
    path += n + 1;
    while (strncmp(path, "./", 2) == 0)
      path += 2;
  }
  return path;
}

static json_t *dist_json(const mdt_scenario_dist *d) {
  if (!d->given || d->use_frame)
    return json_string("fixed");
  if (!d->normal)
    return mdt_report_json_number(d->value);
  json_t *o = json_object();
  json_object_set_new(o, "normal_mean", mdt_report_json_number(d->value));
  json_object_set_new(o, "normal_sd", mdt_report_json_number(d->sd));
  return o;
}

static json_t *grid_json(const mdt_scenario_grid *g) {
  json_t *a = json_array();
  for (size_t k = 0; k < g->n; k++)
    json_array_append_new(a, mdt_report_json_number(g->values[k]));
  return a;
}

static json_t *group_pcts_json(const mdt_scenario_group_pct *l, size_t n) {
  json_t *a = json_array();
  for (size_t k = 0; k < n; k++) {
    json_t *o = json_object();
    json_object_set_new(o, "group", json_string(l[k].group));
    json_object_set_new(o, "pct", mdt_report_json_number(l[k].pct));
    if (l[k].month)
      json_object_set_new(o, "month", json_integer(l[k].month));
    json_array_append_new(a, o);
  }
  return a;
}

/* Every setting as the run used it (defaults filled in; threads left out: they change
 * nothing). */
static json_t *settings_json(const cli_pipeline *p) {
  const mdt_scenario *sc = p->sc;
  json_t *root = json_object(), *o;
  o = json_object();
  json_object_set_new(o, "frame_pct", p->has_frame ? mdt_report_json_number(sc->frame_pct) : json_null());
  json_object_set_new(o, "overheng_pct", mdt_report_json_number(p->overheng_pct));
  json_object_set_new(o, "glidning_pct", mdt_report_json_number(p->glidning_pct));
  json_object_set_new(o, "glidning_from_history", json_boolean(sc->glidning_from_history));
  json_object_set_new(o, "price_forecast_pct", mdt_report_json_number(p->price_pct));
  json_object_set_new(o, "room_annual_pct",
                      p->has_frame ? mdt_report_json_number(p->frame.room_annual_pct) : json_null());
  json_object_set_new(root, "frame", o);
  o = json_object();
  json_object_set_new(o, "rule", json_string(sc->rule));
  json_object_set_new(o, "central_month", json_integer(sc->central_month));
  json_object_set_new(o, "covered", json_string(sc->covered ? sc->covered : "chapter:4"));
  json_object_set_new(o, "theta", mdt_report_json_number(sc->theta));
  json_object_set_new(o, "krone_share", mdt_report_json_number(sc->krone_share));
  json_object_set_new(o, "min_krone_nok", mdt_report_json_number(sc->min_krone_nok));
  json_object_set_new(o, "table", sc->table_path ? json_string(shown_path(sc, sc->table_path)) : json_null());
  json_object_set_new(o, "guarantee",
                      p->guarantee ? json_string(shown_path(sc, sc->guarantee_path)) : json_null());
  json_object_set_new(o, "local_pot_pct", mdt_report_json_number(sc->local_pot_pct));
  json_object_set_new(o, "local_month", json_integer(sc->local_month));
  json_object_set_new(o, "named", group_pcts_json(sc->named, sc->nnamed));
  json_object_set_new(o, "floors", group_pcts_json(sc->floors, sc->nfloors));
  json_object_set_new(o, "caps", group_pcts_json(sc->caps, sc->ncaps));
  json_object_set_new(o, "payroll_overhead_pct", mdt_report_json_number(sc->payroll_overhead_pct));
  json_object_set_new(root, "settlement", o);
  o = json_object();
  json_object_set_new(o, "weights", json_string(sc->weights));
  json_object_set_new(o, "sqrt", json_boolean(sc->sqrt_weights));
  json_object_set_new(o, "cap", mdt_report_json_number(sc->cap_share));
  json_object_set_new(o, "poststrata", sc->poststrata ? json_string(sc->poststrata) : json_null());
  json_t *rk = json_null();
  if (sc->rake[0]) {
    rk = json_array();
    json_array_append_new(rk, json_string(sc->rake[0]));
    json_array_append_new(rk, json_string(sc->rake[1]));
  }
  json_object_set_new(o, "rake", rk);
  json_object_set_new(o, "by_group", json_boolean(sc->by_group));
  json_object_set_new(o, "bootstrap", json_integer((json_int_t)sc->bootstrap));
  json_object_set_new(o, "level", mdt_report_json_number(sc->level));
  json_object_set_new(root, "weighting", o);
  o = json_object();
  json_object_set_new(o, "theta", grid_json(&sc->sweep_theta));
  json_object_set_new(o, "krone_share", grid_json(&sc->sweep_krone_share));
  json_object_set_new(o, "local_pot_pct", grid_json(&sc->sweep_local_pot));
  json_object_set_new(o, "central_month", grid_json(&sc->sweep_central_month));
  json_object_set_new(root, "sweeps", o);
  o = json_object();
  json_object_set_new(o, "draws", json_integer((json_int_t)sc->draws));
  json_object_set_new(o, "glidning_pct", dist_json(&sc->u_glidning));
  json_object_set_new(o, "overheng_pct", dist_json(&sc->u_overheng));
  json_object_set_new(o, "price_forecast_pct", dist_json(&sc->u_price));
  json_object_set_new(o, "headcount_drift_pct", dist_json(&sc->u_headcount_drift));
  json_object_set_new(o, "mandate", json_boolean(sc->u_mandate));
  json_object_set_new(root, "uncertainty", o);
  o = json_object();
  json_object_set_new(o, "enabled", json_boolean(sc->regions));
  json_object_set_new(o, "column", json_string(sc->region_column));
  json_object_set_new(root, "regions", o);
  o = json_object();
  json_object_set_new(o, "lang", json_string(sc->lang));
  json_object_set_new(root, "output", o);
  json_object_set_new(root, "seed", json_integer((json_int_t)sc->seed));
  return root;
}

static mdt_status add_input(json_t *arr, const mdt_scenario *sc, const char *path,
                            mdt_error *err) {
  char hex[MDT_SHA256_HEX_SIZE];
  mdt_status st = mdt_sha256_file(path, hex, err);
  if (st != MDT_OK)
    return st;
  struct stat sb;
  json_t *o = json_object();
  json_object_set_new(o, "file", json_string(shown_path(sc, path)));
  json_object_set_new(o, "sha256", json_string(hex));
  json_object_set_new(o, "bytes", json_integer(stat(path, &sb) == 0 ? (json_int_t)sb.st_size : -1));
  json_array_append_new(arr, o);
  return MDT_OK;
}

static mdt_status manifest(const run_state *s, const char *scenario_path, json_t **out,
                           mdt_error *err) {
  const cli_pipeline *p = &s->p;
  const mdt_scenario *sc = p->sc;
  json_t *root = json_object(), *inputs = json_array();
  json_object_set_new(root, "program", json_string("mandat"));
  json_object_set_new(root, "version", json_string(MDT_VERSION_STRING));
  json_object_set_new(root, "seed", json_integer((json_int_t)sc->seed));
  mdt_status st = add_input(inputs, sc, scenario_path, err);
  static const char *const model_files[] = {"respondents.csv", "groups.csv", "questions.csv",
                                            "options.csv", "answers.csv", "register.csv"};
  char path[4096];
  for (size_t k = 0; k < sizeof model_files / sizeof model_files[0] && st == MDT_OK; k++)
    if (mdt_model_path(sc->model_dir, model_files[k], path, sizeof path))
      st = add_input(inputs, sc, path, err);
  if (st == MDT_OK && sc->by_group &&
      mdt_model_path(sc->model_dir, "headcounts.csv", path, sizeof path))
    st = add_input(inputs, sc, path, err);
  if (st == MDT_OK && p->guarantee)
    st = add_input(inputs, sc, sc->guarantee_path, err);
  if (st == MDT_OK && p->table)
    st = add_input(inputs, sc, sc->table_path, err);
  if (st == MDT_OK && p->new_guarantee)
    st = add_input(inputs, sc, sc->new_guarantee_path, err);
  json_object_set_new(root, "inputs", inputs);
  json_object_set_new(root, "settings", settings_json(p));
  json_t *outs = json_array();
  for (size_t k = 0; k < s->tables.n; k++) {
    char name[128];
    snprintf(name, sizeof name, "%s.csv", s->tables.t[k]->name);
    json_array_append_new(outs, json_string(name));
  }
  json_array_append_new(outs, json_string("report.json"));
  json_array_append_new(outs, json_string("report.xlsx"));
  json_object_set_new(root, "outputs", outs);
  if (st != MDT_OK) {
    json_decref(root);
    return st;
  }
  *out = root;
  return MDT_OK;
}

static json_t *summary_json(const run_state *s) {
  const cli_pipeline *p = &s->p;
  json_t *o = json_object();
  json_object_set_new(o, "members", json_integer((json_int_t)s->agg->nmembers));
  json_object_set_new(o, "respondents", json_integer((json_int_t)s->agg->nrespondents));
  json_object_set_new(o, "rule", json_string(p->sc->rule));
  json_object_set_new(o, "scalar", mdt_report_json_number(s->res.scalar));
  json_object_set_new(o, "solved", json_boolean(p->has_frame));
  json_object_set_new(o, "feasible", json_boolean(!s->infeasible));
  json_object_set_new(o, "annual_effect_pct", mdt_report_json_number(s->res.annual_effect_pct));
  json_object_set_new(o, "annual_growth_pct",
                      mdt_report_json_number(s->rep->total.annual_growth_pct));
  json_object_set_new(o, "p_growth_above_frame",
                      s->mc ? mdt_report_json_number(s->mc->p_above_frame) : json_null());
  if (s->infeasible && s->infeasible_msg[0])
    json_object_set_new(o, "infeasible", json_string(s->infeasible_msg));
  return o;
}

static mdt_status write_json_file(const char *path, json_t *j, mdt_error *err) {
  FILE *fp = fopen(path, "w");
  if (fp == NULL)
    return mdt_error_set_at(err, MDT_ECANTWRITE, path, 0, 0, "cannot write");
  mdt_status st = mdt_report_write_json(fp, j, err);
  if (fclose(fp) != 0 && st == MDT_OK)
    st = mdt_error_set_at(err, MDT_ECANTWRITE, path, 0, 0, "cannot write");
  return st;
}

static mdt_status write_outputs(run_state *s, const cli_outdir *od, const char *scenario_path,
                                progress *pr, mdt_error *err) {
  char path[4400];
  mdt_status st = MDT_OK;
  progress_step(pr, "writing the tables");
  for (size_t k = 0; k < s->tables.n && st == MDT_OK; k++) {
    char name[128];
    snprintf(name, sizeof name, "%s.csv", s->tables.t[k]->name);
    cli_outdir_path(od, name, path, sizeof path);
    FILE *fp = fopen(path, "w");
    if (fp == NULL)
      return mdt_error_set_at(err, MDT_ECANTWRITE, path, 0, 0, "cannot write");
    st = mdt_table_write_csv(s->tables.t[k], fp, err);
    if (fclose(fp) != 0 && st == MDT_OK)
      st = mdt_error_set_at(err, MDT_ECANTWRITE, path, 0, 0, "cannot write");
  }
  if (st != MDT_OK)
    return st;
  json_t *report = json_object(), *tables = json_object();
  json_object_set_new(report, "program", json_string("mandat"));
  json_object_set_new(report, "version", json_string(MDT_VERSION_STRING));
  json_object_set_new(report, "summary", summary_json(s));
  for (size_t k = 0; k < s->tables.n; k++)
    json_object_set_new(tables, s->tables.t[k]->name, mdt_table_json(s->tables.t[k]));
  json_object_set_new(report, "tables", tables);
  cli_outdir_path(od, "report.json", path, sizeof path);
  st = write_json_file(path, report, err);
  json_decref(report);
  if (st != MDT_OK)
    return st;
  progress_step(pr, "writing the workbook");
  cli_outdir_path(od, "report.xlsx", path, sizeof path);
  if ((st = write_workbook(s, path, s->p.sc->lang, err)) != MDT_OK)
    return st;
  json_t *man = NULL;
  if ((st = manifest(s, scenario_path, &man, err)) != MDT_OK)
    return st;
  cli_outdir_path(od, "manifest.json", path, sizeof path);
  st = write_json_file(path, man, err);
  json_decref(man);
  return st;
}

/* ---------------------------------------------------------------- summary -- */

static void print_summary(const run_state *s, const char *out_dir) {
  const cli_pipeline *p = &s->p;
  const mdt_groups *g = p->model->groups;
  const mdt_microsim_report *rep = s->rep;
  printf("Mandate: %zu of %zu members answered.", s->agg->nrespondents, s->agg->nmembers);
  /* the three highest priorities */
  const double *prio = s->agg->profiles[0].priority;
  int shown = 0;
  unsigned char used[256] = {0};
  for (int k = 0; k < 3 && g->n <= 256; k++) {
    long best = -1;
    for (size_t j = 0; j < g->n; j++)
      if (!used[j] && isfinite(prio[j]) && (best < 0 || prio[j] > prio[best]))
        best = (long)j;
    if (best < 0)
      break;
    used[best] = 1;
    printf("%s %s %.2f", shown++ ? "," : " Top priorities:", g->id[best], prio[best]);
  }
  printf("\n");
  if (p->has_frame) {
    double o = isnan(p->overheng_pct) ? 0 : p->overheng_pct;
    double gl = isnan(p->glidning_pct) ? 0 : p->glidning_pct;
    printf("Frame %.2f %%: overheng %.2f + glidning %.2f + central %.2f + local pot %.2f + "
           "named %.2f = %.2f\n",
           p->sc->frame_pct, o, gl, s->res.effect.central_pct, s->res.effect.local_pct,
           s->res.effect.named_pct, rep->total.annual_growth_pct);
  }
  const char *what = "percent", *unit = " %";
  switch (p->spec.rule) {
  case MDT_RULE_KRONE:
    what = "kroner";
    unit = " NOK";
    break;
  case MDT_RULE_TABLE:
    what = "table factor";
    unit = "";
    break;
  case MDT_RULE_PRIORITY:
    what = "p0";
    break;
  default:
    break;
  }
  printf("Settlement: rule %s", p->sc->rule);
  if (p->spec.rule == MDT_RULE_PRIORITY)
    printf(" (theta %g)", p->spec.theta);
  printf(", %s %s %.3f%s%s\n", p->has_frame ? "solved:" : "as written:", what, s->res.scalar,
         unit, s->infeasible ? "; the frame or a bound could NOT be met" : "");
  printf("  %-6s %8s %9s %8s", "group", "pct", "growth %", "real %");
  if (s->mandate)
    printf("  %s", "pct interval (mandate)");
  if (s->mc)
    printf("  %s", "P(real fall)");
  printf("\n");
  for (size_t k = 0; k < rep->ngroups; k++) {
    const mdt_microsim_row *row = &rep->groups[k];
    if (row->employees < MDT_REPORT_MIN_EMPLOYEES)
      continue;
    double pct = row->covered ? mdt_allocation_group_pct(&s->res, k) : NAN;
    printf("  %-6s", g->id[k]);
    if (isfinite(pct))
      printf(" %8.2f", pct);
    else
      printf(" %8s", "-");
    printf(" %9.2f %8.2f", row->annual_growth_pct, row->real_growth_pct);
    if (s->mandate) {
      if (row->covered && isfinite(s->mandate->pct_low[k]))
        printf("  %6.2f-%-6.2f          ", s->mandate->pct_low[k], s->mandate->pct_high[k]);
      else
        printf("  %-22s", "");
    }
    if (s->mc)
      printf("  %5.1f %%", s->mc->p_real_fall[k] * 100);
    printf("\n");
  }
  if (s->mc)
    printf("Uncertainty: P(annual growth > frame) = %.1f %%; 90 %% of %zu draws between %.2f and "
           "%.2f %%\n",
           s->mc->p_above_frame * 100, s->mc->draws, s->mc->quantiles[1], s->mc->quantiles[5]);
  if (s->regions) {
    const mdt_grouping *reg = &p->model->respondents->groupings[s->region_column];
    long worst[3] = {-1, -1, -1};
    for (int k = 0; k < 3; k++)
      for (size_t l = 0; l < s->regions->nregions; l++) {
        if (!s->regions->solved[l] || l == (size_t)worst[0] || l == (size_t)worst[1])
          continue;
        if (worst[k] < 0 || s->regions->l1_distance_pp[l] > s->regions->l1_distance_pp[worst[k]])
          worst[k] = (long)l;
      }
    printf("Regions served least by the national allocation (L1 distance, pp):");
    for (int k = 0; k < 3 && worst[k] >= 0; k++)
      printf("%s %s %.2f", k ? "," : "", reg->levels[worst[k]],
             s->regions->l1_distance_pp[worst[k]]);
    printf("\n");
  }
  printf("Wrote %zu tables as CSV, report.json, report.xlsx and manifest.json to %s\n",
         s->tables.n, out_dir);
}

/* ---------------------------------------------------------------- command -- */

int cmd_run(int argc, char **argv) {
  const char *out_dir = NULL, *lock_path = NULL, *lang = NULL, *seed_text = NULL;
  int strict = 0;
  cli_pipeline_args args = {0};
  int c;
  optind = 1;
  while ((c = getopt_long(argc, argv, "", long_options, NULL)) != -1) {
    switch (c) {
    case OPT_OUT:
      out_dir = optarg;
      break;
    case OPT_THREADS:
      if (cli_parse_threads("run", optarg, &args.threads) != 0)
        return 2;
      break;
    case OPT_SEED:
      seed_text = optarg;
      break;
    case OPT_LANG:
      if (strcmp(optarg, "en") && strcmp(optarg, "nb"))
        return cli_usage_error("run", "--lang: expected en or nb, found '%s'", optarg);
      lang = optarg;
      break;
    case OPT_STRICT:
      strict = 1;
      break;
    case OPT_LOCK:
      lock_path = optarg;
      break;
    case OPT_QUIET:
      cli_g.quiet = 1;
      break;
    case OPT_HELP:
      usage(stdout);
      return 0;
    default:
      return cli_usage_error("run", "unknown or incomplete option");
    }
  }
  if (optind >= argc)
    return cli_usage_error("run", "expected a scenario file");
  if (optind + 1 < argc)
    return cli_usage_error("run", "unexpected argument '%s'", argv[optind + 1]);
  if (out_dir == NULL)
    return cli_usage_error("run", "expected --out DIR");
  args.scenario_path = argv[optind];
  mdt_error err;
  mdt_error_clear(&err);
  cli_lock lock = {-1};
  if (lock_path && cli_lock_acquire(&lock, lock_path, &err) != MDT_OK)
    return cli_report_error(&err);
  progress pr = {isatty(2) && !cli_g.quiet, 0, 10};
  cli_g.bar = pr.bar;
  run_state s;
  memset(&s, 0, sizeof s);
  cli_outdir od;
  memset(&od, 0, sizeof od);
  progress_step(&pr, "loading the scenario and the model");
  args.bootstrap = 1; /* the run's own draws, with the profiles kept */
  mdt_status st = cli_pipeline_load(&s.p, &args, &err);
  if (st == MDT_OK && seed_text)
    st = mdt_scenario_set(s.p.sc, "run", "seed", seed_text, &err);
  if (st == MDT_OK && lang)
    memcpy(s.p.sc->lang, lang, 3);
  if (st == MDT_OK) {
    s.p.agg_opt.seed = s.p.sc->seed;
    st = compute(&s, &pr, &err);
  }
  if (st == MDT_OK)
    st = cli_pipeline_suppress(&s.p, s.rep, &s.res, &err); /* small groups, before any output */
  if (st == MDT_OK)
    st = build_tables(&s, &err);
  if (st == MDT_OK)
    st = cli_outdir_begin(&od, out_dir, &err);
  if (st == MDT_OK)
    st = write_outputs(&s, &od, args.scenario_path, &pr, &err);
  if (st == MDT_OK) {
    progress_step(&pr, "moving the results into place");
    st = cli_outdir_commit(&od, &err);
  }
  progress_end(&pr);
  if (st != MDT_OK) {
    cli_outdir_abort(&od);
    run_state_free(&s);
    cli_lock_release(&lock);
    return cli_report_error(&err);
  }
  if (!cli_g.quiet)
    print_summary(&s, out_dir);
  int rc = 0;
  if (s.infeasible) {
    fprintf(stderr, "mandat: %s%s\n", strict ? "" : "warning: ",
            s.infeasible_msg[0] ? s.infeasible_msg
                                : "the settlement exceeds the frame or a bound cannot be met");
    if (strict)
      rc = mdt_status_exit_code(MDT_ECHECK);
  }
  run_state_free(&s);
  cli_lock_release(&lock);
  return rc;
}
