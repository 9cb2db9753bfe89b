#include "mandat/aggregate.h"

#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine/mix.h"

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

static const char *const statistic_names[] = {
#define MDT__STAT_NAME(name, text) text,
    MDT_STATISTIC_MAP(MDT__STAT_NAME)
#undef MDT__STAT_NAME
};

const char *mdt_statistic_name(mdt_statistic s) {
  return (unsigned)s < MDT_STAT_COUNT ? statistic_names[s] : "unknown";
}

void mdt_aggregate_options_init(mdt_aggregate_options *opt) {
  memset(opt, 0, sizeof *opt);
  mdt_weight_options_init(&opt->weights);
  opt->breakdown = -1;
  opt->bootstrap_strata = -1;
  opt->bootstrap = 1000;
  opt->seed = 1;
  opt->level = 0.95;
  opt->threads = 1;
}

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
  /* ranks kept per respondent */
  long *rank_slot;     /* per option: index among rank options, or -1 */
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
};

/* -------------------------------------------------------------- helpers -- */

static double option_factor(const mdt_aggregator *a, size_t i, size_t c) {
  if (!a->opt.by_group)
    return 1.0;
  long g = a->q->options[c].group;
  return g >= 0 ? a->hc->count[i * a->G + (size_t)g] : 1.0;
}


void mdt_aggregator_free(mdt_aggregator *a) {
  if (a == NULL)
    return;
  free(a->key_of);
  free(a->key_break);
  free(a->pre);
  free(a->size);
  free(a->cells);
  free(a->qs);
  free(a->responded);
  free(a->rank_slot);
  free(a->ranks);
  free(a->choice_slot);
  free(a->chose);
  free(a->entries);
  free(a->ehash);
  free(a);
}

static long level_of(const mdt_respondents *r, long grouping, size_t i) {
  return grouping >= 0 ? r->groupings[grouping].code[i] : 0;
}

static size_t levels_of(const mdt_respondents *r, long grouping) {
  return grouping >= 0 ? r->groupings[grouping].nlevels : 1;
}

/* Keys: one per respondent, or one per (weighting cell, breakdown level). */
static void assign_keys(mdt_aggregator *a) {
  const mdt_respondents *r = a->r;
  const mdt_weight_options *w = &a->opt.weights;
  size_t nbreak = levels_of(r, a->opt.breakdown);
  for (size_t i = 0; i < a->R; i++) {
    size_t key;
    if (a->per_respondent)
      key = i;
    else {
      size_t cell = 0;
      if (w->poststrata >= 0)
        cell = (size_t)level_of(r, w->poststrata, i);
      else if (w->rake[0] >= 0)
        cell = (size_t)level_of(r, w->rake[0], i) * levels_of(r, w->rake[1]) +
               (size_t)level_of(r, w->rake[1], i);
      key = cell * nbreak + (size_t)level_of(r, a->opt.breakdown, i);
    }
    a->key_of[i] = (int32_t)key;
    a->key_break[key] = a->opt.breakdown >= 0 ? (int32_t)level_of(r, a->opt.breakdown, i) : -1;
  }
}

mdt_status mdt_aggregator_new(const mdt_respondents *r, const mdt_questionnaire *q,
                              const mdt_groups *groups, const mdt_headcounts *headcounts,
                              const mdt_aggregate_options *opt, mdt_aggregator **out,
                              mdt_error *err) {
  *out = NULL;
  if (opt->by_group && headcounts == NULL)
    return mdt_error_set(err, MDT_EUSAGE,
                         "expected headcounts per member and group to weight by group, found "
                         "none (add headcounts.csv to the model)");
  if (opt->breakdown >= (long)r->ngroupings || opt->bootstrap_strata >= (long)r->ngroupings)
    return mdt_error_set(err, MDT_EUSAGE, "grouping column index out of range");
  if (!(opt->level > 0 && opt->level < 1))
    return mdt_error_set(err, MDT_EUSAGE, "expected an interval level between 0 and 1, found %g",
                         opt->level);
  for (size_t c = 0; c < q->noptions; c++)
    if (q->options[c].group >= 0 && (groups == NULL || (size_t)q->options[c].group >= groups->n))
      return mdt_error_set(err, MDT_EUSAGE, "option '%s' names a group that is not loaded",
                           q->options[c].id);
  for (size_t k = 0; k < q->nquestions; k++)
    if (q->questions[k].type == MDT_Q_RANK && q->questions[k].noptions > 255)
      return mdt_error_set(err, MDT_EDATA, "rank question '%s' has %zu options; at most 255",
                           q->questions[k].id, q->questions[k].noptions);
  mdt_aggregator *a = calloc(1, sizeof *a);
  if (a == NULL)
    return mdt_error_set(err, MDT_ENOMEM, "out of memory");
  a->r = r;
  a->q = q;
  a->groups = groups;
  a->hc = headcounts;
  a->opt = *opt;
  if (a->opt.threads < 1)
    a->opt.threads = 1;
  a->R = r->n;
  a->C = q->noptions;
  a->Q = q->nquestions;
  a->G = groups ? groups->n : 0;
  a->per_respondent = opt->bootstrap > 0 || opt->weights.cap_share > 0;
  const mdt_weight_options *w = &opt->weights;
  size_t ncell = 1;
  if (w->poststrata >= 0)
    ncell = levels_of(r, w->poststrata);
  else if (w->rake[0] >= 0)
    ncell = levels_of(r, w->rake[0]) * levels_of(r, w->rake[1]);
  a->K = a->per_respondent ? a->R : ncell * levels_of(r, opt->breakdown);
  size_t R1 = a->R ? a->R : 1, K1 = a->K ? a->K : 1;
  a->key_of = calloc(R1, sizeof *a->key_of);
  a->key_break = calloc(K1, sizeof *a->key_break);
  a->pre = calloc(R1, sizeof *a->pre);
  a->size = calloc(R1, sizeof *a->size);
  a->cells = calloc(K1 * (a->C ? a->C : 1), sizeof *a->cells);
  a->qs = calloc(K1 * (a->Q ? a->Q : 1), sizeof *a->qs);
  a->responded = calloc(R1, 1);
  a->rank_slot = calloc(a->C ? a->C : 1, sizeof *a->rank_slot);
  a->choice_slot = calloc(a->Q ? a->Q : 1, sizeof *a->choice_slot);
  a->ehash_cap = 1024;
  a->ehash = malloc(a->ehash_cap * sizeof *a->ehash);
  if (!a->key_of || !a->key_break || !a->pre || !a->size || !a->cells || !a->qs ||
      !a->responded || !a->rank_slot || !a->choice_slot || !a->ehash)
    goto nomem;
  for (size_t k = 0; k < a->ehash_cap; k++)
    a->ehash[k] = SIZE_MAX;
  for (size_t c = 0; c < a->C; c++) {
    const mdt_question *qq = &q->questions[q->options[c].question];
    a->rank_slot[c] = qq->type == MDT_Q_RANK ? (long)a->nrank++ : -1;
  }
  for (size_t k = 0; k < a->Q; k++)
    a->choice_slot[k] = q->questions[k].type == MDT_Q_CHOICE ? (long)a->nchoice++ : -1;
  if (a->nrank && !(a->ranks = calloc(R1 * a->nrank, 1)))
    goto nomem;
  if (a->nchoice && !(a->chose = calloc(R1 * a->nchoice, 1)))
    goto nomem;
  mdt_status st = mdt_weights_size_measure(r, w, a->size, err);
  if (st != MDT_OK) {
    mdt_aggregator_free(a);
    return st;
  }
  for (size_t i = 0; i < a->R; i++)
    a->pre[i] = a->per_respondent ? 1.0 : a->size[i];
  assign_keys(a);
  *out = a;
  return MDT_OK;
nomem:
  mdt_aggregator_free(a);
  return mdt_error_set(err, MDT_ENOMEM, "out of memory preparing the aggregation");
}

