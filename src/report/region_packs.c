/* The regional process's outputs: the regions side by side for Hovedstyret, and one workbook
 * per region for its editorial committee (redaksjonskomité). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "mandat/output.h"
#include "mandat/response_status.h"
#include "mandat/text_answers.h"
#include "mandat/workbook.h"
#include "report/outdir.h"
#include "run/run_int.h"

/* ------------------------------------------------------------ helpers -- */

static const mdt_table *find(const mdt__year *y, const char *name) {
  for (size_t k = 0; k < y->tables.n; k++)
    if (strcmp(y->tables.t[k]->name, name) == 0)
      return y->tables.t[k];
  return NULL;
}

static const char *text_at(const mdt_table *t, size_t r, const char *col) {
  long k = mdt_table_col(t, col);
  if (k < 0)
    return NULL;
  const mdt_cell *c = mdt_table_cell(t, r, (size_t)k);
  return c->kind == 2 ? c->text : NULL;
}

static double num_at(const mdt_table *t, size_t r, const char *col) {
  long k = mdt_table_col(t, col);
  if (k < 0)
    return NAN;
  const mdt_cell *c = mdt_table_cell(t, r, (size_t)k);
  return c->kind == 1 ? c->num : NAN;
}

static int same(const char *a, const char *b) { return a && b && strcmp(a, b) == 0; }

static mdt_table *new_table(const char *name, const char *title, size_t n,
                            const char *const *cols, const mdt_col_kind *kinds) {
  mdt_table *t = NULL;
  mdt_error err;
  return mdt_table_new(name, title, n, cols, kinds, &t, &err) == MDT_OK ? t : NULL;
}

/* The region grouping's index, or -1. */
static long region_grouping(const mdt__year *y) {
  return mdt_respondents_grouping_index(y->p.model->respondents, y->p.sc->region_column);
}

/* Each region's answered members and employees, from the response status table. */
static double status_value(const mdt_table *status, const char *region, const char *col) {
  for (size_t r = 0; status && r < status->nrows; r++)
    if (same(text_at(status, r, "stratum"), region))
      return num_at(status, r, col);
  return NAN;
}

/* ------------------------------------------------------------ the packs -- */

/* The region's number: the first two digits of its members' numbers (the fylkesnummer a
 * kommunenummer starts with), or its position when they do not agree. */
static void region_number(const mdt_respondents *r, const mdt_grouping *g, size_t level,
                          char *out, size_t size) {
  char num[3] = "";
  int agree = 1;
  for (size_t i = 0; i < r->n; i++) {
    if ((size_t)g->code[i] != level || strlen(r->id[i]) < 2)
      continue;
    if (num[0] == '\0')
      memcpy(num, r->id[i], 2);
    else if (strncmp(num, r->id[i], 2) != 0)
      agree = 0;
  }
  if (num[0] != '\0' && agree)
    snprintf(out, size, "%s", num);
  else
    snprintf(out, size, "%02zu", level + 1);
}

/* A readable ASCII form of a name for a file: æ ae, ø o, å a (and capitals), spaces and
 * anything else that is not a letter or digit as one '-'. */
static void ascii_name(const char *s, char *out, size_t size) {
  static const struct {
    const char *utf8, *ascii;
  } map[] = {{"æ", "ae"}, {"ø", "o"}, {"å", "a"}, {"Æ", "Ae"}, {"Ø", "O"}, {"Å", "A"},
             {"á", "a"}, {"é", "e"}, {"ü", "u"}, {"ö", "o"}, {"ä", "a"}};
  size_t o = 0;
  int dash = 0;
  while (*s && o + 3 < size) {
    int done = 0;
    for (size_t k = 0; k < sizeof map / sizeof map[0] && !done; k++) {
      size_t n = strlen(map[k].utf8);
      if (strncmp(s, map[k].utf8, n) == 0) {
        for (const char *a = map[k].ascii; *a && o + 1 < size; a++)
          out[o++] = *a;
        s += n;
        done = 1;
        dash = 0;
      }
    }
    if (done)
      continue;
    unsigned char c = (unsigned char)*s;
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
      out[o++] = (char)c;
      dash = 0;
    } else if (!dash && o > 0) {
      out[o++] = '-';
      dash = 1;
    }
    s++;
    while ((*s & 0xC0) == 0x80) /* the rest of an unmapped multi-byte character */
      s++;
  }
  while (o > 0 && out[o - 1] == '-')
    o--;
  out[o] = '\0';
}

