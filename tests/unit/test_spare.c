/*
 * Blocks kept for reuse (core/spare.h): a take gets the smallest kept block that holds it,
 * else the largest grown to the size asked, else a new one; what is put into a full set or no
 * set is freed, and so is what was not taken (ASan's leak check holds the suite to that).
 * mdt__zeroed gives zeros with its pages already written.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/spare.h"

static void test_smallest_that_fits(void **state) {
  (void)state;
  mdt__spare s = {0};
  char *a = malloc(100), *b = malloc(400), *c = malloc(50);
  mdt__spare_put(&s, a, 100);
  mdt__spare_put(&s, b, 400);
  mdt__spare_put(&s, c, 50);
  assert_int_equal(s.n, 3);
  assert_ptr_equal(mdt__spare_take(&s, 80), a);  /* 100 holds 80; 400 does too, but is larger */
  assert_ptr_equal(mdt__spare_take(&s, 50), c);  /* exactly */
  assert_ptr_equal(mdt__spare_take(&s, 400), b);
  assert_int_equal(s.n, 0);
  free(a);
  free(b);
  free(c);
}

static void test_largest_grown(void **state) {
  (void)state;
  mdt__spare s = {0};
  char *small = malloc(16), *large = malloc(64);
  memset(large, 'x', 64);
  mdt__spare_put(&s, small, 16);
  mdt__spare_put(&s, large, 64);
  /* None holds 4 096 bytes: the largest is grown (realloc keeps what it held). */
  char *got = mdt__spare_take(&s, 4096);
  assert_non_null(got);
  for (int i = 0; i < 64; i++)
    assert_int_equal(got[i], 'x');
  memset(got, 0, 4096); /* all of it may be written (ASan checks) */
  assert_int_equal(s.n, 1);
  assert_int_equal(s.size[0], 16);
  free(got);
  mdt__spare_free(&s);
  assert_int_equal(s.n, 0);
}

static void test_empty_and_none(void **state) {
  (void)state;
  mdt__spare s = {0};
  char *a = mdt__spare_take(&s, 32); /* nothing kept: malloc's */
  char *b = mdt__spare_take(NULL, 32);
  assert_non_null(a);
  assert_non_null(b);
  memset(a, 1, 32);
  memset(b, 1, 32);
  mdt__spare_put(NULL, b, 32); /* no set: freed */
  mdt__spare_put(&s, NULL, 10); /* nothing to keep */
  assert_int_equal(s.n, 0);
  /* A full set frees what more it is given. */
  for (int k = 0; k < MDT__SPARE_MAX; k++)
    mdt__spare_put(&s, malloc(8), 8);
  mdt__spare_put(&s, a, 32);
  assert_int_equal(s.n, MDT__SPARE_MAX);
  for (size_t k = 0; k < s.n; k++)
    assert_ptr_not_equal(s.block[k], a);
  mdt__spare_free(&s);
  mdt__spare_free(NULL);
}

/* The pages of [p, p + n) that are in memory (written, or read), counted with mincore. */
static size_t pages_in_memory(const void *p, size_t n) {
  size_t page = (size_t)sysconf(_SC_PAGESIZE);
  uintptr_t from = (uintptr_t)p / page * page, to = ((uintptr_t)p + n + page - 1) / page * page;
  size_t npages = (to - from) / page, in = 0;
  unsigned char *vec = malloc(npages);
  assert_non_null(vec);
  assert_int_equal(mincore((void *)from, to - from, vec), 0);
  for (size_t k = 0; k < npages; k++)
    in += vec[k] & 1;
  free(vec);
  return in;
}

/* Zeros even where malloc hands back a block it had given before, written at once: a block of
 * 8 MiB (a mapping of its own) has all its pages in memory before it is touched here, which
 * calloc's would not (its pages come only when first read or written). An n * size that
 * overflows gives NULL; n = 0 a block that can be freed. */
static void test_zeroed(void **state) {
  (void)state;
  size_t n = (size_t)1 << 20;
  unsigned char *dirty = malloc(4096);
  assert_non_null(dirty);
  memset(dirty, 0xa5, 4096);
  free(dirty);
  unsigned char *small = mdt__zeroed(4096, 1);
  assert_non_null(small);
  for (size_t i = 0; i < 4096; i++)
    assert_int_equal(small[i], 0);
  free(small);
  uint64_t *big = mdt__zeroed(n, sizeof *big);
  assert_non_null(big);
  size_t page = (size_t)sysconf(_SC_PAGESIZE), whole = n * sizeof *big / page;
  assert_true(pages_in_memory(big, n * sizeof *big) >= whole - 1); /* but a partial first page */
  for (size_t i = 0; i < n; i++)
    assert_true(big[i] == 0);
  free(big);
  uint64_t *lazy = calloc(n, sizeof *lazy); /* the contrast: calloc's pages are not yet there */
  assert_non_null(lazy);
  assert_true(pages_in_memory(lazy, n * sizeof *lazy) < whole / 2);
  free(lazy);
  assert_null(mdt__zeroed(SIZE_MAX / 2, 4));
  void *none = mdt__zeroed(0, 8);
  assert_non_null(none);
  free(none);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_smallest_that_fits),
      cmocka_unit_test(test_largest_grown),
      cmocka_unit_test(test_empty_and_none),
      cmocka_unit_test(test_zeroed),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
