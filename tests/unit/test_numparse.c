/* The number conversion the loaders use, against strtod on millions of random values. */
#include <errno.h>
#include <locale.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/numparse.h"
#include "testutil.h"

/* splitmix64: a fixed sequence, so the test is the same on every run. */
static uint64_t next(uint64_t *s) {
  uint64_t z = (*s += UINT64_C(0x9e3779b97f4a7c15));
  z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
  z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
  return z ^ (z >> 31);
}

static void check_one(const char *text, int decimal_comma) {
  char ref[128];
  snprintf(ref, sizeof ref, "%s", text);
  if (decimal_comma)
    for (char *p = ref; *p; p++)
      if (*p == ',')
        *p = '.';
  errno = 0;
  char *end;
  double want = strtod(ref, &end);
  double got;
  int rc = mdt_parse_double(text, strlen(text), decimal_comma, &got);
  if (*end != '\0' || !isfinite(want)) {
    if (rc == 0)
      fail_msg("'%s' accepted as %.17g, strtod rejects it", text, got);
    return;
  }
  if (rc != 0)
    fail_msg("'%s' rejected, strtod gives %.17g", text, want);
  if (memcmp(&got, &want, sizeof got) != 0)
    fail_msg("'%s': %.17g, strtod gives %.17g", text, got, want);
}

static void test_random_against_strtod(void **state) {
  (void)state;
  uint64_t s = 20241123;
  char buf[96];
  for (long k = 0; k < 2000000; k++) {
    uint64_t r = next(&s);
    double v;
    switch (r % 6) {
    case 0: /* whole numbers of every size */
      snprintf(buf, sizeof buf, "%lld", (long long)(next(&s) >> (r % 64)) - (long long)(r % 3));
      break;
    case 1: /* decimals as a register or a survey writes them */
      snprintf(buf, sizeof buf, "%.*f", (int)(r % 7), (double)(next(&s) % 100000000) / 97.0);
      break;
    case 2: /* any double, shortest round trip and more */
      memcpy(&v, &(uint64_t){next(&s)}, sizeof v);
      if (!isfinite(v))
        continue;
      snprintf(buf, sizeof buf, "%.*g", 1 + (int)(r % 17), v);
      break;
    case 3: /* exponents near the fast path's edge */
      snprintf(buf, sizeof buf, "%llue%d", (unsigned long long)(next(&s) % 100000000000000000ULL),
               (int)(r % 60) - 30);
      break;
    case 4: /* more digits than a double holds */
      snprintf(buf, sizeof buf, "%llu.%llu", (unsigned long long)next(&s),
               (unsigned long long)next(&s));
      break;
    default: /* small values with many decimals */
      snprintf(buf, sizeof buf, "%.*e", (int)(r % 20), (double)(int64_t)next(&s) / 1e20);
      break;
    }
    check_one(buf, 0);
    /* the same with a decimal comma, as Excel writes it with ';' */
    for (char *p = buf; *p; p++)
      if (*p == '.')
        *p = ',';
    check_one(buf, 1);
  }
}

static void test_edges(void **state) {
  (void)state;
  static const char *const good[] = {"0", "-0", "+3", ".5", "5.", "1e22", "1e23",
                                     "9007199254740993", "9007199254740992.5",
                                     "123456789012345678901234567890", "4.9e-324", "1e-400",
                                     "0.1", "2.385", "1.7976931348623157e308", "00012"};
  for (size_t k = 0; k < sizeof good / sizeof good[0]; k++)
    check_one(good[k], 0);
  static const char *const bad[] = {"", "-", "+", ".", "1e", "1e+", "1.2.3", " 1", "1 ",
                                    "0x10", "inf", "nan", "1e400", "1,5", "--1", "1-"};
  double v;
  for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++)
    if (mdt_parse_double(bad[k], strlen(bad[k]), 0, &v) == 0)
      fail_msg("'%s' accepted as %.17g", bad[k], v);
  /* a decimal comma only where asked for */
  assert_int_equal(mdt_parse_double("2,5", 3, 1, &v), 0);
  assert_near(v, 2.5, 0);
  assert_int_not_equal(mdt_parse_double("2,5", 3, 0, &v), 0);
}

