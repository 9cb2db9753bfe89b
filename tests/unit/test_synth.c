/* Tests of the synthetic-data generators: same seed same bytes, every file loads with the
 * model's own loaders, response rates, calibrated totals, exact row counts, speed and memory
 * that does not grow with the rows written, and the error paths. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>

#include "mandat/answers.h"
#include "mandat/headcounts.h"
#include "mandat/model.h"
#include "mandat/register.h"
#include "mandat/synth.h"
#include "testutil.h"

/* ------------------------------------------------------------------ helpers -- */

static char *tmp_path(const char *name) {
  return mdt_test_write_text(name, "");
}

/* Makes folder name in the test's temporary folder; returns its path. */
static char *tmp_dir(const char *name) {
  size_t n = strlen(mdt_test_tmpdir()) + strlen(name) + 2;
  char *p = malloc(n);
  assert_non_null(p);
  snprintf(p, n, "%s/%s", mdt_test_tmpdir(), name);
  assert_int_equal(mkdir(p, 0777), 0);
  return p;
}

/* Writes text to dir/name. */
static void put_file(const char *dir, const char *name, const char *text) {
  char path[2048];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE *fp = fopen(path, "w");
  assert_non_null(fp);
  assert_int_equal(fputs(text, fp) >= 0, 1);
  assert_int_equal(fclose(fp), 0);
}

static long max_rss_kb(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss;
}

static char *read_all(const char *path, size_t *len) {
  FILE *fp = fopen(path, "rb");
  assert_non_null(fp);
  fseek(fp, 0, SEEK_END);
  long n = ftell(fp);
  fseek(fp, 0, SEEK_SET);
  char *buf = malloc((size_t)n + 1);
  assert_non_null(buf);
  assert_int_equal(fread(buf, 1, (size_t)n, fp), (size_t)n);
  fclose(fp);
  buf[n] = '\0';
  *len = (size_t)n;
  return buf;
}

static int same_bytes(const char *a, const char *b) {
  size_t la, lb;
  char *x = read_all(a, &la), *y = read_all(b, &lb);
  int same = la == lb && memcmp(x, y, la) == 0;
  free(x);
  free(y);
  return same;
}

static void members_to(const char *path, size_t count, unsigned long seed) {
  FILE *fp = fopen(path, "w");
  assert_non_null(fp);
  mdt_error err;
  if (mdt_synth_members_write(count, seed, fp, &err) != MDT_OK)
    fail_msg("%s", mdt_test_errstr(&err));
  assert_int_equal(fclose(fp), 0);
}

static mdt_model *load_model(const char *dir) {
  mdt_model *m = NULL;
  mdt_error err;
  if (mdt_model_load(dir, 0, &m, &err) != MDT_OK)
    fail_msg("%s", mdt_test_errstr(&err));
  return m;
}

static char *ks_dir(void) {
  size_t n = strlen(MDT_SOURCE_DIR) + 32;
  char *p = malloc(n);
  assert_non_null(p);
  snprintf(p, n, "%s/models/ks-2024", MDT_SOURCE_DIR);
  return p;
}

static mdt_synth_answers_summary answers_to(const char *path, const mdt_model *m,
                                            unsigned long seed, double rate) {
  mdt_synth_answers_options o;
  mdt_synth_answers_options_init(&o);
  o.seed = seed;
  o.response_rate = rate;
  mdt_synth_answers_summary s;
  FILE *fp = fopen(path, "w");
  assert_non_null(fp);
  mdt_error err;
  if (mdt_synth_answers_write(m->respondents, m->groups, m->questionnaire, &o, fp, &s, &err) !=
      MDT_OK)
    fail_msg("%s", mdt_test_errstr(&err));
  assert_int_equal(fclose(fp), 0);
  return s;
}

