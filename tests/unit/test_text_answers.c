/* Tests of the text question type and text_answers.csv: loaded verbatim, reported by
 * question and region, written to CSV and JSON and read back unchanged, every error path. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/csv.h"
#include "mandat/model.h"
#include "mandat/text_answers.h"
#include "report/json_int.h"
#include "testutil.h"

/* Epsilon's answer in tests/fixtures/regional/text_answers.csv, as its bytes: the quoted
 * phrase's doubled quotes become one, the line break stays, æøå ÆØÅ and the en dash too. */
static const char EPSILON[] = "Kommunestyret sa: \"Prioriter sykepleiere\"\n"
                              "og fagarbeidere \xe2\x80\x93 \xc3\xa6\xc3\xb8\xc3\xa5 "
                              "\xc3\x86\xc3\x98\xc3\x85";

static mdt_model *load_dir(const char *fixture) {
  char *dir = mdt_test_fixture(fixture);
  mdt_model *m = NULL;
  mdt_error err;
  mdt_error_clear(&err);
  if (mdt_model_load(dir, MDT_MODEL_ANSWERS, &m, &err) != MDT_OK)
    fail_msg("%s", mdt_test_errstr(&err));
  free(dir);
  return m;
}

static void test_loaded_verbatim(void **state) {
  (void)state;
  mdt_model *m = load_dir("regional");
  const mdt_questionnaire *q = m->questionnaire;
  long qt = mdt_questionnaire_find_question(q, "q_text");
  assert_int_equal(qt, 2);
  assert_int_equal(q->questions[qt].type, MDT_Q_TEXT);
  assert_int_equal(q->questions[qt].noptions, 0);
  assert_string_equal(mdt_question_type_name(MDT_Q_TEXT), "text");
  /* The numeric answers do not see the text question: 5 rows from Alfa, Beta, Delta. */
  assert_int_equal(m->answers->n, 5);
  const mdt_text_answers *a = m->text_answers;
  assert_non_null(a);
  assert_int_equal(a->n, 3);
  assert_string_equal(a->text[0], "Vi ønsker mer til lærere, særlig i nord.");
  assert_string_equal(a->text[1], EPSILON);
  assert_string_equal(a->text[2], "Kort svar.");
  assert_int_equal(a->line[1], 3);
  assert_int_equal(a->line[2], 5); /* Epsilon's answer takes lines 3 and 4 */
  assert_int_equal(a->respondent[1], 4); /* Epsilon is row 4 of respondents.csv */
  static const unsigned char responded[] = {1, 0, 0, 1, 1, 0, 0};
  assert_memory_equal(a->responded, responded, 7);
  mdt_model_free(m);
}

static const char *cell(const mdt_table *t, size_t row, const char *col) {
  long c = mdt_table_col(t, col);
  assert_true(c >= 0);
  return mdt_table_cell(t, row, (size_t)c)->text;
}

