/*
 * The Excel workbook: one sheet per result table, numbers formatted by column kind, and native
 * charts (libxlsxwriter 1.1.4).
 *
 * Intervals. libxlsxwriter 1.1.4 writes only standard-error, fixed, percentage and
 * standard-deviation error bars (custom per-point ranges are its open issue #136), and cannot
 * combine two chart types in one chart. So intervals are drawn with what it has:
 *  - line charts: the lower and upper ends are two more series of the same chart. With one
 *    value series they are invisible, and the chart's high-low lines join them, which draws a
 *    whisker from the lower to the upper end at every category.
 *    With several value series high-low lines would join different series, so each series'
 *    ends are drawn as thin dashed lines in its own colour (a band) instead.
 *  - column and bar charts (one value series): the chart becomes a stacked one over five
 *    hidden helper columns written beside the table. The visible bar from 0 to the estimate is
 *    three segments of one colour; an error bar of 100 % in both directions on a segment of
 *    value v ending at c covers [c - v, c + v], so a segment ending halfway along a piece of
 *    the interval draws exactly that piece. Excel stacks positive and negative values apart,
 *    so the pieces are split at zero (see interval_pieces). Error bars of "both" directions
 *    are symmetric, so the result does not depend on how a spreadsheet signs the percentage
 *    of a negative value.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
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

static const char *number_formats[MDT_COL_NOK + 1] = {
    [MDT_COL_TEXT] = NULL,    [MDT_COL_INT] = "#,##0", [MDT_COL_NUMBER] = "0.000",
    [MDT_COL_PCT] = "0.00",   [MDT_COL_SHARE] = "0.0%", [MDT_COL_NOK] = "#,##0",
};

/* The value axis shows fewer decimals than the cells. */
static const char *axis_formats[MDT_COL_NOK + 1] = {
    [MDT_COL_TEXT] = NULL,  [MDT_COL_INT] = "#,##0", [MDT_COL_NUMBER] = NULL,
    [MDT_COL_PCT] = "0.0",  [MDT_COL_SHARE] = "0%",  [MDT_COL_NOK] = "#,##0",
};

/* ---- text ---- */

static const char *title_text(const mdt_table *t, const char *lang) {
  if (t->title == NULL || t->title[0] == '\0')
    return mdt_label(t->name, lang);
  const char *s = mdt_label_find(t->title, lang);
  if (s != NULL)
    return s;
  /* An English sentence cannot be translated; the table's own Norwegian name can. */
  if (strcmp(lang, "nb") == 0 && (s = mdt_label_find(t->name, lang)) != NULL)
    return s;
  return t->title;
}

/* Display columns of the first n bytes of a UTF-8 string: one per character except
 * combining marks. */
static double text_width_n(const char *s, size_t n) {
  const unsigned char *p = (const unsigned char *)s;
  double w = 0;
  for (size_t i = 0; i < n && p[i]; i++) {
    if ((p[i] & 0xC0) == 0x80)
      continue;
    if (p[i] == 0xCC || (p[i] == 0xCD && i + 1 < n && p[i + 1] < 0xB0))
      continue; /* U+0300..U+036F */
    w += 1;
  }
  return w;
}

static double text_width(const char *s) { return text_width_n(s, strlen(s)); }

/* Lines a bold label takes when Excel wraps it at spaces to avail columns. */
static double wrapped_lines(const char *s, double avail) {
  double lines = 1, used = 0;
  while (*s) {
    size_t n = strcspn(s, " ");
    double w = text_width_n(s, n) * BOLD_WIDTH;
    if (used > 0 && used + 1 + w > avail) {
      lines++;
      used = 0;
    }
    if (w > avail) { /* a word longer than the column is broken inside */
      lines += ceil(w / avail) - 1;
      w = fmod(w, avail);
    }
    used += (used > 0) + w;
    s += n;
    while (*s == ' ')
      s++;
  }
  return lines;
}

static int is_whole(double v) { return v == floor(v) && fabs(v) < 1e15; }

/* Whole numbers of 1 000 or more among general numbers are counts (20 000 draws in a table of
 * statistics), and so are all the numbers of a column that has no other kind. */
#define COUNT_MIN 1000.0

/* The kind a number is shown as; whole: its column holds whole numbers only. */
static mdt_col_kind shown_kind(mdt_col_kind kind, double v, int whole) {
  if (kind == MDT_COL_NUMBER && is_whole(v) && (whole || fabs(v) >= COUNT_MIN))
    return MDT_COL_INT;
  return kind;
}

/* Whether every number of column k is whole. */
static int column_whole(const mdt_table *t, size_t k) {
  for (size_t i = 0; i < t->nrows; i++) {
    const mdt_cell *c = mdt_table_cell(t, i, k);
    if (c->kind == 1 && isfinite(c->num) && !is_whole(c->num))
      return 0;
  }
  return 1;
}

/* Width of a number as its column's format shows it. */
static double number_width(mdt_col_kind kind, double v, int whole) {
  kind = shown_kind(kind, v, whole);
  char buf[64];
  int n;
  switch (kind) {
  case MDT_COL_INT:
  case MDT_COL_NOK:
    n = snprintf(buf, sizeof buf, "%.0f", fabs(v));
    return n + (n - 1) / 3 + (v < 0);
  case MDT_COL_NUMBER:
    return snprintf(buf, sizeof buf, "%.3f", v);
  case MDT_COL_PCT:
    return snprintf(buf, sizeof buf, "%.2f", v);
  case MDT_COL_SHARE:
    return snprintf(buf, sizeof buf, "%.1f%%", v * 100.0);
  case MDT_COL_TEXT:
  default:
    return snprintf(buf, sizeof buf, "%.10g", v);
  }
}

/* ---- validation ---- */

static int valid_sheet_name(const char *s) {
  size_t n = strlen(s);
  if (n == 0 || n > LXW_SHEETNAME_MAX || s[0] == '\'' || s[n - 1] == '\'')
    return 0;
  return strpbrk(s, "[]:*?/\\") == NULL;
}

/* A table's sheet name: in Norwegian the catalogue's "sheet_NAME" (at most 31 characters, none
 * of Excel's forbidden ones), else the table's own name. */
static const char *sheet_name(const mdt_table *t, const char *lang) {
  char key[80];
  snprintf(key, sizeof key, "sheet_%s", t->name);
  const char *s = lang != NULL && strcmp(lang, "nb") == 0 ? mdt_label_find(key, lang) : NULL;
  return s != NULL && valid_sheet_name(s) ? s : t->name;
}

