/*
 * The report's figures and the spread per cell (src/engine/microsim_cellreport.c) against the
 * per-employee passes: random registers (ties in pay, every FTE and weight, seniority that
 * reaches a guarantee step in every month) and random settlements with step moves. Every
 * figure of the report must agree to 1e-12 relative, the step movers exactly; the spread's
 * count of real falls must be the same, its rises of the low- and high-paid within SPREAD_TOL
 * (both passes sum within about 1e-16 of the exact sum of exact rises, and each employee's
 * rise, computed in doubles, is within about 3e-16 of its exact value, so they can differ by
 * about 7e-16 relative, and their ratio by twice that); the pay fifths the ones a full sort
 * finds.
 */
#include <gsl/gsl_rng.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "engine/microsim_cells.h"
#include "fixture_cells.h"

#define NGROUPS CELLS_NGROUPS
#define TOL 1e-12
#define SPREAD_TOL 1e-14

/* A third of the seniorities on tenths of a year (as the generated registers, so that a step is reached in every month); guarantee steps 33 817 NOK apart; no guarantee in a fifth of the settlements. */
static const cells_world_kind kind = {1, 33817, 5};

/* want and got within TOL of scale (both NaN passes). */
static void assert_close(const char *what, double want, double got, double scale) {
  if (isnan(want) && isnan(got))
    return;
  double d = fabs(want - got);
  if (!(d <= TOL * scale)) {
    print_error("%s: expected %.17g, found %.17g (difference %.3g relative)\n", what, want, got,
                d / scale);
    fail();
  }
}

static double scale_of(double v) { return fabs(v) > 0 ? fabs(v) : 1.0; }

/* One row of each report: the figures the cell pass fills. */
static void compare_rows(const mdt_microsim_row *want, const mdt_microsim_row *got) {
  assert_close("annual_growth_pct", want->annual_growth_pct, got->annual_growth_pct,
               scale_of(want->annual_growth_pct));
  assert_close("annual_effect_pct", want->annual_effect_pct, got->annual_effect_pct,
               scale_of(want->annual_effect_pct));
  assert_close("rise_pct", want->rise_pct, got->rise_pct, scale_of(want->rise_pct));
  assert_close("rise_nok", want->rise_nok, got->rise_nok, scale_of(want->rise_nok));
  assert_close("carryover_pct", want->carryover_pct, got->carryover_pct,
               scale_of(want->carryover_pct));
  /* The step sums: relative to the group's wage bill, where they are shown as percents. */
  assert_close("step_effect_pct", want->step_effect_pct, got->step_effect_pct, 1.0);
  assert_close("step_carryover_pct", want->step_carryover_pct, got->step_carryover_pct, 1.0);
  assert_close("step_rise_nok", want->step_rise_nok, got->step_rise_nok,
               want->wage_bill_nok > 0 ? want->wage_bill_nok : 1.0);
  assert_true(want->step_employees == got->step_employees);
  assert_true(want->covered == got->covered && want->employees == got->employees);
}


/* Report options: step moves most of the time, the area's overheng and glidning, a price. */
static void random_options(gsl_rng *r, mdt_microsim_report_options *o) {
  mdt_microsim_report_options_init(o);
  o->percentiles = 0;
  o->step_moves = gsl_rng_uniform_int(r, 4) != 0;
  o->glidning_includes_step_moves = o->step_moves && gsl_rng_uniform_int(r, 2);
  o->overheng_pct = gsl_rng_uniform_int(r, 8) == 0 ? NAN : 2.5 * gsl_rng_uniform(r);
  o->glidning_pct = 0.4 * gsl_rng_uniform(r);
  o->price_forecast_pct = gsl_rng_uniform_int(r, 8) == 0 ? NAN : 2.0 + 5.0 * gsl_rng_uniform(r);
}

static void compare_reports(cells_world *wd, const mdt_settlement *s,
                            const mdt_microsim_report_options *o) {
  mdt_microsim_report *want = NULL, *got = NULL;
  assert_int_equal(mdt_microsim_apply(wd->work, s, o, &want, NULL), MDT_OK);
  assert_int_equal(mdt__microsim_apply_cells(wd->cells, wd->work, s, o, &got, NULL), MDT_OK);
  assert_int_equal(want->ngroups, got->ngroups);
  for (size_t g = 0; g < want->ngroups; g++)
    compare_rows(&want->groups[g], &got->groups[g]);
  compare_rows(&want->total, &got->total);
  assert_true(isnan(got->total.rise_p50_nok));
  mdt_microsim_report_free(want);
  mdt_microsim_report_free(got);
}

static void same_bits(const char *what, double want, double got) {
  if (!(want == got || (isnan(want) && isnan(got)))) {
    print_error("%s: expected %.17g, found %.17g\n", what, want, got);
    fail();
  }
}

/* want and got within SPREAD_TOL relative (both NaN passes). */
static void spread_close(const char *what, double want, double got) {
  if (isnan(want) && isnan(got))
    return;
  if (!(fabs(want - got) <= SPREAD_TOL * scale_of(want))) {
    print_error("%s: expected %.17g, found %.17g (difference %.3g relative)\n", what, want, got,
                fabs(want - got) / scale_of(want));
    fail();
  }
}

