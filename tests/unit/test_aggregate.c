/* Aggregation: every statistic on a case small enough to work by hand. */
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "engine/aggregate_int.h"
#include "engine/mix.h"
#include "mandat/aggregate.h"
#include "testutil.h"

/*
 * Four members; three answer. Employees 2, 3, 5 and 7; regions X, X, Y, Y (member 3 is
 * in Y and does not answer). Groups a, b, c.
 *   q_rank  (rank, priority) options a, b, c
 *   q_score (score 1-5, priority) options a, b, c
 *   q_share (share 0-100) option local
 *   q_form  (choice) options x, y
 * Answers:
 *   R0 (w 2): ranks a1 b2 c3;      scores a4 b3 c2; share 10; chooses x
 *   R1 (w 3): ranks b1 a2 (c none); scores a2 b5 c4; share 30; chooses y
 *   R2 (w 5): ranks c1 (a, b none); scores a5 b1 c3; share 20; chooses x
 */
enum { Q_RANK, Q_SCORE, Q_SHARE, Q_FORM };
/* global option indexes */
enum { O_RA, O_RB, O_RC, O_SA, O_SB, O_SC, O_LOCAL, O_X, O_Y };

static const mdt_test_question questions[] = {
    {"q_rank", MDT_Q_RANK, MDT_ROLE_PRIORITY, 0, 0, {"a", "b", "c", NULL}, {0, 1, 2}},
    {"q_score", MDT_Q_SCORE, MDT_ROLE_PRIORITY, 1, 5, {"a", "b", "c", NULL}, {0, 1, 2}},
    {"q_share", MDT_Q_SHARE, MDT_ROLE_SPLIT, 0, 100, {"local", NULL}, {-1}},
    {"q_form", MDT_Q_CHOICE, MDT_ROLE_PROFILE, 0, 1, {"x", "y", NULL}, {-1, -1}},
};

static const int32_t ans_resp[] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2};
static const int32_t ans_opt[] = {O_RA, O_RB, O_RC, O_SA, O_SB, O_SC, O_LOCAL, O_X,
                                  O_RB, O_RA, O_SA, O_SB, O_SC, O_LOCAL, O_Y,
                                  O_RC, O_SA, O_SB, O_SC, O_LOCAL, O_X};
static const double ans_val[] = {1, 2, 3, 4, 3, 2, 10, 1, 1, 2, 2, 5, 4, 30, 1,
                                 1, 5, 1, 3, 20, 1};

typedef struct {
  mdt_respondents *r;
  mdt_questionnaire *q;
  mdt_groups groups;
  char *group_ids[3];
  mdt_answers answers;
  mdt_headcounts hc;
  double hc_counts[12];
} fixture;

static int setup(void **state) {
  fixture *f = calloc(1, sizeof *f);
  static const double emp[] = {2, 3, 5, 7};
  static const char *const region[] = {"X", "X", "Y", "Y"};
  const char *names[] = {"region"};
  const char *const *labels[] = {region};
  f->r = mdt_test_respondents(4, emp, 1, names, labels);
  f->q = mdt_test_questionnaire(4, questions);
  f->group_ids[0] = "a";
  f->group_ids[1] = "b";
  f->group_ids[2] = "c";
  f->groups.n = 3;
  f->groups.id = f->group_ids;
  f->answers.n = sizeof ans_val / sizeof ans_val[0];
  f->answers.respondent = (int32_t *)ans_resp;
  f->answers.option = (int32_t *)ans_opt;
  f->answers.value = (double *)ans_val;
  /* Headcounts: each answering member mostly employs "its" group. */
  static const double counts[12] = {10, 1, 1, 1, 10, 1, 1, 1, 10, 4, 4, 4};
  memcpy(f->hc_counts, counts, sizeof counts);
  f->hc.nrespondents = 4;
  f->hc.ngroups = 3;
  f->hc.count = f->hc_counts;
  *state = f;
  return 0;
}

static int teardown(void **state) {
  fixture *f = *state;
  mdt_test_respondents_free(f->r);
  mdt_test_questionnaire_free(f->q);
  free(f);
  return 0;
}

static const mdt_estimate *find(const mdt_aggregate *agg, long stratum, long question,
                                long option, mdt_statistic stat) {
  for (size_t k = 0; k < agg->nrows; k++) {
    const mdt_estimate *e = &agg->rows[k];
    if (e->stratum == stratum && e->question == question && e->option == option &&
        e->statistic == stat)
      return e;
  }
  fail_msg("no row for stratum %ld question %ld option %ld %s", stratum, question, option,
           mdt_statistic_name(stat));
  return NULL;
}

static mdt_aggregate *run(fixture *f, const mdt_aggregate_options *opt) {
  mdt_aggregate *agg = NULL;
  mdt_error err;
  mdt_status st = mdt_aggregate_answers(f->r, f->q, &f->groups, &f->hc, &f->answers, opt, &agg,
                                        &err);
  if (st != MDT_OK)
    fail_msg("%s", mdt_test_errstr(&err));
  return agg;
}

static void employees_options(mdt_aggregate_options *opt) {
  mdt_aggregate_options_init(opt);
  opt->weights.measure = MDT_SIZE_EMPLOYEES;
  opt->bootstrap = 0;
}

