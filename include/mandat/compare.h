/*
 * mandat/compare.h: alternatives side by side. Two or more settlements (the agreed one and a
 * priority-rule proposal, this year's mandate and last year's) as computed results or as
 * finished result folders, compared group by group with the difference of each from the
 * first (the baseline).
 *
 * Ownership: mdt_compare_new returns a comparison the caller frees with mdt_compare_free; it
 * copies what it needs from each result or folder, so they may go once added. Its tables
 * belong to it.
 *
 * Tables (column names use each alternative's name, made ASCII snake_case and unique):
 *   compare_groups      per group and in total, for each measure (pct, annual_effect_pct,
 *                       annual_growth_pct, real_growth_pct, cost_nok, carryover_pct,
 *                       carryover_nok): the value of every alternative and each one's
 *                       difference from the first (columns NAME_minus_FIRST)
 *   compare_growth      each group's annual growth per alternative (for the chart)
 *   compare_guarantee   the new guarantee pay at each step per alternative, with differences
 *   compare_indicators  the settlements' key figures (the indicators table of a run: area
 *                       growth, cost, carry-over, the mandate's satisfaction, the low-pay
 *                       ratio, the share with a real wage fall, P(growth > frame)), with
 *                       differences
 *   compare_settings    every resolved setting whose value differs between the alternatives
 * A difference is the alternative's value minus the first's, computed from the two values in
 * the table. Of a two-year result or folder the first year is compared.
 */
#ifndef MANDAT_COMPARE_H
#define MANDAT_COMPARE_H

#include <stddef.h>
#include <stdio.h>

#include "mandat/error.h"
#include "mandat/run.h"
#include "mandat/table.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mdt_comparison mdt_comparison;

/* An empty comparison. */
mdt_status mdt_compare_new(mdt_comparison **out, mdt_error *err);
void mdt_compare_free(mdt_comparison *c);

/*
 * Adds a computed result as the next alternative.
 *   name: what to call it (e.g. the scenario file's name); made snake_case for columns
 *   r:    the result (read during the call only)
 */
mdt_status mdt_compare_add_result(mdt_comparison *c, const char *name, const mdt_result *r,
                                  mdt_error *err);

/*
 * Adds a finished result folder (what `mandat run` wrote) as the next alternative: its
 * settlement.csv, guarantee.csv, indicators.csv and manifest.json's settings are read (a
 * two-year folder: its first year's subfolder). Errors: MDT_ENOINPUT (a file missing),
 * MDT_EDATA (a file that is not what mandat writes, with file:line).
 */
mdt_status mdt_compare_add_folder(mdt_comparison *c, const char *name, const char *dir,
                                  mdt_error *err);

/* Builds the tables; at least two alternatives with the same groups (else MDT_EDATA). */
mdt_status mdt_compare_finish(mdt_comparison *c, mdt_error *err);

size_t mdt_compare_ntables(const mdt_comparison *c);
const mdt_table *mdt_compare_table(const mdt_comparison *c, size_t k);
const mdt_table *mdt_compare_find(const mdt_comparison *c, const char *name);
size_t mdt_compare_nalternatives(const mdt_comparison *c);
const char *mdt_compare_name(const mdt_comparison *c, size_t k);

#ifdef __cplusplus
}
#endif

#endif
