/* Tests of step tables: the real KS guarantee and increase tables, steps by seniority,
 * tables built in memory, writing, and every error path. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/csv.h"
#include "mandat/steptable.h"
#include "testutil.h"

/* The ten groups of models/ks-2024: g1..g8 (rows 0-7), c34 (8), c5 (9). */
static mdt_groups *groups;

static char *model_file(const char *name) {
  size_t n = strlen(MDT_SOURCE_DIR) + strlen(name) + 32;
  char *p = malloc(n);
  assert_non_null(p);
  snprintf(p, n, "%s/models/ks-2024/%s", MDT_SOURCE_DIR, name);
  return p;
}

static int setup(void **state) {
  (void)state;
  char *gp = model_file("groups.csv");
  mdt_error err;
  int ok = mdt_groups_load(gp, &groups, &err) == MDT_OK;
  if (!ok)
    fprintf(stderr, "%s\n", mdt_test_errstr(&err));
  free(gp);
  return ok ? 0 : -1;
}

static int teardown(void **state) {
  (void)state;
  mdt_groups_free(groups);
  return 0;
}

static mdt_step_table *load_model_table(const char *name) {
  char *path = model_file(name);
  mdt_step_table *t = NULL;
  mdt_error err;
  if (mdt_step_table_load(path, groups, &t, &err) != MDT_OK)
    fail_msg("%s", mdt_test_errstr(&err));
  assert_string_equal(t->path, path);
  free(path);
  return t;
}

static long gidx(const char *id) {
  long g = mdt_groups_find(groups, id);
  assert_true(g >= 0);
  return g;
}

/* The amount at exactly `years` in group id, or -1 when the table has no such step. */
static int64_t cell(const mdt_step_table *t, const char *id, double years) {
  size_t g = (size_t)gidx(id);
  for (size_t k = 0; k < t->nsteps[g]; k++)
    if (t->years[g * MDT_STEPS_MAX + k] == years)
      return mdt_step_table_nok(t, g, k);
  return -1;
}

static void test_ks_guarantee_2023(void **state) {
  (void)state;
  mdt_step_table *t = load_model_table("guarantee.csv");
  assert_int_equal(t->ngroups, 10);
  /* 2023 steps: g1 keeps seven, g2-g5 have five, g6-g8 only 0 years, leaders none. */
  static const size_t nsteps[10] = {7, 5, 5, 5, 5, 1, 1, 1, 0, 0};
  for (size_t g = 0; g < 10; g++)
    assert_int_equal(t->nsteps[g], nsteps[g]);
  assert_true(cell(t, "g1", 0) == 351200);
  assert_true(cell(t, "g1", 16) == 457700);
  assert_true(cell(t, "g2", 6) == 419500);
  assert_true(cell(t, "g4", 10) == 556600);
  assert_true(cell(t, "g5", 16) == 598900);
  assert_true(cell(t, "g8", 0) == 611600);
  assert_true(cell(t, "g2", 2) == -1); /* merged into 0 in 2023 */

  /* Cross-check against the independent sources: the 1 May 2022 table (g1-g5) plus the
   * 2023 increase gives every 2023 cell of g1-g5 ... */
  char *p22 = model_file("sources/guarantee_2022.csv");
  char *pinc = model_file("sources/increases_2023.csv");
  mdt_step_table *g22 = NULL, *inc = NULL;
  mdt_error err;
  assert_int_equal(mdt_step_table_load(p22, groups, &g22, &err), MDT_OK);
  assert_int_equal(mdt_step_table_load(pinc, groups, &inc, &err), MDT_OK);
  size_t checked = 0;
  for (size_t g = 0; g < 5; g++)
    for (size_t k = 0; k < t->nsteps[g]; k++) {
      double y = t->years[g * MDT_STEPS_MAX + k];
      int64_t before = cell(g22, groups->id[g], y), plus = cell(inc, groups->id[g], y);
      assert_true(before > 0 && plus > 0);
      if (before + plus != mdt_step_table_nok(t, g, k))
        fail_msg("%s at %g years: %" PRId64 " + %" PRId64 " != %" PRId64, groups->id[g], y,
                 before, plus, mdt_step_table_nok(t, g, k));
      checked++;
    }
  assert_int_equal(checked, 7 + 4 * 5);
  /* g1 at 8 years by hand: 345 300 + 26 300 = 371 600. */
  assert_true(cell(g22, "g1", 8) + cell(inc, "g1", 8) == 371600);

  /* ... and the 1 May 2024 step-0 level minus the 2024 increase gives every group's 2023
   * step 0 (sources/guarantee_2024_step0.csv, a third publisher). */
  char *p24 = model_file("sources/guarantee_2024_step0.csv");
  static const mdt_csv_spec s24[] = {{"group", MDT_CSV_STR, 1, 0},
                                     {"annual_nok", MDT_CSV_INT, 1, 0},
                                     {"increase_2024_nok", MDT_CSV_INT, 1, 0}};
  mdt_csv_table *tab = NULL;
  assert_int_equal(mdt_csv_read_table(p24, s24, 3, &tab, &err), MDT_OK);
  assert_int_equal(tab->nrows, 8);
  for (size_t i = 0; i < tab->nrows; i++) {
    const char *id = mdt_csv_str(tab, 0, i);
    assert_true(tab->ints[1][i] - tab->ints[2][i] == cell(t, id, 0));
  }
  /* g7 by hand: 614 100 - 22 000 = 592 100. */
  assert_true(cell(t, "g7", 0) == 614100 - 22000);
  mdt_csv_table_free(tab);
  mdt_step_table_free(g22);
  mdt_step_table_free(inc);
  mdt_step_table_free(t);
  free(p22);
  free(pinc);
  free(p24);
}

