#include "mandat/microsim.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/spare.h"
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

int mdt__month_valid(int m) { return m >= 1 && m <= 12; }

const char *mdt__microsim_group_id(const mdt_groups *groups, size_t g) {
  return groups->id != NULL && groups->id[g] != NULL ? groups->id[g] : "?";
}

/* Step of group g in t for whole seniority years: the highest step not above them, or -1. */
long mdt__step_at(const mdt_step_table *t, size_t g, double years) {
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
double mdt__amount_at(const mdt_step_table *t, size_t g, double years) {
  long k = mdt__step_at(t, g, years);
  return k < 0 ? 0.0 : (double)t->nok[g * MDT_STEPS_MAX + (size_t)k];
}

/* A guarantee cell G raised by the central elements as an employee paid exactly G would be:
 * the one formula for the report's new table and the floors of the passes. */
double mdt__raised_guarantee(double guarantee, double p, double krone, double scale,
                               double table_at_guarantee, double min_krone) {
  double rise = p * guarantee + (krone + scale * table_at_guarantee);
  return guarantee + (rise > min_krone ? rise : min_krone);
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
                           what, mdt__microsim_group_id(groups, g), MDT_STEPS_MAX, t->nsteps[g]);
    for (size_t k = 0; k < t->nsteps[g]; k++) {
      double y = t->years[g * MDT_STEPS_MAX + k];
      int64_t nok = t->nok[g * MDT_STEPS_MAX + k];
      if (!(y >= 0.0 && y <= MDT_MICROSIM_MAX_STEP_YEARS && y == floor(y)) ||
          (k > 0 && !(y > t->years[g * MDT_STEPS_MAX + k - 1])))
        return mdt_error_set(err, MDT_EDATA,
                             "%s, group '%s': expected whole step years, ascending, from 0 to "
                             "%d, found %.15g",
                             what, mdt__microsim_group_id(groups, g), MDT_MICROSIM_MAX_STEP_YEARS, y);
      if (nok < 0 || (double)nok > MDT_MICROSIM_MAX_NOK)
        return mdt_error_set(err, MDT_EDATA,
                             "%s, group '%s', step %g: expected NOK per year from 0 to %g, "
                             "found %lld",
                             what, mdt__microsim_group_id(groups, g), y, MDT_MICROSIM_MAX_NOK, (long long)nok);
    }
  }
  return MDT_OK;
}

int mdt__is_covered(const mdt_microsim *sim, const mdt_settlement *s, size_t g) {
  return s->covered != NULL ? s->covered[g] != 0 : sim->default_covered[g] != 0;
}

