/*
 * core/numparse.h: exact conversion of decimal text to numbers, without locale.
 *
 * Ownership: pure functions on caller-owned text; nothing is allocated.
 *
 * The accepted syntax is the one every mandat loader accepts: an optional sign, digits,
 * an optional decimal separator ('.' always, ',' when decimal_comma is non-zero) with digits,
 * and (for doubles only) an optional exponent. No spaces, thousands separators, hex, inf or
 * nan. Doubles are correctly rounded (identical to strtod in the "C" locale).
 */
#ifndef MANDAT_NUMPARSE_H
#define MANDAT_NUMPARSE_H

#include <stddef.h>
#include <stdint.h>

/* Parses s[0..len) as a double into *out. Returns 0 on success, -1 if the text is not a
 * number in the syntax above or is out of the finite double range. With decimal_comma, the
 * whole part may be grouped by no-break spaces (U+00A0 or U+202F, in UTF-8) between digits,
 * as a Norwegian Excel writes thousands ("149 048,5"). */
int mdt_parse_double(const char *s, size_t len, int decimal_comma, double *out);

/* Parses s[0..len) as a whole number (no separator, no exponent) into *out.
 * Returns 0 on success, -1 on bad syntax or overflow of int64_t. */
int mdt_parse_int64(const char *s, size_t len, int64_t *out);

/* Parses a decimal with at most 4 digits after the separator into *out, scaled by 10 000
 * ("0.8" gives 8000). Returns 0 on success, -1 on bad syntax, more than 4 decimals, or
 * overflow. Used for FTE and row weights so that their products with money are exact. */
int mdt_parse_fix4(const char *s, size_t len, int decimal_comma, int64_t *out);

/* As mdt_parse_int64 and mdt_parse_fix4, and with decimal_comma also with the whole part
 * grouped by no-break spaces, as mdt_parse_double ("149 048"). */
int mdt_parse_int64_grouped(const char *s, size_t len, int decimal_comma, int64_t *out);
int mdt_parse_fix4_grouped(const char *s, size_t len, int decimal_comma, int64_t *out);

/*
 * The plain form most fields have, for the CSV reader's fast path: s[0..len) is one or more
 * digits, optionally followed by the separator sep and one or more digits, with at most 18
 * digits in all. Then *digits holds them all as one number ("7.25" gives 725), *nfrac the
 * digits after the separator (-1 when there is no separator), and 1 is returned; 0 for any
 * other text. Each parser above gives the same value on such a text as:
 *   mdt_parse_int64: digits, when nfrac is -1;
 *   mdt_parse_fix4: digits x 10^(4 - nfrac) (nfrac 0 when -1), when nfrac <= 4 and there are
 *     at most 14 digits;
 *   mdt_parse_double: digits / 10^nfrac, when there are at most 15 digits (an exact mantissa
 *     below 2^53 and an exact power of ten: one correctly rounded division, as it does).
 * tests/unit/test_numparse.c checks these against the parsers.
 */
static inline int mdt_parse_plain(const char *s, size_t len, char sep, uint64_t *digits,
                                  int *nfrac, size_t *ndigits) {
  uint64_t v = 0;
  size_t i = 0;
  for (; i < len; i++) {
    unsigned d = (unsigned char)s[i] - '0';
    if (d > 9)
      break;
    v = v * 10 + d;
  }
  size_t whole = i;
  int nf = -1;
  if (i < len && s[i] == sep && i > 0) {
    size_t from = ++i;
    for (; i < len; i++) {
      unsigned d = (unsigned char)s[i] - '0';
      if (d > 9)
        break;
      v = v * 10 + d;
    }
    nf = (int)(i - from);
    if (nf == 0)
      return 0;
  }
  if (i != len || whole == 0 || len - (nf >= 0) > 18)
    return 0;
  *digits = v;
  *nfrac = nf;
  *ndigits = len - (nf >= 0);
  return 1;
}

/* 10^k for k = 0..22: the powers of ten that are exact in a double (the parsers' fast path
 * and the plain form's division use them). */
extern const double mdt_pow10_exact[23];

#endif
