/* The aggregate's stratified bootstrap: draws in fixed per-draw streams, their intervals,
 * and draws whose weights cannot be calibrated, dropped and counted. */
#include "mandat/aggregate.h"

#include <gsl/gsl_rng.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/thread.h"
#include "engine/mix.h"

#include "engine/aggregate_int.h"
#include "engine/partial.h"
#include "engine/quantile.h"

/* -------------------------------------------------------------- bootstrap -- */

#define DRAWS_PER_CHUNK MDT__BOOT_CHUNK

typedef struct {
  const mdt_aggregator *a;
  const layout *lay;
  size_t nscopes;
  size_t B;
  size_t nstrata;
  size_t *stratum_start; /* respondents of stratum h: members[stratum_start[h] .. [h+1]) */
  size_t *members;
  double *draws;         /* B x nrows */
  unsigned char *top3;   /* B x nscopes x G */
  double *profiles;      /* B x G national profiles, or NULL */
  unsigned char *dropped; /* per draw: its calibration could not be met */
  const mdt_weights *point; /* the point estimate's weights (its empty strata) */
  pthread_mutex_t lock;
  size_t next_chunk;
  size_t nchunks;
  /* the first failure, by draw number, so the reported error does not depend on timing */
  size_t fail_draw;
  mdt_error fail_err;
  /* the first dropped draw, by draw number, likewise */
  size_t drop_draw;
  mdt_error drop_err;
} boot_job;

/* A draw's weights leave out a calibration level that the point estimate's weights cover:
 * the draw then stands for a smaller membership, so it cannot be compared with the others.
 * Fills err (MDT_ENOCONV, naming the level) and returns non-zero in that case. */
static int draw_lost_stratum(const mdt_respondents *r, const mdt_weights *point,
                             const mdt_weights *draw, mdt_error *err) {
  for (size_t k = 0; k < draw->nempty; k++) {
    const mdt_empty_stratum *e = &draw->empty[k];
    int known = 0;
    for (size_t j = 0; j < point->nempty && !known; j++)
      known = point->empty[j].grouping == e->grouping && point->empty[j].level == e->level;
    if (known)
      continue;
    const mdt_grouping *g = &r->groupings[e->grouping];
    mdt_error_set(err, MDT_ENOCONV,
                  "margin %s=%s has no respondents in this draw, so the weights cannot meet it",
                  g->name, g->levels[e->level]);
    return 1;
  }
  return 0;
}

/* Notes draw b as dropped, keeping the error of the lowest-numbered dropped draw. */
static void drop_draw(boot_job *job, size_t b, const mdt_error *err) {
  job->dropped[b] = 1;
  pthread_mutex_lock(&job->lock);
  if (b < job->drop_draw) {
    job->drop_draw = b;
    job->drop_err = *err;
  }
  pthread_mutex_unlock(&job->lock);
}

static void mark_top3(const mdt_aggregator *a, const eval_ws *ws, size_t nscopes,
                      unsigned char *out) {
  size_t G = a->G;
  for (size_t s = 0; s < nscopes; s++) {
    const double *p = &ws->profile[s * (G ? G : 1)];
    for (size_t g = 0; g < G; g++) {
      if (!isfinite(p[g])) {
        out[s * G + g] = 0;
        continue;
      }
      size_t higher = 0;
      for (size_t h = 0; h < G; h++)
        higher += isfinite(p[h]) && p[h] > p[g];
      out[s * G + g] = higher < 3;
    }
  }
}

/* A thread's draws: chunk after chunk, each chunk's draws resampled and weighted one by one,
 * then their sums combined together (mdt__agg_combine) and each evaluated. */
