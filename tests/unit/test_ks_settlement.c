/* The real KS tables through the settlement engine: applying the 2023 kroner table to the
 * 1 May 2022 guarantee table, with no frame, raises every guarantee cell by exactly its
 * amount; step 0 lands on the 2023 level a third publisher gives (2024 level minus the 2024
 * increase). Sources: models/ks-2024/sources/ (its README names each publisher). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mandat/microsim.h"
#include "mandat/register.h"
#include "mandat/steptable.h"
#include "testutil.h"

static char *source(const char *name) {
  size_t n = strlen(MDT_SOURCE_DIR) + strlen(name) + 32;
  char *p = malloc(n);
  assert_non_null(p);
  snprintf(p, n, "%s/models/ks-2024/%s", MDT_SOURCE_DIR, name);
  return p;
}

static mdt_step_table *load(const mdt_groups *g, const char *name) {
  char *path = source(name);
  mdt_step_table *t = NULL;
  mdt_error err;
  if (mdt_step_table_load(path, g, &t, &err) != MDT_OK)
    fail_msg("%s", mdt_test_errstr(&err));
  free(path);
  return t;
}

static int64_t at(const mdt_step_table *t, size_t g, double years) {
  for (size_t k = 0; k < t->nsteps[g]; k++)
    if (t->years[g * MDT_STEPS_MAX + k] == years)
      return t->nok[g * MDT_STEPS_MAX + k];
  return -1;
}

static void test_table_raises_each_cell_by_its_amount(void **state) {
  (void)state;
  mdt_error err;
  char *gp = source("groups.csv");
  mdt_groups *groups = NULL;
  assert_int_equal(mdt_groups_load(gp, &groups, &err), MDT_OK);
  free(gp);
  mdt_step_table *g2022 = load(groups, "sources/guarantee_2022.csv");
  mdt_step_table *inc2023 = load(groups, "sources/increases_2023.csv");
  /* A register only gives the microsim its groups; two employees in g1. */
  mdt_register *reg = NULL;
  assert_int_equal(mdt_register_new(2, &reg, &err), MDT_OK);
  for (size_t i = 0; i < 2; i++) {
    reg->respondent[i] = 0;
    reg->group[i] = 0;
    reg->seniority_years[i] = 3.0 * (double)i;
    reg->fte_e4[i] = MDT_FIX4_ONE;
    reg->weight_e4[i] = MDT_FIX4_ONE;
    reg->salary_nok[i] = 400000;
  }
  mdt_microsim *sim = NULL;
  assert_int_equal(mdt_microsim_new(reg, groups, &sim, &err), MDT_OK);
  mdt_settlement s;
  mdt_settlement_init(&s);
  s.table = inc2023;
  s.table_scale = 1;
  s.guarantee = g2022;
  mdt_step_table *g2023 = NULL;
  assert_int_equal(mdt_step_table_new(groups->n, &g2023, &err), MDT_OK);
  assert_int_equal(mdt_microsim_guarantee(sim, &s, g2023, &err), MDT_OK);

  /* Every cell of 2022 (g1-g5, all steps) is raised by the 2023 table's amount at the
   * highest table step not above the cell's years. */
  size_t cells = 0;
  for (size_t g = 0; g < groups->n; g++) {
    assert_int_equal(g2023->nsteps[g], g2022->nsteps[g]);
    for (size_t k = 0; k < g2022->nsteps[g]; k++) {
      double years = g2022->years[g * MDT_STEPS_MAX + k];
      long tk = mdt_step_table_step(inc2023, g, years);
      assert_true(tk >= 0);
      int64_t want = g2022->nok[g * MDT_STEPS_MAX + k] + mdt_step_table_nok(inc2023, g, (size_t)tk);
      assert_int_equal(at(g2023, g, years), want);
      cells++;
    }
  }
  assert_int_equal(cells, 35); /* the 2022 table's 35 cells */
  /* By hand: g1 at 0 years 324 900 + 26 300 = 351 200; g5 at 16 years 565 900 + 33 000 =
   * 598 900; g4 at 2 years (a step the 2023 table merged into 0) 459 100 + 26 300. */
  assert_int_equal(at(g2023, 0, 0), 351200);
  assert_int_equal(at(g2023, 4, 16), 598900);
  assert_int_equal(at(g2023, 3, 2), 485400);
  /* Independent check of step 0: guarantee_2024_step0.csv gives the 2024 level and the 2024
   * increase; their difference is the 2023 level: g1 382 500 - 31 300 = 351 200,
   * g2 437 300 - 22 000 = 415 300, g3 459 300 - 22 000 = 437 300,
   * g4 507 400 - 22 000 = 485 400, g5 548 400 - 22 000 = 526 400. */
  static const int64_t level_2023_step0[] = {351200, 415300, 437300, 485400, 526400};
  for (size_t g = 0; g < 5; g++)
    assert_int_equal(at(g2023, g, 0), level_2023_step0[g]);
  /* Groups without a 2022 table (g6-g8, leaders, chapter 5) keep no cells. */
  assert_int_equal(g2023->nsteps[5], 0);
  assert_int_equal(g2023->nsteps[9], 0);

  mdt_step_table_free(g2023);
  mdt_microsim_free(sim);
  mdt_register_free(reg);
  mdt_step_table_free(inc2023);
  mdt_step_table_free(g2022);
  mdt_groups_free(groups);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_table_raises_each_cell_by_its_amount),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
