/* A run's result written as a folder: CSV tables, report.json, report.xlsx, manifest.json. */
#include "mandat/output.h"

#include <jansson.h>
#include <math.h>
#include <pthread.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/hash.h"
#include "core/spare.h"
#include "core/thread.h"
#include "mandat/report.h"
#include "mandat/version.h"
#include "mandat/workbook.h"
#include "report/outdir.h"
#include "report/summary_lines.h"
#include "run/run_int.h"
#include "run/settings.h"
#include "report/json_int.h"

/* ----------------------------------------------------------------- writing -- */

static int has_table(const mdt__table_set *ts, const char *name) {
  for (size_t k = 0; k < ts->n; k++)
    if (strcmp(ts->t[k]->name, name) == 0)
      return 1;
  return 0;
}

static mdt_status write_workbook(const mdt__year *s, const char *path, const char *lang,
                                 mdt_error *err) {
  static const char *const growth[] = {"annual_growth_pct"};
  static const char *const priority[] = {"priority"};
  static const char *const effect[] = {"annual_effect_pct"};
  static const char *const share[] = {"share"};
  static const char *const pct[] = {"pct"};
  static const char *const l1[] = {"l1_distance_pp"};
  static const char *const profile_distance[] = {"profile_distance"};
  /* The frame table's rows that add up the parts rather than being one. */
  static const char *const frame_totals[] = {"annual_growth", "exact_annual_growth",
                                             "exact_minus_additive", "frame", "room",
                                             "room_dated", NULL};
  const mdt_chart_spec all[] = {
      {"sweep_theta", MDT_CHART_LINE, "chart_sweep_theta", "value", 1,
       growth, "group", NULL, NULL, "theta", "annual_growth_pct", NULL},
      {"frame", MDT_CHART_COLUMN_STACKED, "chart_frame", "scope", 1, effect,
       "component", NULL, NULL, "scope", "annual_effect_pct", frame_totals},
      {"growth_distribution", MDT_CHART_COLUMN, "chart_growth_distribution", "bin_low_pct", 1,
       share, NULL, NULL, NULL, "annual_growth_pct", "share", NULL},
      {"profile", MDT_CHART_BAR, "chart_profile", "group", 1, priority,
       NULL, "ci_low", "ci_high", "group", "priority", NULL},
      {"mandate_uncertainty", MDT_CHART_BAR, "chart_mandate_uncertainty",
       "group", 1, pct, NULL, "pct_low", "pct_high", "group", "pct", NULL},
      {"regions", MDT_CHART_BAR, "chart_regions",
       "region", 1, l1, NULL, NULL, NULL, "region", "l1_distance_pp", NULL},
      {"sweep_krone_share", MDT_CHART_LINE, "chart_sweep_krone_share",
       "value", 1, growth, "group", NULL, NULL, "krone_share", "annual_growth_pct", NULL},
      {"regions_side_by_side", MDT_CHART_BAR, "chart_regions_side_by_side", "region", 1,
       profile_distance, NULL, NULL, NULL, "region", "profile_distance", NULL},
  };
  mdt_chart_spec charts[sizeof all / sizeof all[0]];
  size_t nch = 0;
  for (size_t k = 0; k < sizeof all / sizeof all[0]; k++)
    if (has_table(&s->tables, all[k].table))
      charts[nch++] = all[k];
  /* The summary sheet says what the terminal says, under the scenario's name. */
  const mdt_scenario *sc = s->p.sc;
  int year = sc->first_year + sc->year - 1;
  char **lines = NULL;
  size_t nlines = 0;
  mdt_status st = mdt__output_year_lines(s, year, &lines, &nlines, err);
  if (st != MDT_OK)
    return st;
  int nb = lang != NULL && strcmp(lang, "nb") == 0;
  const char *base = sc->path == NULL ? NULL : strrchr(sc->path, '/');
  base = base != NULL ? base + 1 : sc->path;
  char title[512];
  if (base != NULL)
    snprintf(title, sizeof title, "%s %s", nb ? "Sammendrag av" : "Summary of", base);
  else
    snprintf(title, sizeof title, "%s", nb ? "Sammendrag" : "Summary");
  if (sc->first_year > 1 || sc->period_years == 2)
    snprintf(title + strlen(title), sizeof title - strlen(title), ", %d", year);
  mdt_workbook_summary summary = {nb ? "Sammendrag" : "Summary", title, nlines,
                                  (const char *const *)lines};
  st = mdt_workbook_write_with_summary(path, &summary, (const mdt_table *const *)s->tables.t,
                                       s->tables.n, charts, nch, lang, err);
  mdt_output_lines_free(lines, nlines);
  return st;
}