static void test_table_order_and_round_trip(void **state) {
  (void)state;
  mdt_model *m = load_dir("regional");
  const mdt_respondents *r = m->respondents;
  long region = (long)(mdt_respondents_grouping(r, "region") - r->groupings);
  mdt_table *t = NULL;
  mdt_error err;
  mdt_error_clear(&err);
  assert_int_equal(mdt_text_answers_table(m->text_answers, r, m->questionnaire, region, -1, -1,
                                          &t, &err),
                   MDT_OK);
  assert_string_equal(t->name, "text_answers");
  /* Nord's Alfa, then Sør in file order: Epsilon (line 3) before Delta (line 5). */
  assert_int_equal(t->nrows, 3);
  static const char *const who[] = {"101", "202", "201"};
  static const char *const region_of[] = {"Nord", "Sør", "Sør"};
  static const char *const adopted[] = {"political", "unknown", "political"};
  for (size_t k = 0; k < 3; k++) {
    assert_string_equal(cell(t, k, "question"), "q_text");
    assert_string_equal(cell(t, k, "respondent"), who[k]);
    assert_string_equal(cell(t, k, "region"), region_of[k]);
    assert_string_equal(cell(t, k, "adopted"), adopted[k]);
  }
  assert_string_equal(cell(t, 1, "name"), "Epsilon");
  assert_string_equal(cell(t, 1, "text"), EPSILON);

  /* CSV: written and read back by the model's own reader, byte for byte. */
  char *path = mdt_test_write_text("text_out.csv", "");
  FILE *fp = fopen(path, "w");
  assert_non_null(fp);
  assert_int_equal(mdt_table_write_csv(t, fp, &err), MDT_OK);
  fclose(fp);
  const mdt_csv_spec spec[2] = {{"respondent", MDT_CSV_STR, 1, 0}, {"text", MDT_CSV_STR, 1, 0}};
  mdt_csv_table *back = NULL;
  if (mdt_csv_read_table(path, spec, 2, &back, &err) != MDT_OK)
    fail_msg("%s", mdt_test_errstr(&err));
  assert_int_equal(back->nrows, 3);
  assert_string_equal(mdt_csv_str(back, 0, 1), "202");
  assert_string_equal(mdt_csv_str(back, 1, 1), EPSILON);
  assert_string_equal(mdt_csv_str(back, 1, 0), "Vi ønsker mer til lærere, særlig i nord.");
  mdt_csv_table_free(back);
  free(path);

  /* Spaces at the ends of a (quoted) answer survive the table's CSV too. */
  const char *padded = "  innrykket svar\t ";
  assert_int_equal(mdt_table_set_text(t, 2, 5, padded), 0);
  path = mdt_test_write_text("text_pad.csv", "");
  fp = fopen(path, "w");
  assert_non_null(fp);
  assert_int_equal(mdt_table_write_csv(t, fp, &err), MDT_OK);
  fclose(fp);
  if (mdt_csv_read_table(path, spec, 2, &back, &err) != MDT_OK)
    fail_msg("%s", mdt_test_errstr(&err));
  assert_string_equal(mdt_csv_str(back, 1, 2), padded);
  mdt_csv_table_free(back);
  free(path);
  assert_int_equal(mdt_table_set_text(t, 2, 5, "Kort svar."), 0);

  /* JSON: dumped and parsed again. */
  json_t *j = mdt__table_json(t);
  assert_non_null(j);
  char *s = json_dumps(j, JSON_COMPACT);
  json_decref(j);
  json_error_t jerr;
  json_t *p = json_loads(s, 0, &jerr);
  free(s);
  assert_non_null(p);
  assert_string_equal(json_string_value(json_object_get(json_array_get(p, 1), "text")),
                      EPSILON);
  json_decref(p);
  mdt_table_free(t);

  /* One region, one question; and no text answers at all gives an empty table. */
  assert_int_equal(mdt_text_answers_table(m->text_answers, r, m->questionnaire, region, 0, 2,
                                          &t, &err),
                   MDT_OK);
  assert_int_equal(t->nrows, 1);
  assert_string_equal(cell(t, 0, "name"), "Alfa");
  mdt_table_free(t);
  assert_int_equal(mdt_text_answers_table(m->text_answers, r, m->questionnaire, region, -1, 0,
                                          &t, &err),
                   MDT_OK);
  assert_int_equal(t->nrows, 0); /* q_score is not a text question */
  mdt_table_free(t);
  assert_int_equal(mdt_text_answers_table(NULL, r, m->questionnaire, -1, -1, -1, &t, &err),
                   MDT_OK);
  assert_int_equal(t->nrows, 0);
  mdt_table_free(t);
  mdt_model_free(m);
}

static mdt_error load_fail(const mdt_model *m, const char *name, const char *text) {
  char *path = mdt_test_write_text(name, text);
  mdt_text_answers *a = NULL;
  mdt_error err;
  mdt_error_clear(&err);
  assert_int_not_equal(mdt_text_answers_load(path, m->respondents, m->questionnaire, &a, &err),
                       MDT_OK);
  assert_null(a);
  assert_string_equal(err.file, path);
  free(path);
  return err;
}

