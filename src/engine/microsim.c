#include "mandat/microsim.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/microsim_int.h"
#include "mandat/frame.h"

/* ------------------------------------------------------------------------------------------
 * Small helpers
 * ------------------------------------------------------------------------------------------ */

void mdt_settlement_init(mdt_settlement *s) {
  memset(s, 0, sizeof *s);
  s->covered = NULL;
  s->pct_by_group = NULL;
  s->table = NULL;
  s->base_table = NULL;
  s->guarantee = NULL;
  s->new_guarantee = NULL;
  s->named = NULL;
  s->central_month = 5;
  s->local_month = 5;
  s->table_scale = 1.0;
}

void mdt_microsim_report_options_init(mdt_microsim_report_options *opt) {
  memset(opt, 0, sizeof *opt);
  opt->overheng_pct = NAN;
  opt->glidning_pct = NAN;
  opt->price_forecast_pct = NAN;
  opt->payroll_overhead_pct = 0.0;
  opt->percentiles = 1;
}

static int month_valid(int m) { return m >= 1 && m <= 12; }

static const char *group_id(const mdt_groups *groups, size_t g) {
  return groups->id != NULL && groups->id[g] != NULL ? groups->id[g] : "?";
}

/* Step of group g in t for whole seniority years: the highest step not above them, or -1. */
static long step_at(const mdt_step_table *t, size_t g, double years) {
  size_t k = t->nsteps[g];
  const double *y = t->years + g * MDT_STEPS_MAX;
  while (k > 0) {
    k--;
    if (y[k] <= years)
      return (long)k;
  }
  return -1;
}

/* t's amount for group g at years, 0 when the group has no step there. */
static double amount_at(const mdt_step_table *t, size_t g, double years) {
  long k = step_at(t, g, years);
  return k < 0 ? 0.0 : (double)t->nok[g * MDT_STEPS_MAX + (size_t)k];
}

/* A guarantee cell G raised by the central elements as an employee paid exactly G would be:
 * the one formula for the report's new table and the floors of the passes. */
static double raised_guarantee(double guarantee, double p, double krone, double scale,
                               double table_at_guarantee, double min_krone) {
  double rise = p * guarantee + (krone + scale * table_at_guarantee);
  return guarantee + (rise > min_krone ? rise : min_krone);
}

/* The central rise of one employee: max(p·old + a, min) lifted to the floor. Written with
 * comparisons, not fmax, so that the compiler can use max instructions. */
static inline double central_rise(double old, double p, double a, double min, double floor) {
  double r = p * old + a;
  r = r > min ? r : min;
  double lift = floor - old;
  return r > lift ? r : lift;
}

/* ------------------------------------------------------------------------------------------
 * Checking a settlement
 * ------------------------------------------------------------------------------------------ */

static int pct_ok(double pct) { return isfinite(pct) && pct >= 0.0 && pct <= MDT_FRAME_MAX_PCT; }
static int nok_ok(double nok) { return isfinite(nok) && nok >= 0.0 && nok <= MDT_MICROSIM_MAX_NOK; }

static mdt_status pct_error(mdt_error *err, const char *what, double found) {
  return mdt_error_set(err, MDT_EDATA,
                       "%s: expected a finite percentage from 0 to %g, found %.15g", what,
                       MDT_FRAME_MAX_PCT, found);
}

static mdt_status nok_error(mdt_error *err, const char *what, double found) {
  return mdt_error_set(err, MDT_EDATA, "%s: expected NOK per year from 0 to %g, found %.15g",
                       what, MDT_MICROSIM_MAX_NOK, found);
}

static mdt_status table_check(const mdt_step_table *t, const char *what,
                              const mdt_groups *groups, mdt_error *err) {
  if (t->ngroups != groups->n)
    return mdt_error_set(err, MDT_EDATA, "%s: expected a table of the %zu groups, found %zu groups",
                         what, groups->n, t->ngroups);
  if (t->ngroups > 0 && (t->nsteps == NULL || t->years == NULL || t->nok == NULL))
    return mdt_error_set(err, MDT_EUSAGE, "%s: the table has no cells allocated", what);
  for (size_t g = 0; g < t->ngroups; g++) {
    if (t->nsteps[g] > MDT_STEPS_MAX)
      return mdt_error_set(err, MDT_EDATA, "%s, group '%s': expected at most %d steps, found %zu",
                           what, group_id(groups, g), MDT_STEPS_MAX, t->nsteps[g]);
    for (size_t k = 0; k < t->nsteps[g]; k++) {
      double y = t->years[g * MDT_STEPS_MAX + k];
      int64_t nok = t->nok[g * MDT_STEPS_MAX + k];
      if (!(y >= 0.0 && y <= MDT_MICROSIM_MAX_STEP_YEARS && y == floor(y)) ||
          (k > 0 && !(y > t->years[g * MDT_STEPS_MAX + k - 1])))
        return mdt_error_set(err, MDT_EDATA,
                             "%s, group '%s': expected whole step years, ascending, from 0 to "
                             "%d, found %.15g",
                             what, group_id(groups, g), MDT_MICROSIM_MAX_STEP_YEARS, y);
      if (nok < 0 || (double)nok > MDT_MICROSIM_MAX_NOK)
        return mdt_error_set(err, MDT_EDATA,
                             "%s, group '%s', step %g: expected NOK per year from 0 to %g, "
                             "found %lld",
                             what, group_id(groups, g), y, MDT_MICROSIM_MAX_NOK, (long long)nok);
    }
  }
  return MDT_OK;
}

static int is_covered(const mdt_microsim *sim, const mdt_settlement *s, size_t g) {
  return s->covered != NULL ? s->covered[g] != 0 : sim->default_covered[g] != 0;
}

static mdt_status settlement_check(const mdt_microsim *sim, const mdt_settlement *s,
                                   mdt_error *err) {
  const mdt_groups *groups = sim->groups;
  if (s == NULL)
    return mdt_error_set(err, MDT_EUSAGE, "no settlement given");
  if (!month_valid(s->central_month))
    return mdt_error_set(err, MDT_EDATA,
                         "the central elements: expected an effective month from 1 to 12, "
                         "found %d",
                         s->central_month);
  if (!pct_ok(s->pct))
    return pct_error(err, "the central percent", s->pct);
  if (s->pct_by_group != NULL)
    for (size_t g = 0; g < sim->ngroups; g++)
      if (is_covered(sim, s, g) && !pct_ok(s->pct_by_group[g])) {
        char what[160];
        snprintf(what, sizeof what, "the central percent of group '%s'", group_id(groups, g));
        return pct_error(err, what, s->pct_by_group[g]);
      }
  if (!nok_ok(s->krone_nok))
    return nok_error(err, "the general kroner increase", s->krone_nok);
  if (!nok_ok(s->min_krone_nok))
    return nok_error(err, "the kroner minimum", s->min_krone_nok);
  if (!(isfinite(s->table_scale) && s->table_scale >= 0.0 && s->table_scale <= MDT_MICROSIM_MAX_SCALE))
    return mdt_error_set(err, MDT_EDATA,
                         "the kroner table's scale: expected a factor from 0 to %g, found %.15g",
                         MDT_MICROSIM_MAX_SCALE, s->table_scale);
  mdt_status st;
  if (s->table != NULL && (st = table_check(s->table, "the kroner table", groups, err)) != MDT_OK)
    return st;
  if (s->base_table != NULL &&
      (st = table_check(s->base_table, "the base kroner table", groups, err)) != MDT_OK)
    return st;
  if (s->guarantee != NULL &&
      (st = table_check(s->guarantee, "the guarantee table", groups, err)) != MDT_OK)
    return st;
  if (s->new_guarantee != NULL &&
      (st = table_check(s->new_guarantee, "the new guarantee table", groups, err)) != MDT_OK)
    return st;
  if (!pct_ok(s->local_pct))
    return pct_error(err, "the local pot", s->local_pct);
  if (s->local_pct > 0.0 && !month_valid(s->local_month))
    return mdt_error_set(err, MDT_EDATA,
                         "the local pot: expected an effective month from 1 to 12, found %d",
                         s->local_month);
  if (s->nnamed > 0 && s->named == NULL)
    return mdt_error_set(err, MDT_EUSAGE, "%zu named increases announced, none given",
                         s->nnamed);
  for (size_t k = 0; k < s->nnamed; k++) {
    const mdt_named_increase *n = &s->named[k];
    if (n->group >= sim->ngroups)
      return mdt_error_set(err, MDT_EDATA,
                           "named increase %zu: expected a group row below %zu, found %zu", k + 1,
                           sim->ngroups, n->group);
    char what[160];
    snprintf(what, sizeof what, "named increase %zu (group '%s')", k + 1,
             group_id(groups, n->group));
    if (!pct_ok(n->pct))
      return pct_error(err, what, n->pct);
    if (!month_valid(n->month))
      return mdt_error_set(err, MDT_EDATA, "%s: expected an effective month from 1 to 12, found %d",
                           what, n->month);
  }
  return MDT_OK;
}

