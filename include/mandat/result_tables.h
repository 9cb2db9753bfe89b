/*
 * mandat/result_tables.h: every result of a run as a table (mandat/table.h), the one form
 * that the CSV files, the JSON report and the workbook are written from.
 *
 * Ownership: each builder returns a new table the caller frees with mdt_table_free (NULL when
 * out of memory); the results passed in are borrowed. Groups with fewer than
 * MDT_REPORT_MIN_EMPLOYEES employees are suppressed in every table that breaks down by group.
 */
#ifndef MANDAT_RESULT_TABLES_H
#define MANDAT_RESULT_TABLES_H

#include "mandat/aggregate.h"
#include "mandat/allocate.h"
#include "mandat/frame.h"
#include "mandat/microsim.h"
#include "mandat/report.h"
#include "mandat/steptable.h"
#include "mandat/table.h"
#include "mandat/tradeoff.h"
#include "mandat/uncertainty.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The tidy aggregate (columns of MDT_AGGREGATE_CSV_HEADER). */
mdt_table *mdt_tables_aggregate(const mdt_aggregate *agg, const mdt_report_context *ctx);

/* The national mandate profile ("profile") and each stratum's ("profile_strata"): scope,
 * stratum, group, name, priority, ci_low, ci_high, top3_frequency. */
mdt_table *mdt_tables_profile(const mdt_aggregate *agg, const mdt_report_context *ctx);
mdt_table *mdt_tables_profile_strata(const mdt_aggregate *agg, const mdt_report_context *ctx);

/*
 * The frame decomposed, per scope ("area": every group; "covered": the groups the central
 * elements cover, when some are not): scope, component, annual_effect_pct, carryover_pct,
 * carryover_nok. Components: overheng, glidning (beside the step moves), step_moves,
 * central, local_pot, one row per named element ("named:GROUP", or "local_frame:GROUP" for
 * the elements after the first nnamed_given), annual_growth (their sum), the exact monthly
 * path's growth of the same elements (TBU's additive convention beside the compounded one,
 * as `mandat frame` computes it) and the difference, and with a frame: the frame, the room
 * for central increases (frame minus every other component: `mandat frame`'s
 * room_annual_pct) and that room dated from the central month. Every figure is the
 * wage-bill-weighted sum of the report's group rows, so a scope's annual_growth equals the
 * settlement table's growth of the same groups.
 *   rep:          the settlement's report
 *   s:            the settlement (its months and named elements)
 *   nnamed_given: named elements that are named increases; the rest are local frame rooms
 *   groups:       the groups table (ids)
 *   frame_pct:    the frame, or NaN
 */
mdt_table *mdt_tables_frame(const mdt_microsim_report *rep, const mdt_settlement *s,
                            size_t nnamed_given, const mdt_groups *groups, double frame_pct);

/* The settlement per group (columns of MDT_SETTLEMENT_CSV_HEADER). */
mdt_table *mdt_tables_settlement(const mdt_microsim_report *rep,
                                 const mdt_allocation_result *res,
                                 const mdt_settlement_context *ctx);

/* Guarantee tables before and after: group, step_years, annual_nok, new_annual_nok,
 * increase_nok. */
mdt_table *mdt_tables_guarantee(const mdt_step_table *old_table,
                                const mdt_step_table *new_table, const mdt_groups *groups);

/* Exchange rates between every pair of groups shown: from_group, to_group,
 * points_per_point, nok_per_fte_per_nok. */
mdt_table *mdt_tables_exchange(const mdt_microsim_report *rep, const mdt_groups *groups);

/* One sweep in long form: value, group, name, annual_growth_pct, rise_pct, binding (table
 * name "sweep_theta", "sweep_krone_share", "sweep_local_pot" or "sweep_central_month");
 * binding is the point's mdt_tradeoff_binding text, and a point that cannot meet the room
 * has its growth and rise blank. */
mdt_table *mdt_tables_sweep(const mdt_sweep *s, const mdt_microsim_report *point,
                            const mdt_groups *groups);
/* The sweeps' points side by side: setting, value, binding, scalar, total_growth_pct,
 * satisfaction, low_pay_ratio_pct, real_fall_share. binding names what binds ("" for
 * nothing, "all at cap", "all at floor", "all at floor or cap", "infeasible: REASON"); the
 * scalar is blank unless binding is "" (it says nothing when the bounds settle the point).
 * Add each sweep with mdt_tables_sweep_summary_add. */
mdt_table *mdt_tables_sweep_summary(void);
int mdt_tables_sweep_summary_add(mdt_table *t, const mdt_sweep *s);

/* Monte Carlo: "uncertainty" (statistic, value), "uncertainty_groups" (group, name,
 * p_real_fall, growth_q05_pct, growth_q50_pct, growth_q95_pct) and "growth_distribution"
 * (bin_low_pct, bin_high_pct, share). */
mdt_table *mdt_tables_uncertainty(const mdt_mc_result *mc, double frame_pct);
mdt_table *mdt_tables_uncertainty_groups(const mdt_mc_result *mc, const mdt_microsim_report *rep,
                                         const mdt_groups *groups);
mdt_table *mdt_tables_growth_distribution(const mdt_mc_result *mc);

/* The allocation's uncertainty from the mandate: group, name, pct, pct_low, pct_high,
 * annual_growth_pct, growth_low_pct, growth_high_pct. */
mdt_table *mdt_tables_mandate_uncertainty(const mdt_mandate_uncertainty *u,
                                          const mdt_microsim_report *rep,
                                          const mdt_groups *groups);

/* Regions: "regions" (region, respondents, status, l1_distance_pp) and
 * "region_allocations" (region, group, pct, national_pct, difference_pp). */
mdt_table *mdt_tables_regions(const mdt_region_allocations *r, const mdt_grouping *regions,
                              const mdt_aggregate *agg);
mdt_table *mdt_tables_region_allocations(const mdt_region_allocations *r,
                                         const mdt_grouping *regions,
                                         const mdt_microsim_report *rep,
                                         const mdt_groups *groups);

#ifdef __cplusplus
}
#endif

#endif
