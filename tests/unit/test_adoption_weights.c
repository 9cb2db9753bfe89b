/* Weighting by adoption (political_only, adopted_weight) on tests/fixtures/regional, with
 * weights worked by hand, and the scenario keys that set it. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mandat/aggregate.h"
#include "mandat/model.h"
#include "mandat/scenario.h"
#include "testutil.h"

/*
 * The fixture's numeric respondents (employees, adoption, q_score g1):
 *   Alfa  Nord 100 politisk        4
 *   Beta  Nord 250 administrativt  3
 *   Delta Sør  600 political       (q_form krone)
 * Post-stratified by region to all members' employees: Nord 750, Sør 800; Vest (300) has
 * no respondents and is left out.
 */
static mdt_model *load_regional(void) {
  char *dir = mdt_test_fixture("regional");
  mdt_model *m = NULL;
  mdt_error err;
  mdt_error_clear(&err);
  if (mdt_model_load(dir, MDT_MODEL_ANSWERS, &m, &err) != MDT_OK)
    fail_msg("%s", mdt_test_errstr(&err));
  free(dir);
  return m;
}

static mdt_aggregate *aggregate(const mdt_model *m, int political_only, double adopted_weight,
                                size_t bootstrap) {
  mdt_aggregate_options opt;
  mdt_aggregate_options_init(&opt);
  assert_true(opt.adopted_weight == 1);
  assert_int_equal(opt.political_only, 0);
  opt.weights.measure = MDT_SIZE_EMPLOYEES;
  opt.weights.poststrata = 1; /* kind, region, size_class */
  opt.political_only = political_only;
  opt.adopted_weight = adopted_weight;
  opt.bootstrap = bootstrap;
  mdt_aggregate *agg = NULL;
  mdt_error err;
  mdt_error_clear(&err);
  if (mdt_aggregate_answers(m->respondents, m->questionnaire, m->groups, NULL, m->answers, &opt,
                            &agg, &err) != MDT_OK)
    fail_msg("%s", mdt_test_errstr(&err));
  return agg;
}

/* The national estimate of statistic s for option c. */
static const mdt_estimate *national(const mdt_aggregate *agg, long c, mdt_statistic s) {
  for (size_t k = 0; k < agg->nrows; k++) {
    const mdt_estimate *e = &agg->rows[k];
    if (e->scope == -1 && e->option == c && e->statistic == s)
      return e;
  }
  fail_msg("no row for option %ld", c);
  return NULL;
}

static void test_all_answers(void **state) {
  (void)state;
  mdt_model *m = load_regional();
  mdt_aggregate *agg = aggregate(m, 0, 1, 0);
  /* Nord: 100 + 250 = 350 scaled to 750: Alfa 214.2857, Beta 535.7143; Delta 600 -> 800. */
  assert_near(agg->weights[0], 100.0 * 750 / 350, 1e-9);
  assert_near(agg->weights[1], 250.0 * 750 / 350, 1e-9);
  assert_near(agg->weights[3], 800, 1e-9);
  assert_near(agg->total_weight, 1550, 1e-9);
  assert_int_equal(agg->nrespondents, 3);
  assert_int_equal(agg->answered_by_adoption[MDT_ADOPTED_POLITICAL], 2);
  assert_int_equal(agg->answered_by_adoption[MDT_ADOPTED_ADMINISTRATIVE], 1);
  assert_int_equal(agg->answered_by_adoption[MDT_ADOPTED_UNKNOWN], 0);
  assert_int_equal(agg->nexcluded, 0);
  /* g1: (214.2857 x 4 + 535.7143 x 3) / 750 = 3.2857 (= 23/7). */
  const mdt_estimate *e = national(agg, 0, MDT_STAT_MEAN);
  assert_near(e->value, 23.0 / 7, 1e-12);
  assert_true(e->n == 2);
  mdt_aggregate_free(agg);
  mdt_model_free(m);
}