static int cells_equal(const mdt_cell *a, const mdt_cell *b) {
  if (a->kind != b->kind)
    return 0;
  if (a->kind == 1)
    return a->num == b->num;
  if (a->kind == 2)
    return strcmp(a->text, b->text) == 0;
  return 1;
}

static long find_col(const mdt_table *t, const char *name, size_t ci, const char *role,
                     mdt_error *err) {
  long k = mdt_table_col(t, name);
  if (k < 0)
    mdt_error_set(err, MDT_EUSAGE, "chart %zu: table '%s' has no %s column '%s'", ci + 1,
                  t->name, role, name != NULL ? name : "(null)");
  return k;
}

/* Splits the rows into runs of equal `by` values; a value that comes back after another is
 * an error, since each series must be one block of rows. */
static mdt_status find_runs(const mdt_table *t, chart_plan *p, size_t ci, mdt_error *err) {
  p->run_start = malloc(t->nrows * sizeof *p->run_start);
  p->run_len = malloc(t->nrows * sizeof *p->run_len);
  if (p->run_start == NULL || p->run_len == NULL)
    return mdt_error_set(err, MDT_ENOMEM, "out of memory planning chart %zu", ci + 1);
  size_t by = (size_t)p->by;
  p->nvalue = 0;
  for (size_t i = 0; i < t->nrows; i++) {
    const mdt_cell *c = mdt_table_cell(t, i, by);
    if (i > 0 && cells_equal(c, mdt_table_cell(t, i - 1, by))) {
      p->run_len[p->nvalue - 1]++;
      continue;
    }
    for (size_t r = 0; r < p->nvalue; r++)
      if (cells_equal(c, mdt_table_cell(t, p->run_start[r], by)))
        return mdt_error_set(err, MDT_EUSAGE,
                             "chart %zu: the rows of table '%s' are not grouped by '%s' "
                             "(rows %zu and %zu have the same value, with others between)",
                             ci + 1, t->name, t->cols[by], p->run_start[r] + 1, i + 1);
    p->run_start[p->nvalue] = i;
    p->run_len[p->nvalue] = 1;
    p->nvalue++;
  }
  return MDT_OK;
}

static int excluded(const mdt_chart_spec *s, const mdt_cell *c) {
  if (s->exclude == NULL || c->kind != 2)
    return 0;
  for (const char *const *e = s->exclude; *e != NULL; e++)
    if (strcmp(*e, c->text) == 0)
      return 1;
  return 0;
}

/* Index of the first of the n rows listed in rows whose cell in column col equals c, or n. */
static size_t find_value(const mdt_table *t, const size_t *rows, size_t n, size_t col,
                         const mdt_cell *c) {
  size_t k = 0;
  while (k < n && !cells_equal(mdt_table_cell(t, rows[k], col), c))
    k++;
  return k;
}

/* A stacked chart over long rows: the distinct categories and series (each named by its
 * first row) and the row that holds each pair; a pair in two rows is an error. Rows whose
 * series is excluded, or whose category or series cell is empty, are left out. */
static mdt_status find_pivot(const mdt_table *t, chart_plan *p, size_t ci, mdt_error *err) {
  size_t n = t->nrows > 0 ? t->nrows : 1, by = (size_t)p->by;
  p->pivot = 1;
  p->cat_row = malloc(n * sizeof *p->cat_row);
  p->ser_row = malloc(n * sizeof *p->ser_row);
  if (p->cat_row == NULL || p->ser_row == NULL)
    return mdt_error_set(err, MDT_ENOMEM, "out of memory planning chart %zu", ci + 1);
  p->ncat = p->nvalue = 0;
  for (size_t i = 0; i < t->nrows; i++) {
    const mdt_cell *x = mdt_table_cell(t, i, p->x), *b = mdt_table_cell(t, i, by);
    if (x->kind == 0 || b->kind == 0 || excluded(p->spec, b))
      continue;
    if (find_value(t, p->cat_row, p->ncat, p->x, x) == p->ncat)
      p->cat_row[p->ncat++] = i;
    if (find_value(t, p->ser_row, p->nvalue, by, b) == p->nvalue)
      p->ser_row[p->nvalue++] = i;
  }
  if (p->nvalue > MAX_SERIES)
    return mdt_error_set(err, MDT_EUSAGE, "chart %zu: more than %d series (values of '%s')",
                         ci + 1, MAX_SERIES, p->spec->series_by_col);
  size_t cells = p->ncat * p->nvalue;
  p->cell = malloc((cells > 0 ? cells : 1) * sizeof *p->cell);
  if (p->cell == NULL)
    return mdt_error_set(err, MDT_ENOMEM, "out of memory planning chart %zu", ci + 1);
  for (size_t k = 0; k < cells; k++)
    p->cell[k] = -1;
  for (size_t i = 0; i < t->nrows; i++) {
    const mdt_cell *x = mdt_table_cell(t, i, p->x), *b = mdt_table_cell(t, i, by);
    if (x->kind == 0 || b->kind == 0 || excluded(p->spec, b))
      continue;
    size_t k = find_value(t, p->cat_row, p->ncat, p->x, x) * p->nvalue +
               find_value(t, p->ser_row, p->nvalue, by, b);
    if (p->cell[k] >= 0)
      return mdt_error_set(err, MDT_EUSAGE,
                           "chart %zu: rows %ld and %zu of table '%s' have the same '%s' and "
                           "'%s'",
                           ci + 1, p->cell[k] + 1, i + 1, t->name, t->cols[p->x], t->cols[by]);
    p->cell[k] = (long)i;
  }
  return MDT_OK;
}

