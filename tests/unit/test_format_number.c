/* mdt_report_format_number (a fast path without printf) against the printf-based code it
 * replaced (report/number_int.h, unchanged): byte for byte on edge cases, ties, powers of ten
 * and millions of random doubles. */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mandat/report.h"
#include "report/number_int.h"
#include "testutil.h"

/* The reference: the printf form the fast path replaced, which the library keeps for what
 * the fast path leaves. */
static char *reference(double v, char *buf, size_t size) {
  return mdt__report_format_number_printf(v, buf, size);
}

/* splitmix64: a fixed sequence, so the test is the same on every run. */
static uint64_t next(uint64_t *s) {
  uint64_t z = (*s += UINT64_C(0x9e3779b97f4a7c15));
  z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
  z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
  return z ^ (z >> 31);
}

static double from_bits(uint64_t b) {
  double v;
  memcpy(&v, &b, sizeof v);
  return v;
}

static long checked;

static void check(double v) {
  char want[400], got[400];
  reference(v, want, sizeof want);
  /* Poison the buffer so that a missing terminator shows. */
  memset(got, 'x', sizeof got);
  if (mdt_report_format_number(v, got, sizeof got) != got)
    fail_msg("%a: the buffer is not returned", v);
  if (strcmp(want, got) != 0)
    fail_msg("%a (%.17g): '%s', the reference writes '%s'", v, v, got, want);
  checked++;
}

/* v and its neighbours a few ulps either side, and the same for -v. */
static void check_around(double v, int ulps) {
  double up = v, down = v;
  check(v);
  check(-v);
  for (int i = 0; i < ulps; i++) {
    up = nextafter(up, INFINITY);
    down = nextafter(down, -INFINITY);
    check(up);
    check(-up);
    check(down);
    check(-down);
  }
}

static void test_edges(void **state) {
  (void)state;
  static const double values[] = {0.0,
                                  1.0,
                                  0.1,
                                  0.2,
                                  0.3,
                                  1e-5,
                                  1e-4,
                                  9.99999999999999e-5,
                                  9.999999999999995e-5,
                                  9.9999999999999995e-5,
                                  1e15,
                                  1e16,
                                  999999999999999.0,
                                  999999999999999.5,
                                  999999999999999.4,
                                  99999999999999.95,
                                  123456789012345.5,
                                  123456789012344.5,
                                  123456789012345678.0,
                                  9.999999999999999e2,
                                  999.9999999999995,
                                  0.5,
                                  2.385,
                                  1.0 / 3,
                                  2.0 / 3,
                                  5e-15,
                                  1.5e-14,
                                  2.5e-14,
                                  0.5e-14,
                                  4.35,
                                  0.000123456789012345,
                                  DBL_MAX,
                                  DBL_MIN,
                                  DBL_TRUE_MIN,
                                  DBL_MIN / 3,
                                  DBL_EPSILON,
                                  4503599627370496.0,
                                  9007199254740993.0,
                                  1125899906842624.0,
                                  562949953421312.5,
                                  0x1p-17,
                                  0x1p-16,
                                  0x1p49,
                                  0x1p50,
                                  0x1.fffffffffffffp49};
  for (size_t i = 0; i < sizeof values / sizeof values[0]; i++)
    check_around(values[i], 4);
  check(-0.0);
  check(NAN);
  check(INFINITY);
  check(-INFINITY);
  char buf[8];
  assert_string_equal(mdt_report_format_number(-0.0, buf, sizeof buf), "0");
  assert_string_equal(mdt_report_format_number(9.999999999999999e2, buf, sizeof buf), "1000");
  assert_string_equal(mdt_report_format_number(NAN, buf, sizeof buf), "");
  /* Every power of ten a double reaches, one to a few ulps around it. */
  for (int p = -330; p <= 310; p++)
    check_around(pow(10, p), 3);
  for (int p = -25; p <= 25; p++) {
    char text[32];
    snprintf(text, sizeof text, "1e%d", p);
    check_around(strtod(text, NULL), 8);
    /* Just below a power of ten: 15 nines and the 16th digit 4..6. */
    for (int last = 0; last <= 9; last++) {
      snprintf(text, sizeof text, "9.99999999999999%de%d", last, p);
      check_around(strtod(text, NULL), 3);
    }
  }
}