/* ------------------------------------------------------------------------------------------
 * Compiling the register
 * ------------------------------------------------------------------------------------------ */

void mdt_microsim_free(mdt_microsim *sim) {
  if (sim == NULL)
    return;
  free(sim->old_nok);
  free(sim->wfte_e8);
  free(sim->weight_e4);
  free(sim->seniority);
  free(sim->row_of);
  free(sim->group_cell);
  free(sim->cell_group);
  free(sim->cell_years);
  free(sim->cell_start);
  free(sim->cell_wfte_e8);
  free(sim->group_unit);
  free(sim->unit_cell);
  free(sim->unit_start);
  free(sim->default_covered);
  free(sim->employees_e4);
  free(sim->fte_e8);
  free(sim->wage_bill_e8);
  free(sim->wage_bill_d);
  free(sim);
}

size_t mdt_microsim_rows(const mdt_microsim *sim) { return sim->n; }
const mdt_microsim *mdt_microsim_work_sim(const mdt_microsim_work *w) { return w->sim; }
size_t mdt_microsim_ngroups(const mdt_microsim *sim) { return sim->ngroups; }

/* Checks register row i (0-based) and returns its cell key group * (MAX + 1) + years. */
static mdt_status row_key(const mdt_register *reg, size_t ngroups, size_t i, uint32_t *key,
                          mdt_error *err) {
  const char *path = reg->path;
  int32_t g = reg->group[i];
  double sen = reg->seniority_years[i];
  if (g < 0 || (size_t)g >= ngroups)
    return mdt_error_set_at(err, MDT_EDATA, path, 0, 0,
                            "register row %zu: expected a group row from 0 to %zu, found %d",
                            i + 1, ngroups - 1, (int)g);
  if (!(isfinite(sen) && sen >= 0.0))
    return mdt_error_set_at(err, MDT_EDATA, path, 0, 0,
                            "register row %zu: expected seniority years of at least 0, found %.15g",
                            i + 1, sen);
  if (reg->fte_e4[i] < 1 || reg->fte_e4[i] > MDT_FIX4_ONE)
    return mdt_error_set_at(err, MDT_EDATA, path, 0, 0,
                            "register row %zu: expected an FTE above 0 and at most 1, found %g",
                            i + 1, reg->fte_e4[i] / (double)MDT_FIX4_ONE);
  if (reg->weight_e4[i] < 1)
    return mdt_error_set_at(err, MDT_EDATA, path, 0, 0,
                            "register row %zu: expected a weight above 0, found %g", i + 1,
                            reg->weight_e4[i] / (double)MDT_FIX4_ONE);
  if (reg->salary_nok[i] < 1 || reg->salary_nok[i] > MDT_MICROSIM_MAX_SALARY_NOK)
    return mdt_error_set_at(err, MDT_EDATA, path, 0, 0,
                            "register row %zu: expected a whole annual salary from 1 to %lld NOK, "
                            "found %lld",
                            i + 1, (long long)MDT_MICROSIM_MAX_SALARY_NOK,
                            (long long)reg->salary_nok[i]);
  double years = floor(sen);
  if (years > MDT_MICROSIM_MAX_STEP_YEARS)
    years = MDT_MICROSIM_MAX_STEP_YEARS;
  *key = (uint32_t)g * (MDT_MICROSIM_MAX_STEP_YEARS + 1) + (uint32_t)years;
  return MDT_OK;
}

/* Cells and units from the counts per key; the employees are not yet placed. */
static mdt_status build_cells(mdt_microsim *sim, const size_t *count, size_t nkeys) {
  const size_t Y = MDT_MICROSIM_MAX_STEP_YEARS + 1;
  size_t ncells = 0, nunits = 0;
  for (size_t k = 0; k < nkeys; k++)
    if (count[k] > 0) {
      ncells++;
      nunits += (count[k] + MDT__MICROSIM_CHUNK - 1) / MDT__MICROSIM_CHUNK;
    }
  sim->ncells = ncells;
  sim->nunits = nunits;
  sim->group_cell = calloc(sim->ngroups + 1, sizeof *sim->group_cell);
  sim->group_unit = calloc(sim->ngroups + 1, sizeof *sim->group_unit);
  sim->cell_group = calloc(ncells, sizeof *sim->cell_group);
  sim->cell_years = calloc(ncells, sizeof *sim->cell_years);
  sim->cell_start = calloc(ncells + 1, sizeof *sim->cell_start);
  sim->cell_wfte_e8 = calloc(ncells, sizeof *sim->cell_wfte_e8);
  sim->unit_cell = calloc(nunits, sizeof *sim->unit_cell);
  sim->unit_start = calloc(nunits + 1, sizeof *sim->unit_start);
  if (!sim->group_cell || !sim->group_unit || !sim->cell_group || !sim->cell_years ||
      !sim->cell_start || !sim->cell_wfte_e8 || !sim->unit_cell || !sim->unit_start)
    return MDT_ENOMEM;
  size_t c = 0, u = 0, pos = 0;
  for (size_t g = 0; g < sim->ngroups; g++) {
    sim->group_cell[g] = c;
    sim->group_unit[g] = u;
    for (size_t y = 0; y < Y; y++) {
      size_t cnt = count[g * Y + y];
      if (cnt == 0)
        continue;
      sim->cell_group[c] = g;
      sim->cell_years[c] = (int)y;
      sim->cell_start[c] = pos;
      for (size_t off = 0; off < cnt; off += MDT__MICROSIM_CHUNK) {
        sim->unit_cell[u] = c;
        sim->unit_start[u] = pos + off;
        u++;
      }
      pos += cnt;
      c++;
    }
  }
  sim->group_cell[sim->ngroups] = c;
  sim->group_unit[sim->ngroups] = u;
  sim->cell_start[ncells] = pos;
  sim->unit_start[nunits] = pos;
  return MDT_OK;
}

mdt_status mdt_microsim_new(const mdt_register *reg, const mdt_groups *groups,
                            mdt_microsim **out, mdt_error *err) {
  if (reg == NULL || groups == NULL || out == NULL)
    return mdt_error_set(err, MDT_EUSAGE, "mdt_microsim_new: no %s given",
                         reg == NULL ? "register" : groups == NULL ? "groups table" : "result");
  if (reg->n == 0)
    return mdt_error_set_at(err, MDT_EDATA, reg->path, 0, 0,
                            "expected a register with employees, found none");
  if (!reg->group || !reg->seniority_years || !reg->fte_e4 || !reg->salary_nok ||
      !reg->weight_e4)
    return mdt_error_set(err, MDT_EUSAGE, "mdt_microsim_new: the register has no columns");
  if (groups->n == 0 || groups->chapter == NULL)
    return mdt_error_set(err, MDT_EDATA, "expected a groups table with groups, found none");
  const size_t Y = MDT_MICROSIM_MAX_STEP_YEARS + 1;
  if (groups->n > (size_t)UINT32_MAX / Y)
    return mdt_error_set(err, MDT_EDATA, "expected at most %zu groups, found %zu",
                         (size_t)UINT32_MAX / Y, groups->n);

  mdt_status st = MDT_ENOMEM;
  const size_t n = reg->n, G = groups->n, nkeys = G * Y;
  uint32_t *key = NULL;
  size_t *count = NULL;
  mdt_microsim *sim = calloc(1, sizeof *sim);
  if (sim == NULL)
    goto fail;
  sim->groups = groups;
  sim->n = n;
  sim->ngroups = G;
  key = malloc(n * sizeof *key);
  count = calloc(nkeys, sizeof *count);
  sim->default_covered = calloc(G, 1);
  sim->employees_e4 = calloc(G, sizeof *sim->employees_e4);
  sim->fte_e8 = calloc(G, sizeof *sim->fte_e8);
  sim->wage_bill_e8 = calloc(G, sizeof *sim->wage_bill_e8);
  sim->wage_bill_d = calloc(G, sizeof *sim->wage_bill_d);
  if (!key || !count || !sim->default_covered || !sim->employees_e4 || !sim->fte_e8 ||
      !sim->wage_bill_e8 || !sim->wage_bill_d)
    goto fail;
  for (size_t g = 0; g < G; g++)
    sim->default_covered[g] = groups->chapter[g] != NULL && strcmp(groups->chapter[g], "4") == 0;

  for (size_t i = 0; i < n; i++) {
    if ((st = row_key(reg, G, i, &key[i], err)) != MDT_OK)
      goto fail;
    count[key[i]]++;
    size_t g = (size_t)reg->group[i];
    int64_t wf = (int64_t)reg->weight_e4[i] * reg->fte_e4[i];
    sim->employees_e4[g] += reg->weight_e4[i];
    sim->fte_e8[g] += wf;
    sim->wage_bill_e8[g] += (mdt_i128)wf * reg->salary_nok[i];
  }
  st = MDT_ENOMEM;
  if (build_cells(sim, count, nkeys) != MDT_OK)
    goto fail;

  /* Place the employees: a stable counting sort, so the order within a cell (and with it
   * every partial sum) follows the register. */
  sim->old_nok = malloc(n * sizeof *sim->old_nok);
  sim->wfte_e8 = malloc(n * sizeof *sim->wfte_e8);
  sim->weight_e4 = malloc(n * sizeof *sim->weight_e4);
  sim->seniority = malloc(n * sizeof *sim->seniority);
  sim->row_of = malloc(n * sizeof *sim->row_of);
  if (!sim->old_nok || !sim->wfte_e8 || !sim->weight_e4 || !sim->seniority || !sim->row_of)
    goto fail;
  for (size_t k = 0, pos = 0; k < nkeys; k++) {
    size_t cnt = count[k];
    count[k] = pos;
    pos += cnt;
  }
  for (size_t i = 0; i < n; i++) {
    size_t at = count[key[i]]++;
    sim->old_nok[at] = (double)reg->salary_nok[i];
    sim->wfte_e8[at] = (double)((int64_t)reg->weight_e4[i] * reg->fte_e4[i]);
    sim->weight_e4[at] = reg->weight_e4[i];
    sim->seniority[at] = reg->seniority_years[i];
    sim->row_of[at] = i;
  }
  for (size_t c = 0; c < sim->ncells; c++) {
    double s = 0.0;
    for (size_t i = sim->cell_start[c]; i < sim->cell_start[c + 1]; i++)
      s += sim->wfte_e8[i];
    sim->cell_wfte_e8[c] = s;
  }
  for (size_t g = 0; g < G; g++) {
    sim->wage_bill_d[g] = (double)sim->wage_bill_e8[g];
    sim->total_employees_e4 += sim->employees_e4[g];
    sim->total_fte_e8 += sim->fte_e8[g];
    sim->total_wage_bill_e8 += sim->wage_bill_e8[g];
  }
  sim->total_wage_bill_d = (double)sim->total_wage_bill_e8;
  free(key);
  free(count);
  *out = sim;
  return MDT_OK;

fail:
  free(key);
  free(count);
  mdt_microsim_free(sim);
  if (st == MDT_ENOMEM)
    return mdt_error_set(err, MDT_ENOMEM, "out of memory compiling a register of %zu rows", n);
  return st;
}

