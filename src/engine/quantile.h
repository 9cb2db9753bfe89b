/*
 * Internal: a quantile of draws as GSL's gsl_stats_quantile_from_sorted_data gives it of the
 * sorted draws, without sorting them: that function reads only the order statistics at lhs =
 * (int)(f (n - 1)) and lhs + 1, so those two are put where a sorted copy has them (a
 * selection, linear in n on average) and the same function is called: the same number, in
 * linear rather than n log n time. Used for the Monte Carlo's and the mandate's quantiles and
 * the bootstrap's percentile intervals, where sorting every column of draws dominated.
 */
#ifndef MANDAT_ENGINE_QUANTILE_H
#define MANDAT_ENGINE_QUANTILE_H

#include <stddef.h>

/* The f-quantile of a[0..n) (f in [0, 1]); a is reordered. sorted: a is sorted already (then
 * nothing is moved). a holds no NaN unless sorted (NaN has no order to select by). */
double mdt__quantile_of(double *a, size_t n, double f, int sorted);

/* The central level interval of the finite values of v[0..n): its (1 - level) / 2 and
 * (1 + level) / 2 quantiles, NaN for both when none is finite; v is reordered. */
void mdt__quantile_interval(double *v, size_t n, double level, double *lo, double *hi);

#endif
