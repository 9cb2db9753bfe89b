/* Weighting: size measures, sqrt, post-stratification, raking and the cap, worked by hand. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mandat/weights.h"
#include "testutil.h"

/*
 * Six members in three regions; members 2, 4 and 5 did not answer, and region C has no
 * respondent at all.
 *   member  region size  employees answered
 *   0       A      s     121.5     yes
 *   1       A      l     378.5     yes
 *   2       A      s     250.0     no
 *   3       B      l     412.5     yes
 *   4       B      s      87.5     no
 *   5       C      s      75.25    no
 */
static const double six_employees[] = {121.5, 378.5, 250.0, 412.5, 87.5, 75.25};
static const char *const six_region[] = {"A", "A", "A", "B", "B", "C"};
static const char *const six_size[] = {"s", "l", "s", "l", "s", "s"};
static const unsigned char six_answered[] = {1, 1, 0, 1, 0, 0};

static mdt_respondents *six_members(void) {
  const char *names[] = {"region", "size"};
  const char *const *labels[] = {six_region, six_size};
  return mdt_test_respondents(6, six_employees, 2, names, labels);
}

static void test_measures_and_sqrt(void **state) {
  (void)state;
  mdt_respondents *r = six_members();
  mdt_weights *w = NULL;
  mdt_error err;
  assert_int_equal(mdt_weights_new(r, &w, &err), MDT_OK);
  mdt_weight_options opt;
  mdt_weight_options_init(&opt);
  /* equal: 1 for each of the three respondents, 0 for the others */
  assert_int_equal(mdt_weights_compute(w, r, six_answered, NULL, &opt, &err), MDT_OK);
  assert_near(w->w[0], 1.0, 0);
  assert_near(w->w[2], 0.0, 0);
  assert_near(w->total_weight, 3.0, 0);
  assert_int_equal(w->nrespondents, 3);
  /* employees: the measure itself */
  opt.measure = MDT_SIZE_EMPLOYEES;
  assert_int_equal(mdt_weights_compute(w, r, six_answered, NULL, &opt, &err), MDT_OK);
  assert_near(w->w[1], 378.5, 0);
  /* sqrt:population (population = 10 x employees in the test table):
   * sqrt(1215) = 34.856850...; sqrt(4125) = 64.226163... */
  opt.measure = MDT_SIZE_POPULATION;
  opt.use_sqrt = 1;
  assert_int_equal(mdt_weights_compute(w, r, six_answered, NULL, &opt, &err), MDT_OK);
  assert_near(w->w[0], 34.85685011586675, 1e-12);
  assert_near(w->w[3], 64.22616289332565, 1e-12);
  /* a multiplicity (bootstrap) multiplies: member 3 drawn twice, member 1 not at all */
  opt.measure = MDT_SIZE_EMPLOYEES;
  opt.use_sqrt = 0;
  double mult[] = {1, 0, 0, 2, 0, 0};
  assert_int_equal(mdt_weights_compute(w, r, six_answered, mult, &opt, &err), MDT_OK);
  assert_near(w->w[1], 0.0, 0);
  assert_near(w->w[3], 825.0, 0);
  assert_int_equal(w->nrespondents, 2);
  mdt_weights_free(w);
  mdt_test_respondents_free(r);
}

static void test_measure_parse(void **state) {
  (void)state;
  mdt_size_measure m;
  int s;
  mdt_error err;
  assert_int_equal(mdt_size_measure_parse("sqrt:wagebill", &m, &s, &err), MDT_OK);
  assert_int_equal(m, MDT_SIZE_WAGEBILL);
  assert_int_equal(s, 1);
  assert_int_equal(mdt_size_measure_parse("fte", &m, &s, &err), MDT_OK);
  assert_int_equal(m, MDT_SIZE_FTE);
  assert_int_equal(s, 0);
  assert_int_equal(mdt_size_measure_parse("inhabitants", &m, &s, &err), MDT_EUSAGE);
  assert_non_null(strstr(err.message, "found 'inhabitants'"));
}

