/*
 * mandat/workbook.h: an Excel workbook (libxlsxwriter) with one sheet per result table,
 * formatted numbers and native charts, in English or Norwegian (bokmål).
 *
 * Ownership: the caller keeps the tables and chart specs; the writer keeps nothing.
 */
#ifndef MANDAT_WORKBOOK_H
#define MANDAT_WORKBOOK_H

#include <stddef.h>

#include "mandat/error.h"
#include "mandat/table.h"

typedef enum {
  MDT_CHART_LINE,            /* one line per series over the categories */
  MDT_CHART_COLUMN,          /* clustered columns */
  MDT_CHART_COLUMN_STACKED,  /* stacked columns (e.g. a frame decomposition) */
  MDT_CHART_BAR              /* horizontal bars (e.g. a profile with intervals) */
} mdt_chart_type;

/* A chart on the sheet of one table. */
typedef struct {
  const char *table;         /* the table (by name) whose sheet holds data and chart */
  mdt_chart_type type;
  const char *title;         /* a label key or English text (translated with lang "nb") */
  const char *x_col;         /* the categories column */
  size_t nseries;
  const char *const *y_cols; /* one series per value column ... */
  const char *series_by_col; /* ... or, if not NULL, one series per distinct value of this
                                column, taking y_cols[0] as the value (long data whose rows
                                are grouped by that column) */
  const char *err_low_col;   /* optional: error bars from these columns (lower and upper */
  const char *err_high_col;  /* ends of an interval around y_cols[0]) */
  const char *x_title, *y_title;
} mdt_chart_spec;

/*
 * Writes path (replacing it): one sheet per table in order (title in row 1, column labels in
 * row 3, data below, numbers formatted by column kind, columns sized to fit), then the charts.
 * lang is "en" or "nb": column labels and titles come from a built-in dictionary of every
 * column and table name mandat writes (unknown names are shown as they are). The document's
 * creation time is fixed so that the same tables give the same workbook contents.
 * Errors: MDT_ECANTWRITE (cannot write path), MDT_EUSAGE (a chart names a missing table or
 * column).
 */
mdt_status mdt_workbook_write(const char *path, const mdt_table *const *tables, size_t ntables,
                              const mdt_chart_spec *charts, size_t ncharts, const char *lang,
                              mdt_error *err);

/* The label of key (a column or table name) in lang ("en"/"nb"), or key itself. */
const char *mdt_label(const char *key, const char *lang);
/* As mdt_label, but NULL when key is not in the dictionary (or is NULL), so that a caller can
 * tell a translated label from a name shown as it is. Any lang other than "nb" gives English. */
const char *mdt_label_find(const char *key, const char *lang);

#endif
