#include <csv.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mandat/report.h"
#include "report/json_int.h"
#include "report/number_int.h"

void mdt_report_csv_field(FILE *fp, const char *s) {
  if (s == NULL)
    return;
  size_t len = strlen(s);
  /* Spaces or tabs at either end are quoted too: a CSV reader (libcsv, ours) trims them from
   * an unquoted field, and a text answer must come back as written. */
  int padded = len > 0 && (s[0] == ' ' || s[0] == '\t' || s[len - 1] == ' ' || s[len - 1] == '\t');
  if (padded || strpbrk(s, ",;\"\r\n") != NULL)
    csv_fwrite(fp, s, len);
  else
    fputs(s, fp);
}

/* The slow path of mdt_report_format_number, and the whole of it for what the fast path
 * leaves (report/number_int.h). */
char *mdt__report_format_number_printf(double v, char *buf, size_t size) {
  if (size == 0)
    return buf;
  buf[0] = '\0';
  if (!isfinite(v))
    return buf;
  if (v == 0)
    v = 0.0; /* no "-0" */
  snprintf(buf, size, "%.15g", v);
  if (strchr(buf, 'e') == NULL)
    return buf;
  /* The same 15 significant digits written out in full. */
  int e = (int)floor(log10(fabs(v)));
  if (e < 0) {
    snprintf(buf, size, "%.*f", 14 - e, v);
    size_t n = strlen(buf);
    while (n > 0 && buf[n - 1] == '0')
      buf[--n] = '\0';
    if (n > 0 && buf[n - 1] == '.')
      buf[--n] = '\0';
  } else {
    /* 15 significant digits, then zeros: 1.23456789012346e+17 -> 123456789012346000. */
    char m[64];
    snprintf(m, sizeof m, "%.14e", v);
    char *ep = strchr(m, 'e');
    int exp10 = atoi(ep + 1);
    size_t o = 0;
    for (const char *q = m; q < ep && o + 1 < size; q++)
      if (*q != '.')
        buf[o++] = *q;
    size_t digits = o - (m[0] == '-');
    for (; digits < (size_t)exp10 + 1 && o + 1 < size; digits++)
      buf[o++] = '0';
    buf[o] = '\0';
  }
  return buf;
}

#ifdef __SIZEOF_INT128__
__extension__ typedef unsigned __int128 u128; /* gcc and clang, on 64-bit targets */

/* 10^s for s = 0..19, all exact in 64 bits. */
static const uint64_t pow10_u64[20] = {
    1ULL, 10ULL, 100ULL, 1000ULL, 10000ULL, 100000ULL, 1000000ULL, 10000000ULL, 100000000ULL,
    1000000000ULL, 10000000000ULL, 100000000000ULL, 1000000000000ULL, 10000000000000ULL,
    100000000000000ULL, 1000000000000000ULL, 10000000000000000ULL, 100000000000000000ULL,
    1000000000000000000ULL, 10000000000000000000ULL};

/* The 15 significant digits of a > 0 (finite), correctly rounded, as the integer *digits in
 * [10^14, 10^15), with *x10 the decimal exponent of the rounded value (what %.15g calls X):
 * a ~ digits * 10^(x10 - 14). Exact: a = m * 2^k with a 53-bit m, so a * 10^s is the integer
 * m * 10^s (at most 117 bits for s <= 19) over 2^-k, and the quotient and remainder are
 * exact. Returns 0 (for printf to decide) for an exact tie (printf rounds those half to
 * even), for subnormals, and outside 10^-5 <= a < 10^15, where the fast path is not used. */
