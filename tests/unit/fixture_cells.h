/*
 * A random world for the per-cell tests (test_microsim_cells.c, test_microsim_cellreport.c):
 * four groups, a register of n employees with ties in pay and every FTE and weight, a
 * guarantee table whose steps bind for some, a kroner table, the microsim, its work area and
 * the cells index; and random settlements with every element present or not.
 *
 * Ownership: cells_world_open fills the world; cells_world_close frees all of it.
 */
#ifndef MANDAT_TEST_FIXTURE_CELLS_H
#define MANDAT_TEST_FIXTURE_CELLS_H

#include <gsl/gsl_rng.h>
#include <math.h>

#include "engine/microsim_cells.h"
#include "fixture_microsim.h"

#define CELLS_NGROUPS 4

typedef struct {
  mdt_groups *groups;
  mdt_register *reg;
  mdt_step_table *guarantee;
  mdt_step_table *table;
  mdt_microsim *sim;
  mdt_microsim_work *work;
  mdt__cells *cells;
} cells_world;

/* What differs between the tests' worlds (each keeps its own random stream). */
typedef struct {
  int tenths;              /* a third of the seniorities on tenths of a year */
  int64_t guarantee_step;  /* NOK between the guarantee's steps */
  unsigned no_guarantee;   /* a settlement has no guarantee one time in this many */
} cells_world_kind;

/* A register of n employees: pay 280 000–900 000, a third on round thousands (ties),
 * seniority 0–45 years; guarantee steps at 0, 4, 8, 10, 16 years near the low pays. */
static inline void cells_world_open(cells_world *wd, const cells_world_kind *kind, gsl_rng *r,
                                    size_t n, int threads) {
  static const char *const ids[CELLS_NGROUPS] = {"g1", "g2", "lead", "c5"};
  static const char *const chapters[CELLS_NGROUPS] = {"4", "4", "3.4", "5"};
  wd->groups = mdt_test_groups(CELLS_NGROUPS, ids, chapters, NULL, NULL);
  wd->reg = mdt_test_register_alloc(n);
  for (size_t i = 0; i < n; i++) {
    wd->reg->group[i] = (int32_t)gsl_rng_uniform_int(r, CELLS_NGROUPS);
    double sen = 45.0 * gsl_rng_uniform(r);
    if (kind->tenths && gsl_rng_uniform_int(r, 3) == 0)
      sen = floor(sen * 10) / 10;
    wd->reg->seniority_years[i] = sen;
    wd->reg->fte_e4[i] = 1 + (int32_t)gsl_rng_uniform_int(r, 10000);
    wd->reg->weight_e4[i] = 1 + (int32_t)gsl_rng_uniform_int(r, 250000);
    int64_t pay = 280000 + (int64_t)gsl_rng_uniform_int(r, 620000);
    wd->reg->salary_nok[i] = gsl_rng_uniform_int(r, 3) == 0 ? pay / 1000 * 1000 : pay;
  }
  static const double steps[] = {0, 4, 8, 10, 16};
  wd->guarantee = mdt_test_table(CELLS_NGROUPS);
  wd->table = mdt_test_table(CELLS_NGROUPS);
  for (size_t g = 0; g < CELLS_NGROUPS; g++)
    for (size_t k = 0; k < 5; k++) {
      mdt_test_table_add(wd->guarantee, g, steps[k],
                         330000 + kind->guarantee_step * (int64_t)k + 9173 * (int64_t)g);
      mdt_test_table_add(wd->table, g, steps[k], 3750 + 1213 * (int64_t)k);
    }
  assert_int_equal(mdt_microsim_new(wd->reg, wd->groups, &wd->sim, NULL), MDT_OK);
  assert_int_equal(mdt_microsim_work_new(wd->sim, threads, &wd->work, NULL), MDT_OK);
  assert_int_equal(mdt__cells_new(wd->sim, &wd->cells, NULL), MDT_OK);
}

static inline void cells_world_close(cells_world *wd) {
  mdt__cells_free(wd->cells);
  mdt_microsim_work_free(wd->work);
  mdt_microsim_free(wd->sim);
  mdt_test_table_free(wd->guarantee);
  mdt_test_table_free(wd->table);
  mdt_test_register_free(wd->reg);
  mdt_test_groups_free(wd->groups);
}

/* A random settlement: each element present or not, p = 0 a quarter of the time. pcts
 * (CELLS_NGROUPS) and named are the caller's, pointed to by s. */
static inline void cells_random_settlement(gsl_rng *r, const cells_world *wd,
                                           const cells_world_kind *kind, mdt_settlement *s,
                                           double *pcts, mdt_named_increase *named) {
  mdt_settlement_init(s);
  s->central_month = 1 + (int)gsl_rng_uniform_int(r, 12);
  s->pct = gsl_rng_uniform_int(r, 4) == 0 ? 0.0 : 6.3 * gsl_rng_uniform(r);
  if (gsl_rng_uniform_int(r, 2)) {
    for (size_t g = 0; g < CELLS_NGROUPS; g++)
      pcts[g] = gsl_rng_uniform_int(r, 4) == 0 ? 0.0 : 5.7 * gsl_rng_uniform(r);
    s->pct_by_group = pcts;
  }
  if (gsl_rng_uniform_int(r, 2))
    s->krone_nok = floor(21000.0 * gsl_rng_uniform(r));
  if (gsl_rng_uniform_int(r, 2)) {
    s->table = wd->table;
    s->table_scale = 2.385 * gsl_rng_uniform(r);
  }
  if (gsl_rng_uniform_int(r, 2))
    s->min_krone_nok = 41000.0 * gsl_rng_uniform(r);
  if (gsl_rng_uniform_int(r, kind->no_guarantee) != 0)
    s->guarantee = wd->guarantee;
  if (gsl_rng_uniform_int(r, 2)) {
    s->local_pct = 1.7 * gsl_rng_uniform(r);
    s->local_month = 1 + (int)gsl_rng_uniform_int(r, 12);
  }
  if (gsl_rng_uniform_int(r, 2)) {
    *named = (mdt_named_increase){2, 3.9 * gsl_rng_uniform(r),
                                  1 + (int)gsl_rng_uniform_int(r, 12)};
    s->named = named;
    s->nnamed = 1;
  }
}

#endif