static void test_ks_increases_2023(void **state) {
  (void)state;
  mdt_step_table *t = load_model_table("increases_2023.csv");
  char *src = model_file("sources/increases_2023.csv");
  mdt_step_table *s = NULL;
  mdt_error err;
  assert_int_equal(mdt_step_table_load(src, groups, &s, &err), MDT_OK);
  /* The model's copy equals the KS source cell by cell. */
  size_t cells = 0;
  for (size_t g = 0; g < 10; g++) {
    assert_int_equal(t->nsteps[g], s->nsteps[g]);
    for (size_t k = 0; k < t->nsteps[g]; k++) {
      assert_true(t->years[g * MDT_STEPS_MAX + k] == s->years[g * MDT_STEPS_MAX + k]);
      assert_true(mdt_step_table_nok(t, g, k) == mdt_step_table_nok(s, g, k));
      cells++;
    }
  }
  assert_int_equal(cells, 42);
  /* Cells read off KS's "Forhandlingsresultatet ved mellomoppgjøret 2023". */
  assert_true(cell(t, "g1", 10) == 26300);
  assert_true(cell(t, "g2", 16) == 27000);
  assert_true(cell(t, "g4", 10) == 26700);
  assert_true(cell(t, "g6", 10) == 37000);
  assert_true(cell(t, "g7", 8) == 35000);
  assert_true(cell(t, "g8", 16) == 43000);
  mdt_step_table_free(s);
  mdt_step_table_free(t);
  free(src);
}

static void test_step_lookup(void **state) {
  (void)state;
  mdt_step_table *t = load_model_table("guarantee.csv");
  size_t g1 = (size_t)gidx("g1"), g2 = (size_t)gidx("g2"), g7 = (size_t)gidx("g7");
  size_t c34 = (size_t)gidx("c34");
  /* g1: 0, 2, 4, 6, 8, 10, 16 years. */
  assert_int_equal(mdt_step_table_step(t, g1, 0), 0);
  assert_int_equal(mdt_step_table_step(t, g1, 1.99), 0);
  assert_int_equal(mdt_step_table_step(t, g1, 2), 1);
  assert_int_equal(mdt_step_table_step(t, g1, 5.9), 2);
  assert_int_equal(mdt_step_table_step(t, g1, 15.75), 5);
  assert_int_equal(mdt_step_table_step(t, g1, 16), 6);
  assert_int_equal(mdt_step_table_step(t, g1, 41.3), 6);
  assert_true(mdt_step_table_nok(t, g1, 2) == 360500);
  /* g2: 0, 6, 8, 10, 16 (2 and 4 merged into 0). */
  assert_int_equal(mdt_step_table_step(t, g2, 4.5), 0);
  assert_int_equal(mdt_step_table_step(t, g2, 6), 1);
  assert_int_equal(mdt_step_table_step(t, g2, 9.99), 2);
  /* g7 has step 0 only: every seniority maps to it. */
  assert_int_equal(mdt_step_table_step(t, g7, 23.4), 0);
  /* Leaders have no guarantee; seniority below 0 finds no step. */
  assert_int_equal(mdt_step_table_step(t, c34, 12), -1);
  assert_int_equal(mdt_step_table_step(t, g1, -0.5), -1);
  assert_int_equal(mdt_step_table_step(t, 99, 3), -1);
  mdt_step_table_free(t);
}

