/*
 * mandat/register.h: the employee register (KS's PAI, or a synthetic stand-in) in columns.
 *
 * Ownership: mdt_register_load and mdt_register_new return a register the caller frees with
 * mdt_register_free; the columns belong to it.
 *
 * register.csv: id, respondent, group, seniority_years, fte, annual_salary (full-time NOK per
 * year, whole kroner); optional weight (how many employees the row stands for, so that a
 * sample can represent the whole area; default 1). fte and weight take at most 4 decimals
 * and are held exactly as integers in units of 1/10 000, so that wage bills are exact sums.
 * ids are read and checked non-empty but not kept: no output lists an individual.
 */
#ifndef MANDAT_REGISTER_H
#define MANDAT_REGISTER_H

#include <stddef.h>
#include <stdint.h>

#include "mandat/error.h"
#include "mandat/groups.h"
#include "mandat/respondents.h"
#include "mandat/steptable.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MDT_FIX4_ONE 10000 /* 1.0 in the units of fte_e4 and weight_e4 */

typedef struct mdt_register {
  size_t n;                /* rows */
  int32_t *respondent;     /* member row in the respondents table */
  int32_t *group;          /* row in the groups table */
  double *seniority_years; /* >= 0 */
  int32_t *fte_e4;         /* full-time equivalent x 10 000, in (0, 10 000] */
  int64_t *salary_nok;     /* annual full-time salary, whole NOK, > 0 */
  int32_t *weight_e4;      /* employees the row stands for x 10 000, > 0 */
  int has_weight;          /* the file had a weight column */
  char *path;
} mdt_register;

/*
 * Loads path against respondents and groups. Errors (MDT_EDATA with file:line:column):
 * unknown respondent or group, an empty id, seniority below 0, fte not in (0, 1], salary
 * not a whole positive number, weight not above 0, an empty file.
 */
mdt_status mdt_register_load(const char *path, const mdt_respondents *respondents,
                             const mdt_groups *groups, mdt_register **out, mdt_error *err);

/* As mdt_register_load, tokenising with threads threads (the same result for any). */
mdt_status mdt_register_load_threads(const char *path, const mdt_respondents *respondents,
                                     const mdt_groups *groups, int threads, mdt_register **out,
                                     mdt_error *err);

/* A register of n rows with every column allocated (zeroed), to fill in memory. */
mdt_status mdt_register_new(size_t n, mdt_register **out, mdt_error *err);
void mdt_register_free(mdt_register *reg);

#ifdef __cplusplus
}
#endif

#endif