static mdt_status plan_chart(const mdt_table *const *tables, size_t ntables,
                             const mdt_chart_spec *s, size_t ci, chart_plan *p,
                             mdt_error *err) {
  p->spec = s;
  p->by = p->lo = p->hi = -1;
  size_t ti = 0;
  while (ti < ntables && (s->table == NULL || strcmp(tables[ti]->name, s->table) != 0))
    ti++;
  if (ti == ntables)
    return mdt_error_set(err, MDT_EUSAGE, "chart %zu names table '%s', which is not written",
                         ci + 1, s->table != NULL ? s->table : "(null)");
  p->table = ti;
  const mdt_table *t = tables[ti];
  if ((int)s->type < (int)MDT_CHART_LINE || (int)s->type > (int)MDT_CHART_BAR)
    return mdt_error_set(err, MDT_EUSAGE, "chart %zu: unknown chart type %d", ci + 1,
                         (int)s->type);
  long k = find_col(t, s->x_col, ci, "category", err);
  if (k < 0)
    return MDT_EUSAGE;
  p->x = (size_t)k;
  if (s->nseries == 0 || s->y_cols == NULL)
    return mdt_error_set(err, MDT_EUSAGE, "chart %zu: no value column", ci + 1);
  if (s->nseries > MAX_SERIES)
    return mdt_error_set(err, MDT_EUSAGE, "chart %zu: more than %d series", ci + 1,
                         MAX_SERIES);
  for (size_t j = 0; j < s->nseries; j++) {
    if ((k = find_col(t, s->y_cols[j], ci, "value", err)) < 0)
      return MDT_EUSAGE;
    p->y[j] = (size_t)k;
  }
  p->nvalue = s->nseries;
  if (s->series_by_col != NULL) {
    if (s->nseries != 1)
      return mdt_error_set(err, MDT_EUSAGE,
                           "chart %zu: series by '%s' take one value column, not %zu", ci + 1,
                           s->series_by_col, s->nseries);
    if ((p->by = find_col(t, s->series_by_col, ci, "series", err)) < 0)
      return MDT_EUSAGE;
    mdt_status st = s->type == MDT_CHART_COLUMN_STACKED ? find_pivot(t, p, ci, err)
                                                         : find_runs(t, p, ci, err);
    if (st != MDT_OK)
      return st;
    if (p->nvalue > MAX_SERIES)
      return mdt_error_set(err, MDT_EUSAGE, "chart %zu: more than %d series (values of '%s')",
                           ci + 1, MAX_SERIES, s->series_by_col);
  }
  if ((s->err_low_col == NULL) != (s->err_high_col == NULL))
    return mdt_error_set(err, MDT_EUSAGE, "chart %zu: an interval needs both a lower and an "
                         "upper column", ci + 1);
  if (s->err_low_col != NULL) {
    if ((p->lo = find_col(t, s->err_low_col, ci, "lower bound", err)) < 0 ||
        (p->hi = find_col(t, s->err_high_col, ci, "upper bound", err)) < 0)
      return MDT_EUSAGE;
    if (s->type == MDT_CHART_COLUMN_STACKED)
      return mdt_error_set(err, MDT_EUSAGE,
                           "chart %zu: a stacked column chart cannot show intervals", ci + 1);
    if (s->type != MDT_CHART_LINE && p->nvalue > 1)
      return mdt_error_set(err, MDT_EUSAGE,
                           "chart %zu: intervals on a column or bar chart need one value "
                           "series (use a line chart for several)", ci + 1);
  }
  return MDT_OK;
}

/* ---- cells ---- */

/* Excel's pixels for a column width in characters of the default font (7 pixels each and
 * 5 of padding). */
static double column_px(double width) { return floor(width * 7.0 + 0.5) + 5.0; }

static lxw_error write_sheet(lxw_worksheet *ws, const mdt_table *t, const formats *f,
                             const char *lang, sheet_size *size) {
  size->width_px = 0;
  lxw_error e = worksheet_write_string(ws, TITLE_ROW, 0, title_text(t, lang), f->title);
  if (e == LXW_NO_ERROR)
    e = worksheet_set_row(ws, TITLE_ROW, TITLE_POINTS, NULL);
  if (e != LXW_NO_ERROR)
    return e;
  double header_lines = 1;
  long binding = -1;
  for (size_t k = 0; k < t->ncols; k++)
    if (t->kinds[k] == MDT_COL_TEXT && strcmp(t->cols[k], "binding") == 0)
      binding = (long)k;
  for (size_t k = 0; k < t->ncols; k++) {
    const char *label = mdt_label(t->cols[k], lang);
    lxw_col_t col = (lxw_col_t)k;
    if ((e = worksheet_write_string(ws, HEADER_ROW, col, label, f->header)) != LXW_NO_ERROR)
      return e;
    lxw_format *fmt = f->kind[t->kinds[k]];
    int whole = t->kinds[k] == MDT_COL_NUMBER && column_whole(t, k);
    double width = 0;
    for (size_t i = 0; i < t->nrows; i++) {
      const mdt_cell *c = mdt_table_cell(t, i, k);
      lxw_row_t row = (lxw_row_t)(DATA_ROW + i);
      double w = 0;
      const mdt_cell *b = binding >= 0 ? mdt_table_cell(t, i, (size_t)binding) : NULL;
      int marked = b && b->kind == 2 && b->text != NULL && b->text[0] != '\0';
      if (c->kind == 1 && isfinite(c->num)) {
        mdt_col_kind shown = shown_kind(t->kinds[k], c->num, whole);
        lxw_format *cf = marked ? f->marked[shown] : shown != t->kinds[k] ? f->kind[shown] : fmt;
        e = worksheet_write_number(ws, row, col, c->num, cf);
        w = number_width(t->kinds[k], c->num, whole);
      } else if (c->kind == 2 && c->text != NULL) {
        e = worksheet_write_string(ws, row, col, c->text,
                                   marked ? f->marked[MDT_COL_TEXT] : NULL);
        w = text_width(c->text);
      }
      if (e != LXW_NO_ERROR)
        return e;
      if (w > width)
        width = w;
    }
    double header_w = text_width(label) * BOLD_WIDTH;
    width = fmax(width, fmin(header_w, fmax(HEADER_WRAP_MIN, header_w / 2 + 1)));
    width = fmin(fmax(width + WIDTH_PADDING, WIDTH_MIN), WIDTH_MAX);
    header_lines = fmax(header_lines, wrapped_lines(label, width - 1));
    if ((e = worksheet_set_column(ws, col, col, width, NULL)) != LXW_NO_ERROR)
      return e;
    size->width_px += column_px(width);
  }
  size->header_px = header_lines * HEADER_LINE_POINTS / POINTS_PER_PX;
  if (header_lines > 1 &&
      (e = worksheet_set_row(ws, HEADER_ROW, header_lines * HEADER_LINE_POINTS, NULL)) !=
          LXW_NO_ERROR)
    return e;
  worksheet_freeze_panes(ws, DATA_ROW, 0);
  if (t->nrows > 0)
    e = worksheet_autofilter(ws, HEADER_ROW, 0, (lxw_row_t)(HEADER_ROW + t->nrows),
                             (lxw_col_t)(t->ncols - 1));
  return e;
}

