/*
 * The report's percentiles of individual rises (src/engine/microsim_pct.c: histograms, finer
 * ones in crowded buckets and a selection, in parts on threads; also with every bucket
 * refined) against the straightforward computation: every employee's
 * rise sorted, the weight summed up to the share. The same values, bit for bit, per group and
 * for the area, in NOK and in percent, for 1 to 3 threads, with many equal rises (kroner,
 * minima and floors) and with groups whose rises are all the same.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "engine/microsim_int.h"
#include "fixture_microsim.h"

#define NGROUPS 5

static const char *const ids[NGROUPS] = {"g1", "g2", "g3", "c34", "c5"};
static const char *const chapters[NGROUPS] = {"4", "4", "4", "3.4", "5"};

typedef struct {
  double v;
  int64_t w;
} vw;

static int cmp_vw(const void *a, const void *b) {
  double x = ((const vw *)a)->v, y = ((const vw *)b)->v;
  return x < y ? -1 : x > y;
}

/* The smallest value whose cumulative weight reaches tenths/10 of the total, the mean of it
 * and the next larger value when reached exactly; NaN for no values. */
static double quantile(vw *a, size_t n, int tenths) {
  if (n == 0)
    return NAN;
  qsort(a, n, sizeof *a, cmp_vw);
  mdt_i128 total = 0, cum = 0;
  for (size_t i = 0; i < n; i++)
    total += a[i].w;
  mdt_i128 T = total * tenths;
  for (size_t i = 0; i < n; i++) {
    cum += (mdt_i128)a[i].w * 10;
    if (i + 1 < n && a[i + 1].v == a[i].v)
      continue; /* the cumulative weight of a value counts all its employees */
    if (cum > T)
      return a[i].v;
    if (cum == T)
      return i + 1 < n ? (a[i].v + a[i + 1].v) / 2.0 : a[i].v;
  }
  return a[n - 1].v;
}

/* Percentile q (0, 1, 2 for 10, 50, 90) of group g (NGROUPS: the area), kind 0 NOK, 1 percent,
 * the straightforward way. */
static double expected(const mdt_microsim_work *w, size_t g, int kind, int q) {
  const mdt_microsim *sim = w->sim;
  vw *a = malloc((sim->n ? sim->n : 1) * sizeof *a);
  assert_non_null(a);
  size_t n = 0;
  for (size_t c = 0; c < sim->ncells; c++) {
    size_t cg = sim->cell_group[c];
    if (g < NGROUPS && cg != g)
      continue;
    for (size_t i = sim->cell_start[c]; i < sim->cell_start[c + 1]; i++) {
      double old = sim->old_nok[i];
      double rise = full_rise(w, c, w->group_frac_full[cg], old);
      double pct = cell_rise_pct(w, c, w->group_frac_full[cg], old);
      a[n++] = (vw){kind ? pct : rise, sim->weight_e4[i]};
    }
  }
  static const int tenths[3] = {1, 5, 9};
  double p = quantile(a, n, tenths[q]);
  free(a);
  return p;
}

static void same(const char *what, size_t g, double want, double got) {
  if (!(want == got || (isnan(want) && isnan(got)))) {
    print_error("%s of group %zu: expected %.17g, found %.17g\n", what, g, want, got);
    fail();
  }
}

static void check_report(const mdt_microsim_work *w, const mdt_microsim_report *r) {
  for (size_t g = 0; g <= NGROUPS; g++) {
    const mdt_microsim_row *row = g < NGROUPS ? &r->groups[g] : &r->total;
    same("p10 NOK", g, expected(w, g, 0, 0), row->rise_p10_nok);
    same("p50 NOK", g, expected(w, g, 0, 1), row->rise_p50_nok);
    same("p90 NOK", g, expected(w, g, 0, 2), row->rise_p90_nok);
    same("p10 %", g, expected(w, g, 1, 0), row->rise_p10_pct);
    same("p50 %", g, expected(w, g, 1, 1), row->rise_p50_pct);
    same("p90 %", g, expected(w, g, 1, 2), row->rise_p90_pct);
  }
}

/* The smallest and largest rise of each kind per group that the report's exact pass took
 * (the percentiles' first pass, mdt__unit_exact with extremes), against a scan of every
 * employee. */
static void check_extremes(const mdt_microsim_work *w) {
  const mdt_microsim *sim = w->sim;
  for (size_t g = 0; g < NGROUPS; g++)
    for (int kind = 0; kind < 2; kind++) {
      double lo = INFINITY, hi = -INFINITY, ulo = INFINITY, uhi = -INFINITY;
      for (size_t c = 0; c < sim->ncells; c++) {
        if (sim->cell_group[c] != g)
          continue;
        for (size_t i = sim->cell_start[c]; i < sim->cell_start[c + 1]; i++) {
          double old = sim->old_nok[i], rise = full_rise(w, c, w->group_frac_full[g], old);
          double v = kind ? cell_rise_pct(w, c, w->group_frac_full[g], old) : rise;
          lo = v < lo ? v : lo;
          hi = v > hi ? v : hi;
        }
      }
      for (size_t u = sim->group_unit[g]; u < sim->group_unit[g + 1]; u++) {
        ulo = w->unit_rise_lo[2 * u + (size_t)kind] < ulo ? w->unit_rise_lo[2 * u + (size_t)kind]
                                                           : ulo;
        uhi = w->unit_rise_hi[2 * u + (size_t)kind] > uhi ? w->unit_rise_hi[2 * u + (size_t)kind]
                                                           : uhi;
      }
      same("smallest rise", g, lo, ulo);
      same("largest rise", g, hi, uhi);
    }
}