static void test_poststratification_by_hand(void **state) {
  (void)state;
  mdt_respondents *r = six_members();
  mdt_weights *w = NULL;
  mdt_error err;
  assert_int_equal(mdt_weights_new(r, &w, &err), MDT_OK);
  mdt_weight_options opt;
  mdt_weight_options_init(&opt);
  opt.measure = MDT_SIZE_EMPLOYEES;
  opt.poststrata = 0; /* region */
  assert_int_equal(mdt_weights_compute(w, r, six_answered, NULL, &opt, &err), MDT_OK);
  /* Region A: all members 121.5 + 378.5 + 250 = 750, respondents 121.5 + 378.5 = 500,
   * factor 1.5: w0 = 182.25, w1 = 567.75. Region B: 412.5 + 87.5 = 500 over 412.5:
   * w3 = 500. Region C has members (75.25) but no respondent: reported, not divided. */
  assert_near(w->w[0], 182.25, 1e-12);
  assert_near(w->w[1], 567.75, 1e-12);
  assert_near(w->w[3], 500.0, 1e-12);
  assert_near(w->w[5], 0.0, 0);
  assert_near(w->total_weight, 1250.0, 1e-12);
  assert_int_equal(w->nempty, 1);
  assert_int_equal(w->empty[0].grouping, 0);
  assert_string_equal(r->groupings[0].levels[w->empty[0].level], "C");
  assert_int_equal(w->empty[0].members, 1);
  assert_near(w->empty[0].size, 75.25, 0);
  /* A weighted mean with these weights, scores 4, 2, 5 for members 0, 1, 3:
   * (182.25*4 + 567.75*2 + 500*5) / 1250 = (729 + 1135.5 + 2500) / 1250 = 3.4916 */
  double mean = (w->w[0] * 4 + w->w[1] * 2 + w->w[3] * 5) / w->total_weight;
  assert_near(mean, 3.4916, 1e-12);
  mdt_weights_free(w);
  mdt_test_respondents_free(r);
}

/*
 * Raking with one respondent per cell and equal base weights keeps the cross-product ratio
 * at 1, so the solution is the independence table W_ab = T_a T_b / T:
 * 12 members, region A 7 / B 5, size s 8 / l 4.
 *   W_As = 7*8/12 = 56/12, W_Al = 28/12, W_Bs = 40/12, W_Bl = 20/12.
 * With scores As 2, Al 4, Bs 3, Bl 5 the mean is (112 + 112 + 120 + 100)/12 / 12 = 37/12.
 */
static void test_raking_by_hand(void **state) {
  (void)state;
  static const char *const region[] = {"A", "A", "A", "A", "A", "A", "A",
                                       "B", "B", "B", "B", "B"};
  static const char *const size[] = {"s", "l", "s", "s", "s", "l", "s",
                                     "s", "l", "s", "s", "l"};
  /* A has 5 s and 2 l, B has 3 s and 2 l: s = 8, l = 4. */
  double emp[12];
  for (int i = 0; i < 12; i++)
    emp[i] = 10 + i;
  const char *names[] = {"region", "size"};
  const char *const *labels[] = {region, size};
  mdt_respondents *r = mdt_test_respondents(12, emp, 2, names, labels);
  unsigned char answered[12] = {0};
  answered[0] = answered[1] = answered[7] = answered[8] = 1; /* As, Al, Bs, Bl */
  mdt_weights *w = NULL;
  mdt_error err;
  assert_int_equal(mdt_weights_new(r, &w, &err), MDT_OK);
  mdt_weight_options opt;
  mdt_weight_options_init(&opt);
  opt.rake[0] = 0;
  opt.rake[1] = 1;
  assert_int_equal(mdt_weights_compute(w, r, answered, NULL, &opt, &err), MDT_OK);
  assert_near(w->w[0], 56.0 / 12, 1e-9);
  assert_near(w->w[1], 28.0 / 12, 1e-9);
  assert_near(w->w[7], 40.0 / 12, 1e-9);
  assert_near(w->w[8], 20.0 / 12, 1e-9);
  double mean = (w->w[0] * 2 + w->w[1] * 4 + w->w[7] * 3 + w->w[8] * 5) / w->total_weight;
  assert_near(mean, 37.0 / 12, 1e-9);
  assert_true(w->rake_iterations >= 1);
  assert_true(w->rake_max_dev <= 1e-10);

  /* With employees as the measure the base weights differ (10, 11, 17, 18), the raked
   * weights must still meet both margins (A = 10+..+16 = 91, B = 17+..+21 = 95;
   * s = 10+12+13+14+16+17+19+20 = 121, l = 11+15+18+21 = 65) and keep the cross-product
   * ratio of the base weights: (10*18)/(11*17) = 180/187. */
  opt.measure = MDT_SIZE_EMPLOYEES;
  assert_int_equal(mdt_weights_compute(w, r, answered, NULL, &opt, &err), MDT_OK);
  assert_near(w->w[0] + w->w[1], 91, 1e-8);
  assert_near(w->w[7] + w->w[8], 95, 1e-8);
  assert_near(w->w[0] + w->w[7], 121, 1e-8);
  assert_near(w->w[1] + w->w[8], 65, 1e-8);
  assert_near(w->w[0] * w->w[8] / (w->w[1] * w->w[7]), 180.0 / 187.0, 1e-9);

  /* Respondents only on the diagonal (As, Bl) cannot meet A = 7 and s = 8 at once. */
  opt.measure = MDT_SIZE_EQUAL;
  opt.rake_max_iter = 50;
  answered[1] = answered[7] = 0;
  assert_int_equal(mdt_weights_compute(w, r, answered, NULL, &opt, &err), MDT_ENOCONV);
  assert_non_null(strstr(err.message, "did not converge in 50 iterations"));
  assert_non_null(strstr(err.message, "margin region="));
  mdt_weights_free(w);
  mdt_test_respondents_free(r);
}

