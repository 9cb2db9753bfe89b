/*
 * Synthetic employee registers: the calibrated KS area (a weighted sample whose totals equal
 * the published ones) and streamed registers of any size for benchmarks.
 */
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mandat/synth.h"
#include "model/synth_int.h"
#include "model/write.h"

/* Part-time posts: FTE = PART_LO + PART_WIDTH x Beta(PART_A, PART_B), mean 0.6167; the
 * full-time share of a group is set so that its mean FTE is groups.csv's fte / headcount. */
#define PART_LO 0.2
#define PART_WIDTH 0.75
#define PART_A 2.0
#define PART_B 1.6
#define FULL_SHARE_MAX 0.98
/* No post below 0.05 FTE after calibration, none part-time at 1. */
#define FTE_MIN_E4 500
#define FTE_PART_MAX_E4 9999
/* Salary with a guarantee: G(group, step) x (1 + lambda x q x (1 + SENIORITY_SLOPE x years)),
 * q ~ Gamma(PREMIUM_SHAPE, PREMIUM_SCALE) (mean 1, s.d. 0.5); without a guarantee:
 * lambda x exp(NOGUAR_SD x N(0,1) - NOGUAR_SD^2 / 2) x (1 + SENIORITY_SLOPE x years).
 * lambda makes the group's FTE-weighted mean its mean_salary. */
#define PREMIUM_SHAPE 4.0
#define PREMIUM_SCALE 0.25
#define SENIORITY_SLOPE 0.015
#define NOGUAR_SD 0.15
/* Defaults where groups.csv leaves a number out (streamed registers only). */
#define DEFAULT_FTE_RATIO (383600.0 / 460400.0)
#define DEFAULT_MEAN_NOGUAR 600000.0
#define DEFAULT_ABOVE_GUARANTEE 1.25
/* Raking of the member x group matrix. */
#define RAKE_MAX_ITER 2000
#define RAKE_TOL 1e-12

static const double part_mean = PART_LO + PART_WIDTH * PART_A / (PART_A + PART_B);

/* What the generator needs to know about one employee group. */
typedef struct {
  double mix[2];         /* relative share of a kommune's / fylkeskommune's employees */
  double slope;          /* size effect for kommuner */
  double sen_scale;      /* gamma scale of seniority */
  double full_share;     /* probability of a full-time post */
  double part_scale;     /* multiplies the part-time draw (1 = uncalibrated) */
  int has_guarantee;
  double lambda;         /* premium scale */
  double target_mean;    /* FTE-weighted mean salary aimed at */
} gmodel;

/* One employee's draws before calibration. */
typedef struct {
  int32_t sen_tenths; /* seniority in tenths of a year */
  double u;           /* part-time draw, or -1 for a full-time post */
  double q;           /* salary premium draw */
} row_draw;

static void draw_row(gsl_rng *rng, const gmodel *gm, row_draw *d) {
  double a;
  do
    a = gsl_ran_gamma(rng, MDT__SENIORITY_SHAPE, gm->sen_scale);
  while (a > MDT__SENIORITY_MAX);
  d->sen_tenths = (int32_t)floor(a * 10 + 0.5);
  if (gsl_rng_uniform(rng) < gm->full_share)
    d->u = -1;
  else
    d->u = PART_LO + PART_WIDTH * gsl_ran_beta(rng, PART_A, PART_B);
  if (gm->has_guarantee)
    d->q = gsl_ran_gamma(rng, PREMIUM_SHAPE, PREMIUM_SCALE);
  else
    d->q = exp(NOGUAR_SD * gsl_ran_gaussian_ziggurat(rng, 1.0) - 0.5 * NOGUAR_SD * NOGUAR_SD);
}

/* The guarantee for group g at seniority tenths (0 when the group has none). */
static int64_t guarantee_at(const mdt_step_table *t, size_t g, int32_t tenths) {
  if (t == NULL)
    return 0;
  long k = mdt_step_table_step(t, g, tenths / 10.0);
  return k < 0 ? 0 : mdt_step_table_nok(t, g, (size_t)k);
}

/* The premium base: what lambda multiplies. */
static double premium(int64_t guarantee, const row_draw *d) {
  double base = guarantee > 0 ? (double)guarantee : 1.0;
  return base * d->q * (1 + SENIORITY_SLOPE * d->sen_tenths / 10.0);
}

static int32_t part_fte_e4(double x) {
  double v = floor(x * 10000 + 0.5);
  if (v < FTE_MIN_E4)
    v = FTE_MIN_E4;
  if (v > FTE_PART_MAX_E4)
    v = FTE_PART_MAX_E4;
  return (int32_t)v;
}

