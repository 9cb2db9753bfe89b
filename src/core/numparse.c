#include "core/numparse.h"

#include <errno.h>
#include <locale.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

const double mdt_pow10_exact[23] = {
    1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

static int is_digit(char c) { return c >= '0' && c <= '9'; }

/*
 * The slow path: strtod in the "C" locale on a normalised copy. Reached only for inputs the
 * exact fast path cannot settle (more than 19 significant digits or a large exponent).
 */
static int parse_double_slow(const char *s, size_t len, double *out) {
  char stackbuf[128];
  char *buf = len < sizeof stackbuf ? stackbuf : malloc(len + 1);
  if (buf == NULL)
    return -1;
  memcpy(buf, s, len);
  buf[len] = '\0';
  for (size_t i = 0; i < len; i++)
    if (buf[i] == ',')
      buf[i] = '.';
  locale_t c_locale = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
  locale_t old = (locale_t)0;
  if (c_locale != (locale_t)0)
    old = uselocale(c_locale);
  errno = 0;
  char *end = NULL;
  double v = strtod(buf, &end);
  int bad = (end != buf + len) || (errno == ERANGE && fabs(v) > 1.0) || !isfinite(v);
  if (c_locale != (locale_t)0) {
    uselocale(old);
    freelocale(c_locale);
  }
  if (buf != stackbuf)
    free(buf);
  if (bad)
    return -1;
  *out = v;
  return 0;
}

static int parse_double(const char *s, size_t len, int decimal_comma, double *out) {
  size_t i = 0;
  int neg = 0;
  if (i < len && (s[i] == '-' || s[i] == '+')) {
    neg = s[i] == '-';
    i++;
  }
  uint64_t mant = 0;
  int ndigits = 0;     /* significant digits kept in mant */
  int dropped = 0;     /* significant digits beyond 19, not kept */
  int exp10 = 0;
  int any = 0;
  for (; i < len && is_digit(s[i]); i++) {
    any = 1;
    if (mant == 0 && s[i] == '0')
      continue;
    if (ndigits < 19) {
      mant = mant * 10 + (uint64_t)(s[i] - '0');
      ndigits++;
    } else {
      exp10++;
      dropped |= s[i] != '0';
    }
  }
  if (i < len && (s[i] == '.' || (decimal_comma && s[i] == ','))) {
    i++;
    size_t frac_start = i;
    for (; i < len && is_digit(s[i]); i++) {
      if (mant == 0 && s[i] == '0') {
        exp10--;
        continue;
      }
      if (ndigits < 19) {
        mant = mant * 10 + (uint64_t)(s[i] - '0');
        ndigits++;
        exp10--;
      } else {
        dropped |= s[i] != '0';
      }
    }
    if (i > frac_start)
      any = 1;
  }
  if (!any)
    return -1;
  if (i < len && (s[i] == 'e' || s[i] == 'E')) {
    i++;
    int eneg = 0;
    if (i < len && (s[i] == '-' || s[i] == '+')) {
      eneg = s[i] == '-';
      i++;
    }
    if (i >= len || !is_digit(s[i]))
      return -1;
    long e = 0;
    for (; i < len && is_digit(s[i]); i++)
      if (e < 100000)
        e = e * 10 + (s[i] - '0');
    exp10 += (int)(eneg ? -e : e);
  }
  if (i != len)
    return -1;
  /* Clinger's fast path: an exact mantissa below 2^53 and an exact power of ten give a
   * correctly rounded result in one IEEE operation. */
  if (!dropped && mant <= (UINT64_C(1) << 53) && exp10 >= -22 && exp10 <= 22) {
    double v = (double)mant;
    v = exp10 < 0 ? v / mdt_pow10_exact[-exp10] : v * mdt_pow10_exact[exp10];
    *out = neg ? -v : v;
    return 0;
  }
  if (mant == 0) {
    *out = neg ? -0.0 : 0.0;
    return 0;
  }
  return parse_double_slow(s, len, out);
}

int mdt_parse_int64(const char *s, size_t len, int64_t *out) {
  size_t i = 0;
  int neg = 0;
  if (i < len && (s[i] == '-' || s[i] == '+')) {
    neg = s[i] == '-';
    i++;
  }
  if (i >= len)
    return -1;
  uint64_t v = 0;
  if (len - i <= 18) {
    /* Up to 18 digits cannot overflow: no check per digit. */
    for (; i < len; i++) {
      unsigned d = (unsigned char)s[i] - '0';
      if (d > 9)
        return -1;
      v = v * 10 + d;
    }
  } else {
    const uint64_t limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    for (; i < len; i++) {
      if (!is_digit(s[i]))
        return -1;
      uint64_t d = (uint64_t)(s[i] - '0');
      if (v > (limit - d) / 10)
        return -1;
      v = v * 10 + d;
    }
  }
  if (neg)
    *out = v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v;
  else
    *out = (int64_t)v;
  return 0;
}

int mdt_parse_fix4(const char *s, size_t len, int decimal_comma, int64_t *out) {
  size_t i = 0;
  int neg = 0;
  if (i < len && (s[i] == '-' || s[i] == '+')) {
    neg = s[i] == '-';
    i++;
  }
  int64_t whole = 0;
  size_t start = i, significant = 0;
  for (; i < len && is_digit(s[i]); i++) {
    significant += whole != 0 || s[i] != '0';
    whole = whole * 10 + (s[i] - '0');
    /* At most 14 significant whole digits, so that whole x 10 000 stays inside int64_t. */
    if (significant > 14)
      return -1;
  }
  int any = i > start;
  int64_t frac = 0;
  int nfrac = 0;
  if (i < len && (s[i] == '.' || (decimal_comma && s[i] == ','))) {
    i++;
    for (; i < len && is_digit(s[i]); i++) {
      any = 1;
      if (nfrac == 4) {
        if (s[i] != '0')
          return -1; /* a fifth non-zero decimal cannot be held exactly */
        continue;
      }
      frac = frac * 10 + (s[i] - '0');
      nfrac++;
    }
  }
  if (!any || i != len)
    return -1;
  static const int64_t scale[5] = {10000, 1000, 100, 10, 1};
  int64_t v = whole * 10000 + frac * scale[nfrac];
  *out = neg ? -v : v;
  return 0;
}

/* The length of a thousands separator Excel writes in a Norwegian locale at s[0..len): a
 * no-break space (U+00A0) or a narrow no-break space (U+202F) in UTF-8; 0 for anything else. */
static size_t thousands_sep(const char *s, size_t len) {
  const unsigned char *u = (const unsigned char *)s;
  if (len >= 2 && u[0] == 0xC2 && u[1] == 0xA0)
    return 2;
  if (len >= 3 && u[0] == 0xE2 && u[1] == 0x80 && u[2] == 0xAF)
    return 3;
  return 0;
}

/* s[0..len) without the thousands separators between two digits of its whole part, into
 * buf (at least len bytes); returns the new length, or len when there was none. */
static size_t drop_thousands(const char *s, size_t len, char *buf) {
  size_t o = 0;
  int in_whole = 1;
  for (size_t i = 0; i < len;) {
    size_t k = in_whole ? thousands_sep(s + i, len - i) : 0;
    if (k > 0 && o > 0 && is_digit(buf[o - 1]) && i + k < len && is_digit(s[i + k])) {
      i += k;
      continue;
    }
    if (s[i] == ',' || s[i] == '.' || s[i] == 'e' || s[i] == 'E')
      in_whole = 0;
    buf[o++] = s[i++];
  }
  return o;
}

/* Parses with fn again without the thousands separators, when there may be any. */
#define RETRY_WITHOUT_THOUSANDS(call)                                                          \
  do {                                                                                         \
    if (memchr(s, 0xC2, len) == NULL && memchr(s, 0xE2, len) == NULL)                          \
      return -1;                                                                               \
    char stackbuf[128];                                                                        \
    char *buf = len < sizeof stackbuf ? stackbuf : malloc(len + 1);                            \
    if (buf == NULL)                                                                           \
      return -1;                                                                               \
    size_t o = drop_thousands(s, len, buf);                                                    \
    int rc = o < len ? (call) : -1;                                                            \
    if (buf != stackbuf)                                                                       \
      free(buf);                                                                               \
    return rc;                                                                                 \
  } while (0)

int mdt_parse_double(const char *s, size_t len, int decimal_comma, double *out) {
  if (parse_double(s, len, decimal_comma, out) == 0)
    return 0;
  /* With a decimal comma, digits may be grouped by no-break spaces ("149 048,5"). */
  if (!decimal_comma)
    return -1;
  RETRY_WITHOUT_THOUSANDS(parse_double(buf, o, decimal_comma, out));
}

int mdt_parse_int64_grouped(const char *s, size_t len, int decimal_comma, int64_t *out) {
  if (mdt_parse_int64(s, len, out) == 0)
    return 0;
  if (!decimal_comma)
    return -1;
  RETRY_WITHOUT_THOUSANDS(mdt_parse_int64(buf, o, out));
}

int mdt_parse_fix4_grouped(const char *s, size_t len, int decimal_comma, int64_t *out) {
  if (mdt_parse_fix4(s, len, decimal_comma, out) == 0)
    return 0;
  if (!decimal_comma)
    return -1;
  RETRY_WITHOUT_THOUSANDS(mdt_parse_fix4(buf, o, decimal_comma, out));
}