static void test_rank_by_hand(void **state) {
  fixture *f = *state;
  mdt_aggregate_options opt;
  employees_options(&opt);
  mdt_aggregate *agg = run(f, &opt);
  /* Positions: R0 a1 b2 c3; R1 b1 a2 c3 (alone unranked); R2 c1, a and b share 2.5.
   * Points = 3 - position: R0 a2 b1 c0; R1 a1 b2 c0; R2 c2 a0.5 b0.5.
   * Borda a = (2*2 + 3*1 + 5*0.5)/10 = 0.95, b = (2*1 + 3*2 + 5*0.5)/10 = 1.05,
   * c = (5*2)/10 = 1.0. */
  assert_near(find(agg, -1, Q_RANK, O_RA, MDT_STAT_BORDA)->value, 0.95, 1e-12);
  assert_near(find(agg, -1, Q_RANK, O_RB, MDT_STAT_BORDA)->value, 1.05, 1e-12);
  assert_near(find(agg, -1, Q_RANK, O_RC, MDT_STAT_BORDA)->value, 1.0, 1e-12);
  /* top1: a 2/10, b 3/10, c 5/10; top3 (a rank of at most 3): a 5/10, b 5/10, c 7/10 */
  assert_near(find(agg, -1, Q_RANK, O_RA, MDT_STAT_TOP1_SHARE)->value, 0.2, 1e-12);
  assert_near(find(agg, -1, Q_RANK, O_RB, MDT_STAT_TOP1_SHARE)->value, 0.3, 1e-12);
  assert_near(find(agg, -1, Q_RANK, O_RC, MDT_STAT_TOP1_SHARE)->value, 0.5, 1e-12);
  assert_near(find(agg, -1, Q_RANK, O_RA, MDT_STAT_TOP3_SHARE)->value, 0.5, 1e-12);
  assert_near(find(agg, -1, Q_RANK, O_RC, MDT_STAT_TOP3_SHARE)->value, 0.7, 1e-12);
  /* Kendall's W with weights: R_a = 2*1 + 3*2 + 5*2.5 = 20.5, R_b = 2*2 + 3*1 + 5*2.5 = 19.5,
   * R_c = 2*3 + 3*3 + 5*1 = 20; mean m(k+1)/2 = 10*4/2 = 20; S = 0.25 + 0.25 + 0 = 0.5;
   * ties: R2's two unranked options give T = 2^3 - 2 = 6, weighted 5*6 = 30;
   * W = 12*0.5 / (10^2 * (27 - 3) - 10*30) = 6/2100. */
  const mdt_estimate *w = find(agg, -1, Q_RANK, -1, MDT_STAT_KENDALL_W);
  assert_near(w->value, 6.0 / 2100, 1e-15);
  assert_near(w->n, 3, 0);
  /* Kish: (2+3+5)^2 / (4+9+25) = 100/38 */
  assert_near(w->n_eff, 100.0 / 38, 1e-12);
  mdt_aggregate_free(agg);

  /* Unweighted, the textbook formula: R = 5.5, 5.5, 7; mean 6; S = 1.5;
   * W = 12*1.5 / (9*24 - 3*6) = 18/198 = 1/11. */
  opt.weights.measure = MDT_SIZE_EQUAL;
  agg = run(f, &opt);
  assert_near(find(agg, -1, Q_RANK, -1, MDT_STAT_KENDALL_W)->value, 1.0 / 11, 1e-15);
  mdt_aggregate_free(agg);
}

static void test_score_share_choice_by_hand(void **state) {
  fixture *f = *state;
  mdt_aggregate_options opt;
  employees_options(&opt);
  mdt_aggregate *agg = run(f, &opt);
  /* score a: (2*4 + 3*2 + 5*5)/10 = 3.9; b: (6 + 15 + 5)/10 = 2.6; c: (4 + 12 + 15)/10 = 3.1 */
  const mdt_estimate *m = find(agg, -1, Q_SCORE, O_SA, MDT_STAT_MEAN);
  assert_near(m->value, 3.9, 1e-12);
  assert_near(m->n, 3, 0);
  assert_near(m->n_eff, 100.0 / 38, 1e-12);
  assert_near(find(agg, -1, Q_SCORE, O_SB, MDT_STAT_MEAN)->value, 2.6, 1e-12);
  assert_near(find(agg, -1, Q_SCORE, O_SC, MDT_STAT_MEAN)->value, 3.1, 1e-12);
  /* sd of a: Σw(x-m)² = 2*0.01 + 3*3.61 + 5*1.21 = 16.9; reliability-weight variance
   * 16.9 * 10 / (100 - 38) = 2.7258...; checked against GSL's gsl_stats_wsd. */
  double x[] = {4, 2, 5}, wts[] = {2, 3, 5};
  double gsl_sd = gsl_stats_wsd(wts, 1, x, 1, 3);
  assert_near(gsl_sd, sqrt(16.9 * 10 / 62), 1e-12);
  assert_near(find(agg, -1, Q_SCORE, O_SA, MDT_STAT_SD)->value, gsl_sd, 1e-12);
  /* share: mean (20 + 90 + 100)/10 = 21; sorted 10 (w2), 20 (w5), 30 (w3): cumulative 2, 7,
   * 10; median (5) and q1 (2.5) first reached at 20; q3 (7.5) at 30. */
  assert_near(find(agg, -1, Q_SHARE, O_LOCAL, MDT_STAT_SHARE_MEAN)->value, 21, 1e-12);
  assert_near(find(agg, -1, Q_SHARE, O_LOCAL, MDT_STAT_SHARE_MEDIAN)->value, 20, 0);
  assert_near(find(agg, -1, Q_SHARE, O_LOCAL, MDT_STAT_SHARE_Q1)->value, 20, 0);
  assert_near(find(agg, -1, Q_SHARE, O_LOCAL, MDT_STAT_SHARE_Q3)->value, 30, 0);
  /* choice: x (2 + 5)/10 = 0.7, y 0.3, both over the three who answered */
  const mdt_estimate *px = find(agg, -1, Q_FORM, O_X, MDT_STAT_PROPORTION);
  assert_near(px->value, 0.7, 1e-12);
  assert_near(px->n, 3, 0);
  assert_near(find(agg, -1, Q_FORM, O_Y, MDT_STAT_PROPORTION)->value, 0.3, 1e-12);
  /* Without bootstrap there are no intervals. */
  assert_true(isnan(px->ci_low) && isnan(px->ci_high));
  mdt_aggregate_free(agg);

  /* Equal weights: the median of 10, 20, 30 is 20; quartiles by the midpoint rule:
   * q1 target 0.75 is first reached at 10, q3 target 2.25 at 30. */
  opt.weights.measure = MDT_SIZE_EQUAL;
  agg = run(f, &opt);
  assert_near(find(agg, -1, Q_SHARE, O_LOCAL, MDT_STAT_SHARE_MEDIAN)->value, 20, 0);
  assert_near(find(agg, -1, Q_SHARE, O_LOCAL, MDT_STAT_SHARE_Q1)->value, 10, 0);
  mdt_aggregate_free(agg);
}

