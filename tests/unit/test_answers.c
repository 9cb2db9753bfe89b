/* Tests of answers.csv: the fixture's answers, streaming across batches and every error path. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mandat/answers.h"
#include "testutil.h"

/* The mini fixture model (tests/fixtures/mini), loaded once. */
static mdt_respondents *resp;
static mdt_groups *groups;
static mdt_questionnaire *quest;

static int setup(void **state) {
  (void)state;
  if (mdt_test_load_mini(&resp, &groups) != 0)
    return -1;
  char *qp = mdt_test_fixture("mini/questions.csv");
  char *op = mdt_test_fixture("mini/options.csv");
  mdt_error err;
  int ok = mdt_questionnaire_load(qp, op, groups, &quest, &err) == MDT_OK;
  if (!ok)
    fprintf(stderr, "%s\n", mdt_test_errstr(&err));
  free(qp);
  free(op);
  return ok ? 0 : -1;
}

static int teardown(void **state) {
  (void)state;
  mdt_questionnaire_free(quest);
  mdt_groups_free(groups);
  mdt_respondents_free(resp);
  return 0;
}

static mdt_answers *load_ok(const char *name, const char *text, const mdt_questionnaire *q) {
  char *path = mdt_test_write_text(name, text);
  mdt_answers *a = NULL;
  mdt_error err;
  mdt_error_clear(&err);
  if (mdt_answers_load(path, resp, q, &a, &err) != MDT_OK)
    fail_msg("%s", mdt_test_errstr(&err));
  free(path);
  return a;
}

static mdt_error load_fail(const char *name, const char *text, const mdt_questionnaire *q) {
  char *path = mdt_test_write_text(name, text);
  mdt_answers *a = NULL;
  mdt_error err;
  mdt_error_clear(&err);
  mdt_status st = mdt_answers_load(path, resp, q, &a, &err);
  assert_int_not_equal(st, MDT_OK);
  assert_int_equal(st, err.status);
  assert_null(a);
  assert_string_equal(err.file, path);
  free(path);
  return err;
}

static void test_fixture_answers(void **state) {
  (void)state;
  char *path = mdt_test_fixture("mini/answers.csv");
  mdt_answers *a = NULL;
  mdt_error err;
  if (mdt_answers_load(path, resp, quest, &a, &err) != MDT_OK)
    fail_msg("%s", mdt_test_errstr(&err));
  assert_string_equal(a->path, path);
  /* 8 members x (3 ranks + 3 scores + 1 share + 3 choices) = 80, less 2 unranked = 78. */
  assert_int_equal(a->n, 78);
  assert_int_equal(a->nrespondents, 12);
  /* First row: 1103 (row 0), q_rank g1 (option 0), rank 1. */
  assert_int_equal(a->respondent[0], 0);
  assert_int_equal(a->option[0], 0);
  assert_true(a->value[0] == 1);
  /* Row 41 (line 42): 4601 (row 7) ranks g2 (option 1) first. */
  assert_int_equal(a->respondent[40], 7);
  assert_int_equal(a->option[40], 1);
  assert_true(a->value[40] == 1);
  /* Last row: 46 (row 11) chose q_form mixed (option 9). */
  assert_int_equal(a->respondent[77], 11);
  assert_int_equal(a->option[77], 9);
  assert_true(a->value[77] == 1);
  /* Ranks 42 + scores 90 + shares 200 + choices 8, summed by hand. */
  double sum = 0;
  for (size_t i = 0; i < a->n; i++)
    sum += a->value[i];
  assert_true(sum == 340);
  /* The nord members (1804, 1806, 1833, 5501: rows 1, 2, 3, 9) did not answer. */
  static const unsigned char expect[12] = {1, 0, 0, 0, 1, 1, 1, 1, 1, 0, 1, 1};
  assert_memory_equal(a->responded, expect, 12);
  mdt_answers_free(a);
  mdt_answers_free(NULL);
  free(path);
}

typedef struct {
  size_t batches, n;
  double sum;
  int stop_at_first;
} tally;

