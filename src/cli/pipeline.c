#include "cli/pipeline.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "mandat/suppress.h"

static int file_exists(const char *path) {
  struct stat st;
  return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static int scenario_has(const mdt_scenario *s, const char *section, const char *key) {
  for (size_t k = 0; k < s->nkeys; k++)
    if (!strcmp(s->keys[k].section, section) && !strcmp(s->keys[k].key, key))
      return 1;
  return 0;
}

static long group_index(const mdt_groups *g, const char *id) {
  for (size_t k = 0; k < g->n; k++)
    if (strcmp(g->id[k], id) == 0)
      return (long)k;
  return -1;
}

static mdt_status grouping_index(const cli_pipeline *p, const char *key, const char *name,
                                 long *out, mdt_error *err) {
  const mdt_respondents *r = p->model->respondents;
  for (size_t g = 0; g < r->ngroupings; g++)
    if (strcmp(r->groupings[g].name, name) == 0) {
      *out = (long)g;
      return MDT_OK;
    }
  const char *section = strcmp(key, "column") == 0 ? "regions" : "weighting";
  return mdt_scenario_fail(p->sc, section, key, err, MDT_EDATA,
                           "expected a grouping column of %s, found '%s'", r->path, name);
}

/* Per-group percents "GROUP:PCT" into an array (NaN elsewhere). */
static mdt_status group_pcts(cli_pipeline *p, const char *key, const mdt_scenario_group_pct *list,
                             size_t n, double **out, mdt_error *err) {
  const mdt_groups *g = p->model->groups;
  double *a = malloc((g->n ? g->n : 1) * sizeof *a);
  if (a == NULL)
    return mdt_error_set(err, MDT_ENOMEM, "out of memory");
  for (size_t k = 0; k < g->n; k++)
    a[k] = NAN;
  for (size_t k = 0; k < n; k++) {
    long gi = group_index(g, list[k].group);
    if (gi < 0) {
      free(a);
      return mdt_scenario_fail(p->sc, "settlement", key, err, MDT_EDATA,
                               "expected a group of %s, found '%s'", g->path, list[k].group);
    }
    /* Checked here, where the scenario's line is known, not first by the allocator. */
    if (!(list[k].pct >= 0 && list[k].pct <= MDT_FRAME_MAX_PCT)) {
      free(a);
      return mdt_scenario_fail(p->sc, "settlement", key, err, MDT_EDATA,
                               "group '%s': expected a percentage from 0 to %g, found %.15g",
                               list[k].group, MDT_FRAME_MAX_PCT, list[k].pct);
    }
    a[gi] = list[k].pct;
  }
  *out = a;
  return MDT_OK;
}

static mdt_status resolve_covered(cli_pipeline *p, mdt_error *err) {
  const mdt_groups *g = p->model->groups;
  const char *spec = p->sc->covered ? p->sc->covered : "chapter:4";
  p->covered = calloc(g->n ? g->n : 1, 1);
  if (p->covered == NULL)
    return mdt_error_set(err, MDT_ENOMEM, "out of memory");
  char buf[4096];
  snprintf(buf, sizeof buf, "%s", spec);
  size_t any = 0;
  for (char *tok = strtok(buf, ", "); tok; tok = strtok(NULL, ", ")) {
    if (strncmp(tok, "chapter:", 8) == 0) {
      for (size_t k = 0; k < g->n; k++)
        if (strcmp(g->chapter[k], tok + 8) == 0) {
          p->covered[k] = 1;
          any++;
        }
      continue;
    }
    long gi = group_index(g, tok);
    if (gi < 0)
      return mdt_scenario_fail(p->sc, "settlement", "covered", err, MDT_EDATA,
                               "expected group ids of %s or chapter:X, found '%s'", g->path, tok);
    p->covered[gi] = 1;
    any++;
  }
  if (any == 0)
    return mdt_scenario_fail(p->sc, "settlement", "covered", err, MDT_EDATA,
                             "expected at least one covered group, found none in '%s'", spec);
  return MDT_OK;
}

static mdt_status load_table(cli_pipeline *p, const char *path, const char *key, int optional,
                             mdt_step_table **out, mdt_error *err) {
  *out = NULL;
  if (path == NULL)
    return MDT_OK;
  /* The model's own guarantee.csv may be absent (a model without guarantee pay), but not
   * silently; a folder or an unreadable file in its place is an error like any other. */
  struct stat sb;
  if (optional && stat(path, &sb) != 0 && errno == ENOENT) {
    fprintf(stderr, "mandat: warning: %s not found: the settlement has no %s table\n", path,
            key);
    return MDT_OK;
  }
  if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode))
    return mdt_error_set_at(err, MDT_ENOINPUT, path, 0, 0,
                            "cannot read: expected a file, found a directory");
  return mdt_step_table_load(path, p->model->groups, out, err);
}

