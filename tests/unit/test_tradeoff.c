/* Trade-offs and Monte Carlo on a two-group case worked by hand. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fixture_microsim.h"
#include "mandat/tradeoff.h"
#include "mandat/uncertainty.h"
#include "testutil.h"

/*
 * Group A: one full-time employee paid 400 000 (W_A = 400 000, F_A = 1).
 * Group B: two full-time employees paid 600 000 (W_B = 1 200 000, F_B = 2).
 * Both in chapter 4, no guarantee, central increases from 1 January (so a percent's annual
 * effect is the percent itself), room 3 pp.
 * Mandate profile A = 1, B = 0. Standardised with wage-bill weights: mean 0.25, variance
 * (400 000 x 0.75^2 + 1 200 000 x 0.25^2) / 1 600 000 = 0.1875, so z_A = sqrt 3 and
 * z_B = -1/sqrt 3. Since z has weighted mean 0, the priority rule's p0 is the room, 3, for
 * any theta, and p_A = 3 (1 + theta sqrt 3), p_B = 3 (1 - theta / sqrt 3).
 * At theta = 0.5: p_A = 5.598076..., p_B = 2.133974...
 */
typedef struct {
  mdt_groups *groups;
  mdt_register *reg;
  mdt_microsim *sim;
  mdt_microsim_work *work;
  mdt_allocator *alloc;
  mdt_settlement base;
  mdt_allocation spec;
  double profile[2];
} fixture;

static int setup(void **state) {
  fixture *f = calloc(1, sizeof *f);
  const char *ids[] = {"A", "B"}, *ch[] = {"4", "4"};
  f->groups = mdt_test_groups(2, ids, ch, NULL, NULL);
  mdt_test_employee e[] = {{0, 5, 10000, 400000, 10000},
                           {1, 5, 10000, 600000, 10000},
                           {1, 9, 10000, 600000, 10000}};
  f->reg = mdt_test_register(e, 3);
  mdt_error err;
  if (mdt_microsim_new(f->reg, f->groups, &f->sim, &err) != MDT_OK ||
      mdt_microsim_work_new(f->sim, 1, &f->work, &err) != MDT_OK ||
      mdt_allocator_new(f->work, &f->alloc, &err) != MDT_OK)
    return -1;
  mdt_settlement_init(&f->base);
  f->base.central_month = 1;
  mdt_allocation_init(&f->spec);
  f->spec.rule = MDT_RULE_PRIORITY;
  f->spec.room_annual_pct = 3;
  f->profile[0] = 1;
  f->profile[1] = 0;
  f->spec.profile = f->profile;
  *state = f;
  return 0;
}

static int teardown(void **state) {
  fixture *f = *state;
  mdt_allocator_free(f->alloc);
  mdt_microsim_work_free(f->work);
  mdt_microsim_free(f->sim);
  mdt_test_register_free(f->reg);
  mdt_test_groups_free(f->groups);
  free(f);
  return 0;
}

static void test_exchange_rates(void **state) {
  fixture *f = *state;
  mdt_microsim_report *rep = NULL;
  mdt_error err;
  assert_int_equal(mdt_microsim_apply(f->work, &f->base, NULL, &rep, &err), MDT_OK);
  double points[4], nok[4];
  mdt_tradeoff_exchange(rep, points, nok);
  /* One more point for A costs B W_A/W_B = 400 000 / 1 200 000 = 1/3 point; the other way
   * 3 points. One more NOK per FTE to A costs B F_A/F_B = 1/2 NOK per FTE. */
  assert_near(points[0 * 2 + 1], 1.0 / 3, 1e-15);
  assert_near(points[1 * 2 + 0], 3.0, 1e-15);
  assert_near(points[0], 1.0, 0);
  assert_near(nok[0 * 2 + 1], 0.5, 0);
  assert_near(nok[1 * 2 + 0], 2.0, 0);
  mdt_microsim_report_free(rep);
}

