/*
 * Test-only allocation-failure injection, linked into mandat_fault (never into libmandat or
 * mandat) with ld's --wrap, so that every malloc, calloc, realloc and strdup made by the
 * library's and the program's own code comes here, including libcsv's buffer growth (the
 * reader hands libcsv realloc). Allocations made inside other libraries (GSL, jansson,
 * libxlsxwriter, libc's own) are not counted.
 *
 * Environment:
 *   MDT_FAIL_ALLOC=N        the Nth allocation (1-based) fails, as if out of memory; the
 *                           others succeed
 *   MDT_FAIL_ALLOC_ON=1     and every allocation after it fails too (memory stays short,
 *                           so that retries such as libcsv's smaller growth fail as well)
 *   MDT_ALLOC_COUNT_FILE=F  at exit, the number of allocations made is written to F
 */
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t m);
void *__real_realloc(void *p, size_t n);
char *__real_strdup(const char *s);
char *__real_strndup(const char *s, size_t n);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t m);
void *__wrap_realloc(void *p, size_t n);
char *__wrap_strdup(const char *s);
char *__wrap_strndup(const char *s, size_t n);

static atomic_ulong count;
static unsigned long fail_at; /* 0: never */
static int fail_on;           /* 1: every allocation from fail_at on fails */

__attribute__((constructor)) static void init(void) {
  const char *s = getenv("MDT_FAIL_ALLOC");
  if (s != NULL)
    fail_at = strtoul(s, NULL, 10);
  s = getenv("MDT_FAIL_ALLOC_ON");
  fail_on = s != NULL && strcmp(s, "1") == 0;
}

__attribute__((destructor)) static void report(void) {
  const char *path = getenv("MDT_ALLOC_COUNT_FILE");
  if (path == NULL)
    return;
  char buf[32];
  int len = snprintf(buf, sizeof buf, "%lu\n", (unsigned long)atomic_load(&count));
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd >= 0) {
    if (write(fd, buf, (size_t)len) != len)
      perror("fail_alloc: writing the count");
    close(fd);
  }
}

/* 1 when this allocation is the one to fail. */
static int failing(void) {
  unsigned long k = atomic_fetch_add(&count, 1) + 1;
  if (fail_at != 0 && (k == fail_at || (fail_on && k > fail_at))) {
    errno = ENOMEM;
    return 1;
  }
  return 0;
}

void *__wrap_malloc(size_t n) { return failing() ? NULL : __real_malloc(n); }
void *__wrap_calloc(size_t n, size_t m) { return failing() ? NULL : __real_calloc(n, m); }
void *__wrap_realloc(void *p, size_t n) { return failing() ? NULL : __real_realloc(p, n); }
char *__wrap_strdup(const char *s) { return failing() ? NULL : __real_strdup(s); }
char *__wrap_strndup(const char *s, size_t n) {
  return failing() ? NULL : __real_strndup(s, n);
}
