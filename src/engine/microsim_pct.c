/*
 * The report's percentiles of individual full-year rises (p10, p50, p90, in NOK and in percent
 * of old pay) per group and for the area, exact, without a buffer of every employee's rise
 * (148 MB at 4.6 M employees, and its page faults): each rise is computed from the
 * microsim's columns where it is needed, in up to four streaming passes over the employees
 * (each in parts that the threads take as they are free, mdt__run_parts_shared: a part's
 * target buckets may hold many more of its employees than another's, and pass 3's work is
 * theirs):
 *   1. each group's smallest and largest rise (the area's: the groups'), taken by the
 *      report's exact pass when it ran just before (mdt__unit_exact with w->extremes: then
 *      no pass of its own);
 *   2. a weighted histogram of each group's rises over PCT_BUCKETS equal slices of the
 *      area's [smallest, largest] (the area's histogram is their sum), which tells the bucket
 *      each target falls in and the weight below it;
 *   3. where a target bucket is crowded (rises crowd: a percent increase is one percent for
 *      thousands), a histogram of it over its own [smallest, largest]; the rises of the
 *      other target buckets gathered (but in buckets of a single value, resolved at once);
 *   4. only when a crowded bucket's finer target buckets are not all of a single value (a
 *      percent's crowd is of one value or a few: usually they are), their rises gathered,
 * and a weighted selection over each gathered bucket. Every part counts, sums and takes the
 * least of its own employees (whole numbers and minima: the same whatever the split) and
 * gathers into its own slice, and a quantile is a value of the set whatever its order, so
 * the percentiles are the same for any number of threads. The quantile is the smallest value
 * whose cumulative weight reaches the share, the mean of it and the next value when reached
 * exactly (tests/unit/test_microsim_pct.c checks it against a sort).
 *
 * Ownership: everything is allocated and freed within mdt__report_percentiles.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine/microsim_int.h"

#define NQUANTILES 3
static const int quantile_tenths[NQUANTILES] = {1, 5, 9};
/* Buckets of the histogram. */
#define PCT_BUCKETS 2048
/* The rise in NOK and in percent of old pay. */
#define NKINDS 2

/* ------------------------------------------------------------------------------------------
 * Weighted selection
 * ------------------------------------------------------------------------------------------ */

typedef struct {
  double v;
  int64_t w;
} weighted_value;

static void wv_swap(weighted_value *a, size_t i, size_t j) {
  weighted_value t = a[i];
  a[i] = a[j];
  a[j] = t;
}

static double median3(double a, double b, double c) {
  if (a > b) {
    double t = a;
    a = b;
    b = t;
  }
  if (b > c)
    b = c;
  return a > b ? a : b;
}

/* A weighted selection in progress: targets (10 x cumulative weight to reach, ascending) and
 * where their answers go. */
typedef struct {
  mdt_i128 target[NQUANTILES];
  double *out[NQUANTILES];
  int n;
} targets;

/*
 * Weighted quantiles of a[lo..hi): for each target T, the smallest value whose cumulative
 * weight (times 10) reaches T, the mean of it and the next value when reached exactly.
 * below is 10 x the weight of the values known to lie below a[lo..hi), above the smallest
 * value known to lie above it (NaN for none). One selection with three-way partitions (many
 * rises are equal) serves every target, splitting only where the targets part: O(n) on
 * average; a is reordered.
 */
