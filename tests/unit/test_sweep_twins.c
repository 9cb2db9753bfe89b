/*
 * Sweeps and the mandate's draws on two threads (tradeoff.c: the items after the first on a
 * twin allocator and work area) against one: every point, group growth and rise must be the
 * same bits for every setting, with step moves, a guarantee and a priority profile, and so
 * must the mandate's intervals; a sweep with a failing point must fail with the first failing
 * point's message either way.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fixture_microsim.h"
#include "mandat/allocate.h"
#include "mandat/tradeoff.h"

#define NGROUPS 4

static const char *const ids[NGROUPS] = {"g1", "g2", "c34", "c5"};
static const char *const chapters[NGROUPS] = {"4", "4", "3.4", "5"};

typedef struct {
  mdt_groups *groups;
  mdt_register *reg;
  mdt_step_table *guarantee;
  mdt_microsim *sim;
  mdt_microsim_work *work[2]; /* one thread, two threads */
  mdt_allocator *alloc[2];
  mdt_settlement base;
  mdt_allocation spec;
  double profile[NGROUPS];
  mdt_microsim_report_options ro;
} world;

static void world_open(world *wd) {
  wd->groups = mdt_test_groups(NGROUPS, ids, chapters, NULL, NULL);
  wd->reg = mdt_test_register_random(60000, NGROUPS, 1414);
  wd->guarantee = mdt_test_table(NGROUPS);
  static const double steps[] = {0, 4, 8, 10, 16};
  for (size_t g = 0; g < NGROUPS; g++)
    for (size_t k = 0; k < 5; k++)
      mdt_test_table_add(wd->guarantee, g, steps[k],
                         380000 + 23817 * (int64_t)k + 9173 * (int64_t)g);
  assert_int_equal(mdt_microsim_new(wd->reg, wd->groups, &wd->sim, NULL), MDT_OK);
  for (int t = 0; t < 2; t++) {
    assert_int_equal(mdt_microsim_work_new(wd->sim, t + 1, &wd->work[t], NULL), MDT_OK);
    assert_int_equal(mdt_allocator_new(wd->work[t], &wd->alloc[t], NULL), MDT_OK);
  }
  mdt_settlement_init(&wd->base);
  wd->base.central_month = 5;
  wd->base.guarantee = wd->guarantee;
  wd->base.local_pct = 1.1;
  wd->base.local_month = 10;
  mdt_allocation_init(&wd->spec);
  wd->spec.rule = MDT_RULE_PRIORITY;
  wd->spec.room_annual_pct = 3.3;
  wd->spec.theta = 0.5;
  wd->spec.min_krone_nok = 22000;
  wd->spec.krone_share = 0.5;
  static const double profile[NGROUPS] = {0.9, 0.4, 0.2, 0.6};
  memcpy(wd->profile, profile, sizeof profile);
  wd->spec.profile = wd->profile;
  mdt_microsim_report_options_init(&wd->ro);
  wd->ro.overheng_pct = 1.8;
  wd->ro.glidning_pct = 0.1;
  wd->ro.price_forecast_pct = 4.1;
  wd->ro.step_moves = 1;
}

static void world_close(world *wd) {
  for (int t = 0; t < 2; t++) {
    mdt_allocator_free(wd->alloc[t]);
    mdt_microsim_work_free(wd->work[t]);
  }
  mdt_microsim_free(wd->sim);
  mdt_test_table_free(wd->guarantee);
  mdt_test_register_free(wd->reg);
  mdt_test_groups_free(wd->groups);
}

static mdt_status sweep(world *wd, int t, mdt_sweep_setting setting, const double *values,
                        size_t n, mdt_sweep **out, mdt_error *err) {
  mdt_sweep_context ctx = {&wd->ro, 0, NULL, NULL, ids};
  return mdt_sweep_run(wd->alloc[t], wd->work[t], &wd->base, &wd->spec, setting, values, n,
                       &ctx, out, err);
}