/*
 * The five helper values of one row of a column or bar chart with an interval (see the top
 * of this file): h[0..2] are the visible bar's segments, h[1] and h[3] carry the whiskers on
 * the estimate's side of zero, h[4] the whisker on the other side.
 */
static void interval_pieces(double est, double lo, double hi, double h[INTERVAL_HELPERS]) {
  if (!isfinite(lo) || lo > est)
    lo = est;
  if (!isfinite(hi) || hi < est)
    hi = est;
  if (est >= 0) {
    double base = fmax(lo, 0.0);
    h[0] = base;
    h[1] = h[2] = (est - base) / 2;
    h[3] = (hi - est) / 2;
    h[4] = fmin(lo, 0.0) / 2;
  } else {
    double base = fmin(hi, 0.0);
    h[0] = base;
    h[1] = h[2] = (est - base) / 2;
    h[3] = (lo - est) / 2;
    h[4] = fmax(hi, 0.0) / 2;
  }
}

static lxw_error write_interval_helpers(lxw_worksheet *ws, const mdt_table *t,
                                        const chart_plan *p) {
  for (size_t i = 0; i < t->nrows; i++) {
    const mdt_cell *c = mdt_table_cell(t, i, p->y[0]);
    if (c->kind != 1 || !isfinite(c->num))
      continue;
    const mdt_cell *lo = mdt_table_cell(t, i, (size_t)p->lo);
    const mdt_cell *hi = mdt_table_cell(t, i, (size_t)p->hi);
    double h[INTERVAL_HELPERS];
    interval_pieces(c->num, lo->kind == 1 ? lo->num : NAN, hi->kind == 1 ? hi->num : NAN, h);
    for (int j = 0; j < INTERVAL_HELPERS; j++) {
      lxw_error e = worksheet_write_number(ws, (lxw_row_t)(DATA_ROW + i),
                                           (lxw_col_t)(p->helper_col + j), h[j], NULL);
      if (e != LXW_NO_ERROR)
        return e;
    }
  }
  lxw_row_col_options hidden = {.hidden = 1, .level = 0, .collapsed = 0};
  return worksheet_set_column_opt(ws, p->helper_col,
                                  (lxw_col_t)(p->helper_col + INTERVAL_HELPERS - 1), 8, NULL,
                                  &hidden);
}

/* A stacked chart's rows gathered (see find_pivot): the categories in the first helper
 * column, one column per series beside it, hidden. */
static lxw_error write_pivot_helpers(lxw_worksheet *ws, const mdt_table *t, const chart_plan *p) {
  lxw_error e = LXW_NO_ERROR;
  size_t y = p->y[0];
  for (size_t c = 0; c < p->ncat && e == LXW_NO_ERROR; c++) {
    lxw_row_t row = (lxw_row_t)(DATA_ROW + c);
    const mdt_cell *x = mdt_table_cell(t, p->cat_row[c], p->x);
    if (x->kind == 2)
      e = worksheet_write_string(ws, row, p->helper_col, x->text, NULL);
    else
      e = worksheet_write_number(ws, row, p->helper_col, x->num, NULL);
    for (size_t v = 0; v < p->nvalue && e == LXW_NO_ERROR; v++) {
      long r = p->cell[c * p->nvalue + v];
      const mdt_cell *val = r >= 0 ? mdt_table_cell(t, (size_t)r, y) : NULL;
      if (val != NULL && val->kind == 1 && isfinite(val->num))
        e = worksheet_write_number(ws, row, (lxw_col_t)(p->helper_col + 1 + v), val->num, NULL);
    }
  }
  if (e != LXW_NO_ERROR)
    return e;
  lxw_row_col_options hidden = {.hidden = 1, .level = 0, .collapsed = 0};
  return worksheet_set_column_opt(ws, p->helper_col, (lxw_col_t)(p->helper_col + p->nvalue), 8,
                                  NULL, &hidden);
}

/* ---- charts ---- */

static uint8_t lxw_type(const chart_plan *p) {
  int interval = p->lo >= 0;
  switch (p->spec->type) {
  case MDT_CHART_LINE:
    return LXW_CHART_LINE;
  case MDT_CHART_COLUMN:
    return interval ? LXW_CHART_COLUMN_STACKED : LXW_CHART_COLUMN;
  case MDT_CHART_COLUMN_STACKED:
    return LXW_CHART_COLUMN_STACKED;
  case MDT_CHART_BAR:
  default:
    return interval ? LXW_CHART_BAR_STACKED : LXW_CHART_BAR;
  }
}

/* Rows [first, last] of value series v, and its name cell. */
static void series_rows(const chart_plan *p, const mdt_table *t, size_t v, lxw_row_t *first,
                        lxw_row_t *last, lxw_row_t *name_row, lxw_col_t *name_col) {
  if (p->by >= 0) {
    *first = (lxw_row_t)(DATA_ROW + p->run_start[v]);
    *last = (lxw_row_t)(*first + p->run_len[v] - 1);
    *name_row = *first;
    *name_col = (lxw_col_t)p->by;
  } else {
    *first = DATA_ROW;
    *last = (lxw_row_t)(DATA_ROW + t->nrows - 1);
    *name_row = HEADER_ROW;
    *name_col = (lxw_col_t)p->y[v];
  }
}

/* A series of column vcol over rows [first, last], with the categories of the first series. */
static lxw_chart_series *add_series(lxw_chart *c, const char *sheet, const chart_plan *p,
                                    const mdt_table *t, lxw_row_t first, lxw_row_t last,
                                    lxw_col_t vcol, lxw_row_t name_row, lxw_col_t name_col) {
  lxw_chart_series *s = chart_add_series(c, NULL, NULL);
  if (s == NULL)
    return NULL;
  lxw_row_t cat_first = DATA_ROW, cat_last = (lxw_row_t)(DATA_ROW + t->nrows - 1);
  if (p->by >= 0)
    cat_last = (lxw_row_t)(DATA_ROW + p->run_len[0] - 1);
  chart_series_set_categories(s, sheet, cat_first, (lxw_col_t)p->x, cat_last,
                              (lxw_col_t)p->x);
  chart_series_set_values(s, sheet, first, vcol, last, vcol);
  chart_series_set_name_range(s, sheet, name_row, name_col);
  return s;
}

