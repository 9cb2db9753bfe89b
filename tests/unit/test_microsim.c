/*
 * Tests of the microsimulation: settlements applied by hand to twelve employees in four
 * groups, the new guarantee table, exact money, identical results for any thread count, and
 * every error path.
 *
 * The hand fixture (weights and FTE in ordinary units; wf = weight x fte):
 *   groups  g0 "fagarb" chapter 4, own overheng 1.1*    guarantee 0: 389 000, 4: 397 300,
 *                                                        10: 448 400
 *           g1 "lektor" chapter 4, own glidning 0.65*   guarantee 0: 507 400, 6: 531 700,
 *                                                        16: 614 900
 *           g2 "leder"  chapter 3.4 (not covered)        no guarantee
 *           g3 "akad"   chapter 5   (not covered)        no guarantee
 *   kroner table  g0 0: 26 300, 10: 28 900;  g1 0: 27 000, 8: 31 200, 16: 37 500
 *
 *    #  group  years  fte   pay (NOK)  weight  wf      guarantee step  table step
 *    1  g0      0.0   1.0   389 000    1       1       0  (389 000)    0  (26 300)
 *    2  g0      4.5   0.6   399 137    1       0.6     4  (397 300)    0  (26 300)
 *    3  g0      9.2   1.0   396 250    2.5     2.5     4  (397 300)    0  (26 300)
 *    4  g0     10.0   0.8   440 020    1       0.8     10 (448 400)    10 (28 900)
 *    5  g0     23.7   1.0   512 345    1       1       10 (448 400)    10 (28 900)
 *    6  g1      2.0   1.0   515 430    1       1       0  (507 400)    0  (27 000)
 *    7  g1      8.0   0.75  560 785    1.5     1.125   6  (531 700)    8  (31 200)
 *    8  g1     12.0   1.0   525 060    1       1       6  (531 700)    8  (31 200)
 *    9  g1     17.0   0.5   640 210    1       0.5     16 (614 900)    16 (37 500)
 *   10  g2     11.0   1.0   812 070    1       1
 *   11  g2      3.0   1.0   745 515    2       2
 *   12  g3      6.0   1.0   690 900    1       1
 *
 * Wage bills Σ wf·pay: g0 389 000 + 0.6·399 137 + 2.5·396 250 + 0.8·440 020 + 512 345
 * = 2 483 468.2; g1 515 430 + 1.125·560 785 + 525 060 + 0.5·640 210 = 1 991 478.125;
 * g2 812 070 + 2·745 515 = 2 303 100; g3 690 900; area 7 468 946.325 NOK.
 * Employees 6.5, 4.5, 3, 1 (15); FTE 5.9, 3.625, 3, 1 (13.525).
 * (*) The groups table's own overheng and glidning, which the report must NOT read: it uses
 * the options' per-group arrays or their scalars only, so these values show a fallback.
 */
#include <gsl/gsl_errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture_microsim.h"
#include "mandat/microsim.h"
#include "testutil.h"

#define assert_message_has(err, needle)                                                        \
  do {                                                                                         \
    if (strstr((err).message, (needle)) == NULL)                                               \
      fail_msg("message '%s' does not contain '%s'", (err).message, (needle));                 \
  } while (0)

/* Percent values from a dozen operations on numbers near 1e6: 1e-11 pp is far above their
 * rounding and far below any hand-calculation slip. Money to a millionth of a krone. */
#define PP 1e-11
#define NOK 1e-6

#define E4(x) ((int32_t)((x)*10000.0 + 0.5))

static int64_t cell(const mdt_step_table *t, size_t g, size_t k) {
  return t->nok[g * MDT_STEPS_MAX + k];
}

static const mdt_test_employee hand_employees[] = {
    {0, 0.0, E4(1.0), 389000, E4(1.0)},   {0, 4.5, E4(0.6), 399137, E4(1.0)},
    {0, 9.2, E4(1.0), 396250, E4(2.5)},   {0, 10.0, E4(0.8), 440020, E4(1.0)},
    {0, 23.7, E4(1.0), 512345, E4(1.0)},  {1, 2.0, E4(1.0), 515430, E4(1.0)},
    {1, 8.0, E4(0.75), 560785, E4(1.5)},  {1, 12.0, E4(1.0), 525060, E4(1.0)},
    {1, 17.0, E4(0.5), 640210, E4(1.0)},  {2, 11.0, E4(1.0), 812070, E4(1.0)},
    {2, 3.0, E4(1.0), 745515, E4(2.0)},   {3, 6.0, E4(1.0), 690900, E4(1.0)},
};
#define NHAND (sizeof hand_employees / sizeof hand_employees[0])

typedef struct {
  mdt_groups *groups;
  mdt_register *reg;
  mdt_step_table *guarantee;
  mdt_step_table *table;
  mdt_microsim *sim;
  mdt_microsim_work *work;
} fixture;

static void hand_fixture(fixture *fx, int threads) {
  static const char *const ids[] = {"fagarb", "lektor", "leder", "akad"};
  static const char *const chapters[] = {"4", "4", "3.4", "5"};
  const double overheng[] = {1.1, NAN, NAN, NAN};
  const double glidning[] = {NAN, 0.65, NAN, NAN};
  memset(fx, 0, sizeof *fx);
  fx->groups = mdt_test_groups(4, ids, chapters, overheng, glidning);
  fx->reg = mdt_test_register(hand_employees, NHAND);
  fx->guarantee = mdt_test_table(4);
  mdt_test_table_add(fx->guarantee, 0, 0, 389000);
  mdt_test_table_add(fx->guarantee, 0, 4, 397300);
  mdt_test_table_add(fx->guarantee, 0, 10, 448400);
  mdt_test_table_add(fx->guarantee, 1, 0, 507400);
  mdt_test_table_add(fx->guarantee, 1, 6, 531700);
  mdt_test_table_add(fx->guarantee, 1, 16, 614900);
  fx->table = mdt_test_table(4);
  mdt_test_table_add(fx->table, 0, 0, 26300);
  mdt_test_table_add(fx->table, 0, 10, 28900);
  mdt_test_table_add(fx->table, 1, 0, 27000);
  mdt_test_table_add(fx->table, 1, 8, 31200);
  mdt_test_table_add(fx->table, 1, 16, 37500);
  mdt_error err;
  mdt_error_clear(&err);
  if (mdt_microsim_new(fx->reg, fx->groups, &fx->sim, &err) != MDT_OK)
    fail_msg("mdt_microsim_new: %s", mdt_test_errstr(&err));
  if (mdt_microsim_work_new(fx->sim, threads, &fx->work, &err) != MDT_OK)
    fail_msg("mdt_microsim_work_new: %s", mdt_test_errstr(&err));
}

static void fixture_free(fixture *fx) {
  mdt_microsim_work_free(fx->work);
  mdt_microsim_free(fx->sim);
  mdt_test_table_free(fx->table);
  mdt_test_table_free(fx->guarantee);
  mdt_test_register_free(fx->reg);
  mdt_test_groups_free(fx->groups);
}

static mdt_microsim_report *apply_ok(mdt_microsim_work *w, const mdt_settlement *s,
                                     const mdt_microsim_report_options *opt) {
  mdt_microsim_report *r = NULL;
  mdt_error err;
  mdt_error_clear(&err);
  if (mdt_microsim_apply(w, s, opt, &r, &err) != MDT_OK)
    fail_msg("mdt_microsim_apply: %s", mdt_test_errstr(&err));
  return r;
}

static mdt_microsim_effect pass_ok(mdt_microsim_work *w, const mdt_settlement *s) {
  mdt_microsim_effect e;
  mdt_error err;
  mdt_error_clear(&err);
  if (mdt_microsim_pass(w, s, &e, &err) != MDT_OK)
    fail_msg("mdt_microsim_pass: %s", mdt_test_errstr(&err));
  return e;
}

static void test_init(void **state) {
  (void)state;
  mdt_settlement s;
  memset(&s, 0x5a, sizeof s);
  mdt_settlement_init(&s);
  assert_null(s.covered);
  assert_null(s.pct_by_group);
  assert_null(s.table);
  assert_null(s.guarantee);
  assert_null(s.new_guarantee);
  assert_null(s.named);
  assert_int_equal(s.nnamed, 0);
  assert_int_equal(s.central_month, 5);
  assert_int_equal(s.local_month, 5);
  assert_true(s.pct == 0.0 && s.krone_nok == 0.0 && s.min_krone_nok == 0.0);
  assert_true(s.table_scale == 1.0 && s.local_pct == 0.0);

  mdt_microsim_report_options o;
  memset(&o, 0x5a, sizeof o);
  mdt_microsim_report_options_init(&o);
  assert_true(isnan(o.overheng_pct) && isnan(o.glidning_pct) && isnan(o.price_forecast_pct));
  assert_true(o.payroll_overhead_pct == 0.0);
  assert_int_equal(o.percentiles, 1);

  /* Nothing given: nothing changes. */
  fixture fx;
  hand_fixture(&fx, 1);
  mdt_microsim_effect e = pass_ok(fx.work, &s);
  assert_true(e.annual_pct == 0.0 && e.carryover_pct == 0.0);
  assert_int_equal(mdt_microsim_rows(fx.sim), NHAND);
  assert_int_equal(mdt_microsim_ngroups(fx.sim), 4);
  fixture_free(&fx);
}