static void test_quantile_exact_hit(void **state) {
  fixture *f = *state;
  /* Four equal respondents with shares 10, 20, 30, 40: the median's target 2 is reached
   * exactly at 20, so it is the mean of 20 and 30 = 25; q1 target 1 at 10 gives 15. */
  static const double emp[] = {1, 1, 1, 1};
  static const char *const region[] = {"X", "X", "Y", "Y"};
  const char *names[] = {"region"};
  const char *const *labels[] = {region};
  mdt_respondents *r = mdt_test_respondents(4, emp, 1, names, labels);
  int32_t resp[] = {0, 1, 2, 3}, opt_ix[] = {O_LOCAL, O_LOCAL, O_LOCAL, O_LOCAL};
  double val[] = {30, 10, 40, 20};
  mdt_answers a = {4, resp, opt_ix, val, 0, NULL, NULL};
  mdt_aggregate_options opt;
  employees_options(&opt);
  mdt_aggregate *agg = NULL;
  mdt_error err;
  assert_int_equal(mdt_aggregate_answers(r, f->q, &f->groups, NULL, &a, &opt, &agg, &err),
                   MDT_OK);
  assert_near(find(agg, -1, Q_SHARE, O_LOCAL, MDT_STAT_SHARE_MEDIAN)->value, 25, 0);
  assert_near(find(agg, -1, Q_SHARE, O_LOCAL, MDT_STAT_SHARE_Q1)->value, 15, 0);
  assert_near(find(agg, -1, Q_SHARE, O_LOCAL, MDT_STAT_SHARE_Q3)->value, 35, 0);
  /* No rank or score answers: their statistics are undefined, not zero. */
  assert_true(isnan(find(agg, -1, Q_SCORE, O_SA, MDT_STAT_MEAN)->value));
  assert_near(find(agg, -1, Q_SCORE, O_SA, MDT_STAT_MEAN)->n, 0, 0);
  mdt_aggregate_free(agg);
  mdt_test_respondents_free(r);
}

static void test_profile_by_hand(void **state) {
  fixture *f = *state;
  mdt_aggregate_options opt;
  employees_options(&opt);
  mdt_aggregate *agg = run(f, &opt);
  /* rank part: Borda / 2 = a 0.475, b 0.525, c 0.5; score part: (mean - 1)/4 = a 0.725,
   * b 0.4, c 0.525; profile = the mean of both: a 0.6, b 0.4625, c 0.5125. */
  assert_near(agg->profiles[0].priority[0], 0.6, 1e-12);
  assert_near(agg->profiles[0].priority[1], 0.4625, 1e-12);
  assert_near(agg->profiles[0].priority[2], 0.5125, 1e-12);
  assert_near(find(agg, -1, -1, 2, MDT_STAT_PRIORITY)->value, 0.5125, 1e-12);
  assert_near(find(agg, -1, -1, 2, MDT_STAT_PRIORITY)->n, 3, 0);
  mdt_aggregate_free(agg);
}

static void test_top_group_and_profile_draws(void **state) {
  fixture *f = *state;
  mdt_aggregate_options opt;
  employees_options(&opt);
  mdt_aggregate *agg = run(f, &opt);
  /* First choices in q_rank: R0 a, R1 b, R2 c; member 3 did not answer. */
  assert_int_equal(agg->top_group[0], 0);
  assert_int_equal(agg->top_group[1], 1);
  assert_int_equal(agg->top_group[2], 2);
  assert_int_equal(agg->top_group[3], -1);
  assert_null(agg->profile_draws);
  mdt_aggregate_free(agg);
  opt.bootstrap = 40;
  opt.keep_profile_draws = 1;
  agg = run(f, &opt);
  assert_non_null(agg->profile_draws);
  /* Each draw's profile is a profile: in [0, 1] for the three groups. */
  for (size_t b = 0; b < 40; b++)
    for (size_t g = 0; g < 3; g++) {
      double v = agg->profile_draws[b * 3 + g];
      assert_true(v >= 0 && v <= 1);
    }
  mdt_aggregate_free(agg);
}