/* The workbook written on a thread of its own while the tables and report.json are: it reads
 * the year's tables and summary as they do, and changes nothing they read. */
typedef struct {
  const mdt__year *s;
  const char *path, *lang;
  mdt_status st;
  mdt_error err;
} workbook_job;

static void *workbook_main(void *arg) {
  workbook_job *job = arg;
  mdt_error_clear(&job->err);
  job->st = write_workbook(job->s, job->path, job->lang, &job->err);
  return NULL;
}

/* The input at path in the manifest: its digest from the register's load or the run's batch
 * when they have it, else hashed here. */
static mdt_status add_input(json_t *arr, const mdt__year *s, const char *path,
                            mdt_error *err) {
  const mdt_scenario *sc = s->p.sc;
  char hex[MDT_SHA256_HEX_SIZE];
  mdt_status st = MDT_OK;
  if (s->p.register_sha256[0] != '\0' && strcmp(path, s->p.register_path) == 0)
    memcpy(hex, s->p.register_sha256, sizeof hex);
  else if (!mdt_sha256_batch_get(s->p.digests, path, hex))
    st = mdt_sha256_file(path, hex, err);
  if (st != MDT_OK)
    return st;
  struct stat sb;
  json_t *o = json_object();
  json_object_set_new(o, "file", json_string(mdt__run_shown_path(sc, path)));
  json_object_set_new(o, "sha256", json_string(hex));
  json_object_set_new(o, "bytes", json_integer(stat(path, &sb) == 0 ? (json_int_t)sb.st_size : -1));
  json_array_append_new(arr, o);
  return MDT_OK;
}

