/*
 * Tests of the allocation rules: closed-form solves worked by hand, every rule landing on the
 * room (checked by an independent full pass), the cost rising with the solved scalar,
 * theta = 0 equal to the percent rule to the bit, clamping to floors and caps by hand,
 * infeasible rooms with their best-effort settlements, bad inputs, and a large register
 * solved with 1 and 3 threads.
 */
#include <gsl/gsl_errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture_microsim.h"
#include "mandat/allocate.h"
#include "mandat/microsim.h"
#include "testutil.h"

#define assert_message_has(err, needle)                                                        \
  do {                                                                                         \
    if (strstr((err).message, (needle)) == NULL)                                               \
      fail_msg("message '%s' does not contain '%s'", (err).message, (needle));                 \
  } while (0)

#define E4(x) ((int32_t)((x)*10000.0 + 0.5))

/* The twelve employees of test_microsim.c (see its header comment for the table):
 * covered g0 and g1 (chapter 4), leaders g2 (3.4), academics g3 (5). Area wage bill
 * 7 468 946.325 NOK; covered 2 483 468.2 + 1 991 478.125 = 4 474 946.325 NOK over
 * 5.9 + 3.625 = 9.525 FTE. */
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
  mdt_allocator *alloc;
} fixture;

static void fixture_open(fixture *fx, mdt_groups *groups, mdt_register *reg, int threads) {
  fx->groups = groups;
  fx->reg = reg;
  mdt_error err;
  mdt_error_clear(&err);
  if (mdt_microsim_new(reg, groups, &fx->sim, &err) != MDT_OK)
    fail_msg("mdt_microsim_new: %s", mdt_test_errstr(&err));
  if (mdt_microsim_work_new(fx->sim, threads, &fx->work, &err) != MDT_OK)
    fail_msg("mdt_microsim_work_new: %s", mdt_test_errstr(&err));
  if (mdt_allocator_new(fx->work, &fx->alloc, &err) != MDT_OK)
    fail_msg("mdt_allocator_new: %s", mdt_test_errstr(&err));
}

static void hand_fixture(fixture *fx, int threads) {
  static const char *const ids[] = {"fagarb", "lektor", "leder", "akad"};
  static const char *const chapters[] = {"4", "4", "3.4", "5"};
  memset(fx, 0, sizeof *fx);
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
  fixture_open(fx, mdt_test_groups(4, ids, chapters, NULL, NULL),
               mdt_test_register(hand_employees, NHAND), threads);
}

static void fixture_free(fixture *fx) {
  mdt_allocator_free(fx->alloc);
  mdt_microsim_work_free(fx->work);
  mdt_microsim_free(fx->sim);
  mdt_test_table_free(fx->table);
  mdt_test_table_free(fx->guarantee);
  mdt_test_register_free(fx->reg);
  mdt_test_groups_free(fx->groups);
}

static mdt_allocation_result solve_ok(fixture *fx, const mdt_settlement *base,
                                      const mdt_allocation *spec) {
  mdt_allocation_result r;
  mdt_error err;
  mdt_error_clear(&err);
  if (mdt_allocator_solve(fx->alloc, base, spec, &r, &err) != MDT_OK)
    fail_msg("mdt_allocator_solve (%s): %s", mdt_rule_name(spec->rule), mdt_test_errstr(&err));
  assert_int_equal(r.feasible, 1);
  return r;
}

static mdt_allocation_result solve_fail(fixture *fx, const mdt_settlement *base,
                                        const mdt_allocation *spec, mdt_status st,
                                        const char *needle) {
  mdt_allocation_result r;
  memset(&r, 0x5a, sizeof r);
  mdt_error err;
  mdt_error_clear(&err);
  assert_int_equal(mdt_allocator_solve(fx->alloc, base, spec, &r, &err), st);
  assert_message_has(err, needle);
  return r;
}

/* The annual effect of a settlement from the full pass (independent of the solver's). */
static double full_effect(fixture *fx, const mdt_settlement *s) {
  mdt_microsim_report *rep = NULL;
  mdt_error err;
  mdt_error_clear(&err);
  if (mdt_microsim_apply(fx->work, s, NULL, &rep, &err) != MDT_OK)
    fail_msg("mdt_microsim_apply: %s", mdt_test_errstr(&err));
  double e = rep->total.annual_effect_pct;
  mdt_microsim_report_free(rep);
  return e;
}

static void test_names_and_init(void **state) {
  (void)state;
  assert_string_equal(mdt_rule_name(MDT_RULE_PERCENT), "percent");
  assert_string_equal(mdt_rule_name(MDT_RULE_PERCENT_MIN_KRONE), "percent_min_krone");
  assert_string_equal(mdt_rule_name(MDT_RULE_MIXED), "mixed");
  assert_string_equal(mdt_rule_name((mdt_rule)42), "?");
  mdt_rule r = MDT_RULE_PERCENT;
  mdt_error err;
  mdt_error_clear(&err);
  assert_int_equal(mdt_rule_from_name("priority", &r, &err), MDT_OK);
  assert_int_equal(r, MDT_RULE_PRIORITY);
  assert_int_equal(mdt_rule_from_name("table", &r, &err), MDT_OK);
  assert_int_equal(r, MDT_RULE_TABLE);
  assert_int_equal(mdt_rule_from_name("Percent", &r, &err), MDT_EDATA);
  assert_message_has(err, "expected a rule (percent, krone, percent_min_krone, table, priority "
                          "or mixed), found 'Percent'");
  assert_int_equal(r, MDT_RULE_TABLE);
  assert_int_equal(mdt_rule_from_name(NULL, &r, &err), MDT_EUSAGE);
  assert_int_equal(mdt_rule_from_name("krone", NULL, &err), MDT_EUSAGE);

  mdt_allocation a;
  memset(&a, 0x5a, sizeof a);
  mdt_allocation_init(&a);
  assert_int_equal(a.rule, MDT_RULE_PERCENT);
  assert_true(a.room_annual_pct == 0.0 && a.tolerance_pct == MDT_ALLOCATE_TOLERANCE_PCT);
  assert_null(a.table);
  assert_null(a.profile);
  assert_null(a.floor_pct);
  assert_null(a.cap_pct);
  assert_true(a.theta == 0.0 && a.krone_share == 0.0 && a.min_krone_nok == 0.0);
}