/* ------------------------------------------------------------ answers in -- */

static int entries_rehash(mdt_aggregator *a, size_t cap) {
  size_t *h = malloc(cap * sizeof *h);
  if (h == NULL)
    return -1;
  for (size_t k = 0; k < cap; k++)
    h[k] = SIZE_MAX;
  for (size_t e = 0; e < a->nentries; e++) {
    const share_entry *s = &a->entries[e];
    uint64_t bits;
    memcpy(&bits, &s->value, sizeof bits);
    size_t pos = (size_t)mdt__mix64(bits ^ ((uint64_t)(uint32_t)s->key << 32) ^ (uint32_t)s->option) &
                 (cap - 1);
    while (h[pos] != SIZE_MAX)
      pos = (pos + 1) & (cap - 1);
    h[pos] = e;
  }
  free(a->ehash);
  a->ehash = h;
  a->ehash_cap = cap;
  return 0;
}

static int add_share_entry(mdt_aggregator *a, int32_t key, int32_t option, double value,
                           double pw) {
  if (value == 0)
    value = 0.0; /* one key for -0 and +0 */
  uint64_t bits;
  memcpy(&bits, &value, sizeof bits);
  size_t pos = (size_t)mdt__mix64(bits ^ ((uint64_t)(uint32_t)key << 32) ^ (uint32_t)option) &
               (a->ehash_cap - 1);
  while (a->ehash[pos] != SIZE_MAX) {
    share_entry *s = &a->entries[a->ehash[pos]];
    if (s->key == key && s->option == option && s->value == value) {
      s->pw += pw;
      return 0;
    }
    pos = (pos + 1) & (a->ehash_cap - 1);
  }
  if (a->nentries == a->entries_cap) {
    size_t cap = a->entries_cap ? 2 * a->entries_cap : 256;
    share_entry *e = realloc(a->entries, cap * sizeof *e);
    if (e == NULL)
      return -1;
    a->entries = e;
    a->entries_cap = cap;
  }
  a->entries[a->nentries] = (share_entry){key, option, value, pw};
  a->ehash[pos] = a->nentries++;
  if (a->nentries * 2 > a->ehash_cap)
    return entries_rehash(a, a->ehash_cap * 2);
  return 0;
}

mdt_status mdt_aggregator_add(const mdt_answer_batch *batch, void *aggregator, mdt_error *err) {
  mdt_aggregator *a = aggregator;
  if (a->finished)
    return mdt_error_set(err, MDT_EINTERNAL, "answers added after the aggregation finished");
  const mdt_questionnaire *q = a->q;
  for (size_t k = 0; k < batch->n; k++) {
    size_t i = (size_t)batch->respondent[k];
    size_t c = (size_t)batch->option[k];
    double v = batch->value[k];
    if (i >= a->R || c >= a->C)
      return mdt_error_set(err, MDT_EINTERNAL, "answer outside the tables (%zu, %zu)", i, c);
    a->responded[i] = 1;
    size_t qi = q->options[c].question;
    size_t key = (size_t)a->key_of[i];
    double pw = a->pre[i] * option_factor(a, i, c);
    cell_acc *acc = &a->cells[key * a->C + c];
    switch (q->questions[qi].type) {
    case MDT_Q_SCORE:
    case MDT_Q_SHARE:
      acc->cnt += 1;
      acc->s0 += pw;
      acc->s1 += pw * v;
      acc->s2 += pw * v * v;
      acc->q += pw * pw;
      if (q->questions[qi].type == MDT_Q_SHARE &&
          add_share_entry(a, (int32_t)key, (int32_t)c, v, pw) != 0)
        return mdt_error_set(err, MDT_ENOMEM, "out of memory aggregating shares");
      break;
    case MDT_Q_RANK:
      a->ranks[i * a->nrank + (size_t)a->rank_slot[c]] = (uint8_t)v;
      break;
    case MDT_Q_CHOICE:
      a->chose[i * a->nchoice + (size_t)a->choice_slot[qi]] = 1;
      if (v == 1)
        acc->s1 += pw;
      break;
    }
  }
  return MDT_OK;
}