mdt_status mdt__settlement_check(const mdt_microsim *sim, const mdt_settlement *s,
                                   mdt_error *err) {
  const mdt_groups *groups = sim->groups;
  if (s == NULL)
    return mdt_error_set(err, MDT_EUSAGE, "no settlement given");
  if (!mdt__month_valid(s->central_month))
    return mdt_error_set(err, MDT_EDATA,
                         "the central elements: expected an effective month from 1 to 12, "
                         "found %d",
                         s->central_month);
  if (!pct_ok(s->pct))
    return pct_error(err, "the central percent", s->pct);
  if (s->pct_by_group != NULL)
    for (size_t g = 0; g < sim->ngroups; g++)
      if (mdt__is_covered(sim, s, g) && !pct_ok(s->pct_by_group[g])) {
        char what[160];
        snprintf(what, sizeof what, "the central percent of group '%s'", mdt__microsim_group_id(groups, g));
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
  if (s->local_pct > 0.0 && !mdt__month_valid(s->local_month))
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
             mdt__microsim_group_id(groups, n->group));
    if (!pct_ok(n->pct))
      return pct_error(err, what, n->pct);
    if (!mdt__month_valid(n->month))
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
  free(sim->move_from);
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

/* The whole years of seniority sen (finite, >= 0) as its cell counts them: floor(sen) up to
 * MDT_MICROSIM_MAX_STEP_YEARS. The conversion truncates, which for sen >= 0 is the floor (the
 * baseline x86-64 has no instruction for floor: it is a call). */
static inline uint32_t cell_years_of(double sen) {
  return sen < MDT_MICROSIM_MAX_STEP_YEARS ? (uint32_t)sen : MDT_MICROSIM_MAX_STEP_YEARS;
}

/* Register row i (0-based) passes every check of row_error. */
static inline int row_ok(const mdt_register *reg, size_t ngroups, size_t i) {
  double sen = reg->seniority_years[i];
  int32_t fte = reg->fte_e4[i];
  int64_t salary = reg->salary_nok[i];
  return reg->group[i] >= 0 && (size_t)reg->group[i] < ngroups && sen >= 0.0 &&
         sen <= DBL_MAX && fte >= 1 && fte <= MDT_FIX4_ONE && reg->weight_e4[i] >= 1 &&
         salary >= 1 && salary <= MDT_MICROSIM_MAX_SALARY_NOK;
}

/* What is wrong with register row i (0-based), which row_ok refused; out of line: the rows
 * that pass need none of it. */
static __attribute__((noinline, cold)) mdt_status row_error(const mdt_register *reg,
                                                             size_t ngroups, size_t i,
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
  return mdt_error_set_at(err, MDT_EDATA, path, 0, 0,
                          "register row %zu: expected a whole annual salary from 1 to %lld NOK, "
                          "found %lld",
                          i + 1, (long long)MDT_MICROSIM_MAX_SALARY_NOK,
                          (long long)reg->salary_nok[i]);
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

/* Compiling in parts (mdt__run_parts): each part a run of register rows, counted and summed
 * on its own, then placed after the earlier parts' rows of the same cell; the columns and
 * the exact totals are the same for any number of parts. */
typedef struct {
  const mdt_register *reg;
  mdt_register *own;  /* reg, when its columns but the groups' are the compile's to take */
  mdt_microsim *sim;
  size_t nkeys;
  int column;         /* the column place_part places */
  uint32_t *key;      /* [n]: each row's cell key */
  size_t *count;      /* [parts x nkeys]: rows per key in each part, then where its first goes */
  size_t *at;         /* [parts x nkeys]: where the next goes (place_part) */
  int64_t *employees; /* [parts x G] exact sums of each part */
  mdt_i128 *fte, *wage;
  mdt_status st[MDT_MICROSIM_MAX_THREADS];
  mdt_error err[MDT_MICROSIM_MAX_THREADS];
} compile_job;

static size_t part_row(size_t n, int part, int nparts) {
  return (size_t)((double)n * part / nparts);
}

/* Pass 1 over a part's rows: checks them, keys them (group x (MAX + 1) + whole years),
 * counts them per key and sums them. */
static void count_part(void *arg, int part, int nparts) {
  compile_job *job = arg;
  const mdt_register *reg = job->reg;
  const size_t G = job->sim->ngroups;
  size_t *count = job->count + (size_t)part * job->nkeys;
  int64_t *employees = job->employees + (size_t)part * G;
  mdt_i128 *fte = job->fte + (size_t)part * G, *wage = job->wage + (size_t)part * G;
  uint32_t *key = job->key;
  const int32_t *group = reg->group, *weight = reg->weight_e4, *fte_e4 = reg->fte_e4;
  const double *seniority = reg->seniority_years;
  const int64_t *salary = reg->salary_nok;
  size_t hi = part_row(reg->n, part + 1, nparts);
  job->st[part] = MDT_OK;
  for (size_t i = part_row(reg->n, part, nparts); i < hi; i++) {
    if (!row_ok(reg, G, i)) {
      job->st[part] = row_error(reg, G, i, &job->err[part]);
      return;
    }
    size_t g = (size_t)group[i];
    uint32_t k = (uint32_t)g * (MDT_MICROSIM_MAX_STEP_YEARS + 1) + cell_years_of(seniority[i]);
    key[i] = k;
    count[k]++;
    int64_t wf = (int64_t)weight[i] * fte_e4[i];
    employees[g] += weight[i];
    fte[g] += wf;
    wage[g] += (mdt_i128)wf * salary[i];
  }
}

/* Pass 2: places a part's rows of column job->column, in register order within each cell
 * (pass 3 sorts each cell by pay, stably): one column at a time, so that a thread writes to
 * one place per cell at once rather than five (about 2 000 pages at once thrash the TLB), and
 * every part done with a column before the next starts (a taken register's columns are
 * written over, compile_from). at (nkeys) is room for the part's starts. */
enum { PLACE_MOVE_FROM, PLACE_OLD_NOK, PLACE_WFTE, PLACE_WEIGHT, PLACE_ROW_OF, PLACE_N };

static void place_part(void *arg, int part, int nparts) {
  compile_job *job = arg;
  const mdt_register *reg = job->reg;
  mdt_microsim *sim = job->sim;
  size_t *start = job->count + (size_t)part * job->nkeys;
  size_t *at = job->at + (size_t)part * job->nkeys;
  const uint32_t *key = job->key;
  size_t lo = part_row(reg->n, part, nparts), hi = part_row(reg->n, part + 1, nparts);
#define PLACE(column, value)                                                                  \
  do {                                                                                        \
    memcpy(at, start, job->nkeys * sizeof *at);                                               \
    for (size_t i = lo; i < hi; i++)                                                          \
      sim->column[at[key[i]]++] = (value);                                                    \
  } while (0)
  switch (job->column) {
  case PLACE_MOVE_FROM:
    PLACE(move_from, mdt__move_month((int)(key[i] % (MDT_MICROSIM_MAX_STEP_YEARS + 1)),
                                     reg->seniority_years[i]));
    break;
  case PLACE_OLD_NOK:
    PLACE(old_nok, (double)reg->salary_nok[i]);
    break;
  case PLACE_WFTE:
    PLACE(wfte_e8, (double)((int64_t)reg->weight_e4[i] * reg->fte_e4[i]));
    break;
  case PLACE_WEIGHT:
    PLACE(weight_e4, reg->weight_e4[i]);
    break;
  default:
    PLACE(row_of, (uint32_t)i);
    break;
  }
#undef PLACE
}

#define RADIX_BITS 11
#define RADIX (1u << RADIX_BITS)
#define RADIX_PASSES 3 /* 33 bits: every key below 2^32 */

/* An employee of a cell as a sort key: its pay's excess over the cell's least in the high 32
 * bits, its place in the cell (in register order) in the low. Keys are unique, and in order
 * of them the cell is in order of pay, those paid the same in register order. */
static inline uint64_t pay_key(uint64_t excess, size_t place) {
  return excess << 32 | (uint64_t)place;
}

/* Sorts a[0..n) by their high words with tmp (n more) as room: an LSD radix sort over their
 * 11-bit digits, each pass stable, so that keys of the same high word keep their order (that
 * of their low words, when a was in that order). digits passes; count[p] holds pass p's
 * counts of each digit, taken beforehand. Returns the sorted array: a or tmp. */
static uint64_t *radix_sort(uint64_t *a, uint64_t *tmp, size_t n, int digits,
                            size_t (*count)[RADIX]) {
  for (int p = 0; p < digits; p++) {
    unsigned shift = 32 + (unsigned)p * RADIX_BITS;
    size_t at = 0, *start = count[p];
    for (size_t d = 0; d < RADIX; d++) {
      size_t k = start[d];
      start[d] = at;
      at += k;
    }
    for (size_t i = 0; i < n; i++)
      tmp[start[(a[i] >> shift) & (RADIX - 1)]++] = a[i];
    uint64_t *t = a;
    a = tmp;
    tmp = t;
  }
  return a;
}

static int by_key(const void *x, const void *y) {
  const uint64_t *a = x, *b = y;
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1];
}

/* Pass 3: each cell's employees in order of pay, those paid the same in register order (the
 * order pass 2 left them in). Cells are taken one at a time by whichever thread is free, each
 * with room of its own: a cell is sorted alone, so the columns are the same whichever thread
 * sorts it. */
typedef struct {
  mdt_microsim *sim;
  size_t largest; /* employees of the largest cell */
  atomic_size_t next;
  int failed[MDT_MICROSIM_MAX_THREADS];
} pay_sort_job;

/* The columns of cell c in order of pay: a (2 x the cell's uint64) holds the keys and their
 * room, col (the cell's doubles) each column while it is permuted. Pay is whole kroner, so
 * its excess over the cell's least is an exact integer; below 2^32 (a span of 4.29 billion
 * kroner: always, but for registers made to test this) it and the place make one 64-bit
 * key, radix sorted, else the two are sorted as pairs. */
static void cell_by_pay(mdt_microsim *sim, size_t c, uint64_t *a, void *col) {
  size_t lo = sim->cell_start[c], n = sim->cell_start[c + 1] - lo;
  const double *old = sim->old_nok + lo;
  int sorted = 1;
  for (size_t i = 1; i < n && sorted; i++)
    sorted = old[i - 1] <= old[i];
  if (sorted)
    return;
  int64_t least = (int64_t)old[0], most = least;
  for (size_t i = 1; i < n; i++) {
    int64_t v = (int64_t)old[i];
    least = v < least ? v : least;
    most = v > most ? v : most;
  }
  uint64_t span = (uint64_t)(most - least);
  const uint64_t *order;
  int wide = span > UINT32_MAX; /* pairs of (excess, place): 2 x the cell's uint64 */
  if (!wide) {
    int digits = 1;
    while (digits < RADIX_PASSES && (span >> (digits * RADIX_BITS)) != 0)
      digits++;
    size_t count[RADIX_PASSES][RADIX];
    memset(count, 0, (size_t)digits * sizeof count[0]);
    for (size_t i = 0; i < n; i++) {
      uint64_t excess = (uint64_t)((int64_t)old[i] - least);
      a[i] = pay_key(excess, i);
      for (int p = 0; p < digits; p++)
        count[p][(excess >> (p * RADIX_BITS)) & (RADIX - 1)]++;
    }
    order = radix_sort(a, a + n, n, digits, count);
  } else {
    for (size_t i = 0; i < n; i++) {
      a[2 * i] = (uint64_t)((int64_t)old[i] - least);
      a[2 * i + 1] = i;
    }
    qsort(a, n, 2 * sizeof *a, by_key);
    for (size_t i = 0; i < n; i++) /* their places, in sorted order, into a[0..n) */
      a[i] = a[2 * i + 1];
    order = a;
  }
  double *d = col;
#define PLACE_OF(i) (wide ? (size_t)order[i] : (size_t)(order[i] & UINT32_MAX))
#define PERMUTE(column, tmp)                                                                  \
  do {                                                                                        \
    for (size_t i = 0; i < n; i++)                                                            \
      (tmp)[i] = sim->column[lo + PLACE_OF(i)];                                               \
    memcpy(sim->column + lo, (tmp), n * sizeof *(tmp));                                       \
  } while (0)
  PERMUTE(old_nok, d);
  PERMUTE(wfte_e8, d);
  PERMUTE(move_from, (uint8_t *)col);
  PERMUTE(weight_e4, (int32_t *)col);
  PERMUTE(row_of, (uint32_t *)col);
#undef PERMUTE
#undef PLACE_OF
}

static void pay_sort_part(void *arg, int part, int nparts) {
  (void)nparts;
  pay_sort_job *job = arg;
  mdt_microsim *sim = job->sim;
  uint64_t *a = malloc(2 * job->largest * sizeof *a);
  void *col = malloc(job->largest * sizeof(double)); /* the widest column */
  job->failed[part] = a == NULL || col == NULL;
  for (size_t c; !job->failed[part] && (c = atomic_fetch_add(&job->next, 1)) < sim->ncells;)
    cell_by_pay(sim, c, a, col);
  free(a);
  free(col);
}

/* Pass 4: each cell's wfte summed in column order. */
static void cell_sums_part(void *arg, int part, int nparts) {
  mdt_microsim *sim = ((compile_job *)arg)->sim;
  size_t c1 = mdt__part_cell(sim, part + 1, nparts);
  for (size_t c = mdt__part_cell(sim, part, nparts); c < c1; c++) {
    double s = 0.0;
    for (size_t i = sim->cell_start[c]; i < sim->cell_start[c + 1]; i++)
      s += sim->wfte_e8[i];
    sim->cell_wfte_e8[c] = s;
  }
}

/* After pass 1: the first error in register order, the exact totals, the cells, and where
 * each part's rows of each key go. */
static mdt_status compile_counted(compile_job *job, int parts, mdt_error *err) {
  mdt_microsim *sim = job->sim;
  const size_t G = sim->ngroups, nkeys = job->nkeys;
  for (int k = 0; k < parts; k++)
    if (job->st[k] != MDT_OK) {
      if (err != NULL)
        *err = job->err[k];
      return job->st[k];
    }
  size_t *total = calloc(nkeys, sizeof *total);
  if (total == NULL)
    return MDT_ENOMEM;
  for (int k = 0; k < parts; k++) {
    for (size_t key = 0; key < nkeys; key++)
      total[key] += job->count[(size_t)k * nkeys + key];
    for (size_t g = 0; g < G; g++) {
      sim->employees_e4[g] += job->employees[(size_t)k * G + g];
      sim->fte_e8[g] += job->fte[(size_t)k * G + g];
      sim->wage_bill_e8[g] += job->wage[(size_t)k * G + g];
    }
  }
  mdt_status st = build_cells(sim, total, nkeys);
  free(total);
  if (st != MDT_OK)
    return st;
  for (size_t key = 0, pos = 0; key < nkeys; key++)
    for (int k = 0; k < parts; k++) {
      size_t *c = &job->count[(size_t)k * nkeys + key], cnt = *c;
      *c = pos;
      pos += cnt;
    }
  return MDT_OK;
}

static mdt_status compile(compile_job *job, int parts, mdt_error *err) {
  mdt_microsim *sim = job->sim;
  const size_t n = sim->n, G = sim->ngroups;
  sim->default_covered = calloc(G, 1);
  sim->employees_e4 = calloc(G, sizeof *sim->employees_e4);
  sim->fte_e8 = calloc(G, sizeof *sim->fte_e8);
  sim->wage_bill_e8 = calloc(G, sizeof *sim->wage_bill_e8);
  sim->wage_bill_d = calloc(G, sizeof *sim->wage_bill_d);
  /* A taken register's members' column is a one-year run's to drop: the keys take it. */
  job->key = job->own != NULL ? (uint32_t *)job->own->respondent : malloc(n * sizeof *job->key);
  job->count = calloc((size_t)parts * job->nkeys, sizeof *job->count);
  job->at = calloc((size_t)parts * job->nkeys, sizeof *job->at);
  job->employees = calloc((size_t)parts * G, sizeof *job->employees);
  job->fte = calloc((size_t)parts * G, sizeof *job->fte);
  job->wage = calloc((size_t)parts * G, sizeof *job->wage);
  if (!sim->default_covered || !sim->employees_e4 || !sim->fte_e8 || !sim->wage_bill_e8 ||
      !sim->wage_bill_d || !job->key || !job->count || !job->at || !job->employees || !job->fte ||
      !job->wage)
    return MDT_ENOMEM;
  for (size_t g = 0; g < G; g++)
    sim->default_covered[g] = sim->groups->chapter[g] != NULL &&
                              strcmp(sim->groups->chapter[g], "4") == 0;
  mdt__run_parts(parts, count_part, job);
  mdt_status st = compile_counted(job, parts, err);
  if (st != MDT_OK)
    return st;
  /* Written first by place_part: 4.6 M employees' 115 MB at 10x the area, all but
   * move_from's 4.6 MB in a taken register's columns, each once the columns placed before it
   * have read it for the last time (the order of PLACE_*). */
  sim->move_from = malloc(n * sizeof *sim->move_from);
  if (sim->move_from == NULL)
    return MDT_ENOMEM;
  mdt__huge(sim->move_from, n * sizeof *sim->move_from);
  mdt_register *own = job->own;
  if (own == NULL) {
    sim->old_nok = malloc(n * sizeof *sim->old_nok);
    sim->wfte_e8 = malloc(n * sizeof *sim->wfte_e8);
    sim->weight_e4 = malloc(n * sizeof *sim->weight_e4);
    sim->row_of = malloc(n * sizeof *sim->row_of);
    if (!sim->old_nok || !sim->wfte_e8 || !sim->weight_e4 || !sim->row_of)
      return MDT_ENOMEM;
    mdt__huge(sim->old_nok, n * sizeof *sim->old_nok);
    mdt__huge(sim->wfte_e8, n * sizeof *sim->wfte_e8);
    mdt__huge(sim->weight_e4, n * sizeof *sim->weight_e4);
    mdt__huge(sim->row_of, n * sizeof *sim->row_of);
  } else {
    _Static_assert(sizeof *sim->old_nok == sizeof *own->seniority_years &&
                       sizeof *sim->wfte_e8 == sizeof *own->salary_nok &&
                       sizeof *sim->weight_e4 == sizeof *own->fte_e4 &&
                       sizeof *sim->row_of == sizeof *own->weight_e4 &&
                       sizeof *job->key == sizeof *own->respondent,
                   "a taken register's columns hold the compiled ones");
    sim->old_nok = own->seniority_years; /* read last by PLACE_MOVE_FROM */
    sim->wfte_e8 = (double *)(void *)own->salary_nok; /* by PLACE_OLD_NOK */
    sim->weight_e4 = own->fte_e4;                      /* by PLACE_WFTE */
    sim->row_of = (uint32_t *)own->weight_e4;          /* by PLACE_WEIGHT */
  }
  for (job->column = 0; job->column < PLACE_N; job->column++)
    mdt__run_parts(parts, place_part, job);
  if (own != NULL) { /* the columns are the microsim's now, and the keys' block is done */
    own->seniority_years = NULL;
    own->salary_nok = NULL;
    own->fte_e4 = NULL;
    own->weight_e4 = NULL;
    own->respondent = NULL;
  }
  pay_sort_job sorting = {sim, 1, 0, {0}};
  for (size_t c = 0; c < sim->ncells; c++) {
    size_t size = sim->cell_start[c + 1] - sim->cell_start[c];
    sorting.largest = size > sorting.largest ? size : sorting.largest;
  }
  mdt__run_parts(parts, pay_sort_part, &sorting);
  for (int k = 0; k < parts; k++)
    if (sorting.failed[k])
      return MDT_ENOMEM;
  mdt__run_parts(parts, cell_sums_part, job);
  for (size_t g = 0; g < G; g++) {
    sim->wage_bill_d[g] = (double)sim->wage_bill_e8[g];
    sim->total_employees_e4 += sim->employees_e4[g];
    sim->total_fte_e8 += sim->fte_e8[g];
    sim->total_wage_bill_e8 += sim->wage_bill_e8[g];
  }
  sim->total_wage_bill_d = (double)sim->total_wage_bill_e8;
  return MDT_OK;
}

static mdt_status compile_from(const mdt_register *reg, mdt_register *own,
                               const mdt_groups *groups, int threads, mdt__spare *spare,
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
  if (reg->n > UINT32_MAX)
    return mdt_error_set_at(err, MDT_EDATA, reg->path, 0, 0,
                            "expected a register of at most %lu rows, found %zu",
                            (unsigned long)UINT32_MAX, reg->n);
  const size_t Y = MDT_MICROSIM_MAX_STEP_YEARS + 1;
  if (groups->n > (size_t)UINT32_MAX / Y)
    return mdt_error_set(err, MDT_EDATA, "expected at most %zu groups, found %zu",
                         (size_t)UINT32_MAX / Y, groups->n);
  /* Parts of at least 2^16 rows: fewer rows are not worth a thread. */
  int parts = threads < 1 ? 1 : threads > MDT_MICROSIM_MAX_THREADS ? MDT_MICROSIM_MAX_THREADS
                                                                   : threads;
  while (parts > 1 && reg->n / (size_t)parts < ((size_t)1 << 16))
    parts--;
  compile_job job;
  memset(&job, 0, sizeof job);
  job.reg = reg;
  job.own = own;
  job.nkeys = groups->n * Y;
  mdt_status st = MDT_ENOMEM;
  if ((job.sim = calloc(1, sizeof *job.sim)) != NULL) {
    job.sim->groups = groups;
    job.sim->n = reg->n;
    job.sim->ngroups = groups->n;
    st = compile(&job, parts, err);
  }
  if (own != NULL) { /* the keys in the members' column: kept for a later step */
    if (own->respondent == NULL)
      mdt__spare_put(spare, job.key, reg->n * sizeof *job.key);
    job.key = NULL;
  }
  free(job.key);
  free(job.count);
  free(job.at);
  free(job.employees);
  free(job.fte);
  free(job.wage);
  if (st == MDT_OK) {
    *out = job.sim;
    return MDT_OK;
  }
  mdt_microsim_free(job.sim);
  if (st == MDT_ENOMEM)
    return mdt_error_set(err, MDT_ENOMEM, "out of memory compiling a register of %zu rows",
                         reg->n);
  return st;
}

mdt_status mdt__microsim_new_threads(const mdt_register *reg, const mdt_groups *groups,
                                     int threads, mdt_microsim **out, mdt_error *err) {
  return compile_from(reg, NULL, groups, threads, NULL, out, err);
}

mdt_status mdt__microsim_new_taking(mdt_register *reg, const mdt_groups *groups, int threads,
                                    mdt__spare *spare, mdt_microsim **out, mdt_error *err) {
  return compile_from(reg, reg, groups, threads, spare, out, err);
}

mdt_status mdt_microsim_new(const mdt_register *reg, const mdt_groups *groups,
                            mdt_microsim **out, mdt_error *err) {
  return mdt__microsim_new_threads(reg, groups, 1, out, err);
}

/* ------------------------------------------------------------------------------------------
 * Preparing a settlement
 * ------------------------------------------------------------------------------------------ */

mdt_status mdt__microsim_prepare(mdt_microsim_work *w, const mdt_settlement *s, mdt_error *err) {
  const mdt_microsim *sim = w->sim;
  mdt_status st = mdt__settlement_check(sim, s, err);
  if (st != MDT_OK)
    return st;
  const size_t G = sim->ngroups;
  double q = s->local_pct / 100.0;
  double local_year = q > 0.0 ? q * (double)(13 - s->local_month) / 12.0 : 0.0;
  double local_carry = q > 0.0 ? q * (double)(s->local_month - 1) / 12.0 : 0.0;
  for (size_t g = 0; g < G; g++) {
    w->covered[g] = (unsigned char)mdt__is_covered(sim, s, g);
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
    w->cell_table[c] = s->table != NULL ? mdt__amount_at(s->table, g, years) : 0.0;
    w->cell_fixed[c] = s->base_table != NULL ? mdt__amount_at(s->base_table, g, years) : 0.0;
    w->cell_guarantee[c] = NAN;
    w->cell_table_at_guarantee[c] = 0.0;
    w->cell_fixed_at_guarantee[c] = 0.0;
    w->cell_new_guarantee[c] = NAN;
    w->cell_next_guarantee[c] = NAN;
    w->cell_next_explicit[c] = NAN;
    w->cell_next_table[c] = 0.0;
    w->cell_next_fixed[c] = 0.0;
    if (s->guarantee != NULL) {
      long k = mdt__step_at(s->guarantee, g, years);
      if (k >= 0) {
        double gy = s->guarantee->years[g * MDT_STEPS_MAX + (size_t)k];
        w->cell_guarantee[c] = (double)s->guarantee->nok[g * MDT_STEPS_MAX + (size_t)k];
        if (s->table != NULL)
          w->cell_table_at_guarantee[c] = mdt__amount_at(s->table, g, gy);
        if (s->base_table != NULL)
          w->cell_fixed_at_guarantee[c] = mdt__amount_at(s->base_table, g, gy);
      }
      /* A step at exactly years + 1 is reached during the year. */
      long kn = mdt__step_at(s->guarantee, g, years + 1.0);
      if (kn >= 0 && s->guarantee->years[g * MDT_STEPS_MAX + (size_t)kn] == years + 1.0) {
        w->cell_next_guarantee[c] = (double)s->guarantee->nok[g * MDT_STEPS_MAX + (size_t)kn];
        w->cell_next_table[c] = s->table != NULL ? mdt__amount_at(s->table, g, years + 1.0) : 0.0;
        w->cell_next_fixed[c] =
            s->base_table != NULL ? mdt__amount_at(s->base_table, g, years + 1.0) : 0.0;
        if (s->new_guarantee != NULL) {
          long ke = mdt__step_at(s->new_guarantee, g, years + 1.0);
          if (ke >= 0)
            w->cell_next_explicit[c] =
                (double)s->new_guarantee->nok[g * MDT_STEPS_MAX + (size_t)ke];
        }
      }
    }
    if (s->new_guarantee != NULL) {
      long k = mdt__step_at(s->new_guarantee, g, years);
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
      floor_nok = mdt__raised_guarantee(w->cell_guarantee[c], p,
                                   s->krone_nok + w->cell_fixed_at_guarantee[c], s->table_scale,
                                   w->cell_table_at_guarantee[c], s->min_krone_nok);
    }
    w->cell_floor[c] = floor_nok;
    double next = w->cell_next_guarantee[c];
    if (!isnan(next) && w->explicit_guarantee)
      next = isnan(w->cell_next_explicit[c]) ? next : w->cell_next_explicit[c];
    else if (!isnan(next))
      next = mdt__raised_guarantee(next, p, s->krone_nok + w->cell_next_fixed[c], s->table_scale,
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



/* A step move of employee i of cell c (see mandat/microsim.h): the sum of the monthly lifts
 * (for the annual effect, times 1/12) and December's lift. Returns 0 when i does not move. */
int mdt__step_move(const mdt_microsim_work *w, size_t c, size_t i, double old, double central,
                     double *lift_sum, double *lift_dec) {
  const mdt_microsim *sim = w->sim;
  double next_old = w->cell_next_guarantee[c];
  int from = sim->move_from[i];
  if (isnan(next_old) || from == 0)
    return 0;
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
 * split into exact whole kroner and a remainder; with extremes, also the unit's smallest and
 * largest rise in NOK and in percent of old pay (the expressions of microsim_pct.c's
 * FOR_EACH_RISE, so the same values). */
static inline __attribute__((always_inline)) void unit_exact(mdt_microsim_work *w, size_t u,
                                                             int extremes) {
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
  double nlo = INFINITY, nhi = -INFINITY, plo = INFINITY, phi = -INFINITY;
  int64_t step_emp = 0;
  int steps = w->step_moves && !isnan(w->cell_next_guarantee[c]);
  for (size_t i = lo; i < hi; i++) {
    double central = cell_central(w, c, old[i]);
    double rise = central + frac_full * old[i];
    double kroner = rint(rise);
    whole += (mdt_i128)(int64_t)wfte[i] * (int64_t)kroner;
    frac += wfte[i] * (rise - kroner);
    if (extremes) {
      double pct = cell_rise_pct(w, c, frac_full, old[i]);
      nlo = rise < nlo ? rise : nlo;
      nhi = rise > nhi ? rise : nhi;
      plo = pct < plo ? pct : plo;
      phi = pct > phi ? pct : phi;
    }
    double lift_sum, lift_dec;
    if (steps && mdt__step_move(w, c, i, old[i], central, &lift_sum, &lift_dec)) {
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
  if (extremes) {
    w->unit_rise_lo[2 * u] = nlo;
    w->unit_rise_hi[2 * u] = nhi;
    w->unit_rise_lo[2 * u + 1] = plo;
    w->unit_rise_hi[2 * u + 1] = phi;
  }
}

void mdt__unit_exact(mdt_microsim_work *w, size_t u) {
  if (w->extremes)
    unit_exact(w, u, 1);
  else
    unit_exact(w, u, 0);
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
void mdt__combine_sums(mdt_microsim_work *w, int exact) {
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
  mdt__run_job(w, unit_lean);
  mdt__combine_sums(w, 0);
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