static void test_theta_sweep_by_hand(void **state) {
  fixture *f = *state;
  mdt_microsim_report_options ro;
  mdt_microsim_report_options_init(&ro);
  ro.overheng_pct = 0;
  ro.glidning_pct = 0;
  ro.price_forecast_pct = 2.5;
  /* Three members: first choices A, B, A with weights 1, 2, 3. */
  long top[] = {0, 1, 0};
  double weight[] = {1, 2, 3};
  mdt_sweep_context ctx = {&ro, 3, top, weight};
  double thetas[] = {0, 0.5};
  mdt_sweep *s = NULL;
  mdt_error err;
  assert_int_equal(mdt_sweep_run(f->alloc, f->work, &f->base, &f->spec, MDT_SWEEP_THETA, thetas,
                                 2, &ctx, &s, &err),
                   MDT_OK);
  assert_int_equal(s->npoints, 2);
  const double pa = 3 * (1 + 0.5 * sqrt(3)), pb = 3 * (1 - 0.5 / sqrt(3));
  /* theta 0: everyone 3 %, the total on the frame's room, nobody above average. */
  assert_near(s->group_growth_pct[0], 3, 1e-7);
  assert_near(s->group_growth_pct[1], 3, 1e-7);
  assert_near(s->points[0].total_growth_pct, 3, 1e-7);
  assert_near(s->points[0].satisfaction, 0, 0);
  assert_near(s->points[0].low_pay_ratio_pct, 100, 1e-6);
  assert_near(s->points[0].real_fall_share, 0, 0);
  /* theta 0.5: A 5.598, B 2.134, total still 3. */
  assert_near(s->group_growth_pct[2], pa, 1e-7);
  assert_near(s->group_growth_pct[3], pb, 1e-7);
  assert_near(s->points[1].total_growth_pct, 3, 1e-7);
  assert_true(s->points[1].feasible);
  /* members whose first choice (A) grows above 3: weights 1 + 3 of 6 */
  assert_near(s->points[1].satisfaction, 4.0 / 6, 1e-15);
  /* pay fifths: the 20th percentile of (400k, 600k, 600k) is 400k, the 80th 600k; the low
   * fifth is A, the high fifth B: ratio = p_A / p_B x 100 */
  assert_near(s->points[1].low_pay_ratio_pct, pa / pb * 100, 1e-5);
  /* B's 2.134 is below the price forecast 2.5: 2 of 3 employees */
  assert_near(s->points[1].real_fall_share, 2.0 / 3, 1e-15);
  mdt_sweep_free(s);

  /* The krone-share sweep gives A and B the same kroner at share 1: A's percent is then
   * 1.5 times B's (600 000 / 400 000). */
  double shares[] = {1};
  assert_int_equal(mdt_sweep_run(f->alloc, f->work, &f->base, &f->spec, MDT_SWEEP_KRONE_SHARE,
                                 shares, 1, &ctx, &s, &err),
                   MDT_OK);
  assert_near(s->group_rise_pct[0] / s->group_rise_pct[1], 1.5, 1e-9);
  assert_near(s->points[0].total_growth_pct, 3, 1e-7);
  mdt_sweep_free(s);

  /* A central month later than January leaves the annual effect on the room but needs a
   * larger rise: from 1 July (6/12 of the year) twice the percent. */
  double months[] = {7};
  f->spec.theta = 0;
  assert_int_equal(mdt_sweep_run(f->alloc, f->work, &f->base, &f->spec,
                                 MDT_SWEEP_CENTRAL_MONTH, months, 1, &ctx, &s, &err),
                   MDT_OK);
  assert_near(s->group_rise_pct[0], 6, 1e-7);
  assert_near(s->points[0].total_growth_pct, 3, 1e-7);
  mdt_sweep_free(s);
}