/*
 * Line chart series with intervals: for each of the first nwith value series, the estimate
 * and then its lower and upper ends. `band` draws the ends as dashed lines in the series'
 * colour (several series); otherwise as invisible series joined by the chart's high-low lines. The
 * ends' legend entries go into hide.
 */
static lxw_error line_intervals(lxw_chart *c, const char *sheet, const chart_plan *p,
                                const mdt_table *t, size_t nwith, int band, int16_t *hide,
                                size_t *nhide) {
  lxw_chart_line none = {.none = 1};
  lxw_chart_line whisker = {.color = WHISKER_COLOR, .width = 1.0};
  for (size_t v = 0; v < nwith; v++) {
    lxw_row_t first, last, nrow;
    lxw_col_t ncol;
    series_rows(p, t, v, &first, &last, &nrow, &ncol);
    lxw_chart_series *est = add_series(c, sheet, p, t, first, last, (lxw_col_t)p->y[0], nrow,
                                       ncol);
    if (est == NULL)
      return LXW_ERROR_MEMORY_MALLOC_FAILED;
    lxw_chart_line est_line = {.color = palette[v % PALETTE_SIZE], .width = 2.25};
    lxw_chart_line band_line = {.color = palette[v % PALETTE_SIZE], .width = 1.0,
                                .dash_type = LXW_CHART_LINE_DASH_DASH};
    if (band)
      chart_series_set_line(est, &est_line);
    long ends[2] = {p->lo, p->hi};
    for (int j = 0; j < 2; j++) {
      lxw_chart_series *s = add_series(c, sheet, p, t, first, last, (lxw_col_t)ends[j],
                                       HEADER_ROW, (lxw_col_t)ends[j]);
      if (s == NULL)
        return LXW_ERROR_MEMORY_MALLOC_FAILED;
      if (band) {
        chart_series_set_line(s, &band_line);
        chart_series_set_marker_type(s, LXW_CHART_MARKER_NONE);
      } else {
        /* No end caps: libxlsxwriter 1.1.4 writes its dash markers as the symbol
         * "short_dash", which is not in the OOXML schema. */
        chart_series_set_line(s, &none);
        chart_series_set_marker_type(s, LXW_CHART_MARKER_NONE);
      }
      hide[(*nhide)++] = (int16_t)(3 * v + 1 + (size_t)j);
    }
  }
  if (!band)
    chart_set_high_low_lines(c, &whisker);
  return LXW_NO_ERROR;
}

static lxw_error bar_intervals(lxw_chart *c, const char *sheet, const chart_plan *p,
                               const mdt_table *t) {
  lxw_chart_line none = {.none = 1};
  lxw_chart_fill bar = {.color = palette[0]};
  lxw_chart_fill no_fill = {.none = 1};
  lxw_chart_line whisker = {.color = WHISKER_COLOR, .width = 1.25};
  lxw_row_t last = (lxw_row_t)(DATA_ROW + t->nrows - 1);
  for (int j = 0; j < INTERVAL_HELPERS; j++) {
    lxw_col_t name_col = (lxw_col_t)(j < 3 ? p->y[0] : j == 3 ? (size_t)p->hi : (size_t)p->lo);
    lxw_chart_series *s = add_series(c, sheet, p, t, DATA_ROW, last,
                                     (lxw_col_t)(p->helper_col + j), HEADER_ROW, name_col);
    if (s == NULL)
      return LXW_ERROR_MEMORY_MALLOC_FAILED;
    chart_series_set_line(s, &none);
    chart_series_set_fill(s, j < 3 ? &bar : &no_fill);
    if (j == 1 || j >= 3) {
      lxw_series_error_bars *eb = chart_series_get_error_bars(
          s, p->spec->type == MDT_CHART_BAR ? LXW_CHART_ERROR_BAR_AXIS_X
                                            : LXW_CHART_ERROR_BAR_AXIS_Y);
      chart_series_set_error_bars(eb, LXW_CHART_ERROR_BAR_TYPE_PERCENTAGE, 100);
      chart_series_set_error_bars_direction(eb, LXW_CHART_ERROR_BAR_DIR_BOTH);
      chart_series_set_error_bars_endcap(eb, LXW_CHART_ERROR_BAR_NO_CAP);
      chart_series_set_error_bars_line(eb, &whisker);
    }
  }
  /* The helper columns are hidden, and Excel plots hidden cells only when asked to. */
  chart_show_hidden_data(c);
  return LXW_NO_ERROR;
}

