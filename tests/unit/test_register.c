/* Tests of register.csv: columns, exact fixed-point FTE and weights, runs of ids, streaming
 * over several batches, and every error path. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mandat/register.h"
#include "model/load.h"
#include "testutil.h"

/* Members and groups of the mini fixture: 1103 is row 0, 46 row 11; g1..g3 rows 0..2. */
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

static mdt_register *load_ok(const char *name, const char *text) {
  char *path = mdt_test_write_text(name, text);
  mdt_register *reg = NULL;
  mdt_error err;
  if (mdt_register_load(path, resp, groups, &reg, &err) != MDT_OK)
    fail_msg("%s", mdt_test_errstr(&err));
  assert_string_equal(reg->path, path);
  free(path);
  return reg;
}

static mdt_error load_fail(const char *name, const char *text) {
  char *path = mdt_test_write_text(name, text);
  mdt_register *reg = NULL;
  mdt_error err;
  mdt_error_clear(&err);
  mdt_status st = mdt_register_load(path, resp, groups, &reg, &err);
  assert_int_not_equal(st, MDT_OK);
  assert_int_equal(st, err.status);
  assert_null(reg);
  assert_string_equal(err.file, path);
  free(path);
  return err;
}

#define HEADER "id,respondent,group,seniority_years,fte,annual_salary,weight\n"
#define GOOD "e1,1103,g1,12.5,0.8,612345,10\n"

static void test_columns(void **state) {
  (void)state;
  /* Members and groups change between rows and come back: the cached lookups must follow. */
  mdt_register *reg = load_ok("reg.csv", HEADER GOOD
                              "e2,1103,g1,0,1,487310,9.5\n"
                              "e3,46,g1,31.25,0.0375,702219,0.0001\n"
                              "e4,46,g3,7,0.6667,398001,214748.3647\n"
                              "e5,1103,g3,2.4,1.0000,450000,3\n"
                              "e6,1103,g2,16,0.5,9999999,1\n");
  assert_int_equal(reg->n, 6);
  assert_true(reg->has_weight);
  static const int32_t respondent[6] = {0, 0, 11, 11, 0, 0};
  static const int32_t group[6] = {0, 0, 0, 2, 2, 1};
  static const double seniority[6] = {12.5, 0, 31.25, 7, 2.4, 16};
  static const int32_t fte[6] = {8000, 10000, 375, 6667, 10000, 5000};
  static const int64_t salary[6] = {612345, 487310, 702219, 398001, 450000, 9999999};
  static const int32_t weight[6] = {100000, 95000, 1, 2147483647, 30000, 10000};
  for (size_t i = 0; i < 6; i++) {
    assert_int_equal(reg->respondent[i], respondent[i]);
    assert_int_equal(reg->group[i], group[i]);
    assert_true(reg->seniority_years[i] == seniority[i]);
    assert_int_equal(reg->fte_e4[i], fte[i]);
    assert_true(reg->salary_nok[i] == salary[i]);
    assert_int_equal(reg->weight_e4[i], weight[i]);
  }
  /* Exact wage bill of the first two rows in øre-free kroner:
   * 10 x 0.8 x 612 345 + 9.5 x 1 x 487 310 = 4 898 760 + 4 629 445 = 9 528 205. */
  __int128 bill = 0;
  for (size_t i = 0; i < 2; i++)
    bill += (__int128)reg->weight_e4[i] * reg->fte_e4[i] * reg->salary_nok[i];
  assert_true(bill == (__int128)9528205 * MDT_FIX4_ONE * MDT_FIX4_ONE);
  mdt_register_free(reg);
  mdt_register_free(NULL);
}

static void test_no_weight_semicolons(void **state) {
  (void)state;
  /* Excel in a Norwegian locale: semicolons and decimal commas; columns in another order;
   * no weight column, so every row stands for one employee. */
  mdt_register *reg = load_ok("semi.csv", "annual_salary;fte;group;id;seniority_years;respondent\r\n"
                                          "500000;0,75;g2;a;3,5;5501\r\n"
                                          "612000;1;g3;b;0;34\r\n");
  assert_int_equal(reg->n, 2);
  assert_false(reg->has_weight);
  assert_int_equal(reg->respondent[0], 9);
  assert_int_equal(reg->respondent[1], 10);
  assert_int_equal(reg->group[0], 1);
  assert_true(reg->seniority_years[0] == 3.5);
  assert_int_equal(reg->fte_e4[0], 7500);
  assert_int_equal(reg->weight_e4[0], MDT_FIX4_ONE);
  assert_int_equal(reg->weight_e4[1], MDT_FIX4_ONE);
  mdt_register_free(reg);
}