/*
 * What binds a sweep point, on the two groups above (room 3 pp, z_A = sqrt 3, z_B = -1/sqrt 3,
 * so p_A = x (1 + theta sqrt 3), p_B = x (1 - theta / sqrt 3); cost = (400 000 p_A +
 * 1 200 000 p_B) / 1 600 000).
 * Caps of 4 % on both:
 *   theta 0     p_A = p_B = x = 3: nothing binds.
 *   theta 0.5   A's 5.598 is capped at 4; B pays the rest: 1 200 000 p_B = 4 800 000 -
 *               1 600 000, p_B = 8/3; x = (8/3) / (1 - 0.5/sqrt 3) = 3.7489..., below the
 *               caps: one group at its cap is no reason to doubt x, nothing reported.
 *   theta 2     1 - 2/sqrt 3 < 0: B sits at its floor (none: 0) for every x, and A alone
 *               at its cap gives 400 000 x 4 / 1 600 000 = 1 pp < 3: infeasible.
 * Caps of 3 % on both, theta 0.5: A capped at 3, B needs (4 800 000 - 1 200 000) / 1 200 000
 *   = 3 = its cap: the room is met by the caps alone: "all at cap", x meaningless.
 * Floors of 3 % on both, theta 2: B at its floor 3 for every x; A needs (4 800 000 -
 *   3 600 000) / 400 000 = 3 = its floor: "all at floor".
 * Caps of 4 % on A and 10 % on B with theta 0.5 as the central month moves to July (the
 *   effect of a percent is half of it): A's cap gives 0.5 x 4 x 0.25 = 0.5 pp, B must give
 *   2.5 pp = 0.5 p_B x 0.75, p_B = 20/3, x = (20/3) / (1 - 0.5/sqrt 3) = 9.372 < 10: nothing
 *   binds all; with B's cap at 6 % the caps cannot reach the room (0.5 (4 x 0.25 + 6 x 0.75)
 *   = 2.75 < 3): infeasible.
 * Caps of 2 % on A and 3.5 % on B, theta 0.5, from January: A at 2 gives 0.5 pp, B pays
 *   2.5 pp = 0.75 p_B, p_B = 10/3 (free, below 3.5), and x = (10/3) / 0.7113 = 4.686 lies
 *   above both caps: no one gets x, so "all but B at cap" and x is not shown.
 */
static void test_binding_by_hand(void **state) {
  fixture *f = *state;
  mdt_microsim_report_options ro;
  mdt_microsim_report_options_init(&ro);
  ro.overheng_pct = 0;
  ro.glidning_pct = 0;
  const char *ids[] = {"A", "B"};
  mdt_sweep_context ctx = {&ro, 0, NULL, NULL, ids};
  double caps[2] = {4, 4}, floors[2] = {NAN, NAN};
  f->spec.cap_pct = caps;
  f->spec.floor_pct = floors;
  double thetas[] = {0, 0.5, 2};
  mdt_sweep *s = NULL;
  mdt_error err;
  assert_int_equal(mdt_sweep_run(f->alloc, f->work, &f->base, &f->spec, MDT_SWEEP_THETA, thetas,
                                 3, &ctx, &s, &err),
                   MDT_OK);
  assert_string_equal(s->points[0].binding, "");
  assert_true(s->points[0].attainable);
  assert_near(s->points[0].scalar, 3, 1e-7);
  assert_string_equal(s->points[1].binding, "");
  assert_true(s->points[1].attainable);
  assert_near(s->points[1].scalar, (8.0 / 3) / (1 - 0.5 / sqrt(3)), 1e-6);
  assert_near(s->group_rise_pct[1 * 2 + 0], 4, 1e-9);
  assert_false(s->points[2].attainable);
  assert_false(s->points[2].feasible);
  assert_non_null(strstr(s->points[2].binding, "infeasible: the caps allow at most 1"));
  mdt_sweep_free(s);

  caps[0] = caps[1] = 3;
  double half[] = {0.5};
  assert_int_equal(mdt_sweep_run(f->alloc, f->work, &f->base, &f->spec, MDT_SWEEP_THETA, half,
                                 1, &ctx, &s, &err),
                   MDT_OK);
  assert_true(s->points[0].feasible);
  assert_false(s->points[0].attainable);
  assert_string_equal(s->points[0].binding, "all at cap");
  assert_near(s->points[0].total_growth_pct, 3, 1e-7);
  mdt_sweep_free(s);

  caps[0] = caps[1] = NAN;
  floors[0] = floors[1] = 3;
  double two[] = {2};
  assert_int_equal(mdt_sweep_run(f->alloc, f->work, &f->base, &f->spec, MDT_SWEEP_THETA, two,
                                 1, &ctx, &s, &err),
                   MDT_OK);
  assert_true(s->points[0].feasible);
  assert_string_equal(s->points[0].binding, "all at floor");
  mdt_sweep_free(s);

  floors[0] = floors[1] = NAN;
  caps[0] = 4;
  caps[1] = 10;
  f->spec.theta = 0.5;
  double months[] = {7};
  assert_int_equal(mdt_sweep_run(f->alloc, f->work, &f->base, &f->spec,
                                 MDT_SWEEP_CENTRAL_MONTH, months, 1, &ctx, &s, &err),
                   MDT_OK);
  assert_string_equal(s->points[0].binding, "");
  assert_near(s->points[0].scalar, (20.0 / 3) / (1 - 0.5 / sqrt(3)), 1e-6);
  mdt_sweep_free(s);
  caps[1] = 6;
  assert_int_equal(mdt_sweep_run(f->alloc, f->work, &f->base, &f->spec,
                                 MDT_SWEEP_CENTRAL_MONTH, months, 1, &ctx, &s, &err),
                   MDT_OK);
  assert_false(s->points[0].feasible);
  assert_non_null(strstr(s->points[0].binding, "infeasible: the caps allow at most 2.75"));
  mdt_sweep_free(s);

  /* x above every cap with B free (see above) */
  caps[0] = 2;
  caps[1] = 3.5;
  months[0] = 1;
  assert_int_equal(mdt_sweep_run(f->alloc, f->work, &f->base, &f->spec,
                                 MDT_SWEEP_CENTRAL_MONTH, months, 1, &ctx, &s, &err),
                   MDT_OK);
  assert_true(s->points[0].feasible);
  assert_false(s->points[0].attainable);
  assert_string_equal(s->points[0].binding, "all but B at cap");
  assert_near(s->group_rise_pct[1], 10.0 / 3, 1e-7);
  mdt_sweep_free(s);
}

