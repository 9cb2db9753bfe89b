/* Synthetic answers to a model's questionnaire (see mandat/synth.h for the model). */
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mandat/synth.h"
#include "model/synth_int.h"
#include "model/write.h"

/* Response: logit p = alpha + RESPONSE_SIZE_SLOPE x z(log employees); alpha centres the mean
 * probability on the response rate. */
#define RESPONSE_SIZE_SLOPE 0.7
/* Low-pay orientation L: mean -LOWPAY_SIZE x z for kommuner (small ones lean to low pay),
 * LOWPAY_FYLKE for fylkeskommuner; s.d. LOWPAY_SD. */
#define LOWPAY_SIZE 0.5
#define LOWPAY_FYLKE (-0.8)
#define LOWPAY_SD 0.8
/* Noise: member x group utility, region x group effect, per-question jitter. */
#define UTILITY_SD 0.5
#define REGION_SD 0.25
#define QUESTION_SD 0.3
/* A member skips a question after the first with this probability. */
#define ITEM_NONRESPONSE 0.03
/* Rankings: this share ranks only its top 3-5; where ties are allowed, this share ties two
 * neighbours. */
#define PARTIAL_RANK_SHARE 0.3
#define TIE_SHARE 0.2
/* Scores on 1-5: 3.4 + 0.9 x (utility - the member's mean) + leniency + noise. */
#define SCORE_MID 3.4
#define SCORE_SLOPE 0.9
#define LENIENCY_SD 0.4
#define SCORE_SD 0.5
/* Local share in percent: 18 + 5 x z - 3 x L (+3 for fylkeskommuner) + noise (s.d. 7);
 * 60 % of members give a multiple of 5. */
#define SHARE_BASE 18.0
#define SHARE_SIZE 5.0
#define SHARE_LOWPAY 3.0
#define SHARE_FYLKE 3.0
#define SHARE_SD 7.0
#define SHARE_ROUND5 0.6

/* Choice options by id: utility = base + lowpay x L (+ fylke for fylkeskommuner) + Gumbel. */
static const struct {
  const char *id;
  double base, lowpay, fylke;
} choice_params[] = {
    {"krone", 0.0, 1.1, 0.0},   {"prosent", -0.2, -1.1, 0.0},  {"kombinasjon", 0.5, 0.0, 0.0},
    {"lavtlonn", 0.0, 1.1, 0.0}, {"utdanning", 0.0, -1.1, 0.5}, {"balansert", 0.6, 0.0, 0.0},
};

static double logistic(double x) { return 1.0 / (1.0 + exp(-x)); }

/* alpha such that the mean of logistic(alpha + slope z_i) is rate (bisection; monotone). */
static double centre_response(const double *z, size_t n, double rate) {
  double lo = -60, hi = 60;
  for (int it = 0; it < 200; it++) {
    double mid = 0.5 * (lo + hi), mean = 0;
    for (size_t i = 0; i < n; i++)
      mean += logistic(mid + RESPONSE_SIZE_SLOPE * z[i]);
    mean /= (double)n;
    if (mean < rate)
      lo = mid;
    else
      hi = mid;
  }
  return 0.5 * (lo + hi);
}

typedef struct {
  const mdt_respondents *r;
  const mdt_groups *g;
  const mdt_questionnaire *q;
  gsl_rng *rng;
  mdt__writer w;
  const mdt__synth_group **params; /* per group */
  double *region_effect;           /* region level x group */
  unsigned char *north;            /* per region level */
  double *util;                    /* per group: this member's utility */
  double *ou;                      /* per option of a question: utility */
  int *rank;                       /* per option of a question: rank, 0 = unranked */
  size_t *order;                   /* options sorted by utility */
  size_t rows;
} gen_state;

static void put_value(mdt__writer *w, double v) {
  if (v == floor(v) && fabs(v) < 1e15)
    mdt__put_i64(w, (int64_t)v);
  else
    mdt__put_double(w, v);
}

static void put_row(gen_state *s, size_t m, const mdt_question *qu, size_t opt, double v) {
  mdt__writer *w = &s->w;
  mdt__put_field(w, s->r->id[m]);
  mdt__put_char(w, ',');
  mdt__put_field(w, qu->id);
  mdt__put_char(w, ',');
  mdt__put_field(w, s->q->options[opt].id);
  mdt__put_char(w, ',');
  put_value(w, v);
  mdt__put_char(w, '\n');
  s->rows++;
}

/* Utility of option k of question qu for the current member, with per-question jitter. */
static void option_utilities(gen_state *s, const mdt_question *qu) {
  for (size_t k = 0; k < qu->noptions; k++) {
    long grp = s->q->options[qu->first_option + k].group;
    double base = grp >= 0 ? s->util[grp] : gsl_ran_gaussian_ziggurat(s->rng, 1.0);
    s->ou[k] = base + gsl_ran_gaussian_ziggurat(s->rng, QUESTION_SD);
  }
}