/*
 * Closed forms, no guarantee, no pot: from May a covered percent p costs
 * p · 4 474 946.325 · 8/12 / 7 468 946.325, so a room of 2.0 pp needs
 * p = 2.0 · 7 468 946.325 · 12 / (8 · 4 474 946.325) = 5.007174912874514 %;
 * kroner a cost a · 9.525 FTE · 8/12 / 7 468 946.325 · 100, so
 * a = 0.02 · 7 468 946.325 · 12 / (8 · 9.525) = 23 524.240393700788 NOK.
 */
static void test_closed_forms(void **state) {
  (void)state;
  fixture fx;
  hand_fixture(&fx, 1);
  mdt_settlement base;
  mdt_settlement_init(&base);
  mdt_allocation spec;
  mdt_allocation_init(&spec);
  spec.room_annual_pct = 2.0;
  spec.tolerance_pct = 1e-12;
  mdt_allocation_result r = solve_ok(&fx, &base, &spec);
  assert_near(r.scalar, 5.007174912874514, 1e-10);
  assert_true(r.settlement.pct == r.scalar);
  assert_null(r.settlement.pct_by_group);
  assert_null(r.z);
  assert_null(r.clamped);
  assert_near(r.annual_effect_pct, 2.0, 1e-12);
  assert_near(r.effect.central_pct, 2.0, 1e-12);
  assert_near(r.effect.carryover_pct, 1.0, 1e-12); /* 4/12 against 8/12 */
  assert_near(r.room_annual_pct, 2.0, 0);
  assert_true(r.passes >= 2 && r.passes < 40);

  spec.rule = MDT_RULE_KRONE;
  r = solve_ok(&fx, &base, &spec);
  assert_near(r.scalar, 23524.240393700788, 1e-6);
  assert_true(r.settlement.krone_nok == r.scalar);
  assert_near(full_effect(&fx, &r.settlement), 2.0, 1e-12);

  /* Exactly at zero: room = what the fixed elements cost (leaders 4.1 % from May:
   * 0.041 · 2 303 100 · 8/12 / 7 468 946.325 · 100 = 0.8428417779531974 pp). */
  mdt_named_increase leaders = {2, 4.1, 5};
  base.named = &leaders;
  base.nnamed = 1;
  spec.rule = MDT_RULE_PERCENT;
  spec.room_annual_pct = 0.8428417779531974;
  spec.tolerance_pct = 1e-9;
  r = solve_ok(&fx, &base, &spec);
  assert_true(r.scalar == 0.0);
  assert_int_equal(r.iterations, 0);
  assert_int_equal(r.passes, 1);
  fixture_free(&fx);
}

/* A base with every kind of fixed element: guarantee floors, the local pot from October,
 * leaders from May, and an April central month. */
static mdt_settlement rich_base(const fixture *fx, mdt_named_increase *leaders) {
  mdt_settlement s;
  mdt_settlement_init(&s);
  s.central_month = 4;
  s.guarantee = fx->guarantee;
  s.local_pct = 0.45;
  s.local_month = 10;
  leaders->group = 2;
  leaders->pct = 3.85;
  leaders->month = 5;
  s.named = leaders;
  s.nnamed = 1;
  return s;
}

static const double hand_profile[] = {0.31, 0.77, NAN, NAN};

static void set_rule(mdt_allocation *spec, mdt_rule rule, const fixture *fx) {
  spec->rule = rule;
  spec->min_krone_nok = 19250;
  spec->table = fx->table;
  spec->krone_share = 0.4;
  spec->theta = 0.8;
  spec->profile = hand_profile;
}

