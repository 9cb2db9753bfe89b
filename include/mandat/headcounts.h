/*
 * mandat/headcounts.h: how many employees of each group each member has.
 *
 * Ownership: mdt_headcounts_load returns a matrix the caller frees with
 * mdt_headcounts_free.
 *
 * headcounts.csv: respondent, group, headcount; one row per (member, group) with a
 * headcount above zero; pairs not listed count as 0. Used to weight a member's answers
 * about group g by its headcount in g ("by_group" weighting).
 */
#ifndef MANDAT_HEADCOUNTS_H
#define MANDAT_HEADCOUNTS_H

#include <stddef.h>

#include "mandat/error.h"
#include "mandat/groups.h"
#include "mandat/respondents.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mdt_headcounts {
  size_t nrespondents;
  size_t ngroups;
  double *count;   /* nrespondents x ngroups, row-major: count[r * ngroups + g] */
  unsigned char *listed; /* per member: 1 when headcounts.csv has a row for it */
  char *path;      /* the file read */
  long end_line;   /* the line after its last row (where a missing member's rows would go) */
} mdt_headcounts;

mdt_status mdt_headcounts_load(const char *path, const mdt_respondents *r,
                               const mdt_groups *g, mdt_headcounts **out, mdt_error *err);
void mdt_headcounts_free(mdt_headcounts *h);

#ifdef __cplusplus
}
#endif

#endif