/* Full-time share and part-time scale for a mean FTE per employee of ratio. */
static void fte_model(double ratio, gmodel *gm) {
  double p = (ratio - part_mean) / (1 - part_mean);
  if (p < 0)
    p = 0;
  if (p > FULL_SHARE_MAX)
    p = FULL_SHARE_MAX;
  gm->full_share = p;
  gm->part_scale = (ratio - p) / ((1 - p) * part_mean);
}

/*
 * Expected guarantee, guarantee x seniority factor and seniority factor over the seniority
 * distribution exactly as draw_row makes it (gamma truncated at the maximum, rounded to
 * tenths).
 */
static void seniority_expectations(const mdt_step_table *t, size_t g, double scale,
                                   double *e_g, double *e_gs, double *e_s) {
  const int top = (int)(MDT__SENIORITY_MAX * 10 + 0.5);
  const double mass = gsl_cdf_gamma_P(MDT__SENIORITY_MAX, MDT__SENIORITY_SHAPE, scale);
  *e_g = *e_gs = *e_s = 0;
  for (int k = 0; k <= top; k++) {
    double lo = k == 0 ? 0 : gsl_cdf_gamma_P((k - 0.5) / 10, MDT__SENIORITY_SHAPE, scale);
    double hi = k == top ? mass : gsl_cdf_gamma_P((k + 0.5) / 10, MDT__SENIORITY_SHAPE, scale);
    double p = (hi - lo) / mass, factor = 1 + SENIORITY_SLOPE * k / 10.0;
    double gk = (double)guarantee_at(t, g, k);
    *e_g += p * gk;
    *e_gs += p * gk * factor;
    *e_s += p * factor;
  }
}

/* Fills the model of every group; calibrated mode checks that groups.csv has the targets. */
static mdt_status build_models(const mdt_groups *g, const mdt_step_table *guarantee,
                               int calibrated, gmodel *gm, mdt_error *err) {
  double total_h = 0;
  for (size_t i = 0; i < g->n; i++)
    if (isfinite(g->headcount[i]))
      total_h += g->headcount[i];
  for (size_t i = 0; i < g->n; i++) {
    const mdt__synth_group *p = mdt__synth_group_params(g->id[i]);
    double h = g->headcount[i], f = g->fte[i], mean = g->mean_salary_nok[i];
    if (calibrated) {
      if (!(isfinite(h) && h >= 0 && h == floor(h) && h < 1e9))
        return mdt_error_set_at(err, MDT_EDATA, g->path, g->line[i], 0,
                                "group '%s': expected a whole headcount for the register",
                                g->id[i]);
      if (!(isfinite(f) && f >= 0 && f <= h && (f > 0) == (h > 0)))
        return mdt_error_set_at(err, MDT_EDATA, g->path, g->line[i], 0,
                                "group '%s': expected an fte above 0 and at most the "
                                "headcount (%g) for the register",
                                g->id[i], h);
      if (!(isfinite(mean) && mean > 0))
        return mdt_error_set_at(err, MDT_EDATA, g->path, g->line[i], 0,
                                "group '%s': expected a mean_salary above 0 for the register",
                                g->id[i]);
    }
    if (p != NULL) {
      gm[i].mix[MDT_KIND_KOMMUNE] = p->mix_kommune_pct;
      gm[i].mix[MDT_KIND_FYLKESKOMMUNE] = p->mix_fylke_pct;
      gm[i].slope = p->size_slope;
    } else {
      double share = total_h > 0 && isfinite(h) ? 100 * h / total_h : 100.0 / (double)g->n;
      gm[i].mix[0] = gm[i].mix[1] = share;
      gm[i].slope = 0;
    }
    double sen_mean = p != NULL ? p->seniority_mean : mdt__synth_default_group.seniority_mean;
    gm[i].sen_scale = sen_mean / MDT__SENIORITY_SHAPE;
    fte_model(isfinite(h) && isfinite(f) && h > 0 ? f / h : DEFAULT_FTE_RATIO, &gm[i]);
    gm[i].has_guarantee = guarantee != NULL && guarantee->nsteps[i] > 0;
    if (!isfinite(mean) || mean <= 0)
      mean = gm[i].has_guarantee
                 ? DEFAULT_ABOVE_GUARANTEE * (double)mdt_step_table_nok(guarantee, i, 0)
                 : DEFAULT_MEAN_NOGUAR;
    gm[i].target_mean = mean;
    /* Streamed registers use lambda from the expectations; the calibrated area replaces it
     * with the value its own rows need. */
    double e_g, e_gs, e_s;
    seniority_expectations(gm[i].has_guarantee ? guarantee : NULL, i, gm[i].sen_scale, &e_g,
                           &e_gs, &e_s);
    if (gm[i].has_guarantee)
      gm[i].lambda = mean > e_g ? (mean - e_g) / e_gs : 0;
    else
      gm[i].lambda = mean / e_s;
  }
  return MDT_OK;
}