/*
 * The 2024-like settlement: the kroner table from 1 May (m = 5: 8/12 this year, 4/12 carried
 * over), raising the guarantee by the table at each guarantee cell's years; a local pot of
 * 0.8 % from 1 October (3/12, 9/12) on the covered groups' pay BEFORE the settlement; leaders
 * (g2) 4.1 % from 1 May. Overhead 14.1 %, overheng 0.9 and glidning 1.3 for every group (the
 * groups table's own 1.1 and 0.65 are not read), prices 3.4 %.
 *
 * New guarantee: g0 0: 389 000 + 26 300 = 415 300, 4: 397 300 + 26 300 (table step 0 at 4
 * years) = 423 600, 10: 448 400 + 28 900 = 477 300; g1 0: 507 400 + 27 000 = 534 400,
 * 6: 531 700 + 27 000 (table step 0 at 6 years) = 558 700, 16: 614 900 + 37 500 = 652 400.
 * Central rise c = max(pay + table, G') - pay:
 *   1: 389 000 + 26 300 = 415 300 = G'(0)                   c = 26 300
 *   2: 399 137 + 26 300 = 425 437 > 423 600                 c = 26 300
 *   3: 396 250 + 26 300 = 422 550 < 423 600: lifted          c = 27 350
 *   4: 440 020 + 28 900 = 468 920 < 477 300: lifted          c = 37 280
 *   5: 512 345 + 28 900 > 477 300                           c = 28 900
 *   6: 515 430 + 27 000 = 542 430 > 534 400                 c = 27 000
 *   7: 560 785 + 31 200 = 591 985 > 558 700                 c = 31 200
 *   8: 525 060 + 31 200 = 556 260 < 558 700 (the guarantee cell at 6 years is raised by the
 *      table's 27 000 at 6 years, the employee at 12 years gets 31 200): lifted  c = 33 640
 *   9: 640 210 + 37 500 = 677 710 > 652 400                 c = 37 500
 * Full-year rise of covered i: c + 0.008 pay (the pot on the old pay, not on pay + c); of
 * leaders 0.041 pay (33 294.87 and 30 566.115); g3 nothing. So the pot costs exactly
 * 0.8 · 3/12 = 0.2 pp of each covered group's bill and carries 0.8 · 9/12 = 0.6 pp over.
 *
 * g0: Σ wf·c = 26 300 + 0.6·26 300 + 2.5·27 350 + 0.8·37 280 + 28 900 = 169 179;
 *     central 169 179 · 8/12 / 2 483 468.2 = 4.541471479280467 pp; local 0.2 pp;
 *     effect 4.741471479280467; carry-over 169 179 · 4/12 / 2 483 468.2 + 0.6
 *     = 2.2707357396402338 + 0.6 = 2.8707357396402338; full-year rise 169 179 + 0.008 ·
 *     2 483 468.2 = 169 179 + 19 867.7456 = 189 046.7456 NOK, per FTE / 5.9
 *     = 32 041.821288135594, over the bill 7.6122072189207017 %; growth 0.9 +
 *     4.741471479280467 + 1.3 = 6.941471479280468; real 1.06941471479280468 / 1.034 - 1
 *     = 3.425020772998518 %; cost (112 786 + 4 966.93640) · 1.141 = 134 356.1004324 NOK;
 *     share of the area 117 752.9364 / 7 468 946.325 = 1.5765669115315273 pp.
 * g1: Σ wf·c = 27 000 + 1.125·31 200 + 33 640 + 0.5·37 500 = 114 490;
 *     central 114 490 · 8/12 / 1 991 478.125 = 3.8326640754171812, local 0.2, effect
 *     4.0326640754171812, carry-over 1.9163320377085906 + 0.6 = 2.5163320377085906,
 *     rise 114 490 + 0.008 · 1 991 478.125 = 130 421.825, per FTE / 3.625
 *     = 35 978.434482758617, growth 0.9 + 4.0326640754171812 + 1.3 (not its own 0.65)
 *     = 6.2326640754171812, real 1.062326640754171812 / 1.034 - 1 = 2.7395203824150687 %,
 *     cost (76 326.666... + 3 982.95625) · 1.141 = 91 633.27974791667.
 * g2: named 0.041 · 2 303 100 · 8/12 / 2 303 100 = 2.7333333333333334 pp, carry-over
 *     1.3666666666666667, rise 94 427.1 (4.1 %), cost 62 951.4 · 1.141 = 71 827.5474.
 * g3: nothing; growth 0.9 + 0 + 1.3 = 2.2, real 1.022/1.034 - 1 = -1.1605415860735047 %.
 * Area (W = 7 468 946.325): central (112 786 + 76 326.666...) / W = 2.5319858844569576,
 *     local 0.008 · 4 474 946.325 · 3/12 / W = 8 949.892650 / W = 0.11982804883793298,
 *     named 62 951.4 / W = 0.84284177795319748, effect 3.4946557112480878,
 *     carry-over (283 669 / 3 + 0.008 · 4 474 946.325 · 9/12 + 31 476.2) / W
 *     = 2.0468979777188765, cost (189 112.666... + 8 949.89265 + 62 951.4) · 1.141
 *     = 297 816.92758031667, rise 283 669 + 35 799.5706 + 94 427.1 = 413 895.6706,
 *     per FTE / 13.525 = 30 602.267696857671; overheng and glidning the groups' wage-bill
 *     weighted means of 0.9 and 1.3, so growth 0.9 + 3.4946557112480878 + 1.3
 *     = 5.694655711248088, real 1.05694655711248088 / 1.034 - 1 = 2.2192028155203944 %.
 */
static mdt_settlement settlement_2024(const fixture *fx, mdt_named_increase *leaders) {
  mdt_settlement s;
  mdt_settlement_init(&s);
  s.central_month = 5;
  s.table = fx->table;
  s.guarantee = fx->guarantee;
  s.local_pct = 0.8;
  s.local_month = 10;
  leaders->group = 2;
  leaders->pct = 4.1;
  leaders->month = 5;
  s.named = leaders;
  s.nnamed = 1;
  return s;
}