static void test_same_points(void **state) {
  (void)state;
  world wd;
  world_open(&wd);
  static const double theta[] = {0, 0.25, 0.5, 0.75, 1, 1.25, 1.5, 1.75, 2};
  static const double share[] = {0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1};
  static const double pot[] = {0, 0.25, 0.5, 0.75, 1, 1.25, 1.5, 1.75, 2};
  static const double month[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
  const double *values[4] = {theta, share, pot, month};
  const size_t n[4] = {9, 11, 9, 12};
  for (int k = 0; k < 4; k++) {
    mdt_sweep *one = NULL, *two = NULL;
    assert_int_equal(sweep(&wd, 0, (mdt_sweep_setting)k, values[k], n[k], &one, NULL), MDT_OK);
    assert_int_equal(sweep(&wd, 1, (mdt_sweep_setting)k, values[k], n[k], &two, NULL), MDT_OK);
    assert_int_equal(one->npoints, two->npoints);
    assert_memory_equal(one->points, two->points, n[k] * sizeof *one->points);
    assert_memory_equal(one->group_growth_pct, two->group_growth_pct,
                        n[k] * NGROUPS * sizeof(double));
    assert_memory_equal(one->group_rise_pct, two->group_rise_pct,
                        n[k] * NGROUPS * sizeof(double));
    mdt_sweep_free(one);
    mdt_sweep_free(two);
  }
  world_close(&wd);
}

static void test_first_failing_point(void **state) {
  (void)state;
  world wd;
  world_open(&wd);
  /* Months 0 and 13 are not months: the first of them, at point 4, names the sweep. */
  static const double month[] = {1, 5, 9, 12, 0, 3, 13, 7};
  char want[800];
  for (int t = 0; t < 2; t++) {
    mdt_sweep *s = NULL;
    mdt_error err;
    mdt_error_clear(&err);
    assert_int_equal(sweep(&wd, t, MDT_SWEEP_CENTRAL_MONTH, month, 8, &s, &err), MDT_EDATA);
    assert_null(s);
    assert_non_null(strstr(err.message, "sweep of central_month at 0:"));
    if (t == 0)
      snprintf(want, sizeof want, "%s", err.message);
    else
      assert_string_equal(want, err.message);
  }
  world_close(&wd);
}

static void test_same_mandate(void **state) {
  (void)state;
  world wd;
  world_open(&wd);
  enum { DRAWS = 57 };
  double draws[DRAWS * NGROUPS];
  uint64_t lcg = 99;
  for (size_t k = 0; k < DRAWS * NGROUPS; k++)
    draws[k] = (double)(mdt_test_lcg(&lcg) % 1000) / 1000.0;
  draws[3 * NGROUPS] = draws[3 * NGROUPS + 1] = 5; /* far off: maybe infeasible */
  mdt_mandate_uncertainty *u[2] = {NULL, NULL};
  for (int t = 0; t < 2; t++)
    assert_int_equal(mdt_mandate_uncertainty_run(wd.alloc[t], wd.work[t], &wd.base, &wd.spec,
                                                 draws, DRAWS, 0.95, &wd.ro, &u[t], NULL),
                     MDT_OK);
  assert_int_equal(u[0]->infeasible, u[1]->infeasible);
  assert_memory_equal(u[0]->pct, u[1]->pct, NGROUPS * sizeof(double));
  assert_memory_equal(u[0]->pct_low, u[1]->pct_low, NGROUPS * sizeof(double));
  assert_memory_equal(u[0]->pct_high, u[1]->pct_high, NGROUPS * sizeof(double));
  assert_memory_equal(u[0]->growth_low, u[1]->growth_low, NGROUPS * sizeof(double));
  assert_memory_equal(u[0]->growth_high, u[1]->growth_high, NGROUPS * sizeof(double));
  mdt_mandate_uncertainty_free(u[0]);
  mdt_mandate_uncertainty_free(u[1]);
  world_close(&wd);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_same_points),
      cmocka_unit_test(test_same_mandate),
      cmocka_unit_test(test_first_failing_point),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