/* 150 000 rows span three batches of the reader; the error on line 140 002 is found there. */
static void test_batches(void **state) {
  (void)state;
  const size_t n = 150000;
  size_t cap = n * 48 + 128, o = 0;
  char *text = malloc(cap);
  assert_non_null(text);
  o += (size_t)snprintf(text + o, cap - o, HEADER);
  static const char *const ids[4] = {"1103", "1804", "34", "46"};
  long long sum_salary = 0, sum_fte = 0;
  for (size_t i = 0; i < n; i++) {
    long long s = 350000 + (long long)(i % 9973) * 37;
    int f = 1 + (int)(i * 7919 % 10000);
    o += (size_t)snprintf(text + o, cap - o, "e%zu,%s,g%zu,%zu.5,%d.%04d,%lld,2.5\n", i,
                          ids[(i / 1000) % 4], 1 + (i / 333) % 3, i % 40, f / 10000,
                          f % 10000, s);
    sum_salary += s;
    sum_fte += f;
  }
  mdt_register *reg = load_ok("big.csv", text);
  assert_int_equal(reg->n, n);
  long long got_salary = 0, got_fte = 0;
  for (size_t i = 0; i < n; i++) {
    got_salary += reg->salary_nok[i];
    got_fte += reg->fte_e4[i];
  }
  assert_true(got_salary == sum_salary);
  assert_true(got_fte == sum_fte);
  assert_int_equal(reg->respondent[149999], 1); /* ids[(149999 / 1000) % 4] = ids[1] = 1804 */
  assert_int_equal(reg->group[149999], 0);      /* 1 + (149999 / 333) % 3 = 1 + 450 % 3 = g1 */
  mdt_register_free(reg);
  /* Break row 140 000 (line 140 002): member 9999. */
  char *line = text;
  for (size_t l = 1; l < 140002; l++)
    line = strchr(line, '\n') + 1;
  size_t comma = strcspn(line, ",");
  memcpy(line + comma + 1, "9999", 4); /* every member id there has 4 characters: 1103 */
  mdt_error err = load_fail("bigbad.csv", text);
  assert_error_at(&err, MDT_EDATA, 140002, (long)comma + 2,
                  "respondent: expected a member id from respondents.csv, found '9999'");
  free(text);
}

static void test_new(void **state) {
  (void)state;
  mdt_register *reg = NULL;
  mdt_error err;
  assert_int_equal(mdt_register_new(4, &reg, &err), MDT_OK);
  assert_int_equal(reg->n, 4);
  assert_false(reg->has_weight);
  assert_null(reg->path);
  for (size_t i = 0; i < 4; i++) {
    assert_int_equal(reg->respondent[i], 0);
    assert_int_equal(reg->fte_e4[i], 0);
    assert_true(reg->salary_nok[i] == 0);
    assert_int_equal(reg->weight_e4[i], 0);
  }
  reg->salary_nok[3] = 512300;
  mdt_register_free(reg);
  assert_int_equal(mdt_register_new(0, &reg, &err), MDT_OK);
  assert_int_equal(reg->n, 0);
  mdt_register_free(reg);
}

