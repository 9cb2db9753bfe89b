/*
 * Internal to libmandat: the engine's independent work cut into slices, for a run spread over
 * processes (src/run/shard.c), and the raw per-draw values that put the slices back together.
 *
 * Ownership: a mdt__boot_raw owns its arrays (mdt__boot_raw_free); the Monte Carlo arrays
 * and the mandate's per-draw arrays belong to the caller.
 *
 * Every slice is a range of the units the threads already share out: chunks of bootstrap
 * draws (MDT__BOOT_CHUNK draws, each chunk its own random stream from the seed), chunks of
 * Monte Carlo draws (MDT__MC_CHUNK), and single solves (sweep points, the mandate's re-solve
 * of one bootstrap draw, one region). A slice computes exactly the values the whole run
 * computes for its units, so the summaries made from all slices' values, in unit order, are
 * the whole run's, bit for bit, whatever the number of slices or threads.
 */
#ifndef MANDAT_ENGINE_PARTIAL_H
#define MANDAT_ENGINE_PARTIAL_H

#include <stddef.h>

#include "mandat/aggregate.h"
#include "mandat/error.h"
#include "mandat/tradeoff.h"
#include "mandat/uncertainty.h"

#define MDT__BOOT_CHUNK 8    /* bootstrap draws per random stream (aggregate.c) */
#define MDT__MC_CHUNK 4096   /* Monte Carlo draws per random stream (uncertainty.c) */

/* Slice k (1-based) of n of units 0..units-1: [*lo, *hi), contiguous, sizes differing by at
 * most one; every unit in exactly one slice. */
static inline void mdt__slice(size_t units, unsigned k, unsigned n, size_t *lo, size_t *hi) {
  *lo = (size_t)((unsigned long long)units * (k - 1) / n);
  *hi = (size_t)((unsigned long long)units * k / n);
}

typedef enum {
  MDT__BOOT_SLICE = 1, /* compute only draws [first, last) and keep their raw values */
  MDT__BOOT_GIVEN = 2  /* compute no draw: take all B draws' raw values from here */
} mdt__boot_mode;

/* The raw values of an aggregation's bootstrap draws, before dropped draws are taken out and
 * the intervals made: what one draw of mdt_aggregator_finish computes. Arrays have B rows;
 * a slice fills rows [first, last). */
typedef struct mdt__boot_raw {
  mdt__boot_mode mode;
  unsigned slice_k, slice_n; /* MDT__BOOT_SLICE: slice k of n of the chunks of draws */
  size_t first, last;     /* draws of the slice (set by the aggregator) */
  size_t B;               /* draws of the whole run */
  size_t nrows;           /* estimates per draw */
  size_t ntop3;           /* top-3 flags per draw (scopes x groups) */
  size_t G;               /* groups: profile values per draw (0: profiles not kept) */
  double *draws;          /* B x nrows */
  unsigned char *top3;    /* B x ntop3 */
  double *profiles;       /* B x G, or NULL */
  unsigned char *dropped; /* B: the draw's calibration could not be met */
  size_t first_drop;      /* lowest dropped draw of the slice (0-based), SIZE_MAX for none */
  mdt_error drop_err;     /* why that draw was dropped */
} mdt__boot_raw;

void mdt__boot_raw_free(mdt__boot_raw *b);

/* Makes the aggregator's finish compute or take the bootstrap as raw says (see the modes).
 * With MDT__BOOT_SLICE the result has no intervals, top-3 frequencies or kept profiles (a
 * slice cannot know them) and raw receives the arrays; with MDT__BOOT_GIVEN the arrays are
 * taken over by the aggregator (raw's pointers are cleared) and the result is the whole
 * run's. raw must outlive mdt_aggregator_finish. */
void mdt__aggregator_set_raw(mdt_aggregator *a, mdt__boot_raw *raw);

/* Monte Carlo draws of chunks [chunk_lo, chunk_hi) into the caller's arrays, indexed from
 * the slice's first draw: growth (draws), group_growth (draws x G), fall (draws x G). The
 * options are checked as mdt_mc_run checks them. */
mdt_status mdt__mc_draws(const mdt_microsim_report *rep, const mdt_mc_options *o,
                         size_t chunk_lo, size_t chunk_hi, double *growth,
                         double *group_growth, unsigned char *fall, mdt_error *err);

/* The summaries of all o->draws draws (arrays as mdt__mc_draws fills them, for every
 * chunk); the arrays are left as they were. */
mdt_status mdt__mc_summarise(const mdt_microsim_report *rep, const mdt_mc_options *o,
                             const double *growth, const double *group_growth,
                             const unsigned char *fall, mdt_mc_result **out, mdt_error *err);

/* One re-solve of the mandate's uncertainty: spec with profile; each group's percent (NaN
 * where none applies) and growth, and whether the room was met. */
mdt_status mdt__mandate_solve(mdt_allocator *a, mdt_microsim_work *w, const mdt_settlement *base,
                              const mdt_allocation *spec, const double *profile,
                              const mdt_microsim_report_options *ro, double *pct,
                              double *growth, int *feasible, mdt_error *err);

/* The mandate's uncertainty from ndraws re-solves already made (pct, growth: ndraws x G;
 * infeasible: how many did not meet the room), with the point solve made here: what
 * mdt_mandate_uncertainty_run returns. pct and growth are used as scratch. */
mdt_status mdt__mandate_uncertainty_from(mdt_allocator *a, mdt_microsim_work *w,
                                         const mdt_settlement *base, const mdt_allocation *spec,
                                         double *pct, double *growth, size_t ndraws,
                                         size_t infeasible, double level,
                                         const mdt_microsim_report_options *ro,
                                         mdt_mandate_uncertainty **out, mdt_error *err);

#endif
