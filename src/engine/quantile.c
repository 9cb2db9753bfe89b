/* Quantiles of draws by selection rather than sorting (see engine/quantile.h). */
#include "engine/quantile.h"

#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stddef.h>

/* Moves the k-th smallest of a[0..n) to a[k], the smaller ones before it and the larger after
 * (Wirth's selection), in linear time on average. a holds no NaN. */
static void select_kth(double *a, size_t n, size_t k) {
  ptrdiff_t l = 0, m = (ptrdiff_t)n - 1, kk = (ptrdiff_t)k;
  while (l < m) {
    double x = a[kk];
    ptrdiff_t i = l, j = m;
    do {
      while (a[i] < x)
        i++;
      while (x < a[j])
        j--;
      if (i <= j) {
        double t = a[i];
        a[i] = a[j];
        a[j] = t;
        i++;
        j--;
      }
    } while (i <= j);
    if (j < kk)
      l = i;
    if (kk < i)
      m = j;
  }
}

double mdt__quantile_of(double *a, size_t n, double f, int sorted) {
  if (!sorted && n > 1) {
    size_t lhs = (size_t)(int)(f * (double)(n - 1));
    select_kth(a, n, lhs);
    if (lhs + 1 < n) {
      size_t m = lhs + 1;
      for (size_t i = lhs + 2; i < n; i++)
        if (a[i] < a[m])
          m = i;
      double t = a[lhs + 1];
      a[lhs + 1] = a[m];
      a[m] = t;
    }
  }
  return gsl_stats_quantile_from_sorted_data(a, 1, n, f);
}

void mdt__quantile_interval(double *v, size_t n, double level, double *lo, double *hi) {
  size_t m = 0;
  for (size_t k = 0; k < n; k++)
    if (isfinite(v[k]))
      v[m++] = v[k];
  if (m == 0) {
    *lo = *hi = NAN;
    return;
  }
  *lo = mdt__quantile_of(v, m, (1 - level) / 2, 0);
  *hi = mdt__quantile_of(v, m, (1 + level) / 2, 0);
}
