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
#include "report/workbook_int.h"

static const char *number_formats[MDT_COL_NOK + 1] = {
    [MDT_COL_TEXT] = NULL,    [MDT_COL_INT] = "#,##0", [MDT_COL_NUMBER] = "0.000",
    [MDT_COL_PCT] = "0.00",   [MDT_COL_SHARE] = "0.0%", [MDT_COL_NOK] = "#,##0",
};


/* ---- text ---- */

const char *mdt__wb_title_text(const mdt_table *t, const char *lang) {
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
const char *mdt__wb_sheet_name(const mdt_table *t, const char *lang) {
  char key[80];
  snprintf(key, sizeof key, "sheet_%s", t->name);
  const char *s = lang != NULL && strcmp(lang, "nb") == 0 ? mdt_label_find(key, lang) : NULL;
  return s != NULL && valid_sheet_name(s) ? s : t->name;
}

int mdt__wb_cells_equal(const mdt_cell *a, const mdt_cell *b) {
  if (a->kind != b->kind)
    return 0;
  if (a->kind == 1)
    return a->num == b->num;
  if (a->kind == 2)
    return strcmp(a->text, b->text) == 0;
  return 1;
}

/* ---- cells ---- */

/* Excel's pixels for a column width in characters of the default font (7 pixels each and
 * 5 of padding). */
static double column_px(double width) { return floor(width * 7.0 + 0.5) + 5.0; }

static lxw_error write_sheet(lxw_worksheet *ws, const mdt_table *t, const formats *f,
                             const char *lang, sheet_size *size) {
  size->width_px = 0;
  lxw_error e = worksheet_write_string(ws, TITLE_ROW, 0, mdt__wb_title_text(t, lang), f->title);
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
    if ((sheets[i] = workbook_add_worksheet(wb, mdt__wb_sheet_name(tables[i], lang))) == NULL)
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
      e = mdt__wb_add_chart(wb, sheets[p->table], t, p, lang);
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
    if ((st = mdt__wb_plan_chart(tables, ntables, &charts[ci], ci, &plans[ci], err)) != MDT_OK)
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