static void test_new_set_write(void **state) {
  (void)state;
  mdt_step_table *t = NULL;
  mdt_error err;
  assert_int_equal(mdt_step_table_new(10, &t, &err), MDT_OK);
  assert_null(t->path);
  for (size_t g = 0; g < 10; g++)
    assert_int_equal(t->nsteps[g], 0);
  /* Out of order on purpose: the table keeps each group's steps ascending. */
  assert_int_equal(mdt_step_table_set(t, 1, 10, 31250, &err), MDT_OK);
  assert_int_equal(mdt_step_table_set(t, 1, 0, 22375, &err), MDT_OK);
  assert_int_equal(mdt_step_table_set(t, 1, 6, 23815, &err), MDT_OK);
  assert_int_equal(mdt_step_table_set(t, 6, 0, 37125, &err), MDT_OK);
  assert_int_equal(t->nsteps[1], 3);
  assert_true(t->years[1 * MDT_STEPS_MAX + 1] == 6);
  assert_true(mdt_step_table_nok(t, 1, 1) == 23815);
  assert_true(mdt_step_table_nok(t, 1, 2) == 31250);
  assert_int_equal(mdt_step_table_step(t, 1, 7.25), 1);
  assert_int_equal(mdt_step_table_set(t, 1, 6, 1, &err), MDT_EDATA);
  assert_non_null(strstr(err.message, "already set"));
  assert_int_equal(mdt_step_table_set(t, 10, 0, 1, &err), MDT_EINTERNAL);
  assert_int_equal(mdt_step_table_set(t, 2, -1, 1, &err), MDT_EDATA);
  for (int k = 0; k < MDT_STEPS_MAX; k++)
    assert_int_equal(mdt_step_table_set(t, 3, k * 1.5, 1000 + k, &err), MDT_OK);
  assert_int_equal(mdt_step_table_set(t, 3, 99, 1, &err), MDT_EDATA);
  assert_non_null(strstr(err.message, "16 steps"));

  char *path = mdt_test_write_text("written.csv", "");
  FILE *fp = fopen(path, "w");
  assert_non_null(fp);
  mdt_step_table *small = NULL;
  assert_int_equal(mdt_step_table_new(10, &small, &err), MDT_OK);
  assert_int_equal(mdt_step_table_set(small, 1, 10, 31250, &err), MDT_OK);
  assert_int_equal(mdt_step_table_set(small, 1, 0, 22375, &err), MDT_OK);
  assert_int_equal(mdt_step_table_set(small, 6, 0, 37125, &err), MDT_OK);
  assert_int_equal(mdt_step_table_write_csv(small, groups, fp, &err), MDT_OK);
  assert_int_equal(fclose(fp), 0);
  fp = fopen(path, "r");
  char text[256];
  size_t n = fread(text, 1, sizeof text - 1, fp);
  fclose(fp);
  text[n] = '\0';
  assert_string_equal(text, "group,step_years,annual_nok\n"
                            "g2,0,22375\n"
                            "g2,10,31250\n"
                            "g7,0,37125\n");
  /* What is written loads back to the same cells. */
  mdt_step_table *back = NULL;
  assert_int_equal(mdt_step_table_load(path, groups, &back, &err), MDT_OK);
  assert_int_equal(back->nsteps[1], 2);
  assert_true(mdt_step_table_nok(back, 1, 1) == 31250);
  assert_true(mdt_step_table_nok(back, 6, 0) == 37125);
  /* A table for another number of groups is refused. */
  mdt_step_table *other = NULL;
  assert_int_equal(mdt_step_table_new(3, &other, &err), MDT_OK);
  assert_int_equal(mdt_step_table_write_csv(other, groups, stdout, &err), MDT_EINTERNAL);
  mdt_step_table_free(other);
  mdt_step_table_free(back);
  mdt_step_table_free(small);
  mdt_step_table_free(t);
  mdt_step_table_free(NULL);
  free(path);
}

static mdt_error load_fail(const char *name, const char *text) {
  char *path = mdt_test_write_text(name, text);
  mdt_step_table *t = NULL;
  mdt_error err;
  mdt_error_clear(&err);
  mdt_status st = mdt_step_table_load(path, groups, &t, &err);
  assert_int_not_equal(st, MDT_OK);
  assert_int_equal(st, err.status);
  assert_null(t);
  assert_string_equal(err.file, path);
  free(path);
  return err;
}