static void test_kroner_table_by_hand(void **state) {
  (void)state;
  fixture fx;
  hand_fixture(&fx, 1);
  mdt_named_increase leaders;
  mdt_settlement s = settlement_2024(&fx, &leaders);
  mdt_microsim_report_options opt;
  mdt_microsim_report_options_init(&opt);
  opt.overheng_pct = 0.9;
  opt.glidning_pct = 1.3;
  opt.price_forecast_pct = 3.4;
  opt.payroll_overhead_pct = 14.1;
  mdt_microsim_report *r = apply_ok(fx.work, &s, &opt);
  assert_int_equal(r->ngroups, 4);

  const mdt_microsim_row *g0 = &r->groups[0];
  assert_true(g0->covered && !g0->named);
  assert_true(g0->employees_e4 == 65000);
  assert_true(g0->fte_e8 == (mdt_i128)590000000);
  assert_true(g0->wage_bill_e8 == (mdt_i128)248346820000000LL);
  assert_near(g0->employees, 6.5, 0);
  assert_near(g0->fte, 5.9, 1e-15);
  assert_near(g0->wage_bill_nok, 2483468.2, NOK);
  assert_near(g0->rise_nok, 189046.7456, NOK);
  assert_near(g0->nok_per_fte, 32041.821288135594, NOK);
  assert_near(g0->rise_pct, 7.6122072189207017, PP);
  assert_near(g0->central_effect_pct, 4.541471479280467, PP);
  assert_near(g0->local_effect_pct, 0.2, PP); /* 0.8 · 3/12 */
  assert_near(g0->named_effect_pct, 0.0, 0);
  assert_near(g0->annual_effect_pct, 4.741471479280467, PP);
  assert_near(g0->area_effect_pct, 1.5765669115315273, PP);
  assert_near(g0->carryover_pct, 2.8707357396402338, PP);
  assert_near(g0->overheng_pct, 0.9, 0); /* the options', not the groups table's 1.1 */
  assert_near(g0->glidning_pct, 1.3, 0);
  assert_near(g0->annual_growth_pct, 6.941471479280468, PP);
  assert_near(g0->real_growth_pct, 3.425020772998518, PP);
  assert_near(g0->cost_nok, 134356.1004324, NOK);
  /* Individual full-year rises c + 0.008 pay (weights): 26 300 + 3 112 = 29 412 (1),
   * 26 300 + 3 193.096 = 29 493.096 (1), 27 350 + 3 170 = 30 520 (2.5), 37 280 + 3 520.16
   * = 40 800.16 (1), 28 900 + 4 098.76 = 32 998.76 (1); of 6.5: 10 % = 0.65 -> 29 412;
   * 50 % = 3.25 -> cumulative 1, 2, 4.5 -> 30 520; 90 % = 5.85 -> 1, 2, 4.5, 5.5
   * (32 998.76), 6.5 -> 40 800.16. In percent of pay: 29 412 / 389 000 = 7.5609 (1),
   * 7.3892 (1), 30 520 / 396 250 = 7.7022 (2.5), 40 800.16 / 440 020 = 9.2723 (1),
   * 32 998.76 / 512 345 = 6.4407 (1): 10 % -> 6.4407, 50 % -> 7.7022, 90 % -> 9.2723. */
  assert_near(g0->rise_p10_nok, 29412.0, NOK);
  assert_near(g0->rise_p50_nok, 30520.0, NOK);
  assert_near(g0->rise_p90_nok, 40800.16, NOK);
  assert_near(g0->rise_p10_pct, 6.4407303672330167, PP);
  assert_near(g0->rise_p50_pct, 7.7022082018927449, PP);
  assert_near(g0->rise_p90_pct, 9.2723421662651706, PP);

  const mdt_microsim_row *g1 = &r->groups[1];
  assert_near(g1->wage_bill_nok, 1991478.125, NOK);
  assert_near(g1->fte, 3.625, 0);
  assert_near(g1->rise_nok, 130421.825, NOK);
  assert_near(g1->nok_per_fte, 35978.434482758617, NOK);
  assert_near(g1->central_effect_pct, 3.8326640754171812, PP);
  assert_near(g1->local_effect_pct, 0.2, PP);
  assert_near(g1->annual_effect_pct, 4.0326640754171812, PP);
  assert_near(g1->carryover_pct, 2.5163320377085906, PP);
  assert_near(g1->glidning_pct, 1.3, 0); /* the options', not the groups table's 0.65 */
  assert_near(g1->annual_growth_pct, 6.2326640754171812, PP);
  assert_near(g1->real_growth_pct, 2.7395203824150687, PP);
  assert_near(g1->cost_nok, 91633.27974791667, NOK);
  /* Rises 27 000 + 4 123.44 = 31 123.44 (1), 31 200 + 4 486.28 = 35 686.28 (1.5),
   * 33 640 + 4 200.48 = 37 840.48 (1), 37 500 + 5 121.68 = 42 621.68 (1) of 4.5:
   * 10 % = 0.45, 50 % = 2.25 (cumulative 1, 2.5), 90 % = 4.05 (3.5, 4.5). */
  assert_near(g1->rise_p10_nok, 31123.44, NOK);
  assert_near(g1->rise_p50_nok, 35686.28, NOK);
  assert_near(g1->rise_p90_nok, 42621.68, NOK);

  const mdt_microsim_row *g2 = &r->groups[2];
  assert_true(!g2->covered && g2->named);
  assert_near(g2->named_effect_pct, 2.7333333333333334, PP);
  assert_near(g2->central_effect_pct, 0.0, 0);
  assert_near(g2->local_effect_pct, 0.0, 0);
  assert_near(g2->annual_effect_pct, 2.7333333333333334, PP);
  assert_near(g2->carryover_pct, 1.3666666666666667, PP);
  assert_near(g2->rise_pct, 4.1, PP);
  assert_near(g2->rise_nok, 94427.1, NOK);
  assert_near(g2->cost_nok, 71827.5474, NOK);
  assert_near(g2->annual_growth_pct, 4.933333333333334, PP);
  /* 30 566.115 (weight 2) and 33 294.87 (1): 10 % and 50 % of 3 fall in the first. */
  assert_near(g2->rise_p10_nok, 30566.115, NOK);
  assert_near(g2->rise_p50_nok, 30566.115, NOK);
  assert_near(g2->rise_p90_nok, 33294.87, NOK);
  assert_near(g2->rise_p50_pct, 4.1, PP);

  const mdt_microsim_row *g3 = &r->groups[3];
  assert_true(!g3->covered && !g3->named);
  assert_true(g3->rise_e8 == 0 && g3->rise_frac_e8 == 0.0);
  assert_near(g3->annual_effect_pct, 0.0, 0);
  assert_near(g3->annual_growth_pct, 2.2, PP);
  assert_near(g3->real_growth_pct, -1.1605415860735047, PP);
  assert_near(g3->cost_nok, 0.0, 0);
  assert_near(g3->rise_p90_nok, 0.0, 0);

  const mdt_microsim_row *t = &r->total;
  assert_true(t->employees_e4 == 150000);
  assert_true(t->wage_bill_e8 == (mdt_i128)746894632500000LL);
  assert_near(t->fte, 13.525, 1e-12);
  assert_near(t->central_effect_pct, 2.5319858844569576, PP);
  assert_near(t->local_effect_pct, 0.11982804883793298, PP);
  assert_near(t->named_effect_pct, 0.84284177795319748, PP);
  assert_near(t->annual_effect_pct, 3.4946557112480878, PP);
  assert_near(t->carryover_pct, 2.0468979777188765, PP);
  assert_near(t->overheng_pct, 0.9, 1e-15);
  assert_near(t->glidning_pct, 1.3, 1e-15);
  assert_near(t->annual_growth_pct, 5.694655711248088, PP);
  assert_near(t->real_growth_pct, 2.2192028155203944, PP);
  assert_near(t->cost_nok, 297816.92758031667, NOK);
  assert_near(t->rise_nok, 413895.6706, NOK);
  assert_near(t->nok_per_fte, 30602.267696857671, NOK);
  /* Area of 15 employees: 0 (g3, 1), 29 412 (1), 29 493.096 (1), 30 520 (2.5),
   * 30 566.115 (2) reach 7.5 = 50 % exactly, so the median is the mean of 30 566.115 and
   * the next rise, 31 123.44: 30 844.7775. 10 % = 1.5 -> 29 412; 90 % = 13.5 -> after
   * 31 123.44 (8.5), 32 998.76 (9.5), 33 294.87 (10.5), 35 686.28 (12), 37 840.48 (13):
   * 40 800.16. In percent: 0 (1), 4.1 (3), 6.0383 (1), 6.3636 (1.5), 6.4407 (1) reach 7.5,
   * then 6.6575 (employee 9): (6.4407303672330167 + 6.6574530232267541) / 2
   * = 6.549091695229885. */
  assert_near(t->rise_p10_nok, 29412.0, NOK);
  assert_near(t->rise_p50_nok, 30844.7775, NOK);
  assert_near(t->rise_p90_nok, 40800.16, NOK);
  assert_near(t->rise_p50_pct, 6.549091695229885, PP);

  /* The rows' shares of the area add up to the total. */
  double sum = 0.0;
  for (size_t g = 0; g < 4; g++)
    sum += r->groups[g].area_effect_pct;
  assert_near(sum, t->annual_effect_pct, 1e-13);

  /* The lean pass gives the report's total, to the bit. */
  mdt_microsim_effect e = pass_ok(fx.work, &s);
  assert_true(e.annual_pct == t->annual_effect_pct);
  assert_true(e.central_pct == t->central_effect_pct);
  assert_true(e.carryover_pct == t->carryover_pct);
  mdt_microsim_report_free(r);
  fixture_free(&fx);
}

/* The table alone: every rise is whole kroner, so the rises are exact integers.
 * g0: Σ weight_e4 · fte_e4 · c = 10^8 · 26 300 + 6·10^7 · 26 300 + 2.5·10^8 · 27 350
 *     + 8·10^7 · 37 280 + 10^8 · 28 900 = 16 917 900 000 000 (169 179 NOK);
 * g1: 10^8 · 27 000 + 1.125·10^8 · 31 200 + 10^8 · 33 640 + 5·10^7 · 37 500
 *     = 11 449 000 000 000 (114 490 NOK). */
static void test_kroner_only_is_exact(void **state) {
  (void)state;
  fixture fx;
  hand_fixture(&fx, 1);
  mdt_settlement s;
  mdt_settlement_init(&s);
  s.table = fx.table;
  s.guarantee = fx.guarantee;
  mdt_microsim_report *r = apply_ok(fx.work, &s, NULL);
  assert_true(r->groups[0].rise_e8 == (mdt_i128)16917900000000LL);
  assert_true(r->groups[1].rise_e8 == (mdt_i128)11449000000000LL);
  for (size_t g = 0; g < 4; g++)
    assert_true(r->groups[g].rise_frac_e8 == 0.0);
  assert_true(r->total.rise_e8 == (mdt_i128)(16917900000000LL + 11449000000000LL));
  assert_true(r->total.rise_frac_e8 == 0.0);
  /* Without options: no growth (overheng and glidning unknown) but effects. */
  assert_true(isnan(r->total.annual_growth_pct) && isnan(r->total.real_growth_pct));
  assert_true(isnan(r->groups[3].annual_growth_pct));
  /* The groups table's own overheng 1.1 is not a fallback: g0's growth is unknown too. */
  assert_true(isnan(r->groups[0].annual_growth_pct) && isnan(r->groups[0].overheng_pct));
  assert_true(isnan(r->groups[1].glidning_pct));
  mdt_microsim_report_free(r);

  /* Without percentiles they are NaN, and nothing else changes. */
  mdt_microsim_report_options opt;
  mdt_microsim_report_options_init(&opt);
  opt.percentiles = 0;
  r = apply_ok(fx.work, &s, &opt);
  assert_true(isnan(r->groups[0].rise_p50_nok) && isnan(r->total.rise_p90_pct));
  assert_true(r->total.rise_e8 == (mdt_i128)(16917900000000LL + 11449000000000LL));
  mdt_microsim_report_free(r);
  fixture_free(&fx);
}

