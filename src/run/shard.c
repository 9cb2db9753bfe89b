/* Shards and their merge: a run's independent work sliced over processes, and the slices'
 * raw values put back together into the single run's result. See mandat/shard.h. */
#include "mandat/shard.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/hash.h"
#include "mandat/model.h"
#include "run/shard_int.h"

/* ------------------------------------------------------------- identity -- */

static int parse_uint(const char *s, unsigned long max, unsigned long *out) {
  if (s == NULL || *s < '0' || *s > '9')
    return -1;
  errno = 0;
  char *end;
  unsigned long v = strtoul(s, &end, 10);
  if (errno != 0 || *end != '\0' || v > max)
    return -1;
  *out = v;
  return 0;
}

static mdt_status env_uint(const char *name, unsigned long max, unsigned long *out,
                           mdt_error *err) {
  const char *v = getenv(name);
  if (v == NULL || *v == '\0')
    return mdt_error_set(err, MDT_EUSAGE, "--shard: %s is not set", name);
  if (parse_uint(v, max, out) != 0)
    return mdt_error_set(err, MDT_EUSAGE, "--shard: expected %s to be a number up to %lu, "
                         "found '%s'", name, max, v);
  return MDT_OK;
}

mdt_status mdt_shard_parse(const char *spec, unsigned count, mdt_shard_id *out, mdt_error *err) {
  unsigned long k = 0, n = count, v;
  mdt_status st = MDT_OK;
  if (spec == NULL)
    return mdt_error_set(err, MDT_EUSAGE, "--shard: expected K/N, slurm, k8s or parallel");
  int env_count = strcmp(spec, "k8s") == 0 || strcmp(spec, "parallel") == 0;
  if (count != 0 && !env_count)
    return mdt_error_set(err, MDT_EUSAGE, "--shard-count goes with --shard k8s or parallel");
  if (strcmp(spec, "slurm") == 0) {
    unsigned long id, min;
    /* Task ids are those of --array (0-3, 1-4, ...); their minimum, which Slurm always sets
     * in an array job, makes them 1-based. A stepped array (--array=0-6:2) has no contiguous
     * ids and is refused below. */
    if ((st = env_uint("SLURM_ARRAY_TASK_ID", ULONG_MAX / 2, &id, err)) != MDT_OK ||
        (st = env_uint("SLURM_ARRAY_TASK_COUNT", MDT_SHARD_MAX, &n, err)) != MDT_OK ||
        (st = env_uint("SLURM_ARRAY_TASK_MIN", ULONG_MAX / 2, &min, err)) != MDT_OK)
      return st;
    if (id < min)
      return mdt_error_set(err, MDT_EUSAGE, "--shard slurm: SLURM_ARRAY_TASK_ID %lu is below "
                           "SLURM_ARRAY_TASK_MIN %lu", id, min);
    k = id - min + 1;
  } else if (env_count) {
    int k8s = spec[0] == 'k';
    if ((st = env_uint(k8s ? "JOB_COMPLETION_INDEX" : "PARALLEL_SEQ", MDT_SHARD_MAX, &v,
                       err)) != MDT_OK)
      return st;
    k = k8s ? v + 1 : v;
    if (n == 0 && (st = env_uint("MANDAT_SHARD_COUNT", MDT_SHARD_MAX, &n, err)) != MDT_OK)
      return mdt_error_set(err, MDT_EUSAGE, "--shard %s: give the number of shards with "
                           "--shard-count N or MANDAT_SHARD_COUNT", spec);
  } else {
    const char *slash = strchr(spec, '/');
    char kbuf[32];
    if (slash == NULL || (size_t)(slash - spec) >= sizeof kbuf)
      return mdt_error_set(err, MDT_EUSAGE,
                           "--shard: expected K/N, slurm, k8s or parallel, found '%s'", spec);
    memcpy(kbuf, spec, (size_t)(slash - spec));
    kbuf[slash - spec] = '\0';
    if (parse_uint(kbuf, MDT_SHARD_MAX, &k) != 0 || parse_uint(slash + 1, MDT_SHARD_MAX, &n) != 0)
      return mdt_error_set(err, MDT_EUSAGE, "--shard: expected K/N with whole numbers, found "
                           "'%s'", spec);
  }
  if (n < 1 || n > MDT_SHARD_MAX || k < 1 || k > n)
    return mdt_error_set(err, MDT_EUSAGE, "--shard: expected shard 1 to %lu of %lu, found %lu",
                         n, n, k);
  out->k = (unsigned)k;
  out->n = (unsigned)n;
  return MDT_OK;
}

void mdt__shard_identity_clear(mdt__shard_identity *id) {
  free(id->scenario_path);
  free(id->model_dir);
  free(id->rule);
  free(id->seed);
  free(id->lang);
  free(id->csv);
  free(id->inputs);
  memset(id, 0, sizeof *id);
}