/* ------------------------------------------------------------------------------------------
 * The work area and its threads
 * ------------------------------------------------------------------------------------------ */

static void run_units(mdt_microsim_work *w) {
  const size_t nunits = w->sim->nunits;
  for (;;) {
    size_t u = atomic_fetch_add_explicit(&w->next, 1, memory_order_relaxed);
    if (u >= nunits)
      break;
    w->job(w, u);
  }
}

static void *worker_main(void *arg) {
  mdt_microsim_work *w = arg;
  unsigned long seen = 0;
  pthread_mutex_lock(&w->mu);
  for (;;) {
    while (!w->stop && w->generation == seen)
      pthread_cond_wait(&w->go, &w->mu);
    if (w->stop)
      break;
    seen = w->generation;
    pthread_mutex_unlock(&w->mu);
    run_units(w);
    pthread_mutex_lock(&w->mu);
    if (--w->busy == 0)
      pthread_cond_signal(&w->done);
  }
  pthread_mutex_unlock(&w->mu);
  return NULL;
}

/* Runs fn on every unit, on the caller's thread and the workers. Which thread takes which
 * unit varies; what each unit computes does not. */
static void run_job(mdt_microsim_work *w, mdt__unit_fn fn) {
  w->job = fn;
  atomic_store_explicit(&w->next, 0, memory_order_relaxed);
  if (w->nstarted == 0 || w->sim->nunits < 2) {
    run_units(w);
    return;
  }
  pthread_mutex_lock(&w->mu);
  w->busy = w->nstarted;
  w->generation++;
  pthread_cond_broadcast(&w->go);
  pthread_mutex_unlock(&w->mu);
  run_units(w);
  pthread_mutex_lock(&w->mu);
  while (w->busy > 0)
    pthread_cond_wait(&w->done, &w->mu);
  pthread_mutex_unlock(&w->mu);
}

void mdt_microsim_work_free(mdt_microsim_work *w) {
  if (w == NULL)
    return;
  if (w->pool_ready) {
    pthread_mutex_lock(&w->mu);
    w->stop = 1;
    pthread_cond_broadcast(&w->go);
    pthread_mutex_unlock(&w->mu);
    for (int t = 0; t < w->nstarted; t++)
      pthread_join(w->tids[t], NULL);
    pthread_cond_destroy(&w->done);
    pthread_cond_destroy(&w->go);
    pthread_mutex_destroy(&w->mu);
  }
  free(w->tids);
  free(w->covered);
  free(w->group_frac_full);
  free(w->group_local_year);
  free(w->group_named_year);
  free(w->group_local_carry);
  free(w->group_named_carry);
  free(w->cell_active);
  free(w->cell_table);
  free(w->cell_fixed);
  free(w->cell_fixed_at_guarantee);
  free(w->cell_next_guarantee);
  free(w->cell_next_table);
  free(w->cell_next_fixed);
  free(w->cell_next_explicit);
  free(w->cell_next_floor);
  free(w->group_frac_month);
  free(w->unit_step_year);
  free(w->unit_step_full);
  free(w->unit_step_emp);
  free(w->group_step_year);
  free(w->group_step_full);
  free(w->group_step_emp);
  free(w->cell_guarantee);
  free(w->cell_table_at_guarantee);
  free(w->cell_new_guarantee);
  free(w->cell_p);
  free(w->cell_a);
  free(w->cell_min);
  free(w->cell_floor);
  free(w->unit_sum);
  free(w->unit_whole);
  free(w->unit_frac);
  free(w->group_sum);
  free(w->group_whole);
  free(w->group_frac);
  free(w);
}

mdt_status mdt_microsim_work_new(const mdt_microsim *sim, int threads, mdt_microsim_work **out,
                                 mdt_error *err) {
  if (sim == NULL || out == NULL)
    return mdt_error_set(err, MDT_EUSAGE, "mdt_microsim_work_new: no %s given",
                         sim == NULL ? "microsim" : "result");
  if (threads < 1 || threads > MDT_MICROSIM_MAX_THREADS)
    return mdt_error_set(err, MDT_EUSAGE, "expected from 1 to %d threads, found %d",
                         MDT_MICROSIM_MAX_THREADS, threads);
  mdt_microsim_work *w = calloc(1, sizeof *w);
  if (w == NULL)
    return mdt_error_set(err, MDT_ENOMEM, "out of memory for a work area");
  w->sim = sim;
  w->threads = threads;
  const size_t G = sim->ngroups, C = sim->ncells, U = sim->nunits;
  w->covered = calloc(G, 1);
  w->group_frac_full = calloc(G, sizeof(double));
  w->group_local_year = calloc(G, sizeof(double));
  w->group_named_year = calloc(G, sizeof(double));
  w->group_local_carry = calloc(G, sizeof(double));
  w->group_named_carry = calloc(G, sizeof(double));
  w->cell_active = calloc(C, 1);
  w->cell_table = calloc(C, sizeof(double));
  w->cell_fixed = calloc(C, sizeof(double));
  w->cell_fixed_at_guarantee = calloc(C, sizeof(double));
  w->cell_next_guarantee = calloc(C, sizeof(double));
  w->cell_next_table = calloc(C, sizeof(double));
  w->cell_next_fixed = calloc(C, sizeof(double));
  w->cell_next_explicit = calloc(C, sizeof(double));
  w->cell_next_floor = calloc(C, sizeof(double));
  w->group_frac_month = calloc(G * 12, sizeof(double));
  w->unit_step_year = calloc(U, sizeof(double));
  w->unit_step_full = calloc(U, sizeof(double));
  w->unit_step_emp = calloc(U, sizeof(int64_t));
  w->group_step_year = calloc(G, sizeof(double));
  w->group_step_full = calloc(G, sizeof(double));
  w->group_step_emp = calloc(G, sizeof(int64_t));
  w->cell_guarantee = calloc(C, sizeof(double));
  w->cell_table_at_guarantee = calloc(C, sizeof(double));
  w->cell_new_guarantee = calloc(C, sizeof(double));
  w->cell_p = calloc(C, sizeof(double));
  w->cell_a = calloc(C, sizeof(double));
  w->cell_min = calloc(C, sizeof(double));
  w->cell_floor = calloc(C, sizeof(double));
  w->unit_sum = calloc(U, sizeof(double));
  w->unit_whole = calloc(U, sizeof(mdt_i128));
  w->unit_frac = calloc(U, sizeof(double));
  w->group_sum = calloc(G, sizeof(double));
  w->group_whole = calloc(G, sizeof(mdt_i128));
  w->group_frac = calloc(G, sizeof(double));
  w->tids = calloc((size_t)threads, sizeof *w->tids);
  if (!w->covered || !w->group_frac_full || !w->group_local_year || !w->group_named_year ||
      !w->group_local_carry || !w->group_named_carry || !w->cell_active || !w->cell_table ||
      !w->cell_guarantee || !w->cell_table_at_guarantee || !w->cell_new_guarantee ||
      !w->cell_fixed || !w->cell_fixed_at_guarantee || !w->cell_next_guarantee ||
      !w->cell_next_table || !w->cell_next_fixed || !w->cell_next_explicit ||
      !w->cell_next_floor || !w->group_frac_month || !w->unit_step_year ||
      !w->unit_step_full || !w->unit_step_emp || !w->group_step_year || !w->group_step_full ||
      !w->group_step_emp ||
      !w->cell_p || !w->cell_a || !w->cell_min || !w->cell_floor || !w->unit_sum ||
      !w->unit_whole || !w->unit_frac || !w->group_sum || !w->group_whole || !w->group_frac ||
      !w->tids) {
    mdt_microsim_work_free(w);
    return mdt_error_set(err, MDT_ENOMEM, "out of memory for a work area");
  }
  if (threads > 1) {
    if (pthread_mutex_init(&w->mu, NULL) != 0) {
      mdt_microsim_work_free(w);
      return mdt_error_set(err, MDT_EINTERNAL, "cannot create the work area's lock");
    }
    if (pthread_cond_init(&w->go, NULL) != 0) {
      pthread_mutex_destroy(&w->mu);
      mdt_microsim_work_free(w);
      return mdt_error_set(err, MDT_EINTERNAL, "cannot create the work area's conditions");
    }
    if (pthread_cond_init(&w->done, NULL) != 0) {
      pthread_cond_destroy(&w->go);
      pthread_mutex_destroy(&w->mu);
      mdt_microsim_work_free(w);
      return mdt_error_set(err, MDT_EINTERNAL, "cannot create the work area's conditions");
    }
    w->pool_ready = 1;
    for (int t = 1; t < threads; t++) {
      if (pthread_create(&w->tids[w->nstarted], NULL, worker_main, w) != 0) {
        mdt_microsim_work_free(w);
        return mdt_error_set(err, MDT_EINTERNAL, "cannot start worker thread %d of %d", t + 1,
                             threads);
      }
      w->nstarted++;
    }
  }
  *out = w;
  return MDT_OK;
}