static void test_errors(void **state) {
  (void)state;
  mdt_error err = load_fail("resp.csv", HEADER GOOD "e2,9999,g1,3,1,500000,10\n");
  assert_error_at(&err, MDT_EDATA, 3, 4,
                  "respondent: expected a member id from respondents.csv, found '9999'");
  err = load_fail("group.csv", HEADER GOOD "e2,1103,g7,3,1,500000,10\n");
  assert_error_at(&err, MDT_EDATA, 3, 9, "group: expected a group id from groups.csv, found 'g7'");
  err = load_fail("noid.csv", HEADER GOOD ",1103,g1,3,1,500000,10\n");
  assert_error_at(&err, MDT_EDATA, 3, 1, "id: expected text, found an empty field");
  err = load_fail("sen.csv", HEADER GOOD "e2,1103,g1,-1,1,500000,10\n");
  assert_error_at(&err, MDT_EDATA, 3, 12,
                  "seniority_years: expected years of seniority >= 0, found '-1'");
  err = load_fail("senword.csv", HEADER GOOD "e2,1103,g1,lenge,1,500000,10\n");
  assert_error_at(&err, MDT_EDATA, 3, 12, "seniority_years: expected a number, found 'lenge'");
  err = load_fail("fte0.csv", HEADER GOOD "e2,1103,g1,3,0,500000,10\n");
  assert_error_at(&err, MDT_EDATA, 3, 14,
                  "fte: expected a full-time equivalent above 0 and at most 1, found '0'");
  err = load_fail("fte125.csv", HEADER GOOD "e2,1103,g1,3,1.25,500000,10\n");
  assert_error_at(&err, MDT_EDATA, 3, 14,
                  "fte: expected a full-time equivalent above 0 and at most 1, found '1.25'");
  err = load_fail("fteneg.csv", HEADER GOOD "e2,1103,g1,3,-0.5,500000,10\n");
  assert_error_at(&err, MDT_EDATA, 3, 14,
                  "fte: expected a full-time equivalent above 0 and at most 1, found '-0.5'");
  err = load_fail("fte5.csv", HEADER GOOD "e2,1103,g1,3,0.12345,500000,10\n");
  assert_error_at(&err, MDT_EDATA, 3, 14,
                  "fte: expected a number with at most 4 decimals, found '0.12345'");
  err = load_fail("sal0.csv", HEADER GOOD "e2,1103,g1,3,1,0,10\n");
  assert_error_at(&err, MDT_EDATA, 3, 16,
                  "annual_salary: expected a whole number of NOK from 1 to 1000000000, found '0'");
  err = load_fail("salneg.csv", HEADER GOOD "e2,1103,g1,3,1,-5,10\n");
  assert_error_at(&err, MDT_EDATA, 3, 16,
                  "annual_salary: expected a whole number of NOK from 1 to 1000000000, found "
                  "'-5'");
  err = load_fail("salfrac.csv", HEADER GOOD "e2,1103,g1,3,1,500000.5,10\n");
  assert_error_at(&err, MDT_EDATA, 3, 16,
                  "annual_salary: expected a whole number, found '500000.5'");
  err = load_fail("w0.csv", HEADER GOOD "e2,1103,g1,3,1,500000,0\n");
  assert_error_at(&err, MDT_EDATA, 3, 23,
                  "weight: expected a weight above 0 and at most 214748.3647, found '0'");
  err = load_fail("wneg.csv", HEADER GOOD "e2,1103,g1,3,1,500000,-2.5\n");
  assert_error_at(&err, MDT_EDATA, 3, 23,
                  "weight: expected a weight above 0 and at most 214748.3647, found '-2.5'");
  err = load_fail("wbig.csv", HEADER GOOD "e2,1103,g1,3,1,500000,214748.3648\n");
  assert_error_at(&err, MDT_EDATA, 3, 23,
                  "weight: expected a weight above 0 and at most 214748.3647, found "
                  "'214748.3648'");
  err = load_fail("wsemi.csv", "id;respondent;group;seniority_years;fte;annual_salary;weight\n"
                               "e1;1103;g1;3;1,5;500000;1\n");
  assert_error_at(&err, MDT_EDATA, 2, 14,
                  "fte: expected a full-time equivalent above 0 and at most 1, found '1,5'");
  err = load_fail("norows.csv", HEADER);
  assert_error_at(&err, MDT_EDATA, 2, 1, "expected at least one employee, found none");
  err = load_fail("nocol.csv", "id,respondent,group,seniority_years,annual_salary\n"
                               "e1,1103,g1,3,500000\n");
  assert_error_at(&err, MDT_EDATA, 1, 1,
                  "expected a column named 'fte' in the header, found "
                  "'id,respondent,group,seniority_years,annual_salary'");
  mdt_register *reg = NULL;
  assert_int_equal(mdt_register_load("/nonexistent/register.csv", resp, groups, &reg, &err),
                   MDT_ENOINPUT);
  assert_null(reg);
}

/* Room for rows that come in batches (model/load.h), by hand: doubling from the first room
 * without an estimate or with one too small; straight to the estimate when it holds the rows;
 * by a quarter at least when an estimate was short before; the doubling kept as a fallback. */
static void test_rows_room(void **state) {
  (void)state;
  size_t fallback = 0;
  assert_int_equal(mdt__rows_room(0, 100, 0, 64, &fallback), 128); /* 64 -> 128 */
  assert_int_equal(fallback, 128);
  assert_int_equal(mdt__rows_room(0, 100, 5000, 64, &fallback), 5000);
  assert_int_equal(fallback, 128);
  assert_int_equal(mdt__rows_room(5000, 5100, 5050, 64, &fallback), 10000); /* 5050 < 5100 */
  assert_int_equal(fallback, 10000);
  assert_int_equal(mdt__rows_room(5000, 5100, 5200, 64, &fallback), 6250); /* 5000 + 1250 */
  assert_int_equal(fallback, 10000);
  assert_int_equal(mdt__rows_room(5000, 5100, 9000, 64, &fallback), 9000);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_columns), cmocka_unit_test(test_no_weight_semicolons),
      cmocka_unit_test(test_batches), cmocka_unit_test(test_new),
      cmocka_unit_test(test_errors), cmocka_unit_test(test_rows_room),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
