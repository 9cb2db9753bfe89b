#include "mandat/response_status.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mandat/workbook.h"

enum {
  S_SCOPE, S_STRATUM, S_MEMBERS, S_ANSWERED, S_RATE, S_EMPLOYEES, S_EMPLOYEES_ANSWERED,
  S_EMPLOYEE_SHARE, S_POLITICAL, S_ADMINISTRATIVE, S_UNKNOWN, S_POLITICAL_SHARE, S_N
};
enum { M_SCOPE, M_STRATUM, M_RESPONDENT, M_NAME, M_KIND, M_EMPLOYEES, M_N };

static const char *const status_names[S_N] = {
    "scope",     "stratum",        "members",   "answered",       "response_rate",
    "employees", "employees_answered", "employee_share", "political", "administrative",
    "unknown",   "political_share"};
static const mdt_col_kind status_kinds[S_N] = {
    MDT_COL_TEXT, MDT_COL_TEXT,  MDT_COL_INT, MDT_COL_INT, MDT_COL_SHARE, MDT_COL_INT,
    MDT_COL_INT,  MDT_COL_SHARE, MDT_COL_INT, MDT_COL_INT, MDT_COL_INT,   MDT_COL_SHARE};
static const char *const missing_names[M_N] = {"scope", "stratum", "respondent",
                                               "name",  "kind",    "employees"};
static const mdt_col_kind missing_kinds[M_N] = {MDT_COL_TEXT, MDT_COL_TEXT, MDT_COL_TEXT,
                                                MDT_COL_TEXT, MDT_COL_TEXT, MDT_COL_INT};

/* a / b, or empty (NaN) when b is 0: a stratum without members has no rate. */
static double ratio(double a, double b) { return b > 0 ? a / b : NAN; }

static mdt_status nomem(mdt_table *t, mdt_error *err) {
  mdt_table_free(t);
  return mdt_error_set(err, MDT_ENOMEM, "out of memory building the response status");
}

static int status_row(mdt_table *t, const mdt_response_status *s, size_t l, const char *scope,
                      const char *stratum) {
  long row = mdt_table_add_row(t);
  if (row < 0 || mdt_table_set_text(t, (size_t)row, S_SCOPE, scope) != 0 ||
      mdt_table_set_text(t, (size_t)row, S_STRATUM, stratum) != 0)
    return -1;
  size_t r = (size_t)row;
  mdt_table_set_num(t, r, S_MEMBERS, (double)s->members[l]);
  mdt_table_set_num(t, r, S_ANSWERED, (double)s->answered[l]);
  mdt_table_set_num(t, r, S_RATE, ratio((double)s->answered[l], (double)s->members[l]));
  mdt_table_set_num(t, r, S_EMPLOYEES, s->employees[l]);
  mdt_table_set_num(t, r, S_EMPLOYEES_ANSWERED, s->employees_answered[l]);
  mdt_table_set_num(t, r, S_EMPLOYEE_SHARE, ratio(s->employees_answered[l], s->employees[l]));
  mdt_table_set_num(t, r, S_POLITICAL, (double)s->adopted[MDT_ADOPTED_POLITICAL][l]);
  mdt_table_set_num(t, r, S_ADMINISTRATIVE, (double)s->adopted[MDT_ADOPTED_ADMINISTRATIVE][l]);
  mdt_table_set_num(t, r, S_UNKNOWN, (double)s->adopted[MDT_ADOPTED_UNKNOWN][l]);
  mdt_table_set_num(t, r, S_POLITICAL_SHARE,
                    ratio((double)s->adopted[MDT_ADOPTED_POLITICAL][l], (double)s->answered[l]));
  return 0;
}

mdt_status mdt_response_status_table(const mdt_response_status *s, const mdt_respondents *r,
                                     long level, mdt_table **out, mdt_error *err) {
  *out = NULL;
  mdt_table *t = NULL;
  mdt_status st = mdt_table_new("response_status", "Who has answered: members, employees covered and "
                                          "how the answers were adopted",
                                S_N, status_names, status_kinds, &t, err);
  if (st != MDT_OK)
    return st;
  const mdt_grouping *g = s->grouping >= 0 ? &r->groupings[s->grouping] : NULL;
  if (level >= (long)s->nlevels) {
    mdt_table_free(t);
    return mdt_error_set(err, MDT_EINTERNAL, "level %ld of %zu", level, s->nlevels);
  }
  for (size_t l = 0; l < s->nlevels; l++)
    if ((level < 0 || (size_t)level == l) && status_row(t, s, l, g->name, g->levels[l]) != 0)
      return nomem(t, err);
  if (level < 0 && status_row(t, s, s->nlevels, "all", "all") != 0)
    return nomem(t, err);
  *out = t;
  return MDT_OK;
}