/* ------------------------------------------------------------------------------------------
 * Preparing a settlement
 * ------------------------------------------------------------------------------------------ */

mdt_status mdt__microsim_prepare(mdt_microsim_work *w, const mdt_settlement *s, mdt_error *err) {
  const mdt_microsim *sim = w->sim;
  mdt_status st = settlement_check(sim, s, err);
  if (st != MDT_OK)
    return st;
  const size_t G = sim->ngroups;
  double q = s->local_pct / 100.0;
  double local_year = q > 0.0 ? q * (double)(13 - s->local_month) / 12.0 : 0.0;
  double local_carry = q > 0.0 ? q * (double)(s->local_month - 1) / 12.0 : 0.0;
  for (size_t g = 0; g < G; g++) {
    w->covered[g] = (unsigned char)is_covered(sim, s, g);
    w->group_frac_full[g] = w->covered[g] ? q : 0.0;
    w->group_local_year[g] = w->covered[g] ? local_year : 0.0;
    w->group_local_carry[g] = w->covered[g] ? local_carry : 0.0;
    w->group_named_year[g] = 0.0;
    w->group_named_carry[g] = 0.0;
  }
  for (size_t k = 0; k < s->nnamed; k++) {
    const mdt_named_increase *n = &s->named[k];
    double p = n->pct / 100.0;
    w->group_frac_full[n->group] += p;
    w->group_named_year[n->group] += p * (double)(13 - n->month) / 12.0;
    w->group_named_carry[n->group] += p * (double)(n->month - 1) / 12.0;
  }
  /* The percent elements in force month by month, for the step moves' pay path. */
  for (size_t g = 0; g < G; g++)
    for (int m = 1; m <= 12; m++) {
      double f = w->covered[g] && q > 0.0 && m >= s->local_month ? q : 0.0;
      for (size_t k = 0; k < s->nnamed; k++)
        if (s->named[k].group == g && m >= s->named[k].month)
          f += s->named[k].pct / 100.0;
      w->group_frac_month[g * 12 + (size_t)(m - 1)] = f;
    }
  w->central_month = s->central_month;
  w->central_year = (double)(13 - s->central_month) / 12.0;
  w->central_carry = (double)(s->central_month - 1) / 12.0;
  w->explicit_guarantee = s->new_guarantee != NULL;
  for (size_t c = 0; c < sim->ncells; c++) {
    size_t g = sim->cell_group[c];
    double years = (double)sim->cell_years[c];
    w->cell_active[c] = w->covered[g];
    w->cell_table[c] = s->table != NULL ? amount_at(s->table, g, years) : 0.0;
    w->cell_fixed[c] = s->base_table != NULL ? amount_at(s->base_table, g, years) : 0.0;
    w->cell_guarantee[c] = NAN;
    w->cell_table_at_guarantee[c] = 0.0;
    w->cell_fixed_at_guarantee[c] = 0.0;
    w->cell_new_guarantee[c] = NAN;
    w->cell_next_guarantee[c] = NAN;
    w->cell_next_explicit[c] = NAN;
    w->cell_next_table[c] = 0.0;
    w->cell_next_fixed[c] = 0.0;
    if (s->guarantee != NULL) {
      long k = step_at(s->guarantee, g, years);
      if (k >= 0) {
        double gy = s->guarantee->years[g * MDT_STEPS_MAX + (size_t)k];
        w->cell_guarantee[c] = (double)s->guarantee->nok[g * MDT_STEPS_MAX + (size_t)k];
        if (s->table != NULL)
          w->cell_table_at_guarantee[c] = amount_at(s->table, g, gy);
        if (s->base_table != NULL)
          w->cell_fixed_at_guarantee[c] = amount_at(s->base_table, g, gy);
      }
      /* A step at exactly years + 1 is reached during the year. */
      long kn = step_at(s->guarantee, g, years + 1.0);
      if (kn >= 0 && s->guarantee->years[g * MDT_STEPS_MAX + (size_t)kn] == years + 1.0) {
        w->cell_next_guarantee[c] = (double)s->guarantee->nok[g * MDT_STEPS_MAX + (size_t)kn];
        w->cell_next_table[c] = s->table != NULL ? amount_at(s->table, g, years + 1.0) : 0.0;
        w->cell_next_fixed[c] =
            s->base_table != NULL ? amount_at(s->base_table, g, years + 1.0) : 0.0;
        if (s->new_guarantee != NULL) {
          long ke = step_at(s->new_guarantee, g, years + 1.0);
          if (ke >= 0)
            w->cell_next_explicit[c] =
                (double)s->new_guarantee->nok[g * MDT_STEPS_MAX + (size_t)ke];
        }
      }
    }
    if (s->new_guarantee != NULL) {
      long k = step_at(s->new_guarantee, g, years);
      if (k >= 0)
        w->cell_new_guarantee[c] = (double)s->new_guarantee->nok[g * MDT_STEPS_MAX + (size_t)k];
    }
  }
  return MDT_OK;
}

void mdt__microsim_central(mdt_microsim_work *w, const mdt_settlement *s) {
  const mdt_microsim *sim = w->sim;
  for (size_t c = 0; c < sim->ncells; c++) {
    if (!w->cell_active[c]) {
      /* Not covered: the guarantee stays, so a step move lifts to the current table. */
      w->cell_next_floor[c] = w->cell_next_guarantee[c];
      continue;
    }
    size_t g = sim->cell_group[c];
    double p = (s->pct_by_group != NULL ? s->pct_by_group[g] : s->pct) / 100.0;
    w->cell_p[c] = p;
    w->cell_a[c] = s->krone_nok + w->cell_fixed[c] + s->table_scale * w->cell_table[c];
    w->cell_min[c] = s->min_krone_nok;
    double floor_nok = -INFINITY;
    if (w->explicit_guarantee) {
      if (!isnan(w->cell_new_guarantee[c]))
        floor_nok = w->cell_new_guarantee[c];
    } else if (!isnan(w->cell_guarantee[c])) {
      floor_nok = raised_guarantee(w->cell_guarantee[c], p,
                                   s->krone_nok + w->cell_fixed_at_guarantee[c], s->table_scale,
                                   w->cell_table_at_guarantee[c], s->min_krone_nok);
    }
    w->cell_floor[c] = floor_nok;
    double next = w->cell_next_guarantee[c];
    if (!isnan(next) && w->explicit_guarantee)
      next = isnan(w->cell_next_explicit[c]) ? next : w->cell_next_explicit[c];
    else if (!isnan(next))
      next = raised_guarantee(next, p, s->krone_nok + w->cell_next_fixed[c], s->table_scale,
                              w->cell_next_table[c], s->min_krone_nok);
    w->cell_next_floor[c] = next;
  }
}

/* ------------------------------------------------------------------------------------------
 * The passes
 * ------------------------------------------------------------------------------------------ */

/* Σ wfte x central rise over n employees, in four interleaved sums combined in a fixed order:
 * the same numbers whatever the thread or the alignment of the columns. */
