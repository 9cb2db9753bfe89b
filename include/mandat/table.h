/*
 * mandat/table.h: a result as a table of typed cells, written the same way to a tidy CSV,
 * JSON and a workbook sheet.
 *
 * Ownership: mdt_table_new returns a table the caller frees with mdt_table_free; the table
 * copies every string it is given. mdt_table_set_* never fail once the row exists (cells
 * are preallocated by mdt_table_add_row).
 */
#ifndef MANDAT_TABLE_H
#define MANDAT_TABLE_H

#include <stddef.h>
#include <stdio.h>

#include "mandat/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* How a column is shown: it decides the number format in a workbook, never the value. */
typedef enum {
  MDT_COL_TEXT,    /* labels */
  MDT_COL_INT,     /* counts: 0 decimals */
  MDT_COL_NUMBER,  /* general numbers: 3 decimals */
  MDT_COL_PCT,     /* percent or percentage points, stored as such (2.5 = 2.5 %): 2 decimals */
  MDT_COL_SHARE,   /* a share in [0, 1]: shown as a percentage */
  MDT_COL_NOK      /* kroner: 0 decimals with thousands separators */
} mdt_col_kind;

typedef struct {
  int kind;        /* 0 empty, 1 number, 2 text */
  double num;
  char *text;
} mdt_cell;

typedef struct mdt_table {
  char *name;        /* file and sheet name, e.g. "sweep_theta" (ASCII, at most 31 chars) */
  char *title;       /* a sentence for the sheet's heading */
  size_t ncols;
  char **cols;       /* column names (ASCII snake_case, used in CSV and JSON) */
  mdt_col_kind *kinds;
  size_t nrows, cap;
  mdt_cell *cells;   /* row-major nrows x ncols */
} mdt_table;

/* A table with ncols columns named names[k] shown as kinds[k]. */
mdt_status mdt_table_new(const char *name, const char *title, size_t ncols,
                         const char *const *names, const mdt_col_kind *kinds, mdt_table **out,
                         mdt_error *err);
void mdt_table_free(mdt_table *t);

/* Appends an empty row; returns its index, or -1 when out of memory. */
long mdt_table_add_row(mdt_table *t);
/* Sets a cell: a number (NaN and infinities make it empty) or a text (NULL makes it empty;
 * returns -1 when out of memory). */
void mdt_table_set_num(mdt_table *t, size_t row, size_t col, double v);
int mdt_table_set_text(mdt_table *t, size_t row, size_t col, const char *s);
/* Column index by name, or -1. */
long mdt_table_col(const mdt_table *t, const char *name);
static inline const mdt_cell *mdt_table_cell(const mdt_table *t, size_t row, size_t col) {
  return &t->cells[row * t->ncols + col];
}

/* Writes the table as CSV: header of column names, numbers with 15 significant digits (never
 * in exponent form), empty cells empty, text quoted only when needed. */
mdt_status mdt_table_write_csv(const mdt_table *t, FILE *fp, mdt_error *err);

/* The CSV dialects mandat writes. */
typedef enum {
  MDT_CSV_TIDY = 0,  /* for machines: `,` and `.`, column names, ids, full precision */
  MDT_CSV_EXCEL_NB   /* for Norwegian Excel: UTF-8 with a byte-order mark, `;`, decimal
                        comma, labels for column names and row labels, group names for group
                        ids, and fixed decimals by column kind (percent 3, kroner and counts 0,
                        shares 4, other numbers 3) */
} mdt_csv_dialect;

/* How mdt_table_write_csv_as writes. */
typedef struct mdt_csv_options {
  mdt_csv_dialect dialect;
  const char *lang;               /* labels: "en" or "nb" (MDT_CSV_EXCEL_NB only) */
  size_t ngroups;                 /* group ids and names shown instead of them in columns */
  const char *const *group_ids;   /* group, from_group and to_group (MDT_CSV_EXCEL_NB only); */
  const char *const *group_names; /* may be NULL */
} mdt_csv_options;

/* "tidy" or "excel-nb" into *out; -1 (out untouched) for anything else. */
int mdt_csv_dialect_parse(const char *name, mdt_csv_dialect *out);

/* Writes the table as CSV in opt's dialect (NULL: tidy, as mdt_table_write_csv). */
mdt_status mdt_table_write_csv_as(const mdt_table *t, FILE *fp, const mdt_csv_options *opt,
                                  mdt_error *err);

/* Writes the rows as a JSON array of objects keyed by column name (empty cells are null;
 * whole numbers in MDT_COL_INT columns are JSON integers). */
mdt_status mdt_table_write_json(const mdt_table *t, FILE *fp, mdt_error *err);

#ifdef __cplusplus
}
#endif

#endif