static mdt_status count(const mdt_answer_batch *b, void *user, mdt_error *err) {
  tally *t = user;
  t->batches++;
  t->n += b->n;
  for (size_t i = 0; i < b->n; i++)
    t->sum += b->value[i] * (b->respondent[i] + 1) + b->option[i];
  if (t->stop_at_first)
    return mdt_error_set(err, MDT_ECHECK, "stopped by the callback");
  return MDT_OK;
}

static void test_stream_fixture(void **state) {
  (void)state;
  char *path = mdt_test_fixture("mini/answers.csv");
  tally t = {0};
  mdt_error err;
  assert_int_equal(mdt_answers_stream(path, resp, quest, count, &t, &err), MDT_OK);
  assert_int_equal(t.batches, 1);
  assert_int_equal(t.n, 78);
  /* A callback's status and message come back unchanged. */
  tally stop = {0, 0, 0, 1};
  assert_int_equal(mdt_answers_stream(path, resp, quest, count, &stop, &err), MDT_ECHECK);
  assert_string_equal(err.message, "stopped by the callback");
  /* Without a callback the file is only validated. */
  assert_int_equal(mdt_answers_stream(path, resp, quest, NULL, NULL, &err), MDT_OK);
  free(path);
}

/* Appends text to a growing buffer. */
typedef struct {
  char *s;
  size_t len, cap;
} sbuf;

static void sb_printf(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void sb_printf(sbuf *b, const char *fmt, ...) {
  for (;;) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(b->s ? b->s + b->len : NULL, b->s ? b->cap - b->len : 0, fmt, ap);
    va_end(ap);
    if (b->s && b->len + (size_t)n < b->cap) {
      b->len += (size_t)n;
      return;
    }
    b->cap = b->cap ? b->cap * 2 : 1 << 16;
    b->s = realloc(b->s, b->cap);
    assert_non_null(b->s);
  }
}

static void test_stream_many_batches(void **state) {
  (void)state;
  /* 1700 members x 40 score options = 68000 answers, more than one batch of 65536 (and about
   * 1 MB, several chunks of the reader; a batch never spans two chunks). */
  enum { NR = 1700, NO = 40 };
  sbuf rb = {0}, ob = {0}, ab = {0};
  sb_printf(&rb, "id,name,kind,region,population,employees\n");
  for (int r = 1; r <= NR; r++)
    sb_printf(&rb, "m%d,Member %d,kommune,vest,1000,10\n", r, r);
  sb_printf(&ob, "question,id,label\n");
  for (int o = 1; o <= NO; o++)
    sb_printf(&ob, "q,o%d,Option %d\n", o, o);
  sb_printf(&ab, "respondent,question,option,value\n");
  double expect = 0;
  for (int r = 1; r <= NR; r++)
    for (int o = 1; o <= NO; o++) {
      int v = (r + o) % 5 + 1;
      sb_printf(&ab, "m%d,q,o%d,%d\n", r, o, v);
      expect += (double)v * r + (o - 1);
    }
  char *rpath = mdt_test_write_file("big_respondents.csv", rb.s, rb.len);
  char *qpath = mdt_test_write_text("big_questions.csv", "id,type,text\nq,score,Q\n");
  char *opath = mdt_test_write_file("big_options.csv", ob.s, ob.len);
  char *apath = mdt_test_write_file("big_answers.csv", ab.s, ab.len);
  mdt_respondents *r = NULL;
  mdt_questionnaire *q = NULL;
  mdt_error err;
  assert_int_equal(mdt_respondents_load(rpath, &r, &err), MDT_OK);
  assert_int_equal(mdt_questionnaire_load(qpath, opath, NULL, &q, &err), MDT_OK);
  tally t = {0};
  if (mdt_answers_stream(apath, r, q, count, &t, &err) != MDT_OK)
    fail_msg("%s", mdt_test_errstr(&err));
  assert_true(t.batches >= 2);
  assert_int_equal(t.n, NR * NO);
  assert_true(t.sum == expect);

  /* A duplicate of the very first answer, found in the second batch, on line 68002. */
  sb_printf(&ab, "m1,q,o1,3\n");
  char *dpath = mdt_test_write_file("big_dup.csv", ab.s, ab.len);
  assert_int_equal(mdt_answers_stream(dpath, r, q, NULL, NULL, &err), MDT_EDATA);
  assert_error_at(&err, MDT_EDATA, NR * NO + 2, 6,
                  "option: expected one answer per respondent and option, found a second "
                  "answer from 'm1' to 'o1' in question 'q'");
  mdt_questionnaire_free(q);
  mdt_respondents_free(r);
  free(rpath);
  free(qpath);
  free(opath);
  free(apath);
  free(dpath);
  free(rb.s);
  free(ob.s);
  free(ab.s);
}

