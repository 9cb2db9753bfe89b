#include "mandat/weights.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void mdt_weight_options_init(mdt_weight_options *opt) {
  memset(opt, 0, sizeof *opt);
  opt->measure = MDT_SIZE_EQUAL;
  opt->poststrata = -1;
  opt->rake[0] = opt->rake[1] = -1;
  opt->rake_tolerance = 1e-10;
  opt->rake_max_iter = 1000;
}

static const char *const measure_names[] = {"equal", "population", "employees", "fte",
                                            "wagebill"};

const char *mdt_size_measure_name(mdt_size_measure measure) {
  return (unsigned)measure < sizeof measure_names / sizeof measure_names[0]
             ? measure_names[measure]
             : "unknown";
}

mdt_status mdt_size_measure_parse(const char *text, mdt_size_measure *measure, int *use_sqrt,
                                  mdt_error *err) {
  const char *name = text;
  *use_sqrt = 0;
  if (strncmp(name, "sqrt:", 5) == 0) {
    *use_sqrt = 1;
    name += 5;
  }
  for (size_t i = 0; i < sizeof measure_names / sizeof measure_names[0]; i++)
    if (strcmp(name, measure_names[i]) == 0) {
      *measure = (mdt_size_measure)i;
      return MDT_OK;
    }
  return mdt_error_set(err, MDT_EUSAGE,
                       "expected a size measure (equal, population, employees, fte, wagebill, "
                       "optionally prefixed 'sqrt:'), found '%s'",
                       text);
}

void mdt_weights_free(mdt_weights *w) {
  if (w == NULL)
    return;
  free(w->size);
  free(w->w);
  free(w->empty);
  free(w->tmp_target);
  free(w->tmp_sum);
  free(w->covered);
  free(w->capped);
  free(w);
}

mdt_status mdt_weights_new(const mdt_respondents *r, mdt_weights **out, mdt_error *err) {
  *out = NULL;
  size_t levels = 0;
  for (size_t g = 0; g < r->ngroupings; g++)
    levels += r->groupings[g].nlevels;
  mdt_weights *w = calloc(1, sizeof *w);
  if (w == NULL)
    return mdt_error_set(err, MDT_ENOMEM, "out of memory allocating weights");
  size_t n = r->n ? r->n : 1;
  w->n = r->n;
  w->size = calloc(n, sizeof *w->size);
  w->w = calloc(n, sizeof *w->w);
  w->covered = calloc(n, sizeof *w->covered);
  w->capped = calloc(n, sizeof *w->capped);
  w->empty_cap = levels ? levels : 1;
  w->empty = calloc(w->empty_cap, sizeof *w->empty);
  w->tmp_target = calloc(w->empty_cap, sizeof *w->tmp_target);
  w->tmp_sum = calloc(w->empty_cap, sizeof *w->tmp_sum);
  if (!w->size || !w->w || !w->covered || !w->capped || !w->empty || !w->tmp_target ||
      !w->tmp_sum) {
    mdt_weights_free(w);
    return mdt_error_set(err, MDT_ENOMEM, "out of memory allocating weights");
  }
  *out = w;
  return MDT_OK;
}

mdt_status mdt_weights_size_measure(const mdt_respondents *r, const mdt_weight_options *opt,
                                    double *size, mdt_error *err) {
  const double *col = NULL;
  const char *colname = mdt_size_measure_name(opt->measure);
  switch (opt->measure) {
  case MDT_SIZE_EQUAL:
    break;
  case MDT_SIZE_POPULATION:
    col = r->population;
    break;
  case MDT_SIZE_EMPLOYEES:
    col = r->employees;
    break;
  case MDT_SIZE_FTE:
    col = r->fte;
    break;
  case MDT_SIZE_WAGEBILL:
    col = r->wagebill_nok;
    break;
  default:
    return mdt_error_set(err, MDT_EUSAGE, "unknown size measure %d", (int)opt->measure);
  }
  for (size_t i = 0; i < r->n; i++) {
    double s = col ? col[i] : 1.0;
    if (!isfinite(s) || s < 0)
      return mdt_error_set_at(err, MDT_EDATA, r->path, r->line ? r->line[i] : 0, 0,
                              "%s: expected a size of at least 0 for member '%s' to weight by "
                              "%s, found %s",
                              colname, r->id[i], colname, isnan(s) ? "none" : "a negative one");
    size[i] = opt->use_sqrt ? sqrt(s) : s;
  }
  /* All sizes zero would leave every estimate blank: GSL-style weighted means of nothing. */
  int any = r->n == 0;
  for (size_t i = 0; i < r->n && !any; i++)
    any = size[i] > 0;
  if (!any)
    return mdt_error_set_at(err, MDT_EDATA, r->path, r->line ? r->line[0] : 0, 0,
                            "%s: expected a size above 0 for at least one member to weight by "
                            "%s, found 0 for every member",
                            colname, colname);
  return MDT_OK;
}