/* Writes one register row. */
static void put_employee(mdt__writer *w, int64_t id, const char *member, const char *group,
                         int32_t sen_tenths, int32_t fte_e4, int64_t salary, int64_t weight,
                         int weight_column) {
  mdt__put_i64(w, id);
  mdt__put_char(w, ',');
  mdt__put_field(w, member);
  mdt__put_char(w, ',');
  mdt__put_field(w, group);
  mdt__put_char(w, ',');
  mdt__put_fixed(w, sen_tenths, 1);
  mdt__put_char(w, ',');
  mdt__put_fixed(w, fte_e4, 4);
  mdt__put_char(w, ',');
  mdt__put_i64(w, salary);
  if (weight_column) {
    mdt__put_char(w, ',');
    mdt__put_i64(w, weight);
  }
  mdt__put_char(w, '\n');
}

static void put_register_header(mdt__writer *w, int weight_column) {
  mdt__put_str(w, weight_column
                      ? "id,respondent,group,seniority_years,fte,annual_salary,weight\n"
                      : "id,respondent,group,seniority_years,fte,annual_salary\n");
}

static void put_headcount(mdt__writer *w, const char *member, const char *group, int64_t h) {
  mdt__put_field(w, member);
  mdt__put_char(w, ',');
  mdt__put_field(w, group);
  mdt__put_char(w, ',');
  mdt__put_i64(w, h);
  mdt__put_char(w, '\n');
}

static void add_total(mdt_synth_totals *t, int64_t weight, int32_t fte_e4, int64_t salary,
                      int64_t guarantee) {
  t->rows++;
  t->headcount += weight;
  t->fte_e4 += weight * fte_e4;
  t->wage_bill_e4 += weight * fte_e4 * salary;
  t->below_guarantee += salary < guarantee;
}

/* ============================================================ calibrated area == */

/* The area's rows, held as columns while they are calibrated. */
typedef struct {
  size_t n;
  int32_t *member, *group, *weight, *sen_tenths, *fte_e4;
  double *u, *q;
  int64_t *guarantee, *salary;
} area_rows;

static void area_rows_free(area_rows *a) {
  free(a->member);
  free(a->group);
  free(a->weight);
  free(a->sen_tenths);
  free(a->fte_e4);
  free(a->u);
  free(a->q);
  free(a->guarantee);
  free(a->salary);
}

static int area_rows_alloc(area_rows *a, size_t n) {
  size_t c = n ? n : 1;
  a->n = 0;
  a->member = malloc(c * sizeof *a->member);
  a->group = malloc(c * sizeof *a->group);
  a->weight = malloc(c * sizeof *a->weight);
  a->sen_tenths = malloc(c * sizeof *a->sen_tenths);
  a->fte_e4 = malloc(c * sizeof *a->fte_e4);
  a->u = malloc(c * sizeof *a->u);
  a->q = malloc(c * sizeof *a->q);
  a->guarantee = malloc(c * sizeof *a->guarantee);
  a->salary = malloc(c * sizeof *a->salary);
  return a->member && a->group && a->weight && a->sen_tenths && a->fte_e4 && a->u && a->q &&
                 a->guarantee && a->salary
             ? 0
             : -1;
}

/*
 * Rakes x (members x groups, row-major) so that row m sums to row_target[m] and column g to
 * col_target[g], ending on the columns so that those hold to rounding.
 */
static void rake(double *x, size_t nm, size_t ng, const double *row_target,
                 const double *col_target, double *colsum) {
  for (int it = 0; it < RAKE_MAX_ITER; it++) {
    for (size_t m = 0; m < nm; m++) {
      double s = 0;
      for (size_t g = 0; g < ng; g++)
        s += x[m * ng + g];
      if (s > 0)
        for (size_t g = 0; g < ng; g++)
          x[m * ng + g] *= row_target[m] / s;
    }
    for (size_t g = 0; g < ng; g++)
      colsum[g] = 0;
    for (size_t m = 0; m < nm; m++)
      for (size_t g = 0; g < ng; g++)
        colsum[g] += x[m * ng + g];
    double worst = 0;
    for (size_t g = 0; g < ng; g++) {
      double dev = col_target[g] > 0 ? fabs(colsum[g] / col_target[g] - 1) : 0;
      if (dev > worst)
        worst = dev;
    }
    for (size_t m = 0; m < nm; m++)
      for (size_t g = 0; g < ng; g++)
        if (colsum[g] > 0)
          x[m * ng + g] *= col_target[g] / colsum[g];
    if (worst < RAKE_TOL)
      break;
  }
}

typedef struct {
  double rem;
  size_t m;
} cell_remainder;

static int cmp_remainder(const void *a, const void *b) {
  const cell_remainder *x = a, *y = b;
  if (x->rem != y->rem)
    return x->rem > y->rem ? -1 : 1;
  return x->m < y->m ? -1 : x->m > y->m;
}

/* Whole headcounts h (members x groups) from x with every column summing to target[g]
 * exactly: largest remainders, ties to the earlier member. */