static void test_ties_allowed(void **state) {
  (void)state;
  char *qpath = mdt_test_write_text("tie_questions.csv", "id,type,text,ties\nq_tie,rank,R,yes\n");
  char *opath = mdt_test_write_text("tie_options.csv",
                                    "question,id,label\nq_tie,a,A\nq_tie,b,B\nq_tie,c,C\n");
  mdt_questionnaire *q = NULL;
  mdt_error err;
  assert_int_equal(mdt_questionnaire_load(qpath, opath, NULL, &q, &err), MDT_OK);
  mdt_answers *a = load_ok("tie_ok.csv",
                           "respondent,question,option,value\n"
                           "1103,q_tie,a,1\n1103,q_tie,b,1\n1103,q_tie,c,3\n",
                           q);
  assert_int_equal(a->n, 3);
  assert_true(a->value[1] == 1);
  mdt_answers_free(a);
  /* Ties or not, a rank stays a whole number within 1..noptions. */
  err = load_fail("tie_bad.csv", "respondent,question,option,value\n1103,q_tie,c,4\n", q);
  assert_error_at(&err, MDT_EDATA, 2, 14,
                  "value: expected a whole rank from 1 to 3 for question 'q_tie', found '4'");
  mdt_questionnaire_free(q);
  free(qpath);
  free(opath);
}

static void test_same_rank_by_two_members(void **state) {
  (void)state;
  mdt_answers *a = load_ok("tworank.csv",
                           "respondent,question,option,value\n"
                           "1103,q_rank,g1,1\n3201,q_rank,g1,1\n1103,q_form,krone,1\n"
                           "3201,q_form,krone,1\n1103,q_form,mixed,0\n",
                           quest);
  assert_int_equal(a->n, 5);
  assert_int_equal(a->respondent[1], 4);
  mdt_answers_free(a);
}

#define AHEAD "respondent,question,option,value\n"

static void test_lookup_errors(void **state) {
  (void)state;
  mdt_error err = load_fail("resp.csv", AHEAD "1103,q_rank,g1,1\n9999,q_rank,g1,1\n", quest);
  assert_error_at(&err, MDT_EDATA, 3, 1,
                  "respondent: expected a member id from respondents.csv, found '9999'");
  err = load_fail("quest.csv", AHEAD "1103,q_x,g1,1\n", quest);
  assert_error_at(&err, MDT_EDATA, 2, 6,
                  "question: expected a question id from questions.csv, found 'q_x'");
  err = load_fail("opt.csv", AHEAD "1103,q_local,g1,50\n", quest);
  assert_error_at(&err, MDT_EDATA, 2, 14,
                  "option: expected an option of question 'q_local' from options.csv, found "
                  "'g1'");
  err = load_fail("dup.csv", AHEAD "1103,q_rank,g1,1\n1103,q_rank,g2,2\n1103,q_rank,g1,3\n",
                  quest);
  assert_error_at(&err, MDT_EDATA, 4, 13,
                  "option: expected one answer per respondent and option, found a second "
                  "answer from '1103' to 'g1' in question 'q_rank'");
}

