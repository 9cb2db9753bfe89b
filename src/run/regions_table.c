/* The regions side by side, for Hovedstyret: a table of every run with a region breakdown. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run/run_int.h"

static const mdt_table *find(const mdt__year *y, const char *name) {
  for (size_t k = 0; k < y->tables.n; k++)
    if (strcmp(y->tables.t[k]->name, name) == 0)
      return y->tables.t[k];
  return NULL;
}

static double status_value(const mdt_table *status, const char *region, const char *col) {
  long s = status ? mdt_table_col(status, "stratum") : -1, c = status ? mdt_table_col(status, col) : -1;
  for (size_t r = 0; s >= 0 && c >= 0 && r < status->nrows; r++) {
    const mdt_cell *x = mdt_table_cell(status, r, (size_t)s);
    if (x->kind == 2 && strcmp(x->text, region) == 0) {
      const mdt_cell *v = mdt_table_cell(status, r, (size_t)c);
      return v->kind == 1 ? v->num : NAN;
    }
  }
  return NAN;
}

double mdt__profile_distance(const mdt__year *y, size_t level) {
  const mdt_aggregate *a = y->agg;
  if (a == NULL || level >= a->nstrata)
    return NAN;
  double d = 0;
  int any = 0;
  for (size_t g = 0; g < a->ngroups; g++) {
    double x = a->profiles[1 + level].priority[g], n = a->profiles[0].priority[g];
    if (isfinite(x) && isfinite(n)) {
      d += fabs(x - n);
      any = 1;
    }
  }
  return any ? d : NAN;
}

static mdt_table *new_table(const char *name, const char *title, size_t n,
                            const char *const *cols, const mdt_col_kind *kinds) {
  mdt_table *t = NULL;
  mdt_error err;
  return mdt_table_new(name, title, n, cols, kinds, &t, &err) == MDT_OK ? t : NULL;
}

/* ---------------------------------------------- the regions side by side -- */

typedef struct {
  size_t level;
  double key; /* what orders the rows: the allocation's distance, else the profile's */
} order_item;

static int by_key_desc(const void *x, const void *y) {
  const order_item *a = x, *b = y;
  int an = isnan(a->key), bn = isnan(b->key);
  if (an != bn)
    return an - bn; /* unknown distances last */
  if (a->key != b->key)
    return a->key > b->key ? -1 : 1;
  return a->level < b->level ? -1 : a->level > b->level;
}

/*
 * The table `regions_side_by_side`: the nation first, then every region ordered so the
 * regions that disagree most stand first (by the L1 distance of their own allocation from the
 * national one when the run has it, else by the distance of their priority profile): members,
 * answered, response rate, both distances and each group's priority.
 */
mdt_table *mdt__regions_side_by_side(const mdt__year *y) {
  const mdt_aggregate *a = y->agg;
  long gi = mdt_respondents_grouping_index(y->p.model->respondents, y->p.sc->region_column);
  const mdt_table *status = find(y, "response_status");
  if (a == NULL || gi < 0 || a->breakdown != gi)
    return NULL;
  const mdt_grouping *grp = &y->p.model->respondents->groupings[gi];
  const mdt_groups *groups = y->p.model->groups;
  size_t G = a->ngroups, L = grp->nlevels;
  const char *names[8 + 256];
  mdt_col_kind kinds[8 + 256];
  char gcols[256][80];
  size_t n = 0;
  const char *fixed[] = {"region", "members", "answered", "response_rate", "l1_distance_pp",
                         "profile_distance"};
  const mdt_col_kind fk[] = {MDT_COL_TEXT, MDT_COL_INT, MDT_COL_INT, MDT_COL_SHARE,
                             MDT_COL_NUMBER, MDT_COL_NUMBER};
  for (size_t k = 0; k < 6; k++) {
    names[n] = fixed[k];
    kinds[n++] = fk[k];
  }
  size_t gsel[256], ng = 0; /* the groups a priority question names */
  for (size_t g = 0; g < G && ng < 256; g++) {
    if (!isfinite(a->profiles[0].priority[g]))
      continue;
    snprintf(gcols[ng], sizeof gcols[ng], "priority_%s", groups->id[g]);
    names[n] = gcols[ng];
    kinds[n++] = MDT_COL_NUMBER;
    gsel[ng++] = g;
  }
  mdt_table *t = new_table("regions_side_by_side",
                           "The regions side by side: who disagrees most with the nation",
                           n, names, kinds);
  order_item *ord = malloc((L ? L : 1) * sizeof *ord);
  if (t == NULL || ord == NULL) {
    free(ord);
    mdt_table_free(t);
    return NULL;
  }
  for (size_t l = 0; l < L; l++) {
    ord[l].level = l;
    double alloc = NAN;
    if (y->regions != NULL && l < y->regions->nregions && y->regions->solved[l])
      alloc = y->regions->l1_distance_pp[l];
    ord[l].key = y->regions != NULL ? alloc : mdt__profile_distance(y, l);
  }
  qsort(ord, L, sizeof *ord, by_key_desc);
  for (size_t k = 0; k <= L; k++) {
    long r = mdt_table_add_row(t);
    const char *label = k == 0 ? "all" : grp->levels[ord[k - 1].level];
    if (r < 0 || mdt_table_set_text(t, (size_t)r, 0, label) != 0) {
      free(ord);
      mdt_table_free(t);
      return NULL;
    }
    double members = status_value(status, label, "members");
    double answered = status_value(status, label, "answered");
    mdt_table_set_num(t, (size_t)r, 1, members);
    mdt_table_set_num(t, (size_t)r, 2, answered);
    mdt_table_set_num(t, (size_t)r, 3, members > 0 ? answered / members : NAN);
    if (k > 0) {
      size_t l = ord[k - 1].level;
      if (y->regions != NULL && l < y->regions->nregions && y->regions->solved[l])
        mdt_table_set_num(t, (size_t)r, 4, y->regions->l1_distance_pp[l]);
      mdt_table_set_num(t, (size_t)r, 5, mdt__profile_distance(y, l));
    }
    const mdt_profile *pr = &a->profiles[k == 0 ? 0 : 1 + ord[k - 1].level];
    for (size_t k2 = 0; k2 < ng; k2++)
      mdt_table_set_num(t, (size_t)r, 6 + k2, pr->priority[gsel[k2]]);
  }
  free(ord);
  return t;
}

