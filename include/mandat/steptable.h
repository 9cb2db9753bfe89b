/*
 * mandat/steptable.h: tables of whole-krone amounts per (employee group, seniority step):
 * guarantee pay (garantilønn) and kroner increase tables such as the 2023 settlement's.
 *
 * Ownership: mdt_step_table_load and mdt_step_table_new return a table the caller frees
 * with mdt_step_table_free.
 *
 * CSV: group, step_years, annual_nok (one row per cell). Steps may differ by group (KS
 * merged steps in 2023: g1 has 0/2/4/6/8/10/16 years, g2-g8 0/6/8/10/16); a group may have
 * no rows (no guarantee, e.g. leaders). An employee's step is the highest step not above
 * their seniority.
 */
#ifndef MANDAT_STEPTABLE_H
#define MANDAT_STEPTABLE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "mandat/error.h"
#include "mandat/groups.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Most steps one group may have. */
#define MDT_STEPS_MAX 16

typedef struct mdt_step_table {
  size_t ngroups;        /* as in the groups table */
  size_t *nsteps;        /* per group, 0 when the group has no rows */
  double *years;         /* [g * MDT_STEPS_MAX + k]: step k of group g in years, ascending */
  int64_t *nok;          /* [g * MDT_STEPS_MAX + k]: amount, whole NOK per year (full time) */
  char *path;            /* the file read, or NULL for a table built in memory */
} mdt_step_table;

/*
 * Loads path against groups. Errors (MDT_EDATA, with file:line:column): unknown group,
 * a step twice for one group, a negative or non-whole step or amount, more than
 * MDT_STEPS_MAX steps in a group, a group whose steps do not start at 0, an empty file.
 */
mdt_status mdt_step_table_load(const char *path, const mdt_groups *groups,
                               mdt_step_table **out, mdt_error *err);

/* An empty table for ngroups groups (every group without steps), to fill in memory. */
mdt_status mdt_step_table_new(size_t ngroups, mdt_step_table **out, mdt_error *err);

/* Adds a cell (keeping the group's steps ascending); MDT_EDATA when the step exists or the
 * group is full. */
mdt_status mdt_step_table_set(mdt_step_table *t, size_t group, double years, int64_t nok,
                              mdt_error *err);

void mdt_step_table_free(mdt_step_table *t);

/* Step index for seniority_years in group g: the highest step not above it; -1 when the
 * group has no steps. (Every loaded group starts at step 0, so seniority >= 0 finds one.) */
long mdt_step_table_step(const mdt_step_table *t, size_t g, double seniority_years);

/* Amount at step k of group g. */
static inline int64_t mdt_step_table_nok(const mdt_step_table *t, size_t g, size_t k) {
  return t->nok[g * MDT_STEPS_MAX + k];
}

/* Writes the table as CSV (group,step_years,annual_nok) with the groups' ids. */
mdt_status mdt_step_table_write_csv(const mdt_step_table *t, const mdt_groups *groups,
                                    FILE *fp, mdt_error *err);

#ifdef __cplusplus
}
#endif

#endif
