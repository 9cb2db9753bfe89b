#include "mandat/uncertainty.h"

#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/thread.h"
#include "engine/mix.h"
#include "engine/partial.h"
#include "engine/quantile.h"

#define DRAWS_PER_CHUNK MDT__MC_CHUNK

const double mdt_mc_quantile_levels[MDT_MC_NQUANTILES] = {0.01, 0.05, 0.25, 0.5,
                                                          0.75, 0.95, 0.99};

void mdt_mc_options_init(mdt_mc_options *o) {
  memset(o, 0, sizeof *o);
  o->draws = 10000;
  o->seed = 1;
  o->threads = 1;
  o->nbins = 40;
}

void mdt_mc_result_free(mdt_mc_result *r) {
  if (r == NULL)
    return;
  free(r->bin_low);
  free(r->bin_high);
  free(r->bin_share);
  free(r->p_real_fall);
  free(r->group_q05);
  free(r->group_q50);
  free(r->group_q95);
  free(r);
}


typedef struct {
  const mdt_microsim_report *rep;
  const mdt_mc_options *o;
  size_t G;
  double *growth;          /* draws of the chunks run, from draw base */
  double *group_growth;    /* draws x G */
  unsigned char *fall;     /* draws x G */
  size_t base;             /* the first draw of the first chunk run */
  pthread_mutex_t lock;
  size_t next_chunk, nchunks;
  int failed;
} mc_job;

/* A standard normal by the Box-Muller transform from two uniforms of the chunk's mt19937
 * stream: u1 in (0, 1) (gsl_rng_uniform_pos), u2 in [0, 1). It is written out, rather than
 * GSL's ziggurat, so that another implementation reading the same mt19937 stream (numpy's
 * legacy MT19937, say) gets the same numbers: the benchmark's peers check them. Every draw
 * of a normal quantity takes exactly two uniforms; a fixed quantity takes none. */
