/*
 * mandat/groups.h: the employee groups (stillingsgrupper) settlements speak about.
 *
 * Ownership: mdt_groups_load returns a table the caller frees with mdt_groups_free.
 *
 * groups.csv: id, name, chapter (required: "4", "3.4", "5" ...); optional headcount, fte,
 * mean_salary (used when no register is given), overheng_pct and glidning_pct (the group's
 * own carry-over and drift; NaN when absent, meaning "use the area's").
 */
#ifndef MANDAT_GROUPS_H
#define MANDAT_GROUPS_H

#include <stddef.h>

#include "mandat/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mdt_groups {
  size_t n;
  char **id;
  char **name;
  char **chapter;
  double *headcount;       /* NaN where not given */
  double *fte;             /* NaN where not given */
  double *mean_salary_nok; /* NaN where not given */
  double *overheng_pct;    /* NaN where not given */
  double *glidning_pct;    /* NaN where not given */
  long *line;
  char *path;
  void *index;             /* internal: id -> row */
} mdt_groups;

mdt_status mdt_groups_load(const char *path, mdt_groups **out, mdt_error *err);
void mdt_groups_free(mdt_groups *g);
/* Row of the group with the given id, or -1. */
long mdt_groups_find(const mdt_groups *g, const char *id);

#ifdef __cplusplus
}
#endif

#endif
