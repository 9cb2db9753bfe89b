/*
 * In-memory groups, registers and step tables for the microsim and allocate tests, built
 * field by field (independent of the CSV loaders), and a dozen employees worked by hand.
 *
 * Ownership: every mdt_test_* constructor returns an object the caller frees with the
 * matching mdt_test_*_free (NULL is a no-op).
 */
#ifndef MANDAT_TEST_FIXTURE_MICROSIM_H
#define MANDAT_TEST_FIXTURE_MICROSIM_H

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mandat/groups.h"
#include "mandat/register.h"
#include "mandat/steptable.h"

/* Groups with ids, chapters and optional own overheng/glidning (NaN for none). */
static inline mdt_groups *mdt_test_groups(size_t n, const char *const *ids,
                                          const char *const *chapters, const double *overheng,
                                          const double *glidning) {
  mdt_groups *g = calloc(1, sizeof *g);
  g->n = n;
  g->id = calloc(n, sizeof *g->id);
  g->name = calloc(n, sizeof *g->name);
  g->chapter = calloc(n, sizeof *g->chapter);
  g->headcount = calloc(n, sizeof(double));
  g->fte = calloc(n, sizeof(double));
  g->mean_salary_nok = calloc(n, sizeof(double));
  g->overheng_pct = calloc(n, sizeof(double));
  g->glidning_pct = calloc(n, sizeof(double));
  g->line = calloc(n, sizeof(long));
  for (size_t i = 0; i < n; i++) {
    g->id[i] = strdup(ids[i]);
    g->name[i] = strdup(ids[i]);
    g->chapter[i] = strdup(chapters[i]);
    g->headcount[i] = g->fte[i] = g->mean_salary_nok[i] = NAN;
    g->overheng_pct[i] = overheng != NULL ? overheng[i] : NAN;
    g->glidning_pct[i] = glidning != NULL ? glidning[i] : NAN;
    g->line[i] = (long)i + 2;
  }
  return g;
}

static inline void mdt_test_groups_free(mdt_groups *g) {
  if (g == NULL)
    return;
  for (size_t i = 0; i < g->n; i++) {
    free(g->id[i]);
    free(g->name[i]);
    free(g->chapter[i]);
  }
  free(g->id);
  free(g->name);
  free(g->chapter);
  free(g->headcount);
  free(g->fte);
  free(g->mean_salary_nok);
  free(g->overheng_pct);
  free(g->glidning_pct);
  free(g->line);
  free(g);
}

/* One employee as the tests write them. */
typedef struct {
  int32_t group;
  double seniority_years;
  int32_t fte_e4;
  int64_t salary_nok;
  int32_t weight_e4;
} mdt_test_employee;

static inline mdt_register *mdt_test_register_alloc(size_t n) {
  mdt_register *r = calloc(1, sizeof *r);
  r->n = n;
  r->respondent = calloc(n ? n : 1, sizeof *r->respondent);
  r->group = calloc(n ? n : 1, sizeof *r->group);
  r->seniority_years = calloc(n ? n : 1, sizeof *r->seniority_years);
  r->fte_e4 = calloc(n ? n : 1, sizeof *r->fte_e4);
  r->salary_nok = calloc(n ? n : 1, sizeof *r->salary_nok);
  r->weight_e4 = calloc(n ? n : 1, sizeof *r->weight_e4);
  r->has_weight = 1;
  return r;
}

static inline mdt_register *mdt_test_register(const mdt_test_employee *e, size_t n) {
  mdt_register *r = mdt_test_register_alloc(n);
  for (size_t i = 0; i < n; i++) {
    r->group[i] = e[i].group;
    r->seniority_years[i] = e[i].seniority_years;
    r->fte_e4[i] = e[i].fte_e4;
    r->salary_nok[i] = e[i].salary_nok;
    r->weight_e4[i] = e[i].weight_e4;
  }
  return r;
}

static inline void mdt_test_register_free(mdt_register *r) {
  if (r == NULL)
    return;
  free(r->respondent);
  free(r->group);
  free(r->seniority_years);
  free(r->fte_e4);
  free(r->salary_nok);
  free(r->weight_e4);
  free(r->path);
  free(r);
}

/* An empty step table of ngroups groups (the layout of mandat/steptable.h). */
static inline mdt_step_table *mdt_test_table(size_t ngroups) {
  mdt_step_table *t = calloc(1, sizeof *t);
  t->ngroups = ngroups;
  t->nsteps = calloc(ngroups ? ngroups : 1, sizeof *t->nsteps);
  t->years = calloc((ngroups ? ngroups : 1) * MDT_STEPS_MAX, sizeof *t->years);
  t->nok = calloc((ngroups ? ngroups : 1) * MDT_STEPS_MAX, sizeof *t->nok);
  return t;
}

/* Appends a cell to group g (the tests add steps in ascending order). */
static inline void mdt_test_table_add(mdt_step_table *t, size_t g, double years, int64_t nok) {
  size_t k = t->nsteps[g]++;
  t->years[g * MDT_STEPS_MAX + k] = years;
  t->nok[g * MDT_STEPS_MAX + k] = nok;
}

static inline void mdt_test_table_free(mdt_step_table *t) {
  if (t == NULL)
    return;
  free(t->nsteps);
  free(t->years);
  free(t->nok);
  free(t->path);
  free(t);
}

/* A fixed linear congruential generator (Knuth's MMIX constants), so that the large tests
 * draw the same register on every machine. */
static inline uint64_t mdt_test_lcg(uint64_t *state) {
  *state = *state * 6364136223846793005ULL + 1442695040888963407ULL;
  return *state >> 33;
}

/*
 * A synthetic register of n employees over ngroups groups: seniority 0..40 years in tenths,
 * FTE 0.2..1 in steps of 0.05, pay from 380 000 NOK up with the group and seniority plus
 * noise, weight 1 (a third of rows) or 1.0 to 13.0 in steps of 0.0001.
 */
static inline mdt_register *mdt_test_register_random(size_t n, size_t ngroups, uint64_t seed) {
  mdt_register *r = mdt_test_register_alloc(n);
  uint64_t s = seed;
  for (size_t i = 0; i < n; i++) {
    int32_t g = (int32_t)(mdt_test_lcg(&s) % ngroups);
    double sen = (double)(mdt_test_lcg(&s) % 401) / 10.0;
    r->group[i] = g;
    r->seniority_years[i] = sen;
    r->fte_e4[i] = (int32_t)(2000 + 500 * (mdt_test_lcg(&s) % 17));
    r->salary_nok[i] = 380000 + 21000 * g + (int64_t)(4100.0 * sen) +
                       (int64_t)(mdt_test_lcg(&s) % 90001);
    r->weight_e4[i] =
        mdt_test_lcg(&s) % 3 == 0 ? 10000 : (int32_t)(10000 + mdt_test_lcg(&s) % 120001);
  }
  return r;
}

#endif
