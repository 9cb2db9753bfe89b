#include "mandat/text_answers.h"

#include <stdlib.h>
#include <string.h>

#include "core/dict.h"
#include "model/load.h"

enum { T_RESPONDENT, T_QUESTION, T_TEXT, T_N };

static const mdt_csv_spec specs[T_N] = {
    {"respondent", MDT_CSV_STR, 1, 0},
    {"question", MDT_CSV_STR, 1, 0},
    {"text", MDT_CSV_STR, 1, 0},
};

void mdt_text_answers_free(mdt_text_answers *a) {
  if (a == NULL)
    return;
  mdt__strvec_free(a->text, a->n);
  free(a->respondent);
  free(a->question);
  free(a->line);
  free(a->responded);
  free(a->path);
  free(a);
}

static mdt_status check_row(const mdt_csv_table *t, size_t i, const mdt_respondents *r,
                            const mdt_questionnaire *q, mdt__dict *seen, char *key,
                            mdt_text_answers *a, mdt_error *err) {
  char found[MDT__FOUND_MAX], who[MDT__FOUND_MAX];
  long ri = mdt_respondents_find(r, mdt_csv_str(t, T_RESPONDENT, i));
  if (ri < 0)
    return mdt_csv_fail(t, i, T_RESPONDENT, err, MDT_EDATA,
                        "expected a member id from respondents.csv, found %s",
                        mdt__quote_field(t, i, T_RESPONDENT, found, sizeof found));
  long qi = mdt_questionnaire_find_question(q, mdt_csv_str(t, T_QUESTION, i));
  if (qi < 0)
    return mdt_csv_fail(t, i, T_QUESTION, err, MDT_EDATA,
                        "expected a question id from questions.csv, found %s",
                        mdt__quote_field(t, i, T_QUESTION, found, sizeof found));
  if (q->questions[qi].type != MDT_Q_TEXT)
    return mdt_csv_fail(t, i, T_QUESTION, err, MDT_EDATA,
                        "expected a question of type text (a %s question's answers go in "
                        "answers.csv), found %s",
                        mdt_question_type_name(q->questions[qi].type),
                        mdt__quote_field(t, i, T_QUESTION, found, sizeof found));
  size_t len = strlen(mdt_csv_str(t, T_TEXT, i));
  if (len > MDT_TEXT_ANSWER_MAX)
    return mdt_csv_fail(t, i, T_TEXT, err, MDT_EDATA,
                        "expected at most %d bytes of text, found %zu", MDT_TEXT_ANSWER_MAX,
                        len);
  /* One answer per (respondent, question): the key is the two indices as text. */
  int klen = snprintf(key, 48, "%ld/%ld", ri, qi);
  long first;
  int put = mdt__dict_put(seen, key, (size_t)klen, (long)i, &first);
  if (put < 0)
    return mdt_error_set(err, MDT_ENOMEM, "out of memory reading %s", t->path);
  if (put > 0)
    return mdt_csv_fail(t, i, T_QUESTION, err, MDT_EDATA,
                        "expected one answer per respondent and question, found a second "
                        "answer from %s to %s (first on line %ld)",
                        mdt__quote_field(t, i, T_RESPONDENT, who, sizeof who),
                        mdt__quote_field(t, i, T_QUESTION, found, sizeof found),
                        t->line[first]);
  a->respondent[i] = (int32_t)ri;
  a->question[i] = (int32_t)qi;
  a->line[i] = t->line[i];
  a->responded[ri] = 1;
  if ((a->text[i] = mdt__strdup(mdt_csv_str(t, T_TEXT, i))) == NULL)
    return mdt_error_set(err, MDT_ENOMEM, "out of memory reading %s", t->path);
  return MDT_OK;
}