/* Turns one respondent's ranks for question qi into positions, points and the tie term. */
static void add_rank_question(mdt_aggregator *a, size_t i, size_t qi) {
  const mdt_question *qq = &a->q->questions[qi];
  size_t n = qq->noptions;
  const uint8_t *given = &a->ranks[i * a->nrank + (size_t)a->rank_slot[qq->first_option]];
  size_t nranked = 0;
  for (size_t j = 0; j < n; j++)
    nranked += given[j] != 0;
  if (nranked == 0)
    return;
  /* Position of an option = 1 + options ranked strictly better + (ties - 1)/2. Ranks are
   * 1..n (validated), so counts per rank need n + 2 slots. */
  double pos[256];
  unsigned count_at[258], better[258];
  for (size_t v = 0; v <= n + 1; v++)
    count_at[v] = 0;
  for (size_t j = 0; j < n; j++)
    count_at[given[j]]++;
  double tie_term = 0;
  better[1] = 0;
  for (size_t v = 1; v <= n; v++) {
    better[v + 1] = better[v] + count_at[v];
    double t = count_at[v];
    tie_term += t * t * t - t;
  }
  double nun = (double)(n - nranked);
  tie_term += nun * nun * nun - nun;
  for (size_t j = 0; j < n; j++) {
    if (given[j])
      pos[j] = 1.0 + better[given[j]] + (count_at[given[j]] - 1) / 2.0;
    else
      pos[j] = (double)nranked + 1.0 + (nun - 1) / 2.0;
  }
  size_t key = (size_t)a->key_of[i];
  double p = a->pre[i];
  for (size_t j = 0; j < n; j++) {
    size_t c = qq->first_option + j;
    double pw = p * option_factor(a, i, c);
    cell_acc *acc = &a->cells[key * a->C + c];
    acc->cnt += 1;
    acc->s0 += pw;
    acc->s1 += pw * ((double)n - pos[j]);
    acc->q += pw * pw;
    acc->t1 += given[j] == 1 ? pw : 0;
    acc->t3 += given[j] >= 1 && given[j] <= 3 ? pw : 0;
    acc->rpos += p * pos[j];
  }
  question_acc *qa = &a->qs[key * a->Q + qi];
  qa->cnt += 1;
  qa->s0 += p;
  qa->q += p * p;
  qa->tsum += p * tie_term;
}

static void add_choice_question(mdt_aggregator *a, size_t i, size_t qi) {
  const mdt_question *qq = &a->q->questions[qi];
  size_t key = (size_t)a->key_of[i];
  double p = a->pre[i];
  for (size_t j = 0; j < qq->noptions; j++) {
    size_t c = qq->first_option + j;
    double pw = p * option_factor(a, i, c);
    cell_acc *acc = &a->cells[key * a->C + c];
    acc->cnt += 1;
    acc->s0 += pw;
    acc->q += pw * pw;
  }
  question_acc *qa = &a->qs[key * a->Q + qi];
  qa->cnt += 1;
  qa->s0 += p;
  qa->q += p * p;
}

/* ------------------------------------------------------------- estimates -- */

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

typedef struct {
  size_t nrows;
  row_spec *rows;
  size_t nlists;
  entry_list *lists;   /* per (scope, share option) */
  size_t max_list;
  long *list_of;       /* nscopes x C -> list index or -1 */
} layout;

static void eval_ws_free(eval_ws *ws) {
  if (ws == NULL)
    return;
  free(ws->comb);
  free(ws->qcomb);
  free(ws->F);
  free(ws->scratch_v);
  free(ws->scratch_w);
  free(ws->profile);
  free(ws->mult);
  mdt_weights_free(ws->w);
  memset(ws, 0, sizeof *ws);
}

static mdt_status eval_ws_init(eval_ws *ws, const mdt_aggregator *a, const layout *lay,
                               size_t nscopes, mdt_error *err) {
  memset(ws, 0, sizeof *ws);
  ws->nscopes = nscopes;
  size_t C1 = a->C ? a->C : 1, Q1 = a->Q ? a->Q : 1, G1 = a->G ? a->G : 1;
  size_t L1 = lay->max_list ? lay->max_list : 1;
  ws->comb = calloc(nscopes * C1, sizeof *ws->comb);
  ws->qcomb = calloc(nscopes * Q1, sizeof *ws->qcomb);
  ws->F = calloc(a->K ? a->K : 1, sizeof *ws->F);
  ws->scratch_v = calloc(L1, sizeof *ws->scratch_v);
  ws->scratch_w = calloc(L1, sizeof *ws->scratch_w);
  ws->profile = calloc(nscopes * G1, sizeof *ws->profile);
  ws->mult = calloc(a->R ? a->R : 1, sizeof *ws->mult);
  if (!ws->comb || !ws->qcomb || !ws->F || !ws->scratch_v || !ws->scratch_w || !ws->profile ||
      !ws->mult) {
    eval_ws_free(ws);
    return mdt_error_set(err, MDT_ENOMEM, "out of memory evaluating estimates");
  }
  mdt_status st = mdt_weights_new(a->r, &ws->w, err);
  if (st != MDT_OK)
    eval_ws_free(ws);
  return st;
}

/* Key factors from member weights: F_k = Σ_{i in k} w_i / Σ_{i in k, answered} pre_i. */
static void key_factors(const mdt_aggregator *a, const double *w, double *F, double *den) {
  if (a->per_respondent) {
    memcpy(F, w, a->R * sizeof *F);
    return;
  }
  for (size_t k = 0; k < a->K; k++)
    F[k] = den[k] = 0;
  for (size_t i = 0; i < a->R; i++) {
    if (!a->responded[i])
      continue;
    F[a->key_of[i]] += w[i];
    den[a->key_of[i]] += a->pre[i];
  }
  for (size_t k = 0; k < a->K; k++)
    F[k] = den[k] > 0 ? F[k] / den[k] : 0;
}

static void combine(const mdt_aggregator *a, eval_ws *ws) {
  size_t C = a->C, Q = a->Q;
  memset(ws->comb, 0, ws->nscopes * (C ? C : 1) * sizeof *ws->comb);
  memset(ws->qcomb, 0, ws->nscopes * (Q ? Q : 1) * sizeof *ws->qcomb);
  for (size_t k = 0; k < a->K; k++) {
    double f = ws->F[k];
    if (f == 0)
      continue;
    double f2 = f * f;
    size_t scopes[2] = {0, a->key_break[k] >= 0 ? 1 + (size_t)a->key_break[k] : 0};
    int nsc = a->key_break[k] >= 0 && ws->nscopes > 1 ? 2 : 1;
    const cell_acc *src = &a->cells[k * C];
    const question_acc *qsrc = &a->qs[k * Q];
    for (int s = 0; s < nsc; s++) {
      cell_acc *dst = &ws->comb[scopes[s] * C];
      for (size_t c = 0; c < C; c++) {
        if (src[c].cnt == 0 && src[c].s1 == 0)
          continue;
        dst[c].cnt += src[c].cnt;
        dst[c].s0 += f * src[c].s0;
        dst[c].s1 += f * src[c].s1;
        dst[c].s2 += f * src[c].s2;
        dst[c].q += f2 * src[c].q;
        dst[c].t1 += f * src[c].t1;
        dst[c].t3 += f * src[c].t3;
        dst[c].rpos += f * src[c].rpos;
      }
      question_acc *qd = &ws->qcomb[scopes[s] * Q];
      for (size_t j = 0; j < Q; j++) {
        if (qsrc[j].cnt == 0)
          continue;
        qd[j].cnt += qsrc[j].cnt;
        qd[j].s0 += f * qsrc[j].s0;
        qd[j].q += f2 * qsrc[j].q;
        qd[j].tsum += f * qsrc[j].tsum;
      }
    }
  }
}