static mdt_answers *load_answers(const char *path, const mdt_model *m) {
  mdt_answers *a = NULL;
  mdt_error err;
  if (mdt_answers_load(path, m->respondents, m->questionnaire, &a, &err) != MDT_OK)
    fail_msg("generated answers do not load: %s", mdt_test_errstr(&err));
  return a;
}

/* ------------------------------------------------------------------ members -- */

static void test_members(void **state) {
  (void)state;
  char *a = tmp_path("members_a.csv"), *b = tmp_path("members_b.csv"),
       *c = tmp_path("members_c.csv");
  members_to(a, 3000, 11);
  members_to(b, 3000, 11);
  members_to(c, 3000, 12);
  assert_true(same_bytes(a, b));
  assert_false(same_bytes(a, c));
  mdt_respondents *r = NULL;
  mdt_error err;
  if (mdt_respondents_load(a, &r, &err) != MDT_OK) /* also checks that ids are unique */
    fail_msg("%s", mdt_test_errstr(&err));
  assert_int_equal(r->n, 3000);
  size_t fylke = 0;
  for (size_t i = 0; i < r->n; i++) {
    fylke += r->kind[i] == MDT_KIND_FYLKESKOMMUNE;
    assert_true(r->employees[i] >= 5);
    /* fte = employees x 383 600 / 460 400, to 0.1. */
    assert_near(r->fte[i], r->employees[i] * 383600.0 / 460400.0, 0.05 + 1e-9);
  }
  /* 14 in 370 are fylkeskommuner: 113.5 expected, s.d. 10.5. */
  assert_in_range(fylke, 70, 160);
  const mdt_grouping *region = mdt_respondents_grouping(r, "region");
  assert_int_equal(region->nlevels, 14);
  assert_true(mdt_grouping_level(region, "Oslo") < 0);
  assert_true(mdt_grouping_level(region, "Finnmark") >= 0);
  const mdt_grouping *sc = mdt_respondents_grouping(r, "size_class");
  assert_int_equal(sc->nlevels, 5);
  /* The first row: region number, then the row number padded to two digits. */
  assert_int_equal(strlen(r->id[0]), 4);
  assert_true(strcmp(r->id[0] + 2, "01") == 0);
  assert_true(strcmp(r->id[2999] + 2, "3000") == 0);
  mdt_respondents_free(r);
  free(a);
  free(b);
  free(c);
}

/* ------------------------------------------------------------------ answers -- */

static void test_answers_ks(void **state) {
  (void)state;
  char *dir = ks_dir();
  mdt_model *m = load_model(dir);
  char *a = tmp_path("ks_a.csv"), *b = tmp_path("ks_b.csv"), *c = tmp_path("ks_c.csv");
  mdt_synth_answers_summary s = answers_to(a, m, 2024, 0.75);
  answers_to(b, m, 2024, 0.75);
  answers_to(c, m, 2025, 0.75);
  assert_true(same_bytes(a, b));
  assert_false(same_bytes(a, c));
  mdt_answers *ans = load_answers(a, m);
  assert_int_equal(ans->n, s.rows);
  size_t responded = 0, small = 0, small_resp = 0, large = 0, large_resp = 0;
  const mdt_grouping *sc = mdt_respondents_grouping(m->respondents, "size_class");
  for (size_t i = 0; i < m->respondents->n; i++) {
    responded += ans->responded[i];
    const char *band = sc->levels[sc->code[i]];
    if (band[0] == '1') {
      small++;
      small_resp += ans->responded[i];
    } else if (band[0] == '3' || band[0] == '4') {
      large++;
      large_resp += ans->responded[i];
    }
  }
  assert_int_equal(responded, s.responding);
  assert_int_equal(s.members, 370);
  /* 0.75 x 370 = 277.5 expected, s.d. about 8.3. */
  assert_in_range(responded, 240, 315);
  /* Small members answer less often than large ones. */
  assert_true((double)small_resp / (double)small < (double)large_resp / (double)large - 0.1);
  mdt_answers_free(ans);

  /* At rate 1 everybody answers; item non-response never empties a member. */
  s = answers_to(a, m, 9, 1.0);
  assert_int_equal(s.responding, 370);
  ans = load_answers(a, m);
  for (size_t i = 0; i < 370; i++)
    assert_true(ans->responded[i]);
  mdt_answers_free(ans);
  mdt_model_free(m);
  free(dir);
  free(a);
  free(b);
  free(c);
}

