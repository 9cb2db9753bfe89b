/*
 * mandat/weights.h: a weight for every member from its size, calibrated to the membership
 * ("by size and group").
 *
 * Ownership: mdt_weights_new returns a workspace the caller frees with mdt_weights_free; it
 * is sized once and reused by every mdt_weights_compute call (no allocation inside), so a
 * bootstrap can recompute weights thousands of times.
 *
 * Steps: base weight b_i = size measure (optionally its square root), times a multiplicity
 * (bootstrap) and the option's member factor for members that answered and 0 for the
 * others; then post-stratification on one grouping column or raking to two; then the cap on
 * any member's share.
 */
#ifndef MANDAT_WEIGHTS_H
#define MANDAT_WEIGHTS_H

#include <stddef.h>

#include "mandat/error.h"
#include "mandat/respondents.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
  MDT_SIZE_EQUAL,      /* every member 1 */
  MDT_SIZE_POPULATION, /* inhabitants */
  MDT_SIZE_EMPLOYEES,  /* persons employed */
  MDT_SIZE_FTE,        /* full-time equivalents */
  MDT_SIZE_WAGEBILL    /* NOK per year */
} mdt_size_measure;

typedef struct {
  mdt_size_measure measure;
  int use_sqrt;          /* non-zero: Penrose's square-root weighting of the measure */
  double cap_share;      /* 0: no cap; else the largest share (0, 1) one member may hold */
  long poststrata;       /* grouping column index to post-stratify on, or -1 */
  long rake[2];          /* two grouping column indexes to rake to, or -1 */
  double rake_tolerance; /* largest relative margin deviation accepted (default 1e-10) */
  int rake_max_iter;     /* iteration limit of the raking (default 1000) */
  const double *member_factor; /* per member, multiplies the base weight before calibration
                                  (e.g. answers not adopted politically), or NULL for 1;
                                  owned by the caller */
} mdt_weight_options;

/* A level of a grouping column that has members but no respondents. */
typedef struct {
  long grouping;        /* grouping column index */
  long level;           /* level index in that column */
  size_t members;       /* members in it */
  double size;          /* their total size measure (what the weights cannot represent) */
} mdt_empty_stratum;

typedef struct mdt_weights {
  size_t n;             /* members */
  double *size;         /* size measure per member (after sqrt), for all members */
  double *w;            /* final weight per member; 0 for members that did not answer */
  size_t nrespondents;  /* members with w > 0 or that answered */
  double total_size;    /* sum of size over all members */
  double total_weight;  /* sum of w */
  size_t nempty;        /* strata with members but no respondents */
  mdt_empty_stratum *empty;
  int rake_iterations;  /* iterations the raking took (0 without raking) */
  double rake_max_dev;  /* largest relative margin deviation at the end */
  size_t ncapped;       /* members held at the cap */
  /* workspace */
  size_t empty_cap;
  double *tmp_target;   /* per level totals */
  double *tmp_sum;
  unsigned char *covered;
  int *capped;
} mdt_weights;

/* Defaults: equal weights, no sqrt, no cap, no calibration, tolerance 1e-10, 1000 iterations. */
void mdt_weight_options_init(mdt_weight_options *opt);

/* Parses a measure name: equal, population, employees, fte, wagebill, each optionally with
 * the prefix "sqrt:". Returns MDT_EUSAGE with a message listing the names otherwise. */
mdt_status mdt_size_measure_parse(const char *text, mdt_size_measure *measure, int *use_sqrt,
                                  mdt_error *err);
const char *mdt_size_measure_name(mdt_size_measure measure);

/*
 * Fills size[0..r->n) with each member's size measure (after sqrt when asked), checking that
 * every member has it. Errors as for mdt_weights_compute's measure checks.
 */
mdt_status mdt_weights_size_measure(const mdt_respondents *r, const mdt_weight_options *opt,
                                    double *size, mdt_error *err);

/* A workspace for the members of r. NULL with MDT_ENOMEM in err when out of memory. */
mdt_status mdt_weights_new(const mdt_respondents *r, mdt_weights **out, mdt_error *err);
void mdt_weights_free(mdt_weights *w);

/*
 * Computes the weights of r's members.
 *   responded:    per member, non-zero if it answered (members that did not get weight 0)
 *   multiplicity: per member, how often it is drawn (bootstrap), or NULL for 1
 *   opt:          measure, sqrt, calibration and cap
 * Errors: MDT_EDATA when a member lacks the measure (fte/wagebill not given) or it is
 * negative; MDT_EUSAGE for options that do not fit (both post-strata and raking, the same
 * column twice, a cap that cannot hold: cap × respondents < 1); MDT_ENOCONV when raking
 * does not meet the margins within the limit (the message names the column and level that
 * is furthest off). Strata without respondents are not errors: they are listed in w->empty
 * and their size is left out of the calibrated total.
 */
mdt_status mdt_weights_compute(mdt_weights *w, const mdt_respondents *r,
                               const unsigned char *responded, const double *multiplicity,
                               const mdt_weight_options *opt, mdt_error *err);

#ifdef __cplusplus
}
#endif

#endif