static void test_every_rule_lands_on_room(void **state) {
  (void)state;
  fixture fx;
  hand_fixture(&fx, 1);
  mdt_named_increase leaders;
  mdt_settlement base = rich_base(&fx, &leaders);
  /* percent_min_krone's minimum of 19 250 alone costs 2.0 pp from April: rooms above 3. */
  const double rooms[] = {3.2, 4.1, 4.873};
  for (int rule = 0; rule < MDT_RULE_COUNT; rule++)
    for (size_t k = 0; k < 3; k++) {
      mdt_allocation spec;
      mdt_allocation_init(&spec);
      set_rule(&spec, (mdt_rule)rule, &fx);
      spec.room_annual_pct = rooms[k];
      mdt_allocation_result r = solve_ok(&fx, &base, &spec);
      if (!(fabs(r.annual_effect_pct - rooms[k]) < 1e-9))
        fail_msg("%s, room %g: effect %.17g", mdt_rule_name(spec.rule), rooms[k],
                 r.annual_effect_pct);
      /* The full pass on the solved settlement agrees. */
      assert_near(full_effect(&fx, &r.settlement), rooms[k], 1e-9);
      assert_true(r.scalar > 0.0);
      /* The fixed elements are untouched. */
      assert_true(r.settlement.local_pct == 0.45 && r.settlement.nnamed == 1);
      assert_true(r.settlement.guarantee == fx.guarantee);
      switch (spec.rule) {
      case MDT_RULE_PERCENT_MIN_KRONE:
        assert_true(r.settlement.min_krone_nok == 19250 && r.settlement.pct == r.scalar);
        break;
      case MDT_RULE_TABLE:
        assert_true(r.settlement.table == fx.table && r.settlement.table_scale == r.scalar);
        break;
      case MDT_RULE_MIXED:
        /* 40 % as equal kroner: krone = 0.4 x / 100 · (4 474 946.325 / 9.525). */
        assert_near(r.settlement.pct, 0.6 * r.scalar, 1e-15);
        assert_near(r.settlement.krone_nok, 0.4 * r.scalar / 100.0 * (4474946.325 / 9.525),
                    1e-8);
        break;
      case MDT_RULE_PRIORITY:
        assert_true(r.settlement.pct_by_group == r.pct_by_group);
        /* g1 has the higher priority: a higher percent. */
        assert_true(r.pct_by_group[1] > r.scalar && r.scalar > r.pct_by_group[0]);
        break;
      default:
        break;
      }
    }
  fixture_free(&fx);
}

/* The cost never falls as the scalar grows, and it does grow. */
static void test_cost_rises_with_scalar(void **state) {
  (void)state;
  fixture fx;
  hand_fixture(&fx, 1);
  mdt_named_increase leaders;
  mdt_settlement base = rich_base(&fx, &leaders);
  const double top[MDT_RULE_COUNT] = {8.0, 45000.0, 8.0, 1.7, 8.0, 8.0};
  mdt_error err;
  mdt_error_clear(&err);
  for (int rule = 0; rule < MDT_RULE_COUNT; rule++) {
    mdt_allocation spec;
    mdt_allocation_init(&spec);
    set_rule(&spec, (mdt_rule)rule, &fx);
    spec.room_annual_pct = 2.0;
    double prev = -1.0, first = 0.0;
    for (int i = 0; i <= 400; i++) {
      double x = top[rule] * i / 400.0;
      mdt_allocation_result r;
      assert_int_equal(mdt_allocator_evaluate(fx.alloc, &base, &spec, x, &r, &err), MDT_OK);
      assert_true(r.scalar == x);
      if (r.annual_effect_pct < prev)
        fail_msg("%s: cost falls from %.17g to %.17g at x = %g", mdt_rule_name(spec.rule), prev,
                 r.annual_effect_pct, x);
      if (i == 0)
        first = r.annual_effect_pct;
      prev = r.annual_effect_pct;
    }
    assert_true(prev > first + 1.0);
  }
  fixture_free(&fx);
}

/* theta = 0 evaluates the percent rule's settlements in the same order: the same bits. */
static void test_theta_zero_is_percent(void **state) {
  (void)state;
  fixture fx;
  hand_fixture(&fx, 2);
  mdt_named_increase leaders;
  mdt_settlement base = rich_base(&fx, &leaders);
  mdt_allocation spec;
  mdt_allocation_init(&spec);
  spec.room_annual_pct = 3.71;
  mdt_allocation_result pr = solve_ok(&fx, &base, &spec);
  mdt_settlement percent_settlement = pr.settlement;
  mdt_microsim_report *rp = NULL, *rq = NULL;
  mdt_error err;
  mdt_error_clear(&err);
  assert_int_equal(mdt_microsim_apply(fx.work, &percent_settlement, NULL, &rp, &err), MDT_OK);

  spec.rule = MDT_RULE_PRIORITY;
  spec.theta = 0.0;
  spec.profile = hand_profile;
  mdt_allocation_result qr = solve_ok(&fx, &base, &spec);
  assert_true(qr.scalar == pr.scalar);
  assert_true(qr.annual_effect_pct == pr.annual_effect_pct);
  assert_memory_equal(&qr.effect, &pr.effect, sizeof qr.effect);
  assert_int_equal(qr.iterations, pr.iterations);
  assert_int_equal(qr.passes, pr.passes);
  assert_true(qr.pct_by_group[0] == pr.scalar && qr.pct_by_group[1] == pr.scalar);
  assert_int_equal(qr.clamped[0], 0);
  assert_int_equal(mdt_microsim_apply(fx.work, &qr.settlement, NULL, &rq, &err), MDT_OK);
  assert_memory_equal(rp->groups, rq->groups, rp->ngroups * sizeof *rp->groups);
  assert_memory_equal(&rp->total, &rq->total, sizeof rp->total);
  mdt_microsim_report_free(rp);
  mdt_microsim_report_free(rq);
  fixture_free(&fx);
}