static mdt_status manifest(const mdt__year *s, const char *scenario_path, json_t **out,
                           mdt_error *err) {
  const mdt__pipeline *p = &s->p;
  const mdt_scenario *sc = p->sc;
  json_t *root = json_object(), *inputs = json_array();
  json_object_set_new(root, "program", json_string("mandat"));
  json_object_set_new(root, "version", json_string(MDT_VERSION_STRING));
  json_object_set_new(root, "seed", json_integer((json_int_t)sc->seed));
  mdt_status st = add_input(inputs, s, scenario_path, err);
  mdt__pipeline_inputs *in = st == MDT_OK ? malloc(sizeof *in) : NULL;
  if (st == MDT_OK && in == NULL)
    st = mdt_error_set(err, MDT_ENOMEM, "out of memory");
  if (in != NULL)
    mdt__pipeline_input_files(p, in);
  for (size_t k = 0; in != NULL && k < in->n && st == MDT_OK; k++)
    st = add_input(inputs, s, in->path[k], err);
  free(in);
  json_object_set_new(root, "inputs", inputs);
  json_object_set_new(root, "settings", mdt__run_settings_json(p));
  if (s->agg != NULL)
    json_object_set_new(root, "bootstrap", mdt__report_bootstrap_json(s->agg));
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

static json_t *summary_json(const mdt__year *s) {
  const mdt__pipeline *p = &s->p;
  json_t *o = json_object();
  json_object_set_new(o, "members", json_integer((json_int_t)s->agg->nmembers));
  json_object_set_new(o, "respondents", json_integer((json_int_t)s->agg->nrespondents));
  json_object_set_new(o, "bootstrap", mdt__report_bootstrap_json(s->agg));
  json_object_set_new(o, "rule", json_string(p->sc->rule));
  json_object_set_new(o, "status",
                      json_string(mdt_report_settlement_status(p->has_frame, !s->infeasible)));
  json_object_set_new(o, "binding", p->has_frame ? json_string(s->binding) : json_null());
  json_object_set_new(o, "scalar",
                      mdt__report_json_number(s->binding[0] ? NAN : s->res.scalar));
  json_object_set_new(o, "annual_effect_pct", mdt__report_json_number(s->res.annual_effect_pct));
  json_object_set_new(o, "annual_growth_pct",
                      mdt__report_json_number(s->rep->total.annual_growth_pct));
  json_object_set_new(o, "p_growth_above_frame",
                      s->mc ? mdt__report_json_number(s->mc->p_above_frame) : json_null());
  if (s->infeasible && s->infeasible_msg[0])
    json_object_set_new(o, "infeasible", json_string(s->infeasible_msg));
  return o;
}

/* A new file to write from one thread: stdio need not lock it for every field. */
static FILE *open_own(const char *path) {
  FILE *fp = fopen(path, "w");
  if (fp != NULL)
    __fsetlocking(fp, FSETLOCKING_BYCALLER);
  return fp;
}

static mdt_status write_json_file(const char *path, json_t *j, mdt_error *err) {
  FILE *fp = open_own(path);
  if (fp == NULL)
    return mdt_error_set_at(err, MDT_ECANTWRITE, path, 0, 0, "cannot write");
  mdt_status st = mdt__report_write_json(fp, j, err);
  if (fclose(fp) != 0 && st == MDT_OK)
    st = mdt_error_set_at(err, MDT_ECANTWRITE, path, 0, 0, "cannot write");
  return st;
}

/* The year's CSV tables and report.json. */
static mdt_status write_tables(const mdt__year *s, const mdt__outdir *od, const char *prefix,
                               const mdt_csv_options *csvo, mdt_error *err) {
  char path[4400];
  mdt_status st = MDT_OK;
  for (size_t k = 0; k < s->tables.n && st == MDT_OK; k++) {
    char name[160];
    snprintf(name, sizeof name, "%s%s.csv", prefix, s->tables.t[k]->name);
    mdt__outdir_path(od, name, path, sizeof path);
    FILE *fp = open_own(path);
    if (fp == NULL)
      return mdt_error_set_at(err, MDT_ECANTWRITE, path, 0, 0, "cannot write");
    st = mdt_table_write_csv_as(s->tables.t[k], fp, csvo, err);
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
    json_object_set_new(tables, s->tables.t[k]->name, mdt__table_json(s->tables.t[k]));
  json_object_set_new(report, "tables", tables);
  char name[160];
  snprintf(name, sizeof name, "%sreport.json", prefix);
  mdt__outdir_path(od, name, path, sizeof path);
  st = write_json_file(path, report, err);
  json_decref(report);
  return st;
}

/* Writes year s's files; release (the result's, for its last year): let its per-employee
 * structures be freed once the tables are written, while the workbook is. */
static mdt_status write_outputs(const mdt__year *s, const mdt__outdir *od, const char *prefix,
                                const char *scenario_path, const mdt_result *release,
                                mdt_output_progress_fn progress, void *user, mdt_error *err) {
  const mdt_scenario *sc = s->p.sc;
  const mdt_groups *gr = s->p.model->groups;
  mdt_csv_options csvo = {MDT_CSV_TIDY, sc->lang, gr->n, (const char *const *)gr->id,
                          (const char *const *)gr->name};
  mdt_csv_dialect_parse(sc->csv, &csvo.dialect);
  char path[4400];
  mdt_status st = MDT_OK;
  /* With more than one thread the workbook (zipped XML: most of the writing's time) is
   * written beside the tables, its errors reported after theirs; but not when malloc has one
   * arena for every thread (mandat's own, core/spare.h): both allocate much, and beside each
   * other they took 84 ms at 10x the area, one after the other 49 ms. The per-employee
   * structures are freed on a thread of their own either way. */
  char name[160], xlsx[4400];
  snprintf(name, sizeof name, "%sreport.xlsx", prefix);
  mdt__outdir_path(od, name, xlsx, sizeof xlsx);
  workbook_job wb = {s, xlsx, s->p.sc->lang, MDT_OK, {0}};
  pthread_t wb_tid;
  int wb_started = s->p.threads > 1 && !mdt__malloc_one_arena() &&
                   mdt__thread_create(&wb_tid, workbook_main, &wb) == 0;
  if (progress != NULL) {
    progress(user, "writing the tables");
    if (wb_started)
      progress(user, "writing the workbook");
  }
  st = write_tables(s, od, prefix, &csvo, err);
  if (wb_started) {
    mdt__result_release(release);
    pthread_join(wb_tid, NULL);
  }
  if (st != MDT_OK)
    return st;
  if (!wb_started) {
    if (progress != NULL)
      progress(user, "writing the workbook");
    mdt__result_release(release);
  }
  if (wb_started && wb.st != MDT_OK) {
    if (err != NULL)
      *err = wb.err;
    return wb.st;
  }
  if (!wb_started && (st = write_workbook(s, xlsx, s->p.sc->lang, err)) != MDT_OK)
    return st;
  json_t *man = NULL;
  if ((st = manifest(s, scenario_path, &man, err)) != MDT_OK)
    return st;
  snprintf(name, sizeof name, "%smanifest.json", prefix);
  mdt__outdir_path(od, name, path, sizeof path);
  st = write_json_file(path, man, err);
  json_decref(man);
  return st;
}



mdt_status mdt_output_write(const mdt_result *r, const char *dir, mdt_output_progress_fn progress,
                            void *user, mdt_error *err) {
  if (r == NULL || dir == NULL)
    return mdt_error_set(err, MDT_EUSAGE, "mdt_output_write: no %s given",
                         r == NULL ? "result" : "folder");
  mdt__outdir od;
  memset(&od, 0, sizeof od);
  mdt_status st = mdt__outdir_begin(&od, dir, err);
  char path[4400];
  char prefix[2][32] = {"", ""};
  if (st == MDT_OK && r->nyears == 2)
    for (int k = 0; k < 2 && st == MDT_OK; k++) {
      snprintf(prefix[k], sizeof prefix[k], "%d/", r->first_year + k);
      char sub[32];
      snprintf(sub, sizeof sub, "%d", r->first_year + k);
      if (mdt__outdir_path(&od, sub, path, sizeof path) == NULL || mkdir(path, 0777) != 0)
        st = mdt_error_set_at(err, MDT_ECANTWRITE, path, 0, 0, "cannot create the folder");
    }
  for (int k = 0; k < r->nyears && st == MDT_OK; k++) {
    const char *sp = r->scenario_path != NULL ? r->scenario_path : r->years[k].p.sc->path;
    st = write_outputs(&r->years[k], &od, prefix[k], sp, k == r->nyears - 1 ? r : NULL, progress,
                       user, err);
  }
  if (st == MDT_OK && r->period != NULL) {
    mdt__outdir_path(&od, "period.csv", path, sizeof path);
    FILE *fp = open_own(path);
    if (fp == NULL)
      st = mdt_error_set_at(err, MDT_ECANTWRITE, path, 0, 0, "cannot write");
    else {
      st = mdt_table_write_csv(r->period, fp, err);
      if (fclose(fp) != 0 && st == MDT_OK)
        st = mdt_error_set_at(err, MDT_ECANTWRITE, path, 0, 0, "cannot write");
    }
    if (st == MDT_OK) {
      json_t *j = json_object();
      json_object_set_new(j, "first_year", json_integer(r->first_year));
      json_object_set_new(j, "period", mdt__table_json(r->period));
      mdt__outdir_path(&od, "period.json", path, sizeof path);
      st = write_json_file(path, j, err);
      json_decref(j);
    }
  }
  if (st == MDT_OK && r->shards_json != NULL) {
    /* A merged result names its parts beside the folder the single run writes. */
    mdt__outdir_path(&od, "shards.json", path, sizeof path);
    FILE *fp = open_own(path);
    if (fp == NULL || fputs(r->shards_json, fp) == EOF)
      st = mdt_error_set_at(err, MDT_ECANTWRITE, path, 0, 0, "cannot write");
    if (fp != NULL && fclose(fp) != 0 && st == MDT_OK)
      st = mdt_error_set_at(err, MDT_ECANTWRITE, path, 0, 0, "cannot write");
  }
  if (st == MDT_OK) {
    if (progress != NULL)
      progress(user, "moving the results into place");
    st = mdt__outdir_commit(&od, err);
  }
  if (st != MDT_OK)
    mdt__outdir_abort(&od);
  return st;
}

mdt_status mdt_output_lock_acquire(mdt_output_lock *lk, const char *path, mdt_error *err) {
  mdt__lock l = {-1};
  mdt_status st = mdt__lock_acquire(&l, path, err);
  lk->fd = l.fd;
  return st;
}

void mdt_output_lock_release(mdt_output_lock *lk) {
  mdt__lock l = {lk->fd};
  mdt__lock_release(&l);
  lk->fd = -1;
}