/* Weighted quantile of sorted values v with weights w (total W): the smallest value whose
 * cumulative weight reaches p·W; the mean of it and the next when reached exactly. */
static double weighted_quantile(const double *v, const double *w, size_t n, double W, double p) {
  if (!(W > 0))
    return NAN;
  double target = p * W, cum = 0;
  for (size_t k = 0; k < n; k++) {
    if (w[k] <= 0)
      continue;
    cum += w[k];
    if (fabs(cum - target) <= 1e-12 * W) {
      for (size_t m = k + 1; m < n; m++)
        if (w[m] > 0)
          return (v[k] + v[m]) / 2;
      return v[k];
    }
    if (cum > target)
      return v[k];
  }
  for (size_t k = n; k-- > 0;)
    if (w[k] > 0)
      return v[k];
  return NAN;
}

static double kendall_w(const mdt_aggregator *a, const eval_ws *ws, size_t scope, size_t qi) {
  const question_acc *qa = &ws->qcomb[scope * a->Q + qi];
  const mdt_question *qq = &a->q->questions[qi];
  double m = qa->s0, k = (double)qq->noptions;
  if (!(m > 0))
    return NAN;
  double mean = m * (k + 1) / 2, S = 0;
  for (size_t j = 0; j < qq->noptions; j++) {
    double d = ws->comb[scope * a->C + qq->first_option + j].rpos - mean;
    S += d * d;
  }
  double den = m * m * (k * k * k - k) - m * qa->tsum;
  return den > 0 ? 12 * S / den : NAN;
}

static double ratio(double num, double den) { return den > 0 ? num / den : NAN; }

/* The profile of every scope from the combined sums. */
static void compute_profiles(const mdt_aggregator *a, eval_ws *ws) {
  size_t G = a->G;
  for (size_t s = 0; s < ws->nscopes; s++) {
    double *prof = &ws->profile[s * (G ? G : 1)];
    double nq[256];
    double *cnt = G <= 256 ? nq : NULL;
    for (size_t g = 0; g < G; g++) {
      prof[g] = 0;
      if (cnt)
        cnt[g] = 0;
    }
    for (size_t qi = 0; qi < a->Q; qi++) {
      const mdt_question *qq = &a->q->questions[qi];
      if (qq->role != MDT_ROLE_PRIORITY)
        continue;
      for (size_t j = 0; j < qq->noptions; j++) {
        size_t c = qq->first_option + j;
        long g = a->q->options[c].group;
        const cell_acc *acc = &ws->comb[s * a->C + c];
        double val = NAN;
        if (qq->type == MDT_Q_RANK)
          val = ratio(acc->s1, acc->s0) / ((double)qq->noptions - 1);
        else if (qq->type == MDT_Q_SCORE)
          val = (ratio(acc->s1, acc->s0) - qq->min) / (qq->max - qq->min);
        if (g < 0 || !isfinite(val))
          continue;
        prof[g] += val;
        if (cnt)
          cnt[g] += 1;
      }
    }
    for (size_t g = 0; g < G; g++)
      prof[g] = cnt && cnt[g] > 0 ? prof[g] / cnt[g] : NAN;
  }
}

static double share_quantile(const mdt_aggregator *a, const layout *lay, eval_ws *ws,
                             long list, double p) {
  const entry_list *el = &lay->lists[list];
  double W = 0;
  for (size_t k = 0; k < el->n; k++) {
    const share_entry *e = &a->entries[el->idx[k]];
    ws->scratch_v[k] = e->value;
    ws->scratch_w[k] = ws->F[e->key] * e->pw;
    W += ws->scratch_w[k];
  }
  return weighted_quantile(ws->scratch_v, ws->scratch_w, el->n, W, p);
}

/* Evaluates every row's value (and, if n/neff are given, its n and Kish's n). */
static void evaluate(const mdt_aggregator *a, const layout *lay, eval_ws *ws, double *value,
                     double *n, double *neff) {
  combine(a, ws);
  compute_profiles(a, ws);
  for (size_t r = 0; r < lay->nrows; r++) {
    const row_spec *rs = &lay->rows[r];
    double v = NAN, cnt = 0, ne = NAN;
    if (rs->stat == MDT_STAT_PRIORITY || rs->stat == MDT_STAT_TOP3_FREQUENCY) {
      v = ws->profile[(size_t)rs->scope * (a->G ? a->G : 1) + (size_t)rs->group];
    } else if (rs->stat == MDT_STAT_KENDALL_W) {
      const question_acc *qa = &ws->qcomb[(size_t)rs->scope * a->Q + (size_t)rs->question];
      v = kendall_w(a, ws, (size_t)rs->scope, (size_t)rs->question);
      cnt = qa->cnt;
      ne = qa->q > 0 ? qa->s0 * qa->s0 / qa->q : NAN;
    } else {
      const cell_acc *acc = &ws->comb[(size_t)rs->scope * a->C + (size_t)rs->option];
      double mean = ratio(acc->s1, acc->s0);
      cnt = acc->cnt;
      ne = acc->q > 0 ? acc->s0 * acc->s0 / acc->q : NAN;
      switch (rs->stat) {
      case MDT_STAT_MEAN:
      case MDT_STAT_BORDA:
      case MDT_STAT_SHARE_MEAN:
      case MDT_STAT_PROPORTION:
        v = mean;
        break;
      case MDT_STAT_SD: {
        double var = ratio(acc->s2, acc->s0) - mean * mean;
        if (var < 0)
          var = 0;
        v = ne > 1 ? sqrt(var * ne / (ne - 1)) : NAN;
        break;
      }
      case MDT_STAT_TOP1_SHARE:
        v = ratio(acc->t1, acc->s0);
        break;
      case MDT_STAT_TOP3_SHARE:
        v = ratio(acc->t3, acc->s0);
        break;
      case MDT_STAT_SHARE_MEDIAN:
        v = share_quantile(a, lay, ws, rs->list, 0.5);
        break;
      case MDT_STAT_SHARE_Q1:
        v = share_quantile(a, lay, ws, rs->list, 0.25);
        break;
      case MDT_STAT_SHARE_Q3:
        v = share_quantile(a, lay, ws, rs->list, 0.75);
        break;
      default:
        break;
      }
    }
    value[r] = v;
    if (n)
      n[r] = cnt;
    if (neff)
      neff[r] = ne;
  }
}