static void test_breakdown_and_poststrata(void **state) {
  fixture *f = *state;
  mdt_aggregate_options opt;
  employees_options(&opt);
  opt.breakdown = 0;
  mdt_aggregate *agg = run(f, &opt);
  assert_int_equal(agg->nstrata, 2);
  /* Region X = {R0, R1}: Borda a = (2*2 + 3*1)/5 = 1.4, b = (2*1 + 3*2)/5 = 1.6, c 0.
   * Region Y = {R2}: a 0.5, b 0.5, c 2. */
  assert_near(find(agg, 0, Q_RANK, O_RA, MDT_STAT_BORDA)->value, 1.4, 1e-12);
  assert_near(find(agg, 0, Q_RANK, O_RC, MDT_STAT_BORDA)->value, 0.0, 1e-12);
  assert_near(find(agg, 1, Q_RANK, O_RC, MDT_STAT_BORDA)->value, 2.0, 1e-12);
  assert_int_equal(find(agg, 1, Q_RANK, O_RC, MDT_STAT_BORDA)->scope, 0);
  assert_int_equal(find(agg, -1, Q_RANK, O_RC, MDT_STAT_BORDA)->scope, -1);
  mdt_aggregate_free(agg);

  /* Post-stratified by region on employees: X has all its employees answering (5 of 5),
   * factor 1; Y has 12 employees, 5 answering: R2 weighs 12. National Borda of a:
   * (2*2 + 3*1 + 12*0.5)/17 = 13/17. Region weights sum to the region's employees. */
  opt.weights.poststrata = 0;
  agg = run(f, &opt);
  assert_near(find(agg, -1, Q_RANK, O_RA, MDT_STAT_BORDA)->value, 13.0 / 17, 1e-12);
  assert_near(agg->weights[0] + agg->weights[1], 5, 1e-12);
  assert_near(agg->weights[2] + agg->weights[3], 12, 1e-12);
  assert_near(agg->total_weight, 17, 1e-12);
  assert_int_equal(agg->nrespondents, 3);
  assert_int_equal(agg->nempty, 0);
  mdt_aggregate_free(agg);
}

static void test_by_group(void **state) {
  fixture *f = *state;
  mdt_aggregate_options opt;
  employees_options(&opt);
  opt.by_group = 1;
  mdt_aggregate *agg = run(f, &opt);
  /* Scores about group a weighted by employees times headcount in a: R0 2*10 = 20,
   * R1 3*1 = 3, R2 5*1 = 5: (20*4 + 3*2 + 5*5)/28 = 111/28. */
  assert_near(find(agg, -1, Q_SCORE, O_SA, MDT_STAT_MEAN)->value, 111.0 / 28, 1e-12);
  /* Choice options name no group: unchanged 0.7. */
  assert_near(find(agg, -1, Q_FORM, O_X, MDT_STAT_PROPORTION)->value, 0.7, 1e-12);
  mdt_aggregate_free(agg);
  mdt_aggregate *bad = NULL;
  mdt_error err;
  assert_int_equal(mdt_aggregate_answers(f->r, f->q, &f->groups, NULL, &f->answers, &opt, &bad,
                                         &err),
                   MDT_EUSAGE);
  assert_null(bad);
  assert_non_null(strstr(err.message, "headcounts"));
}

/* The streaming path (sums per weighting cell) and the per-respondent path (used for the
 * bootstrap) must give the same point estimates. */
static void test_paths_agree(void **state) {
  fixture *f = *state;
  mdt_aggregate_options opt;
  employees_options(&opt);
  opt.weights.poststrata = 0;
  opt.breakdown = 0;
  opt.by_group = 1;
  mdt_aggregate *a = run(f, &opt);
  opt.bootstrap = 10;
  mdt_aggregate *b = run(f, &opt);
  size_t checked = 0;
  for (size_t k = 0; k < a->nrows; k++) {
    const mdt_estimate *e = &a->rows[k];
    const mdt_estimate *g = find(b, e->stratum, e->question, e->option, e->statistic);
    if (isnan(e->value)) {
      assert_true(isnan(g->value));
      continue;
    }
    assert_near(g->value, e->value, 1e-12 * (1 + fabs(e->value)));
    assert_near(g->n, e->n, 0);
    checked++;
  }
  assert_true(checked > 50);
  mdt_aggregate_free(a);
  mdt_aggregate_free(b);
}

/* Sixty members with varied answers (a fixed linear congruential sequence), for tests
 * that need intervals wider than a handful of respondents can give. */
typedef struct {
  mdt_respondents *r;
  mdt_answers a;
  int32_t resp[60 * 9];
  int32_t opt[60 * 9];
  double val[60 * 9];
} sixty;

static void sixty_init(sixty *s) {
  double emp[60];
  const char *region[60];
  static const char *const names3[] = {"N", "S", "W"};
  unsigned long x = 12345;
  for (int i = 0; i < 60; i++) {
    emp[i] = 50 + (i * 37) % 200;
    region[i] = names3[i % 3];
  }
  const char *names[] = {"region"};
  const char *const *labels[] = {region};
  s->r = mdt_test_respondents(60, emp, 1, names, labels);
  size_t n = 0;
  for (int32_t i = 0; i < 60; i++) {
    for (int32_t c = O_SA; c <= O_SC; c++) {
      x = x * 1103515245 + 12345;
      s->resp[n] = i;
      s->opt[n] = c;
      s->val[n++] = (double)(1 + (x >> 16) % 5);
    }
    x = x * 1103515245 + 12345;
    s->resp[n] = i;
    s->opt[n] = O_LOCAL;
    s->val[n++] = (double)((x >> 16) % 41);
    s->resp[n] = i;
    s->opt[n] = (i % 4) ? O_X : O_Y;
    s->val[n++] = 1;
    /* rank: a rotation of a, b, c */
    for (int32_t j = 0; j < 3; j++) {
      s->resp[n] = i;
      s->opt[n] = O_RA + j;
      s->val[n++] = (double)(1 + (j + i) % 3);
    }
  }
  s->a.n = n;
  s->a.respondent = s->resp;
  s->a.option = s->opt;
  s->a.value = s->val;
}

static mdt_aggregate *run_sixty(fixture *f, sixty *s, const mdt_aggregate_options *opt) {
  mdt_aggregate *agg = NULL;
  mdt_error err;
  if (mdt_aggregate_answers(s->r, f->q, &f->groups, NULL, &s->a, opt, &agg, &err) != MDT_OK)
    fail_msg("%s", mdt_test_errstr(&err));
  return agg;
}

