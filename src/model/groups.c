#include "mandat/groups.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/dict.h"
#include "model/load.h"

enum { C_ID, C_NAME, C_CHAPTER, C_HEADCOUNT, C_FTE, C_MEAN_SALARY, C_OVERHENG, C_GLIDNING, C_N };

static const mdt_csv_spec specs[C_N] = {
    {"id", MDT_CSV_STR, 1, 0},           {"name", MDT_CSV_STR, 1, 0},
    {"chapter", MDT_CSV_STR, 1, 0},      {"headcount", MDT_CSV_REAL, 0, 1},
    {"fte", MDT_CSV_REAL, 0, 1},         {"mean_salary", MDT_CSV_REAL, 0, 1},
    {"overheng_pct", MDT_CSV_REAL, 0, 1}, {"glidning_pct", MDT_CSV_REAL, 0, 1},
};

void mdt_groups_free(mdt_groups *g) {
  if (g == NULL)
    return;
  mdt__strvec_free(g->id, g->n);
  mdt__strvec_free(g->name, g->n);
  mdt__strvec_free(g->chapter, g->n);
  free(g->headcount);
  free(g->fte);
  free(g->mean_salary_nok);
  free(g->overheng_pct);
  free(g->glidning_pct);
  free(g->line);
  free(g->path);
  mdt__dict_free(g->index);
  free(g);
}

/* Column col of the table, or NaN where the file has no such column. */
static void take_reals(const mdt_csv_table *t, size_t col, double *dst) {
  for (size_t i = 0; i < t->nrows; i++)
    dst[i] = t->present[col] ? t->reals[col][i] : NAN;
}

static mdt_status check_rows(const mdt_csv_table *t, mdt_groups *g, mdt_error *err) {
  char found[MDT__FOUND_MAX];
  for (size_t i = 0; i < t->nrows; i++) {
    const char *id = mdt_csv_str(t, C_ID, i);
    long first;
    int put = mdt__dict_put(g->index, id, strlen(id), (long)i, &first);
    if (put < 0)
      return mdt_error_set(err, MDT_ENOMEM, "out of memory reading %s", t->path);
    if (put > 0)
      return mdt_csv_fail(t, i, C_ID, err, MDT_EDATA,
                          "expected a unique group id, found %s again (first on line %ld)",
                          mdt__quote_field(t, i, C_ID, found, sizeof found), t->line[first]);
    /* Sizes and pay cannot be negative; the rates can (a negative drift happens). */
    static const size_t sizes[] = {C_HEADCOUNT, C_FTE, C_MEAN_SALARY};
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
      size_t c = sizes[k];
      if (t->present[c] && t->reals[c][i] < 0)
        return mdt_csv_fail(t, i, c, err, MDT_EDATA, "expected a number >= 0, found %s",
                            mdt__quote_number(t->reals[c][i], t->delimiter, found,
                                              sizeof found));
    }
  }
  return MDT_OK;
}

mdt_status mdt_groups_load(const char *path, mdt_groups **out, mdt_error *err) {
  *out = NULL;
  mdt_csv_table *t = NULL;
  mdt_groups *g = NULL;
  mdt_status st = mdt_csv_read_table(path, specs, C_N, &t, err);
  if (st != MDT_OK)
    goto fail;
  if (t->nrows == 0) {
    st = mdt__no_rows(path, "employee group", err);
    goto fail;
  }
  size_t n = t->nrows;
  g = calloc(1, sizeof *g);
  if (g == NULL)
    goto nomem;
  g->n = n;
  g->id = calloc(n, sizeof *g->id);
  g->name = calloc(n, sizeof *g->name);
  g->chapter = calloc(n, sizeof *g->chapter);
  g->headcount = malloc(n * sizeof *g->headcount);
  g->fte = malloc(n * sizeof *g->fte);
  g->mean_salary_nok = malloc(n * sizeof *g->mean_salary_nok);
  g->overheng_pct = malloc(n * sizeof *g->overheng_pct);
  g->glidning_pct = malloc(n * sizeof *g->glidning_pct);
  g->line = malloc(n * sizeof *g->line);
  g->path = mdt__strdup(path);
  g->index = mdt__dict_new(n);
  if (!g->id || !g->name || !g->chapter || !g->headcount || !g->fte || !g->mean_salary_nok ||
      !g->overheng_pct || !g->glidning_pct || !g->line || !g->path || !g->index)
    goto nomem;
  st = check_rows(t, g, err);
  if (st != MDT_OK)
    goto fail;
  for (size_t i = 0; i < n; i++) {
    if ((g->id[i] = mdt__strdup(mdt_csv_str(t, C_ID, i))) == NULL ||
        (g->name[i] = mdt__strdup(mdt_csv_str(t, C_NAME, i))) == NULL ||
        (g->chapter[i] = mdt__strdup(mdt_csv_str(t, C_CHAPTER, i))) == NULL)
      goto nomem;
    g->line[i] = t->line[i];
  }
  take_reals(t, C_HEADCOUNT, g->headcount);
  take_reals(t, C_FTE, g->fte);
  take_reals(t, C_MEAN_SALARY, g->mean_salary_nok);
  take_reals(t, C_OVERHENG, g->overheng_pct);
  take_reals(t, C_GLIDNING, g->glidning_pct);
  mdt_csv_table_free(t);
  *out = g;
  return MDT_OK;
nomem:
  st = mdt_error_set(err, MDT_ENOMEM, "out of memory reading %s", path);
fail:
  mdt_groups_free(g);
  mdt_csv_table_free(t);
  return st;
}

long mdt_groups_find(const mdt_groups *g, const char *id) {
  return mdt__dict_find(g->index, id, strlen(id));
}