/* Another questionnaire: ties allowed in a 4-option ranking with an option about no group,
 * a 0-10 score, a 0-1 share and a choice whose option ids mean nothing to the generator;
 * 3000 generated members, so the rates can be checked tightly. */
static const char tie_questions[] = "id,type,text,role,min,max,ties\n"
                                    "q_rank,rank,Rank,,,,yes\n"
                                    "q_score,score,Score,priority,0,10,\n"
                                    "q_share,share,Share,split,0,1,\n"
                                    "q_pick,choice,Pick,profile,,,\n";
static const char tie_options[] = "question,id,label,group\n"
                                  "q_rank,g1,A,g1\nq_rank,g2,B,g2\nq_rank,g3,C,g3\nq_rank,x,X,\n"
                                  "q_score,g1,A,g1\nq_score,g2,B,g2\n"
                                  "q_share,s,S,\n"
                                  "q_pick,a,A,\nq_pick,b,B,\n";

static void test_answers_other_questionnaire(void **state) {
  (void)state;
  char *dir = tmp_dir("tiemodel");
  char path[2048];
  snprintf(path, sizeof path, "%s/respondents.csv", dir);
  members_to(path, 3000, 77);
  put_file(dir, "groups.csv", "id,name,chapter\ng1,Sykepleiere,4\ng2,Fagarbeidere,4\n"
                              "g3,Barnehagelærere,4\n");
  put_file(dir, "questions.csv", tie_questions);
  put_file(dir, "options.csv", tie_options);
  mdt_model *m = load_model(dir);
  snprintf(path, sizeof path, "%s/answers.csv", dir);
  mdt_synth_answers_summary s = answers_to(path, m, 3, 0.6);
  mdt_answers *ans = load_answers(path, m); /* ties pass only where the question allows */
  /* 0.6 x 3000 = 1800, s.d. 27. */
  assert_in_range(s.responding, 1680, 1920);
  size_t nr = m->respondents->n;
  /* Per member: ranks given in q_rank (options 0-3), to find ties and partial rankings. */
  int *ranks = calloc(nr * 4, sizeof *ranks);
  assert_non_null(ranks);
  for (size_t i = 0; i < ans->n; i++) {
    int32_t o = ans->option[i];
    double v = ans->value[i];
    if (o < 4)
      ranks[ans->respondent[i] * 4 + o] = (int)v;
    else if (o < 6)
      assert_true(v >= 0 && v <= 10 && v == floor(v)); /* whole scores on 0-10 */
    else if (o == 6)
      assert_true(v >= 0 && v <= 1 && fabs(v * 100 - floor(v * 100 + 0.5)) < 1e-9);
    else
      assert_true(v == 0 || v == 1);
  }
  size_t ties = 0, partial = 0, full = 0;
  for (size_t r = 0; r < nr; r++) {
    int *k = ranks + r * 4, given = 0;
    for (int a = 0; a < 4; a++) {
      given += k[a] > 0;
      for (int b = a + 1; b < 4; b++)
        ties += k[a] > 0 && k[a] == k[b];
    }
    partial += given == 3;
    full += given == 4;
  }
  /* 20 % of rankings tie two neighbours; 30 % rank 3 of 4. */
  assert_in_range(ties, 200, 500);
  assert_in_range(partial, 380, 720);
  assert_true(full > partial);
  free(ranks);
  mdt_answers_free(ans);
  mdt_model_free(m);
  free(dir);
}