static int integerise(const double *x, size_t nm, size_t ng, const int64_t *target,
                      int64_t *h) {
  cell_remainder *rem = malloc((nm ? nm : 1) * sizeof *rem);
  if (rem == NULL)
    return -1;
  for (size_t g = 0; g < ng; g++) {
    int64_t sum = 0;
    for (size_t m = 0; m < nm; m++) {
      double v = x[m * ng + g];
      double fl = floor(v);
      h[m * ng + g] = (int64_t)fl;
      sum += (int64_t)fl;
      rem[m].rem = v - fl;
      rem[m].m = m;
    }
    qsort(rem, nm, sizeof *rem, cmp_remainder);
    int64_t left = target[g] - sum;
    for (size_t k = 0; left > 0 && nm > 0; k = (k + 1) % nm, left--)
      h[rem[k].m * ng + g]++;
    for (size_t k = nm; left < 0 && nm > 0; left++) {
      /* Only when rounding of x overshot: take from the smallest remainders that have some. */
      do
        k = k == 0 ? nm - 1 : k - 1;
      while (h[rem[k].m * ng + g] == 0);
      h[rem[k].m * ng + g]--;
    }
  }
  free(rem);
  return 0;
}

/*
 * The weights of cell (m, g) with h employees into wts (returns the count): floor(h / W)
 * rows of W and one of the rest; a split cell also gets a row of weight 1 (see below).
 */
static size_t cell_weights(int64_t h, int64_t W, int split, int32_t *wts) {
  int64_t full = h / W, rest = h % W;
  size_t n = 0;
  if (split && rest == 0) {
    full--;
    rest = W;
  }
  for (int64_t k = 0; k < full; k++)
    if (wts != NULL)
      wts[n++] = (int32_t)W;
    else
      n++;
  if (split) {
    if (wts != NULL) {
      wts[n] = (int32_t)(rest - 1);
      wts[n + 1] = 1;
    }
    n += 2;
  } else if (rest > 0) {
    if (wts != NULL)
      wts[n] = (int32_t)rest;
    n++;
  }
  return n;
}

/*
 * Moves the group's weighted FTE by residual units (weight x 1/10 000 FTE) onto the rows
 * idx[0..n): first whole steps of W on rows of weight W (part-time rows first), then what is
 * left on a row of weight 1. Returns the residual that could not be placed (0 on success).
 */
static int64_t fix_fte(area_rows *a, const size_t *idx, size_t n, int64_t W, int64_t residual) {
  for (int pass = 0; pass < 2 && llabs(residual) >= W; pass++) {
    int progress = 1;
    while (llabs(residual) >= W && progress) {
      progress = 0;
      for (size_t k = 0; k < n && llabs(residual) >= W; k++) {
        size_t i = idx[k];
        if (a->weight[i] != W || (pass == 0 && a->u[i] < 0))
          continue;
        int32_t step = residual > 0 ? 1 : -1;
        int32_t f = a->fte_e4[i] + step;
        int32_t hi = a->u[i] < 0 ? 10000 : FTE_PART_MAX_E4;
        if (f < FTE_MIN_E4 || f > hi)
          continue;
        a->fte_e4[i] = f;
        residual -= step * W;
        progress = 1;
      }
    }
  }
  for (int attempt = 0; attempt < 2 && residual != 0; attempt++) {
    for (size_t k = 0; k < n && residual != 0; k++) {
      size_t i = idx[k];
      if (a->weight[i] != 1)
        continue;
      int64_t f = a->fte_e4[i] + residual;
      if (f >= 1 && f <= 10000) {
        a->fte_e4[i] = (int32_t)f;
        residual = 0;
      }
    }
    if (residual == 0 || W == 1)
      break;
    /* No weight-1 row had room that way: overshoot by one row of W and come back. */
    for (size_t k = 0; k < n; k++) {
      size_t i = idx[k];
      int32_t step = residual > 0 ? 1 : -1;
      int64_t f = a->fte_e4[i] + step;
      if (a->weight[i] == W && f >= FTE_MIN_E4 && f <= 10000) {
        a->fte_e4[i] = (int32_t)f;
        residual -= step * W;
        break;
      }
    }
  }
  return residual;
}

