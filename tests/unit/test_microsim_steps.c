/*
 * Tests of the microsimulation's newer parts, worked by hand: percent elements on the pay
 * before the settlement, the total row as the wage-bill-weighted mean of the group rows
 * (per-group overheng and glidning), the base kroner table beside a scaled one, step moves
 * (ansiennitetsopprykk) and the register a year later.
 *
 * The expected values are hand calculations written next to them; none was obtained by
 * running the code under test.
 */
#include <gsl/gsl_errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/microsim_int.h"
#include "fixture_microsim.h"
#include "mandat/microsim.h"
#include "testutil.h"

#define assert_message_has(err, needle)                                                        \
  do {                                                                                         \
    if (strstr((err).message, (needle)) == NULL)                                               \
      fail_msg("message '%s' does not contain '%s'", (err).message, (needle));                 \
  } while (0)

/* As test_microsim.c: percentage points to 1e-11, money to a millionth of a krone. */
#define PP 1e-11
#define NOK 1e-6

#define E4(x) ((int32_t)((x)*10000.0 + 0.5))

static int64_t cell(const mdt_step_table *t, size_t g, size_t k) {
  return t->nok[g * MDT_STEPS_MAX + k];
}

/* A groups table, a register and a compiled microsim with a one-thread work area. */
typedef struct {
  mdt_groups *groups;
  mdt_register *reg;
  mdt_microsim *sim;
  mdt_microsim_work *work;
} simfx;

static void simfx_open(simfx *fx, size_t ngroups, const char *const *ids,
                       const char *const *chapters, const mdt_test_employee *e, size_t n) {
  memset(fx, 0, sizeof *fx);
  fx->groups = mdt_test_groups(ngroups, ids, chapters, NULL, NULL);
  fx->reg = mdt_test_register(e, n);
  mdt_error err;
  mdt_error_clear(&err);
  if (mdt_microsim_new(fx->reg, fx->groups, &fx->sim, &err) != MDT_OK)
    fail_msg("mdt_microsim_new: %s", mdt_test_errstr(&err));
  if (mdt_microsim_work_new(fx->sim, 1, &fx->work, &err) != MDT_OK)
    fail_msg("mdt_microsim_work_new: %s", mdt_test_errstr(&err));
}

