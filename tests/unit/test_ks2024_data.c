/* Checks of the synthetic files committed in models/ks-2024 (answers.csv, register.csv,
 * headcounts.csv): they load, the register matches KS's published 2023 totals, every
 * chapter-4 employee is at or above the guarantee, and the README's commands make exactly
 * these bytes again. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/csv.h"
#include "mandat/model.h"
#include "mandat/register.h"
#include "mandat/steptable.h"
#include "mandat/synth.h"
#include "testutil.h"

static mdt_model *model;
static mdt_register *reg;
static mdt_step_table *guarantee;

static char *ks_file(const char *name) {
  size_t n = strlen(MDT_SOURCE_DIR) + strlen(name) + 32;
  char *p = malloc(n);
  assert_non_null(p);
  snprintf(p, n, "%s/models/ks-2024/%s", MDT_SOURCE_DIR, name);
  return p;
}

static int setup(void **state) {
  (void)state;
  char *dir = ks_file(""), *rp = ks_file("register.csv"), *gp = ks_file("guarantee.csv");
  mdt_error err;
  int ok = mdt_model_load(dir, MDT_MODEL_ANSWERS | MDT_MODEL_HEADCOUNTS, &model, &err) ==
               MDT_OK &&
           mdt_register_load(rp, model->respondents, model->groups, &reg, &err) == MDT_OK &&
           mdt_step_table_load(gp, model->groups, &guarantee, &err) == MDT_OK;
  if (!ok)
    fprintf(stderr, "%s\n", mdt_test_errstr(&err));
  free(dir);
  free(rp);
  free(gp);
  return ok ? 0 : -1;
}

static int teardown(void **state) {
  (void)state;
  mdt_step_table_free(guarantee);
  mdt_register_free(reg);
  mdt_model_free(model);
  return 0;
}

/* sources/ks_area_size.csv, 1 December 2023: employees, FTE and mean pay of a chapter. */
typedef struct {
  int64_t employees, fte;
  double mean_nok;
} published;

static published read_published(const char *scope) {
  static const mdt_csv_spec specs[] = {{"date", MDT_CSV_STR, 1, 0},
                                       {"scope", MDT_CSV_STR, 1, 0},
                                       {"employees", MDT_CSV_INT, 1, 1},
                                       {"fte", MDT_CSV_INT, 1, 1},
                                       {"mean_annual_nok", MDT_CSV_REAL, 1, 1}};
  char *path = ks_file("sources/ks_area_size.csv");
  mdt_csv_table *t = NULL;
  mdt_error err;
  assert_int_equal(mdt_csv_read_table(path, specs, 5, &t, &err), MDT_OK);
  published p = {-1, -1, -1};
  for (size_t i = 0; i < t->nrows; i++)
    if (strcmp(mdt_csv_str(t, 0, i), "2023-12-01") == 0 &&
        strcmp(mdt_csv_str(t, 1, i), scope) == 0)
      p = (published){t->ints[2][i], t->ints[3][i], t->reals[4][i]};
  mdt_csv_table_free(t);
  free(path);
  assert_true(p.employees > 0);
  return p;
}

typedef struct {
  int64_t headcount;  /* sum of weights */
  int64_t fte_e8;     /* sum of weight_e4 x fte_e4 */
  __int128 bill_e8;   /* sum of weight_e4 x fte_e4 x salary */
} sums;

static sums sum_rows(const char *chapter, long group) {
  sums s = {0, 0, 0};
  for (size_t i = 0; i < reg->n; i++) {
    size_t g = (size_t)reg->group[i];
    if ((group >= 0 && (long)g != group) ||
        (chapter != NULL && strcmp(model->groups->chapter[g], chapter) != 0))
      continue;
    assert_int_equal(reg->weight_e4[i] % MDT_FIX4_ONE, 0);
    s.headcount += reg->weight_e4[i] / MDT_FIX4_ONE;
    s.fte_e8 += (int64_t)reg->weight_e4[i] * reg->fte_e4[i];
    s.bill_e8 += (__int128)reg->weight_e4[i] * reg->fte_e4[i] * reg->salary_nok[i];
  }
  return s;
}

static void test_register_matches_published_chapters(void **state) {
  (void)state;
  static const struct {
    const char *chapter, *scope;
  } chapters[] = {{"4", "chapter_4"}, {"3.4", "chapter_3.4"}, {"5", "chapter_5"}};
  assert_true(reg->has_weight);
  for (size_t c = 0; c < 3; c++) {
    published p = read_published(chapters[c].scope);
    sums s = sum_rows(chapters[c].chapter, -1);
    assert_true(s.headcount == p.employees);
    assert_true(s.fte_e8 == p.fte * (int64_t)MDT_FIX4_ONE * MDT_FIX4_ONE);
    double mean = (double)s.bill_e8 / (double)s.fte_e8;
    print_message("      chapter %-3s: %lld employees, %.4f FTE, mean pay %.2f NOK "
                  "(published %lld, %lld, %.0f)\n",
                  chapters[c].chapter, (long long)s.headcount, (double)s.fte_e8 / 1e8, mean,
                  (long long)p.employees, (long long)p.fte, p.mean_nok);
    assert_near(mean, p.mean_nok, 1.0);
  }
  /* The whole register: the chapters' sum (1 000 more employees than the area's 460 400,
   * as in KS's own figures) and exactly the area's 383 600 FTE. */
  sums all = sum_rows(NULL, -1);
  published area = read_published("ks_area");
  assert_true(all.headcount == 400400 + 26000 + 35000);
  assert_true(all.fte_e8 == area.fte * (int64_t)MDT_FIX4_ONE * MDT_FIX4_ONE);
}