/*
 * 3.15 %, at least 18 500 NOK, from 1 June (7/12 this year, 5/12 carried over); guarantee
 * raised the same way: G' = G + max(0.0315 G, 18 500):
 *   g0 0: 389 000 (12 253.5 < 18 500) -> 407 500; 4: 397 300 (12 514.95) -> 415 800;
 *      10: 448 400 (14 124.6) -> 466 900;
 *   g1 0: 507 400 (15 983.1) -> 525 900; 6: 531 700 (16 748.55) -> 550 200;
 *      16: 614 900 (19 369.35 > 18 500) -> 634 269.35, reported as 634 269.
 * Central rises: 1, 2, 5, 6, 7: 3.15 % is below 18 500, so 18 500 (e.g. 0.0315 · 560 785
 * = 17 664.7275); 3: 396 250 + 18 500 = 414 750 < 415 800: lifted, 19 550; 4: 440 020 +
 * 18 500 < 466 900: lifted, 26 880; 8: 525 060 + 18 500 < 550 200: lifted, 25 140;
 * 9: 0.0315 · 640 210 = 20 166.615.
 * g0: Σ wf·c = 18 500 + 0.6·18 500 + 2.5·19 550 + 0.8·26 880 + 18 500 = 118 479;
 *     effect 118 479 · 7/12 / 2 483 468.2 = 2.782912621953444, carry-over · 5/12
 *     1.9877947299667453, growth 0.9 (the options', not the groups table's own 1.1) +
 *     2.782912621953444 + 1.3 = 4.982912621953444.
 * g1: Σ wf·c = 18 500 + 1.125·18 500 + 25 140 + 0.5·20 166.615 = 74 535.8075;
 *     effect 2.1832638026926188, carry-over 1.5594741447804419.
 * Area: 193 014.8075 · 7/12 / 7 468 946.325 = 1.507467936471838 pp.
 * Percentiles of g1 (18 500 w 1, 18 500 w 1.5, 20 166.615 w 1, 25 140 w 1): 10 % and 50 %
 * (2.25 of 4.5) are 18 500, 90 % (4.05) is 25 140. In percent of pay: 3.15 (employee 9,
 * w 1), 3.2989 (7, w 1.5), 3.5892 (6), 4.7880 (8): the 10th percentile (0.45 of 4.5) is 3.15.
 */
static void test_percent_with_minimum_by_hand(void **state) {
  (void)state;
  fixture fx;
  hand_fixture(&fx, 1);
  mdt_settlement s;
  mdt_settlement_init(&s);
  s.central_month = 6;
  s.pct = 3.15;
  s.min_krone_nok = 18500;
  s.guarantee = fx.guarantee;
  mdt_microsim_report_options opt;
  mdt_microsim_report_options_init(&opt);
  opt.overheng_pct = 0.9;
  opt.glidning_pct = 1.3;
  mdt_microsim_report *r = apply_ok(fx.work, &s, &opt);
  assert_near(r->groups[0].rise_nok, 118479.0, NOK);
  assert_near(r->groups[0].annual_effect_pct, 2.782912621953444, PP);
  assert_near(r->groups[0].carryover_pct, 1.9877947299667453, PP);
  assert_near(r->groups[0].annual_growth_pct, 4.982912621953444, PP);
  assert_true(isnan(r->groups[0].real_growth_pct));
  assert_near(r->groups[0].rise_p50_nok, 19550.0, NOK);
  assert_near(r->groups[0].rise_p90_nok, 26880.0, NOK);
  assert_near(r->groups[1].rise_nok, 74535.8075, NOK);
  assert_near(r->groups[1].annual_effect_pct, 2.1832638026926188, PP);
  assert_near(r->groups[1].carryover_pct, 1.5594741447804419, PP);
  assert_near(r->groups[1].rise_p10_nok, 18500.0, NOK);
  assert_near(r->groups[1].rise_p50_nok, 18500.0, NOK);
  assert_near(r->groups[1].rise_p90_nok, 25140.0, NOK);
  assert_near(r->groups[1].rise_p10_pct, 3.15, PP);
  assert_near(r->groups[2].annual_effect_pct, 0.0, 0);
  assert_near(r->total.annual_effect_pct, 1.507467936471838, PP);
  assert_near(r->total.carryover_pct, 1.0767628117655985, PP);
  assert_near(r->total.cost_nok, 112591.97104166668, NOK);
  /* 4 of 15 employees (g2, g3) get nothing: the 10th percentile is 0. */
  assert_near(r->total.rise_p10_nok, 0.0, 0);
  assert_near(r->total.rise_p50_nok, 18500.0, NOK);
  mdt_microsim_report_free(r);
  fixture_free(&fx);
}

/*
 * An explicit new guarantee (g0 0: 420 000, 8: 450 000 — steps unlike the old table's;
 * g1 0: 540 000) from 1 March (10/12, 2/12) and nothing else: only lifts.
 *   1: 420 000 - 389 000 = 31 000; 2 (4.5 years: step 0): 420 000 - 399 137 = 20 863;
 *   3 (9.2: step 8): 450 000 - 396 250 = 53 750; 4: 450 000 - 440 020 = 9 980; 5: none;
 *   6: 540 000 - 515 430 = 24 570; 7: none; 8: 540 000 - 525 060 = 14 940; 9: none.
 * g0: (31 000 + 0.6·20 863 + 2.5·53 750 + 0.8·9 980) · 10/12 / 2 483 468.2 = 185 876.8 ·
 *     10/12 / 2 483 468.2 = 6.23713777906773 pp; g1: (24 570 + 14 940) · 10/12 /
 *     1 991 478.125 = 1.6532945848953275; area 225 386.8 · 10/12 / 7 468 946.325
 *     = 2.51470990900893, carry-over · 2/12 = 0.5029419818017861.
 */
static void test_explicit_new_guarantee_by_hand(void **state) {
  (void)state;
  fixture fx;
  hand_fixture(&fx, 1);
  mdt_step_table *ng = mdt_test_table(4);
  mdt_test_table_add(ng, 0, 0, 420000);
  mdt_test_table_add(ng, 0, 8, 450000);
  mdt_test_table_add(ng, 1, 0, 540000);
  mdt_settlement s;
  mdt_settlement_init(&s);
  s.central_month = 3;
  s.guarantee = fx.guarantee;
  s.new_guarantee = ng;
  mdt_microsim_report *r = apply_ok(fx.work, &s, NULL);
  assert_near(r->groups[0].annual_effect_pct, 6.23713777906773, PP);
  assert_near(r->groups[1].annual_effect_pct, 1.6532945848953275, PP);
  assert_near(r->total.annual_effect_pct, 2.51470990900893, PP);
  assert_near(r->total.carryover_pct, 0.5029419818017861, PP);
  assert_true(r->groups[0].rise_e8 == (mdt_i128)1858768 * 10000000); /* 185 876.8 NOK */
  mdt_microsim_report_free(r);
  mdt_test_table_free(ng);
  fixture_free(&fx);
}


/* The new guarantee tables of the settlements above (hand values in their comments). */
static void test_new_guarantee_table(void **state) {
  (void)state;
  fixture fx;
  hand_fixture(&fx, 1);
  mdt_error err;
  mdt_error_clear(&err);
  mdt_step_table *out = mdt_test_table(4);

  /* A kroner table with no frame raises each cell by exactly the table's amount there. */
  mdt_settlement s;
  mdt_settlement_init(&s);
  s.table = fx.table;
  s.guarantee = fx.guarantee;
  assert_int_equal(mdt_microsim_guarantee(fx.sim, &s, out, &err), MDT_OK);
  assert_int_equal(out->nsteps[0], 3);
  assert_int_equal(out->nsteps[1], 3);
  assert_int_equal(out->nsteps[2], 0);
  assert_true(out->years[0 * MDT_STEPS_MAX + 1] == 4.0);
  assert_true(cell(out, 0, 0) == 415300 && cell(out, 0, 1) == 423600 && cell(out, 0, 2) == 477300);
  assert_true(cell(out, 1, 0) == 534400 && cell(out, 1, 1) == 558700 && cell(out, 1, 2) == 652400);
  for (size_t g = 0; g < 2; g++)
    for (size_t k = 0; k < 3; k++)
      assert_true(cell(out, g, k) - cell(fx.guarantee, g, k) ==
                  (int64_t)(g == 0 ? (k == 2 ? 28900 : 26300) : (k == 2 ? 37500 : 27000)));

  /* Percent with a minimum: rounded once, at output (634 269.35 -> 634 269). */
  mdt_settlement_init(&s);
  s.pct = 3.15;
  s.min_krone_nok = 18500;
  s.guarantee = fx.guarantee;
  assert_int_equal(mdt_microsim_guarantee(fx.sim, &s, out, &err), MDT_OK);
  assert_true(cell(out, 0, 0) == 407500 && cell(out, 0, 1) == 415800 && cell(out, 0, 2) == 466900);
  assert_true(cell(out, 1, 0) == 525900 && cell(out, 1, 1) == 550200 && cell(out, 1, 2) == 634269);

  /* A half krone rounds away from zero: 389 000 + 12 345.5 = 401 345.5 -> 401 346. */
  mdt_settlement_init(&s);
  s.krone_nok = 12345.5;
  s.guarantee = fx.guarantee;
  s.covered = (const unsigned char[]){1, 0, 0, 0};
  assert_int_equal(mdt_microsim_guarantee(fx.sim, &s, out, &err), MDT_OK);
  assert_true(cell(out, 0, 0) == 401346);
  assert_true(cell(out, 1, 0) == 507400); /* g1 not covered here: unchanged */

  /* Explicit: its cells for covered groups. */
  mdt_step_table *ng = mdt_test_table(4);
  mdt_test_table_add(ng, 0, 0, 420000);
  mdt_test_table_add(ng, 0, 8, 450000);
  mdt_test_table_add(ng, 1, 0, 540000);
  mdt_settlement_init(&s);
  s.guarantee = fx.guarantee;
  s.new_guarantee = ng;
  s.pct = 5.0; /* does not touch an explicit table */
  assert_int_equal(mdt_microsim_guarantee(fx.sim, &s, out, &err), MDT_OK);
  assert_int_equal(out->nsteps[0], 2);
  assert_int_equal(out->nsteps[1], 1);
  assert_true(out->years[1] == 8.0 && cell(out, 0, 1) == 450000 && cell(out, 1, 0) == 540000);

  /* No guarantee at all: an empty table. */
  mdt_settlement_init(&s);
  s.pct = 2.0;
  assert_int_equal(mdt_microsim_guarantee(fx.sim, &s, out, &err), MDT_OK);
  for (size_t g = 0; g < 4; g++)
    assert_int_equal(out->nsteps[g], 0);

  /* Errors: NULLs, a table of the wrong size, a bad settlement. */
  assert_int_equal(mdt_microsim_guarantee(NULL, &s, out, &err), MDT_EUSAGE);
  assert_int_equal(mdt_microsim_guarantee(fx.sim, &s, NULL, &err), MDT_EUSAGE);
  assert_int_equal(mdt_microsim_guarantee(fx.sim, NULL, out, &err), MDT_EUSAGE);
  mdt_step_table *small = mdt_test_table(3);
  assert_int_equal(mdt_microsim_guarantee(fx.sim, &s, small, &err), MDT_EUSAGE);
  assert_message_has(err, "expected a table of 4 groups to fill, found one of 3");
  s.pct = -1.0;
  assert_int_equal(mdt_microsim_guarantee(fx.sim, &s, out, &err), MDT_EDATA);
  mdt_test_table_free(small);
  mdt_test_table_free(ng);
  mdt_test_table_free(out);
  fixture_free(&fx);
}