static void test_political_only(void **state) {
  (void)state;
  mdt_model *m = load_regional();
  mdt_aggregate *agg = aggregate(m, 1, 1, 0);
  /* Beta is left out and counts as a non-respondent: Alfa alone carries Nord's 750. */
  assert_int_equal(agg->nrespondents, 2);
  assert_int_equal(agg->nexcluded, 1);
  assert_false(agg->responded[1]);
  assert_true(agg->weights[1] == 0);
  assert_near(agg->weights[0], 750, 1e-9);
  assert_near(agg->weights[3], 800, 1e-9);
  assert_near(agg->total_weight, 1550, 1e-9);
  /* Still counted among the answers, by adoption. */
  assert_int_equal(agg->answered_by_adoption[MDT_ADOPTED_ADMINISTRATIVE], 1);
  const mdt_estimate *e = national(agg, 0, MDT_STAT_MEAN);
  assert_near(e->value, 4, 1e-12);
  assert_true(e->n == 1);
  /* Delta's choice is untouched: krone 1 of 1. */
  assert_near(national(agg, 2, MDT_STAT_PROPORTION)->value, 1, 1e-12);
  mdt_aggregate_free(agg);

  /* With bootstrap draws the excluded member is never drawn: g1's mean is 4 in every draw. */
  agg = aggregate(m, 1, 1, 50);
  e = national(agg, 0, MDT_STAT_MEAN);
  assert_near(e->ci_low, 4, 1e-12);
  assert_near(e->ci_high, 4, 1e-12);
  mdt_aggregate_free(agg);
  mdt_model_free(m);
}

static void test_adopted_weight(void **state) {
  (void)state;
  mdt_model *m = load_regional();
  /* Beta's base weight 250 x 0.4 = 100; Nord's 100 + 100 = 200 scaled to 750: Alfa and Beta
   * 375 each. g1: (375 x 4 + 375 x 3) / 750 = 3.5; Kish's n_eff 750^2 / (2 x 375^2) = 2. */
  mdt_aggregate *agg = aggregate(m, 0, 0.4, 0);
  assert_near(agg->weights[0], 375, 1e-9);
  assert_near(agg->weights[1], 375, 1e-9);
  assert_near(agg->weights[3], 800, 1e-9);
  assert_int_equal(agg->nrespondents, 3);
  const mdt_estimate *e = national(agg, 0, MDT_STAT_MEAN);
  assert_near(e->value, 3.5, 1e-12);
  assert_near(e->n_eff, 2, 1e-12);
  mdt_aggregate_free(agg);
  /* The same with per-respondent weights (bootstrap on): the point estimate must agree. */
  agg = aggregate(m, 0, 0.4, 20);
  assert_near(national(agg, 0, MDT_STAT_MEAN)->value, 3.5, 1e-12);
  mdt_aggregate_free(agg);

  mdt_aggregate_options opt;
  mdt_aggregate_options_init(&opt);
  opt.adopted_weight = 0;
  mdt_aggregator *a = NULL;
  mdt_error err;
  mdt_error_clear(&err);
  assert_int_equal(mdt_aggregator_new(m->respondents, m->questionnaire, m->groups, NULL, &opt,
                                      &a, &err),
                   MDT_EUSAGE);
  assert_null(a);
  assert_non_null(strstr(err.message, "adopted weight above 0"));
  mdt_model_free(m);
}

static void test_scenario_keys(void **state) {
  (void)state;
  char *path = mdt_test_write_text("adopt.ini", "[weighting]\nadopted = political\n"
                                                "adopted_weight = 0.25\n");
  mdt_scenario *s = NULL;
  mdt_error err;
  mdt_error_clear(&err);
  if (mdt_scenario_load(path, &s, &err) != MDT_OK)
    fail_msg("%s", mdt_test_errstr(&err));
  assert_int_equal(s->adopted_political_only, 1);
  assert_true(s->adopted_weight == 0.25);
  mdt_scenario_free(s);
  free(path);
  path = mdt_test_write_text("adopt_default.ini", "[weighting]\nweights = employees\n");
  assert_int_equal(mdt_scenario_load(path, &s, &err), MDT_OK);
  assert_int_equal(s->adopted_political_only, 0);
  assert_true(s->adopted_weight == 1);
  mdt_scenario_free(s);
  free(path);
  /* "adopted = " is 10 characters: the value starts in column 11. */
  path = mdt_test_write_text("adopt_bad.ini", "[weighting]\nadopted = politisk\n");
  assert_int_not_equal(mdt_scenario_load(path, &s, &err), MDT_OK);
  assert_error_at(&err, MDT_EDATA, 2, 11, "expected all or political, found 'politisk'");
  free(path);
  path = mdt_test_write_text("adopt_zero.ini", "[weighting]\nadopted_weight = 0\n");
  assert_int_not_equal(mdt_scenario_load(path, &s, &err), MDT_OK);
  assert_error_at(&err, MDT_EDATA, 2, 18, "expected a factor above 0");
  free(path);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_all_answers),
      cmocka_unit_test(test_political_only),
      cmocka_unit_test(test_adopted_weight),
      cmocka_unit_test(test_scenario_keys),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