mdt_status mdt_response_missing_table(const mdt_respondents *r, const unsigned char *responded,
                                      long grouping, long level, mdt_table **out,
                                      mdt_error *err) {
  *out = NULL;
  mdt_table *t = NULL;
  mdt_status st = mdt_table_new("status_missing", "Members that have not answered", M_N,
                                missing_names, missing_kinds, &t, err);
  if (st != MDT_OK)
    return st;
  const mdt_grouping *g = grouping >= 0 ? &r->groupings[grouping] : NULL;
  /* Stratum by stratum, so a region's members stand together; within one, file order. */
  size_t nl = g ? g->nlevels : 1;
  for (size_t l = 0; l < nl; l++) {
    if (g && level >= 0 && (size_t)level != l)
      continue;
    for (size_t i = 0; i < r->n; i++) {
      if (responded[i] || (g && (size_t)g->code[i] != l))
        continue;
      long row = mdt_table_add_row(t);
      if (row < 0 ||
          mdt_table_set_text(t, (size_t)row, M_SCOPE, g ? g->name : "all") != 0 ||
          mdt_table_set_text(t, (size_t)row, M_STRATUM, g ? g->levels[l] : "all") != 0 ||
          mdt_table_set_text(t, (size_t)row, M_RESPONDENT, r->id[i]) != 0 ||
          mdt_table_set_text(t, (size_t)row, M_NAME, r->name[i]) != 0 ||
          mdt_table_set_text(t, (size_t)row, M_KIND,
                             r->kind[i] == MDT_KIND_FYLKESKOMMUNE ? "fylkeskommune"
                                                                  : "kommune") != 0)
        return nomem(t, err);
      mdt_table_set_num(t, (size_t)row, M_EMPLOYEES, r->employees[i]);
    }
  }
  *out = t;
  return MDT_OK;
}

mdt_status mdt_response_status_tables(const mdt_model *m, const unsigned char *answered,
                                      const char *by, mdt_table **status, mdt_table **missing,
                                      mdt_error *err) {
  *status = *missing = NULL;
  const mdt_respondents *r = m->respondents;
  if (answered == NULL && m->answers == NULL)
    return mdt_error_set(err, MDT_EINTERNAL, "the response status needs the model's answers");
  const char *name = by ? by : "region";
  long grouping = -1;
  for (size_t k = 0; k < r->ngroupings; k++)
    if (strcmp(r->groupings[k].name, name) == 0)
      grouping = (long)k;
  if (grouping < 0)
    return mdt_error_set_at(err, MDT_EUSAGE, r->path, 1, 0,
                            "expected a grouping column '%s' in the header, found none", name);
  unsigned char *responded = malloc(r->n ? r->n : 1);
  if (responded == NULL)
    return mdt_error_set(err, MDT_ENOMEM, "out of memory building the response status");
  mdt_response_status_responded(m, answered, responded);
  mdt_response_status *s = NULL;
  mdt_status st = mdt_response_status_compute(r, responded, grouping, &s, err);
  if (st == MDT_OK)
    st = mdt_response_status_table(s, r, -1, status, err);
  if (st == MDT_OK)
    st = mdt_response_missing_table(r, responded, grouping, -1, missing, err);
  if (st != MDT_OK) {
    mdt_table_free(*status);
    *status = NULL;
  }
  mdt_response_status_free(s);
  free(responded);
  return st;
}

/* ---------------------------------------------------------------- text -- */

static double num(const mdt_table *t, size_t row, size_t col) {
  const mdt_cell *c = mdt_table_cell(t, row, col);
  return c->kind == 1 ? c->num : NAN;
}

static const char *text(const mdt_table *t, size_t row, size_t col) {
  const mdt_cell *c = mdt_table_cell(t, row, col);
  return c->kind == 2 ? c->text : "";
}