static void write_rank(gen_state *s, size_t m, const mdt_question *qu) {
  size_t n = qu->noptions;
  option_utilities(s, qu);
  /* Insertion sort by utility, highest first; equal utilities keep option order. */
  for (size_t k = 0; k < n; k++) {
    size_t j = k;
    while (j > 0 && s->ou[s->order[j - 1]] < s->ou[k]) {
      s->order[j] = s->order[j - 1];
      j--;
    }
    s->order[j] = k;
  }
  size_t nranked = n;
  if (n >= 4 && gsl_rng_uniform(s->rng) < PARTIAL_RANK_SHARE) {
    nranked = 3 + gsl_rng_uniform_int(s->rng, 3);
    if (nranked > n - 1)
      nranked = n - 1;
  }
  for (size_t k = 0; k < n; k++)
    s->rank[k] = 0;
  for (size_t p = 0; p < nranked; p++)
    s->rank[s->order[p]] = (int)p + 1;
  /* A tie gives two neighbours the better rank; the next rank is skipped (1, 2, 2, 4). */
  if (qu->ties && nranked >= 2 && gsl_rng_uniform(s->rng) < TIE_SHARE) {
    size_t p = 1 + gsl_rng_uniform_int(s->rng, nranked - 1);
    s->rank[s->order[p]] = s->rank[s->order[p - 1]];
  }
  for (size_t k = 0; k < n; k++)
    if (s->rank[k] > 0)
      put_row(s, m, qu, qu->first_option + k, s->rank[k]);
}

/* Rounds a value mapped onto [min, max]: whole numbers on a whole range of width >= 4,
 * otherwise hundredths of the range. */
static double round_in_range(double v, double min, double max) {
  if (v < min)
    v = min;
  if (v > max)
    v = max;
  if (min == floor(min) && max == floor(max) && max - min >= 4)
    return floor(v + 0.5);
  double step = (max - min) / 100;
  double r = min + floor((v - min) / step + 0.5) * step;
  return r > max ? max : r < min ? min : r;
}

static void write_score(gen_state *s, size_t m, const mdt_question *qu, double leniency) {
  size_t n = qu->noptions;
  option_utilities(s, qu);
  double mean = 0;
  for (size_t k = 0; k < n; k++)
    mean += s->ou[k];
  mean /= (double)n;
  for (size_t k = 0; k < n; k++) {
    double on5 = SCORE_MID + SCORE_SLOPE * (s->ou[k] - mean) + leniency +
                 gsl_ran_gaussian_ziggurat(s->rng, SCORE_SD);
    double v = qu->min + (qu->max - qu->min) * (on5 - 1) / 4;
    put_row(s, m, qu, qu->first_option + k, round_in_range(v, qu->min, qu->max));
  }
}

static void write_share(gen_state *s, size_t m, const mdt_question *qu, double z, double L) {
  int fylke = s->r->kind[m] == MDT_KIND_FYLKESKOMMUNE;
  for (size_t k = 0; k < qu->noptions; k++) {
    double pct = SHARE_BASE + SHARE_SIZE * z - SHARE_LOWPAY * L + (fylke ? SHARE_FYLKE : 0) +
                 gsl_ran_gaussian_ziggurat(s->rng, SHARE_SD);
    pct = pct < 0 ? 0 : pct > 100 ? 100 : pct;
    if (gsl_rng_uniform(s->rng) < SHARE_ROUND5)
      pct = 5 * floor(pct / 5 + 0.5);
    double v = qu->min + (qu->max - qu->min) * pct / 100;
    put_row(s, m, qu, qu->first_option + k, round_in_range(v, qu->min, qu->max));
  }
}

static void write_choice(gen_state *s, size_t m, const mdt_question *qu, double L) {
  int fylke = s->r->kind[m] == MDT_KIND_FYLKESKOMMUNE;
  size_t best = 0;
  double best_u = -INFINITY;
  for (size_t k = 0; k < qu->noptions; k++) {
    const char *id = s->q->options[qu->first_option + k].id;
    double u = 0;
    for (size_t c = 0; c < sizeof choice_params / sizeof choice_params[0]; c++)
      if (strcmp(choice_params[c].id, id) == 0)
        u = choice_params[c].base + choice_params[c].lowpay * L +
            (fylke ? choice_params[c].fylke : 0);
    u += gsl_ran_gumbel1(s->rng, 1.0, 1.0);
    if (u > best_u) {
      best_u = u;
      best = k;
    }
  }
  for (size_t k = 0; k < qu->noptions; k++)
    put_row(s, m, qu, qu->first_option + k, k == best ? 1 : 0);
}