static double central_sum(const double *restrict old, const double *restrict wfte, size_t n,
                          double p, double a, double min, double floor_nok) {
  double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
  size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    s0 += wfte[i] * central_rise(old[i], p, a, min, floor_nok);
    s1 += wfte[i + 1] * central_rise(old[i + 1], p, a, min, floor_nok);
    s2 += wfte[i + 2] * central_rise(old[i + 2], p, a, min, floor_nok);
    s3 += wfte[i + 3] * central_rise(old[i + 3], p, a, min, floor_nok);
  }
  double s = (s0 + s1) + (s2 + s3);
  for (; i < n; i++)
    s += wfte[i] * central_rise(old[i], p, a, min, floor_nok);
  return s;
}

static void unit_lean(mdt_microsim_work *w, size_t u) {
  const mdt_microsim *sim = w->sim;
  size_t c = sim->unit_cell[u];
  if (!w->cell_active[c]) {
    w->unit_sum[u] = 0.0;
    return;
  }
  size_t lo = sim->unit_start[u], hi = sim->unit_start[u + 1];
  w->unit_sum[u] = central_sum(sim->old_nok + lo, sim->wfte_e8 + lo, hi - lo, w->cell_p[c],
                               w->cell_a[c], w->cell_min[c], w->cell_floor[c]);
}

/* The central rise of an employee paid old in cell c (0 outside the covered groups). */
static inline double cell_central(const mdt_microsim_work *w, size_t c, double old) {
  return w->cell_active[c]
             ? central_rise(old, w->cell_p[c], w->cell_a[c], w->cell_min[c], w->cell_floor[c])
             : 0.0;
}

/* The full-year rise of an employee paid old in cell c: the central rise and the percent
 * elements, each on the pay before the settlement. */
static inline double full_rise(const mdt_microsim_work *w, size_t c, double frac, double old) {
  return cell_central(w, c, old) + frac * old;
}

/* A step move of employee i of cell c (see mandat/microsim.h): the sum of the monthly lifts
 * (for the annual effect, times 1/12) and December's lift. Returns 0 when i does not move. */
static int step_move(const mdt_microsim_work *w, size_t c, size_t i, double old, double central,
                     double *lift_sum, double *lift_dec) {
  const mdt_microsim *sim = w->sim;
  double next_old = w->cell_next_guarantee[c];
  double t = (double)sim->cell_years[c] + 1.0 - sim->seniority[i];
  if (isnan(next_old) || !(t < 1.0))
    return 0;
  int from = (int)floor(12.0 * t) + 1;
  if (from < 1)
    from = 1;
  const double *frac = w->group_frac_month + sim->cell_group[c] * 12;
  double sum = 0.0, lift = 0.0;
  for (int m = from; m <= 12; m++) {
    int settled = w->cell_active[c] && m >= w->central_month;
    double floor_m = settled ? w->cell_next_floor[c] : next_old;
    double pay = old * (1.0 + frac[m - 1]) + (settled ? central : 0.0);
    lift = floor_m > pay ? floor_m - pay : 0.0;
    sum += lift;
  }
  *lift_sum = sum;
  *lift_dec = lift;
  return 1;
}

/* The report's pass: the lean sum (the same code, so the same bits) and the full-year rise
 * split into exact whole kroner and a remainder. */
static void unit_exact(mdt_microsim_work *w, size_t u) {
  const mdt_microsim *sim = w->sim;
  size_t c = sim->unit_cell[u];
  size_t lo = sim->unit_start[u], hi = sim->unit_start[u + 1];
  const double *old = sim->old_nok, *wfte = sim->wfte_e8;
  double frac_full = w->group_frac_full[sim->cell_group[c]];
  w->unit_sum[u] = w->cell_active[c] ? central_sum(old + lo, wfte + lo, hi - lo, w->cell_p[c],
                                                   w->cell_a[c], w->cell_min[c],
                                                   w->cell_floor[c])
                                     : 0.0;
  mdt_i128 whole = 0;
  double frac = 0.0, step_year = 0.0, step_full = 0.0;
  int64_t step_emp = 0;
  int steps = w->step_moves && !isnan(w->cell_next_guarantee[c]);
  for (size_t i = lo; i < hi; i++) {
    double central = cell_central(w, c, old[i]);
    double rise = central + frac_full * old[i];
    double kroner = rint(rise);
    whole += (mdt_i128)(int64_t)wfte[i] * (int64_t)kroner;
    frac += wfte[i] * (rise - kroner);
    double lift_sum, lift_dec;
    if (steps && step_move(w, c, i, old[i], central, &lift_sum, &lift_dec)) {
      step_year += wfte[i] * lift_sum / 12.0;
      step_full += wfte[i] * lift_dec;
      step_emp += sim->weight_e4[i];
    }
  }
  w->unit_whole[u] = whole;
  w->unit_frac[u] = frac;
  w->unit_step_year[u] = step_year;
  w->unit_step_full[u] = step_full;
  w->unit_step_emp[u] = step_emp;
}

void mdt__microsim_effect_from_sums(const mdt_microsim_work *w, mdt_microsim_effect *effect) {
  const mdt_microsim *sim = w->sim;
  double central = 0.0, local = 0.0, named = 0.0, carry = 0.0;
  for (size_t g = 0; g < sim->ngroups; g++) {
    double S = w->group_sum[g];
    double level = sim->wage_bill_d[g]; /* percent elements are defined on the pay before */
    central += S * w->central_year;
    local += level * w->group_local_year[g];
    named += level * w->group_named_year[g];
    carry += S * w->central_carry + level * (w->group_local_carry[g] + w->group_named_carry[g]);
  }
  double W = sim->total_wage_bill_d;
  effect->central_pct = central / W * 100.0;
  effect->local_pct = local / W * 100.0;
  effect->named_pct = named / W * 100.0;
  effect->annual_pct = effect->central_pct + effect->local_pct + effect->named_pct;
  effect->carryover_pct = carry / W * 100.0;
}

/* Per group, the units' sums in unit order. */
static void combine_sums(mdt_microsim_work *w, int exact) {
  const mdt_microsim *sim = w->sim;
  for (size_t g = 0; g < sim->ngroups; g++) {
    double s = 0.0, f = 0.0, sy = 0.0, sf = 0.0;
    mdt_i128 whole = 0;
    int64_t se = 0;
    for (size_t u = sim->group_unit[g]; u < sim->group_unit[g + 1]; u++) {
      s += w->unit_sum[u];
      if (exact) {
        whole += w->unit_whole[u];
        f += w->unit_frac[u];
        sy += w->unit_step_year[u];
        sf += w->unit_step_full[u];
        se += w->unit_step_emp[u];
      }
    }
    w->group_sum[g] = s;
    w->group_whole[g] = whole;
    w->group_frac[g] = f;
    w->group_step_year[g] = sy;
    w->group_step_full[g] = sf;
    w->group_step_emp[g] = se;
  }
}

void mdt__microsim_lean(mdt_microsim_work *w, mdt_microsim_effect *effect) {
  run_job(w, unit_lean);
  combine_sums(w, 0);
  mdt__microsim_effect_from_sums(w, effect);
}

mdt_status mdt_microsim_pass(mdt_microsim_work *w, const mdt_settlement *s,
                             mdt_microsim_effect *effect, mdt_error *err) {
  if (w == NULL || effect == NULL)
    return mdt_error_set(err, MDT_EUSAGE, "mdt_microsim_pass: no %s given",
                         w == NULL ? "work area" : "result");
  mdt_status st = mdt__microsim_prepare(w, s, err);
  if (st != MDT_OK)
    return st;
  mdt__microsim_central(w, s);
  mdt__microsim_lean(w, effect);
  return MDT_OK;
}

/* ------------------------------------------------------------------------------------------
 * Percentiles of individual rises
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

#define NQUANTILES 3
static const int quantile_tenths[NQUANTILES] = {1, 5, 9};

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
 * value known to lie above it (NaN for none). One selection
 * with three-way partitions (many rises are equal) serves every target, splitting only where
 * the targets part: O(n) on average; a is reordered.
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

/* Buckets of the first stage of range_percentiles. */
#define PCT_BUCKETS 2048

/* The bucket of v among PCT_BUCKETS equal slices of [vmin, vmax]: non-decreasing in v, so
 * every value of a later bucket is larger than every value of an earlier one. */
static size_t pct_bucket(double v, double vmin, double scale) {
  size_t b = (size_t)((v - vmin) * scale);
  return b < PCT_BUCKETS ? b : PCT_BUCKETS - 1;
}

/*
 * The three percentiles of a[lo..hi) (total_w their weight, vmin and vmax its smallest and
 * largest value) into p. Two stages, both exact: a weighted histogram over PCT_BUCKETS slices
 * of [vmin, vmax] finds the bucket each target falls in; one scan gathers those buckets'
 * values to the front, and the selection only sees them, with the weight below each bucket
 * and the smallest value above it. Streaming passes instead of a selection's swaps over the
 * whole range.
 */