/* ----------------------------------------------------------------- layout -- */

static void layout_free(layout *lay) {
  for (size_t l = 0; l < lay->nlists; l++)
    free(lay->lists[l].idx);
  free(lay->lists);
  free(lay->rows);
  free(lay->list_of);
  memset(lay, 0, sizeof *lay);
}

static int push_row(layout *lay, size_t *cap, row_spec rs) {
  if (lay->nrows == *cap) {
    size_t nc = *cap ? *cap * 2 : 64;
    row_spec *g = realloc(lay->rows, nc * sizeof *g);
    if (g == NULL)
      return -1;
    lay->rows = g;
    *cap = nc;
  }
  lay->rows[lay->nrows++] = rs;
  return 0;
}

static const mdt_aggregator *sort_ctx;
static int cmp_entry(const void *x, const void *y) {
  double a = sort_ctx->entries[*(const size_t *)x].value;
  double b = sort_ctx->entries[*(const size_t *)y].value;
  if (a < b)
    return -1;
  if (a > b)
    return 1;
  size_t ia = *(const size_t *)x, ib = *(const size_t *)y;
  return ia < ib ? -1 : ia > ib;
}

/* Sorted entry lists per (scope, share option). Called once, single-threaded. */
static mdt_status build_lists(const mdt_aggregator *a, layout *lay, size_t nscopes,
                              mdt_error *err) {
  size_t C = a->C;
  lay->list_of = malloc(nscopes * (C ? C : 1) * sizeof *lay->list_of);
  if (lay->list_of == NULL)
    return mdt_error_set(err, MDT_ENOMEM, "out of memory");
  for (size_t k = 0; k < nscopes * C; k++)
    lay->list_of[k] = -1;
  size_t nshare = 0;
  for (size_t c = 0; c < C; c++)
    nshare += a->q->questions[a->q->options[c].question].type == MDT_Q_SHARE;
  lay->lists = calloc(nscopes * nshare + 1, sizeof *lay->lists);
  if (lay->lists == NULL)
    return mdt_error_set(err, MDT_ENOMEM, "out of memory");
  size_t *all = malloc((a->nentries ? a->nentries : 1) * sizeof *all);
  if (all == NULL)
    return mdt_error_set(err, MDT_ENOMEM, "out of memory");
  for (size_t e = 0; e < a->nentries; e++)
    all[e] = e;
  sort_ctx = a;
  qsort(all, a->nentries, sizeof *all, cmp_entry);
  for (size_t c = 0; c < C; c++) {
    if (a->q->questions[a->q->options[c].question].type != MDT_Q_SHARE)
      continue;
    for (size_t s = 0; s < nscopes; s++) {
      entry_list *el = &lay->lists[lay->nlists];
      size_t cnt = 0;
      for (size_t e = 0; e < a->nentries; e++) {
        const share_entry *se = &a->entries[all[e]];
        if ((size_t)se->option == c && (s == 0 || a->key_break[se->key] == (int32_t)(s - 1)))
          cnt++;
      }
      el->idx = malloc((cnt ? cnt : 1) * sizeof *el->idx);
      if (el->idx == NULL) {
        free(all);
        return mdt_error_set(err, MDT_ENOMEM, "out of memory");
      }
      for (size_t e = 0; e < a->nentries; e++) {
        const share_entry *se = &a->entries[all[e]];
        if ((size_t)se->option == c && (s == 0 || a->key_break[se->key] == (int32_t)(s - 1)))
          el->idx[el->n++] = all[e];
      }
      if (el->n > lay->max_list)
        lay->max_list = el->n;
      lay->list_of[s * C + c] = (long)lay->nlists++;
    }
  }
  free(all);
  return MDT_OK;
}

static mdt_status build_layout(const mdt_aggregator *a, layout *lay, size_t nscopes,
                               int with_top3, mdt_error *err) {
  memset(lay, 0, sizeof *lay);
  mdt_status st = build_lists(a, lay, nscopes, err);
  if (st != MDT_OK)
    return st;
  size_t cap = 0;
  const mdt_questionnaire *q = a->q;
  /* Which groups have a profile: named by an option of a priority question. */
  unsigned char *profiled = calloc(a->G ? a->G : 1, 1);
  if (profiled == NULL)
    return mdt_error_set(err, MDT_ENOMEM, "out of memory");
  for (size_t c = 0; c < a->C; c++)
    if (q->questions[q->options[c].question].role == MDT_ROLE_PRIORITY && q->options[c].group >= 0)
      profiled[q->options[c].group] = 1;
  for (size_t s = 0; s < nscopes; s++) {
    for (size_t qi = 0; qi < a->Q; qi++) {
      const mdt_question *qq = &q->questions[qi];
      static const mdt_statistic score_stats[] = {MDT_STAT_MEAN, MDT_STAT_SD};
      static const mdt_statistic rank_stats[] = {MDT_STAT_BORDA, MDT_STAT_TOP1_SHARE,
                                                 MDT_STAT_TOP3_SHARE};
      static const mdt_statistic share_stats[] = {MDT_STAT_SHARE_MEAN, MDT_STAT_SHARE_MEDIAN,
                                                  MDT_STAT_SHARE_Q1, MDT_STAT_SHARE_Q3};
      static const mdt_statistic choice_stats[] = {MDT_STAT_PROPORTION};
      const mdt_statistic *stats = score_stats;
      size_t nstats = 2;
      if (qq->type == MDT_Q_RANK) {
        stats = rank_stats;
        nstats = 3;
      } else if (qq->type == MDT_Q_SHARE) {
        stats = share_stats;
        nstats = 4;
      } else if (qq->type == MDT_Q_CHOICE) {
        stats = choice_stats;
        nstats = 1;
      }
      for (size_t j = 0; j < qq->noptions; j++) {
        size_t c = qq->first_option + j;
        for (size_t t = 0; t < nstats; t++) {
          row_spec rs = {(int)s, (long)qi, (long)c, stats[t], lay->list_of[s * a->C + c], -1};
          if (push_row(lay, &cap, rs) != 0)
            goto nomem;
        }
      }
      if (qq->type == MDT_Q_RANK) {
        row_spec rs = {(int)s, (long)qi, -1, MDT_STAT_KENDALL_W, -1, -1};
        if (push_row(lay, &cap, rs) != 0)
          goto nomem;
      }
    }
    for (size_t g = 0; g < a->G; g++) {
      if (!profiled[g])
        continue;
      row_spec rs = {(int)s, -1, (long)g, MDT_STAT_PRIORITY, -1, (long)g};
      if (push_row(lay, &cap, rs) != 0)
        goto nomem;
      if (with_top3) {
        rs.stat = MDT_STAT_TOP3_FREQUENCY;
        if (push_row(lay, &cap, rs) != 0)
          goto nomem;
      }
    }
  }
  free(profiled);
  return MDT_OK;
nomem:
  free(profiled);
  return mdt_error_set(err, MDT_ENOMEM, "out of memory");
}

