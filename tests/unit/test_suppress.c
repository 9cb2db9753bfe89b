/* Small-cell suppression: which groups a plan hides (by register rows, complementary) and
 * what applying it leaves in a report. Expected sets worked out by hand from the rule in
 * mandat/suppress.h. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mandat/suppress.h"

/* A register whose rows fall into groups with the given row counts (weights all 7.5). */
static mdt_register *make_register(const size_t *rows, size_t ngroups) {
  size_t n = 0;
  for (size_t g = 0; g < ngroups; g++)
    n += rows[g];
  mdt_register *reg = NULL;
  mdt_error err;
  assert_int_equal(mdt_register_new(n, &reg, &err), MDT_OK);
  size_t i = 0;
  for (size_t g = 0; g < ngroups; g++)
    for (size_t k = 0; k < rows[g]; k++, i++) {
      reg->group[i] = (int32_t)g;
      reg->weight_e4[i] = 75000;
    }
  return reg;
}

/* covered and named: one letter per group, 'c' covered, 'n' named, 'b' both, '.' neither;
 * NULL: every group covered. */
static void check_plan_classes(const size_t *rows, size_t ngroups, size_t threshold,
                               const char *classes, const char *hidden, int withhold) {
  mdt_register *reg = make_register(rows, ngroups);
  mdt_microsim_row grows[8];
  memset(grows, 0, sizeof grows);
  for (size_t g = 0; g < ngroups; g++) {
    char c = classes ? classes[g] : 'c';
    grows[g].covered = c == 'c' || c == 'b';
    grows[g].named = c == 'n' || c == 'b';
  }
  mdt_microsim_report rep = {ngroups, grows, grows[0]};
  mdt_suppression plan;
  mdt_error err;
  assert_int_equal(mdt_suppression_plan(reg, &rep, threshold, &plan, &err), MDT_OK);
  char got[16] = "";
  for (size_t g = 0; g < ngroups; g++)
    got[g] = plan.hidden[g] ? 'x' : '.';
  assert_string_equal(got, hidden);
  assert_int_equal(plan.withhold_total, withhold);
  for (size_t g = 0; g < ngroups; g++)
    assert_int_equal(plan.rows[g], rows[g]);
  mdt_suppression_free(&plan);
  mdt_register_free(reg);
}

static void check_plan(const size_t *rows, size_t ngroups, size_t threshold,
                       const char *hidden, int withhold) {
  check_plan_classes(rows, ngroups, threshold, NULL, hidden, withhold);
}

static void test_plans(void **state) {
  (void)state;
  /* one person in group 0: the smallest other group (6 rows) protects it */
  check_plan((size_t[]){1, 6, 8, 9}, 4, 5, "xx..", 0);
  /* two single persons: each knows their own pay, so a third group (9 rows) joins them */
  check_plan((size_t[]){1, 1, 9, 30}, 4, 5, "xxx.", 0);
  /* 4 rows and 3 rows: neither counts for the other, so the 6-row group joins */
  check_plan((size_t[]){4, 3, 6, 12}, 4, 5, "xxx.", 0);
  /* 2 and 5 rows below a threshold of 10: the smallest other group, 11 rows (not 12,
   * listed before it), joins */
  check_plan((size_t[]){2, 5, 12, 40, 11}, 5, 10, "xx..x", 0);
  /* nothing small: nothing hidden, whatever the weights */
  check_plan((size_t[]){5, 6, 100}, 3, 5, "...", 0);
  /* a group with no rows adds nothing to any sum: it neither needs nor gives protection */
  check_plan((size_t[]){0, 3, 0}, 3, 5, ".x.", 1);
  /* threshold 0 or 1 hides nothing */
  check_plan((size_t[]){1, 2}, 2, 1, "..", 0);
  check_plan((size_t[]){1, 2}, 2, 0, "..", 0);
  /* classes: the local pot's sum over covered groups would give a covered group that only
   * an uncovered one hides, so the complement comes from its own class */
  check_plan_classes((size_t[]){1, 6, 8}, 3, 5, "c.c", "x.x", 0);
  check_plan_classes((size_t[]){1, 6, 8, 7}, 4, 5, "cnnc", "x..x", 0);
  /* a named group alone in its class: the margins are withheld */
  check_plan_classes((size_t[]){2, 30, 40}, 3, 5, "ncc", "x..", 1);
}

static void test_apply(void **state) {
  (void)state;
  mdt_register *reg = make_register((size_t[]){1, 7, 9}, 3);
  mdt_suppression plan;
  mdt_error err;
  mdt_microsim_row rows[3];
  memset(rows, 0, sizeof rows);
  for (size_t g = 0; g < 3; g++) {
    rows[g].covered = 1;
    rows[g].employees = 7.5 * (double)(g == 0 ? 1 : g == 1 ? 7 : 9);
    rows[g].wage_bill_nok = 412345.0 * rows[g].employees;
    rows[g].rise_p50_nok = 17321.5;
    rows[g].area_effect_pct = 0.77;
  }
  mdt_microsim_report rep = {3, rows, rows[2]};
  rep.total.employees = 127.5;
  mdt_microsim_effect effect = {2.9, 2.1, 0.3, 0.5, 1.2};
  assert_int_equal(mdt_suppression_plan(reg, &rep, 5, &plan, &err), MDT_OK);
  assert_int_equal(mdt_suppression_apply(&plan, &rep, &effect, &err), MDT_OK);
  assert_true(effect.local_pct == 0.3); /* margins stay when groups hide each other */
  /* groups 0 and 1 blank (employees 0 marks them suppressed for every writer) */
  for (size_t g = 0; g < 2; g++) {
    assert_true(rows[g].employees == 0);
    assert_true(isnan(rows[g].wage_bill_nok) && isnan(rows[g].rise_p50_nok));
    assert_int_equal(rows[g].covered, 1);
  }
  assert_true(rows[2].employees == 67.5 && rows[2].wage_bill_nok == 412345.0 * 67.5);
  assert_true(rep.total.employees == 127.5);
  mdt_suppression_free(&plan);
  /* with one group left to protect it, the total's sums are withheld instead */
  mdt_register_free(reg);
  reg = make_register((size_t[]){2, 0}, 2);
  rep.ngroups = 2;
  assert_int_equal(mdt_suppression_plan(reg, &rep, 5, &plan, &err), MDT_OK);
  assert_int_equal(plan.withhold_total, 1);
  rows[1].area_effect_pct = 0.5;
  rep.total.wage_bill_nok = 1234567.0;
  assert_int_equal(mdt_suppression_apply(&plan, &rep, &effect, &err), MDT_OK);
  assert_true(isnan(rep.total.wage_bill_nok) && isnan(rep.total.employees));
  assert_true(isnan(rows[1].area_effect_pct));
  assert_true(isnan(effect.central_pct) && isnan(effect.local_pct) && isnan(effect.named_pct));
  assert_true(effect.annual_pct == 2.9); /* the area's total effect is the room: public */
  /* a plan for another number of groups is refused */
  rep.ngroups = 3;
  assert_int_equal(mdt_suppression_apply(&plan, &rep, NULL, &err), MDT_EINTERNAL);
  mdt_suppression_free(&plan);
  mdt_suppression_free(NULL);
  mdt_register_free(reg);
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_plans), cmocka_unit_test(test_apply)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
