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
      (st = keep(ts, mdt_tables_frame(s->rep, &s->res.settlement, p->nnamed_given, g,
                                      p->has_frame ? p->sc->frame_pct : NAN),
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
  json_t *notes = json_array();
  for (int k = 0; k < p->nnotes; k++)
    json_array_append_new(notes, json_string(p->notes[k]));
  json_object_set_new(root, "notes", notes);
  json_object_set_new(root, "overheng_source",
                      p->overheng_source ? json_string(p->overheng_source) : json_null());
  json_object_set_new(root, "glidning_source",
                      p->glidning_source ? json_string(p->glidning_source) : json_null());
  json_object_set_new(root, "year", json_integer(sc->first_year + sc->year - 1));
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

static mdt_status write_outputs(run_state *s, const cli_outdir *od, const char *prefix,
                                const char *scenario_path, progress *pr, mdt_error *err) {
  char path[4400];
  mdt_status st = MDT_OK;
  progress_step(pr, "writing the tables");
  for (size_t k = 0; k < s->tables.n && st == MDT_OK; k++) {
    char name[160];
    snprintf(name, sizeof name, "%s%s.csv", prefix, s->tables.t[k]->name);
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
  char name[160];
  snprintf(name, sizeof name, "%sreport.json", prefix);
  cli_outdir_path(od, name, path, sizeof path);
  st = write_json_file(path, report, err);
  json_decref(report);
  if (st != MDT_OK)
    return st;
  progress_step(pr, "writing the workbook");
  snprintf(name, sizeof name, "%sreport.xlsx", prefix);
  cli_outdir_path(od, name, path, sizeof path);
  if ((st = write_workbook(s, path, s->p.sc->lang, err)) != MDT_OK)
    return st;
  json_t *man = NULL;
  if ((st = manifest(s, scenario_path, &man, err)) != MDT_OK)
    return st;
  snprintf(name, sizeof name, "%smanifest.json", prefix);
  cli_outdir_path(od, name, path, sizeof path);
  st = write_json_file(path, man, err);
  json_decref(man);
  return st;
}

/* ---------------------------------------------------------------- summary -- */

/* A figure of the frame table: the first row of scope and component (NaN when none). */
static double frame_value(const mdt_table *t, const char *scope, const char *component) {
  double sum = NAN;
  size_t plen = strlen(component);
  int prefix = plen > 0 && component[plen - 1] == ':';
  for (size_t r = 0; r < t->nrows; r++) {
    const mdt_cell *a = mdt_table_cell(t, r, 0), *b = mdt_table_cell(t, r, 1);
    const mdt_cell *v = mdt_table_cell(t, r, 2);
    if (a->kind != 2 || b->kind != 2 || strcmp(a->text, scope) != 0)
      continue;
    if (prefix ? strncmp(b->text, component, plen) != 0 : strcmp(b->text, component) != 0)
      continue;
    double x = v->kind == 1 ? v->num : 0;
    if (!prefix)
      return x;
    sum = isnan(sum) ? x : sum + x;
  }
  return sum;
}

/* One line of the frame's decomposition for a scope, from the frame table itself. */
static void print_frame_scope(const mdt_table *t, const char *scope, const char *label) {
  static const struct {
    const char *component, *name;
  } parts[] = {{"overheng", "overheng"}, {"glidning", "glidning"},
               {"step_moves", "step moves"}, {"central", "central"},
               {"local_pot", "local pot"}, {"named:", "named"},
               {"local_frame:", "local frame room"}};
  printf("\n  %-15s", label);
  int first = 1;
  for (size_t k = 0; k < sizeof parts / sizeof parts[0]; k++) {
    double v = frame_value(t, scope, parts[k].component);
    if (isnan(v) || (v == 0 && k >= 2))
      continue;
    printf("%s%s %.2f", first ? "" : " + ", parts[k].name, v);
    first = 0;
  }
  printf(" = %.2f %%", frame_value(t, scope, "annual_growth"));
  if (strcmp(scope, "area") == 0) {
    double exact = frame_value(t, scope, "exact_annual_growth");
    if (isfinite(exact))
      printf(" (exact path %.2f)", exact);
    printf("\n");
  }
}

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
  const mdt_table *ft = NULL;
  for (size_t k = 0; k < s->tables.n; k++)
    if (strcmp(s->tables.t[k]->name, "frame") == 0)
      ft = s->tables.t[k];
  if (ft != NULL) {
    int has_covered = frame_value(ft, "covered", "annual_growth") == frame_value(ft, "covered", "annual_growth");
    if (p->has_frame)
      printf("Frame %.2f %%", p->sc->frame_pct);
    else
      printf("Annual growth");
    if (has_covered)
      print_frame_scope(ft, "covered", "covered groups");
    print_frame_scope(ft, "area", "area");
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
  int percents = p->spec.rule != MDT_RULE_KRONE && p->spec.rule != MDT_RULE_TABLE;
  printf("  %-6s", "group");
  if (percents)
    printf(" %8s", "pct");
  printf(" %12s %8s %8s %9s %8s", "rise NOK/FTE", "effect", "carry", "growth %", "real %");
  if (s->mandate)
    printf("  %s", "pct interval (mandate)");
  if (s->mc)
    printf("  %s", "P(real fall)");
  printf("\n");
  for (size_t k = 0; k <= rep->ngroups; k++) {
    const mdt_microsim_row *row = k < rep->ngroups ? &rep->groups[k] : &rep->total;
    if (row->employees < MDT_REPORT_MIN_EMPLOYEES)
      continue;
    printf("  %-6s", k < rep->ngroups ? g->id[k] : "total");
    if (percents) {
      double pct = k < rep->ngroups && row->covered ? mdt_allocation_group_pct(&s->res, k) : NAN;
      if (isfinite(pct))
        printf(" %8.2f", pct);
      else
        printf(" %8s", "-");
    }
    printf(" %12.0f %8.2f %8.2f %9.2f %8.2f", row->nok_per_fte, row->annual_effect_pct,
           row->carryover_pct, row->annual_growth_pct, row->real_growth_pct);
    if (s->mandate) {
      if (k < rep->ngroups && row->covered && isfinite(s->mandate->pct_low[k]))
        printf("  %6.2f-%-6.2f          ", s->mandate->pct_low[k], s->mandate->pct_high[k]);
      else
        printf("  %-22s", "");
    }
    if (s->mc && k < rep->ngroups)
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
static mdt_status year_two_args(run_state *s1, cli_pipeline_args *a, mdt_error *err) {
  cli_pipeline *p = &s1->p;
  mdt_microsim_report_options ro;
  cli_report_options(p, &ro);
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
static mdt_table *period_table(const run_state *y1, const run_state *y2) {
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

static void print_period(const mdt_table *t, int first_year) {
  printf("Period %d-%d: annual growth per year, and over the two years (real: against each "
         "year's price forecast)\n",
         first_year, first_year + 1);
  printf("  %-6s %8d %8d %9s %12s\n", "group", first_year, first_year + 1, "period %",
         "real period %");
  for (size_t r = 0; r < t->nrows; r++) {
    const mdt_cell *id = mdt_table_cell(t, r, 0);
    const mdt_cell *c[4] = {mdt_table_cell(t, r, 2), mdt_table_cell(t, r, 3),
                            mdt_table_cell(t, r, 4), mdt_table_cell(t, r, 7)};
    if (c[0]->kind != 1)
      continue;
    printf("  %-6s %8.2f %8.2f %9.2f %12.2f\n", id->text, c[0]->num, c[1]->num, c[2]->num,
           c[3]->num);
  }
}

/* Loads and computes one year of the scenario into s, with its tables. */
static mdt_status run_year(run_state *s, cli_pipeline_args *args, const char *seed_text,
                           const char *lang, progress *pr, mdt_error *err) {
  progress_step(pr, args->year > 1 ? "loading year two" : "loading the scenario and the model");
  mdt_status st = cli_pipeline_load(&s->p, args, err);
  args->reg = NULL; /* taken over by the pipeline */
  args->guarantee = NULL;
  for (int k = 0; st == MDT_OK && k < s->p.nnotes; k++)
    cli_log("note: %s", s->p.notes[k]);
  if (st == MDT_OK && seed_text)
    st = mdt_scenario_set(s->p.sc, "run", "seed", seed_text, err);
  if (st == MDT_OK && lang)
    memcpy(s->p.sc->lang, lang, 3);
  if (st == MDT_OK) {
    s->p.agg_opt.seed = s->p.sc->seed;
    st = compute(s, pr, err);
  }
  if (st == MDT_OK)
    st = build_tables(s, err);
  return st;
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
  run_state s, s2;
  memset(&s, 0, sizeof s);
  memset(&s2, 0, sizeof s2);
  mdt_table *period = NULL;
  int two_years = 0;
  char y1[32] = "", y2[32] = "";
  cli_outdir od;
  memset(&od, 0, sizeof od);
  args.bootstrap = 1; /* the run's own draws, with the profiles kept */
  mdt_status st = run_year(&s, &args, seed_text, lang, &pr, &err);
  if (st == MDT_OK && s.p.sc->period_years == 2) {
    /* The interim settlement: year two starts where year one ends. */
    two_years = 1;
    pr.steps += 8;
    cli_pipeline_args a2 = args;
    st = year_two_args(&s, &a2, &err);
    if (st == MDT_OK)
      st = run_year(&s2, &a2, seed_text, lang, &pr, &err);
    mdt_register_free(a2.reg);
    mdt_step_table_free(a2.guarantee);
    free(a2.overheng_pct);
    if (st == MDT_OK && (period = period_table(&s, &s2)) == NULL)
      st = mdt_error_set(&err, MDT_ENOMEM, "out of memory building the period table");
    snprintf(y1, sizeof y1, "%d/", s.p.sc->first_year);
    snprintf(y2, sizeof y2, "%d/", s.p.sc->first_year + 1);
  }
  if (st == MDT_OK)
    st = cli_outdir_begin(&od, out_dir, &err);
  if (st == MDT_OK && two_years) {
    char path[4400];
    for (int k = 0; k < 2 && st == MDT_OK; k++) {
      char sub[32];
      snprintf(sub, sizeof sub, "%d", s.p.sc->first_year + k);
      if (cli_outdir_path(&od, sub, path, sizeof path) == NULL || mkdir(path, 0777) != 0)
        st = mdt_error_set_at(&err, MDT_ECANTWRITE, path, 0, 0, "cannot create the folder");
    }
  }
  if (st == MDT_OK)
    st = write_outputs(&s, &od, y1, args.scenario_path, &pr, &err);
  if (st == MDT_OK && two_years)
    st = write_outputs(&s2, &od, y2, args.scenario_path, &pr, &err);
  if (st == MDT_OK && two_years) {
    char path[4400];
    cli_outdir_path(&od, "period.csv", path, sizeof path);
    FILE *fp = fopen(path, "w");
    if (fp == NULL)
      st = mdt_error_set_at(&err, MDT_ECANTWRITE, path, 0, 0, "cannot write");
    else {
      st = mdt_table_write_csv(period, fp, &err);
      if (fclose(fp) != 0 && st == MDT_OK)
        st = mdt_error_set_at(&err, MDT_ECANTWRITE, path, 0, 0, "cannot write");
    }
    if (st == MDT_OK) {
      json_t *j = json_object();
      json_object_set_new(j, "first_year", json_integer(s.p.sc->first_year));
      json_object_set_new(j, "period", mdt_table_json(period));
      cli_outdir_path(&od, "period.json", path, sizeof path);
      st = write_json_file(path, j, &err);
      json_decref(j);
    }
  }
  if (st == MDT_OK) {
    progress_step(&pr, "moving the results into place");
    st = cli_outdir_commit(&od, &err);
  }
  progress_end(&pr);
  if (st != MDT_OK) {
    cli_outdir_abort(&od);
    run_state_free(&s);
    run_state_free(&s2);
    mdt_table_free(period);
    cli_lock_release(&lock);
    return cli_report_error(&err);
  }
  if (!cli_g.quiet) {
    if (two_years)
      printf("%d (main settlement):\n", s.p.sc->first_year);
    print_summary(&s, out_dir);
    if (two_years) {
      printf("\n%d (interim settlement):\n", s.p.sc->first_year + 1);
      print_summary(&s2, out_dir);
      printf("\n");
      print_period(period, s.p.sc->first_year);
    }
  }
  int rc = 0;
  for (int k = 0; k < 1 + two_years; k++) {
    const run_state *r = k ? &s2 : &s;
    if (!r->infeasible)
      continue;
    fprintf(stderr, "mandat: %s%s\n", strict ? "" : "warning: ",
            r->infeasible_msg[0] ? r->infeasible_msg
                                 : "the settlement exceeds the frame or a bound cannot be met");
    if (strict)
      rc = mdt_status_exit_code(MDT_ECHECK);
  }
  run_state_free(&s);
  run_state_free(&s2);
  mdt_table_free(period);
  cli_lock_release(&lock);
  return rc;
}