static lxw_error add_chart(lxw_workbook *wb, lxw_worksheet *ws, const mdt_table *t,
                           const chart_plan *p, const char *lang) {
  const mdt_chart_spec *s = p->spec;
  const char *sheet = sheet_name(t, lang);
  lxw_chart *c = workbook_add_chart(wb, lxw_type(p));
  if (c == NULL)
    return LXW_ERROR_MEMORY_MALLOC_FAILED;
  int16_t hide[2 * MAX_SERIES + 1];
  size_t nhide = 0;
  size_t plain_from = 0; /* value series from here on are drawn without intervals */
  lxw_error e = LXW_NO_ERROR;
  if (p->lo >= 0 && s->type == MDT_CHART_LINE) {
    /* Without series_by_col the interval belongs to y_cols[0] only. */
    plain_from = p->by >= 0 ? p->nvalue : 1;
    e = line_intervals(c, sheet, p, t, plain_from, p->nvalue > 1, hide, &nhide);
  } else if (p->lo >= 0) {
    plain_from = p->nvalue; /* one series, checked by plan_chart */
    e = bar_intervals(c, sheet, p, t);
  }
  if (e != LXW_NO_ERROR)
    return e;
  if (p->pivot) {
    lxw_row_t last = (lxw_row_t)(DATA_ROW + p->ncat - 1);
    for (size_t v = 0; v < p->nvalue; v++) {
      lxw_chart_series *ser = chart_add_series(c, NULL, NULL);
      if (ser == NULL)
        return LXW_ERROR_MEMORY_MALLOC_FAILED;
      lxw_col_t vcol = (lxw_col_t)(p->helper_col + 1 + v);
      chart_series_set_categories(ser, sheet, DATA_ROW, p->helper_col, last, p->helper_col);
      chart_series_set_values(ser, sheet, DATA_ROW, vcol, last, vcol);
      chart_series_set_name_range(ser, sheet, (lxw_row_t)(DATA_ROW + p->ser_row[v]),
                                  (lxw_col_t)p->by);
    }
    chart_show_hidden_data(c); /* the helper columns are hidden */
    plain_from = p->nvalue;
  }
  for (size_t v = plain_from; v < p->nvalue; v++) {
    lxw_row_t first, last, nrow;
    lxw_col_t ncol;
    series_rows(p, t, v, &first, &last, &nrow, &ncol);
    lxw_col_t vcol = (lxw_col_t)(p->by >= 0 ? p->y[0] : p->y[v]);
    if (add_series(c, sheet, p, t, first, last, vcol, nrow, ncol) == NULL)
      return LXW_ERROR_MEMORY_MALLOC_FAILED;
  }

  /* libxlsxwriter's x_axis is the horizontal one: the values of a bar chart. */
  lxw_chart_axis *cat = s->type == MDT_CHART_BAR ? c->y_axis : c->x_axis;
  lxw_chart_axis *val = s->type == MDT_CHART_BAR ? c->x_axis : c->y_axis;
  const char *title = s->title != NULL ? mdt_label(s->title, lang) : title_text(t, lang);
  chart_title_set_name(c, title);
  chart_axis_set_name(cat, mdt_label(s->x_title != NULL ? s->x_title : t->cols[p->x], lang));
  if (s->y_title != NULL)
    chart_axis_set_name(val, mdt_label(s->y_title, lang));
  else if (s->nseries == 1)
    chart_axis_set_name(val, mdt_label(t->cols[p->y[0]], lang));
  const char *axis_fmt = axis_formats[t->kinds[p->y[0]]];
  if (axis_fmt != NULL)
    chart_axis_set_num_format(val, axis_fmt);
  if (s->type == MDT_CHART_BAR) {
    /* Bars read from the top in table order, with the value axis kept at the bottom. */
    chart_axis_set_reverse(cat);
    chart_axis_set_crossing_max(cat);
  }
  /* Every category labelled: left to itself a spreadsheet skips labels that crowd. */
  chart_axis_set_interval_unit(cat, 1);
  if (p->nvalue == 1) {
    chart_legend_set_position(c, LXW_CHART_LEGEND_NONE);
  } else {
    chart_legend_set_position(c, LXW_CHART_LEGEND_BOTTOM);
    if (nhide > 0) {
      hide[nhide] = -1;
      if ((e = chart_legend_delete_series(c, hide)) != LXW_NO_ERROR)
        return e;
    }
  }

  lxw_chart_options opt = {.x_offset = 0, .y_offset = 0, .x_scale = p->width_px / LXW_CHART_W,
                           .y_scale = p->height_px / LXW_CHART_H, .description = (char *)title};
  return worksheet_insert_chart_opt(ws, p->row, 0, c, &opt);
}

/* ---- errors and formats ---- */

static mdt_status lxw_failed(mdt_error *err, lxw_error e, const char *path) {
  if (e == LXW_ERROR_MEMORY_MALLOC_FAILED)
    return mdt_error_set(err, MDT_ENOMEM, "out of memory writing workbook %s", path);
  return mdt_error_set(err, MDT_ECANTWRITE, "cannot write workbook %s: %s", path,
                       lxw_strerror(e));
}

static int make_formats(lxw_workbook *wb, formats *f) {
  if ((f->title = workbook_add_format(wb)) == NULL ||
      (f->header = workbook_add_format(wb)) == NULL)
    return -1;
  format_set_bold(f->title);
  format_set_font_size(f->title, 13);
  format_set_bold(f->header);
  format_set_text_wrap(f->header);
  format_set_align(f->header, LXW_ALIGN_VERTICAL_BOTTOM);
  format_set_bottom(f->header, LXW_BORDER_THIN);
  for (int k = 0; k <= MDT_COL_NOK; k++) {
    f->kind[k] = NULL;
    if ((f->marked[k] = workbook_add_format(wb)) == NULL)
      return -1;
    format_set_italic(f->marked[k]);
    format_set_font_color(f->marked[k], MARKED_COLOR);
    if (number_formats[k] == NULL)
      continue;
    if ((f->kind[k] = workbook_add_format(wb)) == NULL)
      return -1;
    format_set_num_format(f->kind[k], number_formats[k]);
    format_set_num_format(f->marked[k], number_formats[k]);
  }
  if ((f->mono = workbook_add_format(wb)) == NULL)
    return -1;
  format_set_font_name(f->mono, "Consolas");
  format_set_font_size(f->mono, 10);
  return 0;
}

static void free_plans(chart_plan *plans, size_t n) {
  if (plans == NULL)
    return;
  for (size_t i = 0; i < n; i++) {
    free(plans[i].run_start);
    free(plans[i].run_len);
    free(plans[i].cat_row);
    free(plans[i].ser_row);
    free(plans[i].cell);
  }
  free(plans);
}

static mdt_status check_tables(const mdt_table *const *tables, size_t ntables,
                               mdt_error *err) {
  if (ntables == 0 || tables == NULL)
    return mdt_error_set(err, MDT_EUSAGE, "a workbook needs at least one table");
  for (size_t i = 0; i < ntables; i++) {
    const mdt_table *t = tables[i];
    if (t == NULL || t->name == NULL || !valid_sheet_name(t->name))
      return mdt_error_set(err, MDT_EUSAGE, "table %zu has no valid sheet name", i + 1);
    if (t->nrows > LXW_ROW_MAX - DATA_ROW || t->ncols + 1 + INTERVAL_HELPERS > LXW_COL_MAX)
      return mdt_error_set(err, MDT_EUSAGE, "table '%s' is too large for a sheet", t->name);
    for (size_t j = 0; j < i; j++)
      if (strcasecmp(tables[j]->name, t->name) == 0)
        return mdt_error_set(err, MDT_EUSAGE, "two tables are named '%s'", t->name);
  }
  return MDT_OK;
}

/* ---- printing ---- */

/* Landscape A4, one page wide (one_page: and one page tall), the rows down to the column
 * labels repeated on every page (repeat), the sheet's name and page number in the footer. */
static lxw_error setup_print(lxw_worksheet *ws, int one_page, int repeat) {
  worksheet_set_landscape(ws);
  worksheet_set_paper(ws, PAPER_A4);
  worksheet_set_margins(ws, MARGIN_SIDE_IN, MARGIN_SIDE_IN, MARGIN_TOP_IN, MARGIN_BOTTOM_IN);
  worksheet_fit_to_pages(ws, 1, one_page ? 1 : 0);
  lxw_header_footer_options hf = {.margin = MARGIN_HF_IN};
  lxw_error e = worksheet_set_footer_opt(ws, "&L&A&R&P / &N", &hf);
  if (e == LXW_NO_ERROR && repeat)
    e = worksheet_repeat_rows(ws, TITLE_ROW, HEADER_ROW);
  return e;
}

