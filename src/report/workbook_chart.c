/* The workbook's native charts: a chart spec resolved against its table (planning), and the
 * chart drawn with libxlsxwriter, intervals included (see workbook.c's opening comment). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <xlsxwriter.h>

#include "mandat/workbook.h"
#include "report/workbook_int.h"

/* The value axis shows fewer decimals than the cells. */
static const char *axis_formats[MDT_COL_NOK + 1] = {
    [MDT_COL_TEXT] = NULL,  [MDT_COL_INT] = "#,##0", [MDT_COL_NUMBER] = NULL,
    [MDT_COL_PCT] = "0.0",  [MDT_COL_SHARE] = "0%",  [MDT_COL_NOK] = "#,##0",
};

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
    if (i > 0 && mdt__wb_cells_equal(c, mdt_table_cell(t, i - 1, by))) {
      p->run_len[p->nvalue - 1]++;
      continue;
    }
    for (size_t r = 0; r < p->nvalue; r++)
      if (mdt__wb_cells_equal(c, mdt_table_cell(t, p->run_start[r], by)))
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
  while (k < n && !mdt__wb_cells_equal(mdt_table_cell(t, rows[k], col), c))
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

mdt_status mdt__wb_plan_chart(const mdt_table *const *tables, size_t ntables,
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

lxw_error mdt__wb_add_chart(lxw_workbook *wb, lxw_worksheet *ws, const mdt_table *t,
                           const chart_plan *p, const char *lang) {
  const mdt_chart_spec *s = p->spec;
  const char *sheet = mdt__wb_sheet_name(t, lang);
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
  const char *title = s->title != NULL ? mdt_label(s->title, lang) : mdt__wb_title_text(t, lang);
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