/*
 * Coverage given explicitly, a named increase on a covered group (on the pay before the
 * settlement, not on the level after the central elements), a general kroner increase and
 * the local pot from January.
 * Two employees of one group "x" (chapter 5, so covered only because we say so), no
 * guarantee: 500 000 (fte 1, weight 1) and 612 345 (fte 0.5, weight 3).
 * Central: 2.4 % + 7 500 from April: c1 = 12 000 + 7 500 = 19 500, c2 = 14 696.28 + 7 500
 * = 22 196.28. Named 1.5 % from August on the old pay: 0.015 · 500 000 = 7 500,
 * 0.015 · 612 345 = 9 185.175. Local 0.55 % from January: 2 750, 3 367.8975.
 * W = 500 000 + 1.5 · 612 345 = 1 418 517.5; Σ wf c = 19 500 + 1.5 · 22 196.28 = 52 794.42.
 *   central 52 794.42 · 9/12 / W = 39 595.815 / 1 418 517.5 = 2.7913518867409106 pp;
 *   named 1.5 · 5/12 = 0.625 pp and local 0.55 · 12/12 = 0.55 pp whatever the central rise;
 *   carry-over 52 794.42 · 3/12 / W + 1.5 · 7/12 = 0.9304506289136369 + 0.875
 *   = 1.8054506289136369 pp (the pot from January carries nothing over).
 */
static void test_coverage_and_named_on_covered(void **state) {
  (void)state;
  static const char *const ids[] = {"x"};
  static const char *const chapters[] = {"5"};
  mdt_groups *groups = mdt_test_groups(1, ids, chapters, NULL, NULL);
  const mdt_test_employee e[] = {{0, 3.0, 10000, 500000, 10000}, {0, 7.0, 5000, 612345, 30000}};
  mdt_register *reg = mdt_test_register(e, 2);
  mdt_microsim *sim = NULL;
  mdt_microsim_work *w = NULL;
  mdt_error err;
  mdt_error_clear(&err);
  assert_int_equal(mdt_microsim_new(reg, groups, &sim, &err), MDT_OK);
  assert_int_equal(mdt_microsim_work_new(sim, 2, &w, &err), MDT_OK);
  mdt_named_increase named = {0, 1.5, 8};
  mdt_settlement s;
  mdt_settlement_init(&s);
  s.covered = (const unsigned char[]){1};
  s.central_month = 4;
  s.pct = 2.4;
  s.krone_nok = 7500;
  s.named = &named;
  s.nnamed = 1;
  s.local_pct = 0.55;
  s.local_month = 1;
  mdt_microsim_report *r = apply_ok(w, &s, NULL);
  assert_near(r->total.central_effect_pct, 2.7913518867409106, PP);
  assert_near(r->total.named_effect_pct, 0.625, PP);
  assert_near(r->total.local_effect_pct, 0.55, PP);
  assert_near(r->total.annual_effect_pct, 2.7913518867409106 + 0.625 + 0.55, PP);
  assert_near(r->total.carryover_pct, 1.8054506289136369, PP);
  /* Full-year rises: 19 500 + 7 500 + 2 750 = 29 750 and 22 196.28 + 9 185.175 +
   * 3 367.8975 = 34 749.3525; Σ wf = 29 750 + 1.5 · 34 749.3525 = 81 874.02875. */
  assert_near(r->total.rise_nok, 81874.02875, NOK);
  assert_true(r->groups[0].covered && r->groups[0].named);
  /* Percentiles by employees: 29 750 (1) and 34 749.3525 (3). */
  assert_near(r->total.rise_p10_nok, 29750.0, NOK);
  assert_near(r->total.rise_p50_nok, 34749.3525, NOK);
  mdt_microsim_report_free(r);

  /* By default chapter 5 is not covered: only the named increase, on the old pay: the same
   * 0.625 pp as beside the central elements above. */
  s.covered = NULL;
  mdt_microsim_effect eff = pass_ok(w, &s);
  assert_near(eff.central_pct, 0.0, 0);
  assert_near(eff.local_pct, 0.0, 0);
  assert_near(eff.named_pct, 0.015 * 5.0 / 12.0 * 100.0, PP);
  mdt_microsim_work_free(w);
  mdt_microsim_free(sim);
  mdt_test_register_free(reg);
  mdt_test_groups_free(groups);
}

/* Seniority is counted in whole years, capped at MDT_MICROSIM_MAX_STEP_YEARS; a table may
 * have its last step at exactly that many years. */
static void test_seniority_cells(void **state) {
  (void)state;
  static const char *const ids[] = {"x"};
  static const char *const chapters[] = {"4"};
  mdt_groups *groups = mdt_test_groups(1, ids, chapters, NULL, NULL);
  /* 3.999 years is step 0 of a table with steps 0 and 4; 150 years is step 100. */
  const mdt_test_employee e[] = {{0, 3.999, 10000, 400000, 10000},
                                 {0, 4.0, 10000, 400000, 10000},
                                 {0, 150.0, 10000, 400000, 10000}};
  mdt_register *reg = mdt_test_register(e, 3);
  mdt_microsim *sim = NULL;
  mdt_microsim_work *w = NULL;
  mdt_error err;
  mdt_error_clear(&err);
  assert_int_equal(mdt_microsim_new(reg, groups, &sim, &err), MDT_OK);
  assert_int_equal(mdt_microsim_work_new(sim, 1, &w, &err), MDT_OK);
  mdt_step_table *t = mdt_test_table(1);
  mdt_test_table_add(t, 0, 0, 1000);
  mdt_test_table_add(t, 0, 4, 2000);
  mdt_test_table_add(t, 0, MDT_MICROSIM_MAX_STEP_YEARS, 4000);
  mdt_settlement s;
  mdt_settlement_init(&s);
  s.table = t;
  s.central_month = 1;
  mdt_microsim_report *r = apply_ok(w, &s, NULL);
  /* (1 000 + 2 000 + 4 000) / 1 200 000 = 0.58333... % */
  assert_true(r->total.rise_e8 == (mdt_i128)7000 * 100000000);
  assert_near(r->total.annual_effect_pct, 7000.0 / 1200000.0 * 100.0, PP);
  mdt_microsim_report_free(r);
  mdt_test_table_free(t);
  mdt_microsim_work_free(w);
  mdt_microsim_free(sim);
  mdt_test_register_free(reg);
  mdt_test_groups_free(groups);
}

/*
 * The real tables: KS's guarantee pay per 1 May 2022 for g1-g5 (guarantee_2022.csv, from KS,
 * "Lonner utdanning seg?") and the 2023 settlement's kroner increases (increases_2023.csv, KS,
 * "Forhandlingsresultatet ved mellomoppgjoret 2023"), in models/ks-2024/sources/. The 2023
 * table has steps 0/6/8/10/16 for g2-g5 while the 2022 guarantee still has 2 and 4 years: those
 * cells take the increase at step 0. Applied with no frame, each guarantee cell rises by exactly
 * the increase at its years, and an employee paid exactly the guarantee gets exactly that
 * amount.
 */