static int digits15(double a, uint64_t *digits, int *x10) {
  uint64_t bits;
  memcpy(&bits, &a, sizeof bits);
  int be = (int)(bits >> 52) & 0x7ff;
  int b = be - 1023; /* 2^b <= a < 2^(b+1) */
  if (be == 0 || b < -17 || b > 49)
    return 0; /* subnormal, below 2^-17 < 10^-5, or at least 2^50 > 10^15 */
  uint64_t m = (bits & ((1ULL << 52) - 1)) | (1ULL << 52);
  int sh = 52 - b; /* a = m / 2^sh, 3 <= sh <= 69 */
  /* e starts at floor(b * log10 2) (1233 / 4096 ~ log10 2), which is floor(log10 a) or one
   * below it; the loop settles it exactly: n = floor(a * 10^(14 - e)) has 15 digits. */
  int e = b >= 0 ? (b * 1233) >> 12 : -((-b * 1233 + 4095) >> 12);
  u128 p;
  uint64_t n;
  for (int tries = 0;; tries++) {
    if (e < -5 || e > 14 || tries > 3)
      return 0;
    p = (u128)m * pow10_u64[14 - e];
    n = (uint64_t)(p >> sh);
    if (n >= pow10_u64[15])
      e++;
    else if (n < pow10_u64[14])
      e--;
    else
      break;
  }
  u128 rem = p & ((((u128)1) << sh) - 1);
  u128 half = ((u128)1) << (sh - 1);
  if (rem == half)
    return 0;
  if (rem > half && ++n == pow10_u64[15]) {
    n = pow10_u64[14];
    e++;
  }
  *digits = n;
  *x10 = e;
  return 1;
}

/* "00" .. "99". */
static const char digit_pairs[201] = "00010203040506070809101112131415161718192021222324"
                                     "25262728293031323334353637383940414243444546474849"
                                     "50515253545556575859606162636465666768697071727374"
                                     "75767778798081828384858687888990919293949596979899";

/* The 15 decimal digits of n < 10^15 (leading zeros included) into d[0..14], two at a time
 * from 32-bit pieces. */
static void write_digits15(char *d, uint64_t n) {
  uint32_t hi = (uint32_t)(n / 100000000); /* 7 digits */
  uint32_t lo = (uint32_t)(n % 100000000); /* 8 digits */
  d[0] = (char)('0' + hi / 1000000);
  hi %= 1000000;
  memcpy(d + 1, digit_pairs + 2 * (hi / 10000), 2);
  hi %= 10000;
  memcpy(d + 3, digit_pairs + 2 * (hi / 100), 2);
  memcpy(d + 5, digit_pairs + 2 * (hi % 100), 2);
  uint32_t a = lo / 10000, c = lo % 10000;
  memcpy(d + 7, digit_pairs + 2 * (a / 100), 2);
  memcpy(d + 9, digit_pairs + 2 * (a % 100), 2);
  memcpy(d + 11, digit_pairs + 2 * (c / 100), 2);
  memcpy(d + 13, digit_pairs + 2 * (c % 100), 2);
}
#endif

char *mdt_report_format_number(double v, char *buf, size_t size) {
  if (size == 0)
    return buf;
  buf[0] = '\0';
  if (!isfinite(v))
    return buf;
#ifdef __SIZEOF_INT128__
  /* The fast path: what %.15g writes in its plain form (decimal exponent -4..14), from the
   * exactly rounded digits, without printf (which costs some 3 000 instructions a number). */
  char out[48]; /* sign, 16 characters of "0.000", 16 bytes of digits: room for the copies */
  size_t len = 0;
  uint64_t n;
  int x;
  if (v == 0) {
    out[len++] = '0'; /* no "-0" */
  } else if (digits15(fabs(v), &n, &x) && x >= -4 && x <= 14) {
    char d[32]; /* the 15 digits in d[0..14]; the rest only so that 16-byte copies stay inside */
    write_digits15(d, n);
    memset(d + 15, '0', sizeof d - 15);
    int last = 14; /* the last significant digit kept: trailing zeros go, as in %g */
    while (d[last] == '0')
      last--;
    if (v < 0)
      out[len++] = '-';
    char *o = out + len;
    /* Fixed-size copies (cheaper than exact ones); len says how much of out is the text. */
    if (x >= 0) {
      memcpy(o, d, 16);
      o[x + 1] = '.';
      memcpy(o + x + 2, d + x + 1, 16);
      len += last > x ? (size_t)last + 2 : (size_t)x + 1;
    } else {
      memcpy(o, "0.000", 5);
      memcpy(o + 1 - x, d, 16);
      len += (size_t)(2 - x + last);
    }
  } else {
    return mdt__report_format_number_printf(v, buf, size);
  }
  /* As snprintf: cut to the buffer, always terminated. */
  if (len > size - 1)
    len = size - 1;
  memcpy(buf, out, len);
  buf[len] = '\0';
  return buf;
#else
  return mdt__report_format_number_printf(v, buf, size);
#endif
}