static void weighted_select(weighted_value *a, size_t lo, size_t hi, mdt_i128 below,
                            double above, targets t) {
  while (t.n > 0) {
    double pivot = median3(a[lo].v, a[lo + (hi - lo) / 2].v, a[hi - 1].v);
    size_t lt = lo, i = lo, gt = hi;
    mdt_i128 wl = 0, we = 0;
    while (i < gt) {
      double v = a[i].v;
      if (v < pivot) {
        wl += a[i].w;
        wv_swap(a, lt++, i++);
      } else if (v > pivot) {
        wv_swap(a, i, --gt);
      } else {
        we += a[i].w;
        i++;
      }
    }
    wl *= 10;
    we *= 10;
    targets left = {.n = 0}, right = {.n = 0};
    double next = NAN; /* the smallest value above the pivot, found when needed */
    for (int k = 0; k < t.n; k++) {
      mdt_i128 T = t.target[k];
      if (below + wl >= T) {
        left.target[left.n] = T;
        left.out[left.n++] = t.out[k];
      } else if (below + wl + we > T) {
        *t.out[k] = pivot;
      } else if (below + wl + we == T) {
        if (isnan(next)) {
          next = above;
          for (size_t j = gt; j < hi; j++)
            if (isnan(next) || a[j].v < next)
              next = a[j].v;
        }
        *t.out[k] = isnan(next) ? pivot : (pivot + next) / 2.0;
      } else {
        right.target[right.n] = T;
        right.out[right.n++] = t.out[k];
      }
    }
    /* Recurse into the smaller set of targets, loop on the other: depth <= NQUANTILES. */
    if (left.n > 0 && right.n > 0)
      weighted_select(a, lo, lt, below, pivot, left);
    if (right.n > 0) {
      below += wl + we;
      lo = gt;
      t = right;
    } else {
      hi = lt;
      above = pivot;
      t = left;
    }
  }
}

/* ------------------------------------------------------------------------------------------
 * Levels: a range's histogram, and a finer one inside each crowded target bucket
 * ------------------------------------------------------------------------------------------ */

/* A bucket of a histogram: the weight, smallest and largest value and number of its
 * employees (together: one cache line's half per update). */
typedef struct {
  int64_t w;
  double min, max;
  size_t count;
} bucket;

/* One part's histogram of one level. */
typedef struct {
  bucket b[PCT_BUCKETS];
} histogram;

/* The values of a target bucket gathered, each part into its own slice. */
typedef struct {
  weighted_value *v;
  size_t n;
  size_t at[MDT_MICROSIM_MAX_THREADS]; /* where each part gathers next */
} leaf;

/* A grid over [vmin, vmin + PCT_BUCKETS / scale] and the buckets its targets fall in: each
 * resolved at once (one value in it), gathered (leaf), or by a finer level (sub). */
typedef struct level {
  double vmin, scale;
  histogram all;               /* the parts' histograms combined */
  signed char slot[PCT_BUCKETS]; /* the target bucket's index j, or -1 */
  int nb;
  size_t tb[NQUANTILES];       /* the target buckets, ascending */
  mdt_i128 tbelow[NQUANTILES]; /* 10 x the weight below each */
  double tabove[NQUANTILES];   /* the smallest value above each (NaN: none) */
  targets tt[NQUANTILES];
  int leaf[NQUANTILES];        /* index into the job's leaves, or -1 */
  struct level *sub[NQUANTILES];
  size_t window[NQUANTILES];   /* sub's index among the finer levels (their histograms) */
} level;

/* The employees of one range (group g < G, or the area) and one kind of rise. */
typedef struct {
  double vmin, vmax;
  int64_t total_w;
  int spread; /* vmax > vmin: the histograms are used */
  level top;
  double p[NQUANTILES];
} range;

typedef struct {
  const mdt_microsim_work *w;
  size_t nranges; /* (G + 1) x NKINDS: range (g, kind) at g x NKINDS + kind */
  range *ranges;
  int nparts, threads;
  histogram *hist;  /* [nparts x nranges] */
  size_t refine_min; /* a target bucket of more employees (and values) gets a finer level */
  size_t nwindows;  /* finer levels */
  histogram *hist2; /* [nparts x nwindows] */
  double *lo, *hi;  /* [nparts x G x NKINDS]: each part's smallest and largest */
  size_t nleaves;
  size_t nleaves_top; /* leaves[0 .. nleaves_top) are of top levels, gathered in pass 3 */
  /* Whether bucket b of a kind's grid (the area's, which its groups share) is a target
   * bucket of any range of that kind that its histogram did not settle (of one value):
   * passes 3 and 4 need nothing of the employees whose rises fall in no such bucket (most of
   * them), and look no further for them. */
  unsigned char hit[NKINDS][PCT_BUCKETS];
  leaf *leaves;     /* [nranges x NQUANTILES x (1 + NQUANTILES)] at most */
} pct_job;

/* v's bucket in l: (v - vmin) x scale, whole, at most the last. v is never below vmin (the
 * smallest value of the level's employees), so the product is not negative. */
static inline size_t bucket_of(const level *l, double v) {
  double x = (v - l->vmin) * l->scale;
  return x < (double)(PCT_BUCKETS - 1) ? (size_t)(int64_t)x : PCT_BUCKETS - 1;
}