/* The printed page's height in the sheet's pixels when a sheet width_px wide is scaled to
 * one page wide. Spreadsheets round the scale down to whole percents, which only makes the
 * page taller than this. */
static double page_height_px(double width_px) {
  double avail_w = (PAPER_W_IN - 2 * MARGIN_SIDE_IN) * PX_PER_IN;
  double scale = width_px > avail_w ? avail_w / width_px : 1.0;
  return (PAPER_H_IN - MARGIN_TOP_IN - MARGIN_BOTTOM_IN) * PX_PER_IN / scale;
}

/*
 * Places the charts of table ti below it, each whole on one printed page: the pages are
 * followed as they fill with the table's rows (the rows down to the column labels repeat on
 * every page), and a chart that does not fit, with a row to spare, in what is left of the
 * page starts the next one, after a manual page break (breaks, nbreaks). The charts are as
 * wide as the table (at least CHART_MIN_PX), which sets the print scale, and no taller than
 * a page leaves below the repeated rows.
 */
static void place_charts(const mdt_table *t, size_t ti, const sheet_size *sz, chart_plan *plans,
                         size_t ncharts, lxw_row_t *breaks, size_t *nbreaks) {
  double width = fmax(CHART_MIN_PX, sz->width_px);
  double page = page_height_px(width);
  double title = TITLE_POINTS / POINTS_PER_PX;
  double repeat = title + ROW_PX + sz->header_px;
  double height = fmin(width * CHART_ASPECT, page - repeat - 2 * ROW_PX);
  double y = 0;
  for (size_t r = 0; r < DATA_ROW + t->nrows; r++) {
    double h = r == TITLE_ROW ? title : r == HEADER_ROW ? sz->header_px : ROW_PX;
    if (y + h > page && y > repeat)
      y = repeat;
    y += h;
  }
  lxw_row_t next = (lxw_row_t)(DATA_ROW + t->nrows + 1); /* after a blank row */
  y += ROW_PX;
  for (size_t ci = 0; ci < ncharts; ci++) {
    chart_plan *p = &plans[ci];
    if (p->table != ti)
      continue;
    /* What is left of the page, with a row to spare; a chart a little lower than the others
     * may still share it. */
    double left = page - y - ROW_PX;
    double h = height;
    if (h > left && left >= width * CHART_MIN_ASPECT)
      h = floor(left / ROW_PX) * ROW_PX;
    if (h > left && *nbreaks < MAX_PAGE_BREAKS) {
      breaks[(*nbreaks)++] = next;
      y = repeat;
    }
    double span = ceil(h / ROW_PX);
    p->row = next;
    p->width_px = width;
    p->height_px = h;
    next = (lxw_row_t)(next + span + 1);
    y += (span + 1) * ROW_PX;
  }
}

/* ---- the summary sheet ---- */

/* Column width, in characters of the default font, per character of the fixed-width font
 * (Consolas 10 point; LibreOffice's stand-in is a little wider). The lines run from column
 * A over empty columns SUMMARY_COL_WIDTH wide, all of them in the print area: LibreOffice
 * does not shrink one column wider than the page to fit it. */
#define MONO_WIDTH 1.2
#define SUMMARY_COL_WIDTH 20.0

static lxw_error write_summary(lxw_workbook *wb, const mdt_workbook_summary *sum,
                               const formats *f) {
  lxw_worksheet *ws = workbook_add_worksheet(wb, sum->sheet);
  if (ws == NULL)
    return LXW_ERROR_MEMORY_MALLOC_FAILED;
  const char *title = sum->title != NULL ? sum->title : sum->sheet;
  lxw_error e = worksheet_write_string(ws, TITLE_ROW, 0, title, f->title);
  if (e == LXW_NO_ERROR)
    e = worksheet_set_row(ws, TITLE_ROW, TITLE_POINTS, NULL);
  double width = text_width(title) * BOLD_WIDTH;
  for (size_t i = 0; i < sum->nlines && e == LXW_NO_ERROR; i++) {
    const char *line = sum->lines[i] != NULL ? sum->lines[i] : "";
    if (line[0] != '\0')
      e = worksheet_write_string(ws, (lxw_row_t)(HEADER_ROW + i), 0, line, f->mono);
    width = fmax(width, text_width(line) * MONO_WIDTH);
  }
  lxw_col_t last_col = (lxw_col_t)(ceil((width + WIDTH_PADDING) / SUMMARY_COL_WIDTH) - 1);
  lxw_row_t last_row = (lxw_row_t)(HEADER_ROW + (sum->nlines > 0 ? sum->nlines - 1 : 0));
  if (e == LXW_NO_ERROR)
    e = worksheet_set_column(ws, 0, last_col, SUMMARY_COL_WIDTH, NULL);
  if (e == LXW_NO_ERROR)
    e = worksheet_print_area(ws, 0, 0, last_row, last_col);
  if (e == LXW_NO_ERROR)
    e = setup_print(ws, 1, 0);
  return e;
}

/* ---- the workbook ---- */