static void *boot_worker(void *arg) {
  boot_job *job = arg;
  const mdt_aggregator *a = job->a;
  eval_ws ws[DRAWS_PER_CHUNK], *ready[DRAWS_PER_CHUNK];
  size_t ready_draw[DRAWS_PER_CHUNK];
  mdt_error err;
  mdt_error_clear(&err);
  gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
  size_t nws = 0;
  int ok = rng != NULL;
  for (; ok && nws < DRAWS_PER_CHUNK; nws++)
    ok = mdt__agg_eval_ws_init(&ws[nws], a, job->lay, job->nscopes, &err) == MDT_OK;
  if (!ok) { /* (a workspace that failed to start is left zeroed: freeing it is a no-op) */
    pthread_mutex_lock(&job->lock);
    if (job->fail_draw > 0) {
      job->fail_draw = 0;
      mdt_error_set(&job->fail_err, MDT_ENOMEM, "out of memory in the bootstrap");
    }
    pthread_mutex_unlock(&job->lock);
    goto done;
  }
  for (;;) {
    pthread_mutex_lock(&job->lock);
    size_t chunk = job->next_chunk++;
    pthread_mutex_unlock(&job->lock);
    if (chunk >= job->nchunks)
      break;
    /* Each chunk of draws has its own stream from the seed: thread count cannot matter. */
    gsl_rng_set(rng, mdt__chunk_seed(a->opt.seed, chunk));
    size_t first = chunk * DRAWS_PER_CHUNK;
    size_t last = first + DRAWS_PER_CHUNK < job->B ? first + DRAWS_PER_CHUNK : job->B;
    size_t n = 0;
    int failed = 0;
    for (size_t b = first; b < last; b++) {
      eval_ws *w = &ws[b - first];
      memset(w->mult, 0, a->R * sizeof *w->mult);
      for (size_t h = 0; h < job->nstrata; h++) {
        size_t lo = job->stratum_start[h], nh = job->stratum_start[h + 1] - lo;
        for (size_t k = 0; k < nh; k++)
          w->mult[job->members[lo + gsl_rng_uniform_int(rng, nh)]] += 1;
      }
      mdt_status st = mdt_weights_compute(w->w, a->r, a->responded, w->mult, &a->opt.weights,
                                          &err);
      /* The draw's resample is already taken from the stream, so dropping it leaves the
         following draws as they were. */
      if (st == MDT_ENOCONV ||
          (st == MDT_OK && draw_lost_stratum(a->r, job->point, w->w, &err))) {
        drop_draw(job, b, &err);
        continue;
      }
      if (st != MDT_OK) {
        pthread_mutex_lock(&job->lock);
        if (b < job->fail_draw) {
          job->fail_draw = b;
          job->fail_err = err;
        }
        pthread_mutex_unlock(&job->lock);
        failed = 1;
        break;
      }
      mdt__agg_key_factors(a, w->w->w, w->F, NULL);
      ready[n] = w;
      ready_draw[n++] = b;
    }
    /* The draws before a failing one are evaluated, as they were one by one. */
    mdt__agg_combine(a, ready, n);
    for (size_t j = 0; j < n; j++) {
      size_t b = ready_draw[j];
      mdt__agg_evaluate_combined(a, job->lay, ready[j], &job->draws[b * job->lay->nrows], NULL,
                                 NULL);
      mark_top3(a, ready[j], job->nscopes, &job->top3[b * job->nscopes * a->G]);
      if (job->profiles)
        memcpy(&job->profiles[b * a->G], ready[j]->profile, a->G * sizeof *ready[j]->profile);
    }
    if (failed)
      break;
  }
done:
  for (size_t j = 0; j < nws; j++)
    mdt__agg_eval_ws_free(&ws[j]);
  gsl_rng_free(rng);
  return NULL;
}

/* Runs the B draws; dropped[b] tells which could not be calibrated. Fails only for errors
 * other than a draw's calibration (out of memory, options). */