void mdt_report_csv_number(FILE *fp, double v) {
  char buf[400];
  fputs(mdt_report_format_number(v, buf, sizeof buf), fp);
}

json_t *mdt__report_json_number(double v) {
  if (!isfinite(v))
    return json_null();
  return json_real(v == 0 ? 0.0 : v);
}

/* json_dump_callback's sink: writes each piece to the file, a number in exponent form
 * (jansson's %.15g writes 5e-05) as the same 15 significant digits written out. jansson hands
 * over a string's opening and closing quote as pieces of their own (a quote inside a string
 * is the escape \", two bytes), so a piece that is exactly one quote toggles "inside a
 * string", and text inside strings is never touched. */
typedef struct {
  FILE *fp;
  int in_string;
} json_sink;

static int json_piece(const char *buf, size_t size, void *data) {
  json_sink *k = data;
  if (size == 1 && buf[0] == '"')
    k->in_string = !k->in_string;
  char num[400];
  if (!k->in_string && size > 0 && size < 64 && (buf[0] == '-' || (buf[0] >= '0' && buf[0] <= '9')) &&
      memchr(buf, 'e', size) != NULL) {
    char text[64];
    memcpy(text, buf, size);
    text[size] = '\0';
    char *end = NULL;
    double v = strtod(text, &end);
    if (end == text + size && isfinite(v)) {
      mdt_report_format_number(v, num, sizeof num);
      buf = num;
      size = strlen(num);
    }
  }
  return fwrite(buf, 1, size, k->fp) == size ? 0 : -1;
}

int mdt__report_json_dumpf(const json_t *json, FILE *fp, size_t flags) {
  json_sink k = {fp, 0};
  return json_dump_callback(json, json_piece, &k, flags);
}

mdt_status mdt__report_write_json(FILE *fp, const json_t *json, mdt_error *err) {
  if (json == NULL)
    return mdt_error_set(err, MDT_ENOMEM, "out of memory building the JSON report");
  if (mdt__report_json_dumpf(json, fp, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15)) != 0 ||
      fputc('\n', fp) == EOF)
    return mdt_error_set(err, MDT_ECANTWRITE, "cannot write the JSON report: %s",
                         strerror(errno));
  return MDT_OK;
}

/* Display columns of one UTF-8 character starting at s (1 for everything but combining
 * marks, which take none). */
static int char_width(const unsigned char *s) {
  if (s[0] == 0xCC || (s[0] == 0xCD && s[1] < 0xB0))
    return 0; /* U+0300..U+036F combining diacritics */
  return 1;
}

void mdt_report_text_number(FILE *fp, double v, int width, int decimals) {
  if (isfinite(v))
    fprintf(fp, "%*.*f", width, decimals, v);
  else
    fprintf(fp, "%*s", width, "-");
}

void mdt_report_pad(FILE *fp, const char *s, int width) {
  const unsigned char *p = (const unsigned char *)s;
  int used = 0;
  int total = 0;
  for (const unsigned char *q = p; *q; q++)
    if ((*q & 0xC0) != 0x80)
      total += char_width(q);
  int limit = total > width ? width - 1 : width;
  while (*p) {
    int w = (*p & 0xC0) != 0x80 ? char_width(p) : 0;
    if (used + w > limit)
      break;
    size_t len = 1;
    while ((p[len] & 0xC0) == 0x80)
      len++;
    fwrite(p, 1, len, fp);
    used += w;
    p += len;
  }
  if (total > width) {
    fputs("\xE2\x80\xA6", fp); /* … */
    used++;
  }
  for (; used < width; used++)
    fputc(' ', fp);
}
