/*
 * mandat/numparse.h: exact conversion of decimal text to numbers, without locale.
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

#endif