/* The target bucket of l that v falls in, or -1. */
static inline int target_of(const level *l, double v) { return l->slot[bucket_of(l, v)]; }

/* Runs the statements given for each employee of the part's cells, in column order, with g
 * the group, v[kind] the rise of each kind and wt the weight_e4. */
#define FOR_EACH_RISE(job, part, ...)                                                         \
  do {                                                                                        \
    const mdt_microsim_work *w_ = (job)->w;                                                   \
    const mdt_microsim *sim_ = w_->sim;                                                       \
    size_t c1_ = mdt__part_cell(sim_, (part) + 1, (job)->nparts);                             \
    for (size_t c = mdt__part_cell(sim_, (part), (job)->nparts); c < c1_; c++) {              \
      size_t g = sim_->cell_group[c];                                                         \
      /* full_rise's terms in locals: the statements' stores cannot change them. */           \
      const double frac_ = w_->group_frac_full[g], cp_ = w_->cell_p[c];                      \
      const double ca_ = w_->cell_a[c], cmin_ = w_->cell_min[c], cfloor_ = w_->cell_floor[c];  \
      const int cactive_ = w_->cell_active[c];                                                \
      const size_t end_ = sim_->cell_start[c + 1];                                            \
      for (size_t i = sim_->cell_start[c]; i < end_; i++) {                                   \
        double old_ = sim_->old_nok[i];                                                       \
        double rise_ = (cactive_ ? central_rise(old_, cp_, ca_, cmin_, cfloor_) : 0.0) +      \
                       frac_ * old_;                                                          \
        double v[NKINDS] = {rise_,                                                            \
                            rise_pct(old_, cactive_, cp_, ca_, cmin_, cfloor_, frac_)};       \
        int64_t wt = sim_->weight_e4[i];                                                      \
        (void)wt;                                                                             \
        __VA_ARGS__                                                                           \
      }                                                                                       \
    }                                                                                         \
  } while (0)

/* The ranges of an employee of group g with a histogram: its group's and the area's, for
 * each kind, with b the rise's bucket on the area's grid, which its groups share. */
#define FOR_EACH_RANGE(job, g, ...)                                                           \
  for (size_t kind = 0; kind < NKINDS; kind++) {                                              \
    const range *area_ = &(job)->ranges[(job)->w->sim->ngroups * NKINDS + kind];              \
    if (!area_->spread)                                                                       \
      continue;                                                                               \
    size_t b = bucket_of(&area_->top, v[kind]);                                               \
    if (!(job)->hit[kind][b])                                                                 \
      continue;                                                                               \
    for (int a_ = 0; a_ < 2; a_++) {                                                          \
      size_t k = (a_ ? (job)->w->sim->ngroups : (g)) * NKINDS + kind;                         \
      const range *r = &(job)->ranges[k];                                                     \
      if (r->spread) {                                                                        \
        __VA_ARGS__                                                                           \
      }                                                                                       \
    }                                                                                         \
  }

/* Pass 1: each group's smallest and largest rise of each kind over the part. */
static void pass_extremes(void *arg, int part, int nparts) {
  (void)nparts;
  pct_job *job = arg;
  const size_t G = job->w->sim->ngroups;
  double *lo = job->lo + (size_t)part * G * NKINDS, *hi = job->hi + (size_t)part * G * NKINDS;
  for (size_t k = 0; k < G * NKINDS; k++) {
    lo[k] = INFINITY;
    hi[k] = -INFINITY;
  }
  FOR_EACH_RISE(job, part, {
    for (int kind = 0; kind < NKINDS; kind++) {
      double *l = &lo[g * NKINDS + (size_t)kind], *h = &hi[g * NKINDS + (size_t)kind];
      *l = v[kind] < *l ? v[kind] : *l;
      *h = v[kind] > *h ? v[kind] : *h;
    }
  });
}

/* Pass 1 done by the report's exact pass (mdt__unit_exact with extremes): each group's
 * extremes from its units', as part 0's (the others' left empty). */