static void compare_spreads(cells_world *wd, const mdt_settlement *s,
                            const mdt_microsim_report_options *o) {
  mdt_microsim_spread want, got;
  assert_int_equal(mdt_microsim_spread_of(wd->work, s, o, &want, NULL), MDT_OK);
  assert_int_equal(mdt__microsim_spread_cells(wd->cells, wd->work, s, o, &got, NULL), MDT_OK);
  spread_close("low_rise_pct", want.low_rise_pct, got.low_rise_pct);
  spread_close("high_rise_pct", want.high_rise_pct, got.high_rise_pct);
  spread_close("low_pay_ratio_pct", want.low_pay_ratio_pct, got.low_pay_ratio_pct);
  same_bits("real_fall_share", want.real_fall_share, got.real_fall_share);
}

static void test_random_settlements(void **state) {
  (void)state;
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(r, 4711);
  static const size_t sizes[] = {1, 9, 400, 20000};
  for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
    cells_world wd;
    cells_world_open(&wd, &kind, r, sizes[k], 1 + (int)(k % 2));
    for (int t = 0; t < 200; t++) {
      mdt_settlement s;
      double pcts[NGROUPS];
      mdt_named_increase named;
      mdt_microsim_report_options o;
      cells_random_settlement(r, &wd, &kind, &s, pcts, &named);
      random_options(r, &o);
      compare_reports(&wd, &s, &o);
      compare_spreads(&wd, &s, &o);
    }
    cells_world_close(&wd);
  }
  gsl_rng_free(r);
}

/* Prices at every employee's own growth: the count of those below must not slip at ties. */
static void test_falls_at_the_threshold(void **state) {
  (void)state;
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(r, 99);
  cells_world wd;
  cells_world_open(&wd, &kind, r, 3000, 1);
  mdt_settlement s;
  mdt_settlement_init(&s);
  s.pct = 2.7;
  s.krone_nok = 4000.0;
  s.guarantee = wd.guarantee;
  s.local_pct = 1.1;
  s.local_month = 10;
  mdt_microsim_report_options o;
  mdt_microsim_report_options_init(&o);
  o.percentiles = 0;
  o.overheng_pct = 1.8;
  o.glidning_pct = 0.1;
  /* The growth of a few employees, as the per-employee pass computes it. */
  assert_int_equal(mdt__microsim_prepare(wd.work, &s, NULL), MDT_OK);
  mdt__microsim_central(wd.work, &s);
  const mdt_microsim *sim = wd.sim;
  for (size_t k = 0; k < 40; k++) {
    size_t i = (size_t)gsl_rng_uniform_int(r, sim->n), c = 0;
    while (sim->cell_start[c + 1] <= i)
      c++;
    double old = sim->old_nok[i], g = wd.work->group_local_year[sim->cell_group[c]] +
                                      wd.work->group_named_year[sim->cell_group[c]];
    double effect =
        (cell_central(wd.work, c, old) * wd.work->central_year + old * g) / old * 100;
    o.price_forecast_pct = 1.8 + 0.1 + effect;
    compare_spreads(&wd, &s, &o);
    /* compare_spreads prepared the work area again: the same settlement, the same values. */
    o.price_forecast_pct = nextafter(o.price_forecast_pct, INFINITY);
    compare_spreads(&wd, &s, &o);
  }
  cells_world_close(&wd);
  gsl_rng_free(r);
}

/* Lifts of 1 NOK to a floor of 333 331 NOK: the floor's share of the rise, F W - S, is
 * 333 331 times the sum it leaves, which a sum in plain doubles would get wrong by up to
 * about 333 331 x 1.1e-16 = 3.7e-11 relative. The low-paid's rise is then exactly 1 NOK
 * each: 1 / 333 330 x 100 % of their pay. */
