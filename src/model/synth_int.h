/*
 * Internal to the synthetic-data generators: the per-group assumptions they share and small
 * numeric helpers.
 * Ownership: the parameter table is static; helpers allocate nothing.
 */
#ifndef MANDAT_SYNTH_INT_H
#define MANDAT_SYNTH_INT_H

#include <gsl/gsl_rng.h>
#include <stddef.h>

#include "mandat/respondents.h"

/*
 * Assumptions per employee group of models/ks-2024 (documented there). Groups with other
 * ids take mdt__synth_default_group (group mix from groups.csv headcounts, no preference
 * effects).
 */
typedef struct {
  const char *id;
  /* register */
  double mix_kommune_pct;   /* share of a kommune's employees, percent */
  double mix_fylke_pct;     /* share of a fylkeskommune's employees, percent */
  double size_slope;        /* log-change of a kommune's share per s.d. of log population */
  double seniority_mean;    /* mean years of seniority (gamma, shape MDT__SENIORITY_SHAPE) */
  /* answers: utility = base + lowpay_load x L + kind and region effects + noise */
  double base;
  double lowpay_load;       /* loading on the member's low-pay orientation L */
  double fylke_effect;      /* added for fylkeskommuner */
  double north_effect;      /* added in Nordland, Troms and Finnmark */
} mdt__synth_group;

extern const mdt__synth_group mdt__synth_default_group;

/* The assumptions for group id, or NULL when the id is not one of ks-2024's. */
const mdt__synth_group *mdt__synth_group_params(const char *id);

#define MDT__SENIORITY_SHAPE 2.0
#define MDT__SENIORITY_MAX 45.0

/* An mt19937 generator seeded with seed; NULL when out of memory. */
gsl_rng *mdt__synth_rng(unsigned long seed);

/* Standardised log size (log of max(x, 1)) of every member into z[0..r->n); members of kind
 * only when kind >= 0 (the others get 0). */
void mdt__synth_log_size_z(const mdt_respondents *r, const double *x, int kind, double *z);

/* Non-zero when region is one of the three northern fylker. */
int mdt__synth_is_north(const char *region);

#endif