/* Sheets, then charts, then the file. Consumes wb whatever happens. */
static lxw_error fill_and_close(lxw_workbook *wb, const mdt_workbook_summary *summary,
                                const mdt_table *const *tables, size_t ntables,
                                chart_plan *plans, size_t ncharts, lxw_worksheet **sheets,
                                const char *lang) {
  lxw_doc_properties props = {.title = NULL, .author = "mandat",
                              .created = (time_t)MDT_WORKBOOK_CREATED};
  lxw_error e = workbook_set_properties(wb, &props);
  formats f;
  if (e == LXW_NO_ERROR && make_formats(wb, &f) != 0)
    e = LXW_ERROR_MEMORY_MALLOC_FAILED;
  if (e == LXW_NO_ERROR && summary != NULL)
    e = write_summary(wb, summary, &f);
  /* Each sheet's page breaks (0-terminated, as libxlsxwriter takes them), kept until the
   * file is written. */
  size_t stride = ncharts + 1;
  lxw_row_t *breaks = calloc(ntables * stride, sizeof *breaks);
  sheet_size *sizes = calloc(ntables, sizeof *sizes);
  if ((breaks == NULL || sizes == NULL) && e == LXW_NO_ERROR)
    e = LXW_ERROR_MEMORY_MALLOC_FAILED;
  for (size_t i = 0; i < ntables && e == LXW_NO_ERROR; i++) {
    if ((sheets[i] = workbook_add_worksheet(wb, sheet_name(tables[i], lang))) == NULL)
      e = LXW_ERROR_MEMORY_MALLOC_FAILED;
    if (e == LXW_NO_ERROR)
      e = write_sheet(sheets[i], tables[i], &f, lang, &sizes[i]);
    if (e == LXW_NO_ERROR)
      e = setup_print(sheets[i], 0, 1);
    size_t nbreaks = 0;
    if (e == LXW_NO_ERROR)
      place_charts(tables[i], i, &sizes[i], plans, ncharts, &breaks[i * stride], &nbreaks);
    if (e == LXW_NO_ERROR && nbreaks > 0)
      e = worksheet_set_h_pagebreaks(sheets[i], &breaks[i * stride]);
  }
  for (size_t ci = 0; ci < ncharts && e == LXW_NO_ERROR; ci++) {
    const chart_plan *p = &plans[ci];
    const mdt_table *t = tables[p->table];
    if (t->nrows == 0)
      continue; /* nothing to plot, and Excel rejects a chart without data */
    if (p->pivot)
      e = write_pivot_helpers(sheets[p->table], t, p);
    else if (p->helper_col > 0)
      e = write_interval_helpers(sheets[p->table], t, p);
    if (e == LXW_NO_ERROR)
      e = add_chart(wb, sheets[p->table], t, p, lang);
  }
  if (e != LXW_NO_ERROR) {
    lxw_workbook_free(wb);
  } else {
    e = workbook_close(wb);
  }
  free(breaks);
  free(sizes);
  return e;
}

static mdt_status check_summary(const mdt_workbook_summary *sum, const mdt_table *const *tables,
                                size_t ntables, mdt_error *err) {
  if (sum->sheet == NULL || !valid_sheet_name(sum->sheet))
    return mdt_error_set(err, MDT_EUSAGE, "the summary has no valid sheet name");
  if (sum->nlines > 0 && sum->lines == NULL)
    return mdt_error_set(err, MDT_EUSAGE, "the summary has %zu lines but no array of them",
                         sum->nlines);
  if (sum->nlines > LXW_ROW_MAX - HEADER_ROW)
    return mdt_error_set(err, MDT_EUSAGE, "the summary is too long for a sheet");
  for (size_t i = 0; i < ntables; i++)
    if (strcasecmp(tables[i]->name, sum->sheet) == 0)
      return mdt_error_set(err, MDT_EUSAGE, "the summary and a table are both named '%s'",
                           sum->sheet);
  return MDT_OK;
}

mdt_status mdt_workbook_write_with_summary(const char *path, const mdt_workbook_summary *summary,
                                           const mdt_table *const *tables, size_t ntables,
                                           const mdt_chart_spec *charts, size_t ncharts,
                                           const char *lang, mdt_error *err) {
  if (lang == NULL)
    lang = "en";
  if (strcmp(lang, "en") != 0 && strcmp(lang, "nb") != 0)
    return mdt_error_set(err, MDT_EUSAGE, "unknown language '%s' (use en or nb)", lang);
  if (path == NULL || path[0] == '\0')
    return mdt_error_set(err, MDT_EUSAGE, "no path for the workbook");
  mdt_status st = check_tables(tables, ntables, err);
  if (st == MDT_OK && summary != NULL)
    st = check_summary(summary, tables, ntables, err);
  if (st != MDT_OK)
    return st;
  if (ncharts > 0 && charts == NULL)
    return mdt_error_set(err, MDT_EUSAGE, "%zu charts but no chart specs", ncharts);

  chart_plan *plans = calloc(ncharts > 0 ? ncharts : 1, sizeof *plans);
  lxw_col_t *helper_next = calloc(ntables, sizeof *helper_next);
  lxw_worksheet **sheets = calloc(ntables, sizeof *sheets);
  if (plans == NULL || helper_next == NULL || sheets == NULL) {
    st = mdt_error_set(err, MDT_ENOMEM, "out of memory writing workbook %s", path);
    goto done;
  }
  /* Every chart is checked, and its helper columns placed, before anything is written. A
   * sheet's helper columns start after its table and a blank column. */
  for (size_t i = 0; i < ntables; i++)
    helper_next[i] = (lxw_col_t)(tables[i]->ncols + 1);
  for (size_t ci = 0; ci < ncharts; ci++) {
    if ((st = plan_chart(tables, ntables, &charts[ci], ci, &plans[ci], err)) != MDT_OK)
      goto done;
    chart_plan *p = &plans[ci];
    size_t helpers = p->pivot ? 1 + p->nvalue
                     : p->lo >= 0 && charts[ci].type != MDT_CHART_LINE ? INTERVAL_HELPERS
                                                                       : 0;
    if (helpers == 0)
      continue;
    if (helper_next[p->table] > LXW_COL_MAX - helpers - 1) {
      st = mdt_error_set(err, MDT_EUSAGE, "chart %zu: no room for its helper columns", ci + 1);
      goto done;
    }
    p->helper_col = helper_next[p->table];
    helper_next[p->table] = (lxw_col_t)(helper_next[p->table] + helpers);
  }

  /* libxlsxwriter reports a path it cannot create on stderr; trying it first keeps the
   * library silent in the common case. */
  FILE *probe = fopen(path, "wb");
  if (probe == NULL) {
    st = mdt_error_set(err, MDT_ECANTWRITE, "cannot write workbook %s: %s", path,
                       strerror(errno));
    goto done;
  }
  fclose(probe);
  lxw_workbook *wb = workbook_new(path);
  lxw_error e = wb != NULL
                    ? fill_and_close(wb, summary, tables, ntables, plans, ncharts, sheets, lang)
                    : LXW_ERROR_MEMORY_MALLOC_FAILED;
  if (e != LXW_NO_ERROR) {
    remove(path); /* no partial workbook under the name */
    st = lxw_failed(err, e, path);
  }

done:
  free_plans(plans, ncharts);
  free(helper_next);
  free(sheets);
  return st;
}

mdt_status mdt_workbook_write(const char *path, const mdt_table *const *tables, size_t ntables,
                              const mdt_chart_spec *charts, size_t ncharts, const char *lang,
                              mdt_error *err) {
  return mdt_workbook_write_with_summary(path, NULL, tables, ntables, charts, ncharts, lang,
                                         err);
}