static void test_raking_empty_level(void **state) {
  (void)state;
  /* Region C has no respondent: its member leaves both margins' targets. */
  mdt_respondents *r = six_members();
  mdt_weights *w = NULL;
  mdt_error err;
  assert_int_equal(mdt_weights_new(r, &w, &err), MDT_OK);
  mdt_weight_options opt;
  mdt_weight_options_init(&opt);
  opt.measure = MDT_SIZE_EMPLOYEES;
  opt.rake[0] = 0;
  opt.rake[1] = 1;
  unsigned char answered[] = {1, 1, 0, 1, 1, 0};
  assert_int_equal(mdt_weights_compute(w, r, answered, NULL, &opt, &err), MDT_OK);
  /* covered: regions A and B (members 0-4): A = 750, B = 500; s = 121.5+250+87.5 = 459,
   * l = 378.5+412.5 = 791. */
  assert_near(w->w[0] + w->w[1], 750, 1e-7);
  assert_near(w->w[3] + w->w[4], 500, 1e-7);
  assert_near(w->w[0] + w->w[4], 459, 1e-7);
  assert_near(w->w[1] + w->w[3], 791, 1e-7);
  assert_int_equal(w->nempty, 1);
  assert_near(w->empty[0].size, 75.25, 0);
  mdt_weights_free(w);
  mdt_test_respondents_free(r);
}

/*
 * What a bootstrap draw meets (the case of test_aggregate's dropped draws): members A (X, s,
 * 2 employees), B (X, l, 3), C (Y, s, 5), D (Y, s, 7), all answering; margins X 5, Y 12,
 * s 14, l 3.
 *   A twice, B not drawn: l has no respondent; it is listed as empty and the rest fits
 *     (A 2, C 5, D 7 after scaling A's 4 down to X's covered 2).
 *   B twice, A not drawn: B alone must be X's 5 and l's 3: no convergence, naming region=X.
 */
static void test_raking_bootstrap_draws(void **state) {
  (void)state;
  static const double emp[] = {2, 3, 5, 7};
  static const char *const region[] = {"X", "X", "Y", "Y"};
  static const char *const size[] = {"s", "l", "s", "s"};
  static const unsigned char all[] = {1, 1, 1, 1};
  const char *names[] = {"region", "size"};
  const char *const *labels[] = {region, size};
  mdt_respondents *r = mdt_test_respondents(4, emp, 2, names, labels);
  mdt_weights *w = NULL;
  mdt_error err;
  assert_int_equal(mdt_weights_new(r, &w, &err), MDT_OK);
  mdt_weight_options opt;
  mdt_weight_options_init(&opt);
  opt.measure = MDT_SIZE_EMPLOYEES;
  opt.rake[0] = 0;
  opt.rake[1] = 1;
  double aa[] = {2, 0, 1, 1}, bb[] = {0, 2, 1, 1};
  assert_int_equal(mdt_weights_compute(w, r, all, aa, &opt, &err), MDT_OK);
  assert_int_equal(w->nempty, 1);
  assert_int_equal(w->empty[0].grouping, 1);
  assert_string_equal(r->groupings[1].levels[w->empty[0].level], "l");
  assert_near(w->w[0], 2, 1e-9);
  assert_near(w->w[1], 0, 0);
  assert_near(w->w[2], 5, 1e-9);
  assert_near(w->w[3], 7, 1e-9);
  assert_int_equal(mdt_weights_compute(w, r, all, bb, &opt, &err), MDT_ENOCONV);
  assert_non_null(strstr(err.message, "region=X"));
  mdt_weights_free(w);
  mdt_test_respondents_free(r);
}