static void test_bootstrap_reproducible(void **state) {
  fixture *f = *state;
  sixty s;
  sixty_init(&s);
  mdt_aggregate_options opt;
  employees_options(&opt);
  opt.bootstrap = 200;
  opt.seed = 7;
  opt.breakdown = 0;
  opt.weights.poststrata = 0;
  mdt_aggregate *a = run_sixty(f, &s, &opt);
  opt.threads = 3;
  mdt_aggregate *b = run_sixty(f, &s, &opt);
  opt.threads = 1;
  opt.seed = 8;
  mdt_aggregate *c = run_sixty(f, &s, &opt);
  assert_int_equal(a->nrows, b->nrows);
  int differs = 0;
  for (size_t k = 0; k < a->nrows; k++) {
    /* bit for bit the same whatever the thread count */
    assert_memory_equal(&a->rows[k], &b->rows[k], sizeof a->rows[k]);
    const mdt_estimate *e = &a->rows[k];
    if (isfinite(e->ci_low)) {
      assert_true(e->ci_low <= e->ci_high);
      differs |= e->ci_low != c->rows[k].ci_low || e->ci_high != c->rows[k].ci_high;
    }
  }
  assert_true(differs); /* another seed gives other draws */
  /* A mean's interval contains its estimate and lies within the answer scale. */
  const mdt_estimate *m = find(a, -1, Q_SCORE, O_SB, MDT_STAT_MEAN);
  assert_true(m->ci_low < m->value && m->value < m->ci_high);
  assert_true(m->ci_low >= 1 && m->ci_high <= 5);
  const mdt_estimate *px = find(a, 2, Q_FORM, O_X, MDT_STAT_PROPORTION);
  assert_true(px->ci_low >= 0 && px->ci_high <= 1);
  /* top-3 frequency with three groups: every group is always in the top three */
  for (long g = 0; g < 3; g++)
    assert_near(find(a, -1, -1, g, MDT_STAT_TOP3_FREQUENCY)->value, 1.0, 0);
  mdt_aggregate_free(a);
  mdt_aggregate_free(b);
  mdt_aggregate_free(c);
  mdt_test_respondents_free(s.r);
}

static void test_errors(void **state) {
  fixture *f = *state;
  mdt_aggregate_options opt;
  employees_options(&opt);
  mdt_aggregator *a = NULL;
  mdt_error err;
  assert_int_equal(mdt_aggregator_new(f->r, f->q, &f->groups, NULL, &opt, &a, &err), MDT_OK);
  mdt_aggregate *agg = NULL;
  assert_int_equal(mdt_aggregator_finish(a, &agg, &err), MDT_EDATA);
  assert_non_null(strstr(err.message, "found none"));
  mdt_aggregator_free(a);
  opt.level = 1.5;
  assert_int_equal(mdt_aggregator_new(f->r, f->q, &f->groups, NULL, &opt, &a, &err),
                   MDT_EUSAGE);
  opt.level = 0.95;
  opt.breakdown = 5;
  assert_int_equal(mdt_aggregator_new(f->r, f->q, &f->groups, NULL, &opt, &a, &err),
                   MDT_EUSAGE);
  opt.breakdown = -1;
  /* A raking that cannot converge stops the aggregation with its message. */
  opt.weights.rake[0] = 0;
  opt.weights.rake[1] = 0;
  assert_int_equal(mdt_aggregate_answers(f->r, f->q, &f->groups, NULL, &f->answers, &opt, &agg,
                                         &err),
                   MDT_EUSAGE);
  mdt_aggregator_free(NULL);
  mdt_aggregate_free(NULL);
}


/*
 * Dropped draws. Four members, all answering one score question (1-5) about group a:
 *   member  region size  employees answer
 *   A       X      s     2         1
 *   B       X      l     3         5
 *   C       Y      s     5         3
 *   D       Y      s     7         3
 * Raked to region and size, the margins are X 5, Y 12, s 14, l 3; the base weights meet
 * them, so the point mean is (2*1 + 3*5 + 5*3 + 7*3)/17 = 53/17.
 * The bootstrap resamples two of {A, B} in X and two of {C, D} in Y:
 *   X = {A, B}: A 2, B 3 (B alone holds l), Y scales to 12 whatever it drew, and C and D both
 *               answer 3: the mean is (2 + 15 + 36)/17 = 53/17 again, in every such draw;
 *   X = {A, A}: l has no respondent in the draw (the point has one): dropped;
 *   X = {B, B}: B alone must hold X's 5 and l's 3: raking cannot converge: dropped.
 * So a draw is dropped exactly when X's two picks are the same member (probability 1/2), and
 * the kept draws all give 53/17: an interval other than [53/17, 53/17] used a dropped draw
 * (X = {A, A} would give (2*1 + 12*3)/14 = 38/14).
 */
static const mdt_test_question drop_questions[] = {
    {"q_score", MDT_Q_SCORE, MDT_ROLE_PRIORITY, 1, 5, {"a", NULL}, {0}},
};

/* Independently of the aggregator: which draws pick the same member twice in X, from the
 * documented streams (one per chunk of 8 draws, seeded by mdt__chunk_seed; per draw X's two
 * picks, then Y's two). Returns the dropped count; *first the first dropped draw (0-based)
 * and *first_bb whether its picks were B, B. */
