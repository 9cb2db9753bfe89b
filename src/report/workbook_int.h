/*
 * Internal to the workbook (workbook.c, workbook_chart.c): the sheet layout's constants, a
 * chart resolved against its table, and the functions the two share.
 * Ownership: a chart_plan owns its run_start, run_len, cat_row, ser_row and cell arrays.
 */
#ifndef MANDAT_REPORT_WORKBOOK_INT_H
#define MANDAT_REPORT_WORKBOOK_INT_H

#include <xlsxwriter.h>

#include "mandat/workbook.h"


/* Sheet layout, 0-based rows: the title, a blank row, the column labels, the data. */
#define TITLE_ROW 0
#define HEADER_ROW 2
#define DATA_ROW 3

/* Charts are at least CHART_MIN_PX wide (as wide as their table when it is wider), their
 * height CHART_ASPECT of their width unless a printed page needs them lower; libxlsxwriter
 * sizes them as scales of its default 480 x 288 pixels. */
#define CHART_MIN_PX 800.0
#define CHART_ASPECT 0.6
#define CHART_MIN_ASPECT 0.35 /* lower only to share the table's page, not below this */
#define LXW_CHART_W 480.0
#define LXW_CHART_H 288.0

/* Printing: A4 landscape, margins in inches (the header and footer sit inside the top and
 * bottom margins). Sizes are reckoned in Excel's pixels, 96 to the inch, on rows of the
 * default 15 points (20 pixels); the title row is set to TITLE_POINTS. */
#define PAPER_A4 9
#define PAPER_W_IN 11.69
#define PAPER_H_IN 8.27
#define MARGIN_SIDE_IN 0.4
#define MARGIN_TOP_IN 0.75
#define MARGIN_BOTTOM_IN 0.75
#define MARGIN_HF_IN 0.3
#define PX_PER_IN 96.0
#define ROW_PX 20.0
#define TITLE_POINTS 18.0
#define POINTS_PER_PX 0.75
#define MAX_PAGE_BREAKS 1023 /* Excel's limit per sheet */

/* Column widths in Excel's character units. A label longer than its column's data wraps onto
 * about two lines rather than widen the column, but no column is narrower than
 * HEADER_WRAP_MIN for it. */
#define WIDTH_MIN 6.0
#define WIDTH_MAX 60.0
#define WIDTH_PADDING 2.0
#define HEADER_WRAP_MIN 12.0
#define HEADER_LINE_POINTS 15.0
#define BOLD_WIDTH 1.1 /* a bold character is about this much wider */

/* Helper columns behind one column or bar chart with intervals. */
#define INTERVAL_HELPERS 5

/* Value series in one chart; more would not be readable (Excel's own limit is 255). */
#define MAX_SERIES 64

/* Office's default series colours, for charts whose series must share colours. */
static const lxw_color_t palette[] = {0x4F81BD, 0xC0504D, 0x9BBB59, 0x8064A2, 0x4BACC6, 0xF79646};
#define PALETTE_SIZE (sizeof palette / sizeof palette[0])
#define WHISKER_COLOR 0x404040

/* A chart spec resolved against its table. */
typedef struct {
  const mdt_chart_spec *spec;
  size_t table;
  size_t x;
  size_t y[MAX_SERIES]; /* the value columns (nseries of them) */
  long by, lo, hi;   /* column indices or -1 */
  size_t nvalue;     /* value series: nseries, or the runs of `by` */
  size_t *run_start; /* with by: first row of each run */
  size_t *run_len;
  lxw_col_t helper_col; /* first helper column (column and bar charts with intervals, and
                           stacked charts gathered from long rows) */
  /* A stacked chart gathered from long rows (pivot): ncat categories (the first row of each,
   * in the table) by nvalue series (the first row of each); cell[c * nvalue + v] is the row
   * of category c and series v, or -1. */
  int pivot;
  size_t ncat;
  size_t *cat_row, *ser_row;
  long *cell;
  /* Where it goes (fill_and_close): top row, size in pixels. */
  lxw_row_t row;
  double width_px, height_px;
} chart_plan;

/* What the print layout needs to know of a written sheet. */
typedef struct {
  double width_px;  /* the table's visible columns */
  double header_px; /* the column labels' row */
} sheet_size;

/* marked: the same formats in grey italics, for the rows of a table whose "binding" column
 * is not empty (sweep points the bounds settle or that cannot be met). */
typedef struct {
  lxw_format *title, *header, *kind[MDT_COL_NOK + 1], *marked[MDT_COL_NOK + 1], *mono;
} formats;
#define MARKED_COLOR 0x808080


int mdt__wb_cells_equal(const mdt_cell *a, const mdt_cell *b);
const char *mdt__wb_sheet_name(const mdt_table *t, const char *lang);
const char *mdt__wb_title_text(const mdt_table *t, const char *lang);
mdt_status mdt__wb_plan_chart(const mdt_table *const *tables, size_t ntables,
                             const mdt_chart_spec *s, size_t ci, chart_plan *p,
                             mdt_error *err);
lxw_error mdt__wb_add_chart(lxw_workbook *wb, lxw_worksheet *ws, const mdt_table *t,
                           const chart_plan *p, const char *lang);

#endif