/* Norwegian Excel's thousands separators with a decimal comma. */
static void test_thousands(void **state) {
  (void)state;
  double v = 0;
  const char nbsp[] = "149\xC2\xA0" "048,5";          /* 149 048,5 with U+00A0 */
  const char narrow[] = "1\xE2\x80\xAF" "234\xE2\x80\xAF" "567"; /* 1 234 567 with U+202F */
  assert_int_equal(mdt_parse_double(nbsp, strlen(nbsp), 1, &v), 0);
  assert_true(v == 149048.5);
  assert_int_equal(mdt_parse_double(narrow, strlen(narrow), 1, &v), 0);
  assert_true(v == 1234567.0);
  /* not with a decimal point, not at the ends, not in the fraction */
  assert_int_not_equal(mdt_parse_double(nbsp, strlen(nbsp), 0, &v), 0);
  const char lead[] = "\xC2\xA0" "149";
  assert_int_not_equal(mdt_parse_double(lead, strlen(lead), 1, &v), 0);
  const char frac[] = "1,234\xC2\xA0" "5";
  assert_int_not_equal(mdt_parse_double(frac, strlen(frac), 1, &v), 0);
}

static void test_int_and_fix4(void **state) {
  (void)state;
  int64_t i;
  assert_int_equal(mdt_parse_int64("9223372036854775807", 19, &i), 0);
  assert_true(i == INT64_MAX);
  assert_int_equal(mdt_parse_int64("-9223372036854775808", 20, &i), 0);
  assert_true(i == INT64_MIN);
  assert_int_not_equal(mdt_parse_int64("9223372036854775808", 19, &i), 0);
  assert_int_not_equal(mdt_parse_int64("12.5", 4, &i), 0);
  assert_int_not_equal(mdt_parse_int64("", 0, &i), 0);
  /* fix4: exact tenths of thousandths, as integers */
  assert_int_equal(mdt_parse_fix4("0.8", 3, 0, &i), 0);
  assert_int_equal(i, 8000);
  assert_int_equal(mdt_parse_fix4("0,7026", 6, 1, &i), 0);
  assert_int_equal(i, 7026);
  assert_int_equal(mdt_parse_fix4("10", 2, 0, &i), 0);
  assert_int_equal(i, 100000);
  assert_int_equal(mdt_parse_fix4("1.50000", 7, 0, &i), 0); /* trailing zeros are exact */
  assert_int_equal(i, 15000);
  assert_int_not_equal(mdt_parse_fix4("0.12345", 7, 0, &i), 0);
  assert_int_not_equal(mdt_parse_fix4("1e3", 3, 0, &i), 0);
  /* leading zeros do not count towards the 14 significant whole digits */
  assert_int_equal(mdt_parse_fix4("00000000000000000012.5", 22, 0, &i), 0);
  assert_int_equal(i, 125000);
  assert_int_equal(mdt_parse_fix4("99999999999999", 14, 0, &i), 0);
  assert_int_not_equal(mdt_parse_fix4("999999999999999", 15, 0, &i), 0);
  /* every 4-decimal value agrees with rounding strtod's result */
  uint64_t s = 7;
  char buf[40];
  for (int k = 0; k < 200000; k++) {
    long long whole = (long long)(next(&s) % 1000000);
    int frac = (int)(next(&s) % 10000);
    snprintf(buf, sizeof buf, "%lld.%04d", whole, frac);
    assert_int_equal(mdt_parse_fix4(buf, strlen(buf), 0, &i), 0);
    assert_true(i == whole * 10000 + frac);
  }
}