static void extremes_from_units(pct_job *job) {
  const mdt_microsim_work *w = job->w;
  const mdt_microsim *sim = w->sim;
  const size_t G = sim->ngroups;
  for (size_t k = 0; k < (size_t)job->nparts * G * NKINDS; k++) {
    job->lo[k] = INFINITY;
    job->hi[k] = -INFINITY;
  }
  for (size_t g = 0; g < G; g++)
    for (size_t u = sim->group_unit[g]; u < sim->group_unit[g + 1]; u++)
      for (size_t kind = 0; kind < NKINDS; kind++) {
        double *l = &job->lo[g * NKINDS + kind], *h = &job->hi[g * NKINDS + kind];
        double ul = w->unit_rise_lo[2 * u + kind], uh = w->unit_rise_hi[2 * u + kind];
        *l = ul < *l ? ul : *l;
        *h = uh > *h ? uh : *h;
      }
}

static void histogram_clear(histogram *h) {
  for (size_t b = 0; b < PCT_BUCKETS; b++)
    h->b[b] = (bucket){0, INFINITY, -INFINITY, 0};
}

static inline void histogram_add(histogram *h, size_t b, double v, int64_t wt) {
  bucket *k = &h->b[b];
  k->w += wt;
  k->min = v < k->min ? v : k->min;
  k->max = v > k->max ? v : k->max;
  k->count++;
}

/* Pass 2: the part's histograms of its groups on the area's grid (the area's is their sum,
 * fold_area). */
static void pass_histograms(void *arg, int part, int nparts) {
  (void)nparts;
  pct_job *job = arg;
  const size_t G = job->w->sim->ngroups;
  histogram *hist = job->hist + (size_t)part * job->nranges;
  for (size_t k = 0; k < job->nranges; k++)
    histogram_clear(&hist[k]);
  FOR_EACH_RISE(job, part, {
    for (size_t kind = 0; kind < NKINDS; kind++) {
      const range *area = &job->ranges[G * NKINDS + kind];
      if (area->spread)
        histogram_add(&hist[g * NKINDS + kind], bucket_of(&area->top, v[kind]), v[kind], wt);
    }
  });
}

/* Each part's histogram of the area: the sum of its groups'. */
static void fold_area(pct_job *job) {
  const size_t G = job->w->sim->ngroups;
  for (int part = 0; part < job->nparts; part++)
    for (size_t kind = 0; kind < NKINDS; kind++) {
      histogram *hist = job->hist + (size_t)part * job->nranges;
      bucket *a = hist[G * NKINDS + kind].b;
      for (size_t g = 0; g < G; g++) {
        const bucket *h = hist[g * NKINDS + kind].b;
        for (size_t b = 0; b < PCT_BUCKETS; b++) {
          a[b].w += h[b].w;
          a[b].min = h[b].min < a[b].min ? h[b].min : a[b].min;
          a[b].max = h[b].max > a[b].max ? h[b].max : a[b].max;
          a[b].count += h[b].count;
        }
      }
    }
}

/* Adds v to leaf number k, into the part's slice. */
static inline void gather_into(pct_job *job, int part, int k, double v, int64_t wt) {
  leaf *f = &job->leaves[k];
  f->v[f->at[part]++] = (weighted_value){v, wt};
}

/* Pass 3: the part's histograms inside the crowded target buckets, and its rises in the
 * other target buckets gathered into its slice of their leaves. */
static void pass_finer(void *arg, int part, int nparts) {
  (void)nparts;
  pct_job *job = arg;
  histogram *hist = job->hist2 + (size_t)part * job->nwindows;
  for (size_t k = 0; k < job->nwindows; k++)
    histogram_clear(&hist[k]);
  FOR_EACH_RISE(job, part, {
    FOR_EACH_RANGE(job, g, {
      int j = r->top.slot[b];
      if (j >= 0 && r->top.sub[j] != NULL)
        histogram_add(&hist[r->top.window[j]], bucket_of(r->top.sub[j], v[kind]), v[kind],
                      wt);
      else if (j >= 0 && r->top.leaf[j] >= 0)
        gather_into(job, part, r->top.leaf[j], v[kind], wt);
    })
  });
}

/* Pass 4: the part's rises in the finer levels' target buckets, into its slice of each
 * leaf. */