static double standard_normal(gsl_rng *rng) {
  double u1 = gsl_rng_uniform_pos(rng);
  double u2 = gsl_rng_uniform(rng);
  return sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

static double draw(const mdt_mc_dist *d, gsl_rng *rng) {
  return d->normal && d->sd > 0 ? d->mean + d->sd * standard_normal(rng) : d->mean;
}

static void *mc_worker(void *arg) {
  mc_job *job = arg;
  const mdt_microsim_report *rep = job->rep;
  const mdt_mc_options *o = job->o;
  size_t G = job->G;
  gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
  if (rng == NULL) {
    pthread_mutex_lock(&job->lock);
    job->failed = 1;
    pthread_mutex_unlock(&job->lock);
    return NULL;
  }
  for (;;) {
    pthread_mutex_lock(&job->lock);
    size_t chunk = job->next_chunk++;
    pthread_mutex_unlock(&job->lock);
    if (chunk >= job->nchunks)
      break;
    gsl_rng_set(rng, mdt__chunk_seed(o->seed, chunk));
    size_t first = chunk * DRAWS_PER_CHUNK;
    size_t last = first + DRAWS_PER_CHUNK < o->draws ? first + DRAWS_PER_CHUNK : o->draws;
    for (size_t dd = first; dd < last; dd++) {
      size_t d = dd - job->base;
      double ov = draw(&o->overheng_pct, rng);
      double gl = draw(&o->glidning_pct, rng);
      double pr = draw(&o->price_pct, rng);
      double num = 0, den = 0;
      for (size_t k = 0; k < G; k++) {
        double W = rep->groups[k].wage_bill_nok * (1 + draw(&o->drift_pct, rng) / 100);
        if (W < 0)
          W = 0;
        /* The area's growth is its groups' (each with its own overheng and glidning),
         * weighted by the drawn wage bills, then shifted like every group's. */
        double e = rep->groups[k].annual_growth_pct;
        if (isfinite(e)) {
          num += W * e;
          den += W;
        }
      }
      double growth = den > 0 ? num / den : rep->total.annual_growth_pct;
      job->growth[d] = growth + (ov - o->overheng_pct.mean) + (gl - o->glidning_pct.mean);
      for (size_t k = 0; k < G; k++) {
        const mdt_microsim_row *row = &rep->groups[k];
        double g = row->annual_growth_pct + (ov - o->overheng_pct.mean) +
                   (gl - o->glidning_pct.mean);
        job->group_growth[d * G + k] = g;
        job->fall[d * G + k] = isfinite(g) && g < pr;
      }
    }
  }
  gsl_rng_free(rng);
  return NULL;
}

/* ------------------------------------------------------------- quantiles -- */

/* Sorts a column that holds a NaN (as gsl_sort always did) and says so. */
static int sort_if_nan(double *a, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (isnan(a[i])) {
      gsl_sort(a, 1, n);
      return 1;
    }
  return 0;
}

static int dist_ok(const mdt_mc_dist *d) {
  return isfinite(d->mean) && (!d->normal || (isfinite(d->sd) && d->sd >= 0));
}

static mdt_status check_options(const mdt_mc_options *o, mdt_error *err) {
  if (o->draws < 1 || o->draws > 100000000)
    return mdt_error_set(err, MDT_EUSAGE, "expected 1 to 100000000 draws, found %zu", o->draws);
  if (!dist_ok(&o->overheng_pct) || !dist_ok(&o->glidning_pct) || !dist_ok(&o->price_pct) ||
      !dist_ok(&o->drift_pct))
    return mdt_error_set(err, MDT_EUSAGE,
                         "expected finite means and standard deviations of at least 0");
  if (o->threads < 1 || o->threads > 64 || o->nbins < 1 || o->nbins > 10000)
    return mdt_error_set(err, MDT_EUSAGE, "expected 1 to 64 threads and 1 to 10000 bins");
  return MDT_OK;
}

mdt_status mdt__mc_draws(const mdt_microsim_report *rep, const mdt_mc_options *o,
                         size_t chunk_lo, size_t chunk_hi, double *growth,
                         double *group_growth, unsigned char *fall, mdt_error *err) {
  mdt_status st = check_options(o, err);
  if (st != MDT_OK)
    return st;
  mc_job job;
  memset(&job, 0, sizeof job);
  job.rep = rep;
  job.o = o;
  job.G = rep->ngroups;
  job.growth = growth;
  job.group_growth = group_growth;
  job.fall = fall;
  job.base = chunk_lo * DRAWS_PER_CHUNK;
  job.next_chunk = chunk_lo;
  job.nchunks = chunk_hi;
  pthread_mutex_init(&job.lock, NULL);
  pthread_t tids[64];
  int started = 0;
  for (int t = 1; t < o->threads && (size_t)t < chunk_hi - chunk_lo; t++)
    if (mdt__thread_create(&tids[started], mc_worker, &job) == 0)
      started++;
  mc_worker(&job);
  for (int t = 0; t < started; t++)
    pthread_join(tids[t], NULL);
  pthread_mutex_destroy(&job.lock);
  if (job.failed)
    return mdt_error_set(err, MDT_ENOMEM, "out of memory for a random number generator");
  return MDT_OK;
}

mdt_status mdt_mc_run(const mdt_microsim_report *rep, const mdt_mc_options *o,
                      mdt_mc_result **out, mdt_error *err) {
  *out = NULL;
  mdt_status st = check_options(o, err);
  if (st != MDT_OK)
    return st;
  size_t G1 = rep->ngroups ? rep->ngroups : 1, N = o->draws;
  double *growth = malloc(N * sizeof *growth);
  double *group_growth = malloc(N * G1 * sizeof *group_growth);
  unsigned char *fall = malloc(N * G1);
  if (!growth || !group_growth || !fall)
    st = mdt_error_set(err, MDT_ENOMEM, "out of memory for %zu draws", N);
  if (st == MDT_OK)
    st = mdt__mc_draws(rep, o, 0, (N + DRAWS_PER_CHUNK - 1) / DRAWS_PER_CHUNK, growth,
                       group_growth, fall, err);
  if (st == MDT_OK)
    st = mdt__mc_summarise(rep, o, growth, group_growth, fall, out, err);
  free(growth);
  free(group_growth);
  free(fall);
  return st;
}

mdt_status mdt__mc_summarise(const mdt_microsim_report *rep, const mdt_mc_options *o,
                             const double *growth, const double *group_growth,
                             const unsigned char *fall, mdt_mc_result **out, mdt_error *err) {
  *out = NULL;
  mdt_status st = check_options(o, err);
  if (st != MDT_OK)
    return st;
  size_t G = rep->ngroups, N = o->draws, G1 = G ? G : 1;
  mdt_mc_result *r = calloc(1, sizeof *r);
  double *col = malloc(N * sizeof *col);
  if (r == NULL || !col) {
    st = mdt_error_set(err, MDT_ENOMEM, "out of memory for %zu draws", N);
    goto done;
  }
  r->draws = N;
  r->ngroups = G;
  r->p_real_fall = calloc(G1, sizeof(double));
  r->group_q05 = calloc(G1, sizeof(double));
  r->group_q50 = calloc(G1, sizeof(double));
  r->group_q95 = calloc(G1, sizeof(double));
  if (!r->p_real_fall || !r->group_q05 || !r->group_q50 || !r->group_q95) {
    st = mdt_error_set(err, MDT_ENOMEM, "out of memory");
    goto done;
  }
  /* Summaries, in draw order. */
  size_t above = 0;
  for (size_t d = 0; d < N; d++)
    above += growth[d] > o->frame_pct;
  r->p_above_frame = (double)above / (double)N;
  r->mean_growth_pct = gsl_stats_mean(growth, 1, N);
  r->sd_growth_pct = N > 1 ? gsl_stats_sd(growth, 1, N) : 0;
  memcpy(col, growth, N * sizeof *col);
  int sorted = sort_if_nan(col, N);
  for (int q = 0; q < MDT_MC_NQUANTILES; q++)
    r->quantiles[q] = mdt__quantile_of(col, N, mdt_mc_quantile_levels[q], sorted);
  double cmin = col[0], cmax = col[N - 1];
  for (size_t d = 0; d < N && !sorted; d++) {
    cmin = col[d] < cmin ? col[d] : cmin;
    cmax = col[d] > cmax ? col[d] : cmax;
  }
  /* Bins of a round width (1, 2, 2.5 or 5 times a power of ten) that start at a multiple of
   * it: at most nbins of them, readable as labels. */
  double range = cmax - cmin, width = 1e-6;
  if (range > 0) {
    double raw = range / (double)o->nbins, mag = pow(10, floor(log10(raw)));
    static const double steps[] = {1, 2, 2.5, 5, 10};
    for (size_t k = 0; k < sizeof steps / sizeof steps[0]; k++)
      if (steps[k] * mag >= raw * (1 - 1e-12)) {
        width = steps[k] * mag;
        break;
      }
  }
  double lo = floor(cmin / width) * width;
  size_t nb = (size_t)floor((cmax - lo) / width) + 1;
  r->nbins = nb;
  r->bin_low = calloc(nb, sizeof(double));
  r->bin_high = calloc(nb, sizeof(double));
  r->bin_share = calloc(nb, sizeof(double));
  if (!r->bin_low || !r->bin_high || !r->bin_share) {
    st = mdt_error_set(err, MDT_ENOMEM, "out of memory");
    goto done;
  }
  for (size_t b = 0; b < nb; b++) {
    r->bin_low[b] = lo + width * (double)b;
    r->bin_high[b] = lo + width * (double)(b + 1);
  }
  for (size_t d = 0; d < N; d++) {
    size_t b = (size_t)((col[d] - lo) / width);
    if (b >= nb)
      b = nb - 1;
    r->bin_share[b] += 1; /* a count, exact, until divided below */
  }
  for (size_t b = 0; b < nb; b++)
    r->bin_share[b] /= (double)N;
  for (size_t k = 0; k < G; k++) {
    size_t falls = 0;
    for (size_t d = 0; d < N; d++) {
      col[d] = group_growth[d * G + k];
      falls += fall[d * G + k];
    }
    r->p_real_fall[k] = (double)falls / (double)N;
    int gsorted = sort_if_nan(col, N);
    r->group_q05[k] = mdt__quantile_of(col, N, 0.05, gsorted);
    r->group_q50[k] = mdt__quantile_of(col, N, 0.5, gsorted);
    r->group_q95[k] = mdt__quantile_of(col, N, 0.95, gsorted);
  }
done:
  free(col);
  if (st != MDT_OK) {
    mdt_mc_result_free(r);
    return st;
  }
  *out = r;
  return MDT_OK;
}
