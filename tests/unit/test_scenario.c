/* The scenario file: every section's keys, defaults, and errors at file:line:column. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mandat/scenario.h"
#include "testutil.h"

static mdt_scenario *load_ok(const char *name, const char *text) {
  char *path = mdt_test_write_text(name, text);
  mdt_scenario *s = NULL;
  mdt_error err;
  if (mdt_scenario_load(path, &s, &err) != MDT_OK)
    fail_msg("%s", mdt_test_errstr(&err));
  free(path);
  return s;
}

static mdt_error load_fail(const char *name, const char *text) {
  char *path = mdt_test_write_text(name, text);
  mdt_scenario *s = NULL;
  mdt_error err;
  mdt_error_clear(&err);
  assert_int_not_equal(mdt_scenario_load(path, &s, &err), MDT_OK);
  assert_null(s);
  assert_string_equal(err.file, path);
  free(path);
  return err;
}

static void test_defaults(void **state) {
  (void)state;
  mdt_scenario *s = load_ok("empty.ini", "; nothing but a comment\n");
  assert_string_equal(s->rule, "percent");
  assert_int_equal(s->central_month, 5);
  assert_int_equal(s->local_month, 10);
  assert_string_equal(s->weights, "employees");
  assert_int_equal(s->bootstrap, 1000);
  assert_near(s->level, 0.95, 0);
  assert_near(s->max_failed_draws, 0.05, 0);
  assert_int_equal(s->has_frame, 0);
  assert_int_equal(s->regions, 1);
  assert_string_equal(s->region_column, "region");
  assert_string_equal(s->lang, "en");
  assert_int_equal(s->seed, 1);
  /* paths resolve against the scenario's folder */
  char want[600];
  snprintf(want, sizeof want, "%s/guarantee.csv", mdt_test_tmpdir());
  assert_string_equal(s->guarantee_path, want);
  assert_string_equal(s->model_dir, mdt_test_tmpdir());
  mdt_scenario_free(s);
  mdt_scenario_free(NULL);
}

static void test_every_section(void **state) {
  (void)state;
  mdt_scenario *s = load_ok("full.ini",
                            "[model]\n"
                            "dir = ../models/x\n"
                            "[frame]\n"
                            "frame_pct = 5.2\n"
                            "overheng_pct = 1.7\n"
                            "glidning_history = 0.3, 0.5, 1.0\n"
                            "price_forecast_pct = 4.1\n"
                            "[settlement]\n"
                            "rule = priority\n"
                            "central_month = 5\n"
                            "covered = chapter:4\n"
                            "theta = 0.75\n"
                            "min_krone_nok = 22000\n"
                            "table = increases_2023.csv\n"
                            "local_pot_pct = 1.1\n"
                            "local_month = 10\n"
                            "named = c34:4.1@5, c5:3.9@6\n"
                            "floors = g1:2.5\n"
                            "caps = g7:6, g8:6.5\n"
                            "payroll_overhead_pct = 14.1\n"
                            "[weighting]\n"
                            "weights = sqrt:population\n"
                            "cap = 0.05\n"
                            "rake = region, size_class\n"
                            "by_group = yes\n"
                            "bootstrap = 250\n"
                            "level = 0.9\n"
                            "max_failed_draws = 0.125\n"
                            "[sweeps]\n"
                            "theta = 0:1:0.25\n"
                            "krone_share = 0, 0.5, 1\n"
                            "central_month = 1:12:1\n"
                            "[uncertainty]\n"
                            "draws = 5000\n"
                            "glidning_pct = normal(0.6, 0.25)\n"
                            "overheng_pct = fixed\n"
                            "price_forecast_pct = 3.9\n"
                            "mandate = no\n"
                            "[regions]\n"
                            "enabled = yes\n"
                            "column = region\n"
                            "[output]\n"
                            "lang = nb\n"
                            "threads = 2\n"
                            "[run]\n"
                            "seed = 2024\n");
  char want[600];
  snprintf(want, sizeof want, "%s/../models/x", mdt_test_tmpdir());
  assert_string_equal(s->model_dir, want);
  assert_near(s->frame_pct, 5.2, 0);
  /* glidning = (0.3 + 0.5 + 1.0) / 3 = 0.6 */
  assert_near(s->glidning_pct, 0.6, 1e-15);
  assert_int_equal(s->glidning_from_history, 1);
  assert_string_equal(s->rule, "priority");
  assert_near(s->theta, 0.75, 0);
  assert_int_equal(s->nnamed, 2);
  assert_string_equal(s->named[1].group, "c5");
  assert_near(s->named[1].pct, 3.9, 0);
  assert_int_equal(s->named[1].month, 6);
  assert_int_equal(s->ncaps, 2);
  assert_near(s->caps[1].pct, 6.5, 0);
  assert_string_equal(s->weights, "sqrt:population");
  assert_string_equal(s->rake[1], "size_class");
  assert_int_equal(s->by_group, 1);
  assert_int_equal(s->bootstrap, 250);
  assert_near(s->max_failed_draws, 0.125, 0);
  /* 0:1:0.25 gives 0, 0.25, 0.5, 0.75, 1 */
  assert_int_equal(s->sweep_theta.n, 5);
  assert_near(s->sweep_theta.values[4], 1.0, 0);
  assert_int_equal(s->sweep_central_month.n, 12);
  assert_int_equal(s->draws, 5000);
  assert_int_equal(s->u_glidning.normal, 1);
  assert_near(s->u_glidning.sd, 0.25, 0);
  assert_int_equal(s->u_overheng.use_frame, 1);
  assert_near(s->u_price.value, 3.9, 0);
  assert_int_equal(s->u_price.normal, 0);
  assert_int_equal(s->u_mandate, 0);
  assert_string_equal(s->lang, "nb");
  assert_int_equal(s->threads, 2);
  assert_int_equal(s->seed, 2024);
  /* A value checked later (say an unknown group) is reported where it was written. */
  mdt_error err;
  assert_int_equal(mdt_scenario_fail(s, "settlement", "floors", &err, MDT_EDATA,
                                     "expected a group of groups.csv, found 'g1'"),
                   MDT_EDATA);
  assert_int_equal(err.line, 18);
  assert_int_equal(err.column, 10);
  mdt_scenario_free(s);
}

