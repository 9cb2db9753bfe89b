#include "mandat/headcounts.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "model/load.h"

enum { H_RESPONDENT, H_GROUP, H_HEADCOUNT, H_N };

/* Largest headcount accepted for one member and group. */
#define HEADCOUNT_MAX 1e9

static const mdt_csv_spec specs[H_N] = {
    {"respondent", MDT_CSV_STR, 1, 0},
    {"group", MDT_CSV_STR, 1, 0},
    {"headcount", MDT_CSV_REAL, 1, 0},
};

void mdt_headcounts_free(mdt_headcounts *h) {
  if (h == NULL)
    return;
  free(h->count);
  free(h->listed);
  free(h->path);
  free(h);
}

/* Validates every row and fills h->count; first_line[cell] remembers where a pair was given. */
static mdt_status fill(const mdt_csv_table *t, const mdt_respondents *r, const mdt_groups *g,
                       long *first_line, mdt_headcounts *h, mdt_error *err) {
  char found[MDT__FOUND_MAX];
  int any_above_zero = 0;
  for (size_t i = 0; i < t->nrows; i++) {
    long ri = mdt_respondents_find(r, mdt_csv_str(t, H_RESPONDENT, i));
    if (ri < 0)
      return mdt_csv_fail(t, i, H_RESPONDENT, err, MDT_EDATA,
                          "expected a member id from respondents.csv, found %s",
                          mdt__quote_field(t, i, H_RESPONDENT, found, sizeof found));
    long gi = mdt_groups_find(g, mdt_csv_str(t, H_GROUP, i));
    if (gi < 0)
      return mdt_csv_fail(t, i, H_GROUP, err, MDT_EDATA,
                          "expected a group id from groups.csv, found %s",
                          mdt__quote_field(t, i, H_GROUP, found, sizeof found));
    size_t cell = (size_t)ri * g->n + (size_t)gi;
    if (first_line[cell] != 0) {
      char who[MDT__FOUND_MAX];
      return mdt_csv_fail(t, i, H_GROUP, err, MDT_EDATA,
                          "expected one row per member and group, found %s and %s again "
                          "(first on line %ld)",
                          mdt__quote_field(t, i, H_RESPONDENT, who, sizeof who),
                          mdt__quote_field(t, i, H_GROUP, found, sizeof found),
                          first_line[cell]);
    }
    first_line[cell] = t->line[i];
    double v = t->reals[H_HEADCOUNT][i];
    /* Bounded so that sums over members stay finite. */
    if (!(v >= 0 && v <= HEADCOUNT_MAX))
      return mdt_csv_fail(t, i, H_HEADCOUNT, err, MDT_EDATA,
                          "expected a number from 0 to %g, found %s", HEADCOUNT_MAX,
                          mdt__quote_number(v, t->delimiter, found, sizeof found));
    h->count[cell] = v;
    any_above_zero |= v > 0;
  }
  /* Answers about groups weigh by these headcounts: all zero would weigh every one by 0. */
  if (!any_above_zero)
    return mdt_csv_fail(t, 0, H_HEADCOUNT, err, MDT_EDATA,
                        "expected a headcount above 0 in some row, found 0 in every row");
  for (size_t m = 0; m < r->n; m++)
    for (size_t k = 0; k < g->n && !h->listed[m]; k++)
      h->listed[m] = first_line[m * g->n + k] != 0;
  h->end_line = t->line[t->nrows - 1] + 1;
  return MDT_OK;
}

mdt_status mdt_headcounts_load(const char *path, const mdt_respondents *r,
                               const mdt_groups *g, mdt_headcounts **out, mdt_error *err) {
  *out = NULL;
  mdt_csv_table *t = NULL;
  mdt_headcounts *h = NULL;
  long *first_line = NULL;
  mdt_status st = mdt_csv_read_table(path, specs, H_N, &t, err);
  if (st != MDT_OK)
    goto fail;
  if (t->nrows == 0) {
    st = mdt__no_rows(path, "headcount", err);
    goto fail;
  }
  h = calloc(1, sizeof *h);
  if (h == NULL)
    goto nomem;
  h->nrespondents = r->n;
  h->ngroups = g->n;
  h->count = calloc(r->n * g->n, sizeof *h->count);
  first_line = calloc(r->n * g->n, sizeof *first_line);
  h->listed = calloc(r->n ? r->n : 1, 1);
  h->path = mdt__strdup(path);
  if (h->count == NULL || first_line == NULL || h->listed == NULL || h->path == NULL)
    goto nomem;
  st = fill(t, r, g, first_line, h, err);
  if (st != MDT_OK)
    goto fail;
  free(first_line);
  mdt_csv_table_free(t);
  *out = h;
  return MDT_OK;
nomem:
  st = mdt_error_set(err, MDT_ENOMEM, "out of memory reading %s", path);
fail:
  free(first_line);
  mdt_headcounts_free(h);
  mdt_csv_table_free(t);
  return st;
}