/* -------------------------------------------------------------- bootstrap -- */

#define DRAWS_PER_CHUNK 8

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
  pthread_mutex_t lock;
  size_t next_chunk;
  size_t nchunks;
  /* the first failure, by draw number, so the reported error does not depend on timing */
  size_t fail_draw;
  mdt_error fail_err;
} boot_job;

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

static void *boot_worker(void *arg) {
  boot_job *job = arg;
  const mdt_aggregator *a = job->a;
  eval_ws ws;
  mdt_error err;
  mdt_error_clear(&err);
  gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
  if (rng == NULL || eval_ws_init(&ws, a, job->lay, job->nscopes, &err) != MDT_OK) {
    pthread_mutex_lock(&job->lock);
    if (job->fail_draw > 0) {
      job->fail_draw = 0;
      mdt_error_set(&job->fail_err, MDT_ENOMEM, "out of memory in the bootstrap");
    }
    pthread_mutex_unlock(&job->lock);
    gsl_rng_free(rng);
    return NULL;
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
    for (size_t b = first; b < last; b++) {
      memset(ws.mult, 0, a->R * sizeof *ws.mult);
      for (size_t h = 0; h < job->nstrata; h++) {
        size_t lo = job->stratum_start[h], nh = job->stratum_start[h + 1] - lo;
        for (size_t k = 0; k < nh; k++)
          ws.mult[job->members[lo + gsl_rng_uniform_int(rng, nh)]] += 1;
      }
      mdt_status st = mdt_weights_compute(ws.w, a->r, a->responded, ws.mult, &a->opt.weights,
                                          &err);
      if (st != MDT_OK) {
        pthread_mutex_lock(&job->lock);
        if (b < job->fail_draw) {
          job->fail_draw = b;
          job->fail_err = err;
        }
        pthread_mutex_unlock(&job->lock);
        break;
      }
      key_factors(a, ws.w->w, ws.F, NULL);
      evaluate(a, job->lay, &ws, &job->draws[b * job->lay->nrows], NULL, NULL);
      mark_top3(a, &ws, job->nscopes, &job->top3[b * job->nscopes * a->G]);
      if (job->profiles)
        memcpy(&job->profiles[b * a->G], ws.profile, a->G * sizeof *ws.profile);
    }
  }
  eval_ws_free(&ws);
  gsl_rng_free(rng);
  return NULL;
}

static mdt_status run_bootstrap(const mdt_aggregator *a, const layout *lay, size_t nscopes,
                                double *draws, unsigned char *top3, double *profiles,
                                mdt_error *err) {
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
  job.nchunks = (job.B + DRAWS_PER_CHUNK - 1) / DRAWS_PER_CHUNK;
  job.fail_draw = SIZE_MAX;
  job.nstrata = levels_of(a->r, bs);
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
      if (a->responded[i] && (size_t)level_of(a->r, bs, i) == h)
        job.members[m++] = i;
  }
  job.stratum_start[job.nstrata] = m;
  pthread_mutex_init(&job.lock, NULL);
  int nthreads = a->opt.threads;
  if ((size_t)nthreads > job.nchunks)
    nthreads = (int)(job.nchunks ? job.nchunks : 1);
  pthread_t tids[64];
  if (nthreads > 64)
    nthreads = 64;
  int started = 0;
  for (int t = 1; t < nthreads; t++) {
    if (pthread_create(&tids[started], NULL, boot_worker, &job) != 0)
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
  return MDT_OK;
}

/* Percentile interval of row r over the draws, ignoring draws where it is not defined. */
static void interval(const double *draws, size_t B, size_t nrows, size_t r, double level,
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
  gsl_sort(tmp, 1, n);
  double alpha = (1 - level) / 2;
  *lo = gsl_stats_quantile_from_sorted_data(tmp, 1, n, alpha);
  *hi = gsl_stats_quantile_from_sorted_data(tmp, 1, n, 1 - alpha);
}

/* ------------------------------------------------------------------ finish -- */

void mdt_aggregate_free(mdt_aggregate *agg) {
  if (agg == NULL)
    return;
  if (agg->profiles) {
    for (size_t s = 0; s < 1 + agg->nstrata; s++) {
      free(agg->profiles[s].priority);
      free(agg->profiles[s].ci_low);
      free(agg->profiles[s].ci_high);
      free(agg->profiles[s].top3_frequency);
    }
    free(agg->profiles);
  }
  free(agg->rows);
  free(agg->weights);
  free(agg->size);
  free(agg->responded);
  free(agg->top_group);
  free(agg->profile_draws);
  free(agg->empty);
  free(agg);
}