/* Draws one answering member's utilities and writes its answers. */
static void write_member(gen_state *s, size_t m, double z, size_t region) {
  const mdt_respondents *r = s->r;
  int fylke = r->kind[m] == MDT_KIND_FYLKESKOMMUNE;
  double L = (fylke ? LOWPAY_FYLKE : -LOWPAY_SIZE * z) +
             gsl_ran_gaussian_ziggurat(s->rng, LOWPAY_SD);
  double leniency = gsl_ran_gaussian_ziggurat(s->rng, LENIENCY_SD);
  for (size_t gi = 0; gi < s->g->n; gi++) {
    const mdt__synth_group *p = s->params[gi];
    s->util[gi] = p->base + p->lowpay_load * L + (fylke ? p->fylke_effect : 0) +
                  (s->north[region] ? p->north_effect : 0) +
                  s->region_effect[region * s->g->n + gi] +
                  gsl_ran_gaussian_ziggurat(s->rng, UTILITY_SD);
  }
  for (size_t qi = 0; qi < s->q->nquestions; qi++) {
    const mdt_question *qu = &s->q->questions[qi];
    /* Text answers come from their own step (mdt_synth_text_answers_write); skipping the
     * question before any draw leaves every numeric answer as it was without it. */
    if (qu->type == MDT_Q_TEXT)
      continue;
    if (qi > 0 && gsl_rng_uniform(s->rng) < ITEM_NONRESPONSE)
      continue;
    switch (qu->type) {
    case MDT_Q_RANK:
      write_rank(s, m, qu);
      break;
    case MDT_Q_SCORE:
      write_score(s, m, qu, leniency);
      break;
    case MDT_Q_SHARE:
      write_share(s, m, qu, z, L);
      break;
    case MDT_Q_CHOICE:
      write_choice(s, m, qu, L);
      break;
    case MDT_Q_TEXT:
      break;
    }
  }
}

mdt_status mdt_synth_answers_write(const mdt_respondents *r, const mdt_groups *g,
                                   const mdt_questionnaire *q,
                                   const mdt_synth_answers_options *o, FILE *fp,
                                   mdt_synth_answers_summary *summary, mdt_error *err) {
  if (!(o->response_rate > 0 && o->response_rate <= 1))
    return mdt_error_set(err, MDT_EUSAGE, "expected a response rate above 0 and at most 1, "
                                          "found %g",
                         o->response_rate);
  if (q->nquestions == 0)
    return mdt_error_set(err, MDT_EDATA, "the questionnaire has no questions");
  const mdt_grouping *region = mdt_respondents_grouping(r, "region");
  if (region == NULL)
    return mdt_error_set(err, MDT_EINTERNAL, "respondents without a region column");
  size_t maxopt = 1;
  for (size_t qi = 0; qi < q->nquestions; qi++)
    if (q->questions[qi].noptions > maxopt)
      maxopt = q->questions[qi].noptions;
  size_t ng = g->n ? g->n : 1;
  gen_state s = {0};
  mdt_status st = MDT_OK;
  s.r = r;
  s.g = g;
  s.q = q;
  double *z = malloc(r->n * sizeof *z);
  s.params = malloc(ng * sizeof *s.params);
  s.region_effect = malloc(region->nlevels * ng * sizeof *s.region_effect);
  s.north = malloc(region->nlevels + 1);
  s.util = malloc(ng * sizeof *s.util);
  s.ou = malloc(maxopt * sizeof *s.ou);
  s.rank = malloc(maxopt * sizeof *s.rank);
  s.order = malloc(maxopt * sizeof *s.order);
  s.rng = mdt__synth_rng(o->seed);
  int writer_ok = mdt__writer_init(&s.w, fp) == 0;
  if (!z || !s.params || !s.region_effect || !s.north || !s.util || !s.ou || !s.rank ||
      !s.order || !s.rng || !writer_ok) {
    st = mdt_error_set(err, MDT_ENOMEM, "out of memory generating answers");
    goto done;
  }
  for (size_t gi = 0; gi < g->n; gi++) {
    const mdt__synth_group *p = mdt__synth_group_params(g->id[gi]);
    s.params[gi] = p != NULL ? p : &mdt__synth_default_group;
  }
  /* Region effects first, in level order, so they do not depend on who answers. */
  for (size_t l = 0; l < region->nlevels; l++) {
    s.north[l] = (unsigned char)mdt__synth_is_north(region->levels[l]);
    for (size_t gi = 0; gi < g->n; gi++)
      s.region_effect[l * ng + gi] = gsl_ran_gaussian_ziggurat(s.rng, REGION_SD);
  }
  mdt__synth_log_size_z(r, r->employees, -1, z);
  double alpha = o->response_rate < 1 ? centre_response(z, r->n, o->response_rate) : 0;
  size_t responding = 0;
  mdt__put_str(&s.w, "respondent,question,option,value\n");
  for (size_t m = 0; m < r->n; m++) {
    double u = gsl_rng_uniform(s.rng);
    if (o->response_rate < 1 && u >= logistic(alpha + RESPONSE_SIZE_SLOPE * z[m]))
      continue;
    size_t before = s.rows;
    write_member(&s, m, z[m], (size_t)region->code[m]);
    responding += s.rows > before;
  }
  if (mdt__writer_close(&s.w) != 0 || ferror(fp)) {
    st = mdt__writer_error(&s.w, "the answers", err);
    goto done;
  }
  writer_ok = 0;
  if (summary != NULL) {
    summary->members = r->n;
    summary->responding = responding;
    summary->rows = s.rows;
  }
done:
  if (writer_ok)
    mdt__writer_close(&s.w);
  gsl_rng_free(s.rng);
  free(z);
  free(s.params);
  free(s.region_effect);
  free(s.north);
  free(s.util);
  free(s.ou);
  free(s.rank);
  free(s.order);
  return st;
}
