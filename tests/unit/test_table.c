/*
 * Tests of result tables: cells, CSV (byte for byte) and JSON, and every error path.
 */
#define _GNU_SOURCE /* fopencookie */
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mandat/report.h"
#include "mandat/table.h"
#include "testutil.h"
#include "report/json_int.h"

static const char *const names4[] = {"name", "n", "value", "note"};
static const mdt_col_kind kinds4[] = {MDT_COL_TEXT, MDT_COL_INT, MDT_COL_NUMBER, MDT_COL_TEXT};

static mdt_table *new_table(void) {
  mdt_table *t = NULL;
  mdt_error err;
  mdt_error_clear(&err);
  if (mdt_table_new("regions", "Regional mandates", 4, names4, kinds4, &t, &err) != MDT_OK)
    fail_msg("mdt_table_new: %s", mdt_test_errstr(&err));
  return t;
}

/* The small table of the CSV and JSON tests: quoting, empty cells, 15 digits, "-0". */
static mdt_table *sample_table(void) {
  mdt_table *t = new_table();
  assert_int_equal(mdt_table_add_row(t), 0);
  assert_int_equal(mdt_table_set_text(t, 0, 0, "Oslo"), 0);
  mdt_table_set_num(t, 0, 1, 12);
  mdt_table_set_num(t, 0, 2, 2.385);
  assert_int_equal(mdt_table_add_row(t), 1);
  assert_int_equal(mdt_table_set_text(t, 1, 0, "Bergen, Vestland"), 0);
  mdt_table_set_num(t, 1, 1, NAN);
  mdt_table_set_num(t, 1, 2, 1.0 / 3.0);
  assert_int_equal(mdt_table_set_text(t, 1, 3, "says \"no\""), 0);
  assert_int_equal(mdt_table_add_row(t), 2);
  assert_int_equal(mdt_table_set_text(t, 2, 0, "Tromsø"), 0);
  mdt_table_set_num(t, 2, 1, -0.0);
  mdt_table_set_num(t, 2, 2, 123456789012345678.0);
  assert_int_equal(mdt_table_set_text(t, 2, 3, "two\nlines"), 0);
  return t;
}

static void test_new_and_cells(void **state) {
  (void)state;
  mdt_table *t = new_table();
  assert_string_equal(t->name, "regions");
  assert_string_equal(t->title, "Regional mandates");
  assert_int_equal(t->ncols, 4);
  assert_int_equal(t->nrows, 0);
  assert_int_equal(mdt_table_col(t, "value"), 2);
  assert_int_equal(mdt_table_col(t, "note"), 3);
  assert_int_equal(mdt_table_col(t, "Value"), -1);
  assert_int_equal(mdt_table_col(t, NULL), -1);

  /* Past the first allocation of rows, earlier cells keep their values. */
  for (long i = 0; i < 40; i++) {
    assert_int_equal(mdt_table_add_row(t), i);
    mdt_table_set_num(t, (size_t)i, 2, 1.5 + 0.25 * (double)i);
  }
  assert_int_equal(t->nrows, 40);
  assert_int_equal(mdt_table_cell(t, 0, 2)->kind, 1);
  assert_near(mdt_table_cell(t, 0, 2)->num, 1.5, 0);
  assert_near(mdt_table_cell(t, 39, 2)->num, 11.25, 0);
  /* New rows start empty. */
  assert_int_equal(mdt_table_cell(t, 39, 0)->kind, 0);
  assert_null(mdt_table_cell(t, 39, 0)->text);

  /* A text replaces a number, a number a text (the text is freed), NULL and NaN empty. */
  assert_int_equal(mdt_table_set_text(t, 3, 2, "n/a"), 0);
  assert_int_equal(mdt_table_cell(t, 3, 2)->kind, 2);
  assert_string_equal(mdt_table_cell(t, 3, 2)->text, "n/a");
  mdt_table_set_num(t, 3, 2, 7.125);
  assert_int_equal(mdt_table_cell(t, 3, 2)->kind, 1);
  assert_null(mdt_table_cell(t, 3, 2)->text);
  assert_int_equal(mdt_table_set_text(t, 3, 0, "Agder"), 0);
  assert_int_equal(mdt_table_set_text(t, 3, 0, NULL), 0);
  assert_int_equal(mdt_table_cell(t, 3, 0)->kind, 0);
  mdt_table_set_num(t, 4, 2, NAN);
  assert_int_equal(mdt_table_cell(t, 4, 2)->kind, 0);
  mdt_table_set_num(t, 5, 2, INFINITY);
  assert_int_equal(mdt_table_cell(t, 5, 2)->kind, 0);
  mdt_table_set_num(t, 6, 2, -INFINITY);
  assert_int_equal(mdt_table_cell(t, 6, 2)->kind, 0);

  /* The table copies the strings it is given. */
  char buf[] = "Nordland";
  assert_int_equal(mdt_table_set_text(t, 7, 0, buf), 0);
  buf[0] = 'X';
  assert_string_equal(mdt_table_cell(t, 7, 0)->text, "Nordland");

  /* Outside the table nothing is written. */
  mdt_table_set_num(t, 40, 0, 1.0);
  assert_int_equal(mdt_table_set_text(t, 0, 4, "x"), -1);
  mdt_table_free(t);
  mdt_table_free(NULL);
}

