#include "mandat/aggregate.h"

#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/spare.h"
#include "core/thread.h"
#include "engine/mix.h"

#include "engine/aggregate_int.h"
#include "engine/partial.h"


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
  opt->max_failed_draws = 0.05;
  opt->adopted_weight = 1;
}


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
  free(a->answered_all);
  free(a->adopted_factor);
  free(a->rank_slot);
  free(a->kind);
  free(a->ranks);
  free(a->choice_slot);
  free(a->chose);
  free(a->entries);
  free(a->ehash);
  free(a);
}

static mdt_adoption adoption_of(const mdt_respondents *r, size_t i) {
  return r->adopted ? r->adopted[i] : MDT_ADOPTED_UNKNOWN;
}

long mdt__agg_level_of(const mdt_respondents *r, long grouping, size_t i) {
  return grouping >= 0 ? r->groupings[grouping].code[i] : 0;
}

size_t mdt__agg_levels_of(const mdt_respondents *r, long grouping) {
  return grouping >= 0 ? r->groupings[grouping].nlevels : 1;
}

/* Keys: one per respondent, or one per (weighting cell, breakdown level). */
static void assign_keys(mdt_aggregator *a) {
  const mdt_respondents *r = a->r;
  const mdt_weight_options *w = &a->opt.weights;
  size_t nbreak = mdt__agg_levels_of(r, a->opt.breakdown);
  for (size_t i = 0; i < a->R; i++) {
    size_t key;
    if (a->per_respondent)
      key = i;
    else {
      size_t cell = 0;
      if (w->poststrata >= 0)
        cell = (size_t)mdt__agg_level_of(r, w->poststrata, i);
      else if (w->rake[0] >= 0)
        cell = (size_t)mdt__agg_level_of(r, w->rake[0], i) * mdt__agg_levels_of(r, w->rake[1]) +
               (size_t)mdt__agg_level_of(r, w->rake[1], i);
      key = cell * nbreak + (size_t)mdt__agg_level_of(r, a->opt.breakdown, i);
    }
    a->key_of[i] = (int32_t)key;
    a->key_break[key] = a->opt.breakdown >= 0 ? (int32_t)mdt__agg_level_of(r, a->opt.breakdown, i) : -1;
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
  if (!(opt->max_failed_draws >= 0 && opt->max_failed_draws <= 1))
    return mdt_error_set(err, MDT_EUSAGE,
                         "expected a share of failed draws from 0 to 1, found %g",
                         opt->max_failed_draws);
  for (size_t c = 0; c < q->noptions; c++)
    if (q->options[c].group >= 0 && (groups == NULL || (size_t)q->options[c].group >= groups->n))
      return mdt_error_set(err, MDT_EUSAGE, "option '%s' names a group that is not loaded",
                           q->options[c].id);
  for (size_t k = 0; k < q->nquestions; k++)
    if (q->questions[k].type == MDT_Q_RANK && q->questions[k].noptions > 255)
      return mdt_error_set(err, MDT_EDATA, "rank question '%s' has %zu options; at most 255",
                           q->questions[k].id, q->questions[k].noptions);
  if (!(opt->adopted_weight > 0) || !isfinite(opt->adopted_weight))
    return mdt_error_set(err, MDT_EUSAGE,
                         "expected an adopted weight above 0 (to leave answers out, count "
                         "political ones only), found %g",
                         opt->adopted_weight);
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
    ncell = mdt__agg_levels_of(r, w->poststrata);
  else if (w->rake[0] >= 0)
    ncell = mdt__agg_levels_of(r, w->rake[0]) * mdt__agg_levels_of(r, w->rake[1]);
  a->K = a->per_respondent ? a->R : ncell * mdt__agg_levels_of(r, opt->breakdown);
  size_t R1 = a->R ? a->R : 1, K1 = a->K ? a->K : 1;
  a->key_of = calloc(R1, sizeof *a->key_of);
  a->key_break = calloc(K1, sizeof *a->key_break);
  a->pre = calloc(R1, sizeof *a->pre);
  a->size = calloc(R1, sizeof *a->size);
  /* The sums are read before they are written (mdt__zeroed). */
  a->cells = mdt__zeroed(K1 * (a->C ? a->C : 1), sizeof *a->cells);
  a->qs = mdt__zeroed(K1 * (a->Q ? a->Q : 1), sizeof *a->qs);
  a->responded = calloc(R1, 1);
  a->answered_all = calloc(R1, 1);
  a->rank_slot = calloc(a->C ? a->C : 1, sizeof *a->rank_slot);
  a->kind = calloc(a->C ? a->C : 1, sizeof *a->kind);
  a->choice_slot = calloc(a->Q ? a->Q : 1, sizeof *a->choice_slot);
  a->ehash_cap = 1024;
  a->ehash = malloc(a->ehash_cap * sizeof *a->ehash);
  if (!a->key_of || !a->key_break || !a->pre || !a->size || !a->cells || !a->qs ||
      !a->responded || !a->answered_all || !a->rank_slot || !a->kind || !a->choice_slot ||
      !a->ehash)
    goto nomem;
  if (opt->adopted_weight != 1) {
    if ((a->adopted_factor = malloc(R1 * sizeof *a->adopted_factor)) == NULL)
      goto nomem;
    for (size_t i = 0; i < a->R; i++)
      a->adopted_factor[i] =
          adoption_of(r, i) == MDT_ADOPTED_POLITICAL ? 1.0 : opt->adopted_weight;
    a->opt.weights.member_factor = a->adopted_factor;
  }
  for (size_t k = 0; k < a->ehash_cap; k++)
    a->ehash[k] = SIZE_MAX;
  for (size_t c = 0; c < a->C; c++) {
    const mdt_question *qq = &q->questions[q->options[c].question];
    a->rank_slot[c] = qq->type == MDT_Q_RANK ? (long)a->nrank++ : -1;
    a->kind[c] = (uint8_t)qq->type;
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
  /* Without per-respondent weights the pre-weight carries the adoption factor, so that a
   * key's factor (Σw / Σpre) is the same for every member in it. */
  for (size_t i = 0; i < a->R; i++)
    a->pre[i] = a->per_respondent ? 1.0
                                  : a->size[i] * (a->adopted_factor ? a->adopted_factor[i] : 1);
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
  /* What the loop reads, in locals: its stores of flags (bytes) could otherwise be taken to
   * change them, and they would be read again for every answer. */
  const mdt_option *options = a->q->options;
  const uint8_t *kind = a->kind;
  const long *rank_slot = a->rank_slot, *choice_slot = a->choice_slot;
  unsigned char *answered_all = a->answered_all, *responded = a->responded;
  const int32_t *key_of = a->key_of;
  const double *pre = a->pre;
  const size_t R = a->R, C = a->C, nrank = a->nrank, nchoice = a->nchoice;
  const int political_only = a->opt.political_only, by_group = a->opt.by_group;
  const size_t n = batch->n;
  const int32_t *respondent = batch->respondent, *option = batch->option;
  const double *value = batch->value;
  cell_acc *cells = a->cells;
  uint8_t *all_ranks = a->ranks;
  unsigned char *all_chose = a->chose;
  /* A respondent's answers come one after another: what depends on the respondent alone is
   * taken when the respondent changes. */
  size_t last = SIZE_MAX;
  int counted = 0;
  double p = 0;
  cell_acc *row = NULL;
  uint8_t *ranks = NULL;
  unsigned char *chose = NULL;
  for (size_t k = 0; k < n; k++) {
    size_t i = (size_t)respondent[k];
    size_t c = (size_t)option[k];
    double v = value[k];
    if (i != last) {
      if (i >= R)
        return mdt_error_set(err, MDT_EINTERNAL, "answer outside the tables (%zu, %zu)", i, c);
      last = i;
      answered_all[i] = 1;
      /* Left out with political_only: the member counts as not having answered. */
      counted = !political_only || adoption_of(a->r, i) == MDT_ADOPTED_POLITICAL;
      if (counted) {
        responded[i] = 1;
        p = pre[i];
        row = cells + (size_t)key_of[i] * C;
        ranks = all_ranks ? all_ranks + i * nrank : NULL;
        chose = all_chose ? all_chose + i * nchoice : NULL;
      }
    }
    if (c >= C)
      return mdt_error_set(err, MDT_EINTERNAL, "answer outside the tables (%zu, %zu)", i, c);
    if (!counted)
      continue;
    double pw = by_group ? p * option_factor(a, i, c) : p;
    cell_acc *acc = row + c;
    switch ((mdt_question_type)kind[c]) {
    case MDT_Q_SCORE:
    case MDT_Q_SHARE:
      acc->cnt += 1;
      acc->s0 += pw;
      acc->s1 += pw * v;
      acc->s2 += pw * v * v;
      acc->q += pw * pw;
      if (kind[c] == MDT_Q_SHARE &&
          add_share_entry(a, key_of[i], (int32_t)c, v, pw) != 0)
        return mdt_error_set(err, MDT_ENOMEM, "out of memory aggregating shares");
      break;
    case MDT_Q_RANK:
      ranks[(size_t)rank_slot[c]] = (uint8_t)v;
      break;
    case MDT_Q_CHOICE:
      chose[(size_t)choice_slot[options[c].question]] = 1;
      if (v == 1)
        acc->s1 += pw;
      break;
    case MDT_Q_TEXT: /* no options, so no answer in answers.csv can name one */
      break;
    }
  }
  return MDT_OK;
}

/* Room for one rank question's positions and counts per rank (at most 255 options). It lives
 * in the caller's frame, once per thread: a 4 kB frame here would keep the compiler from
 * inlining this function into the loop over respondents. */
typedef struct {
  double pos[256];
  unsigned count_at[258], better[258];
} rank_scratch;

/* add_rank_question for an answer that gives each rank at most once (seen: the ranks given,
 * as bits 0..n-1 for ranks 1..n), without weighting by group: the general way's numbers
 * (each count per rank is 1 or 0, so every (c - 1) / 2 and c³ - c is 0) in one pass over
 * the options and no branch on an option's rank, which the processor cannot foresee (ranks
 * come in any order). Returns the tie term. */
static double add_distinct_ranks(cell_acc *acc, const uint8_t *given, size_t n, size_t nranked,
                                 uint64_t seen, double p) {
  double pos_of[65]; /* the position of an option given rank v, or none (v = 0) */
  unsigned of_rank[65];
  double nun = (double)(n - nranked);
  unsigned ahead = 0; /* options ranked better than rank v */
  pos_of[0] = (double)nranked + 1.0 + (nun - 1) / 2.0;
  for (size_t v = 1; v <= n; v++) {
    pos_of[v] = 1.0 + ahead + 0.0;
    ahead += (unsigned)(seen >> (v - 1)) & 1u;
  }
  for (size_t j = 0; j < n; j++) {
    double pos = pos_of[given[j]];
    acc[j].s1 += p * ((double)n - pos);
    acc[j].rpos += p * pos;
    of_rank[given[j]] = (unsigned)j;
  }
  /* The options ranked 1 to 3 are the only ones whose t1 and t3 grow (adding 0 to a sum of
   * weights leaves it as it was). */
  for (unsigned r = 1; r <= 3; r++)
    if ((seen >> (r - 1)) & 1)
      acc[of_rank[r]].t3 += p;
  if (seen & 1)
    acc[of_rank[1]].t1 += p;
  return nun * nun * nun - nun;
}

/* Turns one respondent's ranks for question qi into positions, points and the tie term. */
static void add_rank_question(mdt_aggregator *a, size_t i, size_t qi, rank_scratch *s) {
  const mdt_question *qq = &a->q->questions[qi];
  size_t n = qq->noptions;
  const uint8_t *given = &a->ranks[i * a->nrank + (size_t)a->rank_slot[qq->first_option]];
  /* Ranks are 0 (not ranked) or 1..n (validated): with n <= 64 the set of ranks given is a
   * word, and a rank given twice a bit found set already. */
  size_t nranked = 0;
  uint64_t seen = 0, again = 0;
  if (n <= 64)
    for (size_t j = 0; j < n; j++) {
      uint64_t bit = (uint64_t)(given[j] != 0) << ((given[j] - 1u) & 63u);
      nranked += given[j] != 0;
      again |= seen & bit;
      seen |= bit;
    }
  else
    for (size_t j = 0; j < n; j++)
      nranked += given[j] != 0;
  if (nranked == 0)
    return;
  size_t key = (size_t)a->key_of[i];
  double p = a->pre[i];
  cell_acc *acc = &a->cells[key * a->C + qq->first_option];
  double tie_term = 0;
  if (n <= 64 && again == 0 && !a->opt.by_group && !a->general_ranks) {
    tie_term = add_distinct_ranks(acc, given, n, nranked, seen, p);
  } else {
    /* Position of an option = 1 + options ranked strictly better + (ties - 1)/2. Ranks are
     * 1..n (validated), so counts per rank need n + 2 slots. */
    double *pos = s->pos;
    unsigned *count_at = s->count_at, *better = s->better;
    for (size_t v = 0; v <= n + 1; v++)
      count_at[v] = 0;
    for (size_t j = 0; j < n; j++)
      count_at[given[j]]++;
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
    if (!a->opt.by_group) {
      /* Every option's weight is p: its count, Σ p and Σ p² are the question's
       * (shared_sums), and the options ranked 1 to 3 are the only ones whose t1 and t3
       * grow. */
      for (size_t j = 0; j < n; j++) {
        acc[j].s1 += p * ((double)n - pos[j]);
        acc[j].rpos += p * pos[j];
      }
      for (size_t j = 0; j < n; j++)
        if (given[j] >= 1 && given[j] <= 3) {
          acc[j].t3 += p;
          if (given[j] == 1)
            acc[j].t1 += p;
        }
    } else
      for (size_t j = 0; j < n; j++) {
        double pw = p * option_factor(a, i, qq->first_option + j);
        acc[j].cnt += 1;
        acc[j].s0 += pw;
        acc[j].s1 += pw * ((double)n - pos[j]);
        acc[j].q += pw * pw;
        acc[j].t1 += given[j] == 1 ? pw : 0;
        acc[j].t3 += given[j] >= 1 && given[j] <= 3 ? pw : 0;
        acc[j].rpos += p * pos[j];
      }
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
  for (size_t j = 0; j < qq->noptions && a->opt.by_group; j++) { /* else shared_sums */
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

static int is_summed_later(const mdt_question *qq) {
  return qq->type == MDT_Q_RANK || qq->type == MDT_Q_CHOICE;
}

/* Without weighting by group a respondent gives every option of a rank or choice question it
 * answered the same count, weight p and p² as the question itself (add_rank_question,
 * add_choice_question): the options' cnt, s0 and q are the question's sums, the same terms in
 * the same order, and are copied from them once all are in rather than summed per option. */
static void shared_sums(mdt_aggregator *a) {
  for (size_t k = 0; k < a->K; k++)
    for (size_t qi = 0; qi < a->Q; qi++) {
      const mdt_question *qq = &a->q->questions[qi];
      const question_acc *qa = &a->qs[k * a->Q + qi];
      if (!is_summed_later(qq) || qa->cnt == 0)
        continue;
      cell_acc *acc = &a->cells[k * a->C + qq->first_option];
      for (size_t j = 0; j < qq->noptions; j++) {
        acc[j].cnt = qa->cnt;
        acc[j].s0 = qa->s0;
        acc[j].q = qa->q;
      }
    }
}

/* Adds the answers to rank and choice questions first .. last - 1, respondent by respondent.
 * A question's sums (its options' cells and its question_acc, per key) get terms from that
 * question alone and in respondent order, so they come out the same whichever thread adds
 * which questions. */
static void add_questions(mdt_aggregator *a, size_t first, size_t last) {
  rank_scratch scratch;
  for (size_t i = 0; i < a->R; i++) {
    if (!a->responded[i])
      continue;
    for (size_t qi = first; qi < last; qi++) {
      if (a->q->questions[qi].type == MDT_Q_RANK)
        add_rank_question(a, i, qi, &scratch);
      else if (a->q->questions[qi].type == MDT_Q_CHOICE &&
               a->chose[i * a->nchoice + (size_t)a->choice_slot[qi]])
        add_choice_question(a, i, qi);
    }
  }
}

/* Below this many (respondent, option) terms a thread costs more to start than it saves. */
#define SUMS_THREAD_MIN_TERMS 32768
#define SUMS_MAX_THREADS 64

/* One thread's questions: a run of neighbours, so that the threads share few cache lines of
 * the sums (and each reads its own stretch of a respondent's ranks). */
typedef struct {
  mdt_aggregator *a;
  size_t first, last;
} sums_part;

static void *sums_worker(void *arg) {
  sums_part *p = arg;
  add_questions(p->a, p->first, p->last);
  return NULL;
}

/* Cuts the questions into up to nparts runs with about the same number of rank and choice
 * options each; returns the number of runs. */
static size_t split_questions(mdt_aggregator *a, size_t nparts, sums_part *part) {
  size_t total = 0, done = 0, n = 0;
  for (size_t qi = 0; qi < a->Q; qi++)
    total += is_summed_later(&a->q->questions[qi]) ? a->q->questions[qi].noptions : 0;
  part[0] = (sums_part){a, 0, a->Q};
  for (size_t qi = 0; qi < a->Q && n + 1 < nparts; qi++) {
    if (!is_summed_later(&a->q->questions[qi]))
      continue;
    done += a->q->questions[qi].noptions;
    if (done * nparts >= (n + 1) * total && done < total) {
      part[n].last = qi + 1;
      part[++n] = (sums_part){a, qi + 1, a->Q};
    }
  }
  return n + 1;
}

/* Turns the ranks and choices of the members that answered into sums, on up to opt.threads
 * threads. With one thread asked for, little work, or threads that cannot start, the calling
 * thread adds (the rest of) them: the sums are the same. */
static void add_ranks_and_choices(mdt_aggregator *a, size_t answered) {
  size_t options = 0;
  for (size_t qi = 0; qi < a->Q; qi++)
    options += is_summed_later(&a->q->questions[qi]) ? a->q->questions[qi].noptions : 0;
  size_t nthreads = (size_t)a->opt.threads;
  if (nthreads > SUMS_MAX_THREADS)
    nthreads = SUMS_MAX_THREADS;
  if (answered * options < SUMS_THREAD_MIN_TERMS)
    nthreads = 1;
  sums_part part[SUMS_MAX_THREADS];
  size_t nparts = split_questions(a, nthreads, part);
  pthread_t tids[SUMS_MAX_THREADS];
  int started[SUMS_MAX_THREADS] = {0};
  for (size_t t = 1; t < nparts; t++)
    started[t] = mdt__thread_create(&tids[t], sums_worker, &part[t]) == 0;
  for (size_t t = 0; t < nparts; t++)
    if (t == 0 || !started[t])
      add_questions(a, part[t].first, part[t].last);
  for (size_t t = 1; t < nparts; t++)
    if (started[t])
      pthread_join(tids[t], NULL);
  if (!a->opt.by_group)
    shared_sums(a);
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
  free(agg->answered);
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
  agg->answered = malloc(a->R ? a->R : 1);
  agg->empty = calloc(w->nempty ? w->nempty : 1, sizeof *agg->empty);
  agg->profiles = calloc(nscopes, sizeof *agg->profiles);
  if (!agg->rows || !agg->weights || !agg->size || !agg->responded || !agg->answered ||
      !agg->empty ||
      !agg->profiles)
    goto nomem;
  memcpy(agg->weights, w->w, a->R * sizeof *agg->weights);
  memcpy(agg->size, w->size, a->R * sizeof *agg->size);
  memcpy(agg->responded, a->responded, a->R);
  memcpy(agg->answered, a->answered_all, a->R);
  for (size_t i = 0; i < a->R; i++) {
    if (!a->answered_all[i])
      continue;
    agg->answered_by_adoption[adoption_of(a->r, i)]++;
    agg->nexcluded += !a->responded[i];
  }
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
  /* n of a profile row: the respondents of its group's priority questions (the largest n
   * among the rows of those options in its scope; of equal ones, the first by option, then
   * by row). Found in one pass over the rows, per (scope, group). */
  double *best_n = malloc(nscopes * G1 * sizeof *best_n);
  double *best_ne = malloc(nscopes * G1 * sizeof *best_ne);
  size_t *best_at = malloc(nscopes * G1 * 2 * sizeof *best_at); /* option, row */
  if (!best_n || !best_ne || !best_at) {
    free(best_n);
    free(best_ne);
    free(best_at);
    goto nomem;
  }
  for (size_t k = 0; k < nscopes * G1; k++) {
    best_n[k] = 0;
    best_ne[k] = NAN;
  }
  for (size_t k = 0; k < lay->nrows; k++) {
    long c = lay->rows[k].option;
    if (c < 0 || (size_t)c >= a->C)
      continue;
    const mdt_option *o = &a->q->options[c];
    if (o->group < 0 || (size_t)o->group >= G1 ||
        a->q->questions[o->question].role != MDT_ROLE_PRIORITY)
      continue;
    size_t at = (size_t)lay->rows[k].scope * G1 + (size_t)o->group;
    int none = best_n[at] == 0; /* no row yet: an n above 0 is needed */
    int before = (size_t)c < best_at[2 * at] ||
                 ((size_t)c == best_at[2 * at] && k < best_at[2 * at + 1]);
    if (n[k] > best_n[at] || (!none && n[k] == best_n[at] && before)) {
      best_n[at] = n[k];
      best_ne[at] = neff[k];
      best_at[2 * at] = (size_t)c;
      best_at[2 * at + 1] = k;
    }
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
      size_t at = (size_t)rs->scope * G1 + (size_t)rs->group;
      e->n = best_n[at];
      e->n_eff = best_ne[at];
    } else if (rs->stat == MDT_STAT_TOP3_FREQUENCY) {
      e->value = top3freq ? top3freq[(size_t)rs->scope * a->G + (size_t)rs->group] : NAN;
      e->ci_low = e->ci_high = NAN;
      p->top3_frequency[rs->group] = e->value;
      e->n = r > 0 ? agg->rows[r - 1].n : 0;
      e->n_eff = r > 0 ? agg->rows[r - 1].n_eff : NAN;
    }
  }
  free(best_n);
  free(best_ne);
  free(best_at);
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

/* ----------------------------------------------------------- raw draws -- */

void mdt__boot_raw_free(mdt__boot_raw *b) {
  if (b == NULL)
    return;
  free(b->draws);
  free(b->top3);
  free(b->profiles);
  free(b->dropped);
  b->draws = b->profiles = NULL;
  b->top3 = b->dropped = NULL;
}

void mdt__aggregator_set_raw(mdt_aggregator *a, mdt__boot_raw *raw) { a->raw = raw; }

void mdt__aggregator_set_general_ranks(mdt_aggregator *a, int on) { a->general_ranks = on; }

/* Checks that given draws have the shape this aggregation's draws have. */
static mdt_status take_raw(const mdt_aggregator *a, const mdt__boot_raw *raw, size_t nrows,
                           size_t nscopes, mdt_error *err) {
  int profiles = a->opt.keep_profile_draws && a->G > 0;
  if (raw->B != a->opt.bootstrap || raw->nrows != nrows || raw->ntop3 != nscopes * a->G ||
      (raw->profiles != NULL) != profiles || (profiles && raw->G != a->G) ||
      raw->draws == NULL || raw->top3 == NULL || raw->dropped == NULL)
    return mdt_error_set(err, MDT_EDATA,
                         "the bootstrap draws given (%zu draws of %zu estimates) do not fit "
                         "this aggregation (%zu draws of %zu estimates)",
                         raw->B, raw->nrows, (size_t)a->opt.bootstrap, nrows);
  return MDT_OK;
}

/* Hands a slice's draws to raw (the arrays move; the caller's pointers are cleared). */
static void give_raw(const mdt_aggregator *a, mdt__boot_raw *raw, size_t nrows,
                     size_t nscopes, double **draws, unsigned char **top3, double **profiles,
                     unsigned char **dropped, size_t first_drop, const mdt_error *drop_err) {
  raw->B = a->opt.bootstrap;
  raw->nrows = nrows;
  raw->ntop3 = nscopes * a->G;
  raw->G = *profiles != NULL ? a->G : 0;
  raw->draws = *draws;
  raw->top3 = *top3;
  raw->profiles = *profiles;
  raw->dropped = *dropped;
  raw->first_drop = first_drop;
  raw->drop_err = *drop_err;
  *draws = *profiles = NULL;
  *top3 = *dropped = NULL;
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
  add_ranks_and_choices(a, answered);
  size_t nscopes = 1 + (a->opt.breakdown >= 0 ? mdt__agg_levels_of(a->r, a->opt.breakdown) : 0);
  layout lay;
  eval_ws ws;
  memset(&ws, 0, sizeof ws);
  double *value = NULL, *n = NULL, *neff = NULL, *draws = NULL, *lo = NULL, *hi = NULL,
         *tmp = NULL, *freq = NULL, *den = NULL, *profiles = NULL;
  unsigned char *top3 = NULL, *dropped = NULL;
  size_t used = 0, first_drop = SIZE_MAX;
  mdt_error drop_err;
  mdt_error_clear(&drop_err);
  int boot = a->opt.bootstrap > 0;
  mdt_status st = mdt__agg_build_layout(a, &lay, nscopes, boot, err);
  if (st != MDT_OK)
    goto done;
  st = mdt__agg_eval_ws_init(&ws, a, &lay, nscopes, err);
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
  mdt__agg_key_factors(a, ws.w->w, ws.F, den);
  mdt__agg_evaluate(a, &lay, &ws, value, n, neff);
  if (boot) {
    size_t B = a->opt.bootstrap;
    size_t G1 = a->G ? a->G : 1;
    mdt__boot_raw *raw = a->raw;
    int given = raw != NULL && raw->mode == MDT__BOOT_GIVEN;
    if (given) {
      if ((st = take_raw(a, raw, lay.nrows, nscopes, err)) != MDT_OK)
        goto done;
      draws = raw->draws;
      top3 = raw->top3;
      profiles = raw->profiles;
      dropped = raw->dropped;
      raw->draws = raw->profiles = NULL;
      raw->top3 = raw->dropped = NULL;
      first_drop = raw->first_drop;
      drop_err = raw->drop_err;
    } else {
      draws = malloc(B * nr * sizeof *draws);
      top3 = calloc(B * nscopes * G1, 1);
      dropped = calloc(B, 1);
    }
    lo = malloc(nr * sizeof *lo);
    hi = malloc(nr * sizeof *hi);
    tmp = malloc(B * sizeof *tmp);
    freq = calloc(nscopes * G1, sizeof *freq);
    if (!draws || !top3 || !lo || !hi || !tmp || !freq || !dropped) {
      st = mdt_error_set(err, MDT_ENOMEM, "out of memory for %zu bootstrap draws", B);
      goto done;
    }
    if (!given && a->opt.keep_profile_draws && a->G > 0 &&
        (profiles = malloc(B * a->G * sizeof *profiles)) == NULL) {
      st = mdt_error_set(err, MDT_ENOMEM, "out of memory for %zu bootstrap profiles", B);
      goto done;
    }
    if (!given)
      st = mdt__agg_run_bootstrap(a, &lay, nscopes, ws.w, draws, top3, profiles, dropped, err,
                                  &first_drop, &drop_err);
    if (st != MDT_OK)
      goto done;
    if (raw != NULL && raw->mode == MDT__BOOT_SLICE) {
      /* A slice hands its draws over as they are; the whole run's summaries need them all. */
      give_raw(a, raw, lay.nrows, nscopes, &draws, &top3, &profiles, &dropped, first_drop,
               &drop_err);
      free(lo);
      free(hi);
      free(freq);
      lo = hi = freq = NULL;
      boot = 0;
      goto result;
    }
    used = mdt__agg_keep_draws(dropped, B, draws, lay.nrows * sizeof *draws);
    mdt__agg_keep_draws(dropped, B, top3, nscopes * a->G);
    if (profiles)
      mdt__agg_keep_draws(dropped, B, profiles, a->G * sizeof *profiles);
    if ((st = mdt__agg_check_dropped(a, B - used, first_drop, &drop_err, err)) != MDT_OK)
      goto done;
    for (size_t r = 0; r < lay.nrows; r++)
      mdt__agg_interval(draws, used, lay.nrows, r, a->opt.level, tmp, &lo[r], &hi[r]);
    for (size_t b = 0; b < used; b++)
      for (size_t k = 0; k < nscopes * a->G; k++)
        freq[k] += top3[b * nscopes * a->G + k];
    for (size_t k = 0; k < nscopes * a->G; k++)
      freq[k] = used > 0 ? freq[k] / (double)used : NAN;
  }
result:
  st = make_result(a, &lay, nscopes, value, n, neff, lo, hi, freq, ws.w, out, err);
  if (st == MDT_OK) {
    (*out)->bootstrap = used;
    (*out)->draws_dropped = boot ? a->opt.bootstrap - used : 0;
    if (first_drop != SIZE_MAX) {
      (*out)->first_dropped = first_drop + 1;
      snprintf((*out)->dropped_reason, sizeof (*out)->dropped_reason, "%.255s", drop_err.message);
    }
    (*out)->profile_draws = profiles;
    profiles = NULL;
    st = top_groups(a, *out, err);
  }
done:
  free(profiles);
  mdt__agg_layout_free(&lay);
  mdt__agg_eval_ws_free(&ws);
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
  free(dropped);
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
  mdt_answer_batch b = {answers->n, answers->respondent, answers->option, answers->value,
                        answers->n};
  st = mdt_aggregator_add(&b, a, err);
  if (st == MDT_OK)
    st = mdt_aggregator_finish(a, out, err);
  mdt_aggregator_free(a);
  return st;
}