/* The plain form (mdt_parse_plain) and what the CSV reader makes of it, against the parsers
 * on the same text, for random digit strings with and without a separator, of 1 to 20 digits,
 * with leading and trailing zeros, and on texts that are not plain. */
static void check_plain(const char *t, char sep) {
  size_t len = strlen(t), nd = 0;
  uint64_t dg = 0;
  int nf = 0;
  int dc = sep == ',';
  if (!mdt_parse_plain(t, len, sep, &dg, &nf, &nd))
    return;
  static const int64_t scale[5] = {10000, 1000, 100, 10, 1};
  int64_t i64;
  double dv;
  if (nf < 0) {
    assert_int_equal(mdt_parse_int64(t, len, &i64), 0);
    assert_true(i64 == (int64_t)dg);
  } else {
    assert_int_not_equal(mdt_parse_int64(t, len, &i64), 0);
  }
  if (nf <= 4 && nd <= 14) {
    assert_int_equal(mdt_parse_fix4(t, len, dc, &i64), 0);
    if (i64 != (int64_t)dg * scale[nf < 0 ? 0 : nf])
      fail_msg("'%s': fix4 %lld, plain %llu with %d decimals", t, (long long)i64,
               (unsigned long long)dg, nf);
  }
  if (nd <= 15) {
    assert_int_equal(mdt_parse_double(t, len, dc, &dv), 0);
    double fast = (double)dg / mdt_pow10_exact[nf < 0 ? 0 : nf];
    if (memcmp(&fast, &dv, sizeof dv) != 0)
      fail_msg("'%s': %.17g, plain gives %.17g", t, dv, fast);
  }
}

static void test_plain(void **state) {
  (void)state;
  uint64_t seed = 99;
  char t[64];
  size_t plain = 0;
  for (int k = 0; k < 400000; k++) {
    size_t nw = 1 + next(&seed) % 12, nfr = next(&seed) % 8, o = 0;
    for (size_t i = 0; i < nw; i++)
      t[o++] = (char)('0' + (next(&seed) % 4 == 0 ? 0 : next(&seed) % 10));
    char sep = k % 2 ? ',' : '.';
    if (nfr > 0) {
      t[o++] = sep;
      for (size_t i = 1; i < nfr; i++)
        t[o++] = (char)('0' + next(&seed) % 10);
    }
    t[o] = '\0';
    if (k % 97 == 0) /* not plain: a sign, a letter, a space */
      t[next(&seed) % o] = "-+e x"[next(&seed) % 5];
    uint64_t dg;
    int nf;
    size_t nd;
    plain += (size_t)mdt_parse_plain(t, o, sep, &dg, &nf, &nd);
    check_plain(t, sep);
  }
  assert_true(plain > 300000);
  /* By hand: "7.25" is 725 with 2 decimals; "12" has none; "7." and ".5" are not plain. */
  uint64_t dg = 0;
  int nf = 0;
  size_t nd = 0;
  assert_int_equal(mdt_parse_plain("7.25", 4, '.', &dg, &nf, &nd), 1);
  assert_true(dg == 725 && nf == 2 && nd == 3);
  assert_int_equal(mdt_parse_plain("12", 2, '.', &dg, &nf, &nd), 1);
  assert_true(dg == 12 && nf == -1 && nd == 2);
  assert_int_equal(mdt_parse_plain("7.", 2, '.', &dg, &nf, &nd), 0);
  assert_int_equal(mdt_parse_plain(".5", 2, '.', &dg, &nf, &nd), 0);
  assert_int_equal(mdt_parse_plain("7,5", 3, '.', &dg, &nf, &nd), 0);
  assert_int_equal(mdt_parse_plain("1234567890123456789", 19, '.', &dg, &nf, &nd), 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_random_against_strtod),
      cmocka_unit_test(test_edges),
      cmocka_unit_test(test_thousands),
      cmocka_unit_test(test_int_and_fix4),
      cmocka_unit_test(test_plain),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