static void pass_gather(void *arg, int part, int nparts) {
  (void)nparts;
  pct_job *job = arg;
  FOR_EACH_RISE(job, part, {
    FOR_EACH_RANGE(job, g, {
      int j = r->top.slot[b];
      if (j >= 0 && r->top.sub[j] != NULL) {
        const level *s = r->top.sub[j];
        int q = target_of(s, v[kind]);
        if (q >= 0 && s->leaf[q] >= 0)
          gather_into(job, part, s->leaf[q], v[kind], wt);
      }
    })
  });
}

/* After pass 1: each range's extremes, weight and grid. */
static void plan_grids(pct_job *job) {
  const mdt_microsim *sim = job->w->sim;
  const size_t G = sim->ngroups;
  for (size_t kind = 0; kind < NKINDS; kind++) {
    range *area = &job->ranges[G * NKINDS + kind];
    area->vmin = INFINITY;
    area->vmax = -INFINITY;
    area->total_w = sim->total_employees_e4;
    for (size_t g = 0; g < G; g++) {
      range *r = &job->ranges[g * NKINDS + kind];
      r->vmin = INFINITY;
      r->vmax = -INFINITY;
      r->total_w = sim->employees_e4[g];
      for (int part = 0; part < job->nparts; part++) {
        size_t k = ((size_t)part * G + g) * NKINDS + kind;
        r->vmin = job->lo[k] < r->vmin ? job->lo[k] : r->vmin;
        r->vmax = job->hi[k] > r->vmax ? job->hi[k] : r->vmax;
      }
      area->vmin = r->vmin < area->vmin ? r->vmin : area->vmin;
      area->vmax = r->vmax > area->vmax ? r->vmax : area->vmax;
    }
  }
  /* One grid per kind, the area's: each group's histogram is then a part of the area's. */
  for (size_t k = 0; k < job->nranges; k++) {
    range *r = &job->ranges[k];
    const range *area = &job->ranges[G * NKINDS + k % NKINDS];
    r->spread = r->vmax > r->vmin;
    r->top.vmin = area->vmin;
    r->top.scale = area->vmax > area->vmin ? (double)PCT_BUCKETS / (area->vmax - area->vmin)
                                           : 0.0;
  }
}

/* l's histogram combined from the parts' hist[part x stride + at]. */
static void combine(level *l, const histogram *hist, int nparts, size_t stride, size_t at) {
  histogram *all = &l->all;
  histogram_clear(all);
  for (int part = 0; part < nparts; part++) {
    const histogram *h = &hist[(size_t)part * stride + at];
    for (size_t b = 0; b < PCT_BUCKETS; b++) {
      bucket *a = &all->b[b];
      const bucket *k = &h->b[b];
      a->w += k->w;
      a->min = k->min < a->min ? k->min : a->min;
      a->max = k->max > a->max ? k->max : a->max;
      a->count += k->count;
    }
  }
}

/* The buckets of l (its histogram combined) where targets t fall, 10 x the weight below l
 * being below and the smallest value above l above. */
static void plan_targets(level *l, mdt_i128 below, double above, const targets *t) {
  const histogram *all = &l->all;
  memset(l->slot, -1, sizeof l->slot);
  l->nb = 0;
  int q = 0;
  mdt_i128 cum = below; /* 10 x the weight below bucket b */
  for (size_t b = 0; b < PCT_BUCKETS && q < t->n; b++) {
    mdt_i128 wb = (mdt_i128)all->b[b].w * 10;
    for (; q < t->n && wb > 0; q++) {
      mdt_i128 T = t->target[q];
      if (T > cum + wb)
        break;
      if (l->nb == 0 || l->tb[l->nb - 1] != b) {
        l->tb[l->nb] = b;
        l->tbelow[l->nb] = cum;
        l->tt[l->nb].n = 0;
        l->leaf[l->nb] = -1;
        l->sub[l->nb] = NULL;
        l->slot[b] = (signed char)l->nb;
        l->nb++;
      }
      targets *tt = &l->tt[l->nb - 1];
      tt->target[tt->n] = T;
      tt->out[tt->n++] = t->out[q];
    }
    cum += wb;
  }
  for (int j = 0; j < l->nb; j++) {
    l->tabove[j] = above;
    for (size_t c = l->tb[j] + 1; c < PCT_BUCKETS; c++)
      if (all->b[c].w > 0) {
        l->tabove[j] = all->b[c].min;
        break;
      }
  }
}

