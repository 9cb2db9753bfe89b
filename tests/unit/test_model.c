/* Tests of loading a whole model folder: the mini fixture, optional tables and failures. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "mandat/model.h"
#include "testutil.h"

static void test_fixture_model(void **state) {
  (void)state;
  char *dir = mdt_test_fixture("mini");
  mdt_model *m = NULL;
  mdt_error err;
  if (mdt_model_load(dir, MDT_MODEL_ANSWERS | MDT_MODEL_HEADCOUNTS, &m, &err) != MDT_OK)
    fail_msg("%s", mdt_test_errstr(&err));
  assert_string_equal(m->dir, dir);
  assert_int_equal(m->respondents->n, 12);
  assert_int_equal(m->groups->n, 3);
  assert_int_equal(m->questionnaire->nquestions, 4);
  assert_int_equal(m->questionnaire->noptions, 10);
  assert_int_equal(m->answers->n, 78);
  assert_int_equal(m->headcounts->ngroups, 3);
  /* The fixture's shape, as its README describes it. */
  const mdt_grouping *region = mdt_respondents_grouping(m->respondents, "region");
  assert_non_null(region);
  assert_int_equal(region->nlevels, 3);
  assert_string_equal(region->levels[0], "nord");
  size_t members[3] = {0, 0, 0}, answering[3] = {0, 0, 0};
  for (size_t i = 0; i < 12; i++) {
    members[region->code[i]]++;
    answering[region->code[i]] += m->answers->responded[i];
  }
  assert_int_equal(members[0], 4);
  assert_int_equal(answering[0], 0); /* nord: members but no respondents */
  assert_int_equal(answering[1], 4);
  assert_int_equal(answering[2], 4);
  assert_non_null(mdt_respondents_grouping(m->respondents, "size_class"));
  const mdt_question *rank = &m->questionnaire->questions[0];
  assert_int_equal(rank->role, MDT_ROLE_PRIORITY);
  assert_int_equal(m->questionnaire->options[rank->first_option + 2].group, 2);
  mdt_model_free(m);
  mdt_model_free(NULL);

  /* Without flags only the always-loaded tables are there. */
  assert_int_equal(mdt_model_load(dir, 0, &m, &err), MDT_OK);
  assert_null(m->answers);
  assert_null(m->headcounts);
  assert_non_null(m->questionnaire);
  mdt_model_free(m);
  free(dir);
}

static void test_model_path(void **state) {
  (void)state;
  char buf[32];
  assert_string_equal(mdt_model_path("models/mini", "answers.csv", buf, sizeof buf),
                      "models/mini/answers.csv");
  assert_string_equal(mdt_model_path("models/mini/", "answers.csv", buf, sizeof buf),
                      "models/mini/answers.csv");
  assert_string_equal(mdt_model_path("", "answers.csv", buf, sizeof buf), "answers.csv");
  /* "models/mini/answers.csv" is 23 characters and needs 24 bytes. */
  assert_non_null(mdt_model_path("models/mini", "answers.csv", buf, 24));
  assert_null(mdt_model_path("models/mini", "answers.csv", buf, 23));
}

/* Copies tests/fixtures/mini/<name> into <sub>, a folder in the temporary directory. */
static void copy_fixture(const char *sub, const char *name) {
  char rel[128];
  snprintf(rel, sizeof rel, "mini/%s", name);
  char *src = mdt_test_fixture(rel);
  FILE *in = fopen(src, "rb");
  assert_non_null(in);
  char data[8192];
  size_t n = fread(data, 1, sizeof data, in);
  assert_true(n < sizeof data);
  fclose(in);
  char dst[256];
  snprintf(dst, sizeof dst, "%s/%s", sub, name);
  free(mdt_test_write_file(dst, data, n));
  free(src);
}

/* A model folder in the temporary directory with the fixture's four always-loaded tables. */
static char *partial_model(const char *name) {
  char *dir = malloc(512);
  assert_non_null(dir);
  snprintf(dir, 512, "%s/%s", mdt_test_tmpdir(), name);
  assert_int_equal(mkdir(dir, 0700), 0);
  copy_fixture(name, "respondents.csv");
  copy_fixture(name, "groups.csv");
  copy_fixture(name, "questions.csv");
  copy_fixture(name, "options.csv");
  return dir;
}

static void test_missing_files(void **state) {
  (void)state;
  mdt_model *m = NULL;
  mdt_error err;
  assert_int_equal(mdt_model_load("/nonexistent/model", 0, &m, &err), MDT_ENOINPUT);
  assert_null(m);
  assert_string_equal(err.file, "/nonexistent/model/respondents.csv");

  char *dir = partial_model("partial");
  assert_int_equal(mdt_model_load(dir, 0, &m, &err), MDT_OK);
  mdt_model_free(m);
  char expect[600];
  assert_int_equal(mdt_model_load(dir, MDT_MODEL_ANSWERS, &m, &err), MDT_ENOINPUT);
  assert_null(m);
  snprintf(expect, sizeof expect, "%s/answers.csv", dir);
  assert_string_equal(err.file, expect);
  assert_int_equal(mdt_model_load(dir, MDT_MODEL_HEADCOUNTS, &m, &err), MDT_ENOINPUT);
  assert_null(m);
  snprintf(expect, sizeof expect, "%s/headcounts.csv", dir);
  assert_string_equal(err.file, expect);
  free(dir);

  /* A folder name that leaves no room for the file names is a usage error. */
  char *longdir = malloc(5000);
  assert_non_null(longdir);
  memset(longdir, 'm', 4999);
  longdir[4999] = '\0';
  assert_int_equal(mdt_model_load(longdir, 0, &m, &err), MDT_EUSAGE);
  assert_null(m);
  free(longdir);
}

static void test_bad_table_in_model(void **state) {
  (void)state;
  /* A bad answer deep in the model is reported with its own file, line and column. */
  char *dir = partial_model("bad");
  free(mdt_test_write_text("bad/answers.csv", "respondent,question,option,value\n"
                                "1103,q_rank,g1,1\n"
                                "1103,q_score,g2,7\n"));
  mdt_model *m = NULL;
  mdt_error err;
  assert_int_equal(mdt_model_load(dir, MDT_MODEL_ANSWERS, &m, &err), MDT_EDATA);
  assert_null(m);
  char expect[600];
  snprintf(expect, sizeof expect, "%s/answers.csv", dir);
  assert_string_equal(err.file, expect);
  assert_error_at(&err, MDT_EDATA, 3, 17,
                  "value: expected a score from 1 to 5 for question 'q_score', found '7'");
  free(dir);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_fixture_model),
      cmocka_unit_test(test_model_path),
      cmocka_unit_test(test_missing_files),
      cmocka_unit_test(test_bad_table_in_model),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