/* A million answers: fast, and memory does not grow with the rows written. */
static void test_answers_million(void **state) {
  (void)state;
  char *dir = tmp_dir("bigmodel");
  char path[2048];
  snprintf(path, sizeof path, "%s/respondents.csv", dir);
  members_to(path, 62000, 8);
  char *ks = ks_dir();
  static const char *const copies[] = {"groups.csv", "questions.csv", "options.csv"};
  for (size_t k = 0; k < 3; k++) {
    char src[2048];
    snprintf(src, sizeof src, "%s/%s", ks, copies[k]);
    size_t len;
    char *text = read_all(src, &len);
    put_file(dir, copies[k], text);
    free(text);
  }
  mdt_model *m = load_model(dir);
  mdt_synth_answers_options o;
  mdt_synth_answers_options_init(&o);
  o.seed = 1;
  FILE *fp = fopen("/dev/null", "w");
  assert_non_null(fp);
  long before = max_rss_kb();
  clock_t t0 = clock();
  mdt_synth_answers_summary s;
  mdt_error err;
  assert_int_equal(mdt_synth_answers_write(m->respondents, m->groups, m->questionnaire, &o, fp,
                                           &s, &err),
                   MDT_OK);
  double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
  long grown = max_rss_kb() - before;
  fclose(fp);
  print_message("      %zu answers in %.2f s (this build), peak memory +%ld KB\n", s.rows, secs,
                grown);
  assert_true(s.rows >= 900000);
  assert_true(secs < 60);
  /* Per member the generator holds a few arrays of the options' size: a million rows must
   * not cost megabytes. */
  assert_true(grown < 8 * 1024);
  mdt_model_free(m);
  free(ks);
  free(dir);
}

/* ----------------------------------------------------------------- register -- */

/* The mini members with three groups that have targets; g1 and g2 have guarantees. */
static const char reg_groups[] = "id,name,chapter,headcount,fte,mean_salary\n"
                                 "g1,Sykepleiere,4,5003,4012.7,612345\n"
                                 "g2,Fagarbeidere,4,7001,5100.3,498765\n"
                                 "g3,Ledere,3.4,2999,2961.8,812222\n";

typedef struct {
  mdt_respondents *r;
  mdt_groups *g;
  mdt_step_table *guarantee;
} reg_model;

static reg_model reg_model_load(const char *groups_text) {
  reg_model rm;
  char *rp = mdt_test_fixture("mini/respondents.csv");
  char *gp = mdt_test_write_text("reg_groups.csv", groups_text);
  mdt_error err;
  if (mdt_respondents_load(rp, &rm.r, &err) != MDT_OK ||
      mdt_groups_load(gp, &rm.g, &err) != MDT_OK ||
      mdt_step_table_new(rm.g->n, &rm.guarantee, &err) != MDT_OK ||
      mdt_step_table_set(rm.guarantee, 0, 0, 480000, &err) != MDT_OK ||
      mdt_step_table_set(rm.guarantee, 0, 6, 500000, &err) != MDT_OK ||
      mdt_step_table_set(rm.guarantee, 0, 10, 561000, &err) != MDT_OK ||
      mdt_step_table_set(rm.guarantee, 1, 0, 415300, &err) != MDT_OK)
    fail_msg("%s", mdt_test_errstr(&err));
  free(rp);
  free(gp);
  return rm;
}

static void reg_model_free(reg_model *rm) {
  mdt_step_table_free(rm->guarantee);
  mdt_groups_free(rm->g);
  mdt_respondents_free(rm->r);
}

static mdt_status register_to(const char *path, const char *hc_path, const reg_model *rm,
                              const mdt_synth_register_options *o, mdt_synth_totals *totals,
                              mdt_error *err) {
  FILE *fp = fopen(path, "w"), *hc = hc_path ? fopen(hc_path, "w") : NULL;
  assert_non_null(fp);
  mdt_status st = mdt_synth_register_write(rm->r, rm->g, rm->guarantee, o, fp, hc, totals, err);
  assert_int_equal(fclose(fp), 0);
  if (hc != NULL)
    assert_int_equal(fclose(hc), 0);
  return st;
}