/* A target bucket of one value: its targets resolved as the selection would. */
static void resolve_single(const level *l, int j) {
  size_t b = l->tb[j];
  double v = l->all.b[b].min;
  mdt_i128 end = l->tbelow[j] + (mdt_i128)l->all.b[b].w * 10;
  for (int q = 0; q < l->tt[j].n; q++)
    *l->tt[j].out[q] = end > l->tt[j].target[q] || isnan(l->tabove[j]) ? v
                                                                         : (v + l->tabove[j]) / 2.0;
}

/* Finer levels for l's crowded target buckets (windows numbered from job->nwindows); -1 when
 * out of memory. */
static int plan_finer(pct_job *job, level *l) {
  for (int j = 0; j < l->nb; j++) {
    size_t b = l->tb[j];
    const bucket *k = &l->all.b[b];
    if (k->count <= job->refine_min || !(k->max > k->min))
      continue;
    level *s = calloc(1, sizeof *s);
    if (s == NULL)
      return -1;
    s->vmin = k->min;
    s->scale = (double)PCT_BUCKETS / (k->max - k->min);
    l->sub[j] = s;
    l->window[j] = job->nwindows++;
  }
  return 0;
}

/* Leaves for l's target buckets that are neither of one value nor refined; one-valued ones
 * resolved now. hist[part x stride + at] is the part's histogram of l. */
static int plan_leaves(pct_job *job, level *l, const histogram *hist, size_t stride,
                       size_t at) {
  for (int j = 0; j < l->nb; j++) {
    size_t b = l->tb[j];
    if (l->sub[j] != NULL)
      continue;
    if (!(l->all.b[b].max > l->all.b[b].min)) {
      resolve_single(l, j);
      continue;
    }
    leaf *f = &job->leaves[job->nleaves];
    l->leaf[j] = (int)job->nleaves++;
    f->n = 0;
    for (int part = 0; part < job->nparts; part++) {
      f->at[part] = f->n;
      f->n += hist[(size_t)part * stride + at].b[b].count;
    }
    if ((f->v = malloc((f->n ? f->n : 1) * sizeof *f->v)) == NULL)
      return -1;
  }
  return 0;
}

/* After the gather: the selections over l's leaves and its finer levels'. */
static void level_select(pct_job *job, const level *l) {
  for (int j = 0; j < l->nb; j++) {
    if (l->sub[j] != NULL)
      level_select(job, l->sub[j]);
    else if (l->leaf[j] >= 0) {
      leaf *f = &job->leaves[l->leaf[j]];
      weighted_select(f->v, 0, f->n, l->tbelow[j], l->tabove[j], l->tt[j]);
    }
  }
}

static void job_free(pct_job *job) {
  for (size_t k = 0; job->ranges != NULL && k < job->nranges; k++)
    for (int j = 0; j < NQUANTILES; j++)
      free(job->ranges[k].top.sub[j]);
  for (size_t k = 0; job->leaves != NULL && k < job->nleaves; k++)
    free(job->leaves[k].v);
  free(job->ranges);
  free(job->hist);
  free(job->hist2);
  free(job->lo);
  free(job->hi);
  free(job->leaves);
}

static int job_alloc(pct_job *job, const mdt_microsim_work *w, int parts) {
  const size_t G = w->sim->ngroups;
  memset(job, 0, sizeof *job);
  job->w = w;
  job->nparts = parts;
  job->nranges = (G + 1) * NKINDS;
  job->ranges = calloc(job->nranges, sizeof *job->ranges);
  job->hist = malloc((size_t)parts * job->nranges * sizeof *job->hist);
  job->lo = malloc(((size_t)parts * G * NKINDS + 1) * sizeof *job->lo);
  job->hi = malloc(((size_t)parts * G * NKINDS + 1) * sizeof *job->hi);
  job->leaves = calloc(job->nranges * NQUANTILES * (1 + NQUANTILES), sizeof *job->leaves);
  return job->ranges && job->hist && job->lo && job->hi && job->leaves ? 0 : -1;
}

/* Plans every range's levels from its histogram (pass 2), runs pass 3 (the crowded target
 * buckets' histograms, the others' rises gathered) and plans the finer levels' leaves; -1
 * when out of memory. */
