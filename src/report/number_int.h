/*
 * Internal to libmandat: numbers as the result tables write them. mdt_report_format_number
 * (mandat/report.h) writes most numbers from their exactly rounded digits itself; this is the
 * printf form it replaced, which it still uses for exact ties and exponents outside -5..14,
 * and which tests/unit/test_format_number.c holds it to, byte for byte.
 */
#ifndef MANDAT_REPORT_NUMBER_INT_H
#define MANDAT_REPORT_NUMBER_INT_H

#include <stddef.h>

/* %.15g by printf, an exponent form then written out in full; "" for NaN and infinities, no
 * "-0". Returns buf. */
char *mdt__report_format_number_printf(double v, char *buf, size_t size);

#endif