/*
 * Clamping by hand. Four groups with one full-time employee each, no guarantee, central
 * increases from January (effect = Σ W_g p_g / W): a 400 000, b 500 000, c 600 000 (chapter
 * 4), d 500 000 (chapter 5, not covered); W = 2 000 000. Profile a 0.2, b 0.5, c 0.9.
 * Standardised with wage-bill weights over a, b, c: mean (0.2·4 + 0.5·5 + 0.9·6)/15 = 0.58;
 * variance (4·0.38² + 5·0.08² + 6·0.32²)/15 = 1.224/15 = 0.0816; sd 0.28565713714171403;
 * z = -1.330266079826609, -0.28005601680560177, 1.120224067222408.
 * theta 0.5: multipliers 0.3348669600866955, 0.8599719915971991, 1.560112033611204.
 * Room 3 pp: without bounds Σ W m = Σ W = 1 500 000 (Σ W z = 0), so p0 = 3 · 2e6 / 1.5e6 = 4.
 * With a floor of 2 % on a and a cap of 5.5 % on c: 400 000 · 2 + 500 000 p_b + 600 000 · 5.5
 * = 6 000 000 gives p_b = 3.8, p0 = 3.8 / 0.8599719915971991 = 4.418748560569256; then
 * p0 m_a = 1.4797 < 2 (a stays at its floor) and p0 m_c = 6.8937 > 5.5 (c stays capped):
 * the clamped set is stable.
 */
static void clamp_fixture(fixture *fx) {
  static const char *const ids[] = {"a", "b", "c", "d"};
  static const char *const chapters[] = {"4", "4", "4", "5"};
  const mdt_test_employee e[] = {{0, 5.0, 10000, 400000, 10000},
                                 {1, 5.0, 10000, 500000, 10000},
                                 {2, 5.0, 10000, 600000, 10000},
                                 {3, 5.0, 10000, 500000, 10000}};
  memset(fx, 0, sizeof *fx);
  fixture_open(fx, mdt_test_groups(4, ids, chapters, NULL, NULL), mdt_test_register(e, 4), 1);
}

static void test_priority_clamping_by_hand(void **state) {
  (void)state;
  fixture fx;
  clamp_fixture(&fx);
  const double profile[] = {0.2, 0.5, 0.9, 0.1};
  const double floors[] = {2.0, NAN, NAN, 0.25};
  const double caps[] = {NAN, NAN, 5.5, 0.5}; /* d's bounds are checked, not used: not covered */
  mdt_settlement base;
  mdt_settlement_init(&base);
  base.central_month = 1;
  mdt_allocation spec;
  mdt_allocation_init(&spec);
  spec.rule = MDT_RULE_PRIORITY;
  spec.room_annual_pct = 3.0;
  spec.tolerance_pct = 1e-13;
  spec.theta = 0.5;
  spec.profile = profile;

  /* Unbounded: p0 = 4. */
  mdt_allocation_result r = solve_ok(&fx, &base, &spec);
  assert_near(r.scalar, 4.0, 1e-11);
  assert_near(r.z[0], -1.330266079826609, 1e-13);
  assert_near(r.z[1], -0.28005601680560177, 1e-13);
  assert_near(r.z[2], 1.120224067222408, 1e-13);
  assert_near(r.z[3], 0.0, 0); /* not covered */
  assert_near(r.pct_by_group[0], 4.0 * 0.3348669600866955, 1e-10);
  assert_near(r.pct_by_group[2], 4.0 * 1.560112033611204, 1e-10);

  spec.floor_pct = floors;
  spec.cap_pct = caps;
  r = solve_ok(&fx, &base, &spec);
  assert_near(r.scalar, 4.418748560569256, 1e-10);
  assert_true(r.pct_by_group[0] == 2.0);
  assert_near(r.pct_by_group[1], 3.8, 1e-10);
  assert_true(r.pct_by_group[2] == 5.5);
  assert_int_equal(r.clamped[0], -1);
  assert_int_equal(r.clamped[1], 0);
  assert_int_equal(r.clamped[2], 1);
  assert_int_equal(r.clamped[3], 0);
  assert_near(r.annual_effect_pct, 3.0, 1e-13);
  assert_near(full_effect(&fx, &r.settlement), 3.0, 1e-12);

  /* A negative theta large enough to push a below zero: a sits at its floor (0 without one)
   * for every p0, and the cost still rises with p0 through b and c. theta -1:
   * m_a = 2.330266..., m_b = 1.280056..., m_c = -0.120224...: c at 0. Room 3:
   * p0 (400 000 · 2.330266079826609 + 500 000 · 1.2800560168056018) = 6e6. */
  spec.floor_pct = NULL;
  spec.cap_pct = NULL;
  spec.theta = -1.0;
  r = solve_ok(&fx, &base, &spec);
  assert_near(r.scalar, 6e6 / (400000 * 2.330266079826609 + 500000 * 1.2800560168056018), 1e-10);
  assert_true(r.pct_by_group[2] == 0.0);
  assert_int_equal(r.clamped[2], -1);

  /* A profile that does not vary tilts nothing, whatever theta. */
  const double flat[] = {0.6, 0.6, 0.6, NAN};
  spec.profile = flat;
  spec.theta = 3.0;
  r = solve_ok(&fx, &base, &spec);
  assert_near(r.scalar, 4.0, 1e-11);
  assert_true(r.z[0] == 0.0 && r.z[1] == 0.0 && r.z[2] == 0.0);
  /* No profile at all: the same. */
  spec.profile = NULL;
  r = solve_ok(&fx, &base, &spec);
  assert_near(r.scalar, 4.0, 1e-11);
  fixture_free(&fx);
}

/*
 * Central elements the rule does not set stay as fixed elements. Clamp fixture, from
 * January: per-group percents 1, 2, 3 % on a, b, c cost (4 000 + 10 000 + 18 000) / 2e6
 * = 1.6 pp; the krone rule fills a room of 2.0 with a · 3 FTE / 2e6 = 0.4 %:
 * a = 0.004 · 2 000 000 / 3 = 2 666.666... NOK. The percent rule replaces them instead:
 * p · 1.5e6 / 2e6 = 2.0 gives p = 2.666...%.
 */
