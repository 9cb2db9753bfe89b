/*
 * The per-cell lean pass (src/engine/microsim_cells.c) against the per-employee reference
 * pass: random registers (ties in pay, every FTE and weight) and random settlements (percents,
 * p = 0, kroner, kroner tables, minima, guarantee floors that bind for some, all or none), and
 * a solve with and without MANDAT_REFERENCE_PASS. Everything must agree to 1e-12 relative.
 */
#include <gsl/gsl_rng.h>
#include <math.h>
#include <string.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "engine/microsim_cells.h"
#include "fixture_cells.h"
#include "mandat/allocate.h"

#define NGROUPS CELLS_NGROUPS
#define TOL 1e-12

/* Seniority in any fraction of a year; guarantee steps 23 817 NOK apart; no guarantee in a quarter of the settlements. */
static const cells_world_kind kind = {0, 23817, 4};

static void assert_close(double want, double got, double scale) {
  double d = fabs(want - got);
  if (!(d <= TOL * scale)) {
    print_error("expected %.17g, found %.17g (difference %.3g relative)\n", want, got,
                d / scale);
    fail();
  }
}

/* Both passes on s: the group sums and every part of the effect. */
static void compare_passes(cells_world *wd, const mdt_settlement *s) {
  assert_int_equal(mdt__microsim_prepare(wd->work, s, NULL), MDT_OK);
  mdt__microsim_central(wd->work, s);
  mdt_microsim_effect ref, cell;
  double want[NGROUPS];
  mdt__microsim_lean(wd->work, &ref);
  for (size_t g = 0; g < NGROUPS; g++)
    want[g] = wd->work->group_sum[g];
  mdt__cells_lean(wd->cells, wd->work, &cell);
  for (size_t g = 0; g < NGROUPS; g++)
    assert_close(want[g], wd->work->group_sum[g], fabs(want[g]) > 0 ? fabs(want[g]) : 1.0);
  double scale = fabs(ref.annual_pct) > 0 ? fabs(ref.annual_pct) : 1.0;
  assert_close(ref.annual_pct, cell.annual_pct, scale);
  assert_close(ref.central_pct, cell.central_pct, scale);
  assert_close(ref.carryover_pct, cell.carryover_pct, scale);
  assert_true(ref.local_pct == cell.local_pct && ref.named_pct == cell.named_pct);
}


static void test_random_settlements(void **state) {
  (void)state;
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(r, 20260);
  static const size_t sizes[] = {1, 7, 300, 20000};
  for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
    cells_world wd;
    cells_world_open(&wd, &kind, r, sizes[k], 1 + (int)(k % 2));
    for (int t = 0; t < 400; t++) {
      mdt_settlement s;
      double pcts[NGROUPS];
      mdt_named_increase named;
      cells_random_settlement(r, &wd, &kind, &s, pcts, &named);
      compare_passes(&wd, &s);
    }
    cells_world_close(&wd);
  }
  gsl_rng_free(r);
}

/* Cell sums where the floor binds for everyone, for no one, and the minimum for everyone;
 * p = 0 with kroner, and an empty settlement. */
static void test_cell_extremes(void **state) {
  (void)state;
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(r, 7);
  cells_world wd;
  cells_world_open(&wd, &kind, r, 5000, 1);
  const mdt_microsim *sim = wd.sim;
  static const double cases[][4] = {
      /* p, a, min, floor */
      {0.031, 2500.0, 0.0, 2.0e6},        /* everyone lifted to the floor */
      {0.031, 2500.0, 0.0, -INFINITY},    /* no floor */
      {0.012, 0.0, 90000.0, 400000.0},    /* the minimum for most, the floor for the lowest */
      {0.0, 7350.0, 0.0, 500000.0},       /* p = 0 */
      {0.0, 0.0, 0.0, -INFINITY},         /* nothing */
      {0.0, 0.0, 12000.0, 300000.0},      /* p = 0, minimum and floor */
      {0.047, 1250.0, 26000.0, 612345.0}, /* all three bind somewhere */
  };
  for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++)
    for (size_t c = 0; c < sim->ncells; c++) {
      const double *v = cases[k];
      double want = 0.0, scale = 0.0;
      for (size_t i = sim->cell_start[c]; i < sim->cell_start[c + 1]; i++) {
        double rise = central_rise(sim->old_nok[i], v[0], v[1], v[2], v[3]);
        want += sim->wfte_e8[i] * rise;
        scale += sim->wfte_e8[i] * fabs(rise);
      }
      double got = mdt__cells_sum(wd.cells, c, v[0], v[1], v[2], v[3]);
      assert_close(want, got, scale > 0 ? scale : 1.0);
    }
  cells_world_close(&wd);
  gsl_rng_free(r);
}

/* The per-cell pass searches each cell's splits out from where the pass before found them.
 * Whatever the hint (none, 0, the end, the splits themselves, one off, far off, beyond the
 * run), the sum must be the same bits as without one and the splits left must be the same:
 * a split one employee off would move the sum by only the little that its two formulas
 * differ there, so the comparison with the reference pass could not see it. */