static void range_percentiles(weighted_value *a, size_t lo, size_t hi, int64_t total_w,
                              double vmin, double vmax, double p[NQUANTILES]) {
  for (int k = 0; k < NQUANTILES; k++)
    p[k] = NAN;
  if (hi <= lo || total_w <= 0)
    return;
  if (!(vmax > vmin)) {
    for (int k = 0; k < NQUANTILES; k++)
      p[k] = vmin;
    return;
  }
  int64_t bw[PCT_BUCKETS];
  double bmin[PCT_BUCKETS];
  for (size_t b = 0; b < PCT_BUCKETS; b++) {
    bw[b] = 0;
    bmin[b] = INFINITY;
  }
  const double scale = (double)PCT_BUCKETS / (vmax - vmin);
  for (size_t i = lo; i < hi; i++) {
    size_t b = pct_bucket(a[i].v, vmin, scale);
    bw[b] += a[i].w;
    bmin[b] = a[i].v < bmin[b] ? a[i].v : bmin[b];
  }
  /* The buckets holding the targets, with the weight below each. */
  size_t tb[NQUANTILES];
  mdt_i128 tbelow[NQUANTILES];
  targets tt[NQUANTILES];
  int nb = 0, k = 0;
  mdt_i128 cum = 0; /* 10 x the weight of the buckets before b */
  unsigned char wanted[PCT_BUCKETS];
  memset(wanted, 0, sizeof wanted);
  for (size_t b = 0; b < PCT_BUCKETS && k < NQUANTILES; b++) {
    mdt_i128 wb = (mdt_i128)bw[b] * 10;
    for (; k < NQUANTILES && wb > 0; k++) {
      mdt_i128 T = (mdt_i128)total_w * quantile_tenths[k];
      if (T > cum + wb)
        break;
      if (nb == 0 || tb[nb - 1] != b) {
        tb[nb] = b;
        tbelow[nb] = cum;
        tt[nb].n = 0;
        wanted[b] = 1;
        nb++;
      }
      targets *t = &tt[nb - 1];
      t->target[t->n] = T;
      t->out[t->n++] = &p[k];
    }
    cum += wb;
  }
  /* One scan gathers the wanted buckets to a[lo..end); then each to its own slice. */
  size_t end = lo;
  for (size_t i = lo; i < hi; i++)
    if (wanted[pct_bucket(a[i].v, vmin, scale)])
      wv_swap(a, end++, i);
  size_t start = lo;
  for (int j = 0; j < nb; j++) {
    size_t stop = start;
    for (size_t i = start; i < end; i++)
      if (pct_bucket(a[i].v, vmin, scale) == tb[j])
        wv_swap(a, stop++, i);
    double above = NAN;
    for (size_t c = tb[j] + 1; c < PCT_BUCKETS && isnan(above); c++)
      if (bw[c] > 0)
        above = bmin[c];
    weighted_select(a, start, stop, tbelow[j], above, tt[j]);
    start = stop;
  }
}

/* Fills buf[0..n) with every employee's full-year rise (NOK, or percent of old pay), in
 * cell order, so that group g occupies its cells' range of the columns; vmin and vmax get
 * each group's smallest and largest value (+inf and -inf for groups without employees). */
static void fill_rises(const mdt_microsim_work *w, int in_pct, weighted_value *buf, double *vmin,
                       double *vmax) {
  const mdt_microsim *sim = w->sim;
  for (size_t g = 0; g < sim->ngroups; g++) {
    double frac = w->group_frac_full[g], lo = INFINITY, hi = -INFINITY;
    for (size_t c = sim->group_cell[g]; c < sim->group_cell[g + 1]; c++)
      for (size_t i = sim->cell_start[c]; i < sim->cell_start[c + 1]; i++) {
        double old = sim->old_nok[i];
        double rise = full_rise(w, c, frac, old);
        double v = in_pct ? rise / old * 100.0 : rise;
        buf[i].v = v;
        buf[i].w = sim->weight_e4[i];
        lo = v < lo ? v : lo;
        hi = v > hi ? v : hi;
      }
    vmin[g] = lo;
    vmax[g] = hi;
  }
}

/* Percentiles of individual rises per group and for the area. Each group's selection only
 * reorders its own range, so the area's runs on the same filled buffer. */
static void report_percentiles(const mdt_microsim_work *w, weighted_value *buf, double *vmin,
                               double *vmax, mdt_microsim_report *r) {
  const mdt_microsim *sim = w->sim;
  const size_t G = sim->ngroups;
  for (int in_pct = 0; in_pct < 2; in_pct++) {
    fill_rises(w, in_pct, buf, vmin, vmax);
    vmin[G] = INFINITY;
    vmax[G] = -INFINITY;
    for (size_t g = 0; g < G; g++) {
      vmin[G] = vmin[g] < vmin[G] ? vmin[g] : vmin[G];
      vmax[G] = vmax[g] > vmax[G] ? vmax[g] : vmax[G];
    }
    double p[NQUANTILES];
    for (size_t g = 0; g <= G; g++) {
      mdt_microsim_row *row = g < G ? &r->groups[g] : &r->total;
      if (g < G)
        range_percentiles(buf, sim->cell_start[sim->group_cell[g]],
                          sim->cell_start[sim->group_cell[g + 1]], sim->employees_e4[g], vmin[g],
                          vmax[g], p);
      else
        range_percentiles(buf, 0, sim->n, sim->total_employees_e4, vmin[G], vmax[G], p);
      double *dst[NQUANTILES] = {in_pct ? &row->rise_p10_pct : &row->rise_p10_nok,
                                 in_pct ? &row->rise_p50_pct : &row->rise_p50_nok,
                                 in_pct ? &row->rise_p90_pct : &row->rise_p90_nok};
      for (int k = 0; k < NQUANTILES; k++)
        *dst[k] = p[k];
    }
  }
}

/* ------------------------------------------------------------------------------------------
 * The report
 * ------------------------------------------------------------------------------------------ */

void mdt_microsim_report_free(mdt_microsim_report *r) {
  if (r == NULL)
    return;
  free(r->groups);
  free(r);
}

static int rate_ok(double pct) { return isnan(pct) || (isfinite(pct) && pct > -100.0); }

static mdt_status options_check(const mdt_microsim_report_options *opt,
                                const mdt_groups *groups, size_t ngroups, mdt_error *err) {
  if (!rate_ok(opt->overheng_pct))
    return mdt_error_set(err, MDT_EDATA,
                         "the area's overheng: expected a percentage above -100 or none, found "
                         "%.15g",
                         opt->overheng_pct);
  if (!rate_ok(opt->glidning_pct))
    return mdt_error_set(err, MDT_EDATA,
                         "the area's glidning: expected a percentage above -100 or none, found "
                         "%.15g",
                         opt->glidning_pct);
  if (opt->group_overheng_pct != NULL || opt->group_glidning_pct != NULL)
    for (size_t g = 0; g < ngroups; g++) {
      double o = opt->group_overheng_pct != NULL ? opt->group_overheng_pct[g] : 0.0;
      double gl = opt->group_glidning_pct != NULL ? opt->group_glidning_pct[g] : 0.0;
      if (!rate_ok(o) || !rate_ok(gl))
        return mdt_error_set(err, MDT_EDATA,
                             "group '%s': its %s: expected a percentage above -100 or none, "
                             "found %.15g",
                             group_id(groups, g), !rate_ok(o) ? "overheng" : "glidning",
                             !rate_ok(o) ? o : gl);
    }
  if (!rate_ok(opt->price_forecast_pct))
    return mdt_error_set(err, MDT_EDATA,
                         "the price forecast: expected a percentage above -100 or none, found "
                         "%.15g",
                         opt->price_forecast_pct);
  if (!(isfinite(opt->payroll_overhead_pct) && opt->payroll_overhead_pct >= 0.0 &&
        opt->payroll_overhead_pct <= MDT_FRAME_MAX_PCT))
    return mdt_error_set(err, MDT_EDATA,
                         "the payroll overhead: expected a percentage from 0 to %g, found %.15g",
                         MDT_FRAME_MAX_PCT, opt->payroll_overhead_pct);
  return MDT_OK;
}

/* The overheng and the glidning estimate of group g under opt. */
static void group_og(const mdt_microsim_report_options *opt, size_t g, double *o, double *gl) {
  *o = opt->group_overheng_pct != NULL ? opt->group_overheng_pct[g] : opt->overheng_pct;
  *gl = opt->group_glidning_pct != NULL ? opt->group_glidning_pct[g] : opt->glidning_pct;
}

/* Growth and real growth of a row from its effect and the overheng and glidning used. */
static void row_growth(mdt_microsim_row *row, double overheng, double glidning, double price) {
  row->overheng_pct = overheng;
  row->glidning_pct = glidning;
  row->annual_growth_pct = overheng + row->annual_effect_pct + row->step_effect_pct + glidning;
  row->real_growth_pct =
      ((1.0 + row->annual_growth_pct / 100.0) / (1.0 + price / 100.0) - 1.0) * 100.0;
}