static void test_real_2023_tables(void **state) {
  (void)state;
  static const char *const ids[] = {"g1", "g2", "g3", "g4", "g5"};
  static const char *const chapters[] = {"4", "4", "4", "4", "4"};
  static const double years[7] = {0, 2, 4, 6, 8, 10, 16};
  static const int64_t g2022[5][7] = {
      {324900, 331400, 334200, 337200, 345300, 391600, 431400},
      {389000, 389000, 389000, 393200, 404600, 448400, 460300},
      {411000, 411000, 411000, 415200, 426600, 468400, 481400},
      {459100, 459100, 459100, 469300, 479500, 529900, 537900},
      {500100, 500100, 500100, 510400, 530600, 552900, 565900}};
  static const double inc_years[5] = {0, 6, 8, 10, 16};
  static const int64_t inc2023[5][5] = {{26300, 26300, 26300, 26300, 26300},
                                        {26300, 26300, 26300, 26300, 27000},
                                        {26300, 26300, 26300, 26300, 27000},
                                        {26300, 26300, 26300, 26700, 31200},
                                        {26300, 26300, 26300, 28200, 33000}};
  mdt_groups *groups = mdt_test_groups(5, ids, chapters, NULL, NULL);
  mdt_step_table *guarantee = mdt_test_table(5), *increases = mdt_test_table(5);
  mdt_test_employee e[5 * 7];
  for (size_t g = 0; g < 5; g++) {
    for (size_t k = 0; k < 7; k++) {
      mdt_test_table_add(guarantee, g, years[k], g2022[g][k]);
      e[g * 7 + k] = (mdt_test_employee){(int32_t)g, years[k] + 0.5, 10000, g2022[g][k], 10000};
    }
    if (g == 0) /* g1 keeps all seven steps in 2023, all at 26 300 */
      for (size_t k = 0; k < 7; k++)
        mdt_test_table_add(increases, g, years[k], 26300);
    else
      for (size_t k = 0; k < 5; k++)
        mdt_test_table_add(increases, g, inc_years[k], inc2023[g][k]);
  }
  mdt_register *reg = mdt_test_register(e, 5 * 7);
  mdt_microsim *sim = NULL;
  mdt_microsim_work *w = NULL;
  mdt_error err;
  mdt_error_clear(&err);
  assert_int_equal(mdt_microsim_new(reg, groups, &sim, &err), MDT_OK);
  assert_int_equal(mdt_microsim_work_new(sim, 1, &w, &err), MDT_OK);
  mdt_settlement s;
  mdt_settlement_init(&s);
  s.table = increases;
  s.guarantee = guarantee;
  mdt_step_table *out = mdt_test_table(5);
  assert_int_equal(mdt_microsim_guarantee(sim, &s, out, &err), MDT_OK);
  int64_t expected_rise = 0;
  for (size_t g = 0; g < 5; g++) {
    assert_int_equal(out->nsteps[g], 7);
    for (size_t k = 0; k < 7; k++) {
      /* The increase at this cell's years: the highest 2023 step not above them. */
      int64_t inc = 26300;
      if (g > 0)
        for (size_t j = 0; j < 5; j++)
          if (inc_years[j] <= years[k])
            inc = inc2023[g][j];
      assert_true(out->years[g * MDT_STEPS_MAX + k] == years[k]);
      assert_true(cell(out, g, k) - g2022[g][k] == inc);
      expected_rise += inc;
    }
  }
  /* Two cells by hand: g4 at 10 years 529 900 + 26 700 = 556 600; g5 at 16 years
   * 565 900 + 33 000 = 598 900; g3 at 2 years 411 000 + 26 300 (step 0) = 437 300. */
  assert_true(cell(out, 3, 5) == 556600);
  assert_true(cell(out, 4, 6) == 598900);
  assert_true(cell(out, 2, 1) == 437300);
  /* Thirty-five employees at exactly the guarantee get exactly the increase. */
  mdt_microsim_report *r = apply_ok(w, &s, NULL);
  assert_true(r->total.rise_e8 == (mdt_i128)expected_rise * 100000000);
  assert_true(r->total.rise_frac_e8 == 0.0);
  mdt_microsim_report_free(r);
  mdt_test_table_free(out);
  mdt_test_table_free(increases);
  mdt_test_table_free(guarantee);
  mdt_microsim_work_free(w);
  mdt_microsim_free(sim);
  mdt_test_register_free(reg);
  mdt_test_groups_free(groups);
}

/* ---- Large register: thread identity and exact totals ---- */

static const char *const big_ids[] = {"g1", "g2", "g3", "g4", "g5", "g6", "c34", "c5"};
static const char *const big_chapters[] = {"4", "4", "4", "4", "4", "4", "3.4", "5"};

/* Guarantee and kroner tables for the big groups (steps as KS's 2023 tables). */
static void big_tables(mdt_step_table *g, mdt_step_table *t) {
  static const double steps1[] = {0, 2, 4, 6, 8, 10, 16};
  static const double steps2[] = {0, 6, 8, 10, 16};
  for (size_t grp = 0; grp < 6; grp++) {
    const double *steps = grp == 0 ? steps1 : steps2;
    size_t n = grp == 0 ? 7 : 5;
    for (size_t k = 0; k < n; k++) {
      mdt_test_table_add(g, grp, steps[k], 382500 + 41000 * (int64_t)grp + 9700 * (int64_t)k);
      mdt_test_table_add(t, grp, steps[k], 22000 + 1300 * (int64_t)grp + 800 * (int64_t)k);
    }
  }
}

static mdt_microsim_report *big_report(const mdt_microsim *sim, int threads,
                                       const mdt_settlement *s, mdt_microsim_effect *lean) {
  mdt_microsim_work *w = NULL;
  mdt_error err;
  mdt_error_clear(&err);
  assert_int_equal(mdt_microsim_work_new(sim, threads, &w, &err), MDT_OK);
  mdt_microsim_report_options opt;
  mdt_microsim_report_options_init(&opt);
  opt.overheng_pct = 0.77;
  opt.glidning_pct = 1.21;
  opt.price_forecast_pct = 3.3;
  opt.payroll_overhead_pct = 19.4;
  mdt_microsim_report *r = apply_ok(w, s, &opt);
  *lean = pass_ok(w, s);
  mdt_microsim_work_free(w);
  return r;
}

static void test_large_thread_identity(void **state) {
  (void)state;
  const size_t n = 100000;
  mdt_groups *groups = mdt_test_groups(8, big_ids, big_chapters, NULL, NULL);
  mdt_register *reg = mdt_test_register_random(n, 8, 20240501);
  mdt_step_table *g = mdt_test_table(8), *t = mdt_test_table(8);
  big_tables(g, t);
  mdt_microsim *sim = NULL;
  mdt_error err;
  mdt_error_clear(&err);
  assert_int_equal(mdt_microsim_new(reg, groups, &sim, &err), MDT_OK);

  mdt_named_increase named[2] = {{6, 4.1, 5}, {7, 3.7, 7}};
  mdt_settlement s;
  mdt_settlement_init(&s);
  s.pct = 1.37;
  s.table = t;
  s.table_scale = 0.83;
  s.min_krone_nok = 21750;
  s.guarantee = g;
  s.local_pct = 1.1;
  s.local_month = 10;
  s.named = named;
  s.nnamed = 2;

  mdt_microsim_effect e1, e2, e3;
  mdt_microsim_report *r1 = big_report(sim, 1, &s, &e1);
  mdt_microsim_report *r2 = big_report(sim, 2, &s, &e2);
  mdt_microsim_report *r3 = big_report(sim, 3, &s, &e3);
  assert_memory_equal(r1->groups, r3->groups, 8 * sizeof *r1->groups);
  assert_memory_equal(&r1->total, &r3->total, sizeof r1->total);
  assert_memory_equal(r1->groups, r2->groups, 8 * sizeof *r1->groups);
  assert_memory_equal(&e1, &e3, sizeof e1);
  assert_memory_equal(&e1, &e2, sizeof e1);
  assert_true(e1.annual_pct == r1->total.annual_effect_pct);

  /* Group totals add up to the area's, exactly, and match a direct sum over the register. */
  int64_t emp = 0;
  mdt_i128 fte = 0, bill = 0, rise = 0;
  for (size_t k = 0; k < 8; k++) {
    emp += r1->groups[k].employees_e4;
    fte += r1->groups[k].fte_e8;
    bill += r1->groups[k].wage_bill_e8;
    rise += r1->groups[k].rise_e8;
  }
  assert_true(emp == r1->total.employees_e4);
  assert_true(fte == r1->total.fte_e8);
  assert_true(bill == r1->total.wage_bill_e8);
  assert_true(rise == r1->total.rise_e8);
  int64_t emp_direct = 0;
  mdt_i128 bill_direct = 0;
  for (size_t i = 0; i < n; i++) {
    emp_direct += reg->weight_e4[i];
    bill_direct += (mdt_i128)reg->weight_e4[i] * reg->fte_e4[i] * reg->salary_nok[i];
  }
  assert_true(emp_direct == r1->total.employees_e4);
  assert_true(bill_direct == r1->total.wage_bill_e8);

  /* The annual effect against a direct, naive computation in long double. The pot and the
   * named increases are percents of the pay before the settlement (bill_cov, bill_named),
   * not of the level after the central rise. */
  long double central = 0, bill_cov = 0, bill_named[8] = {0};
  for (size_t i = 0; i < n; i++) {
    int32_t grp = reg->group[i];
    long double wf = (long double)reg->weight_e4[i] * reg->fte_e4[i];
    double old = (double)reg->salary_nok[i];
    double c = 0.0;
    if (grp < 6) {
      double sen = reg->seniority_years[i];
      size_t k = 0, kg = 0;
      for (size_t j = 0; j < t->nsteps[grp]; j++)
        if (t->years[(size_t)grp * MDT_STEPS_MAX + j] <= floor(sen))
          k = j;
      for (size_t j = 0; j < g->nsteps[grp]; j++)
        if (g->years[(size_t)grp * MDT_STEPS_MAX + j] <= floor(sen))
          kg = j;
      double a = 0.83 * (double)t->nok[(size_t)grp * MDT_STEPS_MAX + k];
      double G = (double)g->nok[(size_t)grp * MDT_STEPS_MAX + kg];
      double ag = 0.83 * (double)t->nok[(size_t)grp * MDT_STEPS_MAX + kg]; /* same steps */
      double Gp = G + fmax(0.0137 * G + ag, 21750.0);
      c = fmax(fmax(0.0137 * old + a, 21750.0), Gp - old);
      central += wf * c;
      bill_cov += wf * old;
    } else {
      bill_named[grp] += wf * old;
    }
  }
  long double W = (long double)bill_direct;
  double expect = (double)((central * 8 / 12 + 0.011L * bill_cov * 3 / 12 +
                            0.041L * bill_named[6] * 8 / 12 + 0.037L * bill_named[7] * 6 / 12) /
                           W * 100);
  assert_near(e1.annual_pct, expect, 1e-11);
  /* Whatever the central elements and guarantee lifts do, the pot of 1.1 % from October costs
   * 1.1 · 3/12 = 0.275 pp of the covered bill, and the named increases 4.1 · 8/12 and
   * 3.7 · 6/12 pp of their groups' bills. */
  assert_near(e1.local_pct, (double)(0.275L * bill_cov / W), 1e-12);
  assert_near(e1.named_pct,
              (double)((4.1L * 8 / 12 * bill_named[6] + 3.7L * 6 / 12 * bill_named[7]) / W), 1e-12);

  mdt_microsim_report_free(r1);
  mdt_microsim_report_free(r2);
  mdt_microsim_report_free(r3);
  mdt_microsim_free(sim);
  mdt_test_table_free(g);
  mdt_test_table_free(t);
  mdt_test_register_free(reg);
  mdt_test_groups_free(groups);
}