static mdt_status weighting_options(cli_pipeline *p, mdt_error *err) {
  mdt_aggregate_options *o = &p->agg_opt;
  mdt_aggregate_options_init(o);
  const mdt_scenario *sc = p->sc;
  int sq = 0;
  mdt_status st = mdt_size_measure_parse(sc->weights, &o->weights.measure, &sq, err);
  if (st != MDT_OK)
    return mdt_scenario_fail(sc, "weighting", "weights", err, MDT_EDATA, "%s", err->message);
  o->weights.use_sqrt = sq || sc->sqrt_weights;
  o->weights.cap_share = sc->cap_share;
  if (sc->poststrata && (st = grouping_index(p, "poststrata", sc->poststrata,
                                             &o->weights.poststrata, err)) != MDT_OK)
    return st;
  if (sc->rake[0]) {
    if ((st = grouping_index(p, "rake", sc->rake[0], &o->weights.rake[0], err)) != MDT_OK ||
        (st = grouping_index(p, "rake", sc->rake[1], &o->weights.rake[1], err)) != MDT_OK)
      return st;
  }
  if (sc->poststrata && sc->rake[0])
    return mdt_scenario_fail(sc, "weighting", "rake", err, MDT_EDATA,
                             "expected poststrata or rake, found both");
  o->by_group = sc->by_group;
  o->bootstrap = sc->bootstrap;
  o->seed = sc->seed;
  o->level = sc->level;
  o->threads = p->threads;
  o->breakdown = -1;
  if (p->model->respondents->ngroupings > 0) {
    long col = -1;
    if (grouping_index(p, "column", sc->region_column, &col, err) == MDT_OK)
      o->breakdown = col;
    else if (sc->regions && scenario_has(sc, "regions", "column"))
      return MDT_EDATA;
  }
  return MDT_OK;
}

mdt_status cli_pipeline_aggregate(cli_pipeline *p, size_t bootstrap, mdt_aggregate **out,
                                  mdt_error *err) {
  mdt_aggregate_options o = p->agg_opt;
  o.bootstrap = bootstrap;
  mdt_aggregator *a = NULL;
  mdt_status st = mdt_aggregator_new(p->model->respondents, p->model->questionnaire,
                                     p->model->groups, p->model->headcounts, &o, &a, err);
  char path[4096];
  if (st == MDT_OK) {
    if (mdt_model_path(p->sc->model_dir, "answers.csv", path, sizeof path) == NULL)
      st = mdt_error_set(err, MDT_EUSAGE, "model path too long");
    else
      st = mdt_answers_stream_threads(path, p->model->respondents, p->model->questionnaire,
                                      p->threads,
                              mdt_aggregator_add, a, err);
  }
  if (st == MDT_OK)
    st = mdt_aggregator_finish(a, out, err);
  mdt_aggregator_free(a);
  return st;
}

static mdt_status frame_of(cli_pipeline *p, mdt_error *err) {
  const mdt_scenario *sc = p->sc;
  p->has_frame = sc->has_frame;
  p->overheng_pct = scenario_has(sc, "frame", "overheng_pct") ? sc->overheng_pct : NAN;
  p->glidning_pct = sc->has_glidning ? sc->glidning_pct : NAN;
  p->price_pct = sc->has_price_forecast ? sc->price_forecast_pct : NAN;
  mdt_frame_spec fs;
  mdt_frame_spec_init(&fs);
  fs.overheng_pct = isnan(p->overheng_pct) ? 0 : p->overheng_pct;
  fs.glidning_pct = isnan(p->glidning_pct) ? 0 : p->glidning_pct;
  fs.has_frame = sc->has_frame;
  fs.frame_pct = sc->frame_pct;
  fs.central_month = sc->central_month;
  mdt_status st = mdt_frame_compute(&fs, &p->frame, err);
  if (st != MDT_OK && st != MDT_EINFEASIBLE)
    return mdt_scenario_fail(sc, "frame", "frame_pct", err, st, "%s", err->message);
  return MDT_OK;
}