static size_t expected_dropped(unsigned long seed, size_t B, size_t *first, int *first_bb) {
  gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
  size_t dropped = 0;
  *first = SIZE_MAX;
  for (size_t b = 0; b < B; b++) {
    if (b % 8 == 0)
      gsl_rng_set(rng, mdt__chunk_seed(seed, b / 8));
    unsigned long x1 = gsl_rng_uniform_int(rng, 2), x2 = gsl_rng_uniform_int(rng, 2);
    (void)gsl_rng_uniform_int(rng, 2);
    (void)gsl_rng_uniform_int(rng, 2);
    if (x1 == x2) {
      if (dropped++ == 0) {
        *first = b;
        *first_bb = x1 == 1;
      }
    }
  }
  gsl_rng_free(rng);
  return dropped;
}

static void test_dropped_draws(void **state) {
  (void)state;
  static const double emp[] = {2, 3, 5, 7};
  static const char *const region[] = {"X", "X", "Y", "Y"};
  static const char *const size[] = {"s", "l", "s", "s"};
  const char *names[] = {"region", "size"};
  const char *const *labels[] = {region, size};
  mdt_respondents *r = mdt_test_respondents(4, emp, 2, names, labels);
  mdt_questionnaire *q = mdt_test_questionnaire(1, drop_questions);
  char *ids[] = {"a"};
  mdt_groups groups = {0};
  groups.n = 1;
  groups.id = ids;
  int32_t resp[] = {0, 1, 2, 3}, opts[] = {0, 0, 0, 0};
  double vals[] = {1, 5, 3, 3};
  mdt_answers answers = {4, resp, opts, vals};
  mdt_aggregate_options opt;
  mdt_aggregate_options_init(&opt);
  opt.weights.measure = MDT_SIZE_EMPLOYEES;
  opt.weights.rake[0] = 0;
  opt.weights.rake[1] = 1;
  opt.bootstrap = 200;
  opt.seed = 7;
  opt.keep_profile_draws = 1;
  opt.max_failed_draws = 1;
  size_t first = 0;
  int first_bb = 0;
  size_t want = expected_dropped(opt.seed, opt.bootstrap, &first, &first_bb);
  assert_true(want > 0 && want < opt.bootstrap);
  mdt_aggregate *agg = NULL;
  mdt_error err;
  for (int threads = 1; threads <= 3; threads += 2) {
    opt.threads = threads;
    assert_int_equal(mdt_aggregate_answers(r, q, &groups, NULL, &answers, &opt, &agg, &err),
                     MDT_OK);
    assert_int_equal(agg->draws_dropped, want);
    assert_int_equal(agg->bootstrap, opt.bootstrap - want);
    assert_int_equal(agg->first_dropped, first + 1);
    assert_non_null(strstr(agg->dropped_reason, first_bb ? "region=X" : "size=l"));
    const mdt_estimate *m = find(agg, -1, 0, 0, MDT_STAT_MEAN);
    assert_near(m->value, 53.0 / 17, 1e-12);
    assert_near(m->ci_low, 53.0 / 17, 1e-12);
    assert_near(m->ci_high, 53.0 / 17, 1e-12);
    /* the kept profiles: (53/17 - 1)/4 = 9/17 in each of the draws used */
    for (size_t b = 0; b < agg->bootstrap; b++)
      assert_near(agg->profile_draws[b], 9.0 / 17, 1e-12);
    /* one group: always among the top three of the draws used */
    assert_near(agg->profiles[0].top3_frequency[0], 1.0, 0);
    mdt_aggregate_free(agg);
    agg = NULL;
  }
  /* The share limit: more dropped than allowed fails with the first dropped draw's margin. */
  opt.max_failed_draws = ((double)want - 1) / (double)opt.bootstrap;
  assert_int_equal(mdt_aggregate_answers(r, q, &groups, NULL, &answers, &opt, &agg, &err),
                   MDT_ENOCONV);
  assert_null(agg);
  char head[64];
  snprintf(head, sizeof head, "bootstrap draw %zu: ", first + 1);
  assert_non_null(strstr(err.message, head));
  assert_non_null(strstr(err.message, first_bb ? "region=X" : "size=l"));
  assert_non_null(strstr(err.message, "max_failed_draws"));
  /* exactly the share allowed passes */
  opt.max_failed_draws = (double)want / (double)opt.bootstrap;
  assert_int_equal(mdt_aggregate_answers(r, q, &groups, NULL, &answers, &opt, &agg, &err),
                   MDT_OK);
  mdt_aggregate_free(agg);
  /* a share outside [0, 1] is a usage error */
  opt.max_failed_draws = 1.5;
  assert_int_equal(mdt_aggregate_answers(r, q, &groups, NULL, &answers, &opt, &agg, &err),
                   MDT_EUSAGE);
  /* The point estimate's raking failing stays an error, whatever the share: without A's
   * answer, B alone must hold X's 5 and l's 3. */
  opt.max_failed_draws = 1;
  mdt_answers without_a = {3, resp + 1, opts + 1, vals + 1};
  assert_int_equal(mdt_aggregate_answers(r, q, &groups, NULL, &without_a, &opt, &agg, &err),
                   MDT_ENOCONV);
  assert_null(strstr(err.message, "bootstrap"));
  assert_non_null(strstr(err.message, "region=X"));
  mdt_test_questionnaire_free(q);
  mdt_test_respondents_free(r);
}

/*
 * Thread count and the sums of ranks and choices. Many members answering a mix of rank
 * (one allowing ties), choice, score and share questions, each skipped by some members and
 * some members answering nothing; ranks and choices are summed at the end, split across the
 * threads by question. Every number must come out bit for bit the same with 1, 2 and 3
 * threads: sums added in another order would differ in their last bits.
 */
enum { MIXED_R = 3000 }; /* enough for the sums to be worth threads (aggregate.c) */