static void test_regions_and_mandate(void **state) {
  fixture *f = *state;
  f->spec.theta = 0.5;
  mdt_microsim_report_options ro;
  mdt_microsim_report_options_init(&ro);
  ro.overheng_pct = 0;
  ro.glidning_pct = 0;
  /* Region 1 shares the national profile; region 2 has it the other way round; region 3 has
   * no respondents. Region 2: p_A = 3 (1 - 0.5 sqrt 3), p_B = 3 (1 + 0.5/sqrt 3); its L1
   * distance from the national allocation is |p_A - p_A'| + |p_B - p_B'| = 3 x 0.5 x
   * (2 sqrt 3 + 2/sqrt 3) = 6.928... */
  double profiles[] = {1, 0, 0, 1, NAN, NAN};
  mdt_region_allocations *r = NULL;
  mdt_error err;
  assert_int_equal(mdt_regions_run(f->alloc, f->work, &f->base, &f->spec, profiles, 3, &ro, &r,
                                   &err),
                   MDT_OK);
  assert_near(r->l1_distance_pp[0], 0, 1e-7);
  assert_near(r->l1_distance_pp[1], 1.5 * (2 * sqrt(3) + 2 / sqrt(3)), 1e-7);
  assert_int_equal(r->solved[2], 0);
  assert_true(isnan(r->l1_distance_pp[2]));
  assert_near(r->pct[1 * 2 + 0], 3 * (1 - 0.5 * sqrt(3)), 1e-7);
  mdt_region_allocations_free(r);

  /* Two bootstrap profiles (the two regions'): the interval of A's percent spans both. */
  mdt_mandate_uncertainty *u = NULL;
  assert_int_equal(mdt_mandate_uncertainty_run(f->alloc, f->work, &f->base, &f->spec, profiles,
                                               2, 0.95, &ro, &u, &err),
                   MDT_OK);
  assert_near(u->pct[0], 3 * (1 + 0.5 * sqrt(3)), 1e-7);
  assert_true(u->pct_low[0] < u->pct[0] + 1e-9 && u->pct_high[0] > 3);
  assert_true(u->pct_low[0] < 1.0);
  assert_int_equal(u->infeasible, 0);
  mdt_mandate_uncertainty_free(u);
}