/* Calibrates the FTE of group g's rows idx[0..n) to target_e4 (weighted, 1/10 000 FTE). */
static mdt_status calibrate_fte(area_rows *a, const size_t *idx, size_t n, int64_t W,
                                int64_t target_e4, const char *gid, mdt_error *err) {
  double scale = 1;
  for (int it = 0; it < 50; it++) {
    /* Rows already at a bound keep it; the scale is solved over the others. */
    double fixed = 0, free_wu = 0;
    for (size_t k = 0; k < n; k++) {
      size_t i = idx[k];
      if (a->u[i] < 0) {
        fixed += (double)a->weight[i] * 10000;
        continue;
      }
      int32_t f = part_fte_e4(scale * a->u[i]);
      if (it > 0 && (f == FTE_MIN_E4 || f == FTE_PART_MAX_E4))
        fixed += (double)a->weight[i] * f;
      else
        free_wu += (double)a->weight[i] * a->u[i] * 10000;
    }
    double next = free_wu > 0 ? ((double)target_e4 - fixed) / free_wu : scale;
    if (!(next > 0))
      next = scale;
    int done = fabs(next - scale) < 1e-13;
    scale = next;
    if (done)
      break;
  }
  int64_t sum = 0;
  for (size_t k = 0; k < n; k++) {
    size_t i = idx[k];
    a->fte_e4[i] = a->u[i] < 0 ? 10000 : part_fte_e4(scale * a->u[i]);
    sum += (int64_t)a->weight[i] * a->fte_e4[i];
  }
  int64_t left = fix_fte(a, idx, n, W, target_e4 - sum);
  if (left != 0)
    return mdt_error_set(err, MDT_ECHECK,
                         "group '%s': the register's FTE misses groups.csv by %lld "
                         "1/10 000 FTE (too few part-time posts to adjust)",
                         gid, (long long)left);
  return MDT_OK;
}

/* Sets the salaries of group g's rows idx[0..n) so that their FTE-weighted mean is mean. */
static mdt_status calibrate_salary(area_rows *a, const size_t *idx, size_t n, const gmodel *gm,
                                   const char *gid, mdt_error *err) {
  long double wf_sum = 0, wfg = 0, wfp = 0;
  for (size_t k = 0; k < n; k++) {
    size_t i = idx[k];
    row_draw d = {a->sen_tenths[i], a->u[i], a->q[i]};
    long double wf = (long double)a->weight[i] * a->fte_e4[i];
    wf_sum += wf;
    wfg += wf * (long double)a->guarantee[i];
    wfp += wf * premium(a->guarantee[i], &d);
  }
  if (n == 0 || wf_sum <= 0)
    return MDT_OK;
  long double lambda = (gm->target_mean * wf_sum - wfg) / wfp;
  if (lambda < 0)
    return mdt_error_set(err, MDT_EDATA,
                         "group '%s': mean_salary %.0f is below the FTE-weighted mean "
                         "guarantee %.0f of its employees",
                         gid, gm->target_mean, (double)(wfg / wf_sum));
  /* Cumulative rounding: the running sum of whole-krone premiums follows the exact one, so
   * the weighted mean misses the target by at most half a krone over one row's weight. */
  long double exact = 0, rounded = 0;
  for (size_t k = 0; k < n; k++) {
    size_t i = idx[k];
    row_draw d = {a->sen_tenths[i], a->u[i], a->q[i]};
    long double wf = (long double)a->weight[i] * a->fte_e4[i];
    exact += wf * lambda * premium(a->guarantee[i], &d);
    long double inc = floorl((exact - rounded) / wf + 0.5L);
    if (inc < 0)
      inc = 0;
    if (a->guarantee[i] == 0 && inc < 1)
      inc = 1;
    a->salary[i] = a->guarantee[i] + (int64_t)inc;
    rounded += wf * inc;
  }
  return MDT_OK;
}