mdt_status cli_pipeline_load(cli_pipeline *p, const cli_pipeline_args *args, mdt_error *err) {
  memset(p, 0, sizeof *p);
  mdt_status st;
  char path[4096];
  /* The scenario: given, or the model's own, or the defaults. */
  if (args->scenario_path)
    st = mdt_scenario_load(args->scenario_path, &p->sc, err);
  else if (args->model_dir &&
           mdt_model_path(args->model_dir, "scenario.ini", path, sizeof path) != NULL &&
           file_exists(path))
    st = mdt_scenario_load(path, &p->sc, err);
  else
    st = mdt_scenario_new(args->model_dir, &p->sc, err);
  if (st != MDT_OK)
    return st;
  mdt_scenario *sc = p->sc;
  if (args->model_dir) {
    char *d = strdup(args->model_dir);
    if (d == NULL)
      return mdt_error_set(err, MDT_ENOMEM, "out of memory");
    free(sc->model_dir);
    sc->model_dir = d;
    if (!scenario_has(sc, "settlement", "guarantee")) {
      free(sc->guarantee_path);
      sc->guarantee_path = NULL;
      if (mdt_model_path(d, "guarantee.csv", path, sizeof path) &&
          (sc->guarantee_path = strdup(path)) == NULL)
        return mdt_error_set(err, MDT_ENOMEM, "out of memory");
    }
  }
  if (args->rule && (st = mdt_scenario_set(sc, "settlement", "rule", args->rule, err)) != MDT_OK)
    return st;
  p->threads = args->threads > 0 ? args->threads : sc->threads > 0 ? sc->threads
                                                                     : cli_default_threads();
  mdt_rule rule;
  if ((st = mdt_rule_from_name(sc->rule, &rule, err)) != MDT_OK)
    return mdt_scenario_fail(sc, "settlement", "rule", err, MDT_EDATA, "%s", err->message);

  st = mdt_model_load_threads(sc->model_dir, sc->by_group ? MDT_MODEL_HEADCOUNTS : 0, p->threads,
                              &p->model, err);
  if (st != MDT_OK)
    return st;
  if (mdt_model_path(sc->model_dir, "register.csv", p->register_path,
                     sizeof p->register_path) == NULL)
    return mdt_error_set(err, MDT_EUSAGE, "model path too long");
  cli_log("reading %s", p->register_path);
  st = mdt_register_load_threads(p->register_path, p->model->respondents, p->model->groups,
                                 p->threads, &p->reg,
                         err);
  if (st != MDT_OK)
    return st;
  if ((st = load_table(p, sc->guarantee_path, "guarantee",
                       !scenario_has(sc, "settlement", "guarantee"), &p->guarantee, err)) ||
      (st = load_table(p, sc->table_path, "table", 0, &p->table, err)) ||
      (st = load_table(p, sc->new_guarantee_path, "new_guarantee", 0, &p->new_guarantee, err)))
    return st;
  if (rule == MDT_RULE_TABLE && p->table == NULL)
    return mdt_scenario_fail(sc, "settlement", "rule", err, MDT_EDATA,
                             "expected [settlement] table = FILE for the table rule, found none");
  if ((st = mdt_microsim_new(p->reg, p->model->groups, &p->sim, err)) != MDT_OK ||
      (st = mdt_microsim_work_new(p->sim, p->threads, &p->work, err)) != MDT_OK ||
      (st = mdt_allocator_new(p->work, &p->alloc, err)) != MDT_OK)
    return st;
  if ((st = frame_of(p, err)) != MDT_OK || (st = resolve_covered(p, err)) != MDT_OK ||
      (st = weighting_options(p, err)) != MDT_OK)
    return st;
  /* Named increases and the priority rule's bounds. */
  const mdt_groups *g = p->model->groups;
  p->named = calloc(sc->nnamed ? sc->nnamed : 1, sizeof *p->named);
  if (p->named == NULL)
    return mdt_error_set(err, MDT_ENOMEM, "out of memory");
  for (size_t k = 0; k < sc->nnamed; k++) {
    long gi = group_index(g, sc->named[k].group);
    if (gi < 0)
      return mdt_scenario_fail(sc, "settlement", "named", err, MDT_EDATA,
                               "expected a group of %s, found '%s'", g->path, sc->named[k].group);
    if (!(sc->named[k].pct >= 0 && sc->named[k].pct <= MDT_FRAME_MAX_PCT))
      return mdt_scenario_fail(sc, "settlement", "named", err, MDT_EDATA,
                               "group '%s': expected a percentage from 0 to %g, found %.15g",
                               sc->named[k].group, MDT_FRAME_MAX_PCT, sc->named[k].pct);
    p->named[k].group = (size_t)gi;
    p->named[k].pct = sc->named[k].pct;
    p->named[k].month = sc->named[k].month;
  }
  if ((st = group_pcts(p, "floors", sc->floors, sc->nfloors, &p->floor_pct, err)) != MDT_OK ||
      (st = group_pcts(p, "caps", sc->caps, sc->ncaps, &p->cap_pct, err)) != MDT_OK)
    return st;
  for (size_t k = 0; k < g->n; k++)
    if (p->floor_pct[k] > p->cap_pct[k])
      return mdt_scenario_fail(sc, "settlement", "floors", err, MDT_EDATA,
                               "group '%s': expected a floor at most its cap %.15g %%, found a "
                               "floor of %.15g %%",
                               g->id[k], p->cap_pct[k], p->floor_pct[k]);
  /* The mandate profile, for the priority rule (the regions use it too). */
  if (rule == MDT_RULE_PRIORITY || sc->regions || args->bootstrap) {
    size_t draws = args->bootstrap ? sc->bootstrap : 0;
    if (draws)
      cli_log("aggregating the answers with %zu bootstrap draws", draws);
    else
      cli_log("aggregating the answers");
    p->agg_opt.keep_profile_draws = args->bootstrap && sc->u_mandate;
    st = cli_pipeline_aggregate(p, draws, &p->agg, err);
    if (st != MDT_OK)
      return st;
  }
  mdt_settlement *b = &p->base;
  mdt_settlement_init(b);
  b->covered = p->covered;
  b->central_month = sc->central_month;
  b->guarantee = p->guarantee;
  b->new_guarantee = p->new_guarantee;
  b->local_pct = sc->local_pot_pct;
  b->local_month = sc->local_month;
  b->named = p->named;
  b->nnamed = sc->nnamed;
  mdt_allocation *a = &p->spec;
  mdt_allocation_init(a);
  a->rule = rule;
  a->room_annual_pct = p->has_frame ? p->frame.room_annual_pct : 0;
  a->min_krone_nok = sc->min_krone_nok;
  a->table = p->table;
  a->krone_share = sc->krone_share;
  a->theta = sc->theta;
  a->profile = p->agg ? p->agg->profiles[0].priority : NULL;
  a->floor_pct = p->floor_pct;
  a->cap_pct = p->cap_pct;
  if (rule == MDT_RULE_PERCENT_MIN_KRONE && !sc->has_min_krone)
    return mdt_scenario_fail(sc, "settlement", "rule", err, MDT_EDATA,
                             "expected [settlement] min_krone_nok for percent_min_krone, found "
                             "none");
  return MDT_OK;
}