static const mdt_test_question mixed_questions[] = {
    {"r_prio", MDT_Q_RANK, MDT_ROLE_PRIORITY, 0, 0, {"a", "b", "c", NULL}, {0, 1, 2}},
    {"s_prio", MDT_Q_SCORE, MDT_ROLE_PRIORITY, 1, 5, {"a", "b", "c", NULL}, {0, 1, 2}},
    {"r_ties", MDT_Q_RANK, MDT_ROLE_NONE, 0, 0,
     {"t1", "t2", "t3", "t4", "t5", "t6", "t7", "t8", NULL}, {-1, -1, -1, -1, -1, -1, -1, -1}},
    {"c_four", MDT_Q_CHOICE, MDT_ROLE_PROFILE, 0, 1, {"w", "x", "y", "z", NULL}, {0, 1, 2, -1}},
    {"h_share", MDT_Q_SHARE, MDT_ROLE_SPLIT, 0, 100, {"local", NULL}, {-1}},
    {"r_five", MDT_Q_RANK, MDT_ROLE_NONE, 0, 0, {"f1", "f2", "f3", "f4", "f5", NULL},
     {0, 1, 2, -1, -1}},
    {"c_two", MDT_Q_CHOICE, MDT_ROLE_NONE, 0, 1, {"yes", "no", NULL}, {-1, -1}},
};
enum { MIXED_Q = sizeof mixed_questions / sizeof mixed_questions[0] };

typedef struct {
  mdt_respondents *r;
  mdt_questionnaire *q;
  mdt_answers a;
  mdt_headcounts hc;
} mixed;

static void add_answer(mdt_answers *a, size_t i, size_t c, double v) {
  a->respondent[a->n] = (int32_t)i;
  a->option[a->n] = (int32_t)c;
  a->value[a->n++] = v;
}

/* Ranks for the n options from first: a random number of them ranked, in random order;
 * with ties, each ranked option draws its rank from 1..n, so ranks repeat. */
static void add_ranks(mdt_answers *a, gsl_rng *rng, size_t i, size_t first, size_t n,
                      int ties) {
  size_t order[9];
  for (size_t j = 0; j < n; j++)
    order[j] = j;
  gsl_ran_shuffle(rng, order, n, sizeof order[0]);
  size_t nranked = 1 + gsl_rng_uniform_int(rng, n);
  for (size_t k = 0; k < nranked; k++) {
    double rank = ties ? (double)(1 + gsl_rng_uniform_int(rng, n)) : (double)(k + 1);
    add_answer(a, i, first + order[k], rank);
  }
}

static void mixed_init(mixed *m) {
  memset(m, 0, sizeof *m);
  static const char *const names3[] = {"N", "S", "W"};
  double *emp = malloc(MIXED_R * sizeof *emp);
  const char **region = malloc(MIXED_R * sizeof *region);
  gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
  assert_true(emp && region && rng);
  gsl_rng_set(rng, 20261201);
  for (size_t i = 0; i < MIXED_R; i++) {
    /* not whole numbers: sums of whole numbers would come out the same in any order; and
     * with every bit of a double used (one draw has 32), so that a term computed another way,
     * such as p n - p pos for p (n - pos), would come out different in its last bits */
    emp[i] = 1 + 5000 * (gsl_rng_uniform(rng) + 0x1p-32 * gsl_rng_uniform(rng));
    region[i] = names3[gsl_rng_uniform_int(rng, 3)];
  }
  const char *names[] = {"region"};
  const char *const *labels[] = {region};
  m->r = mdt_test_respondents(MIXED_R, emp, 1, names, labels);
  m->q = mdt_test_questionnaire(MIXED_Q, mixed_questions);
  m->q->questions[2].ties = 1;
  size_t cap = MIXED_R * m->q->noptions;
  m->a.respondent = malloc(cap * sizeof *m->a.respondent);
  m->a.option = malloc(cap * sizeof *m->a.option);
  m->a.value = malloc(cap * sizeof *m->a.value);
  m->hc.nrespondents = MIXED_R;
  m->hc.ngroups = 3;
  m->hc.count = malloc(MIXED_R * 3 * sizeof *m->hc.count);
  assert_true(m->a.respondent && m->a.option && m->a.value && m->hc.count);
  for (size_t i = 0; i < MIXED_R; i++) {
    for (size_t g = 0; g < 3; g++)
      m->hc.count[i * 3 + g] = (double)gsl_rng_uniform_int(rng, 40);
    if (gsl_rng_uniform(rng) < 0.05)
      continue; /* answers nothing */
    for (size_t k = 0; k < MIXED_Q; k++) {
      const mdt_question *qq = &m->q->questions[k];
      if (gsl_rng_uniform(rng) < 0.15)
        continue; /* skips the question */
      size_t first = qq->first_option, n = qq->noptions;
      if (qq->type == MDT_Q_RANK)
        add_ranks(&m->a, rng, i, first, n, qq->ties);
      else if (qq->type == MDT_Q_CHOICE) {
        size_t picked = gsl_rng_uniform_int(rng, n);
        for (size_t j = 0; j < n; j++)
          if (j == picked || gsl_rng_uniform(rng) < 0.5)
            add_answer(&m->a, i, first + j, j == picked || gsl_rng_uniform(rng) < 0.3);
      } else {
        unsigned long span = (unsigned long)(qq->max - qq->min) + 1;
        for (size_t j = 0; j < n; j++)
          add_answer(&m->a, i, first + j, qq->min + (double)gsl_rng_uniform_int(rng, span));
      }
    }
  }
  gsl_rng_free(rng);
  free(emp);
  free(region);
}

static void mixed_free(mixed *m) {
  mdt_test_respondents_free(m->r);
  mdt_test_questionnaire_free(m->q);
  free(m->a.respondent);
  free(m->a.option);
  free(m->a.value);
  free(m->hc.count);
}

static void assert_same_bits(double x, double y, size_t row, const char *what) {
  if (memcmp(&x, &y, sizeof x) != 0)
    fail_msg("row %zu: %s %.17g with one thread, %.17g with more", row, what, x, y);
}