#define HEADER "group,step_years,annual_nok\n"
#define GOOD "g1,0,351200\n"

static void test_errors(void **state) {
  (void)state;
  mdt_error err = load_fail("group.csv", HEADER GOOD "g9,0,5\n");
  assert_error_at(&err, MDT_EDATA, 3, 1, "group: expected a group id from groups.csv, found 'g9'");
  err = load_fail("frac.csv", HEADER GOOD "g1,2.5,357700\n");
  assert_error_at(&err, MDT_EDATA, 3, 4,
                  "step_years: expected a whole number of years from 0 to 100, found '2.5'");
  err = load_fail("negstep.csv", HEADER GOOD "g1,-2,357700\n");
  assert_error_at(&err, MDT_EDATA, 3, 4,
                  "step_years: expected a whole number of years from 0 to 100, found '-2'");
  err = load_fail("negnok.csv", HEADER GOOD "g1,2,-5\n");
  assert_error_at(&err, MDT_EDATA, 3, 6,
                  "annual_nok: expected a whole number of NOK >= 0, found '-5'");
  err = load_fail("fracnok.csv", HEADER GOOD "g1,2,357700.5\n");
  assert_error_at(&err, MDT_EDATA, 3, 6,
                  "annual_nok: expected a whole number of NOK >= 0, found '357700.5'");
  /* Semicolons and a decimal comma: the value is shown as the file writes it. */
  err = load_fail("semi.csv", "group;step_years;annual_nok\ng1;0;351200\ng1;2,5;357700\n");
  assert_error_at(&err, MDT_EDATA, 3, 4,
                  "step_years: expected a whole number of years from 0 to 100, found '2,5'");
  err = load_fail("word.csv", HEADER GOOD "g1,2,mye\n");
  assert_error_at(&err, MDT_EDATA, 3, 6, "annual_nok: expected a number, found 'mye'");
  err = load_fail("dup.csv", HEADER GOOD "g1,2,357700\ng1,0,351300\n");
  assert_error_at(&err, MDT_EDATA, 4, 4,
                  "step_years: expected one row per group and step, found 'g1' and '0' again "
                  "(first on line 2)");
  /* 17 steps for g1 on lines 2..18: the 17th is one too many. */
  char many[1024];
  size_t o = (size_t)snprintf(many, sizeof many, "%s", HEADER);
  for (int k = 0; k <= MDT_STEPS_MAX; k++)
    o += (size_t)snprintf(many + o, sizeof many - o, "g1,%d,%d\n", k, 350000 + k);
  err = load_fail("many.csv", many);
  assert_error_at(&err, MDT_EDATA, 18, 4,
                  "step_years: expected at most 16 steps for group 'g1', found more");
  /* g2's lowest step (6 years) is on line 4: that is where the table goes wrong. */
  err = load_fail("nozero.csv", HEADER GOOD "g2,8,430900\ng2,6,419500\n");
  assert_error_at(&err, MDT_EDATA, 4, 4,
                  "step_years: expected the steps of group 'g2' to start at 0 years, found "
                  "'6' as its lowest step");
  err = load_fail("norows.csv", HEADER);
  assert_error_at(&err, MDT_EDATA, 2, 1,
                  "expected at least one row of group, step_years and annual_nok, found none");
  err = load_fail("empty.csv", "");
  assert_error_at(&err, MDT_EDATA, 1, 1, "expected a header row, found an empty file");
  err = load_fail("nocol.csv", "group,step_years\ng1,0\n");
  assert_error_at(&err, MDT_EDATA, 1, 1,
                  "expected a column named 'annual_nok' in the header, found "
                  "'group,step_years'");
  err = load_fail("short.csv", HEADER GOOD "g1,2\n");
  assert_error_at(&err, MDT_EDATA, 3, 5, "expected 3 fields as in the header, found 2");
  mdt_step_table *t = NULL;
  assert_int_equal(mdt_step_table_load("/nonexistent/guarantee.csv", groups, &t, &err),
                   MDT_ENOINPUT);
  assert_null(t);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_ks_guarantee_2023), cmocka_unit_test(test_ks_increases_2023),
      cmocka_unit_test(test_step_lookup),       cmocka_unit_test(test_new_set_write),
      cmocka_unit_test(test_errors),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