static void test_errors(void **state) {
  (void)state;
  mdt_model *m = load_dir("regional");
  const char *h = "respondent,question,text\n";
  char buf[256];
  snprintf(buf, sizeof buf, "%s101,q_score,hei\n", h);
  mdt_error err = load_fail(m, "notext.csv", buf);
  assert_error_at(&err, MDT_EDATA, 2, 5,
                  "question: expected a question of type text (a score question's answers go "
                  "in answers.csv), found 'q_score'");
  snprintf(buf, sizeof buf, "%s999,q_text,hei\n", h);
  err = load_fail(m, "who.csv", buf);
  assert_error_at(&err, MDT_EDATA, 2, 1,
                  "respondent: expected a member id from respondents.csv, found '999'");
  snprintf(buf, sizeof buf, "%s101,q_none,hei\n", h);
  err = load_fail(m, "noq.csv", buf);
  assert_error_at(&err, MDT_EDATA, 2, 5, "question: expected a question id from questions.csv");
  snprintf(buf, sizeof buf, "%s101,q_text,\"a,\nb\"\n101,q_text,b\n", h);
  err = load_fail(m, "dup.csv", buf);
  assert_error_at(&err, MDT_EDATA, 4, 5,
                  "expected one answer per respondent and question, found a second answer "
                  "from '101' to 'q_text' (first on line 2)");
  snprintf(buf, sizeof buf, "%s101,q_text,\n", h);
  err = load_fail(m, "empty.csv", buf);
  assert_error_at(&err, MDT_EDATA, 2, 12, "text: expected text, found an empty field");

  /* 65 536 bytes pass, 65 537 do not ("101,q_text," is 11 characters: the text is in
   * column 12). Two-byte 'ø's so the limit is counted in bytes, not characters. */
  size_t len = strlen(h) + 11 + MDT_TEXT_ANSWER_MAX + 2;
  char *big = malloc(len + 1);
  assert_non_null(big);
  int off = snprintf(big, len + 1, "%s101,q_text,", h);
  for (size_t k = 0; k < MDT_TEXT_ANSWER_MAX / 2; k++)
    memcpy(big + off + 2 * k, "\xc3\xb8", 2);
  strcpy(big + off + MDT_TEXT_ANSWER_MAX, "\n");
  char *path = mdt_test_write_text("max.csv", big);
  mdt_text_answers *a = NULL;
  assert_int_equal(mdt_text_answers_load(path, m->respondents, m->questionnaire, &a, &err),
                   MDT_OK);
  assert_int_equal(strlen(a->text[0]), MDT_TEXT_ANSWER_MAX);
  mdt_text_answers_free(a);
  free(path);
  strcpy(big + off + MDT_TEXT_ANSWER_MAX, "x\n");
  err = load_fail(m, "over.csv", big);
  assert_error_at(&err, MDT_EDATA, 2, 12, "text: expected at most 65536 bytes of text, "
                                          "found 65537");
  free(big);
  mdt_text_answers_free(NULL);
  mdt_model_free(m);
}

/* questions.csv and options.csv refuse what a text question cannot have. */
static void test_questionnaire_errors(void **state) {
  (void)state;
  char *opts = mdt_test_write_text("opts.csv", "question,id,label\nq1,a,A\nq1,b,B\n");
  char *qs = mdt_test_write_text("q_role.csv", "id,type,text,role\nq1,choice,Q,\n"
                                               "q2,text,Innspill,profile\n");
  mdt_questionnaire *q = NULL;
  mdt_error err;
  mdt_error_clear(&err);
  /* "q2,text,Innspill," is 17 characters: role is in column 18. */
  assert_int_equal(mdt_questionnaire_load(qs, opts, NULL, &q, &err), MDT_EDATA);
  assert_error_at(&err, MDT_EDATA, 3, 18,
                  "role: expected an empty field for a text question (text is reported, never "
                  "weighted), found 'profile'");
  free(qs);
  qs = mdt_test_write_text("q_max.csv", "id,type,text,min,max\nq1,choice,Q,,\n"
                                        "q2,text,Innspill,,500\n");
  assert_int_equal(mdt_questionnaire_load(qs, opts, NULL, &q, &err), MDT_EDATA);
  assert_error_at(&err, MDT_EDATA, 3, 19,
                  "max: expected an empty field for a text question (its answers are text)");
  free(qs);
  qs = mdt_test_write_text("q_ok.csv", "id,type,text\nq1,choice,Q\nq2,text,Innspill\n");
  char *opts2 = mdt_test_write_text("opts2.csv", "question,id,label\nq1,a,A\nq2,b,B\n");
  assert_int_equal(mdt_questionnaire_load(qs, opts2, NULL, &q, &err), MDT_EDATA);
  assert_error_at(&err, MDT_EDATA, 3, 1,
                  "question: expected a question with options, found text question 'q2'");
  assert_int_equal(mdt_questionnaire_load(qs, opts, NULL, &q, &err), MDT_OK);
  assert_int_equal(q->questions[1].type, MDT_Q_TEXT);
  assert_int_equal(q->noptions, 2);
  mdt_questionnaire_free(q);
  free(qs);
  free(opts);
  free(opts2);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_loaded_verbatim),
      cmocka_unit_test(test_table_order_and_round_trip),
      cmocka_unit_test(test_errors),
      cmocka_unit_test(test_questionnaire_errors),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