static void assert_same_aggregate(const mdt_aggregate *x, const mdt_aggregate *y) {
  assert_int_equal(x->nrows, y->nrows);
  for (size_t k = 0; k < x->nrows; k++) {
    const mdt_estimate *e = &x->rows[k], *f = &y->rows[k];
    assert_int_equal(e->stratum, f->stratum);
    assert_int_equal(e->question, f->question);
    assert_int_equal(e->option, f->option);
    assert_int_equal(e->statistic, f->statistic);
    assert_same_bits(e->value, f->value, k, "value");
    assert_same_bits(e->ci_low, f->ci_low, k, "ci_low");
    assert_same_bits(e->ci_high, f->ci_high, k, "ci_high");
    assert_same_bits(e->n, f->n, k, "n");
    assert_same_bits(e->n_eff, f->n_eff, k, "n_eff");
  }
  for (size_t s = 0; s < 1 + x->nstrata; s++)
    for (size_t g = 0; g < x->ngroups; g++) {
      assert_same_bits(x->profiles[s].priority[g], y->profiles[s].priority[g], g, "priority");
      assert_same_bits(x->profiles[s].top3_frequency[g], y->profiles[s].top3_frequency[g], g,
                       "top3_frequency");
    }
  assert_memory_equal(x->weights, y->weights, x->nmembers * sizeof *x->weights);
  assert_memory_equal(x->top_group, y->top_group, x->nmembers * sizeof *x->top_group);
}

static mdt_aggregate *run_mixed(fixture *f, mixed *m, const mdt_aggregate_options *opt) {
  mdt_aggregate *agg = NULL;
  mdt_error err;
  if (mdt_aggregate_answers(m->r, m->q, &f->groups, &m->hc, &m->a, opt, &agg, &err) != MDT_OK)
    fail_msg("%s", mdt_test_errstr(&err));
  return agg;
}

static void test_threads_same_sums(void **state) {
  fixture *f = *state;
  mixed m;
  mixed_init(&m);
  mdt_aggregate_options opt;
  /* sums per weighting cell and breakdown stratum (many members to a key), then per member
   * (the bootstrap's keys) with headcounts by group */
  for (int per_member = 0; per_member <= 1; per_member++) {
    employees_options(&opt);
    opt.weights.poststrata = 0;
    opt.breakdown = 0;
    if (per_member) {
      opt.bootstrap = 8;
      opt.by_group = 1;
    }
    mdt_aggregate *one = run_mixed(f, &m, &opt);
    assert_true(one->nrespondents > MIXED_R * 9 / 10);
    for (int threads = 2; threads <= 3; threads++) {
      opt.threads = threads;
      mdt_aggregate *more = run_mixed(f, &m, &opt);
      assert_same_aggregate(one, more);
      mdt_aggregate_free(more);
    }
    mdt_aggregate_free(one);
  }
  mixed_free(&m);
}

/*
 * The sums of an answer that gives each rank at most once are taken a quicker way than
 * counting per rank (aggregate.c, add_distinct_ranks); they must be the general way's, bit
 * for bit. The mixed members give full and partial rankings (r_prio, r_five) and, where
 * ties are allowed (r_ties), answers with a rank given twice and answers without; summed
 * per weighting cell and stratum (many members to a sum), then per member (the bootstrap's
 * keys).
 */
static void test_distinct_ranks_as_general(void **state) {
  fixture *f = *state;
  mixed m;
  mixed_init(&m);
  mdt_answer_batch batch = {m.a.n, m.a.respondent, m.a.option, m.a.value, m.a.n};
  for (size_t boot = 0; boot <= 8; boot += 8) {
    mdt_aggregate_options opt;
    employees_options(&opt);
    opt.weights.poststrata = 0;
    opt.breakdown = 0;
    opt.bootstrap = boot;
    mdt_aggregate *quick = run_mixed(f, &m, &opt), *general = NULL;
    mdt_aggregator *a = NULL;
    mdt_error err;
    if (mdt_aggregator_new(m.r, m.q, &f->groups, &m.hc, &opt, &a, &err) != MDT_OK)
      fail_msg("%s", mdt_test_errstr(&err));
    mdt__aggregator_set_general_ranks(a, 1);
    if (mdt_aggregator_add(&batch, a, &err) != MDT_OK ||
        mdt_aggregator_finish(a, &general, &err) != MDT_OK)
      fail_msg("%s", mdt_test_errstr(&err));
    mdt_aggregator_free(a);
    assert_same_aggregate(quick, general);
    mdt_aggregate_free(quick);
    mdt_aggregate_free(general);
  }
  mixed_free(&m);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_rank_by_hand, setup, teardown),
      cmocka_unit_test_setup_teardown(test_score_share_choice_by_hand, setup, teardown),
      cmocka_unit_test_setup_teardown(test_quantile_exact_hit, setup, teardown),
      cmocka_unit_test_setup_teardown(test_profile_by_hand, setup, teardown),
      cmocka_unit_test_setup_teardown(test_top_group_and_profile_draws, setup, teardown),
      cmocka_unit_test_setup_teardown(test_breakdown_and_poststrata, setup, teardown),
      cmocka_unit_test_setup_teardown(test_by_group, setup, teardown),
      cmocka_unit_test_setup_teardown(test_paths_agree, setup, teardown),
      cmocka_unit_test_setup_teardown(test_bootstrap_reproducible, setup, teardown),
      cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
      cmocka_unit_test(test_dropped_draws),
      cmocka_unit_test_setup_teardown(test_threads_same_sums, setup, teardown),
      cmocka_unit_test_setup_teardown(test_distinct_ranks_as_general, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
