/* Tests of groups.csv: parsed columns, optional numbers and every error path. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mandat/groups.h"
#include "testutil.h"

static mdt_groups *load_ok(const char *name, const char *text) {
  char *path = mdt_test_write_text(name, text);
  mdt_groups *g = NULL;
  mdt_error err;
  mdt_error_clear(&err);
  if (mdt_groups_load(path, &g, &err) != MDT_OK)
    fail_msg("%s", mdt_test_errstr(&err));
  assert_string_equal(g->path, path);
  free(path);
  return g;
}

static mdt_error load_fail(const char *name, const char *text) {
  char *path = mdt_test_write_text(name, text);
  mdt_groups *g = NULL;
  mdt_error err;
  mdt_error_clear(&err);
  mdt_status st = mdt_groups_load(path, &g, &err);
  assert_int_not_equal(st, MDT_OK);
  assert_int_equal(st, err.status);
  assert_null(g);
  assert_string_equal(err.file, path);
  free(path);
  return err;
}

#define HEADER "id,name,chapter,headcount,fte,mean_salary,overheng_pct,glidning_pct\n"
#define GOOD "g1,Sykepleiere,4,41873,35129.4,612345.5,1.37,-0.25\n"

static void test_parsed_values(void **state) {
  (void)state;
  mdt_groups *g = load_ok("groups.csv", HEADER GOOD "g2,Fagarbeidere,4,,,,,\n"
                                                    "g3,\"Lærere, grunnskole\",5,62194,58021.7,"
                                                    "701234,0.9,0.4\n");
  assert_int_equal(g->n, 3);
  assert_string_equal(g->id[0], "g1");
  assert_string_equal(g->name[2], "Lærere, grunnskole");
  assert_string_equal(g->chapter[0], "4");
  assert_string_equal(g->chapter[2], "5");
  assert_true(g->headcount[0] == 41873);
  assert_true(g->fte[0] == 35129.4);
  assert_true(g->mean_salary_nok[0] == 612345.5);
  assert_true(g->overheng_pct[0] == 1.37);
  assert_true(g->glidning_pct[0] == -0.25); /* a negative drift is allowed */
  assert_true(isnan(g->headcount[1]));
  assert_true(isnan(g->fte[1]));
  assert_true(isnan(g->mean_salary_nok[1]));
  assert_true(isnan(g->overheng_pct[1]));
  assert_true(isnan(g->glidning_pct[1]));
  assert_true(g->fte[2] == 58021.7);
  assert_int_equal(g->line[2], 4);
  assert_int_equal(mdt_groups_find(g, "g3"), 2);
  assert_int_equal(mdt_groups_find(g, "g4"), -1);
  mdt_groups_free(g);
  mdt_groups_free(NULL);
}

static void test_optional_columns_absent(void **state) {
  (void)state;
  mdt_groups *g = load_ok("minimal.csv", "name,id,chapter\nSykepleiere,g1,3.4\n");
  assert_int_equal(g->n, 1);
  assert_string_equal(g->id[0], "g1");
  assert_string_equal(g->chapter[0], "3.4");
  assert_true(isnan(g->headcount[0]));
  assert_true(isnan(g->mean_salary_nok[0]));
  assert_true(isnan(g->glidning_pct[0]));
  mdt_groups_free(g);
}

static void test_row_errors(void **state) {
  (void)state;
  mdt_error err = load_fail("dup.csv", HEADER GOOD "g1,Sykepleiere igjen,4,,,,,\n");
  assert_error_at(&err, MDT_EDATA, 3, 1,
                  "id: expected a unique group id, found 'g1' again (first on line 2)");
  err = load_fail("noid.csv", HEADER GOOD ",Fagarbeidere,4,,,,,\n");
  assert_error_at(&err, MDT_EDATA, 3, 1, "id: expected text, found an empty field");
  err = load_fail("nochap.csv", HEADER GOOD "g2,Fagarbeidere,,,,,,\n");
  assert_error_at(&err, MDT_EDATA, 3, 17, "chapter: expected text, found an empty field");
  err = load_fail("head.csv", HEADER GOOD "g2,Fagarbeidere,4,-12,,,,\n");
  assert_error_at(&err, MDT_EDATA, 3, 19, "headcount: expected a number >= 0, found '-12'");
  err = load_fail("fte.csv", HEADER GOOD "g2,Fagarbeidere,4,,-0.5,,,\n");
  assert_error_at(&err, MDT_EDATA, 3, 20, "fte: expected a number >= 0, found '-0.5'");
  err = load_fail("pay.csv", HEADER GOOD "g2,Fagarbeidere,4,,,-512000,,\n");
  assert_error_at(&err, MDT_EDATA, 3, 21,
                  "mean_salary: expected a number >= 0, found '-512000'");
  err = load_fail("pct.csv", HEADER GOOD "g2,Fagarbeidere,4,,,,1.2%,\n");
  assert_error_at(&err, MDT_EDATA, 3, 22, "overheng_pct: expected a number, found '1.2%'");
}

static void test_file_errors(void **state) {
  (void)state;
  mdt_error err = load_fail("nocol.csv", "id,name\ng1,Sykepleiere\n");
  assert_error_at(&err, MDT_EDATA, 1, 1,
                  "expected a column named 'chapter' in the header, found 'id,name'");
  err = load_fail("norows.csv", HEADER);
  assert_error_at(&err, MDT_EDATA, 2, 1, "expected at least one employee group, found none");
  mdt_groups *g = NULL;
  assert_int_equal(mdt_groups_load("/nonexistent/groups.csv", &g, &err), MDT_ENOINPUT);
  assert_null(g);
  assert_string_equal(err.file, "/nonexistent/groups.csv");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_parsed_values),
      cmocka_unit_test(test_optional_columns_absent),
      cmocka_unit_test(test_row_errors),
      cmocka_unit_test(test_file_errors),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
