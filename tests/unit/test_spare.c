/*
 * Blocks kept for reuse (core/spare.h): a take gets the smallest kept block that holds it,
 * else a new one in place of the largest, else a new one; what is put into a full set or no
 * set is freed, and so is what was not taken (ASan's leak check holds the suite to that).
 * mdt__zeroed gives zeros with its pages already written. mdt__huge advises a large block for
 * transparent huge pages (a block that is a mapping of its own whole), and mdt__heap_huge makes
 * malloc's heap one such arena for every thread (in a child process, as it changes malloc for
 * good).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <malloc.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/wait.h>
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
  assert_int_equal(s.fresh, 0); /* every block a kept one */
  free(a);
  free(b);
  free(c);
}

static void test_largest_replaced(void **state) {
  (void)state;
  mdt__spare s = {0};
  char *small = malloc(16), *large = malloc(64);
  memset(large, 'x', 64);
  mdt__spare_put(&s, small, 16);
  mdt__spare_put(&s, large, 64);
  /* None holds 4 096 bytes: the largest is freed (ASan would report it if it leaked) and a new
   * block given; the smaller one stays. */
  char *got = mdt__spare_take(&s, 4096);
  assert_non_null(got);
  memset(got, 0, 4096); /* all of it may be written (ASan checks) */
  assert_int_equal(s.n, 1);
  assert_int_equal(s.size[0], 16);
  assert_ptr_equal(s.block[0], small);
  assert_int_equal(s.fresh, 4096);
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
  assert_int_equal(s.fresh, 32);
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

/* 1 when the mapping that holds address a has the huge-page advice (VmFlags "hg" in
 * /proc/self/smaps), 0 when it has not, -1 when no mapping holds it; the mapping's bounds go
 * to *lo and *hi when not NULL. */
static int mapping_of(const void *a, uintptr_t *lo, uintptr_t *hi) {
  FILE *f = fopen("/proc/self/smaps", "r");
  assert_non_null(f);
  char line[512];
  int in = 0, found = -1;
  while (fgets(line, sizeof line, f) != NULL) {
    unsigned long from, to;
    if (sscanf(line, "%lx-%lx ", &from, &to) == 2 && strchr(line, '-') < strchr(line, ' ')) {
      in = (uintptr_t)a >= from && (uintptr_t)a < to;
      if (in && lo != NULL)
        *lo = from;
      if (in && hi != NULL)
        *hi = to;
      continue;
    }
    if (in && strncmp(line, "VmFlags:", 8) == 0) {
      found = strstr(line, " hg") != NULL;
      in = 0;
    }
  }
  fclose(f);
  return found;
}

static int advised_huge(const void *a) { return mapping_of(a, NULL, NULL); }

/* Whether this kernel has transparent huge pages at all (else madvise refuses the advice). */
static int kernel_has_thp(void) {
  return access("/sys/kernel/mm/transparent_hugepage/enabled", F_OK) == 0;
}

/* The advice covers a block of MDT__HUGE_MIN bytes or more, a block that is a mapping of its
 * own whole and in one piece (so that realloc can still grow it as a mapping: it did not when
 * only the block's whole 2 MiB pages were advised, splitting it in three), and nothing is
 * asked for a smaller block or NULL. */
static void test_huge(void **state) {
  (void)state;
  size_t n = (size_t)12 << 20;
  char *big = malloc(n); /* larger than malloc's threshold: a mapping of its own */
  assert_non_null(big);
  int want = kernel_has_thp();
  assert_int_equal(advised_huge(big + n / 2), 0);
  assert_int_equal(mdt__huge(big, n), want);
  uintptr_t lo = 0, hi = 0;
  assert_int_equal(mapping_of(big, &lo, &hi), want);
  assert_true(lo <= (uintptr_t)big && hi >= (uintptr_t)big + n); /* one mapping, not split */
  assert_int_equal(advised_huge(big + n - 1), want);
  memset(big, 7, n); /* still an ordinary block */
  char *grown = realloc(big, 2 * n);
  assert_non_null(grown);
  assert_true(grown[0] == 7 && grown[n - 1] == 7);
#if !defined(__SANITIZE_ADDRESS__) /* whose realloc copies into a block of its own allocator's */
  assert_int_equal(mapping_of(grown, &lo, &hi), want); /* moved or grown as a mapping */
  assert_true(lo <= (uintptr_t)grown && hi >= (uintptr_t)grown + 2 * n);
#endif
  memset(grown + n, 8, n);
  free(grown);
  char *small = malloc(MDT__HUGE_MIN - 1);
  assert_non_null(small);
  assert_int_equal(mdt__huge(small, MDT__HUGE_MIN - 1), 0);
  assert_int_equal(advised_huge(small + (MDT__HUGE_MIN - 1) / 2), 0);
  free(small);
  assert_int_equal(mdt__huge(NULL, n), 0);
}

#if !defined(__SANITIZE_ADDRESS__)
static void *thread_block(void *arg) {
  (void)arg;
  return malloc(1000);
}
#endif

/* In a child: mdt__heap_huge leaves malloc's heap advised for huge pages, with pad bytes of
 * it in place at once that later blocks come from, and a thread's small block comes from that
 * heap too (one arena, which mdt__malloc_one_arena then tells). The child's exit status says
 * which check failed. Under AddressSanitizer malloc is its own and the call changes nothing
 * (0). */
static int heap_child(void) {
  size_t pad = (size_t)64 << 20;
  if (mdt__malloc_one_arena() != 0)
    return 16;
  int got = mdt__heap_huge(pad);
#if defined(__SANITIZE_ADDRESS__)
  return got == 0 && mdt__malloc_one_arena() == 0 ? 0 : 10;
#else
  if (mdt__malloc_one_arena() != 1) /* glibc's mallopt takes it, huge pages or not */
    return 16;
  if (got != kernel_has_thp())
    return 10;
  if (!got)
    return 0;
  char *top = sbrk(0);
  if (advised_huge(top - pad / 2) != 1) /* the pad, advised */
    return 11;
  /* 256 blocks of 100 KiB, each below malloc's threshold for a mapping: from the pad, the
   * heap's break where it was, the last of them advised. */
  enum { BLOCKS = 256 };
  char *blocks[BLOCKS];
  for (int k = 0; k < BLOCKS; k++) {
    blocks[k] = malloc(100 << 10);
    if (blocks[k] == NULL || blocks[k] >= top)
      return 12;
    memset(blocks[k], k, 100 << 10);
  }
  if ((char *)sbrk(0) != top || advised_huge(blocks[BLOCKS - 1]) != 1)
    return 13;
  for (int k = 0; k < BLOCKS; k++)
    free(blocks[k]);
  pthread_t t;
  void *theirs = NULL;
  if (pthread_create(&t, NULL, thread_block, NULL) != 0 || pthread_join(t, &theirs) != 0)
    return 14;
  uintptr_t heap = (uintptr_t)top - mallinfo2().arena;
  if (theirs == NULL || (uintptr_t)theirs >= (uintptr_t)top || (uintptr_t)theirs < heap)
    return 15; /* from a thread's own arena, not the heap */
  free(theirs);
  return 0;
#endif
}

static void test_heap_huge(void **state) {
  (void)state;
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0)
    _exit(heap_child());
  int status = 0;
  assert_int_equal(waitpid(pid, &status, 0), pid);
  assert_true(WIFEXITED(status));
  assert_int_equal(WEXITSTATUS(status), 0);
  assert_int_equal(mdt__heap_huge(1 << 20), 0); /* a pad below MDT__HUGE_MIN: nothing done */
  assert_int_equal(mdt__malloc_one_arena(), 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_smallest_that_fits),
      cmocka_unit_test(test_largest_replaced),
      cmocka_unit_test(test_empty_and_none),
      cmocka_unit_test(test_zeroed),
      cmocka_unit_test(test_huge),
      cmocka_unit_test(test_heap_huge),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
