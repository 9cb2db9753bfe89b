/*
 * mandat/suppress.h: small-cell suppression of a settlement's per-group results, so that no
 * published number describes fewer than a threshold of employees, directly or by
 * subtraction.
 *
 * Ownership: mdt_suppression_plan fills a caller-owned plan whose arrays the caller releases
 * with mdt_suppression_free; mdt_suppression_apply changes the caller's report in place.
 *
 * A group is suppressed when fewer than `threshold` rows of the register (distinct
 * employees, whatever their weights) back it: a row with weight 10 is still one person,
 * whose rise would be every percentile of the group. Suppression is complementary: the
 * published sums over groups (the total row; the frame's local pot and central elements,
 * over the covered groups; its named increases, over the named groups) give, by
 * differences, the sum over each class of groups alike in being covered and named. So as
 * long as a small group's class hides fewer than the threshold of rows beside it (another
 * small group does not count: its members know their own pay), the smallest other group of
 * the class is suppressed too; when the class has none left, the margins are withheld (the
 * total's sums, each group's share of the area's effect, and the frame's central, local and
 * named effects). Applied to the report before any table, CSV, JSON, workbook or terminal
 * line is made from it, a suppressed group's row is blank in all of them.
 */
#ifndef MANDAT_SUPPRESS_H
#define MANDAT_SUPPRESS_H

#include <stddef.h>

#include "mandat/error.h"
#include "mandat/microsim.h"
#include "mandat/register.h"

/* The default threshold: groups backed by fewer register rows are suppressed. */
#define MDT_SUPPRESS_BELOW_ROWS 5

typedef struct {
  size_t ngroups;           /* the report's groups */
  size_t threshold;        /* register rows; 0 or 1 suppresses nothing */
  size_t *rows;            /* register rows per group */
  unsigned char *primary;  /* 1: fewer than threshold rows (and at least one) */
  unsigned char *hidden;   /* 1: not published (primary, or suppressed to protect one) */
  size_t nhidden;
  int withhold_total;      /* 1: the margins are withheld too */
} mdt_suppression;

/* Plans the suppression of rep's groups (their covered and named flags give the classes)
 * from the rows of reg (reg->group[i] < rep->ngroups). */
mdt_status mdt_suppression_plan(const mdt_register *reg, const mdt_microsim_report *rep,
                                size_t threshold, mdt_suppression *plan, mdt_error *err);
void mdt_suppression_free(mdt_suppression *plan);

/* Blanks the rows of hidden groups in rep (every number NaN, employees 0, so that every
 * writer shows them as suppressed) and, with withhold_total, the total's sums, the groups'
 * area_effect_pct and, when effect is not NULL, its central, local and named parts (the
 * frame's rows). rep->ngroups must be plan->ngroups. */
mdt_status mdt_suppression_apply(const mdt_suppression *plan, mdt_microsim_report *rep,
                                 mdt_microsim_effect *effect, mdt_error *err);

#endif
