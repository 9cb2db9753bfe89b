/* The scenario's frame sources (groups or one figure), solve_on, step moves, local frame
 * rooms, base tables and two-year periods ([year2.*] sections). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mandat/scenario.h"
#include "testutil.h"

static const char *const period_ini =
    "[frame]\n"                              /* 1 */
    "frame_pct = 5.2\n"                      /* 2 */
    "overheng_pct = groups\n"                /* 3 */
    "glidning_history = 0.3, 0.5, 1.0\n"     /* 4 */
    "solve_on = area\n"                      /* 5 */
    "step_moves = no\n"                      /* 6 */
    "glidning_includes_step_moves = no\n"    /* 7 */
    "price_forecast_pct = 4.1\n"             /* 8 */
    "[settlement]\n"                         /* 9 */
    "rule = table\n"                         /* 10 */
    "base_table = base24.csv\n"              /* 11 */
    "table = extra24.csv\n"                  /* 12 */
    "named = c34:4.1@5\n"                    /* 13 */
    "local_frame = c5@5, c6 @ 7\n"           /* 14 */
    "local_pot_pct = 1.1\n"                  /* 15 */
    "[period]\n"                             /* 16 */
    "first_year = 2024\n"                    /* 17 */
    "[year2.frame]\n"                        /* 18 */
    "frame_pct = 4.4\n"                      /* 19 */
    "glidning_pct = 0.15\n"                  /* 20 */
    "price_forecast_pct = 2.7\n"             /* 21 */
    "[year2.settlement]\n"                   /* 22 */
    "table = extra25.csv\n"                  /* 23 */
    "local_pot_pct = 0\n"                    /* 24 */
    "named = c34:2.8@5\n";                   /* 25 */

static mdt_scenario *load_year(const char *text, int year) {
  char *path = mdt_test_write_text("period.ini", text);
  mdt_scenario *s = NULL;
  mdt_error err;
  if (mdt_scenario_load_year(path, year, &s, &err) != MDT_OK)
    fail_msg("%s", mdt_test_errstr(&err));
  free(path);
  return s;
}

static void test_year_one(void **state) {
  (void)state;
  mdt_scenario *s = load_year(period_ini, 1);
  assert_int_equal(s->period_years, 2);
  assert_int_equal(s->year, 1);
  assert_int_equal(s->first_year, 2024);
  assert_true(s->has_frame);
  assert_near(s->frame_pct, 5.2, 0);
  assert_true(s->overheng_groups);
  assert_false(s->glidning_groups);
  /* (0.3 + 0.5 + 1.0) / 3 = 0.6 */
  assert_near(s->glidning_pct, 0.6, 1e-15);
  assert_true(s->solve_on_area);
  assert_false(s->step_moves);
  assert_false(s->glidning_includes_step_moves);
  assert_near(s->local_pot_pct, 1.1, 0);
  assert_non_null(strstr(s->base_table_path, "base24.csv"));
  assert_non_null(strstr(s->table_path, "extra24.csv"));
  assert_int_equal(s->nlocal_frame, 2);
  assert_string_equal(s->local_frame[0].group, "c5");
  assert_int_equal(s->local_frame[0].month, 5);
  assert_string_equal(s->local_frame[1].group, "c6");
  assert_int_equal(s->local_frame[1].month, 7);
  assert_int_equal(s->nnamed, 1);
  assert_near(s->named[0].pct, 4.1, 0);
  mdt_scenario_free(s);
}