static void test_fixed_central_elements(void **state) {
  (void)state;
  fixture fx;
  clamp_fixture(&fx);
  const double pcts[] = {1.0, 2.0, 3.0, NAN};
  mdt_settlement base;
  mdt_settlement_init(&base);
  base.central_month = 1;
  base.pct_by_group = pcts;
  mdt_allocation spec;
  mdt_allocation_init(&spec);
  spec.rule = MDT_RULE_KRONE;
  spec.room_annual_pct = 2.0;
  spec.tolerance_pct = 1e-12;
  mdt_allocation_result r = solve_ok(&fx, &base, &spec);
  assert_near(r.scalar, 8000.0 / 3.0, 1e-6);
  assert_true(r.settlement.pct_by_group == pcts);
  spec.rule = MDT_RULE_PERCENT;
  r = solve_ok(&fx, &base, &spec);
  assert_near(r.scalar, 8.0 / 3.0, 1e-10);
  assert_null(r.settlement.pct_by_group);
  fixture_free(&fx);
}

static void test_infeasible(void **state) {
  (void)state;
  fixture fx;
  clamp_fixture(&fx);
  mdt_settlement base;
  mdt_settlement_init(&base);
  base.central_month = 1;
  mdt_allocation spec;
  mdt_allocation_init(&spec);
  mdt_allocation_result r;

  /* A negative room: the best effort is the settlement at zero (here nothing). */
  spec.room_annual_pct = -0.35;
  r = solve_fail(&fx, &base, &spec, MDT_EINFEASIBLE,
                 "the room is negative: -0.350000 pp; a settlement cannot cut pay");
  assert_int_equal(r.feasible, 0);
  assert_true(r.scalar == 0.0 && r.annual_effect_pct == 0.0);
  assert_near(r.room_annual_pct, -0.35, 0);

  /* The fixed elements alone: d (chapter 5) 12 % from January costs 12 · 500 000 / 2e6
   * = 3 pp; a local pot of 0.8 % from July on the covered 1.5e6: 0.8 · 1.5e6 · 6/12 / 2e6
   * = 0.3 pp; together 3.3 pp > room 2. */
  mdt_named_increase named = {3, 12.0, 1};
  base.named = &named;
  base.nnamed = 1;
  base.local_pct = 0.8;
  base.local_month = 7;
  spec.room_annual_pct = 2.0;
  r = solve_fail(&fx, &base, &spec, MDT_EINFEASIBLE,
                 "the fixed elements already cost 3.300000 pp (local pot 0.300000, named "
                 "increases 3.000000, central elements and guarantee lifts at zero 0.000000), "
                 "more than the room 2.000000 pp");
  assert_int_equal(r.feasible, 0);
  assert_true(r.scalar == 0.0 && r.settlement.pct == 0.0);
  assert_near(r.annual_effect_pct, 3.3, 1e-12);

  /* Floors alone: 2.5 % on a and b, 1 % on c: 400 000 · 2.5 + 500 000 · 2.5 + 600 000 · 1
   * = 2 850 000, / 2e6 = 1.425 pp > room 1.2. */
  base.named = NULL;
  base.nnamed = 0;
  base.local_pct = 0.0;
  const double floors[] = {2.5, 2.5, 1.0, NAN};
  spec.rule = MDT_RULE_PRIORITY;
  spec.floor_pct = floors;
  spec.room_annual_pct = 1.2;
  r = solve_fail(&fx, &base, &spec, MDT_EINFEASIBLE,
                 "the floors alone cost 1.425000 pp, more than the room 1.200000 pp");
  assert_int_equal(r.feasible, 0);
  assert_true(r.pct_by_group[0] == 2.5 && r.pct_by_group[2] == 1.0);
  assert_int_equal(r.clamped[0], -1);
  assert_near(r.annual_effect_pct, 1.425, 1e-12);
  /* With fixed elements too: the pot (0.8 · 1.5e6 · 6/12 / 2e6 = 0.3 pp) leaves 1.2 of a
   * room of 1.5 pp. The pot is a percent of the pay before the settlement, so it costs its
   * 0.3 pp whatever the floors give and adds nothing on their 28 500 NOK: the floors cost
   * their 1.425 pp, as without the pot. */
  base.local_pct = 0.8;
  spec.room_annual_pct = 1.5;
  r = solve_fail(&fx, &base, &spec, MDT_EINFEASIBLE,
                 "the floors alone cost 1.425000 pp, more than the room 1.200000 pp left after "
                 "the fixed elements' 0.300000 pp (of a room of 1.500000 pp)");
  assert_near(r.annual_effect_pct, 1.425 + 0.3, 1e-12);
  /* ... and fixed elements beyond the room name those instead. */
  spec.room_annual_pct = 0.25;
  solve_fail(&fx, &base, &spec, MDT_EINFEASIBLE, "the fixed elements already cost 0.300000 pp");
  base.local_pct = 0.0;

  /* Caps: all three capped at 1, 2 and 3 %: at most (4 + 10 + 18) / 200 = 1.6 pp. */
  const double caps[] = {1.0, 2.0, 3.0, NAN};
  spec.floor_pct = NULL;
  spec.cap_pct = caps;
  spec.profile = NULL;
  spec.room_annual_pct = 2.5;
  r = solve_fail(&fx, &base, &spec, MDT_EINFEASIBLE,
                 "the caps allow at most 1.600000 pp, less than the room 2.500000 pp");
  assert_int_equal(r.feasible, 0);
  assert_true(r.pct_by_group[0] == 1.0 && r.pct_by_group[1] == 2.0 && r.pct_by_group[2] == 3.0);
  assert_int_equal(r.clamped[1], 1);
  assert_near(r.annual_effect_pct, 1.6, 1e-12);
  /* Exactly at the caps is feasible. */
  spec.room_annual_pct = 1.6;
  r = solve_ok(&fx, &base, &spec);
  assert_near(r.annual_effect_pct, 1.6, 1e-9);

  /* Nobody covered: nothing to give the room to. */
  spec.rule = MDT_RULE_KRONE;
  spec.cap_pct = NULL;
  spec.room_annual_pct = 1.0;
  base.covered = (const unsigned char[]){0, 0, 0, 0};
  r = solve_fail(&fx, &base, &spec, MDT_EINFEASIBLE,
                 "no covered employee's pay depends on the krone rule: nothing to give the "
                 "room to (the settlement costs 0.000000 pp, the room is 1.000000 pp)");
  assert_true(r.scalar == 0.0 && r.feasible == 0);
  /* A table that gives the covered groups nothing. */
  base.covered = NULL;
  mdt_step_table *empty = mdt_test_table(4);
  spec.rule = MDT_RULE_TABLE;
  spec.table = empty;
  solve_fail(&fx, &base, &spec, MDT_EINFEASIBLE, "depends on the table rule");
  mdt_test_table_free(empty);

  /* A room beyond any percent up to 1000 %: covered 1.5e6 of 2e6 from January reach 750 pp. */
  spec.rule = MDT_RULE_PERCENT;
  spec.room_annual_pct = 999.0;
  r = solve_fail(&fx, &base, &spec, MDT_EINFEASIBLE,
                 "even the percent rule's largest value 1000 reaches only 750.000000 pp, less "
                 "than the room 999.000000 pp");
  assert_true(r.scalar == 1000.0);
  fixture_free(&fx);
}

