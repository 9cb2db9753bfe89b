/*
 * Internal to libmandat: results as jansson values, for the writers of the report layer and
 * the program. Ownership: each function returns a new reference the caller releases with
 * json_decref (NULL when out of memory).
 */
#ifndef MANDAT_REPORT_JSON_INT_H
#define MANDAT_REPORT_JSON_INT_H

#include <jansson.h>
#include <stdio.h>

#include "mandat/report.h"
#include "mandat/table.h"

/* A JSON object: counts, settings, empty strata, estimates and profiles. */
json_t *mdt__report_aggregate_json(const mdt_aggregate *agg, const mdt_report_context *ctx);
/* The settlement as a JSON object with the solution and the settings. */
json_t *mdt__report_settlement_json(const mdt_microsim_report *rep,
                                    const mdt_allocation_result *res,
                                    const mdt_settlement_context *ctx);
/* json_dumpf, but numbers never in exponent form: a real jansson would write as 5e-05 is
 * written as 0.00005 (the same 15 significant digits). Returns json_dumpf's 0 or -1. */
int mdt__report_json_dumpf(const json_t *json, FILE *fp, size_t flags);
/* Writes json to fp (keys in insertion order, 2-space indent, 15 significant digits). */
mdt_status mdt__report_write_json(FILE *fp, const json_t *json, mdt_error *err);
/* The bootstrap's draws as JSON: draws (asked for), used, dropped, first_dropped (1-based
 * draw number or null) and dropped_reason (or null). */
json_t *mdt__report_bootstrap_json(const mdt_aggregate *agg);
/* A JSON number with 15 significant digits, or null for NaN and infinities. */
json_t *mdt__report_json_number(double v);
/* The rows as a JSON array of objects keyed by column name (empty cells are null; whole
 * numbers in MDT_COL_INT columns are JSON integers). NULL when out of memory or when a text
 * cell is not valid UTF-8. */
json_t *mdt__table_json(const mdt_table *t);

#endif