/* Loads what was written and checks it against the targets, the guarantee and headcounts. */
static void check_calibrated(const reg_model *rm, double sample, unsigned long seed) {
  mdt_synth_register_options o;
  mdt_synth_register_options_init(&o);
  o.seed = seed;
  o.sample = sample;
  mdt_synth_totals totals[3];
  mdt_error err;
  char *path = tmp_path("cal.csv"), *hc_path = tmp_path("cal_hc.csv");
  if (register_to(path, hc_path, rm, &o, totals, &err) != MDT_OK)
    fail_msg("%s", mdt_test_errstr(&err));
  mdt_register *reg = NULL;
  mdt_headcounts *hc = NULL;
  if (mdt_register_load(path, rm->r, rm->g, &reg, &err) != MDT_OK ||
      mdt_headcounts_load(hc_path, rm->r, rm->g, &hc, &err) != MDT_OK)
    fail_msg("%s", mdt_test_errstr(&err));
  assert_true(reg->has_weight);
  size_t ng = rm->g->n, nm = rm->r->n;
  int64_t head[3] = {0}, fte[3] = {0};
  long double bill[3] = {0};
  int64_t *cell = calloc(nm * ng, sizeof *cell);
  assert_non_null(cell);
  int64_t W = (int64_t)llround(1 / sample);
  for (size_t i = 0; i < reg->n; i++) {
    size_t g = (size_t)reg->group[i];
    assert_int_equal(reg->weight_e4[i] % MDT_FIX4_ONE, 0); /* whole employees per row */
    int64_t w = reg->weight_e4[i] / MDT_FIX4_ONE;
    assert_true(w >= 1 && w <= W);
    head[g] += w;
    fte[g] += w * reg->fte_e4[i];
    bill[g] += (long double)w * reg->fte_e4[i] * (long double)reg->salary_nok[i];
    cell[(size_t)reg->respondent[i] * ng + g] += w;
    long k = mdt_step_table_step(rm->guarantee, g, reg->seniority_years[i]);
    if (k >= 0)
      assert_true(reg->salary_nok[i] >= mdt_step_table_nok(rm->guarantee, g, (size_t)k));
  }
  for (size_t g = 0; g < ng; g++) {
    assert_true(head[g] == (int64_t)rm->g->headcount[g]);
    assert_true(fte[g] == llround(rm->g->fte[g] * 10000));
    double mean = (double)(bill[g] / (long double)fte[g]);
    assert_near(mean, rm->g->mean_salary_nok[g], 0.5);
    assert_true(totals[g].headcount == head[g]);
    assert_true(totals[g].fte_e4 == fte[g]);
    assert_int_equal(totals[g].below_guarantee, 0);
    assert_near(mdt_synth_totals_mean_salary(&totals[g]), mean, 1e-6);
  }
  /* headcounts.csv is the area before sampling: every cell equals its rows' weights. */
  for (size_t c = 0; c < nm * ng; c++)
    assert_true((double)cell[c] == hc->count[c]);
  free(cell);
  mdt_headcounts_free(hc);
  mdt_register_free(reg);
  free(path);
  free(hc_path);
}