static void note_empty(mdt_weights *w, long grouping, long level, size_t members,
                       double size) {
  if (w->nempty < w->empty_cap) {
    mdt_empty_stratum *e = &w->empty[w->nempty++];
    e->grouping = grouping;
    e->level = level;
    e->members = members;
    e->size = size;
  }
}

/* Totals per level of grouping g: target = sum of size over members (covered ones only if
 * covered is given), sum = sum of current weights. */
static void level_totals(const mdt_grouping *g, const double *size, const double *wt,
                         const unsigned char *covered, size_t n, double *target, double *sum) {
  for (size_t l = 0; l < g->nlevels; l++)
    target[l] = sum[l] = 0;
  for (size_t i = 0; i < n; i++) {
    size_t l = (size_t)g->code[i];
    if (covered == NULL || covered[i])
      target[l] += size[i];
    sum[l] += wt[i];
  }
}

static mdt_status poststratify(mdt_weights *w, const mdt_respondents *r, long gi) {
  const mdt_grouping *g = &r->groupings[gi];
  double *target = w->tmp_target, *sum = w->tmp_sum;
  level_totals(g, w->size, w->w, NULL, r->n, target, sum);
  for (size_t l = 0; l < g->nlevels; l++) {
    if (sum[l] <= 0 && target[l] > 0) {
      size_t members = 0;
      for (size_t i = 0; i < r->n; i++)
        members += (size_t)g->code[i] == l;
      note_empty(w, gi, (long)l, members, target[l]);
    }
  }
  for (size_t i = 0; i < r->n; i++) {
    size_t l = (size_t)g->code[i];
    if (w->w[i] > 0)
      w->w[i] *= target[l] / sum[l];
  }
  return MDT_OK;
}

/* Marks members whose levels in both raking columns have respondents; notes empty levels. */
static void mark_covered(mdt_weights *w, const mdt_respondents *r, const long *cols) {
  for (size_t i = 0; i < r->n; i++)
    w->covered[i] = 1;
  for (int k = 0; k < 2; k++) {
    const mdt_grouping *g = &r->groupings[cols[k]];
    double *target = w->tmp_target, *sum = w->tmp_sum;
    level_totals(g, w->size, w->w, NULL, r->n, target, sum);
    for (size_t l = 0; l < g->nlevels; l++) {
      if (sum[l] > 0)
        continue;
      size_t members = 0;
      for (size_t i = 0; i < r->n; i++)
        if ((size_t)g->code[i] == l) {
          members++;
          w->covered[i] = 0;
        }
      if (target[l] > 0)
        note_empty(w, cols[k], (long)l, members, target[l]);
    }
  }
}

/* Scales the weights so that every level of grouping g sums to its covered size; returns
 * the largest relative deviation found before scaling, and where. */
static double rake_margin(mdt_weights *w, const mdt_respondents *r, long gi, long *worst) {
  const mdt_grouping *g = &r->groupings[gi];
  double *target = w->tmp_target, *sum = w->tmp_sum;
  level_totals(g, w->size, w->w, w->covered, r->n, target, sum);
  double dev = 0;
  for (size_t l = 0; l < g->nlevels; l++) {
    if (target[l] <= 0 || sum[l] <= 0)
      continue;
    double d = fabs(sum[l] - target[l]) / target[l];
    if (d > dev) {
      dev = d;
      *worst = (long)l;
    }
  }
  for (size_t i = 0; i < r->n; i++) {
    size_t l = (size_t)g->code[i];
    if (w->w[i] > 0 && sum[l] > 0)
      w->w[i] *= target[l] / sum[l];
  }
  return dev;
}

static mdt_status rake(mdt_weights *w, const mdt_respondents *r, const mdt_weight_options *opt,
                       mdt_error *err) {
  mark_covered(w, r, opt->rake);
  long worst = 0;
  double dev = 0;
  int it;
  for (it = 1; it <= opt->rake_max_iter; it++) {
    rake_margin(w, r, opt->rake[0], &worst);
    rake_margin(w, r, opt->rake[1], &worst);
    /* After the second margin's step it fits exactly; the first tells whether we are done. */
    long worst_a = 0;
    const mdt_grouping *g = &r->groupings[opt->rake[0]];
    level_totals(g, w->size, w->w, w->covered, r->n, w->tmp_target, w->tmp_sum);
    dev = 0;
    for (size_t l = 0; l < g->nlevels; l++) {
      if (w->tmp_target[l] <= 0 || w->tmp_sum[l] <= 0)
        continue;
      double d = fabs(w->tmp_sum[l] - w->tmp_target[l]) / w->tmp_target[l];
      if (d > dev) {
        dev = d;
        worst_a = (long)l;
      }
    }
    worst = worst_a;
    if (dev <= opt->rake_tolerance)
      break;
  }
  w->rake_iterations = it > opt->rake_max_iter ? opt->rake_max_iter : it;
  w->rake_max_dev = dev;
  if (dev > opt->rake_tolerance) {
    const mdt_grouping *g = &r->groupings[opt->rake[0]];
    return mdt_error_set(err, MDT_ENOCONV,
                         "raking to %s and %s did not converge in %d iterations: margin "
                         "%s=%s is off by %.3g %% (tolerance %.3g %%)",
                         g->name, r->groupings[opt->rake[1]].name, opt->rake_max_iter, g->name,
                         g->levels[worst], dev * 100, opt->rake_tolerance * 100);
  }
  return MDT_OK;
}