/* The overview: the first sheet, one page for the committee. */
static mdt_table *overview(const mdt__year *y, const char *region, size_t level,
                           const mdt_table *status, size_t ntext, size_t ndiffer) {
  static const char *const cols[] = {"item", "value"};
  static const mdt_col_kind kinds[] = {MDT_COL_TEXT, MDT_COL_TEXT};
  mdt_table *t = new_table("overview", "The region's overview", 2, cols, kinds);
  if (t == NULL)
    return NULL;
  char buf[8][200];
  double members = status_value(status, region, "members");
  double answered = status_value(status, region, "answered");
  double covered = status_value(status, region, "employee_share");
  double political = status_value(status, region, "political");
  double nat_rate = status_value(status, "all", "response_rate");
  snprintf(buf[0], sizeof buf[0], "%s", region);
  snprintf(buf[1], sizeof buf[1], "%.0f of %.0f (%.1f %%)", answered, members,
           members > 0 ? 100 * answered / members : 0.0);
  snprintf(buf[2], sizeof buf[2], "%.1f %%", 100 * covered);
  snprintf(buf[3], sizeof buf[3], "%.0f", political);
  snprintf(buf[4], sizeof buf[4], "%.1f %%", 100 * nat_rate);
  double l1 = NAN;
  if (y->regions != NULL && level < y->regions->nregions && y->regions->solved[level])
    l1 = y->regions->l1_distance_pp[level];
  if (isfinite(l1))
    snprintf(buf[5], sizeof buf[5], "%.2f", l1);
  else
    snprintf(buf[5], sizeof buf[5], "%s", answered > 0 ? "not computed in this run"
                                                       : "no member has answered");
  snprintf(buf[6], sizeof buf[6], "%zu", ndiffer);
  snprintf(buf[7], sizeof buf[7], "%zu", ntext);
  const char *items[] = {"region", "answered_of_members", "employee_share", "political",
                         "national_response_rate", "l1_distance_pp", "answers_differing",
                         "text_answers_count"};
  for (size_t k = 0; k < 8; k++) {
    long r = mdt_table_add_row(t);
    if (r < 0 || mdt_table_set_text(t, (size_t)r, 0, items[k]) ||
        mdt_table_set_text(t, (size_t)r, 1, buf[k])) {
      mdt_table_free(t);
      return NULL;
    }
  }
  if (!(answered > 0)) {
    long r = mdt_table_add_row(t);
    if (r < 0 || mdt_table_set_text(t, (size_t)r, 0, "note") ||
        mdt_table_set_text(t, (size_t)r, 1,
                           "No member of this region has answered: the region has no weighted "
                           "answers, priorities or allocation of its own.")) {
      mdt_table_free(t);
      return NULL;
    }
  }
  return t;
}

/* The region's weighted answers beside the nation's, and whether they differ beyond both
 * intervals (the region's interval and the nation's do not overlap). */