static mdt_status make_result(const mdt_aggregator *a, const layout *lay, size_t nscopes,
                              const double *value, const double *n, const double *neff,
                              const double *lo, const double *hi, const double *top3freq,
                              const mdt_weights *w, mdt_aggregate **out, mdt_error *err) {
  mdt_aggregate *agg = calloc(1, sizeof *agg);
  if (agg == NULL)
    return mdt_error_set(err, MDT_ENOMEM, "out of memory");
  agg->nrows = lay->nrows;
  agg->breakdown = a->opt.breakdown;
  agg->nstrata = nscopes - 1;
  agg->ngroups = a->G;
  agg->bootstrap = a->opt.bootstrap;
  agg->nmembers = a->R;
  agg->nrespondents = w->nrespondents;
  agg->total_weight = w->total_weight;
  agg->nempty = w->nempty;
  agg->rows = calloc(lay->nrows ? lay->nrows : 1, sizeof *agg->rows);
  agg->weights = malloc((a->R ? a->R : 1) * sizeof *agg->weights);
  agg->size = malloc((a->R ? a->R : 1) * sizeof *agg->size);
  agg->responded = malloc(a->R ? a->R : 1);
  agg->empty = calloc(w->nempty ? w->nempty : 1, sizeof *agg->empty);
  agg->profiles = calloc(nscopes, sizeof *agg->profiles);
  if (!agg->rows || !agg->weights || !agg->size || !agg->responded || !agg->empty ||
      !agg->profiles)
    goto nomem;
  memcpy(agg->weights, w->w, a->R * sizeof *agg->weights);
  memcpy(agg->size, w->size, a->R * sizeof *agg->size);
  memcpy(agg->responded, a->responded, a->R);
  memcpy(agg->empty, w->empty, w->nempty * sizeof *agg->empty);
  size_t G1 = a->G ? a->G : 1;
  for (size_t s = 0; s < nscopes; s++) {
    mdt_profile *p = &agg->profiles[s];
    p->priority = malloc(G1 * sizeof(double));
    p->ci_low = malloc(G1 * sizeof(double));
    p->ci_high = malloc(G1 * sizeof(double));
    p->top3_frequency = malloc(G1 * sizeof(double));
    if (!p->priority || !p->ci_low || !p->ci_high || !p->top3_frequency)
      goto nomem;
    for (size_t g = 0; g < G1; g++)
      p->priority[g] = p->ci_low[g] = p->ci_high[g] = p->top3_frequency[g] = NAN;
  }
  for (size_t r = 0; r < lay->nrows; r++) {
    const row_spec *rs = &lay->rows[r];
    mdt_estimate *e = &agg->rows[r];
    e->scope = rs->scope == 0 ? -1 : a->opt.breakdown;
    e->stratum = rs->scope - 1;
    e->question = rs->question;
    e->option = rs->option;
    e->statistic = rs->stat;
    e->value = value[r];
    e->n = n[r];
    e->n_eff = neff[r];
    e->ci_low = lo ? lo[r] : NAN;
    e->ci_high = hi ? hi[r] : NAN;
    mdt_profile *p = &agg->profiles[rs->scope];
    if (rs->stat == MDT_STAT_PRIORITY) {
      p->priority[rs->group] = e->value;
      p->ci_low[rs->group] = e->ci_low;
      p->ci_high[rs->group] = e->ci_high;
      /* n of a profile row: the respondents of its group's priority questions (largest). */
      double nmax = 0, nemax = NAN;
      for (size_t c = 0; c < a->C; c++) {
        const mdt_option *o = &a->q->options[c];
        if (o->group != rs->group || a->q->questions[o->question].role != MDT_ROLE_PRIORITY)
          continue;
        for (size_t k = 0; k < lay->nrows; k++)
          if (lay->rows[k].scope == rs->scope && lay->rows[k].option == (long)c &&
              n[k] > nmax) {
            nmax = n[k];
            nemax = neff[k];
          }
      }
      e->n = nmax;
      e->n_eff = nemax;
    } else if (rs->stat == MDT_STAT_TOP3_FREQUENCY) {
      e->value = top3freq ? top3freq[(size_t)rs->scope * a->G + (size_t)rs->group] : NAN;
      e->ci_low = e->ci_high = NAN;
      p->top3_frequency[rs->group] = e->value;
      e->n = r > 0 ? agg->rows[r - 1].n : 0;
      e->n_eff = r > 0 ? agg->rows[r - 1].n_eff : NAN;
    }
  }
  *out = agg;
  return MDT_OK;
nomem:
  mdt_aggregate_free(agg);
  return mdt_error_set(err, MDT_ENOMEM, "out of memory");
}

/* Each member's first choice in the first priority rank question, as a group. */
static mdt_status top_groups(const mdt_aggregator *a, mdt_aggregate *agg, mdt_error *err) {
  agg->top_group = malloc((a->R ? a->R : 1) * sizeof *agg->top_group);
  if (agg->top_group == NULL)
    return mdt_error_set(err, MDT_ENOMEM, "out of memory");
  long qi = -1;
  for (size_t k = 0; k < a->Q && qi < 0; k++)
    if (a->q->questions[k].type == MDT_Q_RANK && a->q->questions[k].role == MDT_ROLE_PRIORITY)
      qi = (long)k;
  for (size_t i = 0; i < a->R; i++) {
    agg->top_group[i] = -1;
    if (qi < 0 || !a->responded[i])
      continue;
    const mdt_question *qq = &a->q->questions[qi];
    const uint8_t *given = &a->ranks[i * a->nrank + (size_t)a->rank_slot[qq->first_option]];
    for (size_t j = 0; j < qq->noptions; j++)
      if (given[j] == 1) {
        agg->top_group[i] = a->q->options[qq->first_option + j].group;
        break;
      }
  }
  return MDT_OK;
}

/* Weights (or, by group, headcounts) that are 0 for every member that answered would leave
 * every estimate blank without a word. */
static mdt_status check_some_weight(const mdt_aggregator *a, const double *w, mdt_error *err) {
  double wsum = 0, hsum = 0;
  long first = -1;
  for (size_t i = 0; i < a->R; i++) {
    if (!a->responded[i])
      continue;
    if (first < 0)
      first = (long)i;
    wsum += w[i];
    if (a->opt.by_group)
      for (size_t g = 0; g < a->G; g++)
        hsum += a->hc->count[i * a->G + g];
  }
  long line = first >= 0 && a->r->line ? a->r->line[first] : 0;
  const char *measure = mdt_size_measure_name(a->opt.weights.measure);
  if (!(wsum > 0))
    return mdt_error_set_at(err, MDT_EDATA, a->r->path, line, 0,
                            "%s: expected a weight above 0 for at least one member that "
                            "answered, found 0 for every one of them (weights: %s)",
                            measure, measure);
  if (a->opt.by_group && !(hsum > 0))
    return mdt_error_set_at(err, MDT_EDATA, a->hc->path, 0, 0,
                            "expected a headcount above 0 for at least one member that "
                            "answered, found 0 for every one of them and every group");
  return MDT_OK;
}