static void test_split_hints(void **state) {
  (void)state;
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(r, 4242);
  cells_world wd;
  cells_world_open(&wd, &kind, r, 20000, 1);
  const mdt_microsim *sim = wd.sim;
  size_t moved = 0;
  for (int t = 0; t < 300; t++) {
    double p = t % 10 == 9 ? -0.02 * gsl_rng_uniform(r) : 0.08 * gsl_rng_uniform(r);
    double a = t % 3 == 0 ? 0.0 : 20000.0 * gsl_rng_uniform(r);
    double min = t % 4 == 0 ? 0.0 : 60000.0 * gsl_rng_uniform(r);
    double floor_nok = t % 5 == 0 ? -INFINITY : 250000.0 + 450000.0 * gsl_rng_uniform(r);
    for (size_t c = 0; c < sim->ncells; c++) {
      size_t n = sim->cell_start[c + 1] - sim->cell_start[c];
      size_t split[2] = {SIZE_MAX, SIZE_MAX};
      double want = mdt__cells_sum(wd.cells, c, p, a, min, floor_nok);
      assert_true(mdt__cells_sum_from(wd.cells, c, p, a, min, floor_nok, split) == want ||
                  (isnan(want)));
      assert_true(split[0] <= split[1] && split[1] <= n);
      const size_t hints[][2] = {
          {0, 0},
          {n, n},
          {split[0], split[1]},
          {split[0] > 0 ? split[0] - 1 : 0, split[1] + 1},
          {split[0] + 1, split[1] > 0 ? split[1] - 1 : 0},
          {gsl_rng_uniform_int(r, n + 1), gsl_rng_uniform_int(r, n + 1)},
          {n / 3, 2 * n / 3},
          {SIZE_MAX - 1, n + 5},
      };
      for (size_t h = 0; h < sizeof hints / sizeof hints[0]; h++) {
        size_t hint[2] = {hints[h][0], hints[h][1]};
        double got = mdt__cells_sum_from(wd.cells, c, p, a, min, floor_nok, hint);
        if (memcmp(&got, &want, sizeof got) != 0 || hint[0] != split[0] || hint[1] != split[1])
          fail_msg("cell %zu, hint (%zu, %zu): sum %.17g splits (%zu, %zu), without a hint "
                   "%.17g (%zu, %zu)",
                   c, hints[h][0], hints[h][1], got, hint[0], hint[1], want, split[0], split[1]);
        moved += hints[h][0] != split[0];
      }
    }
  }
  assert_true(moved > 10000); /* most hints were off the splits */
  cells_world_close(&wd);
  gsl_rng_free(r);
}

/* A priority-rule solve on the per-cell pass and on the reference pass. */
/* pct receives the first two groups' percents (the result's array belongs to the allocator). */
static void solve(cells_world *wd, int reference, mdt_allocation_result *res, double *pct) {
  if (reference)
    setenv("MANDAT_REFERENCE_PASS", "1", 1);
  else
    unsetenv("MANDAT_REFERENCE_PASS");
  mdt_allocator *a = NULL;
  assert_int_equal(mdt_allocator_new(wd->work, &a, NULL), MDT_OK);
  assert_int_equal(mdt__cells_reference_forced(), reference);
  mdt_named_increase named = {2, 4.1, 5};
  mdt_settlement base;
  mdt_settlement_init(&base);
  base.guarantee = wd->guarantee;
  base.local_pct = 1.1;
  base.local_month = 10;
  base.named = &named;
  base.nnamed = 1;
  base.min_krone_nok = 9000.0;
  double profile[NGROUPS] = {0.31, 0.77, NAN, NAN};
  double floors[NGROUPS] = {1.0, 1.0, NAN, NAN};
  double caps[NGROUPS] = {6.0, 6.0, NAN, NAN};
  mdt_allocation spec;
  mdt_allocation_init(&spec);
  spec.rule = MDT_RULE_PRIORITY;
  spec.room_annual_pct = 3.15;
  spec.theta = 0.5;
  spec.profile = profile;
  spec.floor_pct = floors;
  spec.cap_pct = caps;
  assert_int_equal(mdt_allocator_solve(a, &base, &spec, res, NULL), MDT_OK);
  pct[0] = res->pct_by_group[0];
  pct[1] = res->pct_by_group[1];
  res->pct_by_group = NULL;
  mdt_allocator_free(a);
  unsetenv("MANDAT_REFERENCE_PASS");
}

static void test_solve_matches_reference(void **state) {
  (void)state;
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(r, 11);
  cells_world wd;
  cells_world_open(&wd, &kind, r, 30000, 2);
  mdt_allocation_result cell, ref;
  double cell_pct[2], ref_pct[2];
  solve(&wd, 0, &cell, cell_pct);
  solve(&wd, 1, &ref, ref_pct);
  assert_close(ref.scalar, cell.scalar, fabs(ref.scalar));
  assert_close(ref.annual_effect_pct, cell.annual_effect_pct, fabs(ref.annual_effect_pct));
  for (size_t g = 0; g < 2; g++)
    assert_close(ref_pct[g], cell_pct[g], fabs(ref_pct[g]));
  cells_world_close(&wd);
  gsl_rng_free(r);
}

static void test_reference_switch(void **state) {
  (void)state;
  unsetenv("MANDAT_REFERENCE_PASS");
  assert_false(mdt__cells_reference_forced());
  setenv("MANDAT_REFERENCE_PASS", "0", 1);
  assert_false(mdt__cells_reference_forced());
  setenv("MANDAT_REFERENCE_PASS", "", 1);
  assert_false(mdt__cells_reference_forced());
  setenv("MANDAT_REFERENCE_PASS", "yes", 1);
  assert_true(mdt__cells_reference_forced());
  unsetenv("MANDAT_REFERENCE_PASS");
  mdt__cells *c = NULL;
  assert_int_equal(mdt__cells_new(NULL, &c, NULL), MDT_EUSAGE);
  assert_null(c);
  mdt__cells_free(NULL);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_random_settlements),
      cmocka_unit_test(test_cell_extremes),
      cmocka_unit_test(test_split_hints),
      cmocka_unit_test(test_solve_matches_reference),
      cmocka_unit_test(test_reference_switch),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