/* An explicit new guarantee that already costs more than the room is a fixed element too. */
static void test_infeasible_guarantee(void **state) {
  (void)state;
  fixture fx;
  hand_fixture(&fx, 1);
  mdt_step_table *ng = mdt_test_table(4);
  mdt_test_table_add(ng, 0, 0, 420000);
  mdt_test_table_add(ng, 0, 8, 450000);
  mdt_test_table_add(ng, 1, 0, 540000);
  mdt_settlement base;
  mdt_settlement_init(&base);
  base.central_month = 3;
  base.guarantee = fx.guarantee;
  base.new_guarantee = ng;
  mdt_allocation spec;
  mdt_allocation_init(&spec);
  spec.room_annual_pct = 2.0;
  /* The lifts cost 2.51470990900893 pp (test_microsim.c). */
  mdt_allocation_result r =
      solve_fail(&fx, &base, &spec, MDT_EINFEASIBLE,
                 "central elements and guarantee lifts at zero 2.514710), more than the room "
                 "2.000000 pp");
  assert_near(r.annual_effect_pct, 2.51470990900893, 1e-12);
  /* With room enough, the percent comes on top of the lifts and lands on the room. */
  spec.room_annual_pct = 4.0;
  r = solve_ok(&fx, &base, &spec);
  assert_near(full_effect(&fx, &r.settlement), 4.0, 1e-9);
  mdt_test_table_free(ng);
  fixture_free(&fx);
}

