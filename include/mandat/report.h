/*
 * mandat/report.h: writing results as tidy CSV, JSON and readable terminal tables.
 *
 * Ownership: writers take caller-owned results and streams and keep nothing.
 *
 * Numbers are rounded only here: CSV and JSON carry 15 significant digits; undefined values
 * (NaN) are empty CSV fields and JSON nulls.
 */
#ifndef MANDAT_REPORT_H
#define MANDAT_REPORT_H

#include <stdio.h>

#include "mandat/aggregate.h"
#include "mandat/allocate.h"
#include "mandat/microsim.h"
#include "mandat/error.h"
#include "mandat/groups.h"
#include "mandat/questionnaire.h"
#include "mandat/respondents.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What the tables describe, for labels and headings. */
typedef struct {
  const mdt_respondents *respondents;
  const mdt_questionnaire *questionnaire;
  const mdt_groups *groups;             /* may be NULL */
  const mdt_aggregate_options *options; /* the settings used, for the heading */
  const char *lang;                     /* the text's language: "nb" or (NULL, "en") English */
} mdt_report_context;

/* The columns of the tidy aggregate table, in order. */
#define MDT_AGGREGATE_CSV_HEADER "scope,stratum,question,option,statistic,value,ci_low,ci_high,n,n_eff"

/* One row per estimate with the columns of MDT_AGGREGATE_CSV_HEADER; with bootstrap draws a
 * last row "all,all,bootstrap,,dropped_draws,DROPPED,,,DRAWS," gives the draws dropped
 * because their weights could not be calibrated, out of the draws asked for. */
mdt_status mdt_report_aggregate_csv(FILE *fp, const mdt_aggregate *agg,
                                    const mdt_report_context *ctx, mdt_error *err);

/* A JSON document: counts, settings, empty strata, estimates and profiles (keys in a fixed
 * order, 2-space indent, 15 significant digits). */
mdt_status mdt_report_aggregate_json_write(FILE *fp, const mdt_aggregate *agg,
                                           const mdt_report_context *ctx, mdt_error *err);

/* Writes one "Note: N of B bootstrap draws dropped ..." line to fp, nothing when none was. */
void mdt_report_bootstrap_note(FILE *fp, const mdt_aggregate *agg);

/* A readable summary: heading, mandate profile, each question's main statistics and, with a
 * breakdown, the profile per stratum. */
mdt_status mdt_report_aggregate_text(FILE *fp, const mdt_aggregate *agg,
                                     const mdt_report_context *ctx, mdt_error *err);

/* Groups with fewer employees than this are suppressed in every breakdown. */
#define MDT_REPORT_MIN_EMPLOYEES 5

/* What a settlement table describes, for its heading and JSON. */
typedef struct {
  const mdt_groups *groups;
  const char *rule;           /* rule name */
  double theta;               /* priority rule */
  int solved;                 /* 1: solved on a frame; 0: applied as written */
  double frame_pct, overheng_pct, glidning_pct, price_pct; /* NaN when not given */
  double room_annual_pct;     /* NaN without a frame */
  int central_month;
  double local_pot_pct;
  int local_month;
  double payroll_overhead_pct;
  const char *binding;        /* a solved settlement's mdt_tradeoff_binding text ("" when the
                                 rule's number is free), or NULL when not known */
  const char *lang;           /* the text table's language: "nb" or (NULL, "en") English */
} mdt_settlement_context;

/* A settlement's status: "applied" (no frame: applied as written), "solved" (on the room)
 * or "infeasible" (the room or a bound could not be met; the settlement is the solver's
 * best effort). */
const char *mdt_report_settlement_status(int solved, int feasible);

/* The columns of the settlement table, in order. */
#define MDT_SETTLEMENT_CSV_HEADER                                                              \
  "group,name,chapter,covered,pct,employees,fte,wage_bill_nok,rise_nok,nok_per_fte,rise_pct,"  \
  "annual_effect_pct,area_effect_pct,carryover_pct,overheng_pct,glidning_pct,"                 \
  "annual_growth_pct,real_growth_pct,cost_nok,rise_p10_nok,rise_p50_nok,rise_p90_nok,"         \
  "suppressed"

/* One row per group and a total row; groups under MDT_REPORT_MIN_EMPLOYEES employees show
 * only their id, name and suppressed = 1. */
mdt_status mdt_report_settlement_csv(FILE *fp, const mdt_microsim_report *rep,
                                     const mdt_allocation_result *res,
                                     const mdt_settlement_context *ctx, mdt_error *err);
/* The same as a JSON document with the solution (its status, binding and scalar; the
 * scalar is null when binding says the bounds settle it) and the settings. */
mdt_status mdt_report_settlement_json_write(FILE *fp, const mdt_microsim_report *rep,
                                            const mdt_allocation_result *res,
                                            const mdt_settlement_context *ctx, mdt_error *err);
/* A readable table: heading with the frame and the solution, one line per group. */
mdt_status mdt_report_settlement_text(FILE *fp, const mdt_microsim_report *rep,
                                      const mdt_allocation_result *res,
                                      const mdt_settlement_context *ctx, mdt_error *err);

/* Writes s as one CSV field: quoted (by libcsv) only when it holds a delimiter, quote or
 * line end. */
void mdt_report_csv_field(FILE *fp, const char *s);
/* v with 15 significant digits and never in exponent form ("0.00005", not "5e-05"); "" for
 * NaN and infinities. Returns buf. */
char *mdt_report_format_number(double v, char *buf, size_t size);
/* Writes a number as a CSV field with 15 significant digits (never in exponent form); NaN as
 * an empty field. */
void mdt_report_csv_number(FILE *fp, double v);

/* Prints v right-aligned in width columns with the given decimals, or "-" when v is not a
 * number (a figure not estimated, or withheld by suppression). */
void mdt_report_text_number(FILE *fp, double v, int width, int decimals);

/* Prints s padded with spaces to width display columns (UTF-8 aware), cut with "…" when
 * longer. */
void mdt_report_pad(FILE *fp, const char *s, int width);

#ifdef __cplusplus
}
#endif

#endif
