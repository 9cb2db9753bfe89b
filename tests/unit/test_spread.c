/* How a settlement's rises spread over pay: the low-pay ratio and falling real wages. */
#include <math.h>
#include <stdlib.h>

#include "fixture_microsim.h"
#include "mandat/microsim.h"
#include "testutil.h"

/*
 * Five full-time employees of one chapter-4 group, paid 300, 400, 500, 600 and 700 thousand,
 * one employee each. The employee-weighted 20th percentile of pay is 300 000 (cumulative
 * weight 1 of 5 reaches 0.2 x 5 there) and the 80th is 600 000 (4 of 5): the lowest-paid
 * fifth is {300 000}, the highest {600 000, 700 000}.
 * Settlement: 12 000 NOK for everyone from 1 May.
 *   low rise  = 12 000 / 300 000 = 4 %
 *   high rise = 24 000 / 1 300 000 = 1.846... %
 *   ratio     = 4 / (24 000 / 1 300 000) x 100 = 216.67 %
 * Real wages, with the group's overheng 1.0, glidning 0.5 (given in the options) and a price
 * forecast of 3.0: each employee's annual effect is 12 000 x 8/12 / pay = 8 000 / pay: 2.667,
 * 2.0, 1.6, 1.333 and 1.143 %; growth 1.5 + effect is below 3.0 for the two best paid: 2 of 5
 * = 0.4. The groups table's own overheng 2.0 (growth 2.5 + effect >= 3.643: nobody would
 * fall) is not read.
 * With a local pot of 1 % from 1 October on top (on the pay before the settlement, 3/12 of
 * it this year): full-year rises 12 000 + 3 000 = 15 000 at 300 000, 12 000 + 6 000 and
 * 12 000 + 7 000 at the top: low 15 000 / 300 000 = 5 %, high 37 000 / 1 300 000
 * = 2.846153846153846 %; effects + 0.25: 2.917, 2.25, 1.85, 1.583, 1.393; growth 1.5 +
 * effect below 3.0 only for 700 000 (2.893): 1 of 5 = 0.2.
 */
static void test_spread_by_hand(void **state) {
  (void)state;
  const char *ids[] = {"g1"}, *ch[] = {"4"};
  double own_o[] = {2.0}, own_gl[] = {0.5}, o[] = {1.0}, gl[] = {0.5};
  mdt_groups *groups = mdt_test_groups(1, ids, ch, own_o, own_gl);
  mdt_test_employee e[5];
  for (int i = 0; i < 5; i++)
    e[i] = (mdt_test_employee){0, 3.0 + i, 10000, 300000 + 100000 * (int64_t)i, 10000};
  mdt_register *reg = mdt_test_register(e, 5);
  mdt_microsim *sim = NULL;
  mdt_microsim_work *w = NULL;
  mdt_error err;
  assert_int_equal(mdt_microsim_new(reg, groups, &sim, &err), MDT_OK);
  assert_int_equal(mdt_microsim_work_new(sim, 1, &w, &err), MDT_OK);
  mdt_settlement s;
  mdt_settlement_init(&s);
  s.krone_nok = 12000;
  mdt_microsim_report_options ro;
  mdt_microsim_report_options_init(&ro);
  ro.price_forecast_pct = 3.0;
  ro.group_overheng_pct = o;
  ro.group_glidning_pct = gl;
  mdt_microsim_spread sp;
  assert_int_equal(mdt_microsim_spread_of(w, &s, &ro, &sp, &err), MDT_OK);
  assert_near(sp.low_rise_pct, 4.0, 1e-12);
  assert_near(sp.high_rise_pct, 24000.0 / 1300000 * 100, 1e-12);
  assert_near(sp.low_pay_ratio_pct, 4.0 / (24000.0 / 1300000 * 100) * 100, 1e-9);
  assert_near(sp.real_fall_share, 0.4, 0);
  /* The same from the scalars, which stand for every group. */
  ro.group_overheng_pct = ro.group_glidning_pct = NULL;
  ro.overheng_pct = 1.0;
  ro.glidning_pct = 0.5;
  assert_int_equal(mdt_microsim_spread_of(w, &s, &ro, &sp, &err), MDT_OK);
  assert_near(sp.real_fall_share, 0.4, 0);
  /* A local pot on the old pay. */
  s.local_pct = 1.0;
  s.local_month = 10;
  assert_int_equal(mdt_microsim_spread_of(w, &s, &ro, &sp, &err), MDT_OK);
  assert_near(sp.low_rise_pct, 5.0, 1e-12);
  assert_near(sp.high_rise_pct, 2.846153846153846, 1e-12);
  assert_near(sp.real_fall_share, 0.2, 0);
  s.local_pct = 0.0;
  /* An equal percent gives every fifth the same rise: ratio 100 %. */
  s.krone_nok = 0;
  s.pct = 3.3;
  assert_int_equal(mdt_microsim_spread_of(w, &s, &ro, &sp, &err), MDT_OK);
  assert_near(sp.low_pay_ratio_pct, 100.0, 1e-9);
  /* 3.3 % from May adds 2.2 % for everyone: growth 3.7 > 3.0, nobody falls. */
  assert_near(sp.real_fall_share, 0.0, 0);
  /* Without a price forecast the share is undefined. */
  ro.price_forecast_pct = NAN;
  assert_int_equal(mdt_microsim_spread_of(w, &s, &ro, &sp, &err), MDT_OK);
  assert_true(isnan(sp.real_fall_share));
  assert_int_equal(mdt_microsim_spread_of(NULL, &s, &ro, &sp, &err), MDT_EUSAGE);
  mdt_microsim_work_free(w);
  mdt_microsim_free(sim);
  mdt_test_register_free(reg);
  mdt_test_groups_free(groups);
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_spread_by_hand)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