static void test_bad_inputs(void **state) {
  (void)state;
  fixture fx;
  hand_fixture(&fx, 1);
  mdt_settlement base;
  mdt_settlement_init(&base);
  mdt_allocation spec;
  mdt_allocation_result r;
  mdt_error err;
  mdt_error_clear(&err);

  mdt_allocation_init(&spec);
  spec.room_annual_pct = 1.0;
  mdt_allocator *a = (mdt_allocator *)0x1;
  assert_int_equal(mdt_allocator_new(NULL, &a, &err), MDT_EUSAGE);
  assert_int_equal(mdt_allocator_new(fx.work, NULL, &err), MDT_EUSAGE);
  assert_true(a == (mdt_allocator *)0x1);
  assert_int_equal(mdt_allocator_solve(NULL, &base, &spec, &r, &err), MDT_EUSAGE);
  assert_int_equal(mdt_allocator_solve(fx.alloc, NULL, &spec, &r, &err), MDT_EUSAGE);
  assert_int_equal(mdt_allocator_solve(fx.alloc, &base, NULL, &r, &err), MDT_EUSAGE);
  assert_int_equal(mdt_allocator_solve(fx.alloc, &base, &spec, NULL, &err), MDT_EUSAGE);
  assert_int_equal(mdt_allocator_evaluate(NULL, &base, &spec, 1.0, &r, &err), MDT_EUSAGE);
  assert_int_equal(mdt_allocator_evaluate(fx.alloc, &base, &spec, 1.0, NULL, &err), MDT_EUSAGE);

  const double floors_bad[] = {-1.0, NAN, NAN, NAN};
  const double floors_hi[] = {3.0, NAN, NAN, NAN};
  const double caps_lo[] = {2.0, NAN, NAN, NAN};
  const double caps_inf[] = {INFINITY, NAN, NAN, NAN};
  const double profile_inf[] = {0.5, INFINITY, NAN, NAN};
  struct {
    mdt_rule rule;
    double room, tol, min, share, theta;
    const double *profile, *floors, *caps;
    int no_table;
    mdt_status st;
    const char *needle;
  } cases[] = {
      {MDT_RULE_PERCENT, NAN, 1e-9, 0, 0, 0, NULL, NULL, NULL, 0, MDT_EDATA,
       "the room: expected a finite percentage from -1000 to 1000, found nan"},
      {MDT_RULE_PERCENT, 1500.0, 1e-9, 0, 0, 0, NULL, NULL, NULL, 0, MDT_EDATA, "found 1500"},
      {MDT_RULE_PERCENT, 1.0, 0.0, 0, 0, 0, NULL, NULL, NULL, 0, MDT_EDATA,
       "the tolerance: expected percentage points above 0 and at most 1e-06, found 0"},
      {MDT_RULE_PERCENT, 1.0, 1e-3, 0, 0, 0, NULL, NULL, NULL, 0, MDT_EDATA, "found 0.001"},
      {(mdt_rule)17, 1.0, 1e-9, 0, 0, 0, NULL, NULL, NULL, 0, MDT_EDATA,
       "expected an allocation rule, found 17"},
      {MDT_RULE_PERCENT_MIN_KRONE, 1.0, 1e-9, -5, 0, 0, NULL, NULL, NULL, 0, MDT_EDATA,
       "the kroner minimum: expected NOK per year from 0 to 1e+09, found -5"},
      {MDT_RULE_TABLE, 1.0, 1e-9, 0, 0, 0, NULL, NULL, NULL, 1, MDT_EUSAGE,
       "the table rule needs a kroner table, none given"},
      {MDT_RULE_MIXED, 1.0, 1e-9, 0, 1.5, 0, NULL, NULL, NULL, 0, MDT_EDATA,
       "the krone share: expected a share from 0 to 1, found 1.5"},
      {MDT_RULE_MIXED, 1.0, 1e-9, 0, NAN, 0, NULL, NULL, NULL, 0, MDT_EDATA, "found nan"},
      {MDT_RULE_PRIORITY, 1.0, 1e-9, 0, 0, INFINITY, NULL, NULL, NULL, 0, MDT_EDATA,
       "theta: expected a finite number from -1e6 to 1e6, found inf"},
      {MDT_RULE_PRIORITY, 1.0, 1e-9, 0, 0, 1, profile_inf, NULL, NULL, 0, MDT_EDATA,
       "the profile of group 'lektor': expected a finite priority or none, found inf"},
      {MDT_RULE_PRIORITY, 1.0, 1e-9, 0, 0, 1, NULL, floors_bad, NULL, 0, MDT_EDATA,
       "the floor of group 'fagarb': expected a percentage from 0 to 1000 or none, found -1"},
      {MDT_RULE_PRIORITY, 1.0, 1e-9, 0, 0, 1, NULL, NULL, caps_inf, 0, MDT_EDATA,
       "the cap of group 'fagarb': expected a percentage from 0 to 1000 or none, found inf"},
      {MDT_RULE_PRIORITY, 1.0, 1e-9, 0, 0, 1, NULL, floors_hi, caps_lo, 0, MDT_EDATA,
       "group 'fagarb': expected a floor at most its cap 2 %, found a floor of 3 %"},
  };
  for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
    mdt_allocation_init(&spec);
    spec.rule = cases[k].rule;
    spec.room_annual_pct = cases[k].room;
    spec.tolerance_pct = cases[k].tol;
    spec.min_krone_nok = cases[k].min;
    spec.krone_share = cases[k].share;
    spec.theta = cases[k].theta;
    spec.profile = cases[k].profile;
    spec.floor_pct = cases[k].floors;
    spec.cap_pct = cases[k].caps;
    spec.table = cases[k].no_table ? NULL : fx.table;
    memset(&r, 0x5a, sizeof r);
    mdt_allocation_result before = r;
    mdt_error_clear(&err);
    assert_int_equal(mdt_allocator_solve(fx.alloc, &base, &spec, &r, &err), cases[k].st);
    assert_message_has(err, cases[k].needle);
    assert_memory_equal(&r, &before, sizeof r);
    mdt_error_clear(&err);
    assert_int_equal(mdt_allocator_evaluate(fx.alloc, &base, &spec, 1.0, &r, &err), cases[k].st);
    assert_message_has(err, cases[k].needle);
  }

  /* A bad base settlement is reported as the microsim reports it. */
  mdt_allocation_init(&spec);
  spec.room_annual_pct = 1.0;
  base.central_month = 13;
  assert_int_equal(mdt_allocator_solve(fx.alloc, &base, &spec, &r, &err), MDT_EDATA);
  assert_message_has(err, "the central elements: expected an effective month from 1 to 12, "
                          "found 13");
  base.central_month = 5;
  base.local_pct = 1.0;
  base.local_month = -2;
  assert_int_equal(mdt_allocator_solve(fx.alloc, &base, &spec, &r, &err), MDT_EDATA);
  assert_message_has(err, "the local pot: expected an effective month");
  base.local_pct = 0.0;
  /* The rule's own fields of the base are overwritten, so a bad one there does not matter. */
  base.pct = -3.0;
  r = solve_ok(&fx, &base, &spec);
  assert_near(r.annual_effect_pct, 1.0, 1e-9);
  base.pct = 0.0;

  /* evaluate: x out of range. */
  assert_int_equal(mdt_allocator_evaluate(fx.alloc, &base, &spec, -0.5, &r, &err), MDT_EDATA);
  assert_message_has(err, "the percent rule's value: expected a number from 0 to 1000, found -0.5");
  assert_int_equal(mdt_allocator_evaluate(fx.alloc, &base, &spec, NAN, &r, &err), MDT_EDATA);
  spec.rule = MDT_RULE_KRONE;
  assert_int_equal(mdt_allocator_evaluate(fx.alloc, &base, &spec, 2e9, &r, &err), MDT_EDATA);
  assert_message_has(err, "the krone rule's value: expected a number from 0 to 1e+09");

  mdt_allocator_free(NULL);
  fixture_free(&fx);
}