static mdt_status write_area(const mdt_respondents *r, const mdt_groups *g,
                             const mdt_step_table *guarantee,
                             const mdt_synth_register_options *o, const gmodel *gm, FILE *fp,
                             FILE *headcounts, mdt_synth_totals *totals, mdt_error *err) {
  size_t nm = r->n, ng = g->n;
  mdt_status st = MDT_OK;
  double *x = malloc(nm * ng * sizeof *x), *z = malloc(nm * sizeof *z);
  double *row_target = malloc(nm * sizeof *row_target), *col_target = malloc(ng * sizeof *col_target);
  double *colsum = malloc(ng * sizeof *colsum);
  int64_t *h = malloc(nm * ng * sizeof *h), *target_h = malloc(ng * sizeof *target_h);
  long *split = malloc(ng * sizeof *split);
  size_t *start = calloc(ng + 1, sizeof *start), *idx = NULL;
  int32_t *wts = NULL;
  area_rows a = {0};
  gsl_rng *rng = mdt__synth_rng(o->seed);
  mdt__writer w = {0}, hw = {0};
  if (!x || !z || !row_target || !col_target || !colsum || !h || !target_h || !split ||
      !start || !rng || mdt__writer_init(&w, fp) != 0 ||
      (headcounts != NULL && mdt__writer_init(&hw, headcounts) != 0))
    goto nomem;
  double total_e = 0, total_h = 0;
  for (size_t m = 0; m < nm; m++)
    total_e += isfinite(r->employees[m]) ? r->employees[m] : 0;
  for (size_t gi = 0; gi < ng; gi++) {
    target_h[gi] = (int64_t)g->headcount[gi];
    col_target[gi] = g->headcount[gi];
    total_h += g->headcount[gi];
  }
  if (!(total_e > 0)) {
    st = mdt_error_set_at(err, MDT_EDATA, r->path, 0, 0,
                          "expected members with employees above 0 for the register");
    goto done;
  }
  /* Members keep their size; the groups' headcounts may sum to another total (in KS's
   * figures the chapters add up to 1 000 more than the area), so members are scaled. */
  mdt__synth_log_size_z(r, r->population, MDT_KIND_KOMMUNE, z);
  for (size_t m = 0; m < nm; m++) {
    double e = isfinite(r->employees[m]) ? r->employees[m] : 0;
    row_target[m] = e * total_h / total_e;
    for (size_t gi = 0; gi < ng; gi++)
      x[m * ng + gi] = e * gm[gi].mix[r->kind[m]] * exp(gm[gi].slope * z[m]);
  }
  rake(x, nm, ng, row_target, col_target, colsum);
  if (integerise(x, nm, ng, target_h, h) != 0)
    goto nomem;

  /* Rows per cell. Every group needs one row of weight 1 so that its FTE can be met to the
   * last 1/10 000: where no cell leaves a remainder of 1, the group's last cell with two or
   * more employees splits one row. */
  int64_t W = (int64_t)llround(1.0 / o->sample);
  if (W < 1)
    W = 1;
  for (size_t gi = 0; gi < ng; gi++) {
    split[gi] = -1;
    if (W == 1)
      continue;
    int has_one = 0;
    for (size_t m = 0; m < nm; m++) {
      int64_t v = h[m * ng + gi];
      has_one |= v % W == 1;
      if (v >= 2)
        split[gi] = (long)m;
    }
    if (has_one)
      split[gi] = -1;
  }
  size_t nrows = 0, maxcell = 1;
  for (size_t m = 0; m < nm; m++)
    for (size_t gi = 0; gi < ng; gi++) {
      size_t c = cell_weights(h[m * ng + gi], W, split[gi] == (long)m, NULL);
      nrows += c;
      start[gi + 1] += c;
      if (c > maxcell)
        maxcell = c;
    }
  if (area_rows_alloc(&a, nrows) != 0 || (wts = malloc(maxcell * sizeof *wts)) == NULL ||
      (idx = malloc((nrows ? nrows : 1) * sizeof *idx)) == NULL)
    goto nomem;
  for (size_t m = 0; m < nm; m++)
    for (size_t gi = 0; gi < ng; gi++) {
      size_t c = cell_weights(h[m * ng + gi], W, split[gi] == (long)m, wts);
      for (size_t k = 0; k < c; k++) {
        size_t i = a.n++;
        row_draw d;
        draw_row(rng, &gm[gi], &d);
        a.member[i] = (int32_t)m;
        a.group[i] = (int32_t)gi;
        a.weight[i] = wts[k];
        a.sen_tenths[i] = d.sen_tenths;
        a.u[i] = d.u;
        a.q[i] = d.q;
        a.guarantee[i] = gm[gi].has_guarantee ? guarantee_at(guarantee, gi, d.sen_tenths) : 0;
      }
    }
  /* Rows of each group in file order, for calibration. */
  for (size_t gi = 0; gi < ng; gi++)
    start[gi + 1] += start[gi];
  {
    size_t *fill = malloc((ng ? ng : 1) * sizeof *fill);
    if (fill == NULL)
      goto nomem;
    memcpy(fill, start, ng * sizeof *fill);
    for (size_t i = 0; i < a.n; i++)
      idx[fill[a.group[i]]++] = i;
    free(fill);
  }
  for (size_t gi = 0; gi < ng; gi++) {
    const size_t *gi_idx = idx + start[gi];
    size_t n = start[gi + 1] - start[gi];
    int64_t target_e4 = (int64_t)llround(g->fte[gi] * 10000);
    if ((st = calibrate_fte(&a, gi_idx, n, W, target_e4, g->id[gi], err)) != MDT_OK ||
        (st = calibrate_salary(&a, gi_idx, n, &gm[gi], g->id[gi], err)) != MDT_OK)
      goto done;
  }
  if (totals != NULL)
    memset(totals, 0, ng * sizeof *totals);
  put_register_header(&w, o->weight_column);
  for (size_t i = 0; i < a.n; i++) {
    put_employee(&w, (int64_t)i + 1, r->id[a.member[i]], g->id[a.group[i]], a.sen_tenths[i],
                 a.fte_e4[i], a.salary[i], a.weight[i], o->weight_column);
    if (totals != NULL)
      add_total(&totals[a.group[i]], a.weight[i], a.fte_e4[i], a.salary[i], a.guarantee[i]);
  }
  if (headcounts != NULL) {
    mdt__put_str(&hw, "respondent,group,headcount\n");
    for (size_t m = 0; m < nm; m++) {
      int listed = 0;
      for (size_t gi = 0; gi < ng; gi++)
        if (h[m * ng + gi] > 0) {
          put_headcount(&hw, r->id[m], g->id[gi], h[m * ng + gi]);
          listed = 1;
        }
      /* Every member has a row: a member missing from headcounts.csv is an error. */
      if (!listed && ng > 0)
        put_headcount(&hw, r->id[m], g->id[0], 0);
    }
  }
  if (mdt__writer_flush(&w) != 0 || ferror(fp)) {
    st = mdt__writer_error(&w, "the register", err);
    goto done;
  }
  if (headcounts != NULL && (mdt__writer_flush(&hw) != 0 || ferror(headcounts))) {
    st = mdt__writer_error(&hw, "the headcounts", err);
    goto done;
  }
  goto done;
nomem:
  st = mdt_error_set(err, MDT_ENOMEM, "out of memory generating the register");
done:
  mdt__writer_close(&w);
  mdt__writer_close(&hw);
  gsl_rng_free(rng);
  area_rows_free(&a);
  free(x);
  free(z);
  free(row_target);
  free(col_target);
  free(colsum);
  free(h);
  free(target_h);
  free(split);
  free(start);
  free(idx);
  free(wts);
  return st;
}