static void test_cap_by_hand(void **state) {
  (void)state;
  /* Weights 10, 20, 30, 40 (total 100), cap 30 %: 40 is held at 30 and its excess goes to
   * the others in proportion: 10, 20, 30 scaled by 70/60 give 11.67, 23.33, 35; 35 is then
   * held at 30 as well and 40 is left for the first two: 13.33 and 26.67. */
  static const char *const one[] = {"x", "x", "x", "x"};
  const double emp[] = {10, 20, 30, 40};
  const char *names[] = {"all"};
  const char *const *labels[] = {one};
  mdt_respondents *r = mdt_test_respondents(4, emp, 1, names, labels);
  unsigned char answered[] = {1, 1, 1, 1};
  mdt_weights *w = NULL;
  mdt_error err;
  assert_int_equal(mdt_weights_new(r, &w, &err), MDT_OK);
  mdt_weight_options opt;
  mdt_weight_options_init(&opt);
  opt.measure = MDT_SIZE_EMPLOYEES;
  opt.cap_share = 0.3;
  assert_int_equal(mdt_weights_compute(w, r, answered, NULL, &opt, &err), MDT_OK);
  assert_near(w->w[0], 40.0 / 3, 1e-12);
  assert_near(w->w[1], 80.0 / 3, 1e-12);
  assert_near(w->w[2], 30, 1e-12);
  assert_near(w->w[3], 30, 1e-12);
  assert_int_equal(w->ncapped, 2);
  assert_near(w->total_weight, 100, 1e-12);
  /* Four members at most 20 % each hold only 80 %: a 20 % cap cannot hold; 25 % can, and
   * then every member gets exactly a quarter. */
  opt.cap_share = 0.2;
  assert_int_equal(mdt_weights_compute(w, r, answered, NULL, &opt, &err), MDT_EUSAGE);
  assert_non_null(strstr(err.message, "cannot hold with 4 respondents (needs at least 5)"));
  opt.cap_share = 0.25;
  assert_int_equal(mdt_weights_compute(w, r, answered, NULL, &opt, &err), MDT_OK);
  for (int i = 0; i < 4; i++)
    assert_near(w->w[i], 25, 1e-9);
  mdt_weights_free(w);
  mdt_test_respondents_free(r);
}

static void test_errors(void **state) {
  (void)state;
  mdt_respondents *r = six_members();
  mdt_weights *w = NULL;
  mdt_error err;
  assert_int_equal(mdt_weights_new(r, &w, &err), MDT_OK);
  mdt_weight_options opt;
  mdt_weight_options_init(&opt);
  /* a member without the measure: a data error at its line in respondents.csv */
  r->fte[3] = NAN;
  opt.measure = MDT_SIZE_FTE;
  assert_int_equal(mdt_weights_compute(w, r, six_answered, NULL, &opt, &err), MDT_EDATA);
  assert_int_equal(err.line, 5);
  assert_non_null(strstr(err.message, "member '0004'"));
  r->employees[2] = -1;
  opt.measure = MDT_SIZE_EMPLOYEES;
  assert_int_equal(mdt_weights_compute(w, r, six_answered, NULL, &opt, &err), MDT_EDATA);
  assert_non_null(strstr(err.message, "found a negative one"));
  r->employees[2] = 250;
  /* options that do not fit together */
  opt.poststrata = 0;
  opt.rake[0] = 0;
  opt.rake[1] = 1;
  assert_int_equal(mdt_weights_compute(w, r, six_answered, NULL, &opt, &err), MDT_EUSAGE);
  opt.poststrata = -1;
  opt.rake[1] = 0;
  assert_int_equal(mdt_weights_compute(w, r, six_answered, NULL, &opt, &err), MDT_EUSAGE);
  assert_non_null(strstr(err.message, "'region' twice"));
  opt.rake[1] = -1;
  assert_int_equal(mdt_weights_compute(w, r, six_answered, NULL, &opt, &err), MDT_EUSAGE);
  opt.rake[0] = -1;
  opt.cap_share = 1.5;
  assert_int_equal(mdt_weights_compute(w, r, six_answered, NULL, &opt, &err), MDT_EUSAGE);
  mdt_weights_free(w);
  mdt_weights_free(NULL);
  mdt_test_respondents_free(r);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_measures_and_sqrt),
      cmocka_unit_test(test_measure_parse),
      cmocka_unit_test(test_poststratification_by_hand),
      cmocka_unit_test(test_raking_by_hand),
      cmocka_unit_test(test_raking_empty_level),
      cmocka_unit_test(test_raking_bootstrap_draws),
      cmocka_unit_test(test_cap_by_hand),
      cmocka_unit_test(test_errors),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
