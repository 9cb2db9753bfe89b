#include "run/pipeline.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/hash.h"
#include "engine/microsim_cells.h"
#include "engine/microsim_int.h"
#include "engine/partial.h"
#include "model/load.h"
#include "mandat/suppress.h"


static void plog(const mdt__pipeline *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void plog(const mdt__pipeline *p, const char *fmt, ...) {
  if (p->log == NULL)
    return;
  char msg[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  p->log(p->log_user, msg);
}

int mdt__default_threads(void) {
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  return n < 1 ? 1 : n > 64 ? 64 : (int)n;
}

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

static mdt_status grouping_index(const mdt__pipeline *p, const char *key, const char *name,
                                 long *out, mdt_error *err) {
  const mdt_respondents *r = p->model->respondents;
  if ((*out = mdt_respondents_grouping_index(r, name)) >= 0)
    return MDT_OK;
  const char *section = strcmp(key, "column") == 0 ? "regions" : "weighting";
  return mdt_scenario_fail(p->sc, section, key, err, MDT_EDATA,
                           "expected a grouping column of %s, found '%s'", r->path, name);
}

/* Per-group percents "GROUP:PCT" into an array (NaN elsewhere). */
static mdt_status group_pcts(mdt__pipeline *p, const char *key, const mdt_scenario_group_pct *list,
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

static mdt_status resolve_covered(mdt__pipeline *p, mdt_error *err) {
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

static mdt_status load_table(mdt__pipeline *p, const char *path, const char *key, int optional,
                             mdt_step_table **out, mdt_error *err) {
  *out = NULL;
  if (path == NULL)
    return MDT_OK;
  /* The model's own guarantee.csv may be absent (a model without guarantee pay), but not
   * silently; a folder or an unreadable file in its place is an error like any other. */
  struct stat sb;
  if (optional && stat(path, &sb) != 0 && errno == ENOENT) {
    plog(p, "warning: %s not found: the settlement has no %s table", path, key);
    return MDT_OK;
  }
  if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode))
    return mdt_error_set_at(err, MDT_ENOINPUT, path, 0, 0,
                            "cannot read: expected a file, found a directory");
  return mdt_step_table_load(path, p->model->groups, out, err);
}

static mdt_status weighting_options(mdt__pipeline *p, mdt_error *err) {
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
  o->max_failed_draws = sc->max_failed_draws;
  o->seed = sc->seed;
  o->level = sc->level;
  o->political_only = sc->adopted_political_only;
  o->adopted_weight = sc->adopted_weight;
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

mdt_status mdt__pipeline_aggregate(mdt__pipeline *p, size_t bootstrap, mdt_aggregate **out,
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
  if (st == MDT_OK && bootstrap > 0 && p->boot_raw != NULL)
    mdt__aggregator_set_raw(a, p->boot_raw);
  if (st == MDT_OK)
    st = mdt_aggregator_finish(a, out, err);
  mdt_aggregator_free(a);
  return st;
}

static int groups_have(const double *v, size_t n, int all) {
  if (v == NULL)
    return 0;
  size_t k = 0;
  for (size_t g = 0; g < n; g++)
    k += !isnan(v[g]);
  return all ? k == n && n > 0 : k > 0;
}

/* One of overheng or glidning per group: year one's carry-over, groups.csv's own figures, or
 * the scenario's one figure for every group; never both silently. */
static mdt_status resolve_one(mdt__pipeline *p, const char *key, int want_groups, int has_number,
                              double number, const double *own, const double *year_one,
                              double **out, const char **source, mdt_error *err) {
  const mdt_groups *g = p->model->groups;
  size_t G = g->n;
  *out = NULL;
  *source = NULL;
  int use_groups = want_groups || (!has_number && year_one == NULL && groups_have(own, G, 1));
  if (year_one == NULL && !use_groups && !has_number)
    return MDT_OK; /* not given: growth is unknown */
  double *a = malloc((G ? G : 1) * sizeof *a);
  if (a == NULL)
    return mdt_error_set(err, MDT_ENOMEM, "out of memory");
  *out = a;
  for (size_t k = 0; k < G; k++) {
    if (year_one != NULL)
      a[k] = year_one[k];
    else if (use_groups) {
      if (own == NULL || isnan(own[k]))
        return mdt_error_set_at(err, MDT_EDATA, g->path, g->line ? g->line[k] : 0, 0,
                                "group '%s': expected its own %s (the scenario's [frame] %s is "
                                "'groups'), found none",
                                g->id[k], key, key);
      a[k] = own[k];
    } else
      a[k] = number;
  }
  *source = year_one != NULL ? "year one's carry-over" : use_groups ? "groups.csv" : "scenario";
  return MDT_OK;
}

static mdt_status resolve_og(mdt__pipeline *p, const mdt__pipeline_args *args, mdt_error *err) {
  const mdt_scenario *sc = p->sc;
  const mdt_groups *g = p->model->groups;
  mdt_status st = resolve_one(p, "overheng_pct", sc->overheng_groups,
                              scenario_has(sc, "frame", "overheng_pct") && !sc->overheng_groups,
                              sc->overheng_pct, g->overheng_pct, args->overheng_pct,
                              &p->group_overheng, &p->overheng_source, err);
  if (st == MDT_OK)
    st = resolve_one(p, "glidning_pct", sc->glidning_groups, sc->has_glidning,
                     sc->glidning_pct, g->glidning_pct, NULL, &p->group_glidning,
                     &p->glidning_source, err);
  return st;
}

/* Notes where the scenario's one figure overrides the model's own per group. */
static void note_override(mdt__pipeline *p, const char *what, const double *used,
                          const double *own, const char *source) {
  const mdt_groups *g = p->model->groups;
  if (used == NULL || source == NULL || strcmp(source, "scenario") != 0 ||
      !groups_have(own, g->n, 0) || p->nnotes >= 4)
    return;
  double a = 0, b = 0, W = 0;
  for (size_t k = 0; k < g->n; k++) {
    if (isnan(own[k]))
      continue;
    a += p->wage_bill[k] * used[k];
    b += p->wage_bill[k] * own[k];
    W += p->wage_bill[k];
  }
  if (W <= 0)
    return;
  snprintf(p->notes[p->nnotes++], sizeof p->notes[0],
           "%s: the scenario's %.4g %% is used for every group; groups.csv's own figures give "
           "%.4g %% for the same groups (%+.4g points)",
           what, a / W, b / W, b / W - a / W);
}

/* Each local_frame group's percent: the frame's room for that group from its month. */
static mdt_status local_frame_pcts(mdt__pipeline *p, mdt_error *err) {
  const mdt_scenario *sc = p->sc;
  const mdt_groups *g = p->model->groups;
  for (size_t k = 0; k < sc->nlocal_frame; k++) {
    const mdt_scenario_group_month *lf = &sc->local_frame[k];
    long gi = group_index(g, lf->group);
    if (gi < 0)
      return mdt_scenario_fail(sc, "settlement", "local_frame", err, MDT_EDATA,
                               "expected a group of %s, found '%s'", g->path, lf->group);
    if (p->covered[gi])
      return mdt_scenario_fail(sc, "settlement", "local_frame", err, MDT_EDATA,
                               "expected a group outside the central settlement, found '%s', "
                               "which [settlement] covered includes",
                               lf->group);
    if (!p->has_frame)
      return mdt_scenario_fail(sc, "settlement", "local_frame", err, MDT_EDATA,
                               "expected [frame] frame_pct to give group '%s' the frame's "
                               "room, found none",
                               lf->group);
    double o = p->group_overheng ? p->group_overheng[gi] : 0;
    double gl = p->group_glidning ? p->group_glidning[gi] : 0;
    double other = 0;
    for (size_t j = 0; j < p->nnamed_given; j++)
      if (p->named[j].group == (size_t)gi)
        other += mdt_frame_annual_effect_pct(p->named[j].pct, p->named[j].month);
    double room = sc->frame_pct - o - gl - other;
    if (!(room >= 0))
      return mdt_scenario_fail(sc, "settlement", "local_frame", err, MDT_EDATA,
                               "group '%s': expected room under the frame, found the frame "
                               "%.4g %% below its overheng %.4g + glidning %.4g + named %.4g",
                               lf->group, sc->frame_pct, o, gl, other);
    mdt_named_increase *n = &p->named[p->nnamed_given + k];
    n->group = (size_t)gi;
    n->month = lf->month;
    n->pct = room * 12.0 / (double)(13 - lf->month);
  }
  return MDT_OK;
}

/* The area's overheng and glidning from its groups, and the room the solver must fill: on
 * the covered groups (their growth equals the frame) or on the whole area. */
static mdt_status room_of(mdt__pipeline *p, mdt_error *err) {
  const mdt_scenario *sc = p->sc;
  const mdt_groups *g = p->model->groups;
  const size_t G = g->n;
  mdt_microsim_report_options ro;
  mdt_microsim_report_options_init(&ro);
  ro.percentiles = 0;
  mdt_microsim_report *rep0 = NULL;
  /* Per cell where the allocator has the cells index (its figures agree with the
   * per-employee pass far below 1e-12; microsim_cells.h). */
  mdt_status st = mdt__microsim_apply_cells(mdt__allocator_cells(p->alloc), p->work, &p->base,
                                            &ro, &rep0, err);
  if (st != MDT_OK)
    return st;
  if ((p->wage_bill = malloc((G ? G : 1) * sizeof *p->wage_bill)) == NULL) {
    mdt_microsim_report_free(rep0);
    return mdt_error_set(err, MDT_ENOMEM, "out of memory");
  }
  double W = 0, Wc = 0, oa = 0, ga = 0, oc = 0, gc = 0, fixed = 0;
  for (size_t k = 0; k < G; k++) {
    double wb = rep0->groups[k].wage_bill_nok;
    double o = p->group_overheng ? p->group_overheng[k] : 0;
    double gl = p->group_glidning ? p->group_glidning[k] : 0;
    p->wage_bill[k] = wb;
    W += wb;
    oa += wb * o;
    ga += wb * gl;
    if (p->covered[k]) {
      Wc += wb;
      oc += wb * o;
      gc += wb * gl;
    } else
      fixed += rep0->groups[k].area_effect_pct;
  }
  mdt_microsim_report_free(rep0);
  p->overheng_pct = p->group_overheng ? oa / W : NAN;
  p->glidning_pct = p->group_glidning ? ga / W : NAN;
  note_override(p, "overheng", p->group_overheng, g->overheng_pct, p->overheng_source);
  note_override(p, "glidning", p->group_glidning, g->glidning_pct, p->glidning_source);
  if (!p->has_frame) {
    p->room_base_pct = 0;
    return MDT_OK;
  }
  if (sc->solve_on_area || Wc <= 0)
    p->room_base_pct = sc->frame_pct - oa / W - ga / W;
  else
    p->room_base_pct = (sc->frame_pct - oc / Wc - gc / Wc) * Wc / W + fixed;
  /* The frame arithmetic of the area, for the record (TBU's convention on its figures). */
  mdt_frame_spec fs;
  mdt_frame_spec_init(&fs);
  fs.overheng_pct = isnan(p->overheng_pct) ? 0 : p->overheng_pct;
  fs.glidning_pct = isnan(p->glidning_pct) ? 0 : p->glidning_pct;
  fs.has_frame = 1;
  fs.frame_pct = sc->frame_pct;
  fs.central_month = sc->central_month;
  st = mdt_frame_compute(&fs, &p->frame, err);
  if (st != MDT_OK && st != MDT_EINFEASIBLE)
    return mdt_scenario_fail(sc, "frame", "frame_pct", err, st, "%s", err->message);
  return MDT_OK;
}

void mdt__pipeline_input_files(const mdt__pipeline *p, mdt__pipeline_inputs *in) {
  static const char *const model_files[] = {"respondents.csv", "groups.csv", "questions.csv",
                                            "options.csv", "answers.csv", "register.csv"};
  const mdt_scenario *sc = p->sc;
  in->n = 0;
  for (size_t k = 0; k < sizeof model_files / sizeof model_files[0]; k++)
    if (mdt_model_path(sc->model_dir, model_files[k], in->path[in->n], sizeof in->path[0]))
      in->n++;
  if (sc->by_group &&
      mdt_model_path(sc->model_dir, "headcounts.csv", in->path[in->n], sizeof in->path[0]))
    in->n++;
  const char *tables[3] = {p->guarantee ? sc->guarantee_path : NULL,
                           p->table ? sc->table_path : NULL,
                           p->new_guarantee ? sc->new_guarantee_path : NULL};
  for (int k = 0; k < 3; k++)
    if (tables[k] != NULL)
      snprintf(in->path[in->n++], sizeof in->path[0], "%s", tables[k]);
}

void mdt__pipeline_start_digests(mdt__pipeline *p) {
  if (p->threads < 2 || p->digests != NULL)
    return;
  mdt__pipeline_inputs *in = malloc(sizeof *in);
  if (in == NULL)
    return;
  mdt__pipeline_input_files(p, in);
  const char *paths[MDT__PIPELINE_MAX_INPUTS];
  size_t n = 0;
  for (size_t k = 0; k < in->n; k++) /* the register's digest is had when it was loaded */
    if (p->register_sha256[0] == '\0' || strcmp(in->path[k], p->register_path) != 0)
      paths[n++] = in->path[k];
  p->digests = mdt_sha256_batch_start(paths, n);
  free(in);
}

mdt_status mdt__pipeline_load(mdt__pipeline *p, const mdt__pipeline_args *args, mdt_error *err) {
  memset(p, 0, sizeof *p);
  p->reg = args->reg; /* taken over, also on failure */
  p->log = args->log;
  p->log_user = args->log_user;
  p->boot_raw = args->boot_raw;
  p->guarantee = args->guarantee;
  mdt_status st;
  char path[4096];
  /* The scenario: given, or the model's own, or the defaults. */
  if (args->scenario_path)
    st = mdt_scenario_load_year(args->scenario_path, args->year > 1 ? args->year : 1, &p->sc,
                                err);
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
  if (args->seed && (st = mdt_scenario_set(sc, "run", "seed", args->seed, err)) != MDT_OK)
    return st;
  if (args->rule && (st = mdt_scenario_set(sc, "settlement", "rule", args->rule, err)) != MDT_OK)
    return st;
  p->threads = args->threads > 0 ? args->threads : sc->threads > 0 ? sc->threads
                                                                     : mdt__default_threads();
  mdt_rule rule;
  if ((st = mdt_rule_from_name(sc->rule, &rule, err)) != MDT_OK)
    return mdt_scenario_fail(sc, "settlement", "rule", err, MDT_EDATA, "%s", err->message);

  st = mdt_model_load_threads(sc->model_dir,
                              (sc->by_group ? MDT_MODEL_HEADCOUNTS : 0) | MDT_MODEL_TEXT_ANSWERS,
                              p->threads,
                              &p->model, err);
  if (st != MDT_OK)
    return st;
  if (mdt_model_path(sc->model_dir, "register.csv", p->register_path,
                     sizeof p->register_path) == NULL)
    return mdt_error_set(err, MDT_EUSAGE, "model path too long");
  if (p->reg == NULL) {
    plog(p, "reading %s", p->register_path);
    /* Its digest for the manifest as it is read: it is large, and need not be read twice. */
    st = mdt__register_load_hashed(p->register_path, p->model->respondents, p->model->groups,
                                   p->threads, &p->reg, p->register_sha256, err);
    if (st != MDT_OK)
      return st;
  }
  if (p->guarantee == NULL && (st = load_table(p, sc->guarantee_path, "guarantee",
                              !scenario_has(sc, "settlement", "guarantee"), &p->guarantee,
                              err)) != MDT_OK)
    return st;
  if ((st = load_table(p, sc->base_table_path, "base_table", 0, &p->base_table, err)) ||
      (st = load_table(p, sc->table_path, "table", 0, &p->table, err)) ||
      (st = load_table(p, sc->new_guarantee_path, "new_guarantee", 0, &p->new_guarantee, err)))
    return st;
  if (rule == MDT_RULE_TABLE && p->table == NULL)
    return mdt_scenario_fail(sc, "settlement", "rule", err, MDT_EDATA,
                             "expected [settlement] table = FILE for the table rule, found none");
  /* A one-year run needs of the register only its groups from here on (the suppression of
   * small groups): the microsim is compiled into its other columns, and the cells index takes
   * what is left (core/spare.h). A period's first year builds the second year's register
   * from it. */
  mdt__spare spare = {0};
  st = sc->period_years != 2
           ? mdt__microsim_new_taking(p->reg, p->model->groups, p->threads, &spare, &p->sim,
                                      err)
           : mdt__microsim_new_threads(p->reg, p->model->groups, p->threads, &p->sim, err);
  if (st != MDT_OK) {
    mdt__spare_free(&spare);
    return st;
  }
  if ((st = mdt_microsim_work_new(p->sim, p->threads, &p->work, err)) == MDT_OK)
    st = mdt__allocator_new_spare(p->work, &spare, &p->alloc, err);
  mdt__spare_free(&spare);
  if (st != MDT_OK)
    return st;
  p->has_frame = sc->has_frame;
  p->price_pct = sc->has_price_forecast ? sc->price_forecast_pct : NAN;
  if ((st = resolve_og(p, args, err)) != MDT_OK || (st = resolve_covered(p, err)) != MDT_OK ||
      (st = weighting_options(p, err)) != MDT_OK)
    return st;
  /* Named increases and the priority rule's bounds. */
  const mdt_groups *g = p->model->groups;
  p->named = calloc(sc->nnamed + sc->nlocal_frame + 1, sizeof *p->named);
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
  p->nnamed_given = sc->nnamed;
  if ((st = local_frame_pcts(p, err)) != MDT_OK)
    return st;
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
      plog(p, "aggregating the answers with %zu bootstrap draws", draws);
    else
      plog(p, "aggregating the answers");
    p->agg_opt.keep_profile_draws = args->bootstrap && sc->u_mandate;
    st = mdt__pipeline_aggregate(p, draws, &p->agg, err);
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
  b->nnamed = sc->nnamed + sc->nlocal_frame;
  b->base_table = p->base_table;
  if ((st = room_of(p, err)) != MDT_OK)
    return st;
  mdt_allocation *a = &p->spec;
  mdt_allocation_init(a);
  a->rule = rule;
  a->room_annual_pct = p->has_frame ? p->room_base_pct : 0;
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

/* The room the step moves take when the glidning does not already hold them: their effect
 * on the groups the room is solved on, in pp of the area's wage bill. */
static mdt_status step_room(mdt__pipeline *p, const mdt_settlement *s, double *out,
                            mdt_error *err) {
  mdt_microsim_report_options ro;
  mdt__pipeline_report_options(p, &ro);
  ro.percentiles = 0;
  mdt_microsim_report *r = NULL;
  mdt_status st = mdt__microsim_apply_cells(mdt__allocator_cells(p->alloc), p->work, s, &ro, &r,
                                            err);
  if (st != MDT_OK)
    return st;
  double W = 0, steps = 0;
  for (size_t k = 0; k < r->ngroups; k++) {
    W += r->groups[k].wage_bill_nok;
    if (p->sc->solve_on_area || p->covered[k])
      steps += r->groups[k].step_effect_pct * r->groups[k].wage_bill_nok;
  }
  mdt_microsim_report_free(r);
  *out = W > 0 ? steps / W : 0;
  return MDT_OK;
}

mdt_status mdt__pipeline_solve(mdt__pipeline *p, mdt_allocation_result *res, mdt_error *err) {
  if (p->has_frame && p->sc->step_moves && !p->sc->glidning_includes_step_moves) {
    /* Step moves add to growth and depend (a little) on the raised guarantee: solve, take
     * their cost out of the room, and again, until the room stands still. */
    mdt_status st = MDT_OK;
    p->step_room_pct = 0;
    for (int it = 0; it < 50; it++) {
      p->spec.room_annual_pct = p->room_base_pct - p->step_room_pct;
      st = mdt_allocator_solve(p->alloc, &p->base, &p->spec, res, err);
      if (st != MDT_OK && st != MDT_EINFEASIBLE)
        return st;
      double next;
      mdt_status s2 = step_room(p, &res->settlement, &next, err);
      if (s2 != MDT_OK)
        return s2;
      double delta = fabs(next - p->step_room_pct);
      p->step_room_pct = next;
      if (delta < 1e-13)
        break;
    }
    p->spec.room_annual_pct = p->room_base_pct - p->step_room_pct;
    return mdt_allocator_solve(p->alloc, &p->base, &p->spec, res, err);
  }
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

mdt_status mdt__pipeline_suppress(const mdt__pipeline *p, mdt_microsim_report *rep,
                                  mdt_allocation_result *res, mdt_error *err) {
  mdt_suppression plan;
  mdt_status st = mdt_suppression_plan(p->reg, rep, p->sc->suppress_below, &plan, err);
  if (st != MDT_OK)
    return st;
  st = mdt_suppression_apply(&plan, rep, &res->effect, err);
  mdt_suppression_free(&plan);
  return st;
}

void mdt__pipeline_free(mdt__pipeline *p) {
  mdt_sha256_batch_free(p->digests);
  mdt_allocator_free(p->alloc);
  mdt_microsim_work_free(p->work);
  mdt_microsim_free(p->sim);
  mdt_step_table_free(p->guarantee);
  mdt_step_table_free(p->base_table);
  free(p->group_overheng);
  free(p->group_glidning);
  free(p->wage_bill);
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

void mdt__pipeline_settlement_context(const mdt__pipeline *p, mdt_settlement_context *ctx) {
  memset(ctx, 0, sizeof *ctx);
  ctx->groups = p->model->groups;
  ctx->rule = p->sc->rule;
  ctx->theta = p->sc->theta;
  ctx->solved = p->has_frame;
  ctx->frame_pct = p->has_frame ? p->sc->frame_pct : NAN;
  ctx->overheng_pct = p->overheng_pct;
  ctx->glidning_pct = p->glidning_pct;
  ctx->price_pct = p->price_pct;
  ctx->room_annual_pct = p->has_frame ? p->spec.room_annual_pct : NAN;
  ctx->central_month = p->sc->central_month;
  ctx->local_pot_pct = p->sc->local_pot_pct;
  ctx->local_month = p->sc->local_month;
  ctx->payroll_overhead_pct = p->sc->payroll_overhead_pct;
}

void mdt__pipeline_report_options(const mdt__pipeline *p, mdt_microsim_report_options *ro) {
  mdt_microsim_report_options_init(ro);
  ro->overheng_pct = isnan(p->overheng_pct) ? 0 : p->overheng_pct;
  ro->glidning_pct = isnan(p->glidning_pct) ? 0 : p->glidning_pct;
  ro->group_overheng_pct = p->group_overheng;
  ro->group_glidning_pct = p->group_glidning;
  ro->step_moves = p->sc->step_moves && p->guarantee != NULL;
  ro->glidning_includes_step_moves = p->sc->glidning_includes_step_moves;
  ro->price_forecast_pct = p->price_pct;
  ro->payroll_overhead_pct = p->sc->payroll_overhead_pct;
}