static void test_year_two(void **state) {
  (void)state;
  mdt_scenario *s = load_year(period_ini, 2);
  assert_int_equal(s->period_years, 2);
  assert_int_equal(s->year, 2);
  assert_near(s->frame_pct, 4.4, 0);
  /* glidning_pct in [year2.frame] replaces [frame]'s glidning_history */
  assert_false(s->glidning_from_history);
  assert_near(s->glidning_pct, 0.15, 0);
  assert_near(s->price_forecast_pct, 2.7, 0);
  assert_true(s->overheng_groups); /* kept from [frame]; year two's comes from year one */
  assert_non_null(strstr(s->table_path, "extra25.csv"));
  assert_non_null(strstr(s->base_table_path, "base24.csv")); /* not replaced */
  assert_near(s->local_pot_pct, 0, 0);
  assert_int_equal(s->nnamed, 1);
  assert_near(s->named[0].pct, 2.8, 0);
  /* messages about a replaced key point at its year-two line */
  mdt_error err;
  mdt_error_clear(&err);
  mdt_scenario_fail(s, "frame", "frame_pct", &err, MDT_EDATA, "x");
  assert_int_equal(err.line, 19);
  mdt_scenario_free(s);
  assert_int_equal(mdt_scenario_load_year("nowhere.ini", 3, &s, &err), MDT_EUSAGE);
}

static void expect_error(const char *text, long line, long col, const char *needle) {
  char *path = mdt_test_write_text("bad.ini", text);
  for (int year = 1; year <= 2; year++) {
    mdt_scenario *s = NULL;
    mdt_error err;
    mdt_error_clear(&err);
    assert_int_equal(mdt_scenario_load_year(path, year, &s, &err), MDT_EDATA);
    assert_null(s);
    if (err.line != line || err.column != col || strstr(err.message, needle) == NULL)
      fail_msg("year %d: expected %ld:%ld '%s', found %s", year, line, col, needle,
               mdt_test_errstr(&err));
  }
  free(path);
}

static void test_errors(void **state) {
  (void)state;
  /* a year-two key is checked in year one too, at its own line */
  expect_error("[frame]\nframe_pct = 5\n[year2.frame]\nframe_pct = five\n", 4, 13,
               "expected a frame in percent");
  expect_error("[year2.settlement]\nrulez = table\n", 2, 1, "expected a key of [year2.settlement]");
  expect_error("[year2.frame]\noverheng_pct = 1.2\n", 2, 1, "year one's carry-over");
  expect_error("[frame]\nsolve_on = chapter\n", 2, 12, "expected covered or area");
  expect_error("[settlement]\nlocal_frame = c5\n", 2, 15, "GROUP@MONTH");
  expect_error("[settlement]\nlocal_frame = c5@13\n", 2, 15, "GROUP@MONTH");
  expect_error("[frame]\noverheng_pct = grups\n", 2, 16, "or 'groups'");
  expect_error("[frame]\nstep_moves = maybe\n", 2, 14, "expected yes or no");
  expect_error("[period]\nfirst_year = 2024.5\n", 2, 14, "expected a year");
}

static void test_one_year_defaults(void **state) {
  (void)state;
  mdt_scenario *s = load_year("[frame]\nframe_pct = 4\n", 1);
  assert_int_equal(s->period_years, 1);
  assert_int_equal(s->first_year, 1);
  assert_true(s->step_moves);
  assert_true(s->glidning_includes_step_moves);
  assert_false(s->solve_on_area);
  assert_false(s->overheng_groups);
  assert_null(s->base_table_path);
  assert_int_equal(s->nlocal_frame, 0);
  mdt_scenario_free(s);
}

/* A number written with a decimal comma, as in a Norwegian locale, where a key takes one. */
static void test_decimal_comma(void **state) {
  (void)state;
  mdt_scenario *s = load_year("[frame]\nframe_pct = 4,4\nprice_forecast_pct = 2,7\n"
                              "[settlement]\nlocal_pot_pct = 1,1\n",
                              1);
  assert_near(s->frame_pct, 4.4, 0);
  assert_near(s->price_forecast_pct, 2.7, 0);
  assert_near(s->local_pot_pct, 1.1, 0);
  mdt_scenario_free(s);
  expect_error("[frame]\nframe_pct = 4,4,1\n", 2, 13, "expected a frame in percent");
  expect_error("[frame]\nframe_pct = 4.4,1\n", 2, 13, "expected a frame in percent");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_year_one),
      cmocka_unit_test(test_year_two),
      cmocka_unit_test(test_errors),
      cmocka_unit_test(test_one_year_defaults),
      cmocka_unit_test(test_decimal_comma),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