static void test_register_calibrated(void **state) {
  (void)state;
  reg_model rm = reg_model_load(reg_groups);
  check_calibrated(&rm, 0.1, 2024);
  check_calibrated(&rm, 1, 3);
  check_calibrated(&rm, 0.3, 4);   /* rows of 3 */
  check_calibrated(&rm, 0.01, 5);  /* rows of 100: groups need a split row of weight 1 */
  /* Same seed, same bytes; another seed, other bytes. */
  mdt_synth_register_options o;
  mdt_synth_register_options_init(&o);
  o.seed = 17;
  char *a = tmp_path("reg_a.csv"), *b = tmp_path("reg_b.csv");
  mdt_error err;
  assert_int_equal(register_to(a, NULL, &rm, &o, NULL, &err), MDT_OK);
  assert_int_equal(register_to(b, NULL, &rm, &o, NULL, &err), MDT_OK);
  assert_true(same_bytes(a, b));
  o.seed = 18;
  assert_int_equal(register_to(b, NULL, &rm, &o, NULL, &err), MDT_OK);
  assert_false(same_bytes(a, b));
  reg_model_free(&rm);
  free(a);
  free(b);
}

static void test_register_streamed(void **state) {
  (void)state;
  reg_model rm = reg_model_load(reg_groups);
  mdt_synth_register_options o;
  mdt_synth_register_options_init(&o);
  o.seed = 99;
  o.employees = 12345;
  o.weight_column = 0;
  mdt_synth_totals totals[3];
  mdt_error err;
  char *a = tmp_path("str_a.csv"), *b = tmp_path("str_b.csv"), *hc_path = tmp_path("str_hc.csv");
  assert_int_equal(register_to(a, hc_path, &rm, &o, totals, &err), MDT_OK);
  assert_int_equal(register_to(b, NULL, &rm, &o, NULL, &err), MDT_OK);
  assert_true(same_bytes(a, b));
  mdt_register *reg = NULL;
  mdt_headcounts *hc = NULL;
  if (mdt_register_load(a, rm.r, rm.g, &reg, &err) != MDT_OK ||
      mdt_headcounts_load(hc_path, rm.r, rm.g, &hc, &err) != MDT_OK)
    fail_msg("%s", mdt_test_errstr(&err));
  assert_int_equal(reg->n, 12345);
  assert_false(reg->has_weight);
  double hc_total = 0;
  for (size_t c = 0; c < rm.r->n * rm.g->n; c++)
    hc_total += hc->count[c];
  assert_true(hc_total == 12345);
  int64_t rows = 0;
  for (size_t g = 0; g < 3; g++) {
    rows += totals[g].rows;
    assert_int_equal(totals[g].below_guarantee, 0);
    /* In expectation: the group's share of rows, FTE per head and mean salary. */
    double share = rm.g->headcount[g] / 15003.0;
    assert_near((double)totals[g].rows / 12345, share, 0.02);
    assert_near((double)totals[g].fte_e4 / 10000 / (double)totals[g].headcount,
                rm.g->fte[g] / rm.g->headcount[g], 0.02);
    assert_near(mdt_synth_totals_mean_salary(&totals[g]) / rm.g->mean_salary_nok[g], 1, 0.02);
  }
  assert_true(rows == 12345);
  for (size_t i = 0; i < reg->n; i++) {
    long k = mdt_step_table_step(rm.guarantee, (size_t)reg->group[i], reg->seniority_years[i]);
    if (k >= 0)
      assert_true(reg->salary_nok[i] >=
                  mdt_step_table_nok(rm.guarantee, (size_t)reg->group[i], (size_t)k));
  }
  /* Exactly N rows whatever N, also a single one. */
  o.employees = 1;
  assert_int_equal(register_to(b, NULL, &rm, &o, NULL, &err), MDT_OK);
  mdt_register_free(reg);
  reg = NULL;
  assert_int_equal(mdt_register_load(b, rm.r, rm.g, &reg, &err), MDT_OK);
  assert_int_equal(reg->n, 1);
  mdt_register_free(reg);
  mdt_headcounts_free(hc);
  reg_model_free(&rm);
  free(a);
  free(b);
  free(hc_path);
}

