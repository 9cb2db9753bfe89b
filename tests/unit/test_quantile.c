/*
 * Quantiles by selection (engine/quantile.h) against GSL's of the sorted draws: the same
 * numbers, bit for bit, for any size, fraction and ties; the interval skips what is not
 * finite.
 */
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "engine/quantile.h"

static const double fractions[] = {0.0, 0.025, 0.05, 0.1, 0.5, 0.9, 0.95, 0.975, 1.0};

static void test_same_as_sorted(void **state) {
  (void)state;
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(r, 2024);
  double *a = malloc(600 * sizeof *a), *sorted = malloc(600 * sizeof *sorted);
  for (int t = 0; t < 3000; t++) {
    size_t n = 1 + gsl_rng_uniform_int(r, 600);
    int ties = t % 3 == 0; /* a handful of values, each many times */
    for (size_t i = 0; i < n; i++)
      sorted[i] = ties ? (double)gsl_rng_uniform_int(r, 5) : gsl_rng_uniform(r) - 0.5;
    gsl_sort(sorted, 1, n);
    for (size_t q = 0; q < sizeof fractions / sizeof fractions[0]; q++) {
      memcpy(a, sorted, n * sizeof *a);
      gsl_ran_shuffle(r, a, n, sizeof *a);
      double want = gsl_stats_quantile_from_sorted_data(sorted, 1, n, fractions[q]);
      double got = mdt__quantile_of(a, n, fractions[q], 0);
      assert_memory_equal(&want, &got, sizeof want);
    }
  }
  free(a);
  free(sorted);
  gsl_rng_free(r);
}

static void test_interval_skips_non_finite(void **state) {
  (void)state;
  /* 1..10 with NaN and infinities among them: the interval is that of 1..10 alone. */
  double v[] = {7, NAN, 3, 10, INFINITY, 1, 5, 9, -INFINITY, 2, 8, 4, 6, NAN};
  double lo, hi;
  mdt__quantile_interval(v, sizeof v / sizeof v[0], 0.9, &lo, &hi);
  /* (1 - 0.9) / 2 = 0.05 of 9 gaps: 0.45 past 1, and 0.95 of 9: 8.55 past 1. */
  assert_true(fabs(lo - 1.45) < 1e-12);
  assert_true(fabs(hi - 9.55) < 1e-12);
  double none[] = {NAN, INFINITY};
  mdt__quantile_interval(none, 2, 0.95, &lo, &hi);
  assert_true(isnan(lo) && isnan(hi));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_same_as_sorted),
      cmocka_unit_test(test_interval_skips_non_finite),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