static void test_continuation_lines(void **state) {
  (void)state;
  mdt_scenario *s = load_ok("cont.ini", "[settlement]\n"
                                        "named = c34:4.1@5,\n"
                                        "        c5:2.8@5\n");
  assert_int_equal(s->nnamed, 2);
  assert_string_equal(s->named[1].group, "c5");
  mdt_scenario_free(s);
}

static void test_errors(void **state) {
  (void)state;
  /* (a decimal comma is a number where a key takes one: 5,2 is; 5,2,1 is not) */
  mdt_error e = load_fail("e1.ini", "[frame]\nframe_pct = 5,2,1\n");
  assert_error_at(&e, MDT_EDATA, 2, 13, "expected a frame in percent, found '5,2,1'");
  e = load_fail("e2.ini", "[frame]\nframe = 5.2\n");
  assert_error_at(&e, MDT_EDATA, 2, 1, "expected a key of [frame], found 'frame'");
  e = load_fail("e3.ini", "[ramme]\nframe_pct = 5.2\n");
  assert_error_at(&e, MDT_EDATA, 1, 1, "found [ramme]");
  e = load_fail("e4.ini", "[settlement]\nrule = fair\n");
  assert_error_at(&e, MDT_EDATA, 2, 8, "expected a rule");
  e = load_fail("e5.ini", "[settlement]\ncentral_month = 13\n");
  assert_error_at(&e, MDT_EDATA, 2, 17, "expected a month from 1 to 12, found '13'");
  e = load_fail("e6.ini", "[frame]\nframe_pct = 5\nframe_pct = 6\n");
  assert_error_at(&e, MDT_EDATA, 3, 1, "found 'frame_pct' in [frame] again");
  e = load_fail("e7.ini", "[frame]\nglidning_pct = 1\nglidning_history = 1, 2, 3\n");
  assert_error_at(&e, MDT_EDATA, 3, 1, "found both");
  e = load_fail("e8.ini", "[frame]\nglidning_history = 1, 2\n");
  assert_error_at(&e, MDT_EDATA, 2, 20, "expected the last three years' glidning");
  e = load_fail("e9.ini", "[settlement]\nnamed = c34:4.1\n");
  assert_error_at(&e, MDT_EDATA, 2, 9, "GROUP:PCT@MONTH");
  e = load_fail("e10.ini", "[uncertainty]\nglidning_pct = normal(1)\n");
  assert_error_at(&e, MDT_EDATA, 2, 16, "normal(mean, sd)");
  e = load_fail("e11.ini", "[sweeps]\ntheta = 1:0:0.5\n");
  assert_error_at(&e, MDT_EDATA, 2, 9, "from:to:step");
  e = load_fail("e12.ini", "[sweeps]\ncentral_month = 1, 2.5\n");
  assert_error_at(&e, MDT_EDATA, 2, 17, "whole months");
  e = load_fail("e13.ini", "[weighting]\nweights = income\n");
  assert_error_at(&e, MDT_EDATA, 2, 11, "expected a size measure");
  e = load_fail("e14.ini", "[weighting]\nby_group = maybe\n");
  assert_error_at(&e, MDT_EDATA, 2, 12, "expected yes or no");
  e = load_fail("e15.ini", "[frame]\nthis is not ini\n");
  assert_error_at(&e, MDT_EDATA, 2, 1, "expected '[section]', 'key = value'");
  e = load_fail("e16.ini", "[output]\nlang = de\n");
  assert_error_at(&e, MDT_EDATA, 2, 8, "expected en or nb");
  e = load_fail("e17.ini", "[empty_unknown]\n[frame]\nframe_pct = 1\n");
  assert_error_at(&e, MDT_EDATA, 1, 1, "found [empty_unknown]");
  e = load_fail("e18.ini", "[weighting]\nmax_failed_draws = 1.5\n");
  assert_error_at(&e, MDT_EDATA, 2, 20, "expected a share of the draws from 0 to 1, found '1.5'");
  mdt_scenario *s = NULL;
  assert_int_equal(mdt_scenario_load("/nonexistent/s.ini", &s, &e), MDT_ENOINPUT);
}

static void test_set_override(void **state) {
  (void)state;
  mdt_scenario *s = NULL;
  mdt_error err;
  assert_int_equal(mdt_scenario_new(NULL, &s, &err), MDT_OK);
  assert_int_equal(mdt_scenario_set(s, "settlement", "rule", "krone", &err), MDT_OK);
  assert_string_equal(s->rule, "krone");
  assert_int_equal(mdt_scenario_set(s, "settlement", "rule", "kroner", &err), MDT_EUSAGE);
  assert_non_null(strstr(err.message, "[settlement] rule: expected a rule"));
  assert_int_equal(mdt_scenario_set(s, "frame", "nope", "1", &err), MDT_EUSAGE);
  mdt_scenario_free(s);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_defaults),
      cmocka_unit_test(test_every_section),
      cmocka_unit_test(test_continuation_lines),
      cmocka_unit_test(test_errors),
      cmocka_unit_test(test_set_override),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