/* ================================================================ streamed == */

/*
 * Scales the groups' mix by factors c[g] so that, with members in proportion to employees,
 * each group's expected share of all employees is its share of groups.csv's headcounts.
 * Iterates over the members without holding the member x group matrix (constant memory).
 */
static void stream_factors(const mdt_respondents *r, const mdt_groups *g, const gmodel *gm,
                           const double *z, double *share, double *colsum, double *c) {
  size_t ng = g->n;
  double total_h = 0;
  for (size_t gi = 0; gi < ng; gi++) {
    c[gi] = 1;
    total_h += isfinite(g->headcount[gi]) && g->headcount[gi] > 0 ? g->headcount[gi] : 0;
  }
  if (!(total_h > 0))
    return;
  for (size_t gi = 0; gi < ng; gi++)
    if (!(isfinite(g->headcount[gi]) && g->headcount[gi] > 0))
      return; /* a group without a headcount: keep the plain mix */
  for (int it = 0; it < RAKE_MAX_ITER; it++) {
    double total_e = 0;
    for (size_t gi = 0; gi < ng; gi++)
      colsum[gi] = 0;
    for (size_t m = 0; m < r->n; m++) {
      double e = isfinite(r->employees[m]) ? r->employees[m] : 0, sum = 0;
      if (e <= 0)
        continue;
      total_e += e;
      for (size_t gi = 0; gi < ng; gi++)
        sum += share[gi] = c[gi] * gm[gi].mix[r->kind[m]] * exp(gm[gi].slope * z[m]);
      for (size_t gi = 0; gi < ng; gi++)
        colsum[gi] += e * share[gi] / sum;
    }
    double worst = 0;
    for (size_t gi = 0; gi < ng; gi++) {
      double want = g->headcount[gi] / total_h, got = colsum[gi] / total_e;
      double dev = fabs(got / want - 1);
      worst = dev > worst ? dev : worst;
      c[gi] *= want / got;
    }
    if (worst < 1e-10)
      break;
  }
}