/* ---- Errors ---- */

static void test_register_errors(void **state) {
  (void)state;
  static const char *const ids[] = {"a", "b"};
  static const char *const chapters[] = {"4", "5"};
  mdt_groups *groups = mdt_test_groups(2, ids, chapters, NULL, NULL);
  mdt_microsim *sim = (mdt_microsim *)0x1;
  mdt_error err;
  struct {
    mdt_test_employee bad;
    const char *needle;
  } cases[] = {
      {{2, 1.0, 10000, 400000, 10000}, "register row 2: expected a group row from 0 to 1, found 2"},
      {{-1, 1.0, 10000, 400000, 10000}, "register row 2: expected a group row from 0 to 1, found -1"},
      {{0, -0.5, 10000, 400000, 10000}, "expected seniority years of at least 0, found -0.5"},
      {{0, NAN, 10000, 400000, 10000}, "expected seniority years of at least 0, found nan"},
      {{0, 1.0, 0, 400000, 10000}, "expected an FTE above 0 and at most 1, found 0"},
      {{0, 1.0, 10001, 400000, 10000}, "expected an FTE above 0 and at most 1, found 1.0001"},
      {{0, 1.0, 10000, 400000, 0}, "expected a weight above 0, found 0"},
      {{0, 1.0, 10000, 0, 10000}, "expected a whole annual salary from 1 to 1000000000000 NOK, found 0"},
      {{0, 1.0, 10000, 1000000000001LL, 10000}, "found 1000000000001"},
  };
  for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
    mdt_test_employee e[2] = {{0, 2.0, 10000, 412345, 10000}, cases[k].bad};
    mdt_register *reg = mdt_test_register(e, 2);
    mdt_error_clear(&err);
    assert_int_equal(mdt_microsim_new(reg, groups, &sim, &err), MDT_EDATA);
    assert_message_has(err, cases[k].needle);
    assert_true(sim == (mdt_microsim *)0x1);
    mdt_test_register_free(reg);
  }
  /* The register's path is the error's file. */
  mdt_test_employee e[1] = {{5, 2.0, 10000, 412345, 10000}};
  mdt_register *reg = mdt_test_register(e, 1);
  reg->path = strdup("register.csv");
  assert_int_equal(mdt_microsim_new(reg, groups, &sim, &err), MDT_EDATA);
  assert_string_equal(err.file, "register.csv");
  assert_message_has(err, "register row 1:");
  /* Empty register, NULLs, missing columns, empty groups table. */
  reg->n = 0;
  assert_int_equal(mdt_microsim_new(reg, groups, &sim, &err), MDT_EDATA);
  assert_message_has(err, "expected a register with employees, found none");
  reg->n = 1;
  assert_int_equal(mdt_microsim_new(NULL, groups, &sim, &err), MDT_EUSAGE);
  assert_int_equal(mdt_microsim_new(reg, NULL, &sim, &err), MDT_EUSAGE);
  assert_int_equal(mdt_microsim_new(reg, groups, NULL, &err), MDT_EUSAGE);
  int32_t *col = reg->fte_e4;
  reg->fte_e4 = NULL;
  assert_int_equal(mdt_microsim_new(reg, groups, &sim, &err), MDT_EUSAGE);
  reg->fte_e4 = col;
  size_t ng = groups->n;
  groups->n = 0;
  assert_int_equal(mdt_microsim_new(reg, groups, &sim, &err), MDT_EDATA);
  assert_message_has(err, "expected a groups table with groups, found none");
  groups->n = ng;
  assert_true(sim == (mdt_microsim *)0x1);
  mdt_test_register_free(reg);
  mdt_test_groups_free(groups);
}

static void test_work_errors(void **state) {
  (void)state;
  fixture fx;
  hand_fixture(&fx, 1);
  mdt_microsim_work *w = (mdt_microsim_work *)0x1;
  mdt_error err;
  mdt_error_clear(&err);
  assert_int_equal(mdt_microsim_work_new(fx.sim, 0, &w, &err), MDT_EUSAGE);
  assert_message_has(err, "expected from 1 to 64 threads, found 0");
  assert_int_equal(mdt_microsim_work_new(fx.sim, 65, &w, &err), MDT_EUSAGE);
  assert_int_equal(mdt_microsim_work_new(NULL, 1, &w, &err), MDT_EUSAGE);
  assert_int_equal(mdt_microsim_work_new(fx.sim, 1, NULL, &err), MDT_EUSAGE);
  assert_true(w == (mdt_microsim_work *)0x1);
  mdt_settlement s;
  mdt_settlement_init(&s);
  mdt_microsim_effect e;
  mdt_microsim_report *r = NULL;
  assert_int_equal(mdt_microsim_pass(NULL, &s, &e, &err), MDT_EUSAGE);
  assert_int_equal(mdt_microsim_pass(fx.work, &s, NULL, &err), MDT_EUSAGE);
  assert_int_equal(mdt_microsim_pass(fx.work, NULL, &e, &err), MDT_EUSAGE);
  assert_int_equal(mdt_microsim_apply(NULL, &s, NULL, &r, &err), MDT_EUSAGE);
  assert_int_equal(mdt_microsim_apply(fx.work, &s, NULL, NULL, &err), MDT_EUSAGE);
  assert_int_equal(mdt_microsim_apply(fx.work, NULL, NULL, &r, &err), MDT_EUSAGE);
  assert_null(r);
  fixture_free(&fx);
}

/* Every bad settlement: the lean pass, the report and the guarantee say the same. */
static void expect_settlement_error(fixture *fx, const mdt_settlement *s, mdt_status st,
                                    const char *needle) {
  mdt_error err;
  mdt_microsim_effect e;
  memset(&e, 0x33, sizeof e);
  mdt_microsim_effect before = e;
  mdt_error_clear(&err);
  assert_int_equal(mdt_microsim_pass(fx->work, s, &e, &err), st);
  assert_message_has(err, needle);
  assert_memory_equal(&e, &before, sizeof e);
  mdt_microsim_report *r = NULL;
  mdt_error_clear(&err);
  assert_int_equal(mdt_microsim_apply(fx->work, s, NULL, &r, &err), st);
  assert_message_has(err, needle);
  assert_null(r);
  mdt_step_table *out = mdt_test_table(4);
  mdt_error_clear(&err);
  assert_int_equal(mdt_microsim_guarantee(fx->sim, s, out, &err), st);
  assert_message_has(err, needle);
  mdt_test_table_free(out);
}