static mdt_table *answers_vs_nation(const mdt_table *agg, const char *region, size_t *ndiffer) {
  static const char *const cols[] = {"question", "option", "statistic", "value", "ci_low",
                                     "ci_high", "national_value", "national_ci_low",
                                     "national_ci_high", "differs"};
  static const mdt_col_kind kinds[] = {MDT_COL_TEXT,   MDT_COL_TEXT,   MDT_COL_TEXT,
                                       MDT_COL_NUMBER, MDT_COL_NUMBER, MDT_COL_NUMBER,
                                       MDT_COL_NUMBER, MDT_COL_NUMBER, MDT_COL_NUMBER,
                                       MDT_COL_INT};
  mdt_table *t = new_table("answers", "The region's weighted answers beside the nation's", 10,
                           cols, kinds);
  *ndiffer = 0;
  for (size_t i = 0; t && agg && i < agg->nrows; i++) {
    if (!same(text_at(agg, i, "stratum"), region))
      continue;
    const char *q = text_at(agg, i, "question"), *o = text_at(agg, i, "option");
    const char *st = text_at(agg, i, "statistic");
    long nat = -1;
    for (size_t j = 0; j < agg->nrows && nat < 0; j++)
      if (same(text_at(agg, j, "scope"), "all") && same(text_at(agg, j, "question"), q) &&
          same(text_at(agg, j, "statistic"), st) &&
          (o == NULL ? text_at(agg, j, "option") == NULL : same(text_at(agg, j, "option"), o)))
        nat = (long)j;
    long r = mdt_table_add_row(t);
    if (r < 0 || (q && mdt_table_set_text(t, (size_t)r, 0, q)) ||
        (o && mdt_table_set_text(t, (size_t)r, 1, o)) ||
        (st && mdt_table_set_text(t, (size_t)r, 2, st))) {
      mdt_table_free(t);
      return NULL;
    }
    double v[6] = {num_at(agg, i, "value"), num_at(agg, i, "ci_low"), num_at(agg, i, "ci_high"),
                   NAN, NAN, NAN};
    if (nat >= 0) {
      v[3] = num_at(agg, (size_t)nat, "value");
      v[4] = num_at(agg, (size_t)nat, "ci_low");
      v[5] = num_at(agg, (size_t)nat, "ci_high");
    }
    for (size_t k = 0; k < 6; k++)
      mdt_table_set_num(t, (size_t)r, 3 + k, v[k]);
    int differs = isfinite(v[1]) && isfinite(v[2]) && isfinite(v[4]) && isfinite(v[5]) &&
                  (v[2] < v[4] || v[1] > v[5]);
    mdt_table_set_num(t, (size_t)r, 9, differs);
    *ndiffer += (size_t)differs;
  }
  return t;
}

/* The region's priority profile and its allocation beside the nation's. */
static mdt_table *priorities_vs_nation(const mdt__year *y, size_t level) {
  static const char *const cols[] = {"group", "name", "priority", "ci_low", "ci_high",
                                     "national_priority", "pct", "national_pct",
                                     "difference_pp"};
  static const mdt_col_kind kinds[] = {MDT_COL_TEXT,   MDT_COL_TEXT,   MDT_COL_NUMBER,
                                       MDT_COL_NUMBER, MDT_COL_NUMBER, MDT_COL_NUMBER,
                                       MDT_COL_PCT,    MDT_COL_PCT,    MDT_COL_PCT};
  mdt_table *t = new_table("priorities", "The region's priorities and allocation beside the nation's",
                           9, cols, kinds);
  const mdt_aggregate *a = y->agg;
  const mdt_groups *groups = y->p.model->groups;
  for (size_t g = 0; t && a && g < a->ngroups; g++) {
    if (!isfinite(a->profiles[0].priority[g]))
      continue;
    long r = mdt_table_add_row(t);
    if (r < 0 || mdt_table_set_text(t, (size_t)r, 0, groups->id[g]) ||
        mdt_table_set_text(t, (size_t)r, 1, groups->name[g])) {
      mdt_table_free(t);
      return NULL;
    }
    const mdt_profile *pr = &a->profiles[1 + level];
    mdt_table_set_num(t, (size_t)r, 2, pr->priority[g]);
    mdt_table_set_num(t, (size_t)r, 3, pr->ci_low ? pr->ci_low[g] : NAN);
    mdt_table_set_num(t, (size_t)r, 4, pr->ci_high ? pr->ci_high[g] : NAN);
    mdt_table_set_num(t, (size_t)r, 5, a->profiles[0].priority[g]);
    const mdt_region_allocations *ra = y->regions;
    if (ra != NULL && level < ra->nregions && ra->solved[level]) {
      double pct = ra->pct[level * ra->ngroups + g], nat = ra->national_pct[g];
      mdt_table_set_num(t, (size_t)r, 6, pct);
      mdt_table_set_num(t, (size_t)r, 7, nat);
      mdt_table_set_num(t, (size_t)r, 8, pct - nat);
    }
  }
  return t;
}

static void free_all(mdt_table **t, size_t n) {
  for (size_t k = 0; k < n; k++)
    mdt_table_free(t[k]);
}