static mdt_status write_stream(const mdt_respondents *r, const mdt_groups *g,
                               const mdt_step_table *guarantee,
                               const mdt_synth_register_options *o, const gmodel *gm, FILE *fp,
                               FILE *headcounts, mdt_synth_totals *totals, mdt_error *err) {
  size_t nm = r->n, ng = g->n;
  mdt_status st = MDT_OK;
  double *z = malloc(nm * sizeof *z), *share = malloc(ng * sizeof *share);
  double *colsum = malloc(ng * sizeof *colsum), *factor = malloc(ng * sizeof *factor);
  gsl_rng *rng = mdt__synth_rng(o->seed);
  mdt__writer w = {0}, hw = {0};
  if (!z || !share || !colsum || !factor || !rng || mdt__writer_init(&w, fp) != 0 ||
      (headcounts != NULL && mdt__writer_init(&hw, headcounts) != 0)) {
    st = mdt_error_set(err, MDT_ENOMEM, "out of memory generating the register");
    goto done;
  }
  long double total_e = 0;
  for (size_t m = 0; m < nm; m++)
    total_e += isfinite(r->employees[m]) ? r->employees[m] : 0;
  if (!(total_e > 0)) {
    st = mdt_error_set_at(err, MDT_EDATA, r->path, 0, 0,
                          "expected members with employees above 0 for the register");
    goto done;
  }
  mdt__synth_log_size_z(r, r->population, MDT_KIND_KOMMUNE, z);
  stream_factors(r, g, gm, z, share, colsum, factor);
  if (totals != NULL)
    memset(totals, 0, ng * sizeof *totals);
  put_register_header(&w, o->weight_column);
  if (headcounts != NULL)
    mdt__put_str(&hw, "respondent,group,headcount\n");
  /* Cumulative rounding: member m gets round(N x its cumulative share) minus what the
   * members before it got, so the counts sum to N exactly without holding them. */
  const long double N = (long double)o->employees;
  long double cum = 0;
  int64_t given = 0, id = 0;
  for (size_t m = 0; m < nm; m++) {
    cum += isfinite(r->employees[m]) ? r->employees[m] : 0;
    int64_t upto = m + 1 == nm ? (int64_t)o->employees : (int64_t)llroundl(N * cum / total_e);
    int64_t count = upto - given;
    given = upto;
    if (count <= 0) {
      /* Every member has a row: a member missing from headcounts.csv is an error. */
      if (headcounts != NULL && ng > 0)
        put_headcount(&hw, r->id[m], g->id[0], 0);
      continue;
    }
    double share_sum = 0;
    for (size_t gi = 0; gi < ng; gi++)
      share_sum += share[gi] = factor[gi] * gm[gi].mix[r->kind[m]] * exp(gm[gi].slope * z[m]);
    /* Systematic rounding with a random start: a member's counts sum to its total and each
     * group gets its share in expectation, even when members have few employees each. */
    double gcum = 0, start = gsl_rng_uniform(rng);
    int64_t ggiven = 0;
    for (size_t gi = 0; gi < ng; gi++) {
      gcum += share[gi];
      int64_t gupto =
          gi + 1 == ng ? count : (int64_t)floor((double)count * gcum / share_sum + start);
      int64_t cell = gupto - ggiven;
      ggiven = gupto;
      if (cell <= 0)
        continue;
      if (headcounts != NULL)
        put_headcount(&hw, r->id[m], g->id[gi], cell);
      for (int64_t k = 0; k < cell; k++) {
        row_draw d;
        draw_row(rng, &gm[gi], &d);
        int32_t fte = d.u < 0 ? 10000 : part_fte_e4(gm[gi].part_scale * d.u);
        int64_t guar = gm[gi].has_guarantee ? guarantee_at(guarantee, gi, d.sen_tenths) : 0;
        int64_t salary = guar + llround(gm[gi].lambda * premium(guar, &d));
        if (salary < 1)
          salary = 1;
        put_employee(&w, ++id, r->id[m], g->id[gi], d.sen_tenths, fte, salary, 1,
                     o->weight_column);
        if (totals != NULL)
          add_total(&totals[gi], 1, fte, salary, guar);
      }
    }
  }
  if (mdt__writer_flush(&w) != 0 || ferror(fp)) {
    st = mdt__writer_error(&w, "the register", err);
    goto done;
  }
  if (headcounts != NULL && (mdt__writer_flush(&hw) != 0 || ferror(headcounts)))
    st = mdt__writer_error(&hw, "the headcounts", err);
done:
  mdt__writer_close(&w);
  mdt__writer_close(&hw);
  gsl_rng_free(rng);
  free(z);
  free(share);
  free(colsum);
  free(factor);
  return st;
}

mdt_status mdt_synth_register_write(const mdt_respondents *r, const mdt_groups *g,
                                    const mdt_step_table *guarantee,
                                    const mdt_synth_register_options *o, FILE *fp,
                                    FILE *headcounts, mdt_synth_totals *totals,
                                    mdt_error *err) {
  int calibrated = o->employees == 0;
  if (calibrated && !(o->sample > 0 && o->sample <= 1))
    return mdt_error_set(err, MDT_EUSAGE, "expected a sample share above 0 and at most 1, "
                                          "found %g",
                         o->sample);
  if (calibrated && o->sample < 1.0 / 100000)
    return mdt_error_set(err, MDT_EUSAGE, "expected a sample share of at least 0.00001, "
                                          "found %g",
                         o->sample);
  if (guarantee != NULL && guarantee->ngroups != g->n)
    return mdt_error_set(err, MDT_EINTERNAL, "guarantee table for %zu groups, %zu given",
                         guarantee->ngroups, g->n);
  if (g->n == 0 || r->n == 0)
    return mdt_error_set(err, MDT_EDATA, "expected members and groups for the register");
  gmodel *gm = calloc(g->n, sizeof *gm);
  if (gm == NULL)
    return mdt_error_set(err, MDT_ENOMEM, "out of memory generating the register");
  mdt_status st = build_models(g, guarantee, calibrated, gm, err);
  if (st == MDT_OK)
    st = calibrated ? write_area(r, g, guarantee, o, gm, fp, headcounts, totals, err)
                    : write_stream(r, g, guarantee, o, gm, fp, headcounts, totals, err);
  free(gm);
  return st;
}
