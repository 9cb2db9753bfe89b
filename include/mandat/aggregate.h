/*
 * mandat/aggregate.h: weighted statistics of the answers, nationally and per stratum, with
 * bootstrap intervals, and the mandate profile.
 *
 * Ownership: an aggregator (mdt_aggregator_new / mdt_aggregator_free) takes answers in
 * batches and produces an mdt_aggregate that the caller frees with mdt_aggregate_free. The
 * respondents, questionnaire, groups and headcounts passed in must outlive the aggregator;
 * the result holds no pointers into them.
 *
 * Statistics, for the weights w of the members that answered:
 *   score   mean = Σw·x/Σw; sd with the reliability-weight correction (as gsl_stats_wsd);
 *           n (respondents) and Kish's effective n = (Σw)²/Σw².
 *   rank    each respondent's ranks become positions (ties share the mean position;
 *           unranked options share the positions after the ranked ones); Borda points
 *           = noptions − position, averaged with weights; top1/top3 share = weighted share
 *           giving the option rank 1 / a rank of at most 3; Kendall's W per question with
 *           weights (W = 12S / ((Σw)²(k³−k) − Σw·Σ w_i T_i), T_i the tie term of i).
 *   share   weighted mean, median and quartiles (weighted quantile: the smallest value whose
 *           cumulative weight reaches q·Σw, the mean of it and the next when it is reached
 *           exactly).
 *   choice  weighted proportion choosing each option among those answering.
 * Mandate profile: per employee group, the mean over the priority questions that name it of
 * its normalised score: Borda / (noptions − 1) for a rank question, (mean − min)/(max − min)
 * for a score question; in [0, 1].
 * Intervals: percentile intervals over B bootstrap draws that resample the respondents with
 * replacement within each stratum of the bootstrap column, re-weighting every draw; the same
 * draws give how often each group is among the three highest in the profile.
 * Dropped draws: a draw whose calibration cannot be met (raking does not converge, or a
 * calibration level with respondents has none in the draw) is dropped and counted; the
 * intervals, top-3 frequencies and kept profiles use the draws that remain. Which draws are
 * dropped depends only on the seed (each draw's resample comes from its chunk's own stream).
 * More than max_failed_draws x B dropped draws fail the aggregation with the first dropped
 * draw's error (MDT_ENOCONV, naming the margin). The point estimate never depends on them.
 */
#ifndef MANDAT_AGGREGATE_H
#define MANDAT_AGGREGATE_H

#include <stddef.h>

#include "mandat/answers.h"
#include "mandat/error.h"
#include "mandat/groups.h"
#include "mandat/headcounts.h"
#include "mandat/questionnaire.h"
#include "mandat/respondents.h"
#include "mandat/weights.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MDT_STATISTIC_MAP(X)                                                                   \
  X(MEAN, "mean")                                                                              \
  X(SD, "sd")                                                                                  \
  X(BORDA, "borda")                                                                            \
  X(TOP1_SHARE, "top1_share")                                                                  \
  X(TOP3_SHARE, "top3_share")                                                                  \
  X(KENDALL_W, "kendall_w")                                                                    \
  X(SHARE_MEAN, "share_mean")                                                                  \
  X(SHARE_MEDIAN, "share_median")                                                              \
  X(SHARE_Q1, "share_q1")                                                                      \
  X(SHARE_Q3, "share_q3")                                                                      \
  X(PROPORTION, "proportion")                                                                  \
  X(PRIORITY, "priority")                                                                      \
  X(TOP3_FREQUENCY, "top3_frequency")

typedef enum {
#define MDT__STAT_ENUM(name, text) MDT_STAT_##name,
  MDT_STATISTIC_MAP(MDT__STAT_ENUM)
#undef MDT__STAT_ENUM
      MDT_STAT_COUNT
} mdt_statistic;

/* The statistic's name as in the tidy CSV, e.g. "top3_share". */
const char *mdt_statistic_name(mdt_statistic s);

typedef struct {
  mdt_weight_options weights;
  int by_group;           /* weight answers about group g by the member's headcount in g */
  long breakdown;         /* grouping column to report per stratum, or -1 */
  long bootstrap_strata;  /* grouping column to resample within; -1: the post-stratification
                             column, else the first raking column, else the breakdown */
  size_t bootstrap;       /* draws B; 0 gives no intervals and no top-3 frequencies */
  unsigned long seed;     /* seeds the draws: the same seed gives the same intervals */
  double level;           /* interval coverage, default 0.95 */
  int threads;            /* worker threads for the draws (results do not depend on it) */
  int keep_profile_draws; /* keep every draw's national profile (for the allocation's
                             uncertainty) */
  double max_failed_draws; /* largest share of the draws, in [0, 1], that may be dropped
                              because their calibration cannot be met (default 0.05) */
  /* How the answers' adoption (respondents.csv's adopted) counts. political_only: the
   * answers of members that did not adopt politically are left out, and those members count
   * as non-respondents (post-stratification and raking give their weight to the others).
   * adopted_weight: the base weight of a member whose answer was not adopted politically
   * (administratively or unknown) is multiplied by this factor (> 0) before calibration, so
   * within a stratum it counts adopted_weight times as much per unit of size; 1 = no
   * difference. */
  int political_only;
  double adopted_weight;  /* default 1 */
} mdt_aggregate_options;

