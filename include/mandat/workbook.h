/*
 * mandat/workbook.h: an Excel workbook (libxlsxwriter) with one sheet per result table,
 * formatted numbers and native charts, in English or Norwegian (bokmål).
 *
 * Ownership: the caller keeps the tables and chart specs; the writer keeps nothing.
 *
 * A table with a text column named "binding" has the rows where it is not empty (sweep
 * points that cannot be met or that the bounds alone settle) in grey italics.
 *
 * Printing: every sheet prints landscape on A4, one page wide (as tall as it needs), its
 * title, blank row and column labels repeated at the top of each page, the sheet's name and
 * the page number in the footer. Charts sit below their table, each whole on one page: a
 * chart that does not fit below the table on the table's last page starts a new page (a
 * manual page break before it), and is sized to fit a page at the scale the sheet prints.
 * A summary sheet, when given, comes first and prints on exactly one page.
 */
#ifndef MANDAT_WORKBOOK_H
#define MANDAT_WORKBOOK_H

#include <stddef.h>

#include "mandat/error.h"
#include "mandat/table.h"

#ifdef __cplusplus
extern "C" {
#endif

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
                                column, taking y_cols[0] as the value: on a line, column or
                                bar chart the rows must be grouped by that column (one block
                                per series, each over the same categories); on a stacked
                                column chart they may come in any order, at most one row per
                                category and series, and are gathered into hidden helper
                                columns (categories: the distinct values of x_col, in the
                                order they first appear) */
  const char *err_low_col;   /* optional: error bars from these columns (lower and upper */
  const char *err_high_col;  /* ends of an interval around y_cols[0]) */
  const char *x_title, *y_title;
  const char *const *exclude; /* NULL, or a NULL-terminated list of values of series_by_col
                                 whose rows a stacked chart leaves out (totals beside the
                                 parts they add up) */
} mdt_chart_spec;

/* A first sheet of text: what the program printed on the terminal (mdt_output_summary_lines
 * in mandat/output.h), one line per row in a fixed-width font so that its tables stay
 * aligned, printed on one page. */
typedef struct {
  const char *sheet;         /* the sheet's name, e.g. "Summary" or "Sammendrag" */
  const char *title;         /* the heading in row 1 (NULL: the sheet's name) */
  size_t nlines;
  const char *const *lines;  /* UTF-8, without line breaks */
} mdt_workbook_summary;

/* The creation time written into every workbook's document properties (and, by
 * libxlsxwriter, its zip entries): 2024-01-01T00:00:00Z, in seconds since the epoch. */
#define MDT_WORKBOOK_CREATED 1704067200

/*
 * Writes path (replacing it): one sheet per table in order (title in row 1, column labels in
 * row 3, data below, numbers formatted by column kind, columns sized to fit), then the charts.
 * lang is "en" or "nb" (NULL is "en"): column labels and titles come from a built-in
 * dictionary of every column and table name mandat writes (unknown names are shown as they
 * are). A table's title is looked up too; in "nb", a title the dictionary does not know gives
 * way to the label of the table's name. The document's creation time is MDT_WORKBOOK_CREATED,
 * so the same tables give the same workbook, byte for byte.
 *
 * Charts go below their table, one below the other, in the order given (see Printing
 * above); a chart of a table without rows is left out. Every category is labelled. Series
 * are named by their header cells (or, with series_by_col, by the first cell of their rows).
 * Intervals (err_low_col, err_high_col) are drawn without custom error bars, which
 * libxlsxwriter 1.1.4 lacks: on a line chart as two more series (joined by high-low lines
 * when there is one value series, dashed in the series' colour when there are several); on a
 * column or bar chart, which must then have one value series, as a stacked chart over five
 * hidden helper columns beside the table whose percentage error bars draw the whiskers (see
 * src/report/workbook.c).
 *
 * Numbers are shown by column kind (mandat/table.h); in a column of general numbers
 * (MDT_COL_NUMBER) whole numbers are shown without decimals when the column has no others,
 * or when they are 1 000 or more: counts, such as 20 000 draws in a table of statistics,
 * not 20000.000.
 *
 * Errors, all found before anything is written: MDT_EUSAGE (a chart names a missing table or
 * column, has no value column or more than 64 series, groups series by a column whose rows are
 * not grouped, or, on a stacked chart, has two rows for one category and series; has only one
 * end of an interval, or asks for an interval on a stacked chart or on a column or bar chart
 * with several series; two tables share a name; lang is unknown).
 * They leave path untouched. Then MDT_ECANTWRITE (cannot write path; libxlsxwriter's own
 * errors, such as a text over Excel's 32767 characters, carry its message) and MDT_ENOMEM,
 * which leave no file at path.
 */
mdt_status mdt_workbook_write(const char *path, const mdt_table *const *tables, size_t ntables,
                              const mdt_chart_spec *charts, size_t ncharts, const char *lang,
                              mdt_error *err);

/*
 * As mdt_workbook_write, with summary (may be NULL) as the first sheet. Errors as
 * mdt_workbook_write, and MDT_EUSAGE when the summary's sheet name is not a valid one or is
 * a table's, or it has lines but no array of them.
 */
mdt_status mdt_workbook_write_with_summary(const char *path, const mdt_workbook_summary *summary,
                                           const mdt_table *const *tables, size_t ntables,
                                           const mdt_chart_spec *charts, size_t ncharts,
                                           const char *lang, mdt_error *err);

/* The label of key (a column or table name) in lang ("en"/"nb"), or key itself. */
const char *mdt_label(const char *key, const char *lang);
/* As mdt_label, but NULL when key is not in the dictionary (or is NULL), so that a caller can
 * tell a translated label from a name shown as it is. Any lang other than "nb" gives English. */
const char *mdt_label_find(const char *key, const char *lang);

#ifdef __cplusplus
}
#endif

#endif