/* Holds every member's share at or below the cap, redistributing the excess over the others
 * in proportion to their weights. A member drawn m times counts as m copies. */
static mdt_status apply_cap(mdt_weights *w, const double *mult, double cap, mdt_error *err) {
  double total = 0, units = 0;
  for (size_t i = 0; i < w->n; i++) {
    w->capped[i] = 0;
    if (w->w[i] > 0) {
      total += w->w[i];
      units += mult ? mult[i] : 1.0;
    }
  }
  if (total <= 0)
    return MDT_OK;
  if (cap * units < 1.0 - 1e-12)
    return mdt_error_set(err, MDT_EUSAGE,
                         "a cap of %g %% per member cannot hold with %.0f respondents (needs at "
                         "least %.0f)",
                         cap * 100, units, ceil(1.0 / cap - 1e-9));
  w->ncapped = 0;
  for (;;) {
    int changed = 0;
    double held = 0, free_sum = 0;
    for (size_t i = 0; i < w->n; i++) {
      if (w->w[i] <= 0)
        continue;
      double limit = (mult ? mult[i] : 1.0) * cap * total;
      if (!w->capped[i] && w->w[i] > limit * (1 + 1e-12)) {
        w->capped[i] = 1;
        w->ncapped++;
        changed = 1;
      }
      if (w->capped[i]) {
        w->w[i] = limit;
        held += limit;
      } else
        free_sum += w->w[i];
    }
    if (!changed)
      break;
    if (free_sum <= 0)
      break;
    double scale = (total - held) / free_sum;
    for (size_t i = 0; i < w->n; i++)
      if (w->w[i] > 0 && !w->capped[i])
        w->w[i] *= scale;
  }
  return MDT_OK;
}

static mdt_status check_options(const mdt_respondents *r, const mdt_weight_options *opt,
                                mdt_error *err) {
  long ng = (long)r->ngroupings;
  if (opt->poststrata >= ng || opt->rake[0] >= ng || opt->rake[1] >= ng)
    return mdt_error_set(err, MDT_EUSAGE, "grouping column index out of range");
  if (opt->poststrata >= 0 && (opt->rake[0] >= 0 || opt->rake[1] >= 0))
    return mdt_error_set(err, MDT_EUSAGE,
                         "expected post-stratification or raking, found both");
  if ((opt->rake[0] >= 0) != (opt->rake[1] >= 0))
    return mdt_error_set(err, MDT_EUSAGE, "expected two columns to rake to, found one");
  if (opt->rake[0] >= 0 && opt->rake[0] == opt->rake[1])
    return mdt_error_set(err, MDT_EUSAGE, "expected two different columns to rake to, found "
                                          "'%s' twice",
                         r->groupings[opt->rake[0]].name);
  if (!(opt->cap_share >= 0 && opt->cap_share < 1))
    return mdt_error_set(err, MDT_EUSAGE,
                         "expected a cap between 0 and 1 (a share), found %g", opt->cap_share);
  if (opt->rake[0] >= 0 && !(opt->rake_tolerance > 0 && opt->rake_max_iter > 0))
    return mdt_error_set(err, MDT_EUSAGE,
                         "expected a positive raking tolerance and iteration limit");
  return MDT_OK;
}

mdt_status mdt_weights_compute(mdt_weights *w, const mdt_respondents *r,
                               const unsigned char *responded, const double *multiplicity,
                               const mdt_weight_options *opt, mdt_error *err) {
  mdt_status st = check_options(r, opt, err);
  if (st != MDT_OK)
    return st;
  w->nempty = 0;
  w->rake_iterations = 0;
  w->rake_max_dev = 0;
  w->ncapped = 0;
  st = mdt_weights_size_measure(r, opt, w->size, err);
  if (st != MDT_OK)
    return st;
  w->total_size = 0;
  for (size_t i = 0; i < r->n; i++)
    w->total_size += w->size[i];
  w->nrespondents = 0;
  for (size_t i = 0; i < r->n; i++) {
    double m = multiplicity ? multiplicity[i] : 1.0;
    double f = opt->member_factor ? opt->member_factor[i] : 1.0;
    w->w[i] = responded[i] ? w->size[i] * m * f : 0.0;
    w->nrespondents += responded[i] && m > 0;
  }
  if (opt->poststrata >= 0)
    st = poststratify(w, r, opt->poststrata);
  else if (opt->rake[0] >= 0)
    st = rake(w, r, opt, err);
  if (st != MDT_OK)
    return st;
  if (opt->cap_share > 0) {
    st = apply_cap(w, multiplicity, opt->cap_share, err);
    if (st != MDT_OK)
      return st;
  }
  w->total_weight = 0;
  for (size_t i = 0; i < r->n; i++)
    w->total_weight += w->w[i];
  return MDT_OK;
}