static void test_errors(void **state) {
  (void)state;
  mdt_error err;
  FILE *full = fopen("/dev/full", "w");
  assert_non_null(full);
  assert_int_equal(mdt_synth_members_write(100000, 1, full, &err), MDT_ECANTWRITE);
  assert_int_equal(mdt_synth_members_write(0, 1, stdout, &err), MDT_EUSAGE);

  reg_model rm = reg_model_load(reg_groups);
  mdt_synth_register_options o;
  mdt_synth_register_options_init(&o);
  char *path = tmp_path("err.csv");
  o.sample = 0;
  assert_int_equal(register_to(path, NULL, &rm, &o, NULL, &err), MDT_EUSAGE);
  o.sample = 1.5;
  assert_int_equal(register_to(path, NULL, &rm, &o, NULL, &err), MDT_EUSAGE);
  o.sample = 0.1;
  assert_int_equal(mdt_synth_register_write(rm.r, rm.g, rm.guarantee, &o, full, NULL, NULL,
                                            &err),
                   MDT_ECANTWRITE);
  reg_model_free(&rm);

  /* The mini groups have no targets: the calibrated register names the first group. */
  rm = reg_model_load("id,name,chapter\ng1,Sykepleiere,4\ng2,Fagarbeidere,4\ng3,B,4\n");
  assert_int_equal(register_to(path, NULL, &rm, &o, NULL, &err), MDT_EDATA);
  assert_int_equal(err.line, 2);
  assert_non_null(strstr(err.message, "group 'g1': expected a whole headcount"));
  /* ... but a streamed register makes do with defaults. */
  o.employees = 500;
  assert_int_equal(register_to(path, NULL, &rm, &o, NULL, &err), MDT_OK);
  o.employees = 0;
  reg_model_free(&rm);

  rm = reg_model_load("id,name,chapter,headcount,fte,mean_salary\n"
                      "g1,Sykepleiere,4,5003,4012.7,612345\n"
                      "g2,Fagarbeidere,4,7001,7001.5,498765\n"
                      "g3,B,4,10,5,700000\n");
  assert_int_equal(register_to(path, NULL, &rm, &o, NULL, &err), MDT_EDATA);
  assert_int_equal(err.line, 3);
  assert_non_null(strstr(err.message, "group 'g2': expected an fte above 0 and at most the "
                                      "headcount"));
  reg_model_free(&rm);

  /* A mean below what the guarantee alone pays cannot be met. */
  rm = reg_model_load("id,name,chapter,headcount,fte,mean_salary\n"
                      "g1,Sykepleiere,4,5003,4012.7,400000\n"
                      "g2,Fagarbeidere,4,7001,5100.3,498765\n"
                      "g3,B,4,10,5,700000\n");
  assert_int_equal(register_to(path, NULL, &rm, &o, NULL, &err), MDT_EDATA);
  assert_non_null(strstr(err.message, "group 'g1': mean_salary 400000 is below the "
                                      "FTE-weighted mean guarantee"));
  reg_model_free(&rm);

  char *ks = ks_dir();
  mdt_model *m = load_model(ks);
  mdt_synth_answers_options ao;
  mdt_synth_answers_options_init(&ao);
  ao.response_rate = 0;
  assert_int_equal(mdt_synth_answers_write(m->respondents, m->groups, m->questionnaire, &ao,
                                           stdout, NULL, &err),
                   MDT_EUSAGE);
  ao.response_rate = 1;
  assert_int_equal(mdt_synth_answers_write(m->respondents, m->groups, m->questionnaire, &ao,
                                           full, NULL, &err),
                   MDT_ECANTWRITE);
  mdt_model_free(m);
  fclose(full);
  free(ks);
  free(path);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_members),
      cmocka_unit_test(test_answers_ks),
      cmocka_unit_test(test_answers_other_questionnaire),
      cmocka_unit_test(test_answers_million),
      cmocka_unit_test(test_register_calibrated),
      cmocka_unit_test(test_register_streamed),
      cmocka_unit_test(test_errors),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