/* Head counts, wage bill and rise of a row from exact sums; the rates that divide by them. */
static void row_money(mdt_microsim_row *row, int64_t employees_e4, mdt_i128 fte_e8,
                      mdt_i128 wage_bill_e8, mdt_i128 rise_e8, double rise_frac_e8) {
  row->employees_e4 = employees_e4;
  row->fte_e8 = fte_e8;
  row->wage_bill_e8 = wage_bill_e8;
  row->rise_e8 = rise_e8;
  row->rise_frac_e8 = rise_frac_e8;
  row->employees = (double)employees_e4 / 1e4;
  row->fte = (double)fte_e8 / 1e8;
  row->wage_bill_nok = (double)wage_bill_e8 / 1e8;
  double rise = (double)rise_e8 + rise_frac_e8;
  row->rise_nok = rise / 1e8;
  row->nok_per_fte = fte_e8 > 0 ? rise / (double)fte_e8 : NAN;
  row->rise_pct = wage_bill_e8 > 0 ? rise / (double)wage_bill_e8 * 100.0 : NAN;
}

static void fill_rows(const mdt_microsim_work *w, const mdt_microsim_report_options *opt,
                      const mdt_microsim_effect *effect, mdt_microsim_report *r) {
  const mdt_microsim *sim = w->sim;
  const double W = sim->total_wage_bill_d;
  const double overhead = 1.0 + opt->payroll_overhead_pct / 100.0;
  double cost_total = 0.0, frac_total = 0.0, carry_total = 0.0;
  double step_year_total = 0.0, step_full_total = 0.0;
  double o_total = 0.0, gl_total = 0.0; /* sums of W_g x the group's figure */
  int64_t step_emp_total = 0;
  mdt_i128 whole_total = 0;
  for (size_t g = 0; g < sim->ngroups; g++) {
    mdt_microsim_row *row = &r->groups[g];
    double Wg = sim->wage_bill_d[g], S = w->group_sum[g];
    double central = S * w->central_year;
    double local = Wg * w->group_local_year[g];
    double named = Wg * w->group_named_year[g];
    double cost = central + local + named;
    double step_year = w->group_step_year[g], step_full = w->group_step_full[g];
    double carry = S * w->central_carry + Wg * (w->group_local_carry[g] + w->group_named_carry[g]);
    double step_carry = step_full - step_year;
    row->covered = w->covered[g];
    row->named = w->group_named_year[g] > 0.0 || w->group_named_carry[g] > 0.0;
    row_money(row, sim->employees_e4[g], sim->fte_e8[g], sim->wage_bill_e8[g],
              w->group_whole[g], w->group_frac[g]);
    double per = Wg > 0.0 ? 100.0 / Wg : NAN;
    row->central_effect_pct = central * per;
    row->local_effect_pct = local * per;
    row->named_effect_pct = named * per;
    row->annual_effect_pct = row->central_effect_pct + row->local_effect_pct +
                             row->named_effect_pct;
    row->area_effect_pct = cost / W * 100.0;
    row->carryover_pct = (carry + step_carry) * per;
    row->carryover_nok = (carry + step_carry) / 1e8;
    row->step_effect_pct = step_year * per;
    row->step_carryover_pct = step_carry * per;
    row->step_rise_nok = step_full / 1e8;
    row->step_employees = (double)w->group_step_emp[g] / 1e4;
    double o, gl;
    group_og(opt, g, &o, &gl);
    if (opt->step_moves && opt->glidning_includes_step_moves)
      gl -= row->step_effect_pct;
    row_growth(row, o, gl, opt->price_forecast_pct);
    row->cost_nok = (cost + step_year) / 1e8 * overhead;
    cost_total += cost + step_year;
    carry_total += carry + step_carry;
    step_year_total += step_year;
    step_full_total += step_full;
    step_emp_total += w->group_step_emp[g];
    o_total += Wg * o;
    gl_total += Wg * gl;
    whole_total += w->group_whole[g];
    frac_total += w->group_frac[g];
  }
  mdt_microsim_row *t = &r->total;
  row_money(t, sim->total_employees_e4, sim->total_fte_e8, sim->total_wage_bill_e8, whole_total,
            frac_total);
  t->central_effect_pct = effect->central_pct;
  t->local_effect_pct = effect->local_pct;
  t->named_effect_pct = effect->named_pct;
  t->annual_effect_pct = effect->annual_pct;
  t->area_effect_pct = effect->annual_pct;
  t->carryover_pct = carry_total / W * 100.0;
  t->carryover_nok = carry_total / 1e8;
  t->step_effect_pct = step_year_total / W * 100.0;
  t->step_carryover_pct = (step_full_total - step_year_total) / W * 100.0;
  t->step_rise_nok = step_full_total / 1e8;
  t->step_employees = (double)step_emp_total / 1e4;
  /* The area's overheng and glidning are its groups', weighted by their wage bills. */
  row_growth(t, o_total / W, gl_total / W, opt->price_forecast_pct);
  t->cost_nok = cost_total / 1e8 * overhead;
}

static void rows_no_percentiles(mdt_microsim_report *r) {
  for (size_t g = 0; g <= r->ngroups; g++) {
    mdt_microsim_row *row = g < r->ngroups ? &r->groups[g] : &r->total;
    row->rise_p10_nok = row->rise_p50_nok = row->rise_p90_nok = NAN;
    row->rise_p10_pct = row->rise_p50_pct = row->rise_p90_pct = NAN;
  }
}

/* What every full pass does first: check its arguments (opt NULL means the defaults, kept
 * in *defaults) and prepare the work area for s. */
static mdt_status begin_full_pass(const char *fn, mdt_microsim_work *w, const void *out,
                                  const mdt_settlement *s,
                                  const mdt_microsim_report_options **opt,
                                  mdt_microsim_report_options *defaults, mdt_error *err) {
  if (w == NULL || out == NULL)
    return mdt_error_set(err, MDT_EUSAGE, "%s: no %s given", fn,
                         w == NULL ? "work area" : "result");
  if (*opt == NULL) {
    mdt_microsim_report_options_init(defaults);
    *opt = defaults;
  }
  mdt_status st = options_check(*opt, w->sim->groups, w->sim->ngroups, err);
  if (st != MDT_OK || (st = mdt__microsim_prepare(w, s, err)) != MDT_OK)
    return st;
  mdt__microsim_central(w, s);
  return MDT_OK;
}

mdt_status mdt_microsim_apply(mdt_microsim_work *w, const mdt_settlement *s,
                              const mdt_microsim_report_options *opt,
                              mdt_microsim_report **out, mdt_error *err) {
  mdt_microsim_report_options defaults;
  mdt_status st = begin_full_pass("mdt_microsim_apply", w, out, s, &opt, &defaults, err);
  if (st != MDT_OK)
    return st;
  const mdt_microsim *sim = w->sim;
  mdt_microsim_report *r = calloc(1, sizeof *r);
  weighted_value *buf = NULL;
  double *range = NULL; /* smallest and largest rise per group and for the area */
  if (r == NULL || (r->groups = calloc(sim->ngroups, sizeof *r->groups)) == NULL)
    goto nomem;
  r->ngroups = sim->ngroups;
  if (opt->percentiles && ((buf = malloc(sim->n * sizeof *buf)) == NULL ||
                           (range = malloc(2 * (sim->ngroups + 1) * sizeof *range)) == NULL))
    goto nomem;

  w->step_moves = opt->step_moves;
  run_job(w, unit_exact);
  w->step_moves = 0;
  combine_sums(w, 1);
  mdt_microsim_effect effect;
  mdt__microsim_effect_from_sums(w, &effect);
  fill_rows(w, opt, &effect, r);
  rows_no_percentiles(r);
  if (buf != NULL)
    report_percentiles(w, buf, range, range + sim->ngroups + 1, r);
  free(buf);
  free(range);
  *out = r;
  return MDT_OK;

nomem:
  free(buf);
  free(range);
  mdt_microsim_report_free(r);
  return mdt_error_set(err, MDT_ENOMEM, "out of memory for the settlement's report");
}

/* ------------------------------------------------------------------------------------------
 * The spread over pay
 * ------------------------------------------------------------------------------------------ */

typedef struct {
  double pay;
  int32_t w;
} pay_weight;

static int cmp_pay(const void *a, const void *b) {
  double x = ((const pay_weight *)a)->pay, y = ((const pay_weight *)b)->pay;
  return x < y ? -1 : x > y;
}

/* The employee-weighted 20th and 80th percentile of full-time pay (the smallest pay whose
 * cumulative weight reaches the share), found once per work area. */
static int find_pay_fifths(mdt_microsim_work *w) {
  const mdt_microsim *sim = w->sim;
  pay_weight *a = malloc((sim->n ? sim->n : 1) * sizeof *a);
  if (a == NULL)
    return -1;
  for (size_t i = 0; i < sim->n; i++) {
    a[i].pay = sim->old_nok[i];
    a[i].w = sim->weight_e4[i];
  }
  qsort(a, sim->n, sizeof *a, cmp_pay);
  double total = (double)sim->total_employees_e4, cum = 0;
  w->pay_p20 = w->pay_p80 = a[sim->n - 1].pay;
  int have20 = 0;
  for (size_t i = 0; i < sim->n; i++) {
    cum += a[i].w;
    if (!have20 && cum >= 0.2 * total) {
      w->pay_p20 = a[i].pay;
      have20 = 1;
    }
    if (cum >= 0.8 * total) {
      w->pay_p80 = a[i].pay;
      break;
    }
  }
  free(a);
  w->have_pay_fifths = 1;
  return 0;
}

