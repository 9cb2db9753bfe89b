/*
 * mandat/uncertainty.h: Monte Carlo over what the frame cannot know in advance
 * (glidning, overheng, the price forecast and drift in the groups' headcounts, around a
 * solved settlement).
 *
 * Ownership: mdt_mc_run returns a result the caller frees with mdt_mc_result_free; the report
 * and options are borrowed for the call.
 *
 * One draw: overheng o, glidning g and price p from their distributions, and for every group
 * a headcount drift d_k (percent) that scales its wage bill W_k. The settlement is fixed (its
 * per-group annual growth G_k from the report: its own overheng, the settlement's effect,
 * step moves and its own glidning), and o and g move every group alike around their means:
 *   group growth = G_k + (o - E[o]) + (g - E[g])
 *   area growth  = Σ_k W_k (1 + d_k/100) G_k / Σ_k W_k (1 + d_k/100) + (o - E[o]) + (g - E[g])
 * so the area's growth is always its groups' wage-bill-weighted mean, in every draw.
 * and a group's real wage falls in the draw when its growth is below p. Draws are made in
 * fixed chunks of 4096, each with its own mt19937 stream seeded from the seed and the chunk's
 * number, so the numbers do not depend on the thread count. Within a draw the quantities are
 * drawn in the order overheng, glidning, price, then each group's drift; a normal one takes
 * two uniforms u1 = gsl_rng_uniform_pos, u2 = gsl_rng_uniform and is
 * mean + sd sqrt(-2 ln u1) cos(2 pi u2) (Box-Muller), a fixed one none.
 */
#ifndef MANDAT_UNCERTAINTY_H
#define MANDAT_UNCERTAINTY_H

#include <stddef.h>

#include "mandat/error.h"
#include "mandat/microsim.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A quantity: fixed at mean (normal = 0) or normal(mean, sd). */
typedef struct {
  int normal;
  double mean;
  double sd;
} mdt_mc_dist;

typedef struct {
  size_t draws;            /* number of draws, >= 1 */
  unsigned long seed;
  int threads;             /* worker threads, 1..64 */
  mdt_mc_dist overheng_pct, glidning_pct, price_pct, drift_pct;
  double frame_pct;        /* for P(growth > frame) */
  size_t nbins;            /* at most this many histogram bins of the area's growth, of a
                              round width (default 40) */
} mdt_mc_options;

void mdt_mc_options_init(mdt_mc_options *o);

#define MDT_MC_NQUANTILES 7
/* The quantile levels reported: 1, 5, 25, 50, 75, 95 and 99 %. */
extern const double mdt_mc_quantile_levels[MDT_MC_NQUANTILES];

typedef struct mdt_mc_result {
  size_t draws;
  double p_above_frame;       /* share of draws with area growth above the frame */
  double mean_growth_pct, sd_growth_pct;
  double quantiles[MDT_MC_NQUANTILES]; /* of the area's annual growth */
  size_t nbins;
  double *bin_low, *bin_high, *bin_share; /* histogram of the area's growth */
  size_t ngroups;
  double *p_real_fall;        /* per group: share of draws where its real wage falls */
  double *group_q05, *group_q50, *group_q95; /* per group: quantiles of its growth */
} mdt_mc_result;

/* Runs the draws around rep (a settlement's report). Errors: MDT_EUSAGE for options out of
 * their domain (no draws, sd < 0, a non-finite mean). */
mdt_status mdt_mc_run(const mdt_microsim_report *rep, const mdt_mc_options *o,
                      mdt_mc_result **out, mdt_error *err);
void mdt_mc_result_free(mdt_mc_result *r);

#ifdef __cplusplus
}
#endif

#endif