static void test_spread_floor_cancellation(void **state) {
  (void)state;
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(r, 17);
  cells_world wd;
  static const char *const ids[1] = {"g1"};
  static const char *const chapters[1] = {"4"};
  const size_t n = 5000;
  wd.groups = mdt_test_groups(1, ids, chapters, NULL, NULL);
  wd.reg = mdt_test_register_alloc(n);
  for (size_t i = 0; i < n; i++) {
    wd.reg->group[i] = 0;
    wd.reg->seniority_years[i] = 2.0 + gsl_rng_uniform(r); /* the step at 0 years */
    wd.reg->fte_e4[i] = 1 + (int32_t)gsl_rng_uniform_int(r, 10000);
    wd.reg->weight_e4[i] = 1 + (int32_t)gsl_rng_uniform_int(r, 250000);
    wd.reg->salary_nok[i] = i % 2 ? 333330 : 700000 + (int64_t)gsl_rng_uniform_int(r, 9000);
  }
  wd.guarantee = mdt_test_table(1);
  mdt_test_table_add(wd.guarantee, 0, 0, 333331);
  wd.table = mdt_test_table(1);
  assert_int_equal(mdt_microsim_new(wd.reg, wd.groups, &wd.sim, NULL), MDT_OK);
  assert_int_equal(mdt_microsim_work_new(wd.sim, 1, &wd.work, NULL), MDT_OK);
  assert_int_equal(mdt__cells_new(wd.sim, &wd.cells, NULL), MDT_OK);
  mdt_settlement s;
  mdt_settlement_init(&s);
  s.guarantee = wd.guarantee;
  mdt_microsim_report_options o;
  mdt_microsim_report_options_init(&o);
  o.percentiles = 0;
  mdt_microsim_spread want, got;
  assert_int_equal(mdt_microsim_spread_of(wd.work, &s, &o, &want, NULL), MDT_OK);
  assert_int_equal(mdt__microsim_spread_cells(wd.cells, wd.work, &s, &o, &got, NULL), MDT_OK);
  spread_close("low_rise_pct (per employee)", 100.0 / 333330, want.low_rise_pct);
  spread_close("low_rise_pct (per cell)", 100.0 / 333330, got.low_rise_pct);
  assert_true(want.high_rise_pct == 0 && got.high_rise_pct == 0);
  /* A small local percent too: its term, added first, is rounded to the floor's scale
   * unless the sum carries what it loses. */
  s.local_pct = 0.001;
  s.local_month = 1;
  assert_int_equal(mdt_microsim_spread_of(wd.work, &s, &o, &want, NULL), MDT_OK);
  assert_int_equal(mdt__microsim_spread_cells(wd.cells, wd.work, &s, &o, &got, NULL), MDT_OK);
  spread_close("low_rise_pct", want.low_rise_pct, got.low_rise_pct);
  spread_close("high_rise_pct", want.high_rise_pct, got.high_rise_pct);
  cells_world_close(&wd);
  gsl_rng_free(r);
}

typedef struct {
  double pay;
  int64_t w;
} pay_weight;

static int by_pay(const void *a, const void *b) {
  double x = ((const pay_weight *)a)->pay, y = ((const pay_weight *)b)->pay;
  return x < y ? -1 : x > y;
}

/* The pay fifths against a full sort, on registers with few and many distinct pays, per
 * employee (mdt__pay_fifths) and per cell (mdt__cells_pay_fifths). */
static void test_pay_fifths(void **state) {
  (void)state;
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(r, 5);
  static const size_t sizes[] = {1, 2, 10, 50000, 1, 2, 10, 50000};
  for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
    cells_world wd;
    cells_world_open(&wd, &kind, r, sizes[k], 1);
    if (k >= 4) { /* the second round: pays on five values in blocks of n / 5, every weight
                     1, so that the cumulative weight meets 20 % and 80 % exactly at the end
                     of a block when n is 5 x m (the fifths are then the lower pay) */
      for (size_t i = 0; i < wd.reg->n; i++) {
        wd.reg->salary_nok[i] = 300000 + 100000 * (int64_t)(i * 5 / wd.reg->n);
        wd.reg->weight_e4[i] = 10000;
      }
      mdt__cells_free(wd.cells);
      mdt_microsim_work_free(wd.work);
      mdt_microsim_free(wd.sim);
      assert_int_equal(mdt_microsim_new(wd.reg, wd.groups, &wd.sim, NULL), MDT_OK);
      assert_int_equal(mdt_microsim_work_new(wd.sim, 1, &wd.work, NULL), MDT_OK);
      assert_int_equal(mdt__cells_new(wd.sim, &wd.cells, NULL), MDT_OK);
    }
    const mdt_microsim *sim = wd.sim;
    pay_weight *a = malloc(sim->n * sizeof *a);
    for (size_t i = 0; i < sim->n; i++)
      a[i] = (pay_weight){sim->old_nok[i], sim->weight_e4[i]};
    qsort(a, sim->n, sizeof *a, by_pay);
    double total = (double)sim->total_employees_e4, cum = 0, p20 = a[sim->n - 1].pay, p80 = p20;
    int have20 = 0;
    for (size_t i = 0; i < sim->n; i++) {
      cum += (double)a[i].w;
      if (!have20 && cum >= 0.2 * total) {
        p20 = a[i].pay;
        have20 = 1;
      }
      if (cum >= 0.8 * total) {
        p80 = a[i].pay;
        break;
      }
    }
    assert_int_equal(mdt__pay_fifths(wd.work), 0);
    assert_true(wd.work->pay_p20 == p20 && wd.work->pay_p80 == p80);
    mdt_microsim_work *fresh = NULL;
    assert_int_equal(mdt_microsim_work_new(wd.sim, 1, &fresh, NULL), MDT_OK);
    mdt__cells_pay_fifths(wd.cells, fresh);
    assert_true(fresh->have_pay_fifths && fresh->pay_p20 == p20 && fresh->pay_p80 == p80);
    mdt_microsim_work_free(fresh);
    free(a);
    cells_world_close(&wd);
  }
  gsl_rng_free(r);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_random_settlements),
      cmocka_unit_test(test_falls_at_the_threshold),
      cmocka_unit_test(test_spread_floor_cancellation),
      cmocka_unit_test(test_pay_fifths),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