static void test_monte_carlo(void **state) {
  fixture *f = *state;
  f->spec.theta = 0.5;
  mdt_allocation_result res;
  mdt_error err;
  assert_int_equal(mdt_allocator_solve(f->alloc, &f->base, &f->spec, &res, &err), MDT_OK);
  mdt_microsim_report_options ro;
  mdt_microsim_report_options_init(&ro);
  ro.overheng_pct = 1;
  ro.glidning_pct = 0.5;
  mdt_microsim_report *rep = NULL;
  assert_int_equal(mdt_microsim_apply(f->work, &res.settlement, &ro, &rep, &err), MDT_OK);
  /* Everything fixed: growth 1 + 3 + 0.5 = 4.5 in every draw, above a frame of 4; A grows
   * 1 + 5.598 + 0.5, B 1 + 2.134 + 0.5 = 3.634, both above a price of 3. */
  mdt_mc_options o;
  mdt_mc_options_init(&o);
  o.draws = 5000;
  o.seed = 9;
  o.overheng_pct = (mdt_mc_dist){0, 1, 0};
  o.glidning_pct = (mdt_mc_dist){0, 0.5, 0};
  o.price_pct = (mdt_mc_dist){0, 3, 0};
  o.drift_pct = (mdt_mc_dist){0, 0, 0};
  o.frame_pct = 4;
  mdt_mc_result *r = NULL;
  assert_int_equal(mdt_mc_run(rep, &o, &r, &err), MDT_OK);
  assert_near(r->p_above_frame, 1, 0);
  for (int q = 0; q < MDT_MC_NQUANTILES; q++)
    assert_near(r->quantiles[q], 4.5, 1e-9);
  assert_near(r->p_real_fall[0], 0, 0);
  assert_near(r->p_real_fall[1], 0, 0);
  assert_near(r->group_q50[1], 1 + 3 * (1 - 0.5 / sqrt(3)) + 0.5, 1e-7);
  mdt_mc_result_free(r);
  /* The price centred on B's growth: B's real wage falls in about half the draws; the
   * histogram sums to 1. With glidning normal(0.5, 0.5) and frame 4.5 the growth is above
   * the frame in about half the draws. */
  o.draws = 40000;
  o.price_pct = (mdt_mc_dist){1, 1 + 3 * (1 - 0.5 / sqrt(3)) + 0.5, 1};
  o.glidning_pct = (mdt_mc_dist){1, 0.5, 0.5};
  o.frame_pct = 4.5;
  o.threads = 1;
  assert_int_equal(mdt_mc_run(rep, &o, &r, &err), MDT_OK);
  assert_true(fabs(r->p_real_fall[1] - 0.5) < 0.02);
  assert_true(fabs(r->p_above_frame - 0.5) < 0.02);
  assert_true(fabs(r->sd_growth_pct - 0.5) < 0.02);
  double sum = 0;
  for (size_t b = 0; b < r->nbins; b++)
    sum += r->bin_share[b];
  assert_near(sum, 1, 1e-9);
  /* Headcount drift changes the composition: a random 50 % (sd) per group moves the area's
   * effect between B's 2.134 and A's 5.598 (a weighted mean of the two), never outside. */
  mdt_mc_result *t2 = NULL;
  o.threads = 2;
  assert_int_equal(mdt_mc_run(rep, &o, &t2, &err), MDT_OK);
  /* the same seed gives the same numbers with 1 and 2 threads */
  assert_memory_equal(r->quantiles, t2->quantiles, sizeof r->quantiles);
  assert_memory_equal(r->p_real_fall, t2->p_real_fall, 2 * sizeof(double));
  assert_memory_equal(r->bin_share, t2->bin_share, r->nbins * sizeof(double));
  assert_true(r->p_above_frame == t2->p_above_frame);
  mdt_mc_result_free(r);
  mdt_mc_result_free(t2);
  o.drift_pct = (mdt_mc_dist){1, 0, 50};
  o.glidning_pct = (mdt_mc_dist){0, 0.5, 0};
  assert_int_equal(mdt_mc_run(rep, &o, &r, &err), MDT_OK);
  assert_true(r->sd_growth_pct > 0.1);
  assert_true(r->quantiles[0] >= 1 + 3 * (1 - 0.5 / sqrt(3)) + 0.5 - 1e-9);
  assert_true(r->quantiles[MDT_MC_NQUANTILES - 1] <= 1 + 3 * (1 + 0.5 * sqrt(3)) + 0.5 + 1e-9);
  mdt_mc_result_free(r);
  o.draws = 0;
  assert_int_equal(mdt_mc_run(rep, &o, &r, &err), MDT_EUSAGE);
  mdt_microsim_report_free(rep);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_exchange_rates, setup, teardown),
      cmocka_unit_test_setup_teardown(test_theta_sweep_by_hand, setup, teardown),
      cmocka_unit_test_setup_teardown(test_binding_by_hand, setup, teardown),
      cmocka_unit_test_setup_teardown(test_regions_and_mandate, setup, teardown),
      cmocka_unit_test_setup_teardown(test_monte_carlo, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