/* Defaults: weight options' defaults, no breakdown, 1000 draws, seed 1, 95 %, 1 thread,
 * at most 5 % of the draws dropped, every answer counted alike whatever its adoption. */
void mdt_aggregate_options_init(mdt_aggregate_options *opt);

/* One estimate: a row of the tidy table. */
typedef struct {
  long scope;             /* -1: all members; else the breakdown grouping column */
  long stratum;           /* level of the breakdown column, -1 for all */
  long question;          /* question index; -1 for the mandate profile */
  long option;            /* global option index; for profile rows the group index;
                             -1 for statistics of a whole question (kendall_w) */
  mdt_statistic statistic;
  double value;           /* NaN when it cannot be computed (no respondents) */
  double ci_low, ci_high; /* NaN without bootstrap */
  double n;               /* respondents contributing */
  double n_eff;           /* Kish's effective number of respondents */
} mdt_estimate;

/* The mandate profile of one scope: per group, NaN for groups no priority question names. */
typedef struct {
  double *priority;
  double *ci_low;
  double *ci_high;
  double *top3_frequency; /* share of draws where the group is among the top three */
} mdt_profile;

typedef struct mdt_aggregate {
  size_t nrows;
  mdt_estimate *rows;     /* national rows first, then per stratum in level order */
  long breakdown;         /* as in the options */
  size_t nstrata;         /* levels of the breakdown column (0 without) */
  size_t ngroups;
  mdt_profile *profiles;  /* [0] national, [1 + l] stratum l */
  size_t bootstrap;       /* draws used: those requested less those dropped */
  size_t draws_dropped;   /* draws dropped because their calibration could not be met */
  size_t first_dropped;   /* 1-based number of the first dropped draw, 0 for none */
  char dropped_reason[256]; /* why the first dropped draw was dropped, "" for none */
  size_t nmembers;
  size_t nrespondents;
  double total_weight;
  double *weights;        /* final weight per member (0 for those that did not answer) */
  double *size;           /* size measure per member (after sqrt) */
  unsigned char *responded; /* per member: answered at least one question */
  size_t nempty;
  mdt_empty_stratum *empty; /* calibration strata with members but no respondents */
  long *top_group;        /* per member: the group of the option it ranked first in the first
                             priority rank question (the first such option), -1 for none */
  double *profile_draws;  /* with keep_profile_draws: bootstrap x ngroups national profiles
                             of the draws used (NaN for groups without one), else NULL */
  size_t answered_by_adoption[MDT_ADOPTION_N]; /* members that gave an answer, by how it was
                                                  adopted, before political_only leaves
                                                  any out */
  size_t nexcluded;       /* members whose answers political_only left out */
  unsigned char *answered; /* per member: gave at least one answer, whether political_only
                              counted it or not (what the response status counts) */
} mdt_aggregate;

typedef struct mdt_aggregator mdt_aggregator;

/*
 * Prepares an aggregation. groups may be NULL when no option names a group; headcounts is
 * required when opt->by_group is set (MDT_EUSAGE otherwise).
 */
mdt_status mdt_aggregator_new(const mdt_respondents *r, const mdt_questionnaire *q,
                              const mdt_groups *groups, const mdt_headcounts *headcounts,
                              const mdt_aggregate_options *opt, mdt_aggregator **out,
                              mdt_error *err);
void mdt_aggregator_free(mdt_aggregator *a);

/* Adds validated answers; has the signature of an mdt_answers_fn (user = the aggregator). */
mdt_status mdt_aggregator_add(const mdt_answer_batch *batch, void *aggregator, mdt_error *err);

/* Weights the members that answered, computes every estimate and, with draws, the
 * intervals. The aggregator cannot take more answers afterwards. */
mdt_status mdt_aggregator_finish(mdt_aggregator *a, mdt_aggregate **out, mdt_error *err);

/* All in one: aggregates answers already in memory. */
mdt_status mdt_aggregate_answers(const mdt_respondents *r, const mdt_questionnaire *q,
                                 const mdt_groups *groups, const mdt_headcounts *headcounts,
                                 const mdt_answers *answers, const mdt_aggregate_options *opt,
                                 mdt_aggregate **out, mdt_error *err);

void mdt_aggregate_free(mdt_aggregate *agg);

#ifdef __cplusplus
}
#endif

#endif