/* One region's pack into path. */
static mdt_status write_pack(const mdt__year *y, const mdt_response_status *rs,
                             const unsigned char *responded, long gi, size_t level,
                             const char *path, const char *lang, mdt_error *err) {
  const mdt_respondents *resp = y->p.model->respondents;
  const char *region = resp->groupings[gi].levels[level];
  mdt_table *t[8] = {NULL};
  size_t n = 0, ndiffer = 0, ntext = 0;
  mdt_table *status = NULL, *missing = NULL, *answers = NULL, *prio = NULL, *text = NULL;
  mdt_status st = mdt_response_status_table(rs, resp, (long)level, &status, err);
  mdt_table *all_status = NULL;
  if (st == MDT_OK)
    st = mdt_response_status_table(rs, resp, -1, &all_status, err);
  if (st == MDT_OK)
    st = mdt_response_missing_table(resp, responded, gi, (long)level, &missing, err);
  if (st == MDT_OK && y->p.model->text_answers != NULL)
    st = mdt_text_answers_table(y->p.model->text_answers, resp, y->p.model->questionnaire, gi,
                                (long)level, -1, &text, err);
  if (st == MDT_OK) {
    answers = answers_vs_nation(find(y, "aggregate"), region, &ndiffer);
    prio = priorities_vs_nation(y, level);
    ntext = text ? text->nrows : 0;
    mdt_table *ov = overview(y, region, level, all_status, ntext, ndiffer);
    if (answers == NULL || prio == NULL || ov == NULL) {
      mdt_table_free(ov);
      st = mdt_error_set(err, MDT_ENOMEM, "out of memory building the pack of %s", region);
    } else {
      t[n++] = ov;
      t[n++] = status;
      t[n++] = missing;
      t[n++] = answers;
      t[n++] = prio;
      if (text != NULL)
        t[n++] = text;
      status = missing = answers = prio = text = NULL;
    }
  }
  mdt_table_free(all_status);
  if (st == MDT_OK) {
    static const char *const ys[] = {"priority", "national_priority"};
    const mdt_chart_spec chart = {"priorities", MDT_CHART_BAR, "chart_region_priorities",
                                  "group", 2, ys, NULL, NULL, NULL, "group", "priority"};
    st = mdt_workbook_write(path, (const mdt_table *const *)t, n, &chart, 1, lang, err);
  }
  free_all(t, n);
  mdt_table_free(status);
  mdt_table_free(missing);
  mdt_table_free(answers);
  mdt_table_free(prio);
  mdt_table_free(text);
  return st;
}

mdt_status mdt_output_write_region_packs(const mdt_result *r, const char *dir, const char *lang,
                                         mdt_error *err) {
  if (r == NULL || dir == NULL || r->nyears < 1)
    return mdt_error_set(err, MDT_EUSAGE, "mdt_output_write_region_packs: no result given");
  const mdt__year *y = &r->years[0];
  long gi = region_grouping(y);
  if (gi < 0 || y->agg == NULL || y->agg->answered == NULL)
    return mdt_error_set(err, MDT_EDATA,
                         "regional packs: expected the grouping column '%s' in %s, found none",
                         y->p.sc->region_column, y->p.model->respondents->path);
  const mdt_respondents *resp = y->p.model->respondents;
  const mdt_grouping *grp = &resp->groupings[gi];
  unsigned char *responded = malloc(resp->n ? resp->n : 1);
  if (responded == NULL)
    return mdt_error_set(err, MDT_ENOMEM, "out of memory");
  mdt_response_status_responded(y->p.model, y->agg->answered, responded);
  mdt_response_status *rs = NULL;
  mdt_status st = mdt_response_status_compute(resp, responded, gi, &rs, err);
  mdt__outdir od;
  memset(&od, 0, sizeof od);
  if (st == MDT_OK)
    st = mdt__outdir_begin(&od, dir, err);
  for (size_t l = 0; l < grp->nlevels && st == MDT_OK; l++) {
    char num[32], ascii[200], name[260], path[4400];
    region_number(resp, grp, l, num, sizeof num);
    ascii_name(grp->levels[l], ascii, sizeof ascii);
    snprintf(name, sizeof name, "%s-%s.xlsx", num, ascii[0] ? ascii : "region");
    mdt__outdir_path(&od, name, path, sizeof path);
    st = write_pack(y, rs, responded, gi, l, path, lang ? lang : "nb", err);
  }
  if (st == MDT_OK)
    st = mdt__outdir_commit(&od, err);
  if (st != MDT_OK)
    mdt__outdir_abort(&od);
  mdt_response_status_free(rs);
  free(responded);
  return st;
}