/* Percent with one decimal, or "-" for an empty cell. */
static const char *pct(double share, char *buf, size_t size) {
  if (isnan(share))
    snprintf(buf, size, "%7s", "-");
  else
    snprintf(buf, size, "%6.1f%%", 100 * share);
  return buf;
}

/* Display width of UTF-8 s (code points; the names here have no wide characters). */
static int width(const char *s) {
  int w = 0;
  for (; *s; s++)
    w += ((unsigned char)*s & 0xC0) != 0x80;
  return w;
}

static void pad(FILE *fp, const char *s, int w) {
  fputs(s, fp);
  for (int k = width(s); k < w; k++)
    fputc(' ', fp);
}

/* The stratum as shown: the nation's row reads "all" in English, "alle" in Norwegian. */
static const char *stratum(const mdt_table *t, size_t row, size_t col, const char *lang) {
  const char *s = text(t, row, col);
  return strcmp(s, "all") == 0 ? mdt_label("txt_all", lang) : s;
}

static void write_status(FILE *fp, const mdt_table *status, const char *lang) {
  size_t all = status->nrows - 1;
  char a[16], b[16], c[16];
  int w = width(text(status, 0, S_SCOPE));
  for (size_t k = 0; k < status->nrows; k++)
    if (width(stratum(status, k, S_STRATUM, lang)) > w)
      w = width(stratum(status, k, S_STRATUM, lang));
  fprintf(fp, "%s: %.0f %s %.0f %s (%s), %s %s %s\n", mdt_label("txt_status_title", lang),
          num(status, all, S_ANSWERED), mdt_label("txt_of", lang), num(status, all, S_MEMBERS),
          mdt_label("txt_members_answered", lang),
          pct(num(status, all, S_RATE), a, sizeof a) + strspn(a, " "),
          mdt_label("txt_covering", lang),
          pct(num(status, all, S_EMPLOYEE_SHARE), b, sizeof b) + strspn(b, " "),
          mdt_label("txt_of_employees", lang));
  fprintf(fp, "  ");
  pad(fp, text(status, 0, S_SCOPE), w);
  /* covered: the answering members' share of the employees; political %: of the answers. */
  fprintf(fp, "%s\n", mdt_label("txt_status_columns", lang));
  for (size_t k = 0; k < status->nrows; k++) {
    fprintf(fp, "  ");
    pad(fp, stratum(status, k, S_STRATUM, lang), w);
    fprintf(fp, " %7.0f %8.0f %s   %s %10.0f %7.0f %7.0f     %s\n", num(status, k, S_MEMBERS),
            num(status, k, S_ANSWERED), pct(num(status, k, S_RATE), a, sizeof a),
            pct(num(status, k, S_EMPLOYEE_SHARE), b, sizeof b), num(status, k, S_POLITICAL),
            num(status, k, S_ADMINISTRATIVE), num(status, k, S_UNKNOWN),
            pct(num(status, k, S_POLITICAL_SHARE), c, sizeof c));
  }
}

static void write_missing(FILE *fp, const mdt_table *missing, const char *lang) {
  fprintf(fp, "%s: %zu %s\n", mdt_label("txt_not_answered", lang), missing->nrows,
          mdt_label("txt_members", lang));
  const char *last = NULL;
  for (size_t k = 0; k < missing->nrows; k++) {
    const char *stratum = text(missing, k, M_STRATUM);
    if (last == NULL || strcmp(last, stratum) != 0) {
      fprintf(fp, "  %s\n", stratum);
      last = stratum;
    }
    fprintf(fp, "    %-5s %s (%s, %.0f %s)\n", text(missing, k, M_RESPONDENT),
            text(missing, k, M_NAME), text(missing, k, M_KIND), num(missing, k, M_EMPLOYEES),
            mdt_label("txt_employees", lang));
  }
}

mdt_status mdt_response_status_write_text(FILE *fp, const mdt_table *status,
                                          const mdt_table *missing, const char *lang,
                                          mdt_error *err) {
  if (status != NULL && status->nrows > 0)
    write_status(fp, status, lang);
  if (missing != NULL)
    write_missing(fp, missing, lang);
  if (ferror(fp))
    return mdt_error_set(err, MDT_ECANTWRITE, "cannot write the response status");
  return MDT_OK;
}