mdt_status cli_pipeline_solve(cli_pipeline *p, mdt_allocation_result *res, mdt_error *err) {
  if (p->has_frame) {
    mdt_status st = mdt_allocator_solve(p->alloc, &p->base, &p->spec, res, err);
    /* A frame that cannot be met is the scenario's: name its frame_pct line (the message,
     * which run repeats as a warning, stays as it is). */
    if (st == MDT_EINFEASIBLE && err->file[0] == '\0') {
      mdt_error at;
      mdt_scenario_fail(p->sc, "frame", "frame_pct", &at, st, "-");
      snprintf(err->file, sizeof err->file, "%s", at.file);
      err->line = at.line;
      err->column = at.column;
    }
    return st;
  }
  /* No frame: the settlement as written. */
  const mdt_scenario *sc = p->sc;
  double x;
  switch (p->spec.rule) {
  case MDT_RULE_KRONE:
    if (!sc->has_krone_nok)
      return mdt_scenario_fail(sc, "settlement", "rule", err, MDT_EDATA,
                               "expected [frame] frame_pct to solve, or [settlement] krone_nok "
                               "to apply as written, found neither");
    x = sc->krone_nok;
    break;
  case MDT_RULE_TABLE:
    x = sc->has_table_scale ? sc->table_scale : 1.0;
    break;
  default:
    if (!sc->has_pct)
      return mdt_scenario_fail(sc, "settlement", "rule", err, MDT_EDATA,
                               "expected [frame] frame_pct to solve, or [settlement] pct to "
                               "apply as written, found neither");
    x = sc->pct;
    break;
  }
  return mdt_allocator_evaluate(p->alloc, &p->base, &p->spec, x, res, err);
}

mdt_status cli_pipeline_suppress(const cli_pipeline *p, mdt_microsim_report *rep,
                                 mdt_allocation_result *res, mdt_error *err) {
  mdt_suppression plan;
  mdt_status st = mdt_suppression_plan(p->reg, rep, p->sc->suppress_below, &plan, err);
  if (st != MDT_OK)
    return st;
  st = mdt_suppression_apply(&plan, rep, &res->effect, err);
  mdt_suppression_free(&plan);
  return st;
}

void cli_pipeline_free(cli_pipeline *p) {
  mdt_allocator_free(p->alloc);
  mdt_microsim_work_free(p->work);
  mdt_microsim_free(p->sim);
  mdt_step_table_free(p->guarantee);
  mdt_step_table_free(p->table);
  mdt_step_table_free(p->new_guarantee);
  mdt_register_free(p->reg);
  mdt_aggregate_free(p->agg);
  mdt_model_free(p->model);
  mdt_scenario_free(p->sc);
  free(p->covered);
  free(p->named);
  free(p->floor_pct);
  free(p->cap_pct);
  memset(p, 0, sizeof *p);
}