static int plan(pct_job *job) {
  for (size_t k = 0; k < job->nranges; k++) {
    range *r = &job->ranges[k];
    memset(r->top.slot, -1, sizeof r->top.slot); /* no targets until planned */
    for (int q = 0; q < NQUANTILES; q++)
      r->p[q] = NAN;
    if (r->total_w <= 0 || !(r->vmax >= r->vmin))
      continue; /* no employees */
    if (!r->spread) {
      for (int q = 0; q < NQUANTILES; q++)
        r->p[q] = r->vmin;
      continue;
    }
    targets t = {.n = NQUANTILES};
    for (int q = 0; q < NQUANTILES; q++) {
      t.target[q] = (mdt_i128)r->total_w * quantile_tenths[q];
      t.out[q] = &r->p[q];
    }
    combine(&r->top, job->hist, job->nparts, job->nranges, k);
    plan_targets(&r->top, 0, NAN, &t);
    if (plan_finer(job, &r->top) != 0 ||
        plan_leaves(job, &r->top, job->hist, job->nranges, k) != 0)
      return -1;
  }
  job->nleaves_top = job->nleaves;
  memset(job->hit, 0, sizeof job->hit);
  for (size_t k = 0; k < job->nranges; k++) {
    const level *l = &job->ranges[k].top;
    for (int j = 0; job->ranges[k].spread && j < l->nb; j++)
      if (l->sub[j] != NULL || l->leaf[j] >= 0) /* not resolved already */
        job->hit[k % NKINDS][l->tb[j]] = 1;
  }
  if (job->nwindows > 0 &&
      (job->hist2 = malloc((size_t)job->nparts * job->nwindows * sizeof *job->hist2)) == NULL)
    return -1;
  if (job->nwindows > 0 || job->nleaves > 0)
    mdt__run_parts_shared(job->nparts, job->threads, pass_finer, job);
  for (size_t k = 0; k < job->nranges; k++) {
    level *l = &job->ranges[k].top;
    if (!job->ranges[k].spread)
      continue;
    for (int j = 0; j < l->nb; j++) {
      level *s = l->sub[j];
      if (s == NULL)
        continue;
      combine(s, job->hist2, job->nparts, job->nwindows, l->window[j]);
      plan_targets(s, l->tbelow[j], l->tabove[j], &l->tt[j]);
      if (plan_leaves(job, s, job->hist2, job->nwindows, l->window[j]) != 0)
        return -1;
    }
  }
  return 0;
}

/* The percentiles into the report's rows. */
static void put_percentiles(const pct_job *job, mdt_microsim_report *r) {
  const size_t G = job->w->sim->ngroups;
  for (size_t g = 0; g <= G; g++) {
    mdt_microsim_row *row = g < G ? &r->groups[g] : &r->total;
    const double *nok = job->ranges[g * NKINDS].p, *pct = job->ranges[g * NKINDS + 1].p;
    row->rise_p10_nok = nok[0];
    row->rise_p50_nok = nok[1];
    row->rise_p90_nok = nok[2];
    row->rise_p10_pct = pct[0];
    row->rise_p50_pct = pct[1];
    row->rise_p90_pct = pct[2];
  }
}

int mdt__report_percentiles(const mdt_microsim_work *w, int threads, size_t refine_min,
                            mdt_microsim_report *r) {
  if (threads < 1)
    threads = 1;
  if (threads > MDT_MICROSIM_MAX_THREADS)
    threads = MDT_MICROSIM_MAX_THREADS;
  int parts = mdt__shared_parts(threads);
  pct_job job;
  int fail = job_alloc(&job, w, parts);
  job.threads = threads;
  job.refine_min = refine_min;
  if (!fail) {
    if (w->extremes)
      extremes_from_units(&job);
    else
      mdt__run_parts_shared(parts, threads, pass_extremes, &job);
    plan_grids(&job);
    mdt__run_parts_shared(parts, threads, pass_histograms, &job);
    fold_area(&job);
    fail = plan(&job);
  }
  if (!fail) {
    if (job.nleaves > job.nleaves_top)
      mdt__run_parts_shared(parts, threads, pass_gather, &job);
    for (size_t k = 0; k < job.nranges; k++)
      if (job.ranges[k].spread)
        level_select(&job, &job.ranges[k].top);
    put_percentiles(&job, r);
  }
  job_free(&job);
  return fail ? -1 : 0;
}
