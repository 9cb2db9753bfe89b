/* The aggregate's estimates: weighted sums into statistics, and the layout of their rows. */
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

#include "engine/aggregate_int.h"

/* ------------------------------------------------------------- estimates -- */



void mdt__agg_eval_ws_free(eval_ws *ws) {
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

mdt_status mdt__agg_eval_ws_init(eval_ws *ws, const mdt_aggregator *a, const layout *lay,
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
    mdt__agg_eval_ws_free(ws);
    return mdt_error_set(err, MDT_ENOMEM, "out of memory evaluating estimates");
  }
  mdt_status st = mdt_weights_new(a->r, &ws->w, err);
  if (st != MDT_OK)
    mdt__agg_eval_ws_free(ws);
  return st;
}

/* Key factors from member weights: F_k = Σ_{i in k} w_i / Σ_{i in k, answered} pre_i. */
void mdt__agg_key_factors(const mdt_aggregator *a, const double *w, double *F, double *den) {
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

/* The keys' sums times their factors, into each scope: a key of a breakdown level into its
 * level's scope, and every scope's sums then into the national one (scope 0), after the
 * keys of no level, in level order. Each key's terms are added once, not once per scope. */
/* dst += f x src, the square of f on the sum of squared weights. */
static inline void add_cell(cell_acc *dst, const cell_acc *src, double f, double f2) {
  dst->cnt += src->cnt;
  dst->s0 += f * src->s0;
  dst->s1 += f * src->s1;
  dst->s2 += f * src->s2;
  dst->q += f2 * src->q;
  dst->t1 += f * src->t1;
  dst->t3 += f * src->t3;
  dst->rpos += f * src->rpos;
}

static inline void add_question(question_acc *dst, const question_acc *src, double f,
                                double f2) {
  dst->cnt += src->cnt;
  dst->s0 += f * src->s0;
  dst->q += f2 * src->q;
  dst->tsum += f * src->tsum;
}

/* The key sums of every draw of ws[0..n) combined, each with its own key factors F: the
 * keys taken one at a time for all n, so that a key's sums are read once for the n draws
 * rather than once each (at 3 700 members the sums are 6 MB, from memory every time for one
 * draw, and a bootstrap has hundreds). Each draw's sums get their terms in key order, the
 * same bits as combined alone. */
void mdt__agg_combine(const mdt_aggregator *a, eval_ws *const *ws, size_t n) {
  size_t C = a->C, Q = a->Q;
  for (size_t j = 0; j < n; j++) {
    memset(ws[j]->comb, 0, ws[j]->nscopes * (C ? C : 1) * sizeof *ws[j]->comb);
    memset(ws[j]->qcomb, 0, ws[j]->nscopes * (Q ? Q : 1) * sizeof *ws[j]->qcomb);
  }
  for (size_t k = 0; k < a->K; k++) {
    const cell_acc *src = &a->cells[k * C];
    const question_acc *qsrc = &a->qs[k * Q];
    for (size_t j = 0; j < n; j++) {
      eval_ws *w = ws[j];
      double f = w->F[k];
      if (f == 0)
        continue;
      double f2 = f * f;
      size_t scope = a->key_break[k] >= 0 && w->nscopes > 1 ? 1 + (size_t)a->key_break[k] : 0;
      cell_acc *dst = &w->comb[scope * C];
      for (size_t c = 0; c < C; c++)
        if (src[c].cnt != 0 || src[c].s1 != 0)
          add_cell(&dst[c], &src[c], f, f2);
      question_acc *qd = &w->qcomb[scope * Q];
      for (size_t q = 0; q < Q; q++)
        if (qsrc[q].cnt != 0)
          add_question(&qd[q], &qsrc[q], f, f2);
    }
  }
  /* The levels into the nation: times 1, exactly. */
  for (size_t j = 0; j < n; j++) {
    eval_ws *w = ws[j];
    for (size_t sc = 1; sc < w->nscopes; sc++) {
      for (size_t c = 0; c < C; c++)
        add_cell(&w->comb[c], &w->comb[sc * C + c], 1.0, 1.0);
      for (size_t q = 0; q < Q; q++)
        add_question(&w->qcomb[q], &w->qcomb[sc * Q + q], 1.0, 1.0);
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

void mdt__agg_evaluate(const mdt_aggregator *a, const layout *lay, eval_ws *ws, double *value,
                     double *n, double *neff) {
  mdt__agg_combine(a, &ws, 1);
  mdt__agg_evaluate_combined(a, lay, ws, value, n, neff);
}

void mdt__agg_evaluate_combined(const mdt_aggregator *a, const layout *lay, eval_ws *ws,
                                double *value, double *n, double *neff) {
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

void mdt__agg_layout_free(layout *lay) {
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

mdt_status mdt__agg_build_layout(const mdt_aggregator *a, layout *lay, size_t nscopes,
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