mdt_status mdt_aggregator_finish(mdt_aggregator *a, mdt_aggregate **out, mdt_error *err) {
  *out = NULL;
  if (a->finished)
    return mdt_error_set(err, MDT_EINTERNAL, "aggregation finished twice");
  a->finished = 1;
  size_t answered = 0;
  for (size_t i = 0; i < a->R; i++)
    answered += a->responded[i];
  if (answered == 0)
    return mdt_error_set(err, MDT_EDATA, "expected answers from at least one member, found none");
  /* A member that answered but is missing from headcounts.csv would have its answers about
   * groups weighed by 0 without a word. */
  if (a->opt.by_group && a->hc->listed != NULL)
    for (size_t i = 0; i < a->R; i++)
      if (a->responded[i] && !a->hc->listed[i])
        return mdt_error_set_at(err, MDT_EDATA, a->hc->path, a->hc->end_line, 1,
                                "expected rows for member '%s', which answered, found none "
                                "(give 0 for a group it has no employees in)",
                                a->r->id[i]);
  /* Ranks and choices become sums now that every respondent's answers are in. */
  for (size_t i = 0; i < a->R; i++) {
    if (!a->responded[i])
      continue;
    for (size_t qi = 0; qi < a->Q; qi++) {
      if (a->q->questions[qi].type == MDT_Q_RANK)
        add_rank_question(a, i, qi);
      else if (a->q->questions[qi].type == MDT_Q_CHOICE &&
               a->chose[i * a->nchoice + (size_t)a->choice_slot[qi]])
        add_choice_question(a, i, qi);
    }
  }
  size_t nscopes = 1 + (a->opt.breakdown >= 0 ? levels_of(a->r, a->opt.breakdown) : 0);
  layout lay;
  eval_ws ws;
  memset(&ws, 0, sizeof ws);
  double *value = NULL, *n = NULL, *neff = NULL, *draws = NULL, *lo = NULL, *hi = NULL,
         *tmp = NULL, *freq = NULL, *den = NULL, *profiles = NULL;
  unsigned char *top3 = NULL;
  int boot = a->opt.bootstrap > 0;
  mdt_status st = build_layout(a, &lay, nscopes, boot, err);
  if (st != MDT_OK)
    goto done;
  st = eval_ws_init(&ws, a, &lay, nscopes, err);
  if (st != MDT_OK)
    goto done;
  size_t nr = lay.nrows ? lay.nrows : 1;
  value = malloc(nr * sizeof *value);
  n = malloc(nr * sizeof *n);
  neff = malloc(nr * sizeof *neff);
  den = malloc((a->K ? a->K : 1) * sizeof *den);
  if (!value || !n || !neff || !den) {
    st = mdt_error_set(err, MDT_ENOMEM, "out of memory");
    goto done;
  }
  st = mdt_weights_compute(ws.w, a->r, a->responded, NULL, &a->opt.weights, err);
  if (st != MDT_OK)
    goto done;
  if ((st = check_some_weight(a, ws.w->w, err)) != MDT_OK)
    goto done;
  key_factors(a, ws.w->w, ws.F, den);
  evaluate(a, &lay, &ws, value, n, neff);
  if (boot) {
    size_t B = a->opt.bootstrap;
    size_t G1 = a->G ? a->G : 1;
    draws = malloc(B * nr * sizeof *draws);
    top3 = calloc(B * nscopes * G1, 1);
    lo = malloc(nr * sizeof *lo);
    hi = malloc(nr * sizeof *hi);
    tmp = malloc(B * sizeof *tmp);
    freq = calloc(nscopes * G1, sizeof *freq);
    if (!draws || !top3 || !lo || !hi || !tmp || !freq) {
      st = mdt_error_set(err, MDT_ENOMEM, "out of memory for %zu bootstrap draws", B);
      goto done;
    }
    if (a->opt.keep_profile_draws && a->G > 0 &&
        (profiles = malloc(B * a->G * sizeof *profiles)) == NULL) {
      st = mdt_error_set(err, MDT_ENOMEM, "out of memory for %zu bootstrap profiles", B);
      goto done;
    }
    st = run_bootstrap(a, &lay, nscopes, draws, top3, profiles, err);
    if (st != MDT_OK)
      goto done;
    for (size_t r = 0; r < lay.nrows; r++)
      interval(draws, B, lay.nrows, r, a->opt.level, tmp, &lo[r], &hi[r]);
    for (size_t b = 0; b < B; b++)
      for (size_t k = 0; k < nscopes * a->G; k++)
        freq[k] += top3[b * nscopes * a->G + k];
    for (size_t k = 0; k < nscopes * a->G; k++)
      freq[k] /= (double)B;
  }
  st = make_result(a, &lay, nscopes, value, n, neff, lo, hi, freq, ws.w, out, err);
  if (st == MDT_OK) {
    (*out)->profile_draws = profiles;
    profiles = NULL;
    st = top_groups(a, *out, err);
  }
done:
  free(profiles);
  layout_free(&lay);
  eval_ws_free(&ws);
  free(value);
  free(n);
  free(neff);
  free(den);
  free(draws);
  free(top3);
  free(lo);
  free(hi);
  free(tmp);
  free(freq);
  return st;
}

mdt_status mdt_aggregate_answers(const mdt_respondents *r, const mdt_questionnaire *q,
                                 const mdt_groups *groups, const mdt_headcounts *headcounts,
                                 const mdt_answers *answers, const mdt_aggregate_options *opt,
                                 mdt_aggregate **out, mdt_error *err) {
  *out = NULL;
  mdt_aggregator *a = NULL;
  mdt_status st = mdt_aggregator_new(r, q, groups, headcounts, opt, &a, err);
  if (st != MDT_OK)
    return st;
  mdt_answer_batch b = {answers->n, answers->respondent, answers->option, answers->value};
  st = mdt_aggregator_add(&b, a, err);
  if (st == MDT_OK)
    st = mdt_aggregator_finish(a, out, err);
  mdt_aggregator_free(a);
  return st;
}