mdt_status mdt_microsim_spread_of(mdt_microsim_work *w, const mdt_settlement *s,
                                  const mdt_microsim_report_options *opt,
                                  mdt_microsim_spread *out, mdt_error *err) {
  mdt_microsim_report_options defaults;
  mdt_status st = begin_full_pass("mdt_microsim_spread_of", w, out, s, &opt, &defaults, err);
  if (st != MDT_OK)
    return st;
  const mdt_microsim *sim = w->sim;
  if (!w->have_pay_fifths && find_pay_fifths(w) != 0)
    return mdt_error_set(err, MDT_ENOMEM, "out of memory for the pay percentiles");
  double low_rise = 0, low_bill = 0, high_rise = 0, high_bill = 0;
  double falls = 0;
  int unknown = 0; /* a group's overheng or glidning is unknown: so is its real growth */
  for (size_t g = 0; g < sim->ngroups; g++) {
    double own_o, own_g;
    group_og(opt, g, &own_o, &own_g);
    double base = own_o + own_g;
    if (isnan(base) && sim->group_cell[g + 1] > sim->group_cell[g])
      unknown = 1;
    double frac = w->group_frac_full[g];
    double later_year = w->group_local_year[g] + w->group_named_year[g];
    for (size_t c = sim->group_cell[g]; c < sim->group_cell[g + 1]; c++)
      for (size_t i = sim->cell_start[c]; i < sim->cell_start[c + 1]; i++) {
        double old = sim->old_nok[i], wf = sim->wfte_e8[i];
        double central = cell_central(w, c, old);
        double rise = central + frac * old;
        if (old <= w->pay_p20) {
          low_rise += wf * rise;
          low_bill += wf * old;
        }
        if (old >= w->pay_p80) {
          high_rise += wf * rise;
          high_bill += wf * old;
        }
        double effect = (central * w->central_year + old * later_year) / old * 100;
        if (base + effect < opt->price_forecast_pct)
          falls += sim->weight_e4[i];
      }
  }
  out->low_rise_pct = low_bill > 0 ? low_rise / low_bill * 100 : NAN;
  out->high_rise_pct = high_bill > 0 ? high_rise / high_bill * 100 : NAN;
  out->low_pay_ratio_pct =
      out->high_rise_pct > 0 ? out->low_rise_pct / out->high_rise_pct * 100 : NAN;
  out->real_fall_share = isnan(opt->price_forecast_pct) || unknown
                             ? NAN
                             : falls / (double)sim->total_employees_e4;
  return MDT_OK;
}

/* ------------------------------------------------------------------------------------------
 * The new guarantee table
 * ------------------------------------------------------------------------------------------ */

static void copy_group(mdt_step_table *out, const mdt_step_table *from, size_t g) {
  size_t k = from != NULL ? from->nsteps[g] : 0;
  for (size_t j = 0; j < k; j++) {
    out->years[g * MDT_STEPS_MAX + j] = from->years[g * MDT_STEPS_MAX + j];
    out->nok[g * MDT_STEPS_MAX + j] = from->nok[g * MDT_STEPS_MAX + j];
  }
  out->nsteps[g] = k;
}

mdt_status mdt_microsim_guarantee(const mdt_microsim *sim, const mdt_settlement *s,
                                  mdt_step_table *out, mdt_error *err) {
  if (sim == NULL || out == NULL)
    return mdt_error_set(err, MDT_EUSAGE, "mdt_microsim_guarantee: no %s given",
                         sim == NULL ? "microsim" : "table to fill");
  mdt_status st = settlement_check(sim, s, err);
  if (st != MDT_OK)
    return st;
  if (out->ngroups != sim->ngroups || out->nsteps == NULL || out->years == NULL ||
      out->nok == NULL)
    return mdt_error_set(err, MDT_EUSAGE,
                         "mdt_microsim_guarantee: expected a table of %zu groups to fill, found "
                         "one of %zu",
                         sim->ngroups, out->ngroups);
  for (size_t g = 0; g < sim->ngroups; g++) {
    int covered = is_covered(sim, s, g);
    if (covered && s->new_guarantee != NULL) {
      copy_group(out, s->new_guarantee, g);
      continue;
    }
    copy_group(out, s->guarantee, g);
    if (!covered)
      continue;
    double p = (s->pct_by_group != NULL ? s->pct_by_group[g] : s->pct) / 100.0;
    for (size_t k = 0; k < out->nsteps[g]; k++) {
      size_t at = g * MDT_STEPS_MAX + k;
      double table = s->table != NULL ? amount_at(s->table, g, out->years[at]) : 0.0;
      double fixed = s->base_table != NULL ? amount_at(s->base_table, g, out->years[at]) : 0.0;
      double raised = raised_guarantee((double)out->nok[at], p, s->krone_nok + fixed,
                                       s->table_scale, table, s->min_krone_nok);
      out->nok[at] = (int64_t)llround(raised);
    }
  }
  return MDT_OK;
}

/* ------------------------------------------------------------------------------------------
 * The register a year later
 * ------------------------------------------------------------------------------------------ */

mdt_status mdt_microsim_next_year(mdt_microsim_work *w, const mdt_register *reg,
                                  const mdt_settlement *s,
                                  const mdt_microsim_report_options *opt, mdt_register **out,
                                  mdt_error *err) {
  mdt_microsim_report_options defaults;
  if (reg == NULL)
    return mdt_error_set(err, MDT_EUSAGE, "mdt_microsim_next_year: no register given");
  mdt_status st = begin_full_pass("mdt_microsim_next_year", w, out, s, &opt, &defaults, err);
  if (st != MDT_OK)
    return st;
  const mdt_microsim *sim = w->sim;
  if (reg->n != sim->n)
    return mdt_error_set(err, MDT_EUSAGE,
                         "mdt_microsim_next_year: expected the register of %zu rows the "
                         "microsim was compiled from, found %zu rows",
                         sim->n, reg->n);
  mdt_register *next = NULL;
  if ((st = mdt_register_new(reg->n, &next, err)) != MDT_OK)
    return st;
  if (reg->path != NULL && (next->path = strdup(reg->path)) == NULL) {
    mdt_register_free(next);
    return mdt_error_set(err, MDT_ENOMEM, "out of memory for next year's register");
  }
  next->has_weight = reg->has_weight;
  for (size_t i = 0; i < reg->n; i++) {
    next->respondent[i] = reg->respondent[i];
    next->group[i] = reg->group[i];
    next->seniority_years[i] = reg->seniority_years[i] + 1.0;
    next->fte_e4[i] = reg->fte_e4[i];
    next->weight_e4[i] = reg->weight_e4[i];
  }
  for (size_t c = 0; c < sim->ncells; c++) {
    double frac = w->group_frac_full[sim->cell_group[c]];
    int steps = opt->step_moves && !isnan(w->cell_next_guarantee[c]);
    for (size_t i = sim->cell_start[c]; i < sim->cell_start[c + 1]; i++) {
      double old = sim->old_nok[i];
      double central = cell_central(w, c, old);
      double pay = old + central + frac * old, lift_sum, lift_dec;
      if (steps && step_move(w, c, i, old, central, &lift_sum, &lift_dec))
        pay += lift_dec;
      next->salary_nok[sim->row_of[i]] = (int64_t)llround(pay);
    }
  }
  *out = next;
  return MDT_OK;
}

/* ------------------------------------------------------------------------------------------
 * Exact amounts as text
 * ------------------------------------------------------------------------------------------ */

char *mdt_microsim_format_e8(mdt_i128 value_e8, int decimals, char *buf, size_t size) {
  if (buf == NULL || size == 0)
    return buf;
  buf[0] = '\0';
  if (decimals < 0 || decimals > 8)
    return buf;
  __extension__ typedef unsigned __int128 u128;
  int negative = value_e8 < 0;
  u128 mag = negative ? (u128)0 - (u128)value_e8 : (u128)value_e8;
  u128 unit = 1;
  for (int k = decimals; k < 8; k++)
    unit *= 10;
  mag = (mag + unit / 2) / unit; /* half away from zero, on the magnitude */
  char digits[64];
  int len = 0;
  do {
    digits[len++] = (char)('0' + (int)(mag % 10));
    mag /= 10;
  } while (mag > 0 || len <= decimals);
  int all_zero = 1;
  for (int k = 0; k < len; k++)
    if (digits[k] != '0')
      all_zero = 0;
  size_t need = (size_t)len + (decimals > 0 ? 1u : 0u) + (negative && !all_zero ? 1u : 0u) + 1u;
  if (need > size)
    return buf;
  size_t at = 0;
  if (negative && !all_zero)
    buf[at++] = '-';
  for (int k = len - 1; k >= 0; k--) {
    buf[at++] = digits[k];
    if (k == decimals && decimals > 0)
      buf[at++] = '.';
  }
  buf[at] = '\0';
  return buf;
}
