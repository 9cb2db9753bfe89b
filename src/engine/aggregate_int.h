/*
 * Internal to the aggregate (aggregate.c, aggregate_estimate.c, aggregate_boot.c): the
 * aggregator's sums, the layout of the estimates, and the passes shared by the point
 * estimates and the bootstrap.
 * Ownership: as mandat/aggregate.h; every array here belongs to the struct that holds it.
 */
#ifndef MANDAT_ENGINE_AGGREGATE_INT_H
#define MANDAT_ENGINE_AGGREGATE_INT_H

#include <stdint.h>

#include "mandat/aggregate.h"

/*
 * Design. Answers are not kept: each one is added at once to sums per (key, option). A key
 * is either one respondent (needed when the weights of single respondents change: bootstrap
 * draws, the cap) or one weighting cell crossed with one breakdown stratum, inside which
 * every respondent's final weight is the same factor F times its size ("pre-weight"). The
 * sums carry the pre-weight; multiplying by F at the end gives the weighted sums, so memory
 * does not grow with the number of answers. Rank questions need all of a respondent's ranks
 * before points can be given, so ranks are kept per respondent (one byte each) and turned
 * into sums when the answers are complete.
 */

/* Pre-weighted sums of one option within one key (see the meaning per type in add_*). */
typedef struct {
  double cnt; /* respondents */
  double s0;  /* Σ p        (p: pre-weight, times headcount with by_group) */
  double s1;  /* Σ p·x      score/share value, rank points, choice chosen */
  double s2;  /* Σ p·x²     score/share */
  double q;   /* Σ p²       for Kish's n */
  double t1;  /* Σ p·[rank 1] */
  double t3;  /* Σ p·[rank <= 3] */
  double rpos; /* Σ p_r·position, with the respondent's own pre-weight (Kendall's W) */
} cell_acc;

/* Pre-weighted sums of one question within one key. */
typedef struct {
  double cnt;
  double s0;   /* Σ p over respondents answering the question */
  double q;    /* Σ p² */
  double tsum; /* Σ p·T_i, the tie terms of rank questions */
} question_acc;

/* A share value: its key, option, value and summed pre-weight. */
typedef struct {
  int32_t key;
  int32_t option;
  double value;
  double pw;
} share_entry;

/* The estimate a row asks for, and where its inputs are. */
typedef struct {
  int scope;  /* 0 national, 1 + l stratum l */
  long question;
  long option;
  mdt_statistic stat;
  long list;  /* share rows: index of the sorted entry list */
  long group; /* profile rows */
} row_spec;

/* Entries of one share option in one scope, in value order. */
typedef struct {
  size_t n;
  size_t *idx;
} entry_list;

struct mdt_aggregator {
  const mdt_respondents *r;
  const mdt_questionnaire *q;
  const mdt_groups *groups;
  const mdt_headcounts *hc;
  mdt_aggregate_options opt;
  size_t R, C, Q, G;
  int per_respondent;
  size_t K;
  int32_t *key_of;     /* per member */
  int32_t *key_break;  /* per key: breakdown level or -1 */
  double *pre;         /* per member: pre-weight */
  double *size;        /* per member: size measure */
  cell_acc *cells;     /* K x C */
  question_acc *qs;    /* K x Q */
  unsigned char *responded;
  unsigned char *answered_all; /* per member: gave an answer, counted or not */
  double *adopted_factor;      /* per member: base-weight factor by adoption, or NULL */
  /* ranks kept per respondent */
  long *rank_slot;     /* per option: index among rank options, or -1 */
  uint8_t *kind;       /* per option: its question's type (mdt_question_type) */
  size_t nrank;
  uint8_t *ranks;      /* R x nrank, 0 = not ranked */
  /* choice questions answered, per respondent */
  long *choice_slot;   /* per question: index among choice questions, or -1 */
  size_t nchoice;
  unsigned char *chose; /* R x nchoice */
  /* share values */
  share_entry *entries;
  size_t nentries, entries_cap;
  size_t *ehash;       /* open addressing over entries, SIZE_MAX = empty */
  size_t ehash_cap;
  int finished;
  struct mdt__boot_raw *raw; /* a sharded run's slice of the bootstrap (engine/partial.h), or
                                NULL: every draw */
  int general_ranks; /* every rank answer the general way (mdt__aggregator_set_general_ranks) */
};

typedef struct {
  size_t nrows;
  row_spec *rows;
  size_t nlists;
  entry_list *lists;   /* per (scope, share option) */
  size_t max_list;
  long *list_of;       /* nscopes x C -> list index or -1 */
} layout;

/* Workspace for evaluating every row for one set of key factors F. */
typedef struct {
  size_t nscopes;
  cell_acc *comb;      /* nscopes x C */
  question_acc *qcomb; /* nscopes x Q */
  double *F;           /* per key */
  double *scratch_v, *scratch_w; /* share quantiles */
  double *profile;     /* nscopes x G */
  double *mult;        /* per member (bootstrap) */
  mdt_weights *w;
} eval_ws;

long mdt__agg_level_of(const mdt_respondents *r, long grouping, size_t i);
size_t mdt__agg_levels_of(const mdt_respondents *r, long grouping);
void mdt__agg_eval_ws_free(eval_ws *ws);
mdt_status mdt__agg_eval_ws_init(eval_ws *ws, const mdt_aggregator *a, const layout *lay,
                               size_t nscopes, mdt_error *err);
void mdt__agg_key_factors(const mdt_aggregator *a, const double *w, double *F, double *den);
/* Evaluates every row's value (and, if n/neff are given, its n and Kish's n) for ws's key
 * factors F: mdt__agg_combine of ws alone, then mdt__agg_evaluate_combined. */
void mdt__agg_evaluate(const mdt_aggregator *a, const layout *lay, eval_ws *ws, double *value,
                     double *n, double *neff);
/* The key sums combined with each of ws[0..n)'s key factors into its comb and qcomb. */
void mdt__agg_combine(const mdt_aggregator *a, eval_ws *const *ws, size_t n);
/* mdt__agg_evaluate after ws's sums are combined. */
void mdt__agg_evaluate_combined(const mdt_aggregator *a, const layout *lay, eval_ws *ws,
                                double *value, double *n, double *neff);
void mdt__agg_layout_free(layout *lay);
mdt_status mdt__agg_build_layout(const mdt_aggregator *a, layout *lay, size_t nscopes,
                               int with_top3, mdt_error *err);
mdt_status mdt__agg_run_bootstrap(const mdt_aggregator *a, const layout *lay, size_t nscopes,
                                const mdt_weights *point, double *draws, unsigned char *top3,
                                double *profiles, unsigned char *dropped, mdt_error *err,
                                size_t *first_drop, mdt_error *drop_err);
size_t mdt__agg_keep_draws(const unsigned char *dropped, size_t B, void *rows, size_t row_bytes);
mdt_status mdt__agg_check_dropped(const mdt_aggregator *a, size_t dropped, size_t first_drop,
                                const mdt_error *drop_err, mdt_error *err);
/* With on, the sums of ranks take every answer the general way (counts per rank, ties), not
 * the quicker way for an answer that gives each rank at most once: the reference that
 * tests/unit/test_aggregate.c holds the quicker way to, bit for bit. */
void mdt__aggregator_set_general_ranks(mdt_aggregator *a, int on);
void mdt__agg_interval(const double *draws, size_t B, size_t nrows, size_t r, double level,
                     double *tmp, double *lo, double *hi);

#endif