/* Exact ties: t / 2^j whose decimal expansion has 16 significant digits, the last a 5, so
 * that %.15g has to round an exact half (to even), and their neighbours. */
static void test_ties(void **state) {
  (void)state;
  uint64_t s = 7;
  for (int j = 1; j <= 22; j++) { /* 5^22 < 10^16 < 5^23 */
    double pow5 = pow(5, j);
    double lo = ceil(1e15 / pow5), hi = floor(1e16 / pow5);
    for (int i = 0; i < 2000; i++) {
      uint64_t t = (uint64_t)lo + next(&s) % (uint64_t)(hi - lo + 1);
      t |= 1; /* odd, so t * 5^j ends in 5 */
      double v = ldexp((double)t, -j);
      check_around(v, 1);
      /* The same digits a few powers of two away: other ties, other rounding. */
      check(ldexp(v, 1 + (int)(next(&s) % 8)));
    }
  }
  /* Integer plus a half around 10^14..10^15 and just below 10^15. */
  for (uint64_t n = 999999999999990; n < 1000000000000000; n++)
    check_around((double)n + 0.5, 2);
  for (int i = 0; i < 20000; i++) {
    uint64_t n = 100000000000000 + next(&s) % 900000000000000;
    check_around((double)n + 0.5, 1);
  }
}

static void test_random_bits(void **state) {
  (void)state;
  uint64_t s = 42;
  /* Sign and mantissa at random; the exponent at random over all of them for one draw in
   * eight (NaN, infinities, subnormals, the far ranges the fast path leaves to printf), over
   * 2^-24..2^56 (the fast path's range and a margin) for the others. */
  for (int i = 0; i < 2000000; i++) {
    uint64_t b = next(&s);
    if ((b & 7) != 0) {
      uint64_t e = (uint64_t)(1023 - 24) + (b >> 3) % 81;
      b = (b & ~(UINT64_C(0x7ff) << 52)) | (e << 52);
    }
    check(from_bits(b));
  }
}

static void test_random_decimals(void **state) {
  (void)state;
  uint64_t s = 1234;
  static const double p10[] = {1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10};
  /* k / 10^d: figures with few decimals, as the tables hold (sums, means, percentages). */
  for (int i = 0; i < 2000000; i++) {
    uint64_t r = next(&s);
    int d = (int)(r % 11);
    uint64_t k = (r >> 8) % (UINT64_C(1) << (8 + (r >> 4) % 42));
    double v = (double)k / p10[d];
    check(r & 0x80 ? -v : v);
  }
  /* Uniform in [0, 1000), and products and quotients of such (means, shares). */
  for (int i = 0; i < 500000; i++) {
    double u = (double)(next(&s) >> 11) * 0x1p-53 * 1000;
    double w = (double)(next(&s) >> 11) * 0x1p-53 * 1000;
    check(u);
    check(u * w);
    check(w != 0 ? u / w : 0);
  }
}

/* A buffer too short cuts the text as snprintf does, and is always terminated. */
static void test_short_buffers(void **state) {
  (void)state;
  uint64_t s = 99;
  for (int i = 0; i < 20000; i++) {
    double v = (double)(next(&s) >> 11) * 0x1p-53 * pow(10, (int)(next(&s) % 26) - 8);
    if (i & 1)
      v = -v;
    for (size_t size = 0; size <= 24; size++) {
      char want[32], got[32];
      memset(want, 'w', sizeof want);
      memset(got, 'w', sizeof got);
      reference(v, want, size);
      mdt_report_format_number(v, got, size);
      if (memcmp(want, got, sizeof want) != 0)
        fail_msg("%.17g in %zu bytes: '%.*s', the reference writes '%.*s'", v, size,
                 (int)size, got, (int)size, want);
    }
  }
}

static int report(void **state) {
  (void)state;
  printf("compared %ld numbers\n", checked);
  return 0;
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_edges),
      cmocka_unit_test(test_ties),
      cmocka_unit_test(test_random_bits),
      cmocka_unit_test(test_random_decimals),
      cmocka_unit_test(test_short_buffers),
  };
  return cmocka_run_group_tests(tests, NULL, report);
}