static void simfx_close(simfx *fx) {
  mdt_microsim_work_free(fx->work);
  mdt_microsim_free(fx->sim);
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

/* ---- Percent elements on the pay before the settlement ---- */

/*
 * Groups a and b (chapter 4, covered) and c (chapter 5), no guarantee:
 *   a: 412 345 (fte 1, weight 1) and 538 210 (fte 0.8, weight 2.5: wf 2)
 *   b: 467 890 (fte 0.6, weight 1.25: wf 0.75)
 *   c: 701 234 (fte 1, weight 1)
 * Wage bills: a 412 345 + 2 · 538 210 = 1 488 765; b 0.75 · 467 890 = 350 917.5;
 * c 701 234; covered 1 839 682.5; area W = 2 540 916.5.
 * Settlement: 1.85 % + 17 250 NOK from May (8/12, 4/12); a local pot of 1.1 % from October
 * (3/12, 9/12); named 0.6 % for a from March (10/12, 2/12) and 2.35 % for c from July (6/12,
 * 6/12).
 * Central rises c = 0.0185 pay + 17 250: 7 628.3825 + 17 250 = 24 878.3825,
 * 9 956.885 + 17 250 = 27 206.885, 8 655.965 + 17 250 = 25 905.965.
 * The pot costs 1.1 · 3/12 = 0.275 pp of each covered group's bill and carries
 * 1.1 · 9/12 = 0.825 pp over, whatever the central elements; a's named increase
 * 0.6 · 10/12 = 0.5 pp and 0.6 · 2/12 = 0.1 pp; c's 2.35 · 6/12 = 1.175 pp both.
 *   a: Σ wf c = 24 878.3825 + 2 · 27 206.885 = 79 292.1525; central 79 292.1525 · 8/12
 *      / 1 488 765 = 3.5506903372929912 pp; effect 3.5506903372929912 + 0.275 + 0.5
 *      = 4.3256903372929912; carry-over 79 292.1525 · 4/12 / 1 488 765 = 1.7753451686464956
 *      + 0.825 + 0.1 = 2.7003451686464956; full-year rises c + (0.011 + 0.006) pay
 *      = 24 878.3825 + 7 009.865 = 31 888.2475 and 27 206.885 + 9 149.57 = 36 356.455,
 *      Σ wf = 31 888.2475 + 2 · 36 356.455 = 104 601.1575.
 *   b: Σ wf c = 0.75 · 25 905.965 = 19 429.47375; central 19 429.47375 · 8/12 / 350 917.5
 *      = 3.6911759886583031; effect + 0.275 = 3.966175988658303; rise 0.75 · (25 905.965
 *      + 5 146.79) = 23 289.56625.
 *   c: rise 0.0235 · 701 234 = 16 478.999.
 *   area: local 0.275 · 1 839 682.5 / W = 0.19910638051270083; named (0.006 · 1 488 765
 *      · 10/12 + 0.0235 · 701 234 · 6/12) / W = (7 443.825 + 8 239.4995) / W
 *      = 0.61723100700082034; central (79 292.1525 + 19 429.47375) · 8/12 / W
 *      = 2.5901841914128227; effect 3.4065215789263439; carry-over (98 721.62625 · 4/12
 *      + 0.011 · 1 839 682.5 · 9/12 + 0.006 · 1 488 765 · 2/12 + 8 239.4995) / W
 *      = 2.2752756288921732; cost 65 814.4175 + 5 059.126875 + 15 683.3245 = 86 556.868875;
 *      rise 98 721.62625 + 20 236.5075 + 8 932.59 + 16 478.999 = 144 369.72275.
 */
static const char *const pct_ids[] = {"a", "b", "c"};
static const char *const pct_chapters[] = {"4", "4", "5"};
static const mdt_test_employee pct_employees[] = {
    {0, 3.4, E4(1.0), 412345, E4(1.0)},
    {0, 11.2, E4(0.8), 538210, E4(2.5)},
    {1, 7.7, E4(0.6), 467890, E4(1.25)},
    {2, 19.0, E4(1.0), 701234, E4(1.0)},
};

static void test_percent_elements_on_old_pay(void **state) {
  (void)state;
  simfx fx;
  simfx_open(&fx, 3, pct_ids, pct_chapters, pct_employees, 4);
  mdt_named_increase named[2] = {{0, 0.6, 3}, {2, 2.35, 7}};
  mdt_settlement s;
  mdt_settlement_init(&s);
  s.pct = 1.85;
  s.krone_nok = 17250;
  s.central_month = 5;
  s.local_pct = 1.1;
  s.local_month = 10;
  s.named = named;
  s.nnamed = 2;
  mdt_microsim_report *r = apply_ok(fx.work, &s, NULL);
  const mdt_microsim_row *a = &r->groups[0], *b = &r->groups[1], *c = &r->groups[2];
  assert_near(a->wage_bill_nok, 1488765.0, 0);
  assert_near(b->wage_bill_nok, 350917.5, 0);
  assert_near(a->central_effect_pct, 3.5506903372929912, PP);
  assert_near(a->local_effect_pct, 0.275, PP);
  assert_near(a->named_effect_pct, 0.5, PP);
  assert_near(a->annual_effect_pct, 4.3256903372929912, PP);
  assert_near(a->carryover_pct, 2.7003451686464956, PP);
  assert_near(a->rise_nok, 104601.1575, NOK);
  assert_near(b->central_effect_pct, 3.6911759886583031, PP);
  assert_near(b->local_effect_pct, 0.275, PP);
  assert_near(b->named_effect_pct, 0.0, 0);
  assert_near(b->annual_effect_pct, 3.966175988658303, PP);
  assert_near(b->rise_nok, 23289.56625, NOK);
  assert_near(c->central_effect_pct, 0.0, 0);
  assert_near(c->local_effect_pct, 0.0, 0);
  assert_near(c->named_effect_pct, 1.175, PP);
  assert_near(c->carryover_pct, 1.175, PP);
  assert_near(c->rise_nok, 16478.999, NOK);
  const mdt_microsim_row *t = &r->total;
  assert_near(t->central_effect_pct, 2.5901841914128227, PP);
  assert_near(t->local_effect_pct, 0.19910638051270083, PP);
  assert_near(t->named_effect_pct, 0.61723100700082034, PP);
  assert_near(t->annual_effect_pct, 3.4065215789263439, PP);
  assert_near(t->carryover_pct, 2.2752756288921732, PP);
  assert_near(t->cost_nok, 86556.868875, NOK);
  assert_near(t->rise_nok, 144369.72275, NOK);
  /* Percentiles of the full-year rise: a's two employees are 1 and 2.5 of 3.5 heads. */
  assert_near(a->rise_p10_nok, 31888.2475, NOK);
  assert_near(a->rise_p90_nok, 36356.455, NOK);

  /* The percent elements cost the same, to the bit, without any central element, and with
   * a guarantee that lifts everybody in a and b instead (600 000 from step 0). */
  mdt_microsim_effect with = pass_ok(fx.work, &s);
  mdt_settlement bare = s;
  bare.pct = 0.0;
  bare.krone_nok = 0.0;
  mdt_microsim_effect without = pass_ok(fx.work, &bare);
  assert_true(with.local_pct == without.local_pct);
  assert_true(with.named_pct == without.named_pct);
  assert_near(without.central_pct, 0.0, 0);
  mdt_step_table *g = mdt_test_table(3);
  mdt_test_table_add(g, 0, 0, 600000);
  mdt_test_table_add(g, 1, 0, 600000);
  mdt_step_table *ng = mdt_test_table(3);
  mdt_test_table_add(ng, 0, 0, 600000);
  mdt_test_table_add(ng, 1, 0, 600000);
  bare.guarantee = g;
  bare.new_guarantee = ng;
  mdt_microsim_report *lifted = apply_ok(fx.work, &bare, NULL);
  /* a's lifts 600 000 - 412 345 = 187 655 and 2 · 61 790: 311 235 NOK, b's 0.75 · 132 110
   * = 99 082.5 NOK; the pot still costs 0.275 pp of the bills before the lifts. */
  assert_near(lifted->groups[0].local_effect_pct, 0.275, PP);
  assert_near(lifted->groups[1].local_effect_pct, 0.275, PP);
  assert_near(lifted->groups[0].named_effect_pct, 0.5, PP);
  assert_near(lifted->groups[0].central_effect_pct, 311235.0 * 8 / 12 / 1488765 * 100, PP);
  assert_true(lifted->total.local_effect_pct == r->total.local_effect_pct);
  /* Rises: a 311 235 + 0.017 · 1 488 765 = 311 235 + 25 309.005 = 336 544.005. */
  assert_near(lifted->groups[0].rise_nok, 336544.005, NOK);
  mdt_microsim_report_free(lifted);
  mdt_test_table_free(ng);
  mdt_test_table_free(g);
  mdt_microsim_report_free(r);
  simfx_close(&fx);
}

/* ---- The total row: wage-bill-weighted means of the group rows ---- */

static const char *const big_ids[] = {"g1", "g2", "g3", "c34", "c5"};
static const char *const big_chapters[] = {"4", "4", "4", "3.4", "5"};

/* Checks every figure of the total row against the group rows. */
static void assert_total_is_groups(const mdt_microsim_report *r) {
  double W = 0, growth = 0, o = 0, gl = 0, eff = 0, carry = 0, step = 0, step_carry = 0;
  double cost = 0, carry_nok = 0, rise = 0, step_rise = 0, step_emp = 0;
  for (size_t g = 0; g < r->ngroups; g++) {
    const mdt_microsim_row *row = &r->groups[g];
    double Wg = row->wage_bill_nok;
    W += Wg;
    growth += Wg * row->annual_growth_pct;
    o += Wg * row->overheng_pct;
    gl += Wg * row->glidning_pct;
    eff += Wg * row->annual_effect_pct;
    carry += Wg * row->carryover_pct;
    step += Wg * row->step_effect_pct;
    step_carry += Wg * row->step_carryover_pct;
    cost += row->cost_nok;
    carry_nok += row->carryover_nok;
    rise += row->rise_nok;
    step_rise += row->step_rise_nok;
    step_emp += row->step_employees;
  }
  const mdt_microsim_row *t = &r->total;
  assert_near(t->wage_bill_nok, W, 1e-6);
  assert_near(t->annual_growth_pct, growth / W, 1e-9);
  assert_near(t->overheng_pct, o / W, 1e-9);
  assert_near(t->glidning_pct, gl / W, 1e-9);
  assert_near(t->annual_effect_pct, eff / W, 1e-9);
  assert_near(t->carryover_pct, carry / W, 1e-9);
  assert_near(t->step_effect_pct, step / W, 1e-9);
  assert_near(t->step_carryover_pct, step_carry / W, 1e-9);
  assert_near(t->cost_nok, cost, 1e-6);
  assert_near(t->carryover_nok, carry_nok, 1e-6);
  assert_near(t->rise_nok, rise, 1e-6);
  assert_near(t->step_rise_nok, step_rise, 1e-6);
  assert_near(t->step_employees, step_emp, 1e-9);
}

/*
 * 600 drawn employees in five groups with their own overheng and glidning, a settlement
 * with every kind of element and step moves (guarantee steps at 0, 2, 4, 6, 8, 10, 16 years
 * for the three covered groups and the uncovered c5): the total row is the groups' rows
 * weighted by their wage bills, and its money the sum of theirs, with the glidning given
 * with and without the step moves in it.
 */
static void test_total_is_weighted_mean_of_groups(void **state) {
  (void)state;
  mdt_groups *groups = mdt_test_groups(5, big_ids, big_chapters, NULL, NULL);
  mdt_register *reg = mdt_test_register_random(600, 5, 977);
  mdt_microsim *sim = NULL;
  mdt_microsim_work *w = NULL;
  mdt_error err;
  mdt_error_clear(&err);
  assert_int_equal(mdt_microsim_new(reg, groups, &sim, &err), MDT_OK);
  assert_int_equal(mdt_microsim_work_new(sim, 2, &w, &err), MDT_OK);
  static const double steps[] = {0, 2, 4, 6, 8, 10, 16};
  mdt_step_table *g = mdt_test_table(5), *t = mdt_test_table(5);
  for (size_t grp = 0; grp < 5; grp++) {
    if (grp == 3)
      continue;
    for (size_t k = 0; k < 7; k++) {
      mdt_test_table_add(g, grp, steps[k], 415000 + 21000 * (int64_t)grp + 17300 * (int64_t)k);
      if (grp < 3)
        mdt_test_table_add(t, grp, steps[k], 19400 + 700 * (int64_t)k);
    }
  }
  mdt_named_increase named = {3, 3.85, 6};
  mdt_settlement s;
  mdt_settlement_init(&s);
  s.pct = 1.15;
  s.table = t;
  s.table_scale = 0.91;
  s.guarantee = g;
  s.local_pct = 0.65;
  s.local_month = 9;
  s.named = &named;
  s.nnamed = 1;
  const double o[] = {0.71, 1.13, 0.94, 1.52, 0.38};
  const double gl[] = {1.21, 0.87, 1.64, 2.05, 0.49};
  mdt_microsim_report_options opt;
  mdt_microsim_report_options_init(&opt);
  opt.group_overheng_pct = o;
  opt.group_glidning_pct = gl;
  opt.overheng_pct = 9.99; /* not read beside the arrays */
  opt.glidning_pct = 9.99;
  opt.payroll_overhead_pct = 21.7;
  opt.price_forecast_pct = 2.9;
  opt.step_moves = 1;
  for (int includes = 0; includes <= 1; includes++) {
    opt.glidning_includes_step_moves = includes;
    mdt_microsim_report *r = apply_ok(w, &s, &opt);
    assert_true(r->total.step_effect_pct > 0.05); /* the drawn register does move */
    for (size_t k = 0; k < 5; k++) {
      const mdt_microsim_row *row = &r->groups[k];
      assert_true(row->overheng_pct == o[k]);
      assert_near(row->glidning_pct, gl[k] - (includes ? row->step_effect_pct : 0.0), 1e-15);
      assert_near(row->annual_growth_pct,
                  o[k] + row->annual_effect_pct + row->step_effect_pct + row->glidning_pct,
                  1e-13);
    }
    assert_true(r->groups[3].step_effect_pct == 0.0); /* c34 has no guarantee */
    assert_total_is_groups(r);
    mdt_microsim_report_free(r);
  }
  /* Without step moves the same, with zero step figures. */
  opt.step_moves = 0;
  mdt_microsim_report *r = apply_ok(w, &s, &opt);
  assert_true(r->total.step_effect_pct == 0.0 && r->total.step_rise_nok == 0.0);
  assert_total_is_groups(r);
  mdt_microsim_report_free(r);
  /* One group's glidning unknown: its growth is unknown, and so is the area's mean. */
  double gl_unknown[] = {1.21, 0.87, NAN, 2.05, 0.49};
  opt.group_glidning_pct = gl_unknown;
  r = apply_ok(w, &s, &opt);
  assert_true(isnan(r->groups[2].annual_growth_pct) && !isnan(r->groups[1].annual_growth_pct));
  assert_true(isnan(r->total.glidning_pct) && isnan(r->total.annual_growth_pct));
  assert_true(!isnan(r->total.overheng_pct)); /* still known */
  mdt_microsim_report_free(r);
  /* A group's figure outside its domain is an error, like the scalars'. */
  double gl_bad[] = {1.21, 0.87, -150.0, 2.05, 0.49};
  opt.group_glidning_pct = gl_bad;
  r = NULL;
  mdt_error_clear(&err);
  assert_int_equal(mdt_microsim_apply(w, &s, &opt, &r, &err), MDT_EDATA);
  assert_message_has(err, "glidning: expected a percentage above -100 or none, found -150");
  assert_null(r);
  mdt_test_table_free(g);
  mdt_test_table_free(t);
  mdt_microsim_work_free(w);
  mdt_microsim_free(sim);
  mdt_test_register_free(reg);
  mdt_test_groups_free(groups);
}

/* ---- The base kroner table ---- */

/*
 * Group a (chapter 4) with guarantee 0: 400 000, 5: 430 000; group b (chapter 5, not
 * covered) with guarantee 0: 390 000. Base table (applied as written) a 0: 10 000,
 * 5: 12 500, b 0: 9 999; scaled table a 0: 4 000, 3: 6 000 with table_scale 0.375 (1 500,
 * 2 250); krone_nok 2 345; from January, so the annual effect is the whole rise.
 * New guarantee: a 0: 400 000 + 2 345 + 10 000 + 1 500 = 413 845;
 *                a 5: 430 000 + 2 345 + 12 500 + 2 250 (table step 3) = 447 095;
 *                b 0: unchanged 390 000 (not covered: its base amount is not applied).
 * Employees (fte 1, weight 1 unless said) and central rises A = 2 345 + base + 0.375 table:
 *   1: a, 1.4 years, 405 000: A = 13 845, 418 845 > 413 845          c = 13 845
 *   2: a, 3.2 years, 408 760, fte 0.8, weight 2 (wf 1.6): A = 2 345 + 10 000 + 2 250
 *      = 14 595, 423 355 > 413 845                                   c = 14 595
 *   3: a, 6.6 years, 428 000: A = 2 345 + 12 500 + 2 250 = 17 095, 445 095 < 447 095
 *                                                                    c = 19 095
 *   4: a, 12 years, 511 111: A = 17 095                              c = 17 095
 *   5: a, 0.5 years, 398 000: 411 845 < 413 845                      c = 15 845
 *   6: b, 4 years, 395 000: nothing.
 * Σ wf c = 13 845 + 1.6 · 14 595 + 19 095 + 17 095 + 15 845 = 13 845 + 23 352 + 19 095
 * + 17 095 + 15 845 = 89 232 NOK, exactly whole kroner. a's bill 405 000 + 1.6 · 408 760
 * + 428 000 + 511 111 + 398 000 = 2 396 127.
 */
static void test_base_table_by_hand(void **state) {
  (void)state;
  static const char *const ids[] = {"a", "b"};
  static const char *const chapters[] = {"4", "5"};
  const mdt_test_employee e[] = {
      {0, 1.4, E4(1.0), 405000, E4(1.0)},  {0, 3.2, E4(0.8), 408760, E4(2.0)},
      {0, 6.6, E4(1.0), 428000, E4(1.0)},  {0, 12.0, E4(1.0), 511111, E4(1.0)},
      {0, 0.5, E4(1.0), 398000, E4(1.0)},  {1, 4.0, E4(1.0), 395000, E4(1.0)},
  };
  simfx fx;
  simfx_open(&fx, 2, ids, chapters, e, 6);
  mdt_step_table *g = mdt_test_table(2), *base = mdt_test_table(2), *t = mdt_test_table(2);
  mdt_test_table_add(g, 0, 0, 400000);
  mdt_test_table_add(g, 0, 5, 430000);
  mdt_test_table_add(g, 1, 0, 390000);
  mdt_test_table_add(base, 0, 0, 10000);
  mdt_test_table_add(base, 0, 5, 12500);
  mdt_test_table_add(base, 1, 0, 9999);
  mdt_test_table_add(t, 0, 0, 4000);
  mdt_test_table_add(t, 0, 3, 6000);
  mdt_settlement s;
  mdt_settlement_init(&s);
  s.central_month = 1;
  s.krone_nok = 2345;
  s.base_table = base;
  s.table = t;
  s.table_scale = 0.375;
  s.guarantee = g;
  mdt_microsim_report *r = apply_ok(fx.work, &s, NULL);
  assert_true(r->groups[0].rise_e8 == (mdt_i128)89232 * 100000000);
  assert_true(r->groups[0].rise_frac_e8 == 0.0);
  assert_true(r->groups[1].rise_e8 == 0);
  assert_near(r->groups[0].annual_effect_pct, 89232.0 / 2396127.0 * 100.0, PP);
  /* Individual rises: 13 845, 14 595 (2 heads), 15 845, 17 095, 19 095 of 6 heads; the
   * median (3 of 6 reached exactly at 14 595) is (14 595 + 15 845) / 2 = 15 220. */
  assert_near(r->groups[0].rise_p50_nok, 15220.0, NOK);
  mdt_microsim_report_free(r);

  mdt_error err;
  mdt_error_clear(&err);
  mdt_step_table *out = mdt_test_table(2);
  assert_int_equal(mdt_microsim_guarantee(fx.sim, &s, out, &err), MDT_OK);
  assert_true(cell(out, 0, 0) == 413845 && cell(out, 0, 1) == 447095);
  assert_true(cell(out, 1, 0) == 390000);

  /* The base table is never scaled: at table_scale 0 only it and the kroner remain.
   * G' = 412 345 and 444 845; rises 12 345, 12 345 (wf 1.6), 442 845 < 444 845: 16 845,
   * 14 845, 410 345 < 412 345: 14 345; Σ = 12 345 + 19 752 + 16 845 + 14 845 + 14 345
   * = 78 132. At table_scale 2 (8 000 and 12 000): G' = 420 345 and 456 845; rises 20 345,
   * 24 345 (wf 1.6), 454 845 < 456 845: 28 845, 26 845, 418 345 < 420 345: 22 345;
   * Σ = 20 345 + 38 952 + 28 845 + 26 845 + 22 345 = 137 332. */
  s.table_scale = 0.0;
  r = apply_ok(fx.work, &s, NULL);
  assert_true(r->groups[0].rise_e8 == (mdt_i128)78132 * 100000000);
  mdt_microsim_report_free(r);
  assert_int_equal(mdt_microsim_guarantee(fx.sim, &s, out, &err), MDT_OK);
  assert_true(cell(out, 0, 0) == 412345 && cell(out, 0, 1) == 444845);
  s.table_scale = 2.0;
  r = apply_ok(fx.work, &s, NULL);
  assert_true(r->groups[0].rise_e8 == (mdt_i128)137332 * 100000000);
  mdt_microsim_report_free(r);
  assert_int_equal(mdt_microsim_guarantee(fx.sim, &s, out, &err), MDT_OK);
  assert_true(cell(out, 0, 0) == 420345 && cell(out, 0, 1) == 456845);

  /* b covered too: its base amount raises its guarantee, 390 000 + 2 345 + 9 999 = 402 344,
   * and its employee gets 2 345 + 9 999 = 12 344 (407 344 above the floor). */
  s.table_scale = 0.375;
  s.covered = (const unsigned char[]){1, 1};
  assert_int_equal(mdt_microsim_guarantee(fx.sim, &s, out, &err), MDT_OK);
  assert_true(cell(out, 1, 0) == 402344 && cell(out, 0, 0) == 413845);
  r = apply_ok(fx.work, &s, NULL);
  assert_true(r->groups[1].rise_e8 == (mdt_i128)12344 * 100000000);
  assert_true(r->groups[0].rise_e8 == (mdt_i128)89232 * 100000000);
  mdt_microsim_report_free(r);

  /* A base table of the wrong size is the caller's data error, named as such. */
  mdt_step_table *bad = mdt_test_table(3);
  s.base_table = bad;
  mdt_microsim_effect eff;
  mdt_error_clear(&err);
  assert_int_equal(mdt_microsim_pass(fx.work, &s, &eff, &err), MDT_EDATA);
  assert_message_has(err, "the base kroner table: expected a table of the 2 groups, found 3");
  mdt_test_table_free(bad);
  mdt_test_table_free(out);
  mdt_test_table_free(t);
  mdt_test_table_free(base);
  mdt_test_table_free(g);
  simfx_close(&fx);
}

/* ---- Step moves ---- */

/*
 * Group x (chapter 4, covered): guarantee 0: 420 000, 6: 455 000; kroner table 0: 15 300,
 * 6: 18 900 from May. Group y (chapter 5, not covered): guarantee 0: 300 000, 10: 520 000.
 * New guarantee of x: 0: 435 300, 6: 455 000 + 18 900 = 473 900.
 *   A  x  5.7 years  430 500  fte 1    weight 1  cell 5: reaches 6 years in month
 *        floor(12 · 0.3) + 1 = floor(3.6) + 1 = 4 (April)
 *   B  x  5.0        432 117  fte 1    weight 1  reaches 6 on 1 January next year: no move
 *   C  x  5.99       441 234  fte 0.5  weight 3  (wf 1.5) floor(12 · 0.01) + 1 = 1 (January)
 *   F  x  2.3        446 789  fte 1    weight 1  no step at 3 years: no move
 *   E  y  9.25       500 000  fte 1    weight 1  floor(12 · 0.75) + 1 = 10 (October)
 * (the register lists them E, C, A, F, B, so that next year's rows show the register order).
 * Central rises (the settlement uses the step as of 1 January, table step 0): 15 300 each
 * in x (430 500 + 15 300 = 445 800 > 435 300, and the others higher); Σ wf c = 15 300 · 4.5
 * = 68 850; this year 68 850 · 8/12 = 45 900, carried over 22 950.
 * Lifts (step's guarantee minus the pay of the month):
 *   A: April 455 000 - 430 500 = 24 500; May-Dec 473 900 - 445 800 = 28 100 (8 months):
 *      sum 24 500 + 224 800 = 249 300, this year 249 300 / 12 = 20 775, December 28 100.
 *   C: Jan-Apr 455 000 - 441 234 = 13 766 (4); May-Dec 473 900 - 456 534 = 17 366 (8):
 *      sum 55 064 + 138 928 = 193 992, / 12 = 16 166, December 17 366.
 *   E: not covered, so the current table: Oct-Dec 520 000 - 500 000 = 20 000 (3): sum
 *      60 000, / 12 = 5 000, December 20 000.
 * x: bill 430 500 + 432 117 + 1.5 · 441 234 + 446 789 = 1 971 257; step this year
 *    20 775 + 1.5 · 16 166 = 45 024, December 28 100 + 1.5 · 17 366 = 54 149, carried
 *    over 9 125; step_employees 1 + 3 = 4.
 *    central effect 45 900 / 1 971 257 = 2.3284635133825775 pp; step effect 45 024 /
 *    1 971 257 = 2.2840248633232503 pp; step carry-over 9 125 / 1 971 257
 *    = 0.46290260478466277 pp; carry-over (22 950 + 9 125) / 1 971 257
 *    = 1.6271343614759517 pp, 32 075 NOK; cost 45 900 + 45 024 = 90 924 NOK.
 *    With overheng 0.85 and glidning 3.15: growth 0.85 + 2.3284635133825775
 *    + 2.2840248633232503 + 3.15 = 8.6124883767058278; when the glidning includes the step
 *    moves it is 3.15 - 2.2840248633232503 = 0.86597513667674986 and growth
 *    0.85 + 2.3284635133825775 + 3.15 = 6.3284635133825775, as without step moves.
 * y: bill 500 000; step 5 000 / 500 000 = 1 pp, carry-over 15 000 / 500 000 = 3 pp, rise
 *    20 000; growth 0.85 + 1 + 3.15 = 5.0 (glidning incl.: 2.15, growth 4.0).
 * Area W = 2 471 257: effect 45 900 / W = 1.8573543747169963; step (45 024 + 5 000) / W
 *    = 50 024 / W = 2.0242330117830725; step carry-over (9 125 + 15 000) / W
 *    = 0.97622384074177637; carry-over (22 950 + 24 125) / W = 1.9049010281002745,
 *    47 075 NOK; step rise 54 149 + 20 000 = 74 149; step_employees 5; cost 95 924;
 *    growth 0.85 + 3.15 + 1.8573543747169963 + 2.0242330117830725 = 7.881587386500069;
 *    glidning incl.: 3.15 - 2.0242330117830725 = 1.1257669882169275, growth
 *    5.857354374716996.
 */
static const char *const step_ids[] = {"x", "y"};
static const char *const step_chapters[] = {"4", "5"};
static const mdt_test_employee step_employees[] = {
    {1, 9.25, E4(1.0), 500000, E4(1.0)}, /* E */
    {0, 5.99, E4(0.5), 441234, E4(3.0)}, /* C */
    {0, 5.7, E4(1.0), 430500, E4(1.0)},  /* A */
    {0, 2.3, E4(1.0), 446789, E4(1.0)},  /* F */
    {0, 5.0, E4(1.0), 432117, E4(1.0)},  /* B */
};
#define NSTEP (sizeof step_employees / sizeof step_employees[0])

typedef struct {
  simfx fx;
  mdt_step_table *guarantee;
  mdt_step_table *table;
} stepfx;

static void stepfx_open(stepfx *f) {
  simfx_open(&f->fx, 2, step_ids, step_chapters, step_employees, NSTEP);
  f->guarantee = mdt_test_table(2);
  mdt_test_table_add(f->guarantee, 0, 0, 420000);
  mdt_test_table_add(f->guarantee, 0, 6, 455000);
  mdt_test_table_add(f->guarantee, 1, 0, 300000);
  mdt_test_table_add(f->guarantee, 1, 10, 520000);
  f->table = mdt_test_table(2);
  mdt_test_table_add(f->table, 0, 0, 15300);
  mdt_test_table_add(f->table, 0, 6, 18900);
}

static void stepfx_close(stepfx *f) {
  mdt_test_table_free(f->table);
  mdt_test_table_free(f->guarantee);
  simfx_close(&f->fx);
}

static mdt_settlement step_settlement(const stepfx *f) {
  mdt_settlement s;
  mdt_settlement_init(&s);
  s.central_month = 5;
  s.table = f->table;
  s.guarantee = f->guarantee;
  return s;
}

static void step_options(mdt_microsim_report_options *opt, int step_moves, int includes) {
  mdt_microsim_report_options_init(opt);
  opt->overheng_pct = 0.85;
  opt->glidning_pct = 3.15;
  opt->step_moves = step_moves;
  opt->glidning_includes_step_moves = includes;
}

/* The month of a step move, by hand: seniority 5.25 on 1 January reaches 6 after 0.75 years,
 * 9 months, so from October (10); 5.5 from July; 5.99 within January; exactly 5 only next
 * year; past the last step year (cells stop at MDT_MICROSIM_MAX_STEP_YEARS) from January. */
static void test_move_month_by_hand(void **state) {
  (void)state;
  assert_int_equal(mdt__move_month(5, 5.25), 10);
  assert_int_equal(mdt__move_month(5, 5.5), 7);
  assert_int_equal(mdt__move_month(5, 5.99), 1);
  assert_int_equal(mdt__move_month(5, 5.0), 0);
  assert_int_equal(mdt__move_month(0, 0.0), 0);
  assert_int_equal(
      mdt__move_month(MDT_MICROSIM_MAX_STEP_YEARS, MDT_MICROSIM_MAX_STEP_YEARS + 12.3), 1);
  assert_int_equal(mdt__move_month(5, 1e300), 1);
}

static void test_step_moves_by_hand(void **state) {
  (void)state;
  stepfx f;
  stepfx_open(&f);
  mdt_settlement s = step_settlement(&f);
  mdt_microsim_report_options opt;
  step_options(&opt, 1, 0);
  mdt_microsim_report *r = apply_ok(f.fx.work, &s, &opt);
  const mdt_microsim_row *x = &r->groups[0], *y = &r->groups[1], *t = &r->total;
  assert_near(x->wage_bill_nok, 1971257.0, 0);
  assert_near(x->annual_effect_pct, 2.3284635133825775, PP);
  assert_near(x->step_effect_pct, 2.2840248633232503, PP);
  assert_near(x->step_rise_nok, 54149.0, NOK);
  assert_near(x->step_carryover_pct, 0.46290260478466277, PP);
  assert_near(x->step_employees, 4.0, 0);
  assert_near(x->carryover_pct, 1.6271343614759517, PP);
  assert_near(x->carryover_nok, 32075.0, NOK);
  assert_near(x->cost_nok, 90924.0, NOK);
  /* The settlement's own rise is apart from the step moves: 68 850 NOK, exactly. */
  assert_true(x->rise_e8 == (mdt_i128)68850 * 100000000);
  assert_near(x->glidning_pct, 3.15, 0);
  assert_near(x->annual_growth_pct, 8.6124883767058278, PP);
  assert_near(y->annual_effect_pct, 0.0, 0);
  assert_near(y->step_effect_pct, 1.0, PP);
  assert_near(y->step_carryover_pct, 3.0, PP);
  assert_near(y->carryover_pct, 3.0, PP);
  assert_near(y->step_rise_nok, 20000.0, NOK);
  assert_near(y->step_employees, 1.0, 0);
  assert_near(y->annual_growth_pct, 5.0, PP);
  assert_near(t->annual_effect_pct, 1.8573543747169963, PP);
  assert_near(t->step_effect_pct, 2.0242330117830725, PP);
  assert_near(t->step_carryover_pct, 0.97622384074177637, PP);
  assert_near(t->carryover_pct, 1.9049010281002745, PP);
  assert_near(t->carryover_nok, 47075.0, NOK);
  assert_near(t->step_rise_nok, 74149.0, NOK);
  assert_near(t->step_employees, 5.0, 0);
  assert_near(t->cost_nok, 95924.0, NOK);
  assert_near(t->annual_growth_pct, 7.881587386500069, PP);
  /* The lean pass has no step moves; the report's settlement effect is still its bits. */
  mdt_microsim_effect e = pass_ok(f.fx.work, &s);
  assert_true(e.annual_pct == t->annual_effect_pct);
  mdt_microsim_report_free(r);

  /* The glidning given already holds the step moves: the remainder is used beside them and
   * the growth is what it is without step moves. */
  step_options(&opt, 1, 1);
  r = apply_ok(f.fx.work, &s, &opt);
  assert_near(r->groups[0].step_effect_pct, 2.2840248633232503, PP);
  assert_near(r->groups[0].glidning_pct, 0.86597513667674986, PP);
  assert_near(r->groups[0].annual_growth_pct, 6.3284635133825775, PP);
  assert_near(r->groups[1].glidning_pct, 2.15, PP);
  assert_near(r->groups[1].annual_growth_pct, 4.0, PP);
  assert_near(r->total.glidning_pct, 1.1257669882169275, PP);
  assert_near(r->total.annual_growth_pct, 5.857354374716996, PP);
  mdt_microsim_report_free(r);

  /* Without step moves: every step figure is zero, and the same growth as just above. */
  step_options(&opt, 0, 1); /* includes is read only with step moves */
  r = apply_ok(f.fx.work, &s, &opt);
  for (size_t k = 0; k <= r->ngroups; k++) {
    const mdt_microsim_row *row = k < r->ngroups ? &r->groups[k] : &r->total;
    assert_true(row->step_effect_pct == 0.0 && row->step_carryover_pct == 0.0);
    assert_true(row->step_rise_nok == 0.0 && row->step_employees == 0.0);
    assert_near(row->glidning_pct, 3.15, 1e-15);
  }
  /* Carry-over of the kroner table alone: 22 950 / 1 971 257 and 22 950 NOK. */
  assert_near(r->groups[0].carryover_nok, 22950.0, NOK);
  assert_near(r->groups[0].carryover_pct, 22950.0 / 1971257.0 * 100.0, PP);
  assert_near(r->groups[0].annual_growth_pct, 6.3284635133825775, PP);
  assert_near(r->total.annual_growth_pct, 5.857354374716996, PP);
  assert_near(r->groups[1].cost_nok, 0.0, 0);
  mdt_microsim_report_free(r);
  stepfx_close(&f);
}

/*
 * The step lift is measured against the settled pay of each month, percent elements
 * included from their month: a local pot of 1 % from October on x adds 0.01 · 430 500
 * = 4 305 to A's pay and 0.01 · 441 234 = 4 412.34 to C's from October.
 *   A: April 24 500; May-Sep 28 100 (5); Oct-Dec 28 100 - 4 305 = 23 795 (3):
 *      sum 24 500 + 140 500 + 71 385 = 236 385, / 12 = 19 698.75, December 23 795.
 *   C: Jan-Apr 13 766 (4); May-Sep 17 366 (5); Oct-Dec 17 366 - 4 412.34 = 12 953.66 (3):
 *      sum 55 064 + 86 830 + 38 860.98 = 180 754.98, / 12 = 15 062.915, December 12 953.66.
 * x: step this year 19 698.75 + 1.5 · 15 062.915 = 42 293.1225 (/ 1 971 257
 *    = 2.1454900350385566 pp); December 23 795 + 1.5 · 12 953.66 = 43 225.49; carried over
 *    932.3675 (0.047298119930582368 pp). The pot itself: 1 · 3/12 = 0.25 pp.
 */
static void test_step_moves_beside_a_pot(void **state) {
  (void)state;
  stepfx f;
  stepfx_open(&f);
  mdt_settlement s = step_settlement(&f);
  s.local_pct = 1.0;
  s.local_month = 10;
  mdt_microsim_report_options opt;
  step_options(&opt, 1, 0);
  mdt_microsim_report *r = apply_ok(f.fx.work, &s, &opt);
  const mdt_microsim_row *x = &r->groups[0];
  assert_near(x->local_effect_pct, 0.25, PP);
  assert_near(x->step_effect_pct, 2.1454900350385566, PP);
  assert_near(x->step_rise_nok, 43225.49, NOK);
  assert_near(x->step_carryover_pct, 0.047298119930582368, PP);
  assert_near(x->step_employees, 4.0, 0);
  /* y is not covered: the pot does not reach it and its move is as before. */
  assert_near(r->groups[1].step_effect_pct, 1.0, PP);
  assert_near(r->groups[1].local_effect_pct, 0.0, 0);
  mdt_microsim_report_free(r);
  stepfx_close(&f);
}

/* ---- The register a year later ---- */

static mdt_register *next_year_ok(mdt_microsim_work *w, const mdt_register *reg,
                                  const mdt_settlement *s,
                                  const mdt_microsim_report_options *opt) {
  mdt_register *next = NULL;
  mdt_error err;
  mdt_error_clear(&err);
  if (mdt_microsim_next_year(w, reg, s, opt, &next, &err) != MDT_OK)
    fail_msg("mdt_microsim_next_year: %s", mdt_test_errstr(&err));
  return next;
}

/*
 * December's pay (the hand values of test_step_moves_by_hand), rows in register order
 * E, C, A, F, B:
 *   E 500 000 + 20 000 (lift) = 520 000;  C 441 234 + 15 300 + 17 366 = 473 900;
 *   A 430 500 + 15 300 + 28 100 = 473 900;  F 446 789 + 15 300 = 462 089;
 *   B 432 117 + 15 300 = 447 417.
 * Without step moves: E 500 000, C 456 534, A 445 800, F and B as above.
 * With the pot of 1 % from October (full-year 1 % of old pay) and step moves:
 *   C 441 234 + 15 300 + 4 412.34 + 12 953.66 = 473 900; A 430 500 + 15 300 + 4 305
 *   + 23 795 = 473 900; F 446 789 + 15 300 + 4 467.89 = 466 556.89 -> 466 557;
 *   B 432 117 + 15 300 + 4 321.17 = 451 738.17 -> 451 738; E 520 000.
 */
static void test_next_year(void **state) {
  (void)state;
  stepfx f;
  stepfx_open(&f);
  f.fx.reg->path = strdup("register.csv");
  for (size_t i = 0; i < NSTEP; i++)
    f.fx.reg->respondent[i] = (int32_t)(40 + 3 * i);
  mdt_settlement s = step_settlement(&f);
  mdt_microsim_report_options opt;
  step_options(&opt, 1, 0);
  mdt_register *next = next_year_ok(f.fx.work, f.fx.reg, &s, &opt);
  assert_int_equal(next->n, NSTEP);
  assert_string_equal(next->path, "register.csv");
  assert_int_equal(next->has_weight, 1);
  const int64_t pay[] = {520000, 473900, 473900, 462089, 447417};
  for (size_t i = 0; i < NSTEP; i++) {
    assert_true(next->salary_nok[i] == pay[i]);
    assert_near(next->seniority_years[i], step_employees[i].seniority_years + 1.0, 1e-12);
    assert_int_equal(next->group[i], step_employees[i].group);
    assert_int_equal(next->fte_e4[i], step_employees[i].fte_e4);
    assert_int_equal(next->weight_e4[i], step_employees[i].weight_e4);
    assert_int_equal(next->respondent[i], 40 + 3 * (int)i);
  }
  assert_near(next->seniority_years[2], 6.7, 1e-12);
  mdt_register_free(next);

  /* Without step moves (and with no options at all: the defaults have none). */
  const int64_t pay_no_steps[] = {500000, 456534, 445800, 462089, 447417};
  step_options(&opt, 0, 0);
  for (int k = 0; k < 2; k++) {
    next = next_year_ok(f.fx.work, f.fx.reg, &s, k == 0 ? &opt : NULL);
    for (size_t i = 0; i < NSTEP; i++)
      assert_true(next->salary_nok[i] == pay_no_steps[i]);
    mdt_register_free(next);
  }

  /* The pot's fractions of a krone are rounded once, to whole kroner. */
  s.local_pct = 1.0;
  s.local_month = 10;
  step_options(&opt, 1, 0);
  next = next_year_ok(f.fx.work, f.fx.reg, &s, &opt);
  const int64_t pay_pot[] = {520000, 473900, 473900, 466557, 451738};
  for (size_t i = 0; i < NSTEP; i++)
    assert_true(next->salary_nok[i] == pay_pot[i]);

  /* The new register compiles for the second year, with its wage bill at December's pay. */
  mdt_microsim *sim2 = NULL;
  mdt_microsim_work *w2 = NULL;
  mdt_error err;
  mdt_error_clear(&err);
  assert_int_equal(mdt_microsim_new(next, f.fx.groups, &sim2, &err), MDT_OK);
  assert_int_equal(mdt_microsim_work_new(sim2, 1, &w2, &err), MDT_OK);
  mdt_settlement none;
  mdt_settlement_init(&none);
  mdt_microsim_report *r = apply_ok(w2, &none, NULL);
  /* 520 000 + 1.5 · 473 900 + 473 900 + 466 557 + 451 738 = 520 000 + 710 850 + 473 900
   * + 466 557 + 451 738 = 2 623 045. */
  assert_true(r->total.wage_bill_e8 == (mdt_i128)262304500000000LL);
  assert_true(r->total.rise_e8 == 0);
  mdt_microsim_report_free(r);
  mdt_microsim_work_free(w2);
  mdt_microsim_free(sim2);
  mdt_register_free(next);

  /* Errors: a register other than the compiled one, NULLs, a bad settlement. */
  mdt_register *other = mdt_test_register(step_employees, NSTEP - 1);
  next = (mdt_register *)0x1;
  mdt_error_clear(&err);
  assert_int_equal(mdt_microsim_next_year(f.fx.work, other, &s, &opt, &next, &err),
                   MDT_EUSAGE);
  assert_message_has(err, "expected the register of 5 rows the microsim was compiled from, "
                          "found 4 rows");
  assert_int_equal(mdt_microsim_next_year(f.fx.work, NULL, &s, &opt, &next, &err), MDT_EUSAGE);
  assert_int_equal(mdt_microsim_next_year(NULL, f.fx.reg, &s, &opt, &next, &err), MDT_EUSAGE);
  assert_int_equal(mdt_microsim_next_year(f.fx.work, f.fx.reg, NULL, &opt, &next, &err),
                   MDT_EUSAGE);
  assert_int_equal(mdt_microsim_next_year(f.fx.work, f.fx.reg, &s, &opt, NULL, &err),
                   MDT_EUSAGE);
  s.krone_nok = -5.0;
  assert_int_equal(mdt_microsim_next_year(f.fx.work, f.fx.reg, &s, &opt, &next, &err),
                   MDT_EDATA);
  assert_true(next == (mdt_register *)0x1);
  mdt_test_register_free(other);
  stepfx_close(&f);
}

int main(void) {
  gsl_set_error_handler_off();
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_percent_elements_on_old_pay),
      cmocka_unit_test(test_total_is_weighted_mean_of_groups),
      cmocka_unit_test(test_base_table_by_hand),
      cmocka_unit_test(test_move_month_by_hand),
      cmocka_unit_test(test_step_moves_by_hand),
      cmocka_unit_test(test_step_moves_beside_a_pot),
      cmocka_unit_test(test_next_year),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