mdt_status mdt__agg_run_bootstrap(const mdt_aggregator *a, const layout *lay, size_t nscopes,
                                const mdt_weights *point, double *draws, unsigned char *top3,
                                double *profiles, unsigned char *dropped, mdt_error *err,
                                size_t *first_drop, mdt_error *drop_err) {
  long bs = a->opt.bootstrap_strata;
  const mdt_weight_options *w = &a->opt.weights;
  if (bs < 0)
    bs = w->poststrata >= 0 ? w->poststrata : w->rake[0] >= 0 ? w->rake[0] : a->opt.breakdown;
  boot_job job;
  memset(&job, 0, sizeof job);
  job.a = a;
  job.lay = lay;
  job.nscopes = nscopes;
  job.B = a->opt.bootstrap;
  job.draws = draws;
  job.top3 = top3;
  job.profiles = profiles;
  job.dropped = dropped;
  job.point = point;
  job.drop_draw = SIZE_MAX;
  mdt_error_clear(&job.drop_err);
  job.nchunks = (job.B + DRAWS_PER_CHUNK - 1) / DRAWS_PER_CHUNK;
  if (a->raw != NULL && a->raw->mode == MDT__BOOT_SLICE) {
    /* A slice: only its own chunks, each from the same stream as in the whole run. */
    mdt__slice(job.nchunks, a->raw->slice_k, a->raw->slice_n, &job.next_chunk, &job.nchunks);
    a->raw->first = job.next_chunk * DRAWS_PER_CHUNK;
    a->raw->last = job.nchunks * DRAWS_PER_CHUNK < job.B ? job.nchunks * DRAWS_PER_CHUNK : job.B;
  }
  job.fail_draw = SIZE_MAX;
  job.nstrata = mdt__agg_levels_of(a->r, bs);
  job.stratum_start = calloc(job.nstrata + 1, sizeof *job.stratum_start);
  job.members = malloc((a->R ? a->R : 1) * sizeof *job.members);
  if (job.stratum_start == NULL || job.members == NULL) {
    free(job.stratum_start);
    free(job.members);
    return mdt_error_set(err, MDT_ENOMEM, "out of memory in the bootstrap");
  }
  size_t m = 0;
  for (size_t h = 0; h < job.nstrata; h++) {
    job.stratum_start[h] = m;
    for (size_t i = 0; i < a->R; i++)
      if (a->responded[i] && (size_t)mdt__agg_level_of(a->r, bs, i) == h)
        job.members[m++] = i;
  }
  job.stratum_start[job.nstrata] = m;
  pthread_mutex_init(&job.lock, NULL);
  int nthreads = a->opt.threads;
  if ((size_t)nthreads > job.nchunks - job.next_chunk)
    nthreads = (int)(job.nchunks > job.next_chunk ? job.nchunks - job.next_chunk : 1);
  pthread_t tids[64];
  if (nthreads > 64)
    nthreads = 64;
  int started = 0;
  for (int t = 1; t < nthreads; t++) {
    if (mdt__thread_create(&tids[started], boot_worker, &job) != 0)
      break;
    started++;
  }
  boot_worker(&job);
  for (int t = 0; t < started; t++)
    pthread_join(tids[t], NULL);
  pthread_mutex_destroy(&job.lock);
  free(job.stratum_start);
  free(job.members);
  if (job.fail_draw != SIZE_MAX) {
    *err = job.fail_err;
    if (job.fail_draw < job.B) {
      char msg[sizeof err->message];
      snprintf(msg, sizeof msg, "bootstrap draw %zu: %.700s", job.fail_draw + 1,
               job.fail_err.message);
      memcpy(err->message, msg, sizeof msg);
    }
    return err->status != MDT_OK ? err->status : MDT_EINTERNAL;
  }
  *first_drop = job.drop_draw;
  *drop_err = job.drop_err;
  return MDT_OK;
}

/* Moves the rows of the draws kept to the front, in draw order; returns how many. */
size_t mdt__agg_keep_draws(const unsigned char *dropped, size_t B, void *rows, size_t row_bytes) {
  size_t kept = 0;
  for (size_t b = 0; b < B; b++) {
    if (dropped[b])
      continue;
    if (kept != b && row_bytes > 0)
      memmove((char *)rows + kept * row_bytes, (char *)rows + b * row_bytes, row_bytes);
    kept++;
  }
  return kept;
}

/* The share limit: more than max_failed_draws x B dropped draws fail the aggregation. */
mdt_status mdt__agg_check_dropped(const mdt_aggregator *a, size_t dropped, size_t first_drop,
                                const mdt_error *drop_err, mdt_error *err) {
  size_t B = a->opt.bootstrap;
  if ((double)dropped <= a->opt.max_failed_draws * (double)B + 1e-9)
    return MDT_OK;
  *err = *drop_err;
  char msg[sizeof err->message];
  snprintf(msg, sizeof msg,
           "bootstrap draw %zu: %.500s; %zu of %zu bootstrap draws (%.1f %%) could not be "
           "calibrated, more than the %g %% allowed (max_failed_draws)",
           first_drop + 1, drop_err->message, dropped, B, 100.0 * (double)dropped / (double)B,
           a->opt.max_failed_draws * 100);
  memcpy(err->message, msg, sizeof msg);
  err->status = MDT_ENOCONV;
  return MDT_ENOCONV;
}

/* Percentile interval of row r over the draws, ignoring draws where it is not defined. */
void mdt__agg_interval(const double *draws, size_t B, size_t nrows, size_t r, double level,
                     double *tmp, double *lo, double *hi) {
  size_t n = 0;
  for (size_t b = 0; b < B; b++) {
    double v = draws[b * nrows + r];
    if (isfinite(v))
      tmp[n++] = v;
  }
  if (n == 0) {
    *lo = *hi = NAN;
    return;
  }
  double alpha = (1 - level) / 2;
  *lo = mdt__quantile_of(tmp, n, alpha, 0);
  *hi = mdt__quantile_of(tmp, n, 1 - alpha, 0);
}

