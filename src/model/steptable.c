#include "mandat/steptable.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "model/load.h"
#include "model/write.h"

enum { S_GROUP, S_STEP, S_NOK, S_N };

static const mdt_csv_spec specs[S_N] = {
    {"group", MDT_CSV_STR, 1, 0},
    {"step_years", MDT_CSV_REAL, 1, 0},
    {"annual_nok", MDT_CSV_REAL, 1, 0},
};

/* Largest amount accepted: whole kroner stay exact in a double up to 2^53. */
#define NOK_MAX 1e15
/* Longest seniority accepted as a step, in years. */
#define YEARS_MAX 100.0

void mdt_step_table_free(mdt_step_table *t) {
  if (t == NULL)
    return;
  free(t->nsteps);
  free(t->years);
  free(t->nok);
  free(t->path);
  free(t);
}

mdt_status mdt_step_table_new(size_t ngroups, mdt_step_table **out, mdt_error *err) {
  *out = NULL;
  mdt_step_table *t = calloc(1, sizeof *t);
  size_t cells = (ngroups ? ngroups : 1) * MDT_STEPS_MAX;
  if (t == NULL)
    return mdt_error_set(err, MDT_ENOMEM, "out of memory for a step table");
  t->ngroups = ngroups;
  t->nsteps = calloc(ngroups ? ngroups : 1, sizeof *t->nsteps);
  t->years = calloc(cells, sizeof *t->years);
  t->nok = calloc(cells, sizeof *t->nok);
  if (t->nsteps == NULL || t->years == NULL || t->nok == NULL) {
    mdt_step_table_free(t);
    return mdt_error_set(err, MDT_ENOMEM, "out of memory for a step table");
  }
  *out = t;
  return MDT_OK;
}

/*
 * Inserts (years, nok) into group g keeping the steps ascending. Returns the new cell's
 * index k, -1 when the step exists (its index goes to *at), -2 when the group is full.
 */
static long insert_cell(mdt_step_table *t, size_t g, double years, int64_t nok, size_t *at) {
  size_t n = t->nsteps[g];
  double *y = t->years + g * MDT_STEPS_MAX;
  int64_t *v = t->nok + g * MDT_STEPS_MAX;
  size_t k = 0;
  while (k < n && y[k] < years)
    k++;
  if (k < n && y[k] == years) {
    *at = k;
    return -1;
  }
  if (n == MDT_STEPS_MAX)
    return -2;
  memmove(y + k + 1, y + k, (n - k) * sizeof *y);
  memmove(v + k + 1, v + k, (n - k) * sizeof *v);
  y[k] = years;
  v[k] = nok;
  t->nsteps[g] = n + 1;
  return (long)k;
}

mdt_status mdt_step_table_set(mdt_step_table *t, size_t group, double years, int64_t nok,
                              mdt_error *err) {
  if (group >= t->ngroups)
    return mdt_error_set(err, MDT_EINTERNAL, "step table: group %zu of %zu", group,
                         t->ngroups);
  if (!(isfinite(years) && years >= 0))
    return mdt_error_set(err, MDT_EDATA, "expected a step of 0 years or more, found %g",
                         years);
  size_t at;
  long k = insert_cell(t, group, years, nok, &at);
  if (k == -1)
    return mdt_error_set(err, MDT_EDATA, "step %g years of group %zu is already set", years,
                         group);
  if (k == -2)
    return mdt_error_set(err, MDT_EDATA, "group %zu has %d steps already, the most allowed",
                         group, MDT_STEPS_MAX);
  return MDT_OK;
}

long mdt_step_table_step(const mdt_step_table *t, size_t g, double seniority_years) {
  if (g >= t->ngroups)
    return -1;
  const double *y = t->years + g * MDT_STEPS_MAX;
  for (size_t k = t->nsteps[g]; k > 0; k--)
    if (y[k - 1] <= seniority_years)
      return (long)(k - 1);
  return -1;
}

