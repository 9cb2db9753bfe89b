/*
 * Tests of the frame arithmetic: the worked examples of the frame arithmetic (mandat/frame.h), the room in both
 * conventions, the exact level path worked by hand, and every error path.
 *
 * Each expected value has its hand calculation beside it. Percentages are in percent.
 */
#include <gsl/gsl_errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mandat/frame.h"
#include "testutil.h"

/* Doubles compared to an absolute tolerance, with both values in the failure message. */
#define assert_close(actual, expected, tol)                                                    \
  do {                                                                                         \
    double a_ = (actual), e_ = (expected);                                                     \
    if (!(fabs(a_ - e_) <= (tol)))                                                             \
      fail_msg("%s = %.17g, expected %.17g (tolerance %g)", #actual, a_, e_, (double)(tol));   \
  } while (0)

#define assert_message_has(err, needle)                                                        \
  do {                                                                                         \
    if (strstr((err).message, (needle)) == NULL)                                               \
      fail_msg("message '%s' does not contain '%s'", (err).message, (needle));                 \
  } while (0)

/* Values computed in closed form by hand agree with the library to rounding; 1e-12 pp leaves
 * room for a dozen floating-point operations on numbers near 1. */
#define TIGHT 1e-12

static mdt_frame_result compute_ok(const mdt_frame_spec *spec) {
  mdt_frame_result r;
  mdt_error err;
  mdt_error_clear(&err);
  if (mdt_frame_compute(spec, &r, &err) != MDT_OK)
    fail_msg("mdt_frame_compute: %s", mdt_test_errstr(&err));
  return r;
}

/* Runs mdt_frame_compute expecting failure with status st; checks the result is untouched. */
static mdt_error compute_fail(const mdt_frame_spec *spec, mdt_status st) {
  mdt_frame_result r;
  memset(&r, 0x5a, sizeof r);
  mdt_frame_result before = r;
  mdt_error err;
  mdt_error_clear(&err);
  assert_int_equal(mdt_frame_compute(spec, &r, &err), st);
  assert_int_equal(err.status, st);
  assert_memory_equal(&r, &before, sizeof r);
  return err;
}

static void test_spec_init(void **state) {
  (void)state;
  mdt_frame_spec spec;
  memset(&spec, 0x77, sizeof spec);
  mdt_frame_spec_init(&spec);
  assert_true(spec.overheng_pct == 0.0);
  assert_true(spec.glidning_pct == 0.0);
  assert_null(spec.increases);
  assert_int_equal(spec.n_increases, 0);
  assert_int_equal(spec.has_frame, 0);
  assert_int_equal(spec.central_month, 5); /* 1 May */
}

static void test_element_effects(void **state) {
  (void)state;
  /* 3 % from 1 April: 9 of 12 months this year, 3 carried into next. */
  assert_close(mdt_frame_annual_effect_pct(3.0, 4), 2.25, TIGHT);   /* 3 * 9/12 */
  assert_close(mdt_frame_carryover_pct(3.0, 4), 0.75, TIGHT);        /* 3 * 3/12 */
  /* From 1 January the whole increase counts this year and nothing carries over. */
  assert_close(mdt_frame_annual_effect_pct(2.385, 1), 2.385, TIGHT); /* 2.385 * 12/12 */
  assert_close(mdt_frame_carryover_pct(2.385, 1), 0.0, TIGHT);       /* 2.385 * 0/12 */
  /* From 1 December: one month this year, eleven carried. */
  assert_close(mdt_frame_annual_effect_pct(2.4, 12), 0.2, TIGHT);    /* 2.4 * 1/12 */
  assert_close(mdt_frame_carryover_pct(2.4, 12), 2.2, TIGHT);        /* 2.4 * 11/12 */
  /* Annual effect + carry-over is always the whole increase: 1.1 * (3 + 9)/12 = 1.1. */
  assert_close(mdt_frame_annual_effect_pct(1.1, 10) + mdt_frame_carryover_pct(1.1, 10), 1.1,
               TIGHT);
  assert_true(isnan(mdt_frame_annual_effect_pct(1.0, 0)));
  assert_true(isnan(mdt_frame_annual_effect_pct(1.0, 13)));
  assert_true(isnan(mdt_frame_carryover_pct(1.0, 0)));
  assert_true(isnan(mdt_frame_carryover_pct(1.0, 13)));
}

/* NHO's worked example (TBU's convention, as mandat/frame.h). */
static void test_nho_example(void **state) {
  (void)state;
  /* Year 1: 3 % from 1 April carries 3 * (4-1)/12 = 0.75 into year 2. */
  mdt_frame_increase year1[] = {{3.0, 4}};
  mdt_frame_spec spec;
  mdt_frame_spec_init(&spec);
  spec.increases = year1;
  spec.n_increases = 1;
  mdt_frame_result r1 = compute_ok(&spec);
  assert_close(r1.carryover_next_pct, 0.75, TIGHT);

  /* Year 2: overheng 0.75; 2 % from 1 April adds 2 * 9/12 = 1.50; a local 1 % from 1 May
   * adds 1 * 8/12 = 0.6667. Annual growth 0.75 + 1.50 + 0.6667 = 2.9167, "2.92". */
  mdt_frame_increase year2[] = {{2.0, 4}, {1.0, 5}};
  mdt_frame_spec_init(&spec);
  spec.overheng_pct = r1.carryover_next_pct;
  spec.increases = year2;
  spec.n_increases = 2;
  mdt_frame_result r = compute_ok(&spec);
  assert_close(r.given_annual_effect_pct, 1.5 + 8.0 / 12.0, TIGHT);
  assert_close(r.annual_growth_pct, 0.75 + 1.5 + 8.0 / 12.0, TIGHT);
  assert_close(r.annual_growth_pct, 2.92, 0.005);
  /* Carry-over into year 3: 2 * 3/12 + 1 * 4/12 = 0.5 + 0.3333 = 0.8333. */
  assert_close(r.carryover_next_pct, 0.5 + 4.0 / 12.0, TIGHT);

  /* Exact path: December of year 1 at 1.0075; Jan-Mar 1.0075; Apr 1.0075 * 1.02 = 1.02765;
   * May-Dec 1.02765 * 1.01 = 1.0379265. Sum 3 * 1.0075 + 1.02765 + 8 * 1.0379265
   * = 3.0225 + 1.02765 + 8.303412 = 12.353562; mean 1.0294635; exact growth 2.94635 %,
   * 0.029683 above the additive 2.916667. Exact carry-over 1.0379265 / 1.0294635 - 1. */
  assert_close(r.level_december_last_year, 1.0075, TIGHT);
  assert_close(r.level_by_month[2], 1.0075, TIGHT);
  assert_close(r.level_by_month[3], 1.02765, TIGHT);
  assert_close(r.level_by_month[4], 1.0379265, TIGHT);
  assert_close(r.level_by_month[11], 1.0379265, TIGHT);
  assert_close(r.exact_annual_growth_pct, 2.94635, 1e-10);
  assert_close(r.difference_pct, 2.94635 - (0.75 + 1.5 + 8.0 / 12.0), 1e-10);
  assert_close(r.exact_carryover_next_pct, (1.0379265 / 1.0294635 - 1.0) * 100.0, 1e-10);
  assert_close(r.carryover_difference_pct, r.exact_carryover_next_pct - r.carryover_next_pct,
               TIGHT);
  /* No frame, no room. */
  assert_true(isnan(r.room_annual_pct));
  assert_true(isnan(r.room_dated_pct));
  assert_true(isnan(r.room_dated_exact_pct));
}

/* Exact path worked by hand: overheng 1, 2 % from 1 July, glidning 0.5. */
static void test_exact_path_by_hand(void **state) {
  (void)state;
  mdt_frame_increase incs[] = {{2.0, 7}};
  mdt_frame_spec spec;
  mdt_frame_spec_init(&spec);
  spec.overheng_pct = 1.0;
  spec.glidning_pct = 0.5;
  spec.increases = incs;
  spec.n_increases = 1;
  mdt_frame_result r = compute_ok(&spec);
  /* Additive: 1 + 2 * 6/12 + 0.5 = 2.5; carry-over 2 * 6/12 = 1.0. */
  assert_close(r.annual_growth_pct, 2.5, TIGHT);
  assert_close(r.carryover_next_pct, 1.0, TIGHT);
  /* Exact: products prod_{k: m_k <= m}(1 + p_k) are 1 for m = 1..6 and 1.02 for m = 7..12,
   * so their sum is 6 * 1 + 6 * 1.02 = 12.12 and their mean 1.01.
   * Levels: December 1.01; Jan-Jun 1.01 * 1.005 = 1.01505; Jul-Dec 1.01505 * 1.02 = 1.035351.
   * Exact growth = 1.01 * 1.005 * 1.01 - 1 = 1.0252005 - 1 = 2.52005 %;
   * difference 2.52005 - 2.5 = 0.02005.
   * Exact carry-over = 1.035351 / (1.01 * 1.005 * 1.01) - 1 = 1.02 / 1.01 - 1 = 0.990099 %. */
  assert_close(r.level_december_last_year, 1.01, TIGHT);
  for (int m = 0; m < 6; m++)
    assert_close(r.level_by_month[m], 1.01505, TIGHT);
  for (int m = 6; m < 12; m++)
    assert_close(r.level_by_month[m], 1.035351, TIGHT);
  assert_close(r.exact_annual_growth_pct, 2.52005, 1e-10);
  assert_close(r.difference_pct, 0.02005, 1e-10);
  assert_close(r.exact_carryover_next_pct, (1.02 / 1.01 - 1.0) * 100.0, 1e-10);
  assert_close(r.exact_carryover_next_pct, 0.990099, 1e-6);
  assert_close(r.carryover_difference_pct, 0.990099 - 1.0, 1e-6);
}

/* The room of the frame arithmetic: frame 3.5, overheng 1.0, glidning 1.5, central increases from 1 Jan. */
static void test_room_from_january(void **state) {
  (void)state;
  mdt_frame_spec spec;
  mdt_frame_spec_init(&spec);
  spec.overheng_pct = 1.0;
  spec.glidning_pct = 1.5;
  spec.has_frame = 1;
  spec.frame_pct = 3.5;
  spec.central_month = 1;
  mdt_frame_result r = compute_ok(&spec);
  /* Room as annual effect: 3.5 - 1.0 - 1.5 = 1.0; from 1 January: 1.0 * 12/12 = 1.0. */
  assert_close(r.room_annual_pct, 1.0, TIGHT);
  assert_close(r.room_dated_pct, 1.0, TIGHT);
  /* With the room, the additive growth is the frame and nothing carries over. */
  assert_close(r.annual_growth_pct, 3.5, TIGHT);
  assert_close(r.carryover_next_pct, 0.0, TIGHT);
  /* Exact: every month at 1.01 * 1.015 * (1 + x) = 1.02515 (1 + x) = 1.035, so
   * x = 1.035 / 1.02515 - 1 = 0.960835 %; the additive 1.0 % overshoots it. With the additive
   * room the exact growth is 1.02515 * 1.01 - 1 = 3.54015 %. */
  assert_close(r.room_dated_exact_pct, (1.035 / 1.02515 - 1.0) * 100.0, 1e-9);
  assert_close(r.room_dated_exact_pct, 0.960835, 1e-6);
  assert_close(r.exact_annual_growth_pct, 3.54015, 1e-10);
  assert_close(r.difference_pct, 0.04015, 1e-10);
  assert_close(r.exact_carryover_next_pct, 0.0, TIGHT);
}

/* The same room dated from 1 May: the annual effect is spread over 8 months. */
static void test_room_from_may(void **state) {
  (void)state;
  mdt_frame_spec spec;
  mdt_frame_spec_init(&spec);
  spec.overheng_pct = 1.0;
  spec.glidning_pct = 1.5;
  spec.has_frame = 1;
  spec.frame_pct = 3.5;
  spec.central_month = 5;
  mdt_frame_result r = compute_ok(&spec);
  /* 1.0 * 12/8 = 1.5 from 1 May; its carry-over 1.5 * 4/12 = 0.5. */
  assert_close(r.room_annual_pct, 1.0, TIGHT);
  assert_close(r.room_dated_pct, 1.5, TIGHT);
  assert_close(r.annual_growth_pct, 3.5, TIGHT);
  assert_close(r.carryover_next_pct, 0.5, TIGHT);
  /* Exact: 1.02515 * (4 + 8 (1 + x)) / 12 = 1.035, so 4 + 8 (1 + x) = 12.42 / 1.02515
   * = 12.1153002, x = (12.1153002 - 4) / 8 - 1 = 1.441252 %.
   * With the additive 1.5 %: 1.02515 * (4 + 8 * 1.015) / 12 - 1 = 1.02515 * 12.12 / 12 - 1
   * = 3.54015 %. Exact carry-over 1.015 / 1.01 - 1 = 0.495050 %. */
  assert_close(r.room_dated_exact_pct, ((12.0 * 1.035 / 1.02515 - 4.0) / 8.0 - 1.0) * 100.0, 1e-9);
  assert_close(r.room_dated_exact_pct, 1.441252, 1e-6);
  assert_close(r.exact_annual_growth_pct, 3.54015, 1e-10);
  assert_close(r.exact_carryover_next_pct, (1.015 / 1.01 - 1.0) * 100.0, 1e-10);
}

/*
 * A realistic 2024 case. Frame 5.2 (frames.csv, 2024); overheng 1.7 (tbsk_outcomes.csv, the
 * KS area's carry-over out of 2023); the local pot of 1.1 % from 1 October (the 2024
 * settlement, models/ks-2024/README.md). Glidning 1.0 is our assumption (the KS area's realised
 * 2023 value in tbsk_outcomes.csv), not KS's estimate.
 */
static void test_room_2024_with_local_pot(void **state) {
  (void)state;
  mdt_frame_increase pot[] = {{1.1, 10}};
  mdt_frame_spec spec;
  mdt_frame_spec_init(&spec);
  spec.overheng_pct = 1.7;
  spec.glidning_pct = 1.0;
  spec.increases = pot;
  spec.n_increases = 1;
  spec.has_frame = 1;
  spec.frame_pct = 5.2;
  spec.central_month = 5;
  mdt_frame_result r = compute_ok(&spec);
  /* Pot: 1.1 * 3/12 = 0.275 this year, 1.1 * 9/12 = 0.825 carried.
   * Room 5.2 - 1.7 - 1.0 - 0.275 = 2.225; from 1 May 2.225 * 12/8 = 3.3375.
   * Carry-over 0.825 + 3.3375 * 4/12 = 0.825 + 1.1125 = 1.9375. */
  assert_close(r.given_annual_effect_pct, 0.275, TIGHT);
  assert_close(r.given_carryover_pct, 0.825, TIGHT);
  assert_close(r.room_annual_pct, 2.225, TIGHT);
  assert_close(r.room_dated_pct, 3.3375, TIGHT);
  assert_close(r.annual_growth_pct, 5.2, TIGHT);
  assert_close(r.carryover_next_pct, 1.9375, TIGHT);
  /* Exact: base 1.017 * 1.01 = 1.02717; products 1 (Jan-Apr), 1 + x (May-Sep),
   * (1 + x) 1.011 (Oct-Dec): 1.02717 (4 + (1 + x)(5 + 3 * 1.011)) / 12 = 1.052, so
   * 1 + x = (12 * 1.052 / 1.02717 - 4) / 8.033. */
  double exact_room = ((12.0 * 1.052 / 1.02717 - 4.0) / 8.033 - 1.0) * 100.0;
  assert_close(r.room_dated_exact_pct, exact_room, 1e-9);
  /* With the additive room: 1.02717 (4 + 1.033375 * 8.033) / 12 - 1. */
  assert_close(r.exact_annual_growth_pct, (1.02717 * (4.0 + 1.033375 * 8.033) / 12.0 - 1.0) * 100.0,
               1e-10);
  assert_true(r.difference_pct > 0.09 && r.difference_pct < 0.10); /* 5.294352 - 5.2 */
}

/* The exact dated room, given back as an increase, makes the exact growth equal the frame. */
static void test_exact_room_solves_exact_equation(void **state) {
  (void)state;
  const int months[] = {1, 3, 5, 8, 12};
  for (size_t i = 0; i < sizeof months / sizeof months[0]; i++) {
    mdt_frame_increase incs[3] = {{0.85, 4}, {1.23, 9}, {0.0, 1}};
    mdt_frame_spec spec;
    mdt_frame_spec_init(&spec);
    spec.overheng_pct = 1.37;
    spec.glidning_pct = 0.62;
    spec.increases = incs;
    spec.n_increases = 2;
    spec.has_frame = 1;
    spec.frame_pct = 4.385;
    spec.central_month = months[i];
    mdt_frame_result r = compute_ok(&spec);
    /* Additive room: 4.385 - 1.37 - 0.62 - (0.85 * 9/12 + 1.23 * 4/12). */
    double room_annual = 4.385 - 1.37 - 0.62 - (0.85 * 9.0 + 1.23 * 4.0) / 12.0;
    assert_close(r.room_annual_pct, room_annual, TIGHT);
    assert_close(r.room_dated_pct, room_annual * 12.0 / (double)(13 - months[i]), TIGHT);

    /* Feed the exact room back as a third given increase: exact growth = frame. */
    incs[2] = (mdt_frame_increase){r.room_dated_exact_pct, months[i]};
    mdt_frame_spec check;
    mdt_frame_spec_init(&check);
    check.overheng_pct = 1.37;
    check.glidning_pct = 0.62;
    check.increases = incs;
    check.n_increases = 3;
    mdt_frame_result rc = compute_ok(&check);
    assert_close(rc.exact_annual_growth_pct, 4.385, 1e-10);

    /* Closed form: the exact growth is linear in 1 + x, so
     * 1 + x = (12 (1 + F) / ((1 + o)(1 + g)) - A) / B with A and B the sums of the products
     * before and from the central month. */
    double a = 0.0, b = 0.0;
    for (int m = 1; m <= 12; m++) {
      double prod = (m >= 4 ? 1.0085 : 1.0) * (m >= 9 ? 1.0123 : 1.0);
      if (m < months[i])
        a += prod;
      else
        b += prod;
    }
    double x = ((12.0 * 1.04385 / (1.0137 * 1.0062) - a) / b - 1.0) * 100.0;
    assert_close(r.room_dated_exact_pct, x, 1e-9);
  }
}

/* A room that is negative is reported, not refused: the given elements exceed the frame. */
static void test_negative_room(void **state) {
  (void)state;
  mdt_frame_increase incs[] = {{2.5, 1}};
  mdt_frame_spec spec;
  mdt_frame_spec_init(&spec);
  spec.overheng_pct = 1.6;
  spec.glidning_pct = 0.5;
  spec.increases = incs;
  spec.n_increases = 1;
  spec.has_frame = 1;
  spec.frame_pct = 2.7;
  spec.central_month = 7;
  mdt_frame_result r = compute_ok(&spec);
  /* 2.7 - 1.6 - 0.5 - 2.5 = -1.9; from 1 July -1.9 * 12/6 = -3.8. */
  assert_close(r.room_annual_pct, -1.9, TIGHT);
  assert_close(r.room_dated_pct, -3.8, TIGHT);
  assert_close(r.annual_growth_pct, 2.7, TIGHT);
  assert_true(r.room_dated_exact_pct < 0.0);
}

static void test_glidning_history(void **state) {
  (void)state;
  /* (0.9 + 1.4 + 2.35) / 3 = 4.65 / 3 = 1.55. */
  const double hist[] = {0.9, 1.4, 2.35};
  double g = -1.0;
  mdt_error err;
  mdt_error_clear(&err);
  assert_int_equal(mdt_frame_glidning_from_history(hist, 3, &g, &err), MDT_OK);
  assert_close(g, 1.55, TIGHT);

  /* Used in the arithmetic: frame 4.4, overheng 1.3, glidning 1.55, from 1 May:
   * room 4.4 - 1.3 - 1.55 = 1.55 annual, 1.55 * 12/8 = 2.325 dated. */
  mdt_frame_spec spec;
  mdt_frame_spec_init(&spec);
  spec.overheng_pct = 1.3;
  spec.glidning_pct = g;
  spec.has_frame = 1;
  spec.frame_pct = 4.4;
  mdt_frame_result r = compute_ok(&spec);
  assert_close(r.room_annual_pct, 1.55, TIGHT);
  assert_close(r.room_dated_pct, 2.325, TIGHT);
}

static void test_glidning_history_errors(void **state) {
  (void)state;
  const double four[] = {0.3, 0.5, 1.0, 0.8};
  double g = 7.25;
  mdt_error err;

  mdt_error_clear(&err);
  assert_int_equal(mdt_frame_glidning_from_history(four, 2, &g, &err), MDT_EDATA);
  assert_message_has(err, "expected the realised glidning of the last 3 years (3 values), "
                          "found 2 values");
  mdt_error_clear(&err);
  assert_int_equal(mdt_frame_glidning_from_history(four, 4, &g, &err), MDT_EDATA);
  assert_message_has(err, "found 4 values");
  mdt_error_clear(&err);
  assert_int_equal(mdt_frame_glidning_from_history(four, 1, &g, &err), MDT_EDATA);
  assert_message_has(err, "found 1 value");
  mdt_error_clear(&err);
  assert_int_equal(mdt_frame_glidning_from_history(NULL, 0, &g, &err), MDT_EDATA);
  assert_message_has(err, "found 0 values");

  const double with_nan[] = {0.3, NAN, 1.0};
  mdt_error_clear(&err);
  assert_int_equal(mdt_frame_glidning_from_history(with_nan, 3, &g, &err), MDT_EDATA);
  assert_message_has(err, "glidning history value 2: expected each year's glidning as a finite "
                          "percentage above -100");
  assert_message_has(err, "found nan");
  const double with_inf[] = {0.3, 0.5, INFINITY};
  mdt_error_clear(&err);
  assert_int_equal(mdt_frame_glidning_from_history(with_inf, 3, &g, &err), MDT_EDATA);
  assert_message_has(err, "glidning history value 3:");
  assert_message_has(err, "found inf");
  const double at_minus_100[] = {-100.0, 0.5, 1.0};
  mdt_error_clear(&err);
  assert_int_equal(mdt_frame_glidning_from_history(at_minus_100, 3, &g, &err), MDT_EDATA);
  assert_message_has(err, "glidning history value 1:");
  assert_message_has(err, "found -100");

  /* Nothing written on failure; NULL where an object is required is a usage error. */
  assert_close(g, 7.25, 0.0);
  mdt_error_clear(&err);
  assert_int_equal(mdt_frame_glidning_from_history(four, 3, NULL, &err), MDT_EUSAGE);
  mdt_error_clear(&err);
  assert_int_equal(mdt_frame_glidning_from_history(NULL, 3, &g, &err), MDT_EUSAGE);
  /* err may be NULL. */
  assert_int_equal(mdt_frame_glidning_from_history(four, 2, &g, NULL), MDT_EDATA);
}

static void test_increase_check(void **state) {
  (void)state;
  mdt_error err;
  const struct {
    mdt_frame_increase inc;
    mdt_status st;
    const char *needle;
  } cases[] = {
      {{2.0, 0}, MDT_EDATA, "expected an effective month from 1 to 12, found 0"},
      {{2.0, 13}, MDT_EDATA, "expected an effective month from 1 to 12, found 13"},
      {{2.0, -4}, MDT_EDATA, "found -4"},
      {{NAN, 5}, MDT_EDATA, "expected the increase as a finite percentage above -100"},
      {{INFINITY, 5}, MDT_EDATA, "found inf"},
      {{-INFINITY, 5}, MDT_EDATA, "found -inf"},
      {{-100.0, 5}, MDT_EDATA, "found -100"},
      {{-150.25, 5}, MDT_EDATA, "found -150.25"},
      {{1000.5, 5}, MDT_EDATA, "at most 1000, found 1000.5"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    mdt_error_clear(&err);
    assert_int_equal(mdt_frame_increase_check(&cases[i].inc, &err), cases[i].st);
    assert_message_has(err, cases[i].needle);
  }
  /* The edges that are allowed. */
  const mdt_frame_increase fine[] = {{-99.5, 1}, {0.0, 12}, {1000.0, 6}};
  for (size_t i = 0; i < sizeof fine / sizeof fine[0]; i++) {
    mdt_error_clear(&err);
    assert_int_equal(mdt_frame_increase_check(&fine[i], &err), MDT_OK);
  }
  mdt_error_clear(&err);
  assert_int_equal(mdt_frame_increase_check(NULL, &err), MDT_EUSAGE);
}

static void test_pct_check(void **state) {
  (void)state;
  mdt_error err;
  const double bad[] = {NAN, INFINITY, -INFINITY, -100.0, -100.5, 1000.001};
  const char *found[] = {"found nan", "found inf", "found -inf",
                         "found -100", "found -100.5", "found 1000.001"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    mdt_error_clear(&err);
    assert_int_equal(mdt_frame_pct_check(bad[i], &err), MDT_EDATA);
    assert_message_has(err, "expected a finite percentage above -100 and at most 1000");
    assert_message_has(err, found[i]);
  }
  const double good[] = {-99.99, 0.0, 4.4, 1000.0};
  for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
    assert_int_equal(mdt_frame_pct_check(good[i], NULL), MDT_OK);
}

static void test_compute_errors(void **state) {
  (void)state;
  mdt_frame_increase incs[] = {{2.0, 4}, {1.0, 13}};
  mdt_frame_spec spec;
  mdt_error err;

  /* An element's error names the element. */
  mdt_frame_spec_init(&spec);
  spec.increases = incs;
  spec.n_increases = 2;
  err = compute_fail(&spec, MDT_EDATA);
  assert_message_has(err, "increase 2: expected an effective month from 1 to 12, found 13");
  incs[1] = (mdt_frame_increase){1.0, 0};
  err = compute_fail(&spec, MDT_EDATA);
  assert_message_has(err, "increase 2: expected an effective month from 1 to 12, found 0");
  incs[0] = (mdt_frame_increase){-100.0, 4};
  err = compute_fail(&spec, MDT_EDATA);
  assert_message_has(err, "increase 1: expected the increase as a finite percentage above -100");
  incs[0] = (mdt_frame_increase){NAN, 4};
  err = compute_fail(&spec, MDT_EDATA);
  assert_message_has(err, "increase 1:");
  assert_message_has(err, "found nan");

  /* Overheng, glidning and frame. */
  mdt_frame_spec_init(&spec);
  spec.overheng_pct = INFINITY;
  err = compute_fail(&spec, MDT_EDATA);
  assert_message_has(err, "expected the overheng as a finite percentage");
  spec.overheng_pct = -100.0;
  err = compute_fail(&spec, MDT_EDATA);
  assert_message_has(err, "found -100");
  mdt_frame_spec_init(&spec);
  spec.glidning_pct = NAN;
  err = compute_fail(&spec, MDT_EDATA);
  assert_message_has(err, "expected the glidning as a finite percentage");
  spec.glidning_pct = -120.5;
  err = compute_fail(&spec, MDT_EDATA);
  assert_message_has(err, "found -120.5");
  mdt_frame_spec_init(&spec);
  spec.has_frame = 1;
  spec.frame_pct = NAN;
  err = compute_fail(&spec, MDT_EDATA);
  assert_message_has(err, "expected the frame as a finite percentage");
  spec.frame_pct = -INFINITY;
  err = compute_fail(&spec, MDT_EDATA);
  assert_message_has(err, "found -inf");

  /* The central month is checked only with a frame. */
  mdt_frame_spec_init(&spec);
  spec.central_month = 13;
  compute_ok(&spec);
  spec.has_frame = 1;
  spec.frame_pct = 3.5;
  err = compute_fail(&spec, MDT_EDATA);
  assert_message_has(err, "expected the central increases' month from 1 to 12, found 13");
  spec.central_month = 0;
  err = compute_fail(&spec, MDT_EDATA);
  assert_message_has(err, "found 0");

  /* Misuse. */
  mdt_frame_spec_init(&spec);
  spec.n_increases = 2;
  err = compute_fail(&spec, MDT_EUSAGE);
  assert_message_has(err, "2 increases announced, none given");
  mdt_frame_result r;
  mdt_error_clear(&err);
  assert_int_equal(mdt_frame_compute(NULL, &r, &err), MDT_EUSAGE);
  mdt_frame_spec_init(&spec);
  mdt_error_clear(&err);
  assert_int_equal(mdt_frame_compute(&spec, NULL, &err), MDT_EUSAGE);
  /* err may be NULL. */
  spec.overheng_pct = NAN;
  assert_int_equal(mdt_frame_compute(&spec, &r, NULL), MDT_EDATA);
}

static void test_infeasible_frames(void **state) {
  (void)state;
  mdt_frame_increase incs[] = {{30.0, 1}};
  mdt_frame_spec spec;
  mdt_error err;

  /* Additive: room 5 - 30 = -25 annual, from 1 December -25 * 12 = -300 %: no central cut
   * can take that back. */
  mdt_frame_spec_init(&spec);
  spec.increases = incs;
  spec.n_increases = 1;
  spec.has_frame = 1;
  spec.frame_pct = 5.0;
  spec.central_month = 12;
  err = compute_fail(&spec, MDT_EINFEASIBLE);
  assert_message_has(err, "expected a room from December above -100 %, found -300 %");

  /* Exact only: overheng -20, frame -65, from 1 July. Additive room -65 + 20 = -45 annual,
   * -45 * 12/6 = -90 dated (above -100). Exact: even a 100 % cut from July leaves the
   * first half at 0.8, mean 0.4, growth -60 % > -65 %. */
  mdt_frame_spec_init(&spec);
  spec.overheng_pct = -20.0;
  spec.has_frame = 1;
  spec.frame_pct = -65.0;
  spec.central_month = 7;
  err = compute_fail(&spec, MDT_EINFEASIBLE);
  assert_message_has(err, "expected a frame above -60 % (the exact growth with a central cut "
                          "of 100 % from July), found -65 %");

  /* A level so close to zero that no finite central increase reaches the frame. */
  mdt_frame_spec_init(&spec);
  spec.overheng_pct = -99.9999999999;
  spec.has_frame = 1;
  spec.frame_pct = 1000.0;
  spec.central_month = 1;
  err = compute_fail(&spec, MDT_EINFEASIBLE);
  assert_message_has(err, "expected a frame that some central increase below 1e+12 % can reach");
}

int main(void) {
  /* As in the program: GSL reports through statuses, never by aborting. */
  gsl_set_error_handler_off();
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_spec_init),
      cmocka_unit_test(test_element_effects),
      cmocka_unit_test(test_nho_example),
      cmocka_unit_test(test_exact_path_by_hand),
      cmocka_unit_test(test_room_from_january),
      cmocka_unit_test(test_room_from_may),
      cmocka_unit_test(test_room_2024_with_local_pot),
      cmocka_unit_test(test_exact_room_solves_exact_equation),
      cmocka_unit_test(test_negative_room),
      cmocka_unit_test(test_glidning_history),
      cmocka_unit_test(test_glidning_history_errors),
      cmocka_unit_test(test_increase_check),
      cmocka_unit_test(test_pct_check),
      cmocka_unit_test(test_compute_errors),
      cmocka_unit_test(test_infeasible_frames),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