/* Every variant of the settlement on reg, checked against the sort with one thread and
 * against one thread with two and three. */
static void check_register(mdt_register *reg) {
  mdt_groups *groups = mdt_test_groups(NGROUPS, ids, chapters, NULL, NULL);
  mdt_step_table *guarantee = mdt_test_table(NGROUPS), *table = mdt_test_table(NGROUPS);
  static const double steps[] = {0, 4, 8, 10, 16};
  for (size_t g = 0; g < NGROUPS; g++)
    for (size_t k = 0; k < 5; k++) {
      mdt_test_table_add(guarantee, g, steps[k], 420000 + 20000 * (int64_t)k);
      mdt_test_table_add(table, g, steps[k], 4000 + 1500 * (int64_t)k);
    }
  mdt_microsim *sim = NULL;
  assert_int_equal(mdt_microsim_new(reg, groups, &sim, NULL), MDT_OK);
  mdt_named_increase named[1] = {{3, 4.1, 5}};
  /* Percent and kroner with a minimum and floors; kroner only (every employee of a group
   * the same rise but for the floors); a kroner table. */
  for (int variant = 0; variant < 3; variant++) {
    mdt_settlement s;
    mdt_settlement_init(&s);
    s.guarantee = guarantee;
    s.named = named;
    s.nnamed = 1;
    s.local_pct = variant == 1 ? 0 : 1.1;
    s.local_month = 10;
    s.pct = variant == 1 ? 0 : 2.3;
    s.krone_nok = variant == 2 ? 0 : 6000;
    s.min_krone_nok = variant == 0 ? 21000 : 0;
    s.table = variant == 2 ? table : NULL;
    mdt_microsim_report *first = NULL;
    for (int threads = 1; threads <= 3; threads++) {
      mdt_microsim_work *w = NULL;
      mdt_microsim_report *r = NULL;
      assert_int_equal(mdt_microsim_work_new(sim, threads, &w, NULL), MDT_OK);
      assert_int_equal(mdt_microsim_apply(w, &s, NULL, &r, NULL), MDT_OK);
      if (threads == 1) {
        check_report(w, r);
        /* The report took the extremes in its exact pass; a direct call (below) takes them
         * in a pass of its own: both are checked against the sort. */
        check_extremes(w);
        /* Every crowded bucket, or every bucket of more than one value, refined. */
        for (size_t refine = 16; refine > 0; refine /= 16) {
          mdt_microsim_report *fine = NULL;
          assert_int_equal(mdt_microsim_apply(w, &s, NULL, &fine, NULL), MDT_OK);
          assert_int_equal(mdt__report_percentiles(w, 2, refine - 1, fine), 0);
          check_report(w, fine);
          mdt_microsim_report_free(fine);
        }
      } else {
        assert_memory_equal(first->groups, r->groups, NGROUPS * sizeof *r->groups);
        assert_memory_equal(&first->total, &r->total, sizeof r->total);
      }
      if (threads == 1)
        first = r;
      else
        mdt_microsim_report_free(r);
      mdt_microsim_work_free(w);
    }
    mdt_microsim_report_free(first);
  }
  mdt_microsim_free(sim);
  mdt_test_table_free(guarantee);
  mdt_test_table_free(table);
  mdt_test_groups_free(groups);
}

/* Random weights, a third of the pays on round 5 000s. */
static void test_against_sort(void **state) {
  (void)state;
  mdt_register *reg = mdt_test_register_random(40000, NGROUPS, 314);
  for (size_t i = 0; i < reg->n; i += 3)
    reg->salary_nok[i] = reg->salary_nok[i] / 5000 * 5000;
  check_register(reg);
  mdt_test_register_free(reg);
}

/* Equal weights: a share often falls exactly between two employees, whose rises then differ
 * (the mean of the two) and may lie in different buckets (a bucket's last and the next
 * bucket's first). Also with few pays: many equal rises. */
static void test_exact_shares(void **state) {
  (void)state;
  for (int few = 0; few < 2; few++) {
    mdt_register *reg = mdt_test_register_random(40000, NGROUPS, 2718);
    for (size_t i = 0; i < reg->n; i++) {
      if (few)
        reg->salary_nok[i] = 300000 + reg->salary_nok[i] % 12 * 50000;
      reg->weight_e4[i] = 10000;
    }
    check_register(reg);
    mdt_test_register_free(reg);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_against_sort),
      cmocka_unit_test(test_exact_shares),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
