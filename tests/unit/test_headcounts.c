/* Tests of headcounts.csv: the dense member x group matrix and every error path. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mandat/headcounts.h"
#include "testutil.h"

/* Members and groups of the mini fixture model. */
static mdt_respondents *resp;
static mdt_groups *groups;

static int setup(void **state) {
  (void)state;
  return mdt_test_load_mini(&resp, &groups);
}

static int teardown(void **state) {
  (void)state;
  mdt_groups_free(groups);
  mdt_respondents_free(resp);
  return 0;
}

static mdt_error load_fail(const char *name, const char *text) {
  char *path = mdt_test_write_text(name, text);
  mdt_headcounts *h = NULL;
  mdt_error err;
  mdt_error_clear(&err);
  mdt_status st = mdt_headcounts_load(path, resp, groups, &h, &err);
  assert_int_not_equal(st, MDT_OK);
  assert_int_equal(st, err.status);
  assert_null(h);
  assert_string_equal(err.file, path);
  free(path);
  return err;
}

static void test_fixture_matrix(void **state) {
  (void)state;
  char *path = mdt_test_fixture("mini/headcounts.csv");
  mdt_headcounts *h = NULL;
  mdt_error err;
  if (mdt_headcounts_load(path, resp, groups, &h, &err) != MDT_OK)
    fail_msg("%s", mdt_test_errstr(&err));
  assert_int_equal(h->nrespondents, 12);
  assert_int_equal(h->ngroups, 3);
  assert_true(h->count[0 * 3 + 0] == 1187); /* Stavanger, sykepleiere */
  assert_true(h->count[7 * 3 + 1] == 2467); /* Bergen, fagarbeidere */
  assert_true(h->count[10 * 3 + 1] == 412); /* Innlandet fylkeskommune, fagarbeidere */
  assert_true(h->count[11 * 3 + 2] == 14);  /* Vestland fylkeskommune, barnehagelærere */
  /* Column totals by hand from headcounts.csv. */
  double total[3] = {0, 0, 0};
  for (size_t r = 0; r < 12; r++)
    for (size_t g = 0; g < 3; g++)
      total[g] += h->count[r * 3 + g];
  assert_true(total[0] == 6733);
  assert_true(total[1] == 8665);
  assert_true(total[2] == 3714);
  mdt_headcounts_free(h);
  mdt_headcounts_free(NULL);
  free(path);
}

static void test_sparse_rows(void **state) {
  (void)state;
  char *path = mdt_test_write_text("sparse.csv", "group,headcount,respondent\n"
                                                 "g3,12.5,46\n"
                                                 "g1,0,1804\n"
                                                 "g2,331,1804\n");
  mdt_headcounts *h = NULL;
  mdt_error err;
  assert_int_equal(mdt_headcounts_load(path, resp, groups, &h, &err), MDT_OK);
  assert_true(h->count[11 * 3 + 2] == 12.5);
  assert_true(h->count[1 * 3 + 1] == 331);
  double sum = 0;
  for (size_t i = 0; i < 36; i++)
    sum += h->count[i];
  assert_true(sum == 343.5); /* pairs not listed count as 0 */
  mdt_headcounts_free(h);
  free(path);
}

#define HEADER "respondent,group,headcount\n"
#define GOOD "1103,g1,1187\n"

static void test_errors(void **state) {
  (void)state;
  mdt_error err = load_fail("resp.csv", HEADER GOOD "9999,g1,5\n");
  assert_error_at(&err, MDT_EDATA, 3, 1,
                  "respondent: expected a member id from respondents.csv, found '9999'");
  err = load_fail("group.csv", HEADER GOOD "1103,g9,5\n");
  assert_error_at(&err, MDT_EDATA, 3, 6, "group: expected a group id from groups.csv, found 'g9'");
  err = load_fail("dup.csv", HEADER GOOD "1103,g2,5\n1103,g1,1190\n");
  assert_error_at(&err, MDT_EDATA, 4, 6,
                  "group: expected one row per member and group, found '1103' and 'g1' again "
                  "(first on line 2)");
  err = load_fail("neg.csv", HEADER GOOD "1103,g2,-3\n");
  assert_error_at(&err, MDT_EDATA, 3, 9, "headcount: expected a number from 0 to 1e+09, found '-3'");
  err = load_fail("word.csv", HEADER GOOD "1103,g2,mange\n");
  assert_error_at(&err, MDT_EDATA, 3, 9, "headcount: expected a number, found 'mange'");
  err = load_fail("norows.csv", HEADER);
  assert_error_at(&err, MDT_EDATA, 2, 1, "expected at least one headcount, found none");
  err = load_fail("nocol.csv", "respondent,group\n1103,g1\n");
  assert_error_at(&err, MDT_EDATA, 1, 1,
                  "expected a column named 'headcount' in the header, found 'respondent,group'");
  mdt_headcounts *h = NULL;
  assert_int_equal(mdt_headcounts_load("/nonexistent/headcounts.csv", resp, groups, &h, &err),
                   MDT_ENOINPUT);
  assert_null(h);
  assert_string_equal(err.file, "/nonexistent/headcounts.csv");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_fixture_matrix),
      cmocka_unit_test(test_sparse_rows),
      cmocka_unit_test(test_errors),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