/* ---- A large register: accuracy, reuse, and the same answers with 1 and 3 threads ---- */

static const char *const big_ids[] = {"g1", "g2", "g3", "g4", "g5", "g6", "c34", "c5"};
static const char *const big_chapters[] = {"4", "4", "4", "4", "4", "4", "3.4", "5"};

static void big_fixture(fixture *fx, int threads) {
  static const double steps1[] = {0, 2, 4, 6, 8, 10, 16};
  static const double steps2[] = {0, 6, 8, 10, 16};
  memset(fx, 0, sizeof *fx);
  fx->guarantee = mdt_test_table(8);
  fx->table = mdt_test_table(8);
  for (size_t g = 0; g < 6; g++) {
    const double *steps = g == 0 ? steps1 : steps2;
    size_t n = g == 0 ? 7 : 5;
    for (size_t k = 0; k < n; k++) {
      mdt_test_table_add(fx->guarantee, g, steps[k],
                         382500 + 41000 * (int64_t)g + 9700 * (int64_t)k);
      mdt_test_table_add(fx->table, g, steps[k], 22000 + 1300 * (int64_t)g + 800 * (int64_t)k);
    }
  }
  fixture_open(fx, mdt_test_groups(8, big_ids, big_chapters, NULL, NULL),
               mdt_test_register_random(100000, 8, 777), threads);
}

static void test_large_solves(void **state) {
  (void)state;
  fixture f1, f3;
  big_fixture(&f1, 1);
  big_fixture(&f3, 3);
  const double profile[] = {0.81, 0.62, 0.44, 0.57, 0.35, 0.29, NAN, NAN};
  const double floors[] = {2.2, NAN, NAN, NAN, NAN, 1.9, NAN, NAN};
  const double caps[] = {NAN, NAN, 4.6, NAN, NAN, NAN, NAN, NAN};
  mdt_named_increase named[2] = {{6, 4.1, 5}, {7, 3.2, 6}};
  mdt_settlement b1;
  mdt_settlement_init(&b1);
  b1.guarantee = f1.guarantee;
  b1.local_pct = 1.1;
  b1.local_month = 10;
  b1.named = named;
  b1.nnamed = 2;
  mdt_settlement b3 = b1;
  b3.guarantee = f3.guarantee;
  for (int rule = 0; rule < MDT_RULE_COUNT; rule++) {
    mdt_allocation s1, s3;
    mdt_allocation_init(&s1);
    s1.rule = (mdt_rule)rule;
    s1.room_annual_pct = 3.537;
    s1.min_krone_nok = 23100;
    s1.krone_share = 0.35;
    s1.theta = 0.9;
    s1.profile = profile;
    s1.floor_pct = floors;
    s1.cap_pct = caps;
    s3 = s1;
    s1.table = f1.table;
    s3.table = f3.table;
    mdt_allocation_result r1 = solve_ok(&f1, &b1, &s1);
    mdt_allocation_result r3 = solve_ok(&f3, &b3, &s3);
    assert_true(r1.scalar == r3.scalar);
    assert_memory_equal(&r1.effect, &r3.effect, sizeof r1.effect);
    assert_int_equal(r1.passes, r3.passes);
    if (!(fabs(r1.annual_effect_pct - 3.537) < 1e-9))
      fail_msg("%s: effect %.17g", mdt_rule_name(s1.rule), r1.annual_effect_pct);
    assert_near(full_effect(&f3, &r3.settlement), 3.537, 1e-9);
    if (rule == MDT_RULE_PRIORITY) {
      assert_memory_equal(r1.pct_by_group, r3.pct_by_group, 8 * sizeof(double));
      assert_true(r1.pct_by_group[0] >= 2.2 && r1.pct_by_group[2] <= 4.6);
    }
  }

  /* A sweep of theta on one allocator: every point on the room, and the same spec solved
   * again gives the same bits. */
  mdt_allocation sp;
  mdt_allocation_init(&sp);
  sp.rule = MDT_RULE_PRIORITY;
  sp.room_annual_pct = 3.537;
  sp.profile = profile;
  double first = NAN;
  for (int i = 0; i <= 20; i++) {
    sp.theta = -1.0 + 0.15 * i;
    mdt_allocation_result r = solve_ok(&f3, &b3, &sp);
    assert_near(r.annual_effect_pct, 3.537, 1e-9);
    if (i == 0)
      first = r.scalar;
  }
  sp.theta = -1.0;
  assert_true(solve_ok(&f3, &b3, &sp).scalar == first);
  fixture_free(&f1);
  fixture_free(&f3);
}

int main(void) {
  gsl_set_error_handler_off();
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_names_and_init),
      cmocka_unit_test(test_closed_forms),
      cmocka_unit_test(test_every_rule_lands_on_room),
      cmocka_unit_test(test_cost_rises_with_scalar),
      cmocka_unit_test(test_theta_zero_is_percent),
      cmocka_unit_test(test_priority_clamping_by_hand),
      cmocka_unit_test(test_fixed_central_elements),
      cmocka_unit_test(test_infeasible),
      cmocka_unit_test(test_infeasible_guarantee),
      cmocka_unit_test(test_bad_inputs),
      cmocka_unit_test(test_large_solves),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