mdt_status mdt_text_answers_load(const char *path, const mdt_respondents *r,
                                 const mdt_questionnaire *q, mdt_text_answers **out,
                                 mdt_error *err) {
  *out = NULL;
  mdt_csv_table *t = NULL;
  mdt__dict *seen = NULL;
  mdt_text_answers *a = NULL;
  mdt_status st = mdt_csv_read_table(path, specs, T_N, &t, err);
  if (st != MDT_OK)
    return st;
  size_t n = t->nrows;
  a = calloc(1, sizeof *a);
  if (a == NULL)
    goto nomem;
  a->n = n;
  a->nrespondents = r->n;
  a->respondent = malloc((n ? n : 1) * sizeof *a->respondent);
  a->question = malloc((n ? n : 1) * sizeof *a->question);
  a->line = malloc((n ? n : 1) * sizeof *a->line);
  a->text = calloc(n ? n : 1, sizeof *a->text);
  a->responded = calloc(r->n ? r->n : 1, 1);
  a->path = mdt__strdup(path);
  seen = mdt__dict_new(n ? n : 1);
  if (!a->respondent || !a->question || !a->line || !a->text || !a->responded || !a->path ||
      !seen)
    goto nomem;
  char key[48];
  for (size_t i = 0; i < n; i++)
    if ((st = check_row(t, i, r, q, seen, key, a, err)) != MDT_OK)
      goto fail;
  mdt__dict_free(seen);
  mdt_csv_table_free(t);
  *out = a;
  return MDT_OK;
nomem:
  st = mdt_error_set(err, MDT_ENOMEM, "out of memory reading %s", path);
fail:
  mdt__dict_free(seen);
  mdt_csv_table_free(t);
  mdt_text_answers_free(a);
  return st;
}

/* ----------------------------------------------------------- the table -- */

enum { X_QUESTION, X_REGION, X_RESPONDENT, X_NAME, X_ADOPTED, X_TEXT, X_N };

mdt_status mdt_text_answers_table(const mdt_text_answers *a, const mdt_respondents *r,
                                  const mdt_questionnaire *q, long grouping, long level,
                                  long question, mdt_table **out, mdt_error *err) {
  static const char *const names[X_N] = {"question", "region",  "respondent",
                                         "name",     "adopted", "text"};
  static const mdt_col_kind kinds[X_N] = {MDT_COL_TEXT, MDT_COL_TEXT, MDT_COL_TEXT,
                                          MDT_COL_TEXT, MDT_COL_TEXT, MDT_COL_TEXT};
  *out = NULL;
  mdt_table *t = NULL;
  mdt_status st = mdt_table_new("text_answers", "The members' free-text answers, verbatim, by "
                                                "question and region",
                                X_N, names, kinds, &t, err);
  if (st != MDT_OK)
    return st;
  const mdt_grouping *g =
      grouping >= 0 && (size_t)grouping < r->ngroupings ? &r->groupings[grouping] : NULL;
  size_t nl = g ? g->nlevels : 1;
  /* Question by question, region by region: a few passes over a few hundred rows. */
  for (size_t qi = 0; qi < q->nquestions; qi++) {
    if (q->questions[qi].type != MDT_Q_TEXT || (question >= 0 && (size_t)question != qi))
      continue;
    for (size_t l = 0; l < nl; l++) {
      if (g && level >= 0 && (size_t)level != l)
        continue;
      for (size_t i = 0; i < (a ? a->n : 0); i++) {
        size_t ri = (size_t)a->respondent[i];
        if ((size_t)a->question[i] != qi || (g && (size_t)g->code[ri] != l))
          continue;
        mdt_adoption ad = r->adopted ? r->adopted[ri] : MDT_ADOPTED_UNKNOWN;
        long row = mdt_table_add_row(t);
        if (row < 0 ||
            mdt_table_set_text(t, (size_t)row, X_QUESTION, q->questions[qi].id) != 0 ||
            mdt_table_set_text(t, (size_t)row, X_REGION, g ? g->levels[l] : "all") != 0 ||
            mdt_table_set_text(t, (size_t)row, X_RESPONDENT, r->id[ri]) != 0 ||
            mdt_table_set_text(t, (size_t)row, X_NAME, r->name[ri]) != 0 ||
            mdt_table_set_text(t, (size_t)row, X_ADOPTED, mdt_adoption_name(ad)) != 0 ||
            mdt_table_set_text(t, (size_t)row, X_TEXT, a->text[i]) != 0) {
          mdt_table_free(t);
          return mdt_error_set(err, MDT_ENOMEM, "out of memory building the text answers");
        }
      }
    }
  }
  *out = t;
  return MDT_OK;
}