static void test_new_errors(void **state) {
  (void)state;
  mdt_table *t = (mdt_table *)&t; /* must be reset to NULL on failure */
  mdt_error err;
  const char *const dup_names[] = {"group", "value", "group"};
  const char *const empty_name[] = {"group", ""};
  const mdt_col_kind k3[] = {MDT_COL_TEXT, MDT_COL_PCT, MDT_COL_PCT};
  const mdt_col_kind bad_kind[] = {MDT_COL_TEXT, (mdt_col_kind)17};
  struct {
    const char *name;
    size_t ncols;
    const char *const *names;
    const mdt_col_kind *kinds;
    const char *needle;
  } cases[] = {
      {"a_name_that_is_thirty_two_chars", 3, names4, kinds4, NULL}, /* 31: fine */
      {"a_name_that_is_thirty_two_chars_", 3, names4, kinds4, "1 to 31"},
      {"", 3, names4, kinds4, "1 to 31"},
      {"growth/group", 3, names4, kinds4, "1 to 31"},
      {"sweep[1]", 3, names4, kinds4, "1 to 31"},
      {"'quoted'", 3, names4, kinds4, "1 to 31"},
      {"profil\xC3\xA6", 3, names4, kinds4, "1 to 31"},
      {NULL, 3, names4, kinds4, "(null)"},
      {"profile", 0, names4, kinds4, "at least one column"},
      {"profile", 3, dup_names, k3, "two columns are named 'group'"},
      {"profile", 2, empty_name, k3, "column 2 has no name"},
      {"profile", 2, names4, bad_kind, "unknown kind 17"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    mdt_error_clear(&err);
    t = (mdt_table *)&t;
    mdt_status st = mdt_table_new(cases[i].name, NULL, cases[i].ncols, cases[i].names,
                                  cases[i].kinds, &t, &err);
    if (cases[i].needle == NULL) {
      assert_int_equal(st, MDT_OK);
      assert_string_equal(t->title, ""); /* a NULL title is empty */
      mdt_table_free(t);
      continue;
    }
    assert_int_equal(st, MDT_EUSAGE);
    assert_int_equal(err.status, MDT_EUSAGE);
    assert_null(t);
    if (strstr(err.message, cases[i].needle) == NULL)
      fail_msg("case %zu: message '%s' lacks '%s'", i, err.message, cases[i].needle);
  }
}

static char *csv_of(const mdt_table *t) {
  char *buf = NULL;
  size_t len = 0;
  FILE *fp = open_memstream(&buf, &len);
  assert_non_null(fp);
  mdt_error err;
  mdt_error_clear(&err);
  if (mdt_table_write_csv(t, fp, &err) != MDT_OK)
    fail_msg("mdt_table_write_csv: %s", mdt_test_errstr(&err));
  assert_int_equal(fclose(fp), 0);
  return buf;
}

/* Numbers are never written in exponent form: the same 15 significant digits in full. */
static void test_plain_numbers(void **state) {
  (void)state;
  char buf[400];
  assert_string_equal(mdt_report_format_number(5e-05, buf, sizeof buf), "0.00005");
  assert_string_equal(mdt_report_format_number(-1.5e-10, buf, sizeof buf), "-0.00000000015");
  /* 1/3 * 1e-7 to 15 significant digits: 3.33333333333333e-08 */
  assert_string_equal(mdt_report_format_number(1.0 / 3 * 1e-7, buf, sizeof buf),
                      "0.0000000333333333333333");
  assert_string_equal(mdt_report_format_number(2.385, buf, sizeof buf), "2.385");
  assert_string_equal(mdt_report_format_number(-0.0, buf, sizeof buf), "0");
  assert_string_equal(mdt_report_format_number(2.5e20, buf, sizeof buf), "250000000000000000000");
  assert_string_equal(mdt_report_format_number(NAN, buf, sizeof buf), "");
}

static void test_csv_exact(void **state) {
  (void)state;
  mdt_table *t = sample_table();
  char *csv = csv_of(t);
  assert_string_equal(csv, "name,n,value,note\n"
                           "Oslo,12,2.385,\n"
                           "\"Bergen, Vestland\",,0.333333333333333,\"says \"\"no\"\"\"\n"
                           /* 123456789012345678 to 15 significant digits, written out
                              without an exponent: 1.23456789012346e+17 = 123456789012346000 */
                           "Tromsø,0,123456789012346000,\"two\nlines\"\n");
  free(csv);

  /* A table without rows is its header. */
  mdt_table *empty = new_table();
  csv = csv_of(empty);
  assert_string_equal(csv, "name,n,value,note\n");
  free(csv);
  mdt_table_free(empty);
  mdt_table_free(t);
}

/* A stream whose every write fails as on a full disk (glibc's fopencookie, so the test does
 * not depend on /dev/full being there). */
static ssize_t write_enospc(void *cookie, const char *buf, size_t size) {
  (void)cookie;
  (void)buf;
  (void)size;
  errno = ENOSPC;
  return -1;
}

static void test_csv_full_disk(void **state) {
  (void)state;
  FILE *fp = fopencookie(NULL, "w", (cookie_io_functions_t){NULL, write_enospc, NULL, NULL});
  assert_non_null(fp);
  mdt_table *t = sample_table();
  mdt_error err;
  mdt_error_clear(&err);
  assert_int_equal(mdt_table_write_csv(t, fp, &err), MDT_ECANTWRITE);
  if (strstr(err.message, "table 'regions'") == NULL)
    fail_msg("message '%s'", err.message);
  fclose(fp);
  mdt_table_free(t);
}

static void test_json(void **state) {
  (void)state;
  mdt_table *t = sample_table();
  json_t *j = mdt__table_json(t);
  assert_non_null(j);
  char *s = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
  assert_non_null(s);
  /* n is an INT column: whole numbers are integers; "value" stays a real. */
  assert_string_equal(s, "[{\"name\":\"Oslo\",\"n\":12,\"value\":2.385,\"note\":null},"
                         "{\"name\":\"Bergen, Vestland\",\"n\":null,\"value\":0.333333333333333,"
                         "\"note\":\"says \\\"no\\\"\"},"
                         "{\"name\":\"Tromsø\",\"n\":0,\"value\":1.23456789012346e17,"
                         "\"note\":\"two\\nlines\"}]");
  free(s);
  json_decref(j);

  /* A fraction in an INT column stays a real; a text that is not UTF-8 fails. */
  mdt_table_set_num(t, 0, 1, 12.5);
  j = mdt__table_json(t);
  assert_non_null(j);
  assert_true(json_is_real(json_object_get(json_array_get(j, 0), "n")));
  json_decref(j);
  assert_int_equal(mdt_table_set_text(t, 0, 3, "Troms\xF8"), 0); /* Latin-1 ø */
  assert_null(mdt__table_json(t));

  mdt_table *empty = new_table();
  j = mdt__table_json(empty);
  assert_true(json_is_array(j));
  assert_int_equal(json_array_size(j), 0);
  json_decref(j);
  mdt_table_free(empty);
  mdt_table_free(t);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_new_and_cells), cmocka_unit_test(test_new_errors),
      cmocka_unit_test(test_plain_numbers),
      cmocka_unit_test(test_csv_exact),     cmocka_unit_test(test_csv_full_disk),
      cmocka_unit_test(test_json),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