static void test_register_matches_groups(void **state) {
  (void)state;
  const mdt_groups *g = model->groups;
  for (size_t k = 0; k < g->n; k++) {
    sums s = sum_rows(NULL, (long)k);
    assert_true((double)s.headcount == g->headcount[k]);
    assert_true(s.fte_e8 == llround(g->fte[k] * 1e4) * (int64_t)MDT_FIX4_ONE);
    assert_near((double)s.bill_e8 / (double)s.fte_e8, g->mean_salary_nok[k], 0.5);
  }
  /* About 10 % of the employees as rows (one more per member and group for the rest). */
  assert_in_range(reg->n, 46140, 46140 + 370 * 10 + 10);
}

static void test_chapter4_at_or_above_guarantee(void **state) {
  (void)state;
  size_t checked = 0;
  for (size_t i = 0; i < reg->n; i++) {
    size_t g = (size_t)reg->group[i];
    if (strcmp(model->groups->chapter[g], "4") != 0)
      continue;
    long k = mdt_step_table_step(guarantee, g, reg->seniority_years[i]);
    assert_true(k >= 0); /* every chapter-4 group has a guarantee from 0 years */
    if (reg->salary_nok[i] < mdt_step_table_nok(guarantee, g, (size_t)k))
      fail_msg("row %zu: %lld below the guarantee %lld", i + 1,
               (long long)reg->salary_nok[i],
               (long long)mdt_step_table_nok(guarantee, g, (size_t)k));
    checked++;
  }
  assert_true(checked > 40000);
}

static void test_headcounts_and_answers(void **state) {
  (void)state;
  const mdt_headcounts *h = model->headcounts;
  size_t ng = model->groups->n, nm = model->respondents->n;
  double *cell = calloc(nm * ng, sizeof *cell);
  assert_non_null(cell);
  for (size_t i = 0; i < reg->n; i++)
    cell[(size_t)reg->respondent[i] * ng + (size_t)reg->group[i]] +=
        reg->weight_e4[i] / MDT_FIX4_ONE;
  for (size_t c = 0; c < nm * ng; c++)
    assert_true(cell[c] == h->count[c]); /* the sample stands for exactly the area */
  free(cell);
  /* Every member has employees in the register. */
  for (size_t m = 0; m < nm; m++) {
    double sum = 0;
    for (size_t g = 0; g < ng; g++)
      sum += h->count[m * ng + g];
    assert_true(sum > 0);
  }
  size_t responded = 0;
  for (size_t m = 0; m < nm; m++)
    responded += model->answers->responded[m];
  assert_in_range(responded, 250, 305); /* about three in four of 370 */
}

/* The README's commands give these very bytes (same seed, same generator). */
static void test_files_regenerate(void **state) {
  (void)state;
  static const char *const names[] = {"answers.csv", "register.csv", "headcounts.csv"};
  char *fresh[3];
  FILE *fp[3];
  for (size_t k = 0; k < 3; k++) {
    fresh[k] = mdt_test_write_text(names[k], "");
    fp[k] = fopen(fresh[k], "w");
    assert_non_null(fp[k]);
  }
  mdt_synth_answers_options ao;
  mdt_synth_answers_options_init(&ao);
  ao.seed = 2024;
  mdt_synth_register_options ro;
  mdt_synth_register_options_init(&ro);
  ro.seed = 2024;
  ro.sample = 0.1;
  mdt_error err;
  assert_int_equal(mdt_synth_answers_write(model->respondents, model->groups,
                                           model->questionnaire, &ao, fp[0], NULL, &err),
                   MDT_OK);
  assert_int_equal(mdt_synth_register_write(model->respondents, model->groups, guarantee, &ro,
                                            fp[1], fp[2], NULL, &err),
                   MDT_OK);
  for (size_t k = 0; k < 3; k++) {
    assert_int_equal(fclose(fp[k]), 0);
    char *committed = ks_file(names[k]);
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "cmp -s '%s' '%s'", committed, fresh[k]);
    if (system(cmd) != 0)
      fail_msg("models/ks-2024/%s differs from what seed 2024 generates now; regenerate it "
               "with the commands in models/ks-2024/README.md",
               names[k]);
    free(committed);
    free(fresh[k]);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_register_matches_published_chapters),
      cmocka_unit_test(test_register_matches_groups),
      cmocka_unit_test(test_chapter4_at_or_above_guarantee),
      cmocka_unit_test(test_headcounts_and_answers),
      cmocka_unit_test(test_files_regenerate),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