static int str_eq(const char *a, const char *b) {
  return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* Which field two identities differ in, or NULL when they are one run's. */
static const char *identity_differs(const mdt__shard_identity *a, const mdt__shard_identity *b) {
  if (!str_eq(a->scenario_path, b->scenario_path))
    return "the scenario path";
  if (!str_eq(a->model_dir, b->model_dir) || !str_eq(a->rule, b->rule) ||
      !str_eq(a->lang, b->lang) || !str_eq(a->csv, b->csv))
    return "the options (--model, --rule, --lang or --csv)";
  if (!str_eq(a->seed, b->seed) || a->seed_used != b->seed_used)
    return "the seed";
  if (!str_eq(a->inputs, b->inputs))
    return "the scenario or its inputs (their SHA-256)";
  return NULL;
}

typedef struct {
  char *s;
  size_t n, cap;
  int nomem;
} strbuf;

static void sb_add(strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_add(strbuf *b, const char *fmt, ...) {
  if (b->nomem)
    return;
  for (;;) {
    va_list ap;
    va_start(ap, fmt);
    int m = vsnprintf(b->s ? b->s + b->n : NULL, b->s ? b->cap - b->n : 0, fmt, ap);
    va_end(ap);
    if (m < 0) {
      b->nomem = 1;
      return;
    }
    if (b->s != NULL && b->n + (size_t)m < b->cap) {
      b->n += (size_t)m;
      return;
    }
    size_t cap = (b->cap + (size_t)m + 1) * 2;
    char *s = realloc(b->s, cap);
    if (s == NULL) {
      b->nomem = 1;
      return;
    }
    b->s = s;
    b->cap = cap;
  }
}

static mdt_status add_digest(strbuf *b, const char *path, mdt_error *err) {
  char hex[MDT_SHA256_HEX_SIZE];
  mdt_status st = mdt_sha256_file(path, hex, err);
  if (st == MDT_OK)
    sb_add(b, "%s %s\n", hex, path);
  return st;
}

/* The inputs of one year, as the manifest lists them. */
static mdt_status year_inputs(const mdt__year *y, strbuf *b, mdt_error *err) {
  const mdt__pipeline *p = &y->p;
  const mdt_scenario *sc = p->sc;
  static const char *const model_files[] = {"respondents.csv", "groups.csv", "questions.csv",
                                            "options.csv", "answers.csv", "register.csv"};
  char path[4096];
  mdt_status st = MDT_OK;
  for (size_t k = 0; k < sizeof model_files / sizeof model_files[0] && st == MDT_OK; k++)
    if (mdt_model_path(sc->model_dir, model_files[k], path, sizeof path))
      st = add_digest(b, path, err);
  if (st == MDT_OK && sc->by_group &&
      mdt_model_path(sc->model_dir, "headcounts.csv", path, sizeof path))
    st = add_digest(b, path, err);
  if (st == MDT_OK && p->guarantee && sc->guarantee_path && access(sc->guarantee_path, R_OK) == 0)
    st = add_digest(b, sc->guarantee_path, err);
  if (st == MDT_OK && p->table && sc->table_path)
    st = add_digest(b, sc->table_path, err);
  if (st == MDT_OK && p->new_guarantee && sc->new_guarantee_path)
    st = add_digest(b, sc->new_guarantee_path, err);
  return st;
}

static char *dup_or_null(const char *s, int *nomem) {
  if (s == NULL)
    return NULL;
  char *d = strdup(s);
  if (d == NULL)
    *nomem = 1;
  return d;
}

/* The identity of a run whose years are loaded (after mdt_run_compute: from its result). */
static mdt_status identity_of(const mdt_run_options *o, const mdt__year *years, int nyears,
                              mdt__shard_identity *id, mdt_error *err) {
  memset(id, 0, sizeof *id);
  strbuf b = {0};
  const char *sp = o->scenario_path != NULL ? o->scenario_path : years[0].p.sc->path;
  mdt_status st = MDT_OK;
  if (sp != NULL && *sp)
    st = add_digest(&b, sp, err);
  for (int y = 0; y < nyears && st == MDT_OK; y++)
    st = year_inputs(&years[y], &b, err);
  int nomem = b.nomem;
  id->inputs = b.s;
  id->scenario_path = dup_or_null(sp, &nomem);
  id->model_dir = dup_or_null(o->model_dir, &nomem);
  id->rule = dup_or_null(o->rule, &nomem);
  id->seed = dup_or_null(o->seed, &nomem);
  id->lang = dup_or_null(o->lang, &nomem);
  id->csv = dup_or_null(o->csv, &nomem);
  id->seed_used = years[0].p.sc->seed;
  if (st == MDT_OK && (nomem || id->inputs == NULL))
    st = mdt_error_set(err, MDT_ENOMEM, "out of memory");
  if (st != MDT_OK)
    mdt__shard_identity_clear(id);
  return st;
}

/* ---------------------------------------------------------------- hooks -- */

void mdt__shard_year_clear(mdt__shard_year *sh) {
  if (sh == NULL)
    return;
  mdt__boot_raw_free(&sh->boot);
  free(sh->boot_dropped);
  free(sh->mc_growth);
  free(sh->mc_group_growth);
  free(sh->mc_fall);
  free(sh->m_pct);
  free(sh->m_growth);
  free(sh->m_feasible);
  free(sh->m_done);
  for (int k = 0; k < 4; k++)
    mdt_sweep_free(sh->sweeps[k]);
  mdt_region_allocations_free(sh->regions);
  memset(sh, 0, sizeof *sh);
}

int mdt__shard_tables(const mdt__shard_year *sh) {
  return sh == NULL || sh->mode == MDT__SHARD_MERGE;
}

mdt__boot_raw *mdt__shard_boot(mdt__shard_year *sh) { return sh != NULL ? &sh->boot : NULL; }

/* Marks work w as reached with units units, and gives the slice's [lo, hi). */
static void reach(mdt__shard_year *sh, int w, size_t units) {
  sh->present[w] = 1;
  sh->units[w] = units;
  mdt__slice(units, sh->k, sh->n, &sh->lo[w], &sh->hi[w]);
}

static mdt_status mismatch(mdt_error *err, const char *what) {
  return mdt_error_set(err, MDT_EDATA,
                       "the parts do not hold %s as this run computes it (were they computed "
                       "by another version of mandat?)", what);
}

mdt_status mdt__shard_sweep_run(mdt__shard_year *sh, mdt_allocator *a, mdt_microsim_work *w,
                                const mdt_settlement *base, const mdt_allocation *spec,
                                mdt_sweep_setting setting, const double *values, size_t n,
                                const mdt_sweep_context *ctx, mdt_sweep **out, mdt_error *err) {
  int k = (int)setting;
  *out = NULL;
  if (sh->mode == MDT__SHARD_COMPUTE) {
    reach(sh, MDT__WORK_SWEEP + k, n);
    size_t lo = sh->lo[MDT__WORK_SWEEP + k], hi = sh->hi[MDT__WORK_SWEEP + k];
    return mdt_sweep_run(a, w, base, spec, setting, values + lo, hi - lo, ctx, &sh->sweeps[k],
                         err);
  }
  if (!sh->present[MDT__WORK_SWEEP + k] || sh->sweeps[k] == NULL || sh->sweeps[k]->npoints != n)
    return mismatch(err, "this sweep");
  *out = sh->sweeps[k];
  sh->sweeps[k] = NULL;
  return MDT_OK;
}

mdt_status mdt__shard_mc_run(mdt__shard_year *sh, const mdt_microsim_report *rep,
                             const mdt_mc_options *o, mdt_mc_result **out, mdt_error *err) {
  *out = NULL;
  size_t G = rep->ngroups;
  if (sh->mode == MDT__SHARD_MERGE) {
    if (!sh->present[MDT__WORK_MC] || sh->mc_draws != o->draws || sh->mc_groups != G ||
        sh->mc_first != 0 || sh->mc_last != o->draws)
      return mismatch(err, "the Monte Carlo draws");
    return mdt__mc_summarise(rep, o, sh->mc_growth, sh->mc_group_growth, sh->mc_fall, out, err);
  }
  reach(sh, MDT__WORK_MC, (o->draws + MDT__MC_CHUNK - 1) / MDT__MC_CHUNK);
  size_t lo = sh->lo[MDT__WORK_MC], hi = sh->hi[MDT__WORK_MC];
  sh->mc_draws = o->draws;
  sh->mc_groups = G;
  sh->mc_first = lo * MDT__MC_CHUNK;
  sh->mc_last = hi * MDT__MC_CHUNK < o->draws ? hi * MDT__MC_CHUNK : o->draws;
  size_t m = sh->mc_last - sh->mc_first, m1 = m ? m : 1, G1 = G ? G : 1;
  sh->mc_growth = malloc(m1 * sizeof *sh->mc_growth);
  sh->mc_group_growth = malloc(m1 * G1 * sizeof *sh->mc_group_growth);
  sh->mc_fall = malloc(m1 * G1);
  if (!sh->mc_growth || !sh->mc_group_growth || !sh->mc_fall)
    return mdt_error_set(err, MDT_ENOMEM, "out of memory for %zu draws", m);
  return mdt__mc_draws(rep, o, lo, hi, sh->mc_growth, sh->mc_group_growth, sh->mc_fall, err);
}

mdt_status mdt__shard_mandate_run(mdt__shard_year *sh, mdt_allocator *a, mdt_microsim_work *w,
                                  const mdt_settlement *base, const mdt_allocation *spec,
                                  const mdt_aggregate *agg, double level,
                                  const mdt_microsim_report_options *ro,
                                  mdt_mandate_uncertainty **out, mdt_error *err) {
  *out = NULL;
  size_t G = mdt_microsim_ngroups(mdt_microsim_work_sim(w));
  if (sh->mode == MDT__SHARD_COMPUTE) {
    const mdt__boot_raw *b = &sh->boot;
    if (b->profiles == NULL)
      return MDT_OK; /* the whole run keeps no profiles: it has no mandate uncertainty */
    reach(sh, MDT__WORK_MANDATE, b->B);
    sh->lo[MDT__WORK_MANDATE] = b->first; /* sliced as the bootstrap's chunks */
    sh->hi[MDT__WORK_MANDATE] = b->last;
    size_t B1 = b->B ? b->B : 1, G1 = G ? G : 1;
    sh->m_draws = b->B;
    sh->m_groups = G;
    sh->m_pct = calloc(B1 * G1, sizeof *sh->m_pct);
    sh->m_growth = calloc(B1 * G1, sizeof *sh->m_growth);
    sh->m_feasible = calloc(B1, 1);
    sh->m_done = calloc(B1, 1);
    if (!sh->m_pct || !sh->m_growth || !sh->m_feasible || !sh->m_done)
      return mdt_error_set(err, MDT_ENOMEM, "out of memory");
    for (size_t d = b->first; d < b->last; d++) {
      if (b->dropped[d])
        continue;
      int feasible;
      mdt_status st = mdt__mandate_solve(a, w, base, spec, &b->profiles[d * G], ro,
                                         &sh->m_pct[d * G], &sh->m_growth[d * G], &feasible,
                                         err);
      if (st != MDT_OK)
        return st;
      sh->m_feasible[d] = (unsigned char)(feasible != 0);
      sh->m_done[d] = 1;
    }
    return MDT_OK;
  }
  if (agg->profile_draws == NULL)
    return MDT_OK;
  if (!sh->present[MDT__WORK_MANDATE] || sh->m_groups != G || sh->boot_dropped == NULL)
    return mismatch(err, "the mandate's re-solves");
  /* The draws kept, in draw order: the order of the aggregate's kept profiles. */
  size_t used = 0, infeasible = 0;
  for (size_t d = 0; d < sh->m_draws; d++) {
    if (sh->boot_dropped[d])
      continue;
    if (!sh->m_done[d])
      return mismatch(err, "the mandate's re-solves");
    if (used != d) {
      memmove(&sh->m_pct[used * G], &sh->m_pct[d * G], G * sizeof *sh->m_pct);
      memmove(&sh->m_growth[used * G], &sh->m_growth[d * G], G * sizeof *sh->m_growth);
    }
    infeasible += !sh->m_feasible[d];
    used++;
  }
  if (used != agg->bootstrap)
    return mismatch(err, "the mandate's re-solves");
  return mdt__mandate_uncertainty_from(a, w, base, spec, sh->m_pct, sh->m_growth, used,
                                       infeasible, level, ro, out, err);
}

mdt_status mdt__shard_regions_run(mdt__shard_year *sh, mdt_allocator *a, mdt_microsim_work *w,
                                  const mdt_settlement *base, const mdt_allocation *spec,
                                  const double *profiles, size_t nregions,
                                  const mdt_microsim_report_options *ro,
                                  mdt_region_allocations **out, mdt_error *err) {
  *out = NULL;
  if (sh->mode == MDT__SHARD_COMPUTE) {
    size_t G = mdt_microsim_ngroups(mdt_microsim_work_sim(w));
    reach(sh, MDT__WORK_REGIONS, nregions);
    size_t lo = sh->lo[MDT__WORK_REGIONS], hi = sh->hi[MDT__WORK_REGIONS];
    return mdt_regions_run(a, w, base, spec, profiles + lo * G, hi - lo, ro, &sh->regions, err);
  }
  if (!sh->present[MDT__WORK_REGIONS] || sh->regions == NULL ||
      sh->regions->nregions != nregions)
    return mismatch(err, "the regions");
  *out = sh->regions;
  sh->regions = NULL;
  return MDT_OK;
}

/* ------------------------------------------------------------ one shard -- */

mdt_status mdt_shard_run(const mdt_run_options *o, mdt_shard_id id, const char *path,
                         mdt_error *err) {
  if (o == NULL || path == NULL)
    return mdt_error_set(err, MDT_EUSAGE, "mdt_shard_run: no %s given",
                         o == NULL ? "options" : "part file");
  if (id.n < 1 || id.n > MDT_SHARD_MAX || id.k < 1 || id.k > id.n)
    return mdt_error_set(err, MDT_EUSAGE, "expected shard 1 to %u of %u, found %u", id.n, id.n,
                         id.k);
  if (o->scope != MDT_RUN_ALL)
    return mdt_error_set(err, MDT_EUSAGE, "a shard computes a whole run (scope MDT_RUN_ALL)");
  mdt__shard_year *years[2];
  mdt__shard_year sh[2];
  memset(sh, 0, sizeof sh);
  for (int y = 0; y < 2; y++) {
    sh[y].mode = MDT__SHARD_COMPUTE;
    sh[y].k = id.k;
    sh[y].n = id.n;
    sh[y].boot.mode = MDT__BOOT_SLICE;
    sh[y].boot.slice_k = id.k;
    sh[y].boot.slice_n = id.n;
    sh[y].boot.first_drop = SIZE_MAX;
    years[y] = &sh[y];
  }
  mdt_run *run = NULL;
  mdt_result *res = NULL;
  mdt__shard_identity ident;
  memset(&ident, 0, sizeof ident);
  mdt_status st = mdt__run_open(o, years, &run, err);
  if (st == MDT_OK)
    st = mdt_run_compute(run, &res, err);
  if (st == MDT_OK)
    st = identity_of(o, res->years, res->nyears, &ident, err);
  if (st == MDT_OK)
    st = mdt__part_write(path, id.k, id.n, res->nyears, &ident, years, err);
  mdt__shard_identity_clear(&ident);
  mdt_result_free(res);
  mdt_run_free(run);
  mdt__shard_year_clear(&sh[0]);
  mdt__shard_year_clear(&sh[1]);
  return st;
}

/* ---------------------------------------------------------------- merge -- */

/* The slice shard k of n must hold of units units. */
static int slice_is(size_t units, unsigned k, unsigned n, size_t lo, size_t hi) {
  size_t l, h;
  mdt__slice(units, k, n, &l, &h);
  return l == lo && h == hi;
}

/* Checks that part p's slices are those of shard p->k of p->n (a part altered or from a
 * different slicing is refused). */
static mdt_status check_slices(const mdt__part *p, const mdt__part *first, const char *path,
                               mdt_error *err) {
  for (int y = 0; y < p->nyears; y++) {
    const mdt__shard_year *s = &p->years[y], *f = &first->years[y];
    size_t chunks = (s->boot.B + MDT__BOOT_CHUNK - 1) / MDT__BOOT_CHUNK, lo, hi;
    mdt__slice(chunks, p->k, p->n, &lo, &hi);
    lo *= MDT__BOOT_CHUNK;
    hi = hi * MDT__BOOT_CHUNK < s->boot.B ? hi * MDT__BOOT_CHUNK : s->boot.B;
    int ok = s->boot.B == f->boot.B && s->boot.nrows == f->boot.nrows &&
             s->boot.ntop3 == f->boot.ntop3 && s->boot.G == f->boot.G &&
             (s->boot.B == 0 || (s->boot.first == lo && s->boot.last == hi));
    for (int w = 0; w < MDT__NWORK && ok; w++) {
      ok = s->present[w] == f->present[w] && s->units[w] == f->units[w];
      if (ok && s->present[w] && w != MDT__WORK_MANDATE)
        ok = slice_is(s->units[w], p->k, p->n, s->lo[w], s->hi[w]);
      if (ok && s->present[w] && w == MDT__WORK_MANDATE)
        ok = s->lo[w] == s->boot.first && s->hi[w] == s->boot.last && s->m_groups == f->m_groups;
    }
    ok = ok && s->mc_draws == f->mc_draws && s->mc_groups == f->mc_groups;
    if (!ok)
      return mdt_error_set_at(err, MDT_EDATA, path, 0, 0,
                              "this part's work (year %d) is not shard %u of %u of the run "
                              "the other parts are from", y + 1, p->k, p->n);
  }
  return MDT_OK;
}

/* Copies a sweep's points [lo, lo + s->npoints) into all. */
static void put_sweep(mdt_sweep *all, const mdt_sweep *s, size_t lo) {
  size_t G = all->ngroups;
  memcpy(&all->points[lo], s->points, s->npoints * sizeof *s->points);
  memcpy(&all->group_growth_pct[lo * G], s->group_growth_pct,
         s->npoints * G * sizeof *s->group_growth_pct);
  memcpy(&all->group_rise_pct[lo * G], s->group_rise_pct, s->npoints * G * sizeof(double));
}

static void put_regions(mdt_region_allocations *all, const mdt_region_allocations *r,
                        size_t lo) {
  size_t G = all->ngroups, n = r->nregions;
  memcpy(&all->solved[lo], r->solved, n);
  memcpy(&all->feasible[lo], r->feasible, n * sizeof *r->feasible);
  memcpy(&all->pct[lo * G], r->pct, n * G * sizeof *r->pct);
  memcpy(&all->growth_pct[lo * G], r->growth_pct, n * G * sizeof *r->growth_pct);
  memcpy(&all->l1_distance_pp[lo], r->l1_distance_pp, n * sizeof *r->l1_distance_pp);
  memcpy(all->national_pct, r->national_pct, G * sizeof *r->national_pct);
}

/* Puts year y of every part (parts[k - 1] is shard k) into one mdt__shard_year. */
static mdt_status assemble_year(mdt__part *parts, unsigned n, int y, mdt__shard_year *m,
                                mdt_error *err) {
  const mdt__shard_year *f = &parts[0].years[y];
  memset(m, 0, sizeof *m);
  m->mode = MDT__SHARD_MERGE;
  m->k = 1;
  m->n = 1;
  memcpy(m->present, f->present, sizeof m->present);
  memcpy(m->units, f->units, sizeof m->units);
  for (int w = 0; w < MDT__NWORK; w++)
    m->hi[w] = m->units[w];
  /* the bootstrap */
  mdt__boot_raw *b = &m->boot;
  b->mode = MDT__BOOT_GIVEN;
  b->B = f->boot.B;
  b->nrows = f->boot.nrows;
  b->ntop3 = f->boot.ntop3;
  b->G = f->boot.G;
  b->first = 0;
  b->last = b->B;
  b->first_drop = SIZE_MAX;
  size_t B1 = b->B ? b->B : 1;
  if (b->B > 0) {
    b->draws = calloc(B1 * (b->nrows ? b->nrows : 1), sizeof *b->draws);
    b->top3 = calloc(B1 * (b->ntop3 ? b->ntop3 : 1), 1);
    b->dropped = calloc(B1, 1);
    m->boot_dropped = calloc(B1, 1);
    if (b->G > 0)
      b->profiles = calloc(B1 * b->G, sizeof *b->profiles);
    if (!b->draws || !b->top3 || !b->dropped || !m->boot_dropped || (b->G > 0 && !b->profiles))
      return mdt_error_set(err, MDT_ENOMEM, "out of memory for %zu bootstrap draws", b->B);
  }
  /* the Monte Carlo draws */
  m->mc_draws = f->mc_draws;
  m->mc_groups = f->mc_groups;
  m->mc_first = 0;
  m->mc_last = f->mc_draws;
  size_t D1 = m->mc_draws ? m->mc_draws : 1, G1 = m->mc_groups ? m->mc_groups : 1;
  if (m->present[MDT__WORK_MC]) {
    m->mc_growth = malloc(D1 * sizeof *m->mc_growth);
    m->mc_group_growth = malloc(D1 * G1 * sizeof *m->mc_group_growth);
    m->mc_fall = malloc(D1 * G1);
    if (!m->mc_growth || !m->mc_group_growth || !m->mc_fall)
      return mdt_error_set(err, MDT_ENOMEM, "out of memory for %zu draws", m->mc_draws);
  }
  /* the mandate's re-solves */
  m->m_draws = f->m_draws;
  m->m_groups = f->m_groups;
  if (m->present[MDT__WORK_MANDATE]) {
    size_t M1 = m->m_draws ? m->m_draws : 1, MG1 = m->m_groups ? m->m_groups : 1;
    m->m_pct = calloc(M1 * MG1, sizeof *m->m_pct);
    m->m_growth = calloc(M1 * MG1, sizeof *m->m_growth);
    m->m_feasible = calloc(M1, 1);
    m->m_done = calloc(M1, 1);
    if (!m->m_pct || !m->m_growth || !m->m_feasible || !m->m_done)
      return mdt_error_set(err, MDT_ENOMEM, "out of memory");
  }
  /* sweeps and regions, shaped from the first part */
  for (int k = 0; k < 4; k++) {
    if (!m->present[MDT__WORK_SWEEP + k])
      continue;
    size_t np = m->units[MDT__WORK_SWEEP + k], G = 0;
    for (unsigned s = 0; s < n; s++)
      if (parts[s].years[y].sweeps[k] != NULL)
        G = parts[s].years[y].sweeps[k]->ngroups;
    mdt_sweep *all = calloc(1, sizeof *all);
    if (all == NULL)
      return mdt_error_set(err, MDT_ENOMEM, "out of memory");
    m->sweeps[k] = all;
    all->setting = (mdt_sweep_setting)k;
    all->npoints = np;
    all->ngroups = G;
    all->points = calloc(np ? np : 1, sizeof *all->points);
    all->group_growth_pct = calloc((np ? np : 1) * (G ? G : 1), sizeof(double));
    all->group_rise_pct = calloc((np ? np : 1) * (G ? G : 1), sizeof(double));
    if (!all->points || !all->group_growth_pct || !all->group_rise_pct)
      return mdt_error_set(err, MDT_ENOMEM, "out of memory");
  }
  if (m->present[MDT__WORK_REGIONS]) {
    size_t R = m->units[MDT__WORK_REGIONS], G = f->regions ? f->regions->ngroups : 0;
    size_t R1 = R ? R : 1, GG1 = G ? G : 1;
    mdt_region_allocations *r = calloc(1, sizeof *r);
    if (r == NULL)
      return mdt_error_set(err, MDT_ENOMEM, "out of memory");
    m->regions = r;
    r->nregions = R;
    r->ngroups = G;
    r->solved = calloc(R1, 1);
    r->feasible = calloc(R1, sizeof *r->feasible);
    r->pct = calloc(R1 * GG1, sizeof(double));
    r->growth_pct = calloc(R1 * GG1, sizeof(double));
    r->national_pct = calloc(GG1, sizeof(double));
    r->l1_distance_pp = calloc(R1, sizeof(double));
    if (!r->solved || !r->feasible || !r->pct || !r->growth_pct || !r->national_pct ||
        !r->l1_distance_pp)
      return mdt_error_set(err, MDT_ENOMEM, "out of memory");
  }
  /* every part's slice in its place */
  for (unsigned s = 0; s < n; s++) {
    const mdt__shard_year *p = &parts[s].years[y];
    const mdt__boot_raw *pb = &p->boot;
    for (size_t d = pb->first; d < pb->last && b->B > 0; d++) {
      size_t i = d - pb->first;
      memcpy(&b->draws[d * b->nrows], &pb->draws[i * b->nrows], b->nrows * sizeof *b->draws);
      memcpy(&b->top3[d * b->ntop3], &pb->top3[i * b->ntop3], b->ntop3);
      if (b->G > 0)
        memcpy(&b->profiles[d * b->G], &pb->profiles[i * b->G], b->G * sizeof *b->profiles);
      b->dropped[d] = m->boot_dropped[d] = pb->dropped[i];
    }
    if (pb->first_drop != SIZE_MAX && (b->first_drop == SIZE_MAX || pb->first_drop < b->first_drop)) {
      b->first_drop = pb->first_drop;
      b->drop_err = pb->drop_err;
    }
    if (m->present[MDT__WORK_MC]) {
      size_t cnt = p->mc_last - p->mc_first;
      memcpy(&m->mc_growth[p->mc_first], p->mc_growth, cnt * sizeof *m->mc_growth);
      memcpy(&m->mc_group_growth[p->mc_first * m->mc_groups], p->mc_group_growth,
             cnt * m->mc_groups * sizeof *m->mc_group_growth);
      memcpy(&m->mc_fall[p->mc_first * m->mc_groups], p->mc_fall, cnt * m->mc_groups);
    }
    if (m->present[MDT__WORK_MANDATE]) {
      size_t G = m->m_groups, lo = p->lo[MDT__WORK_MANDATE], cnt = p->hi[MDT__WORK_MANDATE] - lo;
      memcpy(&m->m_pct[lo * G], p->m_pct, cnt * G * sizeof *m->m_pct);
      memcpy(&m->m_growth[lo * G], p->m_growth, cnt * G * sizeof *m->m_growth);
      memcpy(&m->m_feasible[lo], p->m_feasible, cnt);
      memcpy(&m->m_done[lo], p->m_done, cnt);
    }
    for (int k = 0; k < 4; k++)
      if (m->sweeps[k] != NULL && p->sweeps[k] != NULL) {
        if (p->sweeps[k]->ngroups != m->sweeps[k]->ngroups)
          return mismatch(err, "the sweeps");
        put_sweep(m->sweeps[k], p->sweeps[k], p->lo[MDT__WORK_SWEEP + k]);
      }
    if (m->regions != NULL && p->regions != NULL) {
      if (p->regions->ngroups != m->regions->ngroups)
        return mismatch(err, "the regions");
      put_regions(m->regions, p->regions, p->lo[MDT__WORK_REGIONS]);
    }
  }
  return MDT_OK;
}

/* Frees a part's per-draw arrays, keeping its slices. */
static void drop_values(mdt__shard_year *sh) {
  mdt__boot_raw_free(&sh->boot);
  free(sh->mc_growth);
  free(sh->mc_group_growth);
  free(sh->mc_fall);
  free(sh->m_pct);
  free(sh->m_growth);
  free(sh->m_feasible);
  free(sh->m_done);
  sh->mc_growth = sh->mc_group_growth = sh->m_pct = sh->m_growth = NULL;
  sh->mc_fall = sh->m_feasible = sh->m_done = NULL;
}

static void json_str(strbuf *b, const char *s) {
  sb_add(b, "\"");
  for (; s != NULL && *s; s++) {
    unsigned char c = (unsigned char)*s;
    if (c == '"' || c == '\\')
      sb_add(b, "\\%c", c);
    else if (c < 0x20)
      sb_add(b, "\\u%04x", c);
    else
      sb_add(b, "%c", c);
  }
  sb_add(b, "\"");
}

/* shards.json: which parts made the folder, with their digests and slices. */
static char *shards_json(const mdt__part *parts, const char *const *paths, const unsigned *order,
                         unsigned n, int first_year) {
  static const char *const work[MDT__NWORK] = {"sweep_theta", "sweep_krone_share",
                                               "sweep_local_pot_pct", "sweep_central_month",
                                               "monte_carlo_chunks", "regions",
                                               "mandate_resolves"};
  strbuf b = {0};
  sb_add(&b, "{\n  \"shards\": %u,\n  \"scenario\": ", n);
  json_str(&b, parts[0].id.scenario_path);
  sb_add(&b, ",\n  \"seed\": %lu,\n  \"units\": \"each slice is [first, last) of its work's "
             "units: bootstrap draws, Monte Carlo chunks of %d draws, sweep points, regions, "
             "the mandate's re-solves (one per bootstrap draw)\",\n  \"parts\": [",
         parts[0].id.seed_used, MDT__MC_CHUNK);
  for (unsigned s = 0; s < n; s++) {
    const mdt__part *p = &parts[s];
    sb_add(&b, "%s\n    {\"shard\": %u, \"file\": ", s ? "," : "", p->k);
    json_str(&b, paths[order[s]]);
    sb_add(&b, ", \"sha256\": \"%s\", \"years\": [", p->digest);
    for (int y = 0; y < p->nyears; y++) {
      const mdt__shard_year *sy = &p->years[y];
      sb_add(&b, "%s\n      {\"year\": %d, \"bootstrap_draws\": [%zu, %zu]", y ? "," : "",
             first_year + y, sy->boot.first, sy->boot.last);
      for (int w = 0; w < MDT__NWORK; w++)
        if (sy->present[w])
          sb_add(&b, ", \"%s\": [%zu, %zu]", work[w], sy->lo[w], sy->hi[w]);
      sb_add(&b, "}");
    }
    sb_add(&b, "]}");
  }
  sb_add(&b, "\n  ]\n}\n");
  if (b.nomem) {
    free(b.s);
    return NULL;
  }
  return b.s;
}

mdt_status mdt_shard_merge(const mdt_run_options *o, const char *const *paths, size_t nparts,
                           mdt_result **out, mdt_error *err) {
  if (paths == NULL || out == NULL || nparts == 0)
    return mdt_error_set(err, MDT_EUSAGE, "mdt_shard_merge: no parts given");
  if (nparts > MDT_SHARD_MAX)
    return mdt_error_set(err, MDT_EUSAGE, "expected at most %d parts, found %zu",
                         MDT_SHARD_MAX, nparts);
  mdt__part *read = calloc(nparts, sizeof *read);
  unsigned *order = NULL;     /* order[k - 1]: the index in paths of shard k */
  mdt__part *parts = NULL;    /* the parts by shard number */
  mdt__shard_year merged[2];
  memset(merged, 0, sizeof merged);
  mdt_run *run = NULL;
  mdt_result *res = NULL;
  mdt__shard_identity now;
  memset(&now, 0, sizeof now);
  mdt_status st = MDT_OK;
  unsigned n = 0;
  if (read == NULL) {
    st = mdt_error_set(err, MDT_ENOMEM, "out of memory");
    goto done;
  }
  for (size_t i = 0; i < nparts && st == MDT_OK; i++)
    st = mdt__part_read(paths[i], &read[i], err);
  if (st != MDT_OK)
    goto done;
  /* One run, one n, every shard once. */
  n = read[0].n;
  for (size_t i = 1; i < nparts; i++) {
    const char *why = identity_differs(&read[0].id, &read[i].id);
    if (why != NULL) {
      st = mdt_error_set_at(err, MDT_EDATA, paths[i], 0, 0,
                            "this part is from another run than %s: they differ in %s",
                            paths[0], why);
      goto done;
    }
    if (read[i].n != n || read[i].nyears != read[0].nyears) {
      st = mdt_error_set_at(err, MDT_EDATA, paths[i], 0, 0,
                            "this part is shard %u of %u, but %s is shard %u of %u", read[i].k,
                            read[i].n, paths[0], read[0].k, n);
      goto done;
    }
  }
  order = malloc(n * sizeof *order);
  parts = calloc(n, sizeof *parts);
  if (order == NULL || parts == NULL) {
    st = mdt_error_set(err, MDT_ENOMEM, "out of memory");
    goto done;
  }
  for (unsigned k = 0; k < n; k++)
    order[k] = UINT32_MAX;
  for (size_t i = 0; i < nparts; i++) {
    unsigned k = read[i].k;
    if (order[k - 1] != UINT32_MAX) {
      st = mdt_error_set_at(err, MDT_EDATA, paths[i], 0, 0,
                            "this part is shard %u of %u, and so is %s: a shard given twice", k,
                            n, paths[order[k - 1]]);
      goto done;
    }
    order[k - 1] = (unsigned)i;
  }
  for (unsigned k = 0; k < n; k++)
    if (order[k] == UINT32_MAX) {
      unsigned missing = 0;
      for (unsigned j = 0; j < n; j++)
        missing += order[j] == UINT32_MAX;
      st = mdt_error_set(err, MDT_EDATA, "shard %u of %u is missing (%u of the %u parts are "
                         "not given)", k + 1, n, missing, n);
      goto done;
    }
  for (unsigned k = 0; k < n; k++) {
    parts[k] = read[order[k]];
    memset(&read[order[k]], 0, sizeof read[order[k]]);
  }
  for (unsigned k = 0; k < n && st == MDT_OK; k++)
    st = check_slices(&parts[k], &parts[0], paths[order[k]], err);
  for (int y = 0; y < parts[0].nyears && st == MDT_OK; y++)
    st = assemble_year(parts, n, y, &merged[y], err);
  if (st != MDT_OK)
    goto done;
  /* The parts' values are in the merged years now; only their slices are still needed (for
   * shards.json), so the run computed again does not hold them twice. */
  for (unsigned k = 0; k < n; k++)
    for (int y = 0; y < parts[k].nyears; y++)
      drop_values(&parts[k].years[y]);
  /* The run the parts are from, computed again from their values. */
  mdt_run_options ro;
  mdt_run_options_init(&ro);
  if (o != NULL)
    ro = *o;
  ro.scenario_path = parts[0].id.scenario_path;
  ro.model_dir = parts[0].id.model_dir;
  ro.rule = parts[0].id.rule;
  ro.seed = parts[0].id.seed;
  ro.lang = parts[0].id.lang;
  ro.csv = parts[0].id.csv;
  ro.scope = MDT_RUN_ALL;
  mdt__shard_year *years[2] = {&merged[0], &merged[1]};
  st = mdt__run_open(&ro, years, &run, err);
  if (st == MDT_OK && run->nyears != parts[0].nyears)
    st = mismatch(err, "the years of the settlement period");
  if (st == MDT_OK)
    st = mdt_run_compute(run, &res, err);
  if (st == MDT_OK)
    st = identity_of(&ro, res->years, res->nyears, &now, err);
  if (st == MDT_OK && !str_eq(now.inputs, parts[0].id.inputs))
    st = mdt_error_set_at(err, MDT_EDATA, parts[0].id.scenario_path, 0, 0,
                          "the scenario or an input file changed since the shards ran (their "
                          "SHA-256 differ from the parts')");
  if (st == MDT_OK && (res->shards_json = shards_json(parts, paths, order, n,
                                                      res->first_year)) == NULL)
    st = mdt_error_set(err, MDT_ENOMEM, "out of memory");
done:
  mdt__shard_identity_clear(&now);
  mdt_run_free(run);
  mdt__shard_year_clear(&merged[0]);
  mdt__shard_year_clear(&merged[1]);
  for (size_t i = 0; read != NULL && i < nparts; i++)
    mdt__part_clear(&read[i]);
  for (unsigned k = 0; parts != NULL && k < n; k++)
    mdt__part_clear(&parts[k]);
  free(read);
  free(parts);
  free(order);
  if (st != MDT_OK) {
    mdt_result_free(res);
    return st;
  }
  *out = res;
  return MDT_OK;
}
