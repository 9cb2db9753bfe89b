/*
 * Tests of mdt_output_summary_lines: a year's summary as lines is what mdt_output_summary
 * prints, line for line, without the line naming the folder, for one year and for each year
 * of a two-year period; and its errors.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mandat/output.h"
#include "mandat/run.h"
#include "testutil.h"

static mdt_result *run_scenario(const char *path) {
  mdt_run_options o;
  mdt_run_options_init(&o);
  o.scenario_path = path;
  o.threads = 2;
  mdt_run *run = NULL;
  mdt_result *res = NULL;
  mdt_error err;
  mdt_error_clear(&err);
  if (mdt_run_open(&o, &run, &err) != MDT_OK || mdt_run_compute(run, &res, &err) != MDT_OK)
    fail_msg("%s: %s", path, mdt_test_errstr(&err));
  mdt_run_free(run);
  return res;
}

/* What mdt_output_summary prints for r (dir "DIR"), as one string. (Through a temporary file
 * rather than open_memstream: GCC's -Wdangling-pointer mistakes pointers into an
 * open_memstream buffer for pointers to the local that received it.) */
static char *printed(const mdt_result *r) {
  FILE *fp = tmpfile();
  assert_non_null(fp);
  assert_int_equal(mdt_output_summary(fp, r, "DIR"), 0);
  long size = ftell(fp);
  assert_true(size > 0);
  rewind(fp);
  char *text = malloc((size_t)size + 1);
  assert_non_null(text);
  assert_int_equal(fread(text, 1, (size_t)size, fp), (size_t)size);
  text[size] = '\0';
  assert_int_equal(fclose(fp), 0);
  return text;
}

/* Joins lines with line breaks, each line ended by one. */
static char *joined(char **lines, size_t n) {
  size_t len = 1;
  for (size_t k = 0; k < n; k++)
    len += strlen(lines[k]) + 1;
  char *s = malloc(len), *p = s;
  assert_non_null(s);
  for (size_t k = 0; k < n; k++)
    p += sprintf(p, "%s\n", lines[k]);
  *p = '\0';
  return s;
}

static void test_one_year(void **state) {
  (void)state;
  char *path = mdt_test_fixture("run/scenario.ini");
  mdt_result *r = run_scenario(path);
  char *text = printed(r);
  char **lines = NULL;
  size_t n = 0;
  mdt_error err;
  mdt_error_clear(&err);
  assert_int_equal(mdt_output_summary_lines(r, 0, &lines, &n, &err), MDT_OK);
  assert_true(n > 5);
  char *got = joined(lines, n);
  /* The printed text is the lines and then the folder's line. */
  size_t len = strlen(got);
  assert_memory_equal(text, got, len);
  assert_true(strncmp(text + len, "Wrote ", 6) == 0);
  assert_non_null(strstr(text + len, " to DIR\n"));
  const char *end = strchr(text + len, '\n');
  assert_non_null(end);
  assert_int_equal(end[1], '\0'); /* and nothing after it */
  assert_true(strncmp(lines[0], "Mandate: ", 9) == 0);
  for (size_t k = 0; k < n; k++)
    assert_null(strchr(lines[k], '\n'));
  free(got);
  mdt_output_lines_free(lines, n);

  /* Errors. */
  lines = NULL;
  mdt_error_clear(&err);
  assert_int_equal(mdt_output_summary_lines(r, 1, &lines, &n, &err), MDT_EUSAGE);
  assert_non_null(strstr(err.message, "has 1 year, not year 2"));
  assert_null(lines);
  mdt_error_clear(&err);
  assert_int_equal(mdt_output_summary_lines(NULL, 0, &lines, &n, &err), MDT_EUSAGE);
  assert_int_equal(mdt_output_summary_lines(r, 0, NULL, &n, NULL), MDT_EUSAGE);
  mdt_output_lines_free(NULL, 0);
  free(text);
  mdt_result_free(r);
  free(path);
}

/* Each year of a period on its own: what the year's part of the full summary says, under its
 * heading, without the folder's line; the period table belongs to neither year. */
static void test_two_years(void **state) {
  (void)state;
  char *path = mdt_test_fixture("../../models/ks-2024/period-2024-2025.ini");
  mdt_result *r = run_scenario(path);
  assert_int_equal(mdt_result_years(r), 2);
  char *text = printed(r);
  const char *heading[2] = {"2024 (main settlement):\n", "2025 (interim settlement):\n"};
  for (size_t y = 0; y < 2; y++) {
    char **lines = NULL;
    size_t n = 0;
    mdt_error err;
    mdt_error_clear(&err);
    assert_int_equal(mdt_output_summary_lines(r, y, &lines, &n, &err), MDT_OK);
    char *got = joined(lines, n);
    const char *at = strstr(text, heading[y]);
    assert_non_null(at);
    at += strlen(heading[y]);
    assert_memory_equal(at, got, strlen(got));
    assert_true(strncmp(at + strlen(got), "Wrote ", 6) == 0);
    assert_null(strstr(got, "Period 2024-2025"));
    free(got);
    mdt_output_lines_free(lines, n);
  }
  free(text);
  mdt_result_free(r);
  free(path);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_one_year),
      cmocka_unit_test(test_two_years),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
