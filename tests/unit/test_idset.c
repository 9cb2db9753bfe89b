/*
 * The set of ids seen (core/idset.h) against a plain hash map of every id's text and first
 * line (core/dict.h), the way the register checked its ids before: on streams of numbered
 * ids in order, with gaps, blank lines between, out of order, with leading zeros, as text, and
 * with ids given twice, every answer (new or seen, and the first line) must be the same.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>

#include "core/dict.h"
#include "core/idset.h"
#include "testutil.h"

/* Puts id into both and requires the same answer; returns it. */
static int put_both(mdt__idset *set, mdt__dict *ref, const char *id, long line) {
  long f1 = -7, f2 = -7;
  int a = mdt__idset_put(set, id, strlen(id), line, &f1);
  int b = mdt__dict_put(ref, id, strlen(id), line, &f2);
  if (a != b || (a == 1 && f1 != f2))
    fail_msg("id '%s' on line %ld: set says %d (first %ld), map says %d (first %ld)", id, line,
             a, f1, b, f2);
  return a;
}

static void test_by_hand(void **state) {
  (void)state;
  mdt__idset *s = mdt__idset_new();
  long first = 0;
  assert_non_null(s);
  assert_int_equal(mdt__idset_put(s, "1", 1, 2, NULL), 0);
  assert_int_equal(mdt__idset_put(s, "2", 1, 3, NULL), 0);
  assert_int_equal(mdt__idset_put(s, "3", 1, 5, NULL), 0);  /* a blank line before: new run */
  assert_int_equal(mdt__idset_put(s, "10", 2, 6, NULL), 0); /* a gap: new run */
  assert_int_equal(mdt__idset_put(s, "2", 1, 7, &first), 1);
  assert_int_equal(first, 3);
  assert_int_equal(mdt__idset_put(s, "3", 1, 8, &first), 1);
  assert_int_equal(first, 5);
  assert_int_equal(mdt__idset_put(s, "02", 2, 9, NULL), 0); /* not the id "2" */
  assert_int_equal(mdt__idset_put(s, "4", 1, 10, NULL), 0);
  assert_int_equal(mdt__idset_put(s, "4", 1, 11, &first), 1);
  assert_int_equal(first, 10);
  assert_int_equal(mdt__idset_put(s, "02", 2, 12, &first), 1);
  assert_int_equal(first, 9);
  assert_int_equal(mdt__idset_put(s, "10", 2, 13, &first), 1);
  assert_int_equal(first, 6);
  mdt__idset_free(s);
}

static void test_streams(void **state) {
  (void)state;
  gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(rng, 13);
  size_t seen = 0;
  for (int round = 0; round < 400; round++) {
    mdt__idset *set = mdt__idset_new();
    mdt__dict *ref = mdt__dict_new(16);
    assert_non_null(set);
    assert_non_null(ref);
    long line = 1;
    unsigned long next = gsl_rng_uniform_int(rng, 3);
    int kind = round % 4;
    size_t n = 1 + gsl_rng_uniform_int(rng, 3000);
    for (size_t k = 0; k < n; k++) {
      char id[40];
      line += 1 + (gsl_rng_uniform(rng) < 0.01); /* now and then a blank line */
      double u = gsl_rng_uniform(rng);
      if (kind == 0 || u < 0.97 - 0.3 * kind) {
        /* numbered in order, mostly consecutive */
        next += gsl_rng_uniform(rng) < 0.95 ? 1 : 1 + gsl_rng_uniform_int(rng, 50);
        snprintf(id, sizeof id, "%lu", next);
      } else if (u < 0.985) {
        /* an earlier number again, or one not yet given */
        snprintf(id, sizeof id, "%lu", (unsigned long)gsl_rng_uniform_int(rng, next + 100));
      } else if (u < 0.993) {
        snprintf(id, sizeof id, "0%lu", (unsigned long)gsl_rng_uniform_int(rng, next + 1));
      } else {
        snprintf(id, sizeof id, "e%lu", (unsigned long)gsl_rng_uniform_int(rng, 50));
      }
      seen += (size_t)put_both(set, ref, id, line);
    }
    mdt__idset_free(set);
    mdt__dict_free(ref);
  }
  /* Ids given twice were met often, so both answers were compared. */
  assert_true(seen > 1000);
  gsl_rng_free(rng);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_by_hand),
      cmocka_unit_test(test_streams),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