static void test_value_errors(void **state) {
  (void)state;
  mdt_error err = load_fail("hi.csv", AHEAD "1103,q_score,g1,6\n", quest);
  assert_error_at(&err, MDT_EDATA, 2, 17,
                  "value: expected a score from 1 to 5 for question 'q_score', found '6'");
  err = load_fail("lo.csv", AHEAD "1103,q_score,g1,0.5\n", quest);
  assert_error_at(&err, MDT_EDATA, 2, 17,
                  "value: expected a score from 1 to 5 for question 'q_score', found '0.5'");
  err = load_fail("share.csv", AHEAD "1103,q_local,local,100.5\n", quest);
  assert_error_at(&err, MDT_EDATA, 2, 20,
                  "value: expected a share from 0 to 100 for question 'q_local', found '100.5'");
  err = load_fail("neg.csv", AHEAD "1103,q_local,local,-2.75\n", quest);
  assert_error_at(&err, MDT_EDATA, 2, 20, "found '-2.75'");
  err = load_fail("half.csv", AHEAD "1103,q_rank,g1,1.5\n", quest);
  assert_error_at(&err, MDT_EDATA, 2, 16,
                  "value: expected a whole rank from 1 to 3 for question 'q_rank', found '1.5'");
  err = load_fail("zero.csv", AHEAD "1103,q_rank,g1,0\n", quest);
  assert_error_at(&err, MDT_EDATA, 2, 16, "expected a whole rank from 1 to 3");
  err = load_fail("four.csv", AHEAD "1103,q_rank,g1,4\n", quest);
  assert_error_at(&err, MDT_EDATA, 2, 16, "found '4'");
  err = load_fail("twice.csv", AHEAD "1103,q_rank,g1,1\n1103,q_rank,g2,1\n", quest);
  assert_error_at(&err, MDT_EDATA, 3, 16,
                  "value: expected each rank at most once per respondent in question 'q_rank' "
                  "(ties are not allowed), found rank 1 again from '1103'");
  err = load_fail("choice.csv", AHEAD "1103,q_form,krone,0.5\n", quest);
  assert_error_at(&err, MDT_EDATA, 2, 19,
                  "value: expected 0 or 1 for choice question 'q_form', found '0.5'");
  err = load_fail("two.csv", AHEAD "1103,q_form,krone,1\n1103,q_form,percent,0\n"
                                   "1103,q_form,mixed,1\n",
                  quest);
  assert_error_at(&err, MDT_EDATA, 4, 19,
                  "value: expected at most one chosen option per respondent in question "
                  "'q_form', found a second 1 from '1103'");
  err = load_fail("word.csv", AHEAD "1103,q_score,g1,high\n", quest);
  assert_error_at(&err, MDT_EDATA, 2, 17, "value: expected a number, found 'high'");
  /* With ';' the numbers are written and shown with a decimal comma. */
  err = load_fail("comma.csv", "respondent;question;option;value\n1103;q_local;local;100,5\n",
                  quest);
  assert_error_at(&err, MDT_EDATA, 2, 20,
                  "value: expected a share from 0 to 100 for question 'q_local', found '100,5'");
}

static void test_file_errors(void **state) {
  (void)state;
  mdt_error err = load_fail("norows.csv", AHEAD, quest);
  assert_error_at(&err, MDT_EDATA, 2, 1, "expected at least one answer, found none");
  err = load_fail("nocol.csv", "respondent,question,option\n1103,q_rank,g1\n", quest);
  assert_error_at(&err, MDT_EDATA, 1, 1,
                  "expected a column named 'value' in the header, found "
                  "'respondent,question,option'");
  mdt_answers *a = NULL;
  assert_int_equal(mdt_answers_load("/nonexistent/answers.csv", resp, quest, &a, &err),
                   MDT_ENOINPUT);
  assert_null(a);
  assert_string_equal(err.file, "/nonexistent/answers.csv");
  assert_int_equal(mdt_answers_stream("/nonexistent/answers.csv", resp, quest, NULL, NULL, &err),
                   MDT_ENOINPUT);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_fixture_answers),
      cmocka_unit_test(test_stream_fixture),
      cmocka_unit_test(test_stream_many_batches),
      cmocka_unit_test(test_ties_allowed),
      cmocka_unit_test(test_same_rank_by_two_members),
      cmocka_unit_test(test_lookup_errors),
      cmocka_unit_test(test_value_errors),
      cmocka_unit_test(test_file_errors),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