static void test_settlement_errors(void **state) {
  (void)state;
  fixture fx;
  hand_fixture(&fx, 2);
  mdt_settlement s;
  const double bad_pct[] = {NAN, 0.0, 2.5, 3.0};

  mdt_settlement_init(&s);
  s.central_month = 0;
  expect_settlement_error(&fx, &s, MDT_EDATA,
                          "the central elements: expected an effective month from 1 to 12, found 0");
  s.central_month = 13;
  expect_settlement_error(&fx, &s, MDT_EDATA, "found 13");

  mdt_settlement_init(&s);
  s.pct = -0.5;
  expect_settlement_error(&fx, &s, MDT_EDATA,
                          "the central percent: expected a finite percentage from 0 to 1000, "
                          "found -0.5");
  s.pct = INFINITY;
  expect_settlement_error(&fx, &s, MDT_EDATA, "found inf");
  s.pct = 1000.5;
  expect_settlement_error(&fx, &s, MDT_EDATA, "found 1000.5");

  mdt_settlement_init(&s);
  s.pct_by_group = bad_pct;
  expect_settlement_error(&fx, &s, MDT_EDATA,
                          "the central percent of group 'fagarb': expected a finite percentage");
  /* Entries of groups that are not covered are not read. */
  const double ok_pct[] = {2.0, 3.0, NAN, -7.0};
  s.pct_by_group = ok_pct;
  pass_ok(fx.work, &s);

  mdt_settlement_init(&s);
  s.krone_nok = -1.0;
  expect_settlement_error(&fx, &s, MDT_EDATA,
                          "the general kroner increase: expected NOK per year from 0 to 1e+09, "
                          "found -1");
  mdt_settlement_init(&s);
  s.min_krone_nok = NAN;
  expect_settlement_error(&fx, &s, MDT_EDATA, "the kroner minimum: expected NOK per year");
  mdt_settlement_init(&s);
  s.table_scale = -0.25;
  expect_settlement_error(&fx, &s, MDT_EDATA,
                          "the kroner table's scale: expected a factor from 0 to 1e+06, found "
                          "-0.25");

  /* Tables. */
  mdt_step_table *t = mdt_test_table(3);
  mdt_settlement_init(&s);
  s.table = t;
  expect_settlement_error(&fx, &s, MDT_EDATA,
                          "the kroner table: expected a table of the 4 groups, found 3 groups");
  mdt_test_table_free(t);
  t = mdt_test_table(4);
  mdt_test_table_add(t, 1, 0, 1000);
  mdt_test_table_add(t, 1, 2.5, 2000);
  s.table = t;
  expect_settlement_error(&fx, &s, MDT_EDATA,
                          "the kroner table, group 'lektor': expected whole step years, "
                          "ascending, from 0 to 100, found 2.5");
  t->years[1 * MDT_STEPS_MAX + 1] = 101;
  expect_settlement_error(&fx, &s, MDT_EDATA, "found 101");
  t->years[1 * MDT_STEPS_MAX + 1] = 0;
  expect_settlement_error(&fx, &s, MDT_EDATA, "ascending");
  t->years[1 * MDT_STEPS_MAX + 1] = 6;
  t->nok[1 * MDT_STEPS_MAX + 1] = -5;
  expect_settlement_error(&fx, &s, MDT_EDATA,
                          "the kroner table, group 'lektor', step 6: expected NOK per year from "
                          "0 to 1e+09, found -5");
  t->nok[1 * MDT_STEPS_MAX + 1] = 5;
  t->nsteps[2] = MDT_STEPS_MAX + 1;
  expect_settlement_error(&fx, &s, MDT_EDATA, "group 'leder': expected at most 16 steps, found 17");
  t->nsteps[2] = 0;
  mdt_settlement_init(&s);
  s.guarantee = t;
  t->years[1 * MDT_STEPS_MAX + 1] = -2;
  expect_settlement_error(&fx, &s, MDT_EDATA, "the guarantee table, group 'lektor'");
  mdt_settlement_init(&s);
  s.new_guarantee = t;
  expect_settlement_error(&fx, &s, MDT_EDATA, "the new guarantee table, group 'lektor'");
  double *years = t->years;
  t->years = NULL;
  expect_settlement_error(&fx, &s, MDT_EUSAGE, "the new guarantee table: the table has no cells");
  t->years = years;
  mdt_test_table_free(t);

  /* The local pot. */
  mdt_settlement_init(&s);
  s.local_pct = -0.1;
  expect_settlement_error(&fx, &s, MDT_EDATA, "the local pot: expected a finite percentage");
  s.local_pct = 1.1;
  s.local_month = 0;
  expect_settlement_error(&fx, &s, MDT_EDATA,
                          "the local pot: expected an effective month from 1 to 12, found 0");
  s.local_pct = 0.0; /* no pot: its month is not read */
  pass_ok(fx.work, &s);

  /* Named increases. */
  mdt_named_increase named[2] = {{2, 4.1, 5}, {9, 1.0, 5}};
  mdt_settlement_init(&s);
  s.nnamed = 2;
  expect_settlement_error(&fx, &s, MDT_EUSAGE, "2 named increases announced, none given");
  s.named = named;
  expect_settlement_error(&fx, &s, MDT_EDATA,
                          "named increase 2: expected a group row below 4, found 9");
  named[1].group = 3;
  named[1].pct = NAN;
  expect_settlement_error(&fx, &s, MDT_EDATA,
                          "named increase 2 (group 'akad'): expected a finite percentage from 0 "
                          "to 1000, found nan");
  named[1].pct = 2.0;
  named[1].month = 14;
  expect_settlement_error(&fx, &s, MDT_EDATA,
                          "named increase 2 (group 'akad'): expected an effective month from 1 "
                          "to 12, found 14");

  /* Report options. */
  mdt_settlement_init(&s);
  mdt_microsim_report_options opt;
  mdt_microsim_report *r = NULL;
  mdt_error err;
  struct {
    double *field;
    double value;
    const char *needle;
  } bad_opts[] = {
      {&opt.overheng_pct, -100.0, "the area's overheng: expected a percentage above -100 or none"},
      {&opt.glidning_pct, INFINITY, "the area's glidning: expected"},
      {&opt.price_forecast_pct, -250.0, "the price forecast: expected"},
      {&opt.payroll_overhead_pct, -1.0, "the payroll overhead: expected a percentage from 0 to 1000"},
      {&opt.payroll_overhead_pct, NAN, "the payroll overhead"},
  };
  for (size_t k = 0; k < sizeof bad_opts / sizeof bad_opts[0]; k++) {
    mdt_microsim_report_options_init(&opt);
    *bad_opts[k].field = bad_opts[k].value;
    mdt_error_clear(&err);
    assert_int_equal(mdt_microsim_apply(fx.work, &s, &opt, &r, &err), MDT_EDATA);
    assert_message_has(err, bad_opts[k].needle);
    assert_null(r);
  }
  fixture_free(&fx);
}

static void test_format_e8(void **state) {
  (void)state;
  char buf[64];
  mdt_i128 v = (mdt_i128)746894632500000LL; /* 7 468 946.325 NOK */
  assert_string_equal(mdt_microsim_format_e8(v, 2, buf, sizeof buf), "7468946.33");
  assert_string_equal(mdt_microsim_format_e8(v, 3, buf, sizeof buf), "7468946.325");
  assert_string_equal(mdt_microsim_format_e8(v, 0, buf, sizeof buf), "7468946");
  assert_string_equal(mdt_microsim_format_e8(v, 8, buf, sizeof buf), "7468946.32500000");
  assert_string_equal(mdt_microsim_format_e8(-v, 2, buf, sizeof buf), "-7468946.33");
  assert_string_equal(mdt_microsim_format_e8(5, 2, buf, sizeof buf), "0.00");
  assert_string_equal(mdt_microsim_format_e8(-5, 2, buf, sizeof buf), "0.00");
  assert_string_equal(mdt_microsim_format_e8(500000, 2, buf, sizeof buf), "0.01");
  assert_string_equal(mdt_microsim_format_e8(-500000, 2, buf, sizeof buf), "-0.01");
  assert_string_equal(mdt_microsim_format_e8(123, 8, buf, sizeof buf), "0.00000123");
  /* 2^100 · 10^-8: beyond int64, exact. */
  mdt_i128 big = (mdt_i128)1 << 100;
  assert_string_equal(mdt_microsim_format_e8(big, 8, buf, sizeof buf),
                      "12676506002282294014967.03205376");
  assert_string_equal(mdt_microsim_format_e8(v, 9, buf, sizeof buf), "");
  assert_string_equal(mdt_microsim_format_e8(v, 2, buf, 10), ""); /* needs 11 bytes */
  assert_string_equal(mdt_microsim_format_e8(v, 2, buf, 11), "7468946.33");
  assert_null(mdt_microsim_format_e8(v, 2, NULL, 0));
}

static void test_free_null(void **state) {
  (void)state;
  mdt_microsim_free(NULL);
  mdt_microsim_work_free(NULL);
  mdt_microsim_report_free(NULL);
}

int main(void) {
  gsl_set_error_handler_off();
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_init),
      cmocka_unit_test(test_kroner_table_by_hand),
      cmocka_unit_test(test_kroner_only_is_exact),
      cmocka_unit_test(test_percent_with_minimum_by_hand),
      cmocka_unit_test(test_explicit_new_guarantee_by_hand),
      cmocka_unit_test(test_new_guarantee_table),
      cmocka_unit_test(test_coverage_and_named_on_covered),
      cmocka_unit_test(test_seniority_cells),
      cmocka_unit_test(test_real_2023_tables),
      cmocka_unit_test(test_large_thread_identity),
      cmocka_unit_test(test_register_errors),
      cmocka_unit_test(test_work_errors),
      cmocka_unit_test(test_settlement_errors),
      cmocka_unit_test(test_format_e8),
      cmocka_unit_test(test_free_null),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
