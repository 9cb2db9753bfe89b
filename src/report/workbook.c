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

/* Charts are 1.25 times libxlsxwriter's default 480 x 288 pixels, one below the other. */
#define CHART_SCALE 1.25
#define CHART_ROWS 21 /* rows from the top of one chart to the next: 360 px over 20 px rows */

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
  lxw_col_t helper_col; /* first helper column (column and bar charts with intervals) */
} chart_plan;

/* marked: the same formats in grey italics, for the rows of a table whose "binding" column
 * is not empty (sweep points the bounds settle or that cannot be met). */
typedef struct {
  lxw_format *title, *header, *kind[MDT_COL_NOK + 1], *marked[MDT_COL_NOK + 1];
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

/* Width of a number as its column's format shows it. */
static double number_width(mdt_col_kind kind, double v) {
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
    mdt_status st = find_runs(t, p, ci, err);
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

static lxw_error write_sheet(lxw_worksheet *ws, const mdt_table *t, const formats *f,
                             const char *lang) {
  lxw_error e = worksheet_write_string(ws, TITLE_ROW, 0, title_text(t, lang), f->title);
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
    double width = 0;
    for (size_t i = 0; i < t->nrows; i++) {
      const mdt_cell *c = mdt_table_cell(t, i, k);
      lxw_row_t row = (lxw_row_t)(DATA_ROW + i);
      double w = 0;
      const mdt_cell *b = binding >= 0 ? mdt_table_cell(t, i, (size_t)binding) : NULL;
      int marked = b && b->kind == 2 && b->text != NULL && b->text[0] != '\0';
      if (c->kind == 1 && isfinite(c->num)) {
        e = worksheet_write_number(ws, row, col, c->num, marked ? f->marked[t->kinds[k]] : fmt);
        w = number_width(t->kinds[k], c->num);
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
  }
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
                           const chart_plan *p, lxw_row_t row, lxw_col_t col,
                           const char *lang) {
  const mdt_chart_spec *s = p->spec;
  const char *sheet = t->name;
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

  lxw_chart_options opt = {.x_offset = 0, .y_offset = 0, .x_scale = CHART_SCALE,
                           .y_scale = CHART_SCALE, .description = (char *)title};
  return worksheet_insert_chart_opt(ws, row, col, c, &opt);
}

/* ---- the workbook ---- */

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
  return 0;
}

static void free_plans(chart_plan *plans, size_t n) {
  if (plans == NULL)
    return;
  for (size_t i = 0; i < n; i++) {
    free(plans[i].run_start);
    free(plans[i].run_len);
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

/* Sheets, then charts, then the file. Consumes wb whatever happens. */
static lxw_error fill_and_close(lxw_workbook *wb, const mdt_table *const *tables,
                                size_t ntables, const chart_plan *plans, size_t ncharts,
                                const lxw_col_t *chart_col, lxw_worksheet **sheets,
                                const char *lang) {
  lxw_doc_properties props = {.title = NULL, .author = "mandat",
                              .created = (time_t)MDT_WORKBOOK_CREATED};
  lxw_error e = workbook_set_properties(wb, &props);
  formats f;
  if (e == LXW_NO_ERROR && make_formats(wb, &f) != 0)
    e = LXW_ERROR_MEMORY_MALLOC_FAILED;
  for (size_t i = 0; i < ntables && e == LXW_NO_ERROR; i++) {
    if ((sheets[i] = workbook_add_worksheet(wb, tables[i]->name)) == NULL)
      e = LXW_ERROR_MEMORY_MALLOC_FAILED;
    else
      e = write_sheet(sheets[i], tables[i], &f, lang);
  }
  /* Each sheet's charts go one below the other, to the right of its table. */
  lxw_row_t *chart_row = calloc(ntables, sizeof *chart_row);
  if (chart_row == NULL && e == LXW_NO_ERROR)
    e = LXW_ERROR_MEMORY_MALLOC_FAILED;
  for (size_t ci = 0; ci < ncharts && e == LXW_NO_ERROR; ci++) {
    const chart_plan *p = &plans[ci];
    const mdt_table *t = tables[p->table];
    if (t->nrows == 0)
      continue; /* nothing to plot, and Excel rejects a chart without data */
    if (p->helper_col > 0)
      e = write_interval_helpers(sheets[p->table], t, p);
    if (e == LXW_NO_ERROR)
      e = add_chart(wb, sheets[p->table], t, p, (lxw_row_t)(HEADER_ROW + chart_row[p->table]),
                    chart_col[p->table], lang);
    chart_row[p->table] = (lxw_row_t)(chart_row[p->table] + CHART_ROWS);
  }
  free(chart_row);
  if (e != LXW_NO_ERROR) {
    lxw_workbook_free(wb);
    return e;
  }
  return workbook_close(wb);
}

mdt_status mdt_workbook_write(const char *path, const mdt_table *const *tables, size_t ntables,
                              const mdt_chart_spec *charts, size_t ncharts, const char *lang,
                              mdt_error *err) {
  if (lang == NULL)
    lang = "en";
  if (strcmp(lang, "en") != 0 && strcmp(lang, "nb") != 0)
    return mdt_error_set(err, MDT_EUSAGE, "unknown language '%s' (use en or nb)", lang);
  if (path == NULL || path[0] == '\0')
    return mdt_error_set(err, MDT_EUSAGE, "no path for the workbook");
  mdt_status st = check_tables(tables, ntables, err);
  if (st != MDT_OK)
    return st;
  if (ncharts > 0 && charts == NULL)
    return mdt_error_set(err, MDT_EUSAGE, "%zu charts but no chart specs", ncharts);

  chart_plan *plans = calloc(ncharts > 0 ? ncharts : 1, sizeof *plans);
  lxw_col_t *chart_col = calloc(ntables, sizeof *chart_col);
  lxw_worksheet **sheets = calloc(ntables, sizeof *sheets);
  if (plans == NULL || chart_col == NULL || sheets == NULL) {
    st = mdt_error_set(err, MDT_ENOMEM, "out of memory writing workbook %s", path);
    goto done;
  }
  /* Every chart is checked, and its helper columns placed, before anything is written. A
   * sheet's charts start after its table, a blank column and any helper columns. */
  for (size_t i = 0; i < ntables; i++)
    chart_col[i] = (lxw_col_t)(tables[i]->ncols + 1);
  for (size_t ci = 0; ci < ncharts; ci++) {
    if ((st = plan_chart(tables, ntables, &charts[ci], ci, &plans[ci], err)) != MDT_OK)
      goto done;
    chart_plan *p = &plans[ci];
    if (p->lo >= 0 && charts[ci].type != MDT_CHART_LINE) {
      if (chart_col[p->table] > LXW_COL_MAX - INTERVAL_HELPERS - 1) {
        st = mdt_error_set(err, MDT_EUSAGE, "chart %zu: no room for its helper columns",
                           ci + 1);
        goto done;
      }
      p->helper_col = chart_col[p->table];
      chart_col[p->table] = (lxw_col_t)(chart_col[p->table] + INTERVAL_HELPERS);
    }
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
  lxw_error e = wb != NULL ? fill_and_close(wb, tables, ntables, plans, ncharts, chart_col,
                                            sheets, lang)
                           : LXW_ERROR_MEMORY_MALLOC_FAILED;
  if (e != LXW_NO_ERROR) {
    remove(path); /* no partial workbook under the name */
    st = lxw_failed(err, e, path);
  }

done:
  free_plans(plans, ncharts);
  free(chart_col);
  free(sheets);
  return st;
}