/* Validates row i and stores it; lines[] holds each cell's line, kept in step order. */
static mdt_status take_row(const mdt_csv_table *tab, size_t i, const mdt_groups *groups,
                           mdt_step_table *t, long *lines, mdt_error *err) {
  char found[MDT__FOUND_MAX];
  long g = mdt_groups_find(groups, mdt_csv_str(tab, S_GROUP, i));
  if (g < 0)
    return mdt_csv_fail(tab, i, S_GROUP, err, MDT_EDATA,
                        "expected a group id from groups.csv, found %s",
                        mdt__quote_field(tab, i, S_GROUP, found, sizeof found));
  double years = tab->reals[S_STEP][i];
  if (!(years >= 0 && years <= YEARS_MAX && years == floor(years)))
    return mdt_csv_fail(tab, i, S_STEP, err, MDT_EDATA,
                        "expected a whole number of years from 0 to %g, found %s", YEARS_MAX,
                        mdt__quote_number(years, tab->delimiter, found, sizeof found));
  double nok = tab->reals[S_NOK][i];
  if (!(nok >= 0 && nok <= NOK_MAX && nok == floor(nok)))
    return mdt_csv_fail(tab, i, S_NOK, err, MDT_EDATA,
                        "expected a whole number of NOK >= 0, found %s",
                        mdt__quote_number(nok, tab->delimiter, found, sizeof found));
  size_t at;
  long k = insert_cell(t, (size_t)g, years, (int64_t)nok, &at);
  long *gl = lines + (size_t)g * MDT_STEPS_MAX;
  if (k == -1) {
    char grp[MDT__FOUND_MAX];
    return mdt_csv_fail(tab, i, S_STEP, err, MDT_EDATA,
                        "expected one row per group and step, found %s and %s again "
                        "(first on line %ld)",
                        mdt__quote_field(tab, i, S_GROUP, grp, sizeof grp),
                        mdt__quote_number(years, tab->delimiter, found, sizeof found),
                        gl[at]);
  }
  if (k == -2)
    return mdt_csv_fail(tab, i, S_STEP, err, MDT_EDATA,
                        "expected at most %d steps for group %s, found more", MDT_STEPS_MAX,
                        mdt__quote_field(tab, i, S_GROUP, found, sizeof found));
  size_t n = t->nsteps[g];
  memmove(gl + k + 1, gl + k, (n - 1 - (size_t)k) * sizeof *gl);
  gl[k] = tab->line[i];
  return MDT_OK;
}

/* Every group with rows must have a step at 0 years; reports the earliest offending row. */
static mdt_status check_start(const mdt_csv_table *tab, const mdt_groups *groups,
                              const mdt_step_table *t, const long *lines, mdt_error *err) {
  long worst = -1;
  size_t worst_g = 0;
  for (size_t g = 0; g < t->ngroups; g++) {
    if (t->nsteps[g] == 0 || t->years[g * MDT_STEPS_MAX] == 0)
      continue;
    long line = lines[g * MDT_STEPS_MAX];
    if (worst < 0 || line < worst) {
      worst = line;
      worst_g = g;
    }
  }
  if (worst < 0)
    return MDT_OK;
  size_t row = 0;
  while (row < tab->nrows && tab->line[row] != worst)
    row++;
  char found[MDT__FOUND_MAX];
  return mdt_csv_fail(tab, row, S_STEP, err, MDT_EDATA,
                      "expected the steps of group '%s' to start at 0 years, found %s as its "
                      "lowest step",
                      groups->id[worst_g],
                      mdt__quote_number(t->years[worst_g * MDT_STEPS_MAX], tab->delimiter,
                                        found, sizeof found));
}

mdt_status mdt_step_table_load(const char *path, const mdt_groups *groups,
                               mdt_step_table **out, mdt_error *err) {
  *out = NULL;
  mdt_csv_table *tab = NULL;
  mdt_step_table *t = NULL;
  long *lines = NULL;
  mdt_status st = mdt_csv_read_table(path, specs, S_N, &tab, err);
  if (st != MDT_OK)
    goto fail;
  if (tab->nrows == 0) {
    st = mdt__no_rows(path, "row of group, step_years and annual_nok", err);
    goto fail;
  }
  st = mdt_step_table_new(groups->n, &t, err);
  if (st != MDT_OK)
    goto fail;
  lines = calloc(groups->n * MDT_STEPS_MAX, sizeof *lines);
  if (lines == NULL || (t->path = mdt__strdup(path)) == NULL) {
    st = mdt_error_set(err, MDT_ENOMEM, "out of memory reading %s", path);
    goto fail;
  }
  for (size_t i = 0; i < tab->nrows; i++)
    if ((st = take_row(tab, i, groups, t, lines, err)) != MDT_OK)
      goto fail;
  if ((st = check_start(tab, groups, t, lines, err)) != MDT_OK)
    goto fail;
  free(lines);
  mdt_csv_table_free(tab);
  *out = t;
  return MDT_OK;
fail:
  free(lines);
  mdt_step_table_free(t);
  mdt_csv_table_free(tab);
  return st;
}

mdt_status mdt_step_table_write_csv(const mdt_step_table *t, const mdt_groups *groups,
                                    FILE *fp, mdt_error *err) {
  if (groups->n != t->ngroups)
    return mdt_error_set(err, MDT_EINTERNAL, "step table has %zu groups, the groups table %zu",
                         t->ngroups, groups->n);
  mdt__writer w;
  if (mdt__writer_init(&w, fp) != 0)
    return mdt_error_set(err, MDT_ENOMEM, "out of memory writing a step table");
  static const char header[] = "group,step_years,annual_nok\n";
  mdt__put_raw(&w, header, sizeof header - 1);
  for (size_t g = 0; g < t->ngroups; g++)
    for (size_t k = 0; k < t->nsteps[g]; k++) {
      mdt__put_field(&w, groups->id[g]);
      mdt__put_char(&w, ',');
      mdt__put_double(&w, t->years[g * MDT_STEPS_MAX + k]);
      mdt__put_char(&w, ',');
      mdt__put_i64(&w, t->nok[g * MDT_STEPS_MAX + k]);
      mdt__put_char(&w, '\n');
    }
  if (mdt__writer_close(&w) != 0 || ferror(fp))
    return mdt__writer_error(&w, "the step table", err);
  return MDT_OK;
}
