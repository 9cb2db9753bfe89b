/*
 * Tests of the workbook writer and the label dictionary. The workbook is unzipped (with the
 * unzip program) and its XML parts are checked: sheets, number formats, labels in both
 * languages, every chart type, the interval techniques, reproducibility and the errors.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "mandat/table.h"
#include "mandat/workbook.h"
#include "report/labels.h"
#include "testutil.h"

/* ---- fixtures ---- */

static mdt_table *make_table(const char *name, const char *title, size_t ncols,
                             const char *const *names, const mdt_col_kind *kinds) {
  mdt_table *t = NULL;
  mdt_error err;
  mdt_error_clear(&err);
  if (mdt_table_new(name, title, ncols, names, kinds, &t, &err) != MDT_OK)
    fail_msg("mdt_table_new: %s", mdt_test_errstr(&err));
  return t;
}

/* Columns of the settlement sheet: A group, B name, C wage_bill_nok, D employees,
 * E annual_growth_pct, F growth_low_pct, G growth_high_pct, H real_fall_share,
 * I overheng_pct, J glidning_pct. */
static mdt_table *settlement_table(void) {
  static const char *const names[] = {"group",          "name",           "wage_bill_nok",
                                      "employees",      "annual_growth_pct", "growth_low_pct",
                                      "growth_high_pct", "real_fall_share", "overheng_pct",
                                      "glidning_pct"};
  static const mdt_col_kind kinds[] = {MDT_COL_TEXT, MDT_COL_TEXT, MDT_COL_NOK,
                                       MDT_COL_INT,  MDT_COL_PCT,  MDT_COL_PCT,
                                       MDT_COL_PCT,  MDT_COL_SHARE, MDT_COL_PCT,
                                       MDT_COL_PCT};
  mdt_table *t = make_table("settlement", "Settlement by employee group", 10, names, kinds);
  static const struct {
    const char *group, *name;
    double bill, employees, growth, lo, hi, fall, overheng, glidning;
  } rows[] = {
      {"sykepleier", "Sykepleiere", 48512345678.0, 41235, 5.215, 4.875, 5.625, 0.125, 1.25, 0.5},
      {"laerer", "Lærere", 39876543210.5, 36012, 4.96, 4.5, 5.375, 0.0625, 1.125, 0.375},
      /* A group with a negative real estimate and an interval across zero. */
      {"leder", "Ledere", 9876543.0, 1207, -0.5, -1.25, 0.75, 0.875, NAN, -0.25},
      {"assistent", "Assistenter", 12345678901.0, 22001, 2.5, -0.5, 3.25, 0.5, 0.875, 0.25},
  };
  for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
    assert_int_equal(mdt_table_add_row(t), (long)i);
    assert_int_equal(mdt_table_set_text(t, i, 0, rows[i].group), 0);
    assert_int_equal(mdt_table_set_text(t, i, 1, rows[i].name), 0);
    const double v[] = {rows[i].bill,   rows[i].employees, rows[i].growth,
                        rows[i].lo,     rows[i].hi,        rows[i].fall,
                        rows[i].overheng, rows[i].glidning};
    for (size_t k = 0; k < 8; k++)
      mdt_table_set_num(t, i, 2 + k, v[k]);
  }
  /* A number cell holding NaN directly (the struct is public): it must come out blank. */
  t->cells[3 * t->ncols + 7].kind = 1;
  t->cells[3 * t->ncols + 7].num = NAN;
  return t;
}

/* Long data: theta x group, with intervals. */
static mdt_table *sweep_table(void) {
  static const char *const names[] = {"group", "setting", "annual_growth_pct",
                                      "growth_low_pct", "growth_high_pct"};
  static const mdt_col_kind kinds[] = {MDT_COL_TEXT, MDT_COL_NUMBER, MDT_COL_PCT, MDT_COL_PCT,
                                       MDT_COL_PCT};
  mdt_table *t = make_table("sweep_theta", "sweep_theta", 5, names, kinds);
  static const char *const groups[] = {"Sykepleiere", "Lærere", "Assistenter"};
  static const double theta[] = {0.0, 0.25, 0.5, 1.0};
  size_t r = 0;
  for (size_t g = 0; g < 3; g++)
    for (size_t j = 0; j < 4; j++, r++) {
      assert_int_equal(mdt_table_add_row(t), (long)r);
      assert_int_equal(mdt_table_set_text(t, r, 0, groups[g]), 0);
      mdt_table_set_num(t, r, 1, theta[j]);
      double growth = 5.2 + (1.0 - (double)g) * theta[j] * 0.4;
      mdt_table_set_num(t, r, 2, growth);
      mdt_table_set_num(t, r, 3, growth - 0.35);
      mdt_table_set_num(t, r, 4, growth + 0.4);
    }
  return t;
}

static mdt_table *frame_table(void) {
  static const char *const names[] = {"element", "overheng_pct", "annual_effect_pct",
                                      "glidning_pct"};
  static const mdt_col_kind kinds[] = {MDT_COL_TEXT, MDT_COL_PCT, MDT_COL_PCT, MDT_COL_PCT};
  mdt_table *t = make_table("frame", "", 4, names, kinds);
  static const double v[2][3] = {{1.125, 2.925, 1.1}, {0.75, 3.5, 0.875}};
  for (size_t i = 0; i < 2; i++) {
    assert_int_equal(mdt_table_add_row(t), (long)i);
    assert_int_equal(mdt_table_set_text(t, i, 0, i == 0 ? "2024" : "2025"), 0);
    for (size_t k = 0; k < 3; k++)
      mdt_table_set_num(t, i, 1 + k, v[i][k]);
  }
  return t;
}

static const char *const growth_col[] = {"annual_growth_pct"};
static const char *const parts_cols[] = {"overheng_pct", "glidning_pct"};
static const char *const frame_cols[] = {"overheng_pct", "annual_effect_pct", "glidning_pct"};

/* One chart of every kind, in the order their chartN.xml files come out (by sheet, then in
 * the order given). */
static const mdt_chart_spec charts[] = {
    /* chart1: a line with intervals joined by high-low lines */
    {.table = "settlement", .type = MDT_CHART_LINE, .title = "chart_profile", .x_col = "name",
     .nseries = 1, .y_cols = growth_col, .err_low_col = "growth_low_pct",
     .err_high_col = "growth_high_pct"},
    /* chart2: clustered columns, two series */
    {.table = "settlement", .type = MDT_CHART_COLUMN, .title = "Growth parts", .x_col = "name",
     .nseries = 2, .y_cols = parts_cols, .y_title = "annual_growth_pct"},
    /* chart3: bars with intervals (stacked helpers) */
    {.table = "settlement", .type = MDT_CHART_BAR, .x_col = "name", .nseries = 1,
     .y_cols = growth_col, .err_low_col = "growth_low_pct", .err_high_col = "growth_high_pct"},
    /* chart4: columns with intervals (stacked helpers) */
    {.table = "settlement", .type = MDT_CHART_COLUMN, .x_col = "group", .nseries = 1,
     .y_cols = growth_col, .err_low_col = "growth_low_pct", .err_high_col = "growth_high_pct"},
    /* chart5: one line per group along theta, with bands */
    {.table = "sweep_theta", .type = MDT_CHART_LINE, .title = "chart_sweep_theta",
     .x_col = "setting", .nseries = 1, .y_cols = growth_col, .series_by_col = "group",
     .err_low_col = "growth_low_pct", .err_high_col = "growth_high_pct", .x_title = "theta"},
    /* chart6: stacked columns */
    {.table = "frame", .type = MDT_CHART_COLUMN_STACKED, .title = "chart_frame",
     .x_col = "element", .nseries = 3, .y_cols = frame_cols},
};
#define NCHARTS (sizeof charts / sizeof charts[0])

typedef struct {
  mdt_table *t[3];
} fixture;

static int setup(void **state) {
  fixture *f = calloc(1, sizeof *f);
  f->t[0] = settlement_table();
  f->t[1] = sweep_table();
  f->t[2] = frame_table();
  *state = f;
  return 0;
}

static int teardown(void **state) {
  fixture *f = *state;
  for (int i = 0; i < 3; i++)
    mdt_table_free(f->t[i]);
  free(f);
  return 0;
}

/* ---- reading the workbook ---- */

static char *path_in_tmp(const char *name) {
  size_t n = strlen(mdt_test_tmpdir()) + strlen(name) + 2;
  char *p = malloc(n);
  assert_non_null(p);
  snprintf(p, n, "%s/%s", mdt_test_tmpdir(), name);
  return p;
}

static char *slurp(const char *path, size_t *len) {
  FILE *fp = fopen(path, "rb");
  if (fp == NULL)
    fail_msg("cannot open %s", path);
  assert_int_equal(fseek(fp, 0, SEEK_END), 0);
  long n = ftell(fp);
  assert_true(n >= 0);
  rewind(fp);
  char *buf = malloc((size_t)n + 1);
  assert_non_null(buf);
  assert_int_equal(fread(buf, 1, (size_t)n, fp), (size_t)n);
  buf[n] = '\0';
  fclose(fp);
  if (len != NULL)
    *len = (size_t)n;
  return buf;
}

/* Writes the fixture's tables to tmp/<name>.xlsx and unzips it into tmp/<name>/. */
static char *write_and_unzip(const fixture *f, const char *name, const char *lang) {
  char file[256];
  snprintf(file, sizeof file, "%s.xlsx", name);
  char *xlsx = path_in_tmp(file);
  char *dir = path_in_tmp(name);
  mdt_error err;
  mdt_error_clear(&err);
  const mdt_table *const tables[] = {f->t[0], f->t[1], f->t[2]};
  if (mdt_workbook_write(xlsx, tables, 3, charts, NCHARTS, lang, &err) != MDT_OK)
    fail_msg("mdt_workbook_write: %s", mdt_test_errstr(&err));
  char cmd[1200];
  snprintf(cmd, sizeof cmd, "rm -rf '%s' && unzip -q -o '%s' -d '%s'", dir, xlsx, dir);
  if (system(cmd) != 0)
    fail_msg("unzip failed: %s", cmd);
  free(xlsx);
  return dir;
}

static char *part(const char *dir, const char *name) {
  char path[1024];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  return slurp(path, NULL);
}

#define assert_has(hay, needle)                                                                \
  do {                                                                                         \
    if (strstr((hay), (needle)) == NULL)                                                       \
      fail_msg("'%s' not found", (needle));                                                    \
  } while (0)
#define assert_lacks(hay, needle)                                                              \
  do {                                                                                         \
    if (strstr((hay), (needle)) != NULL)                                                       \
      fail_msg("'%s' found", (needle));                                                        \
  } while (0)

static size_t count(const char *hay, const char *needle) {
  size_t n = 0;
  for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle))
    n++;
  return n;
}

/* The style index (s="...") of cell ref in a sheet, or -1 when the cell is not written. */
static long cell_style(const char *sheet, const char *ref) {
  char key[32];
  snprintf(key, sizeof key, "<c r=\"%s\"", ref);
  const char *c = strstr(sheet, key);
  if (c == NULL)
    return -1;
  const char *end = strchr(c, '>');
  const char *s = strstr(c, " s=\"");
  if (s == NULL || s > end)
    return 0;
  return strtol(s + 4, NULL, 10);
}

/* The value (<v>) of cell ref, or NULL when not written; a static buffer. */
static const char *cell_value(const char *sheet, const char *ref) {
  static char buf[64];
  char key[32];
  snprintf(key, sizeof key, "<c r=\"%s\"", ref);
  const char *c = strstr(sheet, key);
  if (c == NULL)
    return NULL;
  const char *v = strstr(c, "<v>");
  const char *close = strstr(c, "</c>");
  if (v == NULL || (close != NULL && v > close))
    return NULL;
  v += 3;
  size_t n = strcspn(v, "<");
  snprintf(buf, sizeof buf, "%.*s", (int)n, v);
  return buf;
}

/* The number format code of cell style xf in styles.xml. */
static char *style_format(const char *styles, long xf) {
  const char *p = strstr(styles, "<cellXfs");
  assert_non_null(p);
  for (long i = 0; i <= xf; i++) {
    p = strstr(p + 1, "<xf ");
    assert_non_null(p);
  }
  long id = strtol(strstr(p, "numFmtId=\"") + 10, NULL, 10);
  char key[64];
  snprintf(key, sizeof key, "<numFmt numFmtId=\"%ld\" formatCode=\"", id);
  const char *f = strstr(styles, key);
  if (f == NULL)
    return strdup(id == 0 ? "General" : "builtin");
  f += strlen(key);
  return strndup(f, strcspn(f, "\""));
}

/* The first and last rows (0-based) of the first n chart anchors of a drawing. */
static void anchors(const char *drawing, long *from, long *to, size_t n) {
  const char *p = drawing;
  for (size_t k = 0; k < n; k++) {
    p = strstr(p, "<xdr:from>");
    assert_non_null(p);
    from[k] = strtol(strstr(p, "<xdr:row>") + 9, NULL, 10);
    p = strstr(p, "<xdr:to>");
    assert_non_null(p);
    to[k] = strtol(strstr(p, "<xdr:row>") + 9, NULL, 10);
  }
}

/* A sheet's <rowBreaks> element, or "" (a copy). */
static char *row_breaks(const char *sheet) {
  const char *b = strstr(sheet, "<rowBreaks");
  if (b == NULL)
    return strdup("");
  return strndup(b, (size_t)(strstr(b, "</rowBreaks>") - b));
}

/* ---- tests ---- */

static void test_sheets_and_cells(void **state) {
  fixture *f = *state;
  char *dir = write_and_unzip(f, "en", "en");
  char *wbxml = part(dir, "xl/workbook.xml");
  const char *s1 = strstr(wbxml, "<sheet name=\"settlement\"");
  const char *s2 = strstr(wbxml, "<sheet name=\"sweep_theta\"");
  const char *s3 = strstr(wbxml, "<sheet name=\"frame\"");
  assert_true(s1 != NULL && s2 != NULL && s3 != NULL && s1 < s2 && s2 < s3);
  assert_int_equal(count(wbxml, "<sheet "), 3);

  char *sheet = part(dir, "xl/worksheets/sheet1.xml");
  char *styles = part(dir, "xl/styles.xml");
  char *strings = part(dir, "xl/sharedStrings.xml");
  /* Title in row 1, labels in row 3, data from row 4, panes frozen below the labels. */
  assert_non_null(cell_value(sheet, "A1"));
  assert_null(cell_value(sheet, "A2"));
  assert_non_null(cell_value(sheet, "C3"));
  assert_has(sheet, "<pane ySplit=\"3\" topLeftCell=\"A4\"");
  assert_has(sheet, "state=\"frozen\"/>");
  assert_has(strings, "<t>Settlement by employee group</t>");
  assert_has(strings, "<t>Annual wage growth, %</t>");
  assert_has(strings, "<t>Wage bill, NOK</t>");
  assert_has(strings, "<t>Lærere</t>");

  /* Number formats by column kind; the header is bold. */
  char *fmt;
  fmt = style_format(styles, cell_style(sheet, "C4")); /* NOK */
  assert_string_equal(fmt, "#,##0");
  free(fmt);
  fmt = style_format(styles, cell_style(sheet, "D4")); /* INT */
  assert_string_equal(fmt, "#,##0");
  free(fmt);
  fmt = style_format(styles, cell_style(sheet, "E4")); /* PCT */
  assert_string_equal(fmt, "0.00");
  free(fmt);
  fmt = style_format(styles, cell_style(sheet, "H4")); /* SHARE */
  assert_string_equal(fmt, "0.0%");
  free(fmt);
  assert_int_equal(cell_style(sheet, "B4"), 0); /* text as is */
  assert_has(styles, "<b/>");

  /* Values are written exactly; the formats only show them. */
  assert_string_equal(cell_value(sheet, "C5"), "39876543210.5");
  assert_string_equal(cell_value(sheet, "E6"), "-0.5");
  /* An empty cell and a NaN cell are left blank. */
  assert_null(cell_value(sheet, "I6"));
  assert_int_equal(cell_style(sheet, "I6"), -1);
  assert_int_equal(cell_style(sheet, "H7"), -1);
  assert_non_null(cell_value(sheet, "H6"));

  /* Columns are sized (the name column fits "Sykepleiere"; the NOK column its digits). */
  assert_has(sheet, "<cols>");
  assert_has(sheet, "customWidth=\"1\"");

  char *sheet2 = part(dir, "xl/worksheets/sheet2.xml");
  fmt = style_format(styles, cell_style(sheet2, "B4")); /* NUMBER */
  assert_string_equal(fmt, "0.000");
  free(fmt);

  char *core = part(dir, "docProps/core.xml");
  assert_has(core, "<dcterms:created xsi:type=\"dcterms:W3CDTF\">2024-01-01T00:00:00Z");
  assert_has(core, "<dc:creator>mandat</dc:creator>");

  free(core);
  free(sheet2);
  free(strings);
  free(styles);
  free(sheet);
  free(wbxml);
  free(dir);
}

static void test_charts(void **state) {
  fixture *f = *state;
  char *dir = write_and_unzip(f, "charts", "en");
  char *c[NCHARTS];
  for (size_t i = 0; i < NCHARTS; i++) {
    char name[64];
    snprintf(name, sizeof name, "xl/charts/chart%zu.xml", i + 1);
    c[i] = part(dir, name);
  }
  char extra[1100];
  snprintf(extra, sizeof extra, "%s/xl/charts/chart%zu.xml", dir, NCHARTS + 1);
  struct stat st;
  assert_int_not_equal(stat(extra, &st), 0);

  /* 1: one line, its interval ends as two more series joined by high-low lines. */
  assert_has(c[0], "<c:lineChart>");
  assert_int_equal(count(c[0], "<c:ser>"), 3);
  assert_has(c[0], "<c:hiLowLines>");
  assert_lacks(c[0], "short_dash"); /* libxlsxwriter's dash marker is not valid OOXML */
  assert_has(c[0], "<c:f>settlement!$F$4:$F$7</c:f>");
  assert_has(c[0], "<c:f>settlement!$G$4:$G$7</c:f>");
  assert_has(c[0], "<a:t>Mandate profile with intervals</a:t>");
  assert_lacks(c[0], "<c:legend>"); /* one series: no legend */
  /* 2: clustered columns with two series named by their header cells. */
  assert_has(c[1], "<c:barChart>");
  assert_has(c[1], "<c:barDir val=\"col\"/>");
  assert_has(c[1], "<c:grouping val=\"clustered\"/>");
  assert_int_equal(count(c[1], "<c:ser>"), 2);
  assert_has(c[1], "<c:tx><c:strRef><c:f>settlement!$I$3</c:f>");
  assert_has(c[1], "<c:f>settlement!$B$4:$B$7</c:f>");
  assert_has(c[1], "<a:t>Growth parts</a:t>");
  assert_has(c[1], "<a:t>Annual wage growth, %</a:t>");
  assert_lacks(c[1], "<c:errBars>");
  /* 3: horizontal bars with intervals: stacked helper columns, three error bars. */
  assert_has(c[2], "<c:barDir val=\"bar\"/>");
  assert_has(c[2], "<c:grouping val=\"stacked\"/>");
  assert_int_equal(count(c[2], "<c:ser>"), 5);
  assert_int_equal(count(c[2], "<c:errBars>"), 3);
  assert_has(c[2], "<c:errValType val=\"percentage\"/><c:noEndCap val=\"1\"/><c:val val=\"100\"/>");
  assert_has(c[2], "<c:f>settlement!$L$4:$L$7</c:f>");
  assert_has(c[2], "<c:f>settlement!$P$4:$P$7</c:f>");
  assert_has(c[2], "<c:orientation val=\"maxMin\"/>");
  /* 4: columns with intervals: the next five helper columns. */
  assert_has(c[3], "<c:barDir val=\"col\"/>");
  assert_has(c[3], "<c:grouping val=\"stacked\"/>");
  assert_int_equal(count(c[3], "<c:errBars>"), 3);
  assert_has(c[3], "<c:f>settlement!$Q$4:$Q$7</c:f>");
  assert_has(c[3], "<c:f>settlement!$U$4:$U$7</c:f>");
  /* 5: one line per group (series by column), with dashed bands and no high-low lines. */
  assert_has(c[4], "<c:lineChart>");
  assert_int_equal(count(c[4], "<c:ser>"), 9);
  assert_lacks(c[4], "<c:hiLowLines>");
  assert_has(c[4], "<c:f>sweep_theta!$A$4</c:f>"); /* name of the first group */
  assert_has(c[4], "<c:f>sweep_theta!$A$8</c:f>");
  assert_has(c[4], "<c:f>sweep_theta!$C$12:$C$15</c:f>");
  assert_has(c[4], "<c:f>sweep_theta!$B$4:$B$7</c:f>"); /* categories of the first group */
  assert_lacks(c[4], "<c:f>sweep_theta!$B$8:$B$11</c:f>");
  assert_has(c[4], "<a:prstDash val=\"dash\"/>");
  assert_int_equal(count(c[4], "<c:legendEntry>"), 6);
  assert_has(c[4], "<a:t>Priority weight θ</a:t>");
  /* 6: stacked columns. */
  assert_has(c[5], "<c:barDir val=\"col\"/>");
  assert_has(c[5], "<c:grouping val=\"stacked\"/>");
  assert_int_equal(count(c[5], "<c:ser>"), 3);
  assert_lacks(c[5], "<c:errBars>");

  /* The helper columns are hidden, and hold the pieces of each interval: row 7 is
   * 2.5 in [-0.5, 3.25]: bar 0 + 1.25 + 1.25, upper whisker half 0.375, lower -0.25. */
  char *sheet = part(dir, "xl/worksheets/sheet1.xml");
  assert_has(sheet, "<col min=\"12\" max=\"16\" width=\"8.7109375\" hidden=\"1\"");
  assert_has(sheet, "<col min=\"17\" max=\"21\" width=\"8.7109375\" hidden=\"1\"");
  assert_string_equal(cell_value(sheet, "L7"), "0");
  assert_string_equal(cell_value(sheet, "M7"), "1.25");
  assert_string_equal(cell_value(sheet, "N7"), "1.25");
  assert_string_equal(cell_value(sheet, "O7"), "0.375");
  assert_string_equal(cell_value(sheet, "P7"), "-0.25");
  /* Row 6 is -0.5 in [-1.25, 0.75]: bar 0 - 0.25 - 0.25, lower half -0.375, upper 0.375. */
  assert_string_equal(cell_value(sheet, "L6"), "0");
  assert_string_equal(cell_value(sheet, "M6"), "-0.25");
  assert_string_equal(cell_value(sheet, "O6"), "-0.375");
  assert_string_equal(cell_value(sheet, "P6"), "0.375");
  /* The charts sit below the table (4 rows, from row 4) after a blank row, one below the
   * other in column A; the first shares the table's page, each of the others starts a page
   * of its own (a manual break at its first row), and none overlaps the next. */
  char *drawing = part(dir, "xl/drawings/drawing1.xml");
  assert_int_equal(count(drawing, "<xdr:from><xdr:col>0</xdr:col>"), 4);
  assert_has(drawing, "<xdr:from><xdr:col>0</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>8</xdr:row>");
  long from[4], to[4];
  anchors(drawing, from, to, 4);
  assert_int_equal(from[0], 8);
  char *breaks = row_breaks(sheet);
  for (int k = 1; k < 4; k++) {
    assert_true(from[k] > to[k - 1]);
    char brk[64];
    snprintf(brk, sizeof brk, "<brk id=\"%ld\" max=\"16383\" man=\"1\"/>", from[k]);
    assert_has(breaks, brk);
  }
  assert_int_equal(count(breaks, "<brk "), 3);
  free(breaks);
  char *drawing3 = part(dir, "xl/drawings/drawing3.xml");
  assert_has(drawing3, "<xdr:from><xdr:col>0</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>6</xdr:row>");
  /* Every category is labelled. */
  for (size_t i = 0; i < NCHARTS; i++)
    assert_has(c[i], "<c:tickLblSkip val=\"1\"/>");

  free(drawing3);
  free(drawing);
  free(sheet);
  for (size_t i = 0; i < NCHARTS; i++)
    free(c[i]);
  free(dir);
}

static void test_norwegian(void **state) {
  fixture *f = *state;
  char *dir = write_and_unzip(f, "nb", "nb");
  char *strings = part(dir, "xl/sharedStrings.xml");
  assert_has(strings, "<t>Årslønnsvekst, %</t>");
  assert_has(strings, "<t>Lønnsmasse, kr</t>");
  assert_has(strings, "<t>Stillingsgruppe</t>");
  assert_has(strings, "<t>Andel med reallønnsnedgang</t>");
  /* Titles: an English sentence gives way to the table's Norwegian name; an empty title is
   * the table's name; data stay as they are. */
  assert_has(strings, "<t>Oppgjøret per stillingsgruppe</t>");
  assert_lacks(strings, "Settlement by employee group");
  assert_has(strings, "<t>Rammen: årslønnsvekst</t>");
  assert_has(strings, "<t>Variasjon av prioriteringsvekten θ</t>");
  assert_has(strings, "<t>Lærere</t>");
  assert_lacks(strings, "Annual wage growth");
  char *c1 = part(dir, "xl/charts/chart1.xml");
  assert_has(c1, "<a:t>Mandatprofil med usikkerhetsintervall</a:t>");
  assert_has(c1, "<a:t>Navn</a:t>");
  char *c2 = part(dir, "xl/charts/chart2.xml");
  assert_has(c2, "<a:t>Growth parts</a:t>"); /* free text cannot be translated */
  free(c2);
  free(c1);
  free(strings);
  free(dir);
}

static void test_reproducible(void **state) {
  fixture *f = *state;
  char *a = write_and_unzip(f, "first", "en");
  char *b = write_and_unzip(f, "second", "en");
  static const char *const parts[] = {"xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml",
                                      "xl/charts/chart1.xml",     "xl/charts/chart5.xml",
                                      "docProps/core.xml",        "xl/sharedStrings.xml",
                                      "xl/styles.xml"};
  for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
    char *pa = part(a, parts[i]);
    char *pb = part(b, parts[i]);
    if (strcmp(pa, pb) != 0)
      fail_msg("%s differs between two writes", parts[i]);
    free(pa);
    free(pb);
  }
  /* libxlsxwriter dates the zip entries by the document's creation time, so the whole
   * files agree too. */
  char *xa = path_in_tmp("first.xlsx");
  char *xb = path_in_tmp("second.xlsx");
  size_t la, lb;
  char *da = slurp(xa, &la);
  char *db = slurp(xb, &lb);
  assert_int_equal(la, lb);
  assert_memory_equal(da, db, la);
  free(da);
  free(db);
  free(xa);
  free(xb);
  free(a);
  free(b);
}

/* A workbook call expected to fail with st before anything is written to path. */
static void expect_failure(const mdt_table *const *tables, size_t ntables,
                           const mdt_chart_spec *cs, size_t ncharts, const char *lang,
                           mdt_status want, const char *needle) {
  char *path = path_in_tmp("failed.xlsx");
  remove(path);
  mdt_error err;
  mdt_error_clear(&err);
  mdt_status st = mdt_workbook_write(path, tables, ntables, cs, ncharts, lang, &err);
  if (st != want)
    fail_msg("status %d, expected %d: %s", (int)st, (int)want, mdt_test_errstr(&err));
  assert_int_equal(err.status, want);
  if (strstr(err.message, needle) == NULL)
    fail_msg("message '%s' lacks '%s'", err.message, needle);
  struct stat sb;
  assert_int_not_equal(stat(path, &sb), 0);
  free(path);
}

static void test_usage_errors(void **state) {
  fixture *f = *state;
  const mdt_table *const tables[] = {f->t[0], f->t[1], f->t[2]};
  mdt_chart_spec c = charts[0];
  c.table = "profile";
  expect_failure(tables, 3, &c, 1, "en", MDT_EUSAGE, "chart 1 names table 'profile'");
  c = charts[1];
  c.x_col = "region";
  expect_failure(tables, 3, &c, 1, "en", MDT_EUSAGE, "no category column 'region'");
  const char *const missing[] = {"overheng_pct", "real_growth_pct"};
  c = charts[1];
  c.y_cols = missing;
  expect_failure(tables, 3, &c, 1, "en", MDT_EUSAGE, "no value column 'real_growth_pct'");
  c = charts[4];
  c.series_by_col = "region";
  expect_failure(tables, 3, &c, 1, "en", MDT_EUSAGE, "no series column 'region'");
  c = charts[0];
  c.err_high_col = "ci_high";
  expect_failure(tables, 3, &c, 1, "en", MDT_EUSAGE, "no upper bound column 'ci_high'");
  c.err_high_col = NULL;
  expect_failure(tables, 3, &c, 1, "en", MDT_EUSAGE, "both a lower and an upper");
  /* The second chart is the bad one: nothing is written for the first either. */
  mdt_chart_spec two[2] = {charts[0], charts[1]};
  two[1].nseries = 0;
  expect_failure(tables, 3, two, 2, "en", MDT_EUSAGE, "chart 2: no value column");
  c = charts[2];
  c.y_cols = parts_cols;
  c.nseries = 2;
  expect_failure(tables, 3, &c, 1, "en", MDT_EUSAGE, "need one value series");
  c = charts[5];
  c.err_low_col = "overheng_pct";
  c.err_high_col = "glidning_pct";
  expect_failure(tables, 3, &c, 1, "en", MDT_EUSAGE, "stacked column chart cannot");
  c = charts[4];
  c.type = MDT_CHART_COLUMN;
  expect_failure(tables, 3, &c, 1, "en", MDT_EUSAGE, "need one value series");
  c = charts[0];
  c.type = (mdt_chart_type)9;
  expect_failure(tables, 3, &c, 1, "en", MDT_EUSAGE, "unknown chart type 9");

  /* Series by a column whose rows are not grouped. */
  mdt_table *t = sweep_table();
  assert_int_equal(mdt_table_set_text(t, 6, 0, "Sykepleiere"), 0);
  const mdt_table *const ungrouped[] = {t};
  c = charts[4];
  expect_failure(ungrouped, 1, &c, 1, "en", MDT_EUSAGE, "not grouped by 'group'");
  mdt_table_free(t);

  expect_failure(tables, 3, NULL, 0, "nn", MDT_EUSAGE, "unknown language 'nn'");
  expect_failure(tables, 0, NULL, 0, "en", MDT_EUSAGE, "at least one table");
  const mdt_table *const twice[] = {f->t[0], f->t[1], f->t[0]};
  expect_failure(twice, 3, NULL, 0, "en", MDT_EUSAGE, "two tables are named 'settlement'");
}

static void test_cannot_write(void **state) {
  fixture *f = *state;
  const mdt_table *const tables[] = {f->t[0], f->t[1], f->t[2]};
  mdt_error err;
  mdt_error_clear(&err);
  char *path = path_in_tmp("no-such-dir/report.xlsx");
  assert_int_equal(mdt_workbook_write(path, tables, 3, charts, NCHARTS, "en", &err),
                   MDT_ECANTWRITE);
  assert_int_equal(err.status, MDT_ECANTWRITE);
  assert_has(err.message, path);
  free(path);
  /* libxlsxwriter's own refusal: a text longer than a cell can hold. The file it had
   * started is removed. */
  mdt_table *t = frame_table();
  char *huge = malloc(40001);
  assert_non_null(huge);
  memset(huge, 'x', 40000);
  huge[40000] = '\0';
  assert_int_equal(mdt_table_set_text(t, 1, 0, huge), 0);
  free(huge);
  const mdt_table *const one[] = {t};
  path = path_in_tmp("huge.xlsx");
  mdt_error_clear(&err);
  assert_int_equal(mdt_workbook_write(path, one, 1, NULL, 0, "en", &err), MDT_ECANTWRITE);
  assert_has(err.message, "String exceeds Excel's limit of 32,767 characters"); /* lxw_strerror */
  struct stat sb;
  assert_int_not_equal(stat(path, &sb), 0);
  free(path);
  mdt_table_free(t);

  /* A directory in the way. */
  mdt_error_clear(&err);
  assert_int_equal(mdt_workbook_write(mdt_test_tmpdir(), tables, 3, NULL, 0, "en", &err),
                   MDT_ECANTWRITE);
}

static void test_empty_table(void **state) {
  (void)state;
  static const char *const names[] = {"region", "l1_distance_pp"};
  static const mdt_col_kind kinds[] = {MDT_COL_TEXT, MDT_COL_PCT};
  mdt_table *t = make_table("regions", NULL, 2, names, kinds);
  static const char *const y[] = {"l1_distance_pp"};
  const mdt_chart_spec c = {.table = "regions", .type = MDT_CHART_BAR, .x_col = "region",
                            .nseries = 1, .y_cols = y};
  const mdt_table *const tables[] = {t};
  char *path = path_in_tmp("empty.xlsx");
  mdt_error err;
  mdt_error_clear(&err);
  if (mdt_workbook_write(path, tables, 1, &c, 1, NULL, &err) != MDT_OK)
    fail_msg("%s", mdt_test_errstr(&err));
  char cmd[1200];
  snprintf(cmd, sizeof cmd, "unzip -l '%s' | grep -q 'xl/charts/'", path);
  assert_int_not_equal(system(cmd), 0); /* no chart without data */
  snprintf(cmd, sizeof cmd, "unzip -p '%s' xl/sharedStrings.xml | grep -q 'Regional mandates'",
           path);
  assert_int_equal(system(cmd), 0); /* no title: the table name's label */
  free(path);
  mdt_table_free(t);
}

/* The <font> element of cell style xf in styles.xml (a copy). */
static char *style_font(const char *styles, long xf) {
  const char *p = strstr(styles, "<cellXfs");
  assert_non_null(p);
  for (long i = 0; i <= xf; i++) {
    p = strstr(p + 1, "<xf ");
    assert_non_null(p);
  }
  long id = strtol(strstr(p, "fontId=\"") + 8, NULL, 10);
  const char *f = strstr(styles, "<fonts");
  assert_non_null(f);
  for (long i = 0; i <= id; i++) {
    f = strstr(f + 1, "<font>");
    assert_non_null(f);
  }
  return strndup(f, (size_t)(strstr(f, "</font>") - f));
}

/* Rows whose "binding" column is not empty (sweep points the bounds settle or that cannot be
 * met) are grey italics, with the column's number format kept; the others are as usual. */
static void test_binding_rows_marked(void **state) {
  (void)state;
  static const char *const names[] = {"value", "binding", "scalar"};
  static const mdt_col_kind kinds[] = {MDT_COL_NUMBER, MDT_COL_TEXT, MDT_COL_PCT};
  mdt_table *t = make_table("sweep_summary", "Sweep", 3, names, kinds);
  assert_int_equal(mdt_table_add_row(t), 0);
  mdt_table_set_num(t, 0, 0, 0.5);
  assert_int_equal(mdt_table_set_text(t, 0, 1, ""), 0);
  mdt_table_set_num(t, 0, 2, 4.4319);
  assert_int_equal(mdt_table_add_row(t), 1);
  mdt_table_set_num(t, 1, 0, 2);
  assert_int_equal(mdt_table_set_text(t, 1, 1, "all at cap"), 0);
  char *xlsx = path_in_tmp("binding.xlsx"), *dir = path_in_tmp("binding");
  mdt_error err;
  const mdt_table *const tables[] = {t};
  if (mdt_workbook_write(xlsx, tables, 1, NULL, 0, "en", &err) != MDT_OK)
    fail_msg("%s", mdt_test_errstr(&err));
  char cmd[1200];
  snprintf(cmd, sizeof cmd, "rm -rf '%s' && unzip -q -o '%s' -d '%s'", dir, xlsx, dir);
  assert_int_equal(system(cmd), 0);
  char *sheet = part(dir, "xl/worksheets/sheet1.xml");
  char *styles = part(dir, "xl/styles.xml");
  /* row 4: nothing binds: the number format alone, no italics */
  char *font = style_font(styles, cell_style(sheet, "A4"));
  assert_lacks(font, "<i/>");
  free(font);
  assert_int_equal(cell_style(sheet, "B4"), -1); /* an empty text is not written */
  /* row 5: marked, its number still in the column's format, its text marked too */
  font = style_font(styles, cell_style(sheet, "A5"));
  assert_has(font, "<i/>");
  assert_has(font, "808080");
  free(font);
  char *fmt = style_format(styles, cell_style(sheet, "A5"));
  assert_string_equal(fmt, "0.000");
  free(fmt);
  font = style_font(styles, cell_style(sheet, "B5"));
  assert_has(font, "<i/>");
  free(font);
  assert_int_equal(cell_style(sheet, "C5"), -1); /* no number: blank */
  free(styles);
  free(sheet);
  free(dir);
  free(xlsx);
  mdt_table_free(t);
}

/* Every sheet prints landscape on A4, one page wide, its rows down to the column labels
 * repeated, the sheet's name and page number in the footer. */
static void test_print_setup(void **state) {
  fixture *f = *state;
  char *dir = write_and_unzip(f, "print", "en");
  char *wbxml = part(dir, "xl/workbook.xml");
  assert_has(wbxml, "<definedName name=\"_xlnm.Print_Titles\" localSheetId=\"0\">settlement!$1:$3</definedName>");
  assert_has(wbxml, "<definedName name=\"_xlnm.Print_Titles\" localSheetId=\"2\">frame!$1:$3</definedName>");
  for (int k = 1; k <= 3; k++) {
    char name[64];
    snprintf(name, sizeof name, "xl/worksheets/sheet%d.xml", k);
    char *sheet = part(dir, name);
    assert_has(sheet, "<sheetPr><pageSetUpPr fitToPage=\"1\"/></sheetPr>");
    assert_has(sheet, "<pageSetup paperSize=\"9\" fitToHeight=\"0\" orientation=\"landscape\"/>");
    assert_has(sheet, "<oddFooter>&amp;L&amp;A&amp;R&amp;P / &amp;N</oddFooter>");
    assert_has(sheet, "<pageMargins left=\"0.4\" right=\"0.4\" top=\"0.75\" bottom=\"0.75\"");
    assert_has(sheet, "<row r=\"1\" spans=\"1:"); /* the title row's height is set ... */
    assert_has(sheet, "ht=\"18\" customHeight=\"1\""); /* ... so that pages can be reckoned */
    free(sheet);
  }
  free(wbxml);
  free(dir);
}

/* Writes tables (and charts, and a summary) to tmp/<name>.xlsx, unzips it into tmp/<name>/
 * and returns the folder. */
static char *write_unzip_with(const char *name, const mdt_workbook_summary *sum,
                              const mdt_table *const *tables, size_t ntables,
                              const mdt_chart_spec *cs, size_t ncharts, const char *lang) {
  char file[256];
  snprintf(file, sizeof file, "%s.xlsx", name);
  char *xlsx = path_in_tmp(file), *dir = path_in_tmp(name);
  mdt_error err;
  mdt_error_clear(&err);
  if (mdt_workbook_write_with_summary(xlsx, sum, tables, ntables, cs, ncharts, lang, &err) !=
      MDT_OK)
    fail_msg("mdt_workbook_write_with_summary: %s", mdt_test_errstr(&err));
  char cmd[1200];
  snprintf(cmd, sizeof cmd, "rm -rf '%s' && unzip -q -o '%s' -d '%s'", dir, xlsx, dir);
  assert_int_equal(system(cmd), 0);
  free(xlsx);
  return dir;
}

/* The frame decomposed as long rows (scope, component, value), the totals among them. */
static mdt_table *long_frame_table(void) {
  static const char *const names[] = {"scope", "component", "annual_effect_pct"};
  static const mdt_col_kind kinds[] = {MDT_COL_TEXT, MDT_COL_TEXT, MDT_COL_PCT};
  mdt_table *t = make_table("frame", "The frame", 3, names, kinds);
  static const struct {
    const char *scope, *component;
    double v;
  } rows[] = {{"area", "overheng", 1.75}, {"area", "central", 2.4375}, {"area", "named:c34", 0.25},
              {"area", "annual_growth", 4.4375}, {"covered", "overheng", 1.8},
              {"covered", "central", 3.025}, {"covered", "annual_growth", 4.825},
              {"covered", "frame", 5.2}};
  for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
    assert_int_equal(mdt_table_add_row(t), (long)i);
    assert_int_equal(mdt_table_set_text(t, i, 0, rows[i].scope), 0);
    assert_int_equal(mdt_table_set_text(t, i, 1, rows[i].component), 0);
    mdt_table_set_num(t, i, 2, rows[i].v);
  }
  return t;
}

/* A stacked chart over long rows: the parts stacked per scope from hidden helper columns,
 * the totals left out; a part a scope lacks is an empty cell. */
static void test_stacked_from_long_rows(void **state) {
  (void)state;
  mdt_table *t = long_frame_table();
  static const char *const y[] = {"annual_effect_pct"};
  static const char *const totals[] = {"annual_growth", "frame", NULL};
  const mdt_chart_spec c = {.table = "frame", .type = MDT_CHART_COLUMN_STACKED,
                            .title = "chart_frame", .x_col = "scope", .nseries = 1, .y_cols = y,
                            .series_by_col = "component", .exclude = totals};
  const mdt_table *const tables[] = {t};
  char *dir = write_unzip_with("stacked", NULL, tables, 1, &c, 1, "en");
  char *chart = part(dir, "xl/charts/chart1.xml");
  char *sheet = part(dir, "xl/worksheets/sheet1.xml");
  assert_has(chart, "<c:grouping val=\"stacked\"/>");
  assert_has(chart, "<c:overlap val=\"100\"/>");
  assert_int_equal(count(chart, "<c:ser>"), 3); /* overheng, central, named:c34 */
  /* categories area and covered in column E (after the table and a blank column), one
   * column per part beside them; series named by their first row in the table */
  assert_has(chart, "<c:cat><c:strRef><c:f>frame!$E$4:$E$5</c:f>");
  assert_has(chart, "<c:val><c:numRef><c:f>frame!$F$4:$F$5</c:f>");
  assert_has(chart, "<c:val><c:numRef><c:f>frame!$H$4:$H$5</c:f>");
  assert_has(chart, "<c:tx><c:strRef><c:f>frame!$B$4</c:f>");
  assert_has(chart, "<c:tx><c:strRef><c:f>frame!$B$5</c:f>");
  assert_has(chart, "<c:tx><c:strRef><c:f>frame!$B$6</c:f>");
  assert_lacks(chart, "frame!$B$7<"); /* annual_growth is a total */
  assert_lacks(chart, "<c:plotVisOnly"); /* hidden helpers are plotted (libxlsxwriter leaves the element out) */
  assert_has(chart, "<c:legendPos val=\"b\"/>");
  assert_has(sheet, "<col min=\"5\" max=\"8\" width=\"8.7109375\" hidden=\"1\"");
  assert_string_equal(cell_value(sheet, "F4"), "1.75");
  assert_string_equal(cell_value(sheet, "G5"), "3.025");
  assert_string_equal(cell_value(sheet, "H4"), "0.25");
  assert_null(cell_value(sheet, "H5")); /* covered has no named increase */
  free(sheet);
  free(chart);
  free(dir);

  /* A category and series pair in two rows cannot be stacked. */
  assert_int_equal(mdt_table_set_text(t, 5, 1, "overheng"), 0);
  expect_failure(tables, 1, &c, 1, "en", MDT_EUSAGE, "rows 5 and 6 of table 'frame' have the "
                                                       "same 'scope' and 'component'");
  mdt_table_free(t);
}

/* Among general numbers a column of whole numbers shows none of the decimals it lacks, and a
 * count of 1 000 or more is a count wherever it is; other numbers keep three decimals. */
static void test_whole_numbers(void **state) {
  (void)state;
  static const char *const names[] = {"statistic", "value", "month"};
  static const mdt_col_kind kinds[] = {MDT_COL_TEXT, MDT_COL_NUMBER, MDT_COL_NUMBER};
  mdt_table *t = make_table("uncertainty", "Monte Carlo", 3, names, kinds);
  static const struct {
    const char *stat;
    double v, month;
  } rows[] = {{"draws", 20000, 1}, {"p_growth_above_frame", 0.398, 5}, {"frame_pct", 5, 12}};
  for (size_t i = 0; i < 3; i++) {
    assert_int_equal(mdt_table_add_row(t), (long)i);
    assert_int_equal(mdt_table_set_text(t, i, 0, rows[i].stat), 0);
    mdt_table_set_num(t, i, 1, rows[i].v);
    mdt_table_set_num(t, i, 2, rows[i].month);
  }
  const mdt_table *const tables[] = {t};
  char *dir = write_unzip_with("whole", NULL, tables, 1, NULL, 0, "en");
  char *sheet = part(dir, "xl/worksheets/sheet1.xml");
  char *styles = part(dir, "xl/styles.xml");
  static const struct {
    const char *ref, *fmt;
  } want[] = {{"B4", "#,##0"}, {"B5", "0.000"}, {"B6", "0.000"},
              {"C4", "#,##0"}, {"C5", "#,##0"}, {"C6", "#,##0"}};
  for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
    char *fmt = style_format(styles, cell_style(sheet, want[i].ref));
    if (strcmp(fmt, want[i].fmt) != 0)
      fail_msg("%s: format %s, expected %s", want[i].ref, fmt, want[i].fmt);
    free(fmt);
  }
  assert_string_equal(cell_value(sheet, "B4"), "20000"); /* the value itself as it is */
  free(styles);
  free(sheet);
  free(dir);
  mdt_table_free(t);
}

/* The summary sheet comes first, in a fixed-width font, over columns wide enough for its
 * longest line, all of them in the print area, on one page. */
static void test_summary_sheet(void **state) {
  fixture *f = *state;
  const char *const lines[] = {
      "Mandate: 291 of 370 members answered. Top priorities: g7 0.75, g4 0.64, g5 0.62", "",
      "  group  rise NOK/FTE   effect    carry  growth %   real %  P(real fall)",
      "  g1            36249     4.91     3.15      6.81     2.61    0.0 %",
      "  total         33644     3.27     2.19      5.12     0.98     Ærlig"};
  const mdt_workbook_summary sum = {"Sammendrag", "Sammendrag av scenario.ini, 2024", 5, lines};
  const mdt_table *const tables[] = {f->t[0], f->t[1], f->t[2]};
  char *dir = write_unzip_with("summary", &sum, tables, 3, charts, NCHARTS, "nb");
  char *wbxml = part(dir, "xl/workbook.xml");
  const char *s0 = strstr(wbxml, "<sheet name=\"Sammendrag\" sheetId=\"1\"");
  const char *s1 = strstr(wbxml, "<sheet name=\"Oppgjøret\""); /* settlement, in nb */
  assert_true(s0 != NULL && s1 != NULL && s0 < s1);
  assert_has(wbxml, "<definedName name=\"_xlnm.Print_Area\" localSheetId=\"0\">Sammendrag!$A$1:$E$7</definedName>");
  assert_lacks(wbxml, "localSheetId=\"0\">Sammendrag!$1:$3"); /* nothing repeats */
  char *sheet = part(dir, "xl/worksheets/sheet1.xml");
  char *strings = part(dir, "xl/sharedStrings.xml");
  char *styles = part(dir, "xl/styles.xml");
  assert_has(strings, "<t>Sammendrag av scenario.ini, 2024</t>");
  assert_has(strings, "<t xml:space=\"preserve\">  g1            36249");
  assert_non_null(cell_value(sheet, "A3"));
  assert_null(cell_value(sheet, "A4")); /* an empty line is an empty row */
  assert_non_null(cell_value(sheet, "A7"));
  char *font = style_font(styles, cell_style(sheet, "A5"));
  assert_has(font, "<name val=\"Consolas\"/>");
  free(font);
  /* 83 characters at 1.2 columns each, 2 to spare: five columns of 20 */
  assert_has(sheet, "<col min=\"1\" max=\"5\" width=\"20.7109375\" customWidth=\"1\"/>");
  assert_has(sheet, "<pageSetup paperSize=\"9\" orientation=\"landscape\"/>");
  assert_has(sheet, "<pageSetUpPr fitToPage=\"1\"/>"); /* one page wide and one tall */
  assert_has(sheet, "<oddFooter>");
  /* the tables' sheets and charts follow as without a summary */
  char *drawing = part(dir, "xl/drawings/drawing1.xml");
  assert_has(drawing, "<xdr:from><xdr:col>0</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>8</xdr:row>");
  free(drawing);
  free(styles);
  free(strings);
  free(sheet);
  free(wbxml);
  free(dir);

  /* Errors, before anything is written. */
  mdt_workbook_summary bad = sum;
  char *path = path_in_tmp("bad-summary.xlsx");
  mdt_error err;
  static const struct {
    const char *sheet;
    size_t nlines;
    int no_lines;
    const char *needle;
  } cases[] = {{"Sam:mendrag", 5, 0, "no valid sheet name"},
               {NULL, 5, 0, "no valid sheet name"},
               {"SETTLEMENT", 5, 0, "the summary and a table are both named 'SETTLEMENT'"},
               {"Summary", 2, 1, "2 lines but no array"}};
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    bad.sheet = cases[i].sheet;
    bad.nlines = cases[i].nlines;
    bad.lines = cases[i].no_lines ? NULL : lines;
    remove(path);
    mdt_error_clear(&err);
    assert_int_equal(mdt_workbook_write_with_summary(path, &bad, tables, 3, NULL, 0, "en", &err),
                     MDT_EUSAGE);
    assert_has(err.message, cases[i].needle);
    struct stat sb;
    assert_int_not_equal(stat(path, &sb), 0);
  }
  free(path);
}

/* A chart below a table of several pages starts on the page where the table ends when it
 * fits there, else on the next page, after a manual break at its first row; it is never
 * taller than a page leaves below the repeated rows. */
static void test_chart_after_long_table(void **state) {
  (void)state;
  static const char *const names[] = {"region", "l1_distance_pp"};
  static const mdt_col_kind kinds[] = {MDT_COL_TEXT, MDT_COL_PCT};
  static const char *const y[] = {"l1_distance_pp"};
  const mdt_chart_spec c = {.table = "regions", .type = MDT_CHART_BAR, .x_col = "region",
                            .nseries = 1, .y_cols = y};
  /* Pages of 650 pixels at 100 % (A4 less 0.75 in at top and bottom): the first holds the
   * title (24), a blank row (20), the labels (three lines: 60) and 27 rows; the next ones the
   * same 104 repeated and 27 rows. After 50 rows the second page has 23 rows (104 + 460 px)
   * and a blank one: 46 px are left with a row to spare, too few for a chart of 0.35 x 800,
   * which starts page 3 (row 54, 0-based). After 38 rows, 11 on page 2 and a blank one leave
   * 286: the chart, lowered from 480 to 280, shares that page. Below 3 rows 446 are left:
   * 440 of them for the chart. */
  static const struct {
    size_t nrows;
    long row, breaks, rows_high;
  } cases[] = {{50, 54, 1, 24}, {38, 42, 0, 14}, {3, 7, 0, 22}};
  for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
    mdt_table *t = make_table("regions", "Regions", 2, names, kinds);
    for (size_t i = 0; i < cases[k].nrows; i++) {
      char name[32];
      snprintf(name, sizeof name, "R%02zu", i);
      assert_int_equal(mdt_table_add_row(t), (long)i);
      assert_int_equal(mdt_table_set_text(t, i, 0, name), 0);
      mdt_table_set_num(t, i, 1, 0.5 + (double)i * 0.25);
    }
    const mdt_table *const tables[] = {t};
    char *dir = write_unzip_with("long", NULL, tables, 1, &c, 1, "en");
    char *sheet = part(dir, "xl/worksheets/sheet1.xml");
    char *drawing = part(dir, "xl/drawings/drawing1.xml");
    long from, to;
    anchors(drawing, &from, &to, 1);
    if (from != cases[k].row)
      fail_msg("%zu rows: chart at row %ld, expected %ld", cases[k].nrows, from, cases[k].row);
    char *breaks = row_breaks(sheet);
    assert_int_equal(count(breaks, "<brk "), cases[k].breaks);
    if (cases[k].breaks) {
      char brk[64];
      snprintf(brk, sizeof brk, "<brk id=\"%ld\" ", from);
      assert_has(breaks, brk);
    }
    /* never taller than a page below the repeated rows: 650 - 104 - 2 rows to spare */
    assert_true((to - from) * 20 <= 650 - 104 - 40);
    assert_int_equal(to - from, cases[k].rows_high);
    free(breaks);
    free(drawing);
    free(sheet);
    free(dir);
    mdt_table_free(t);
  }
}

static void test_labels(void **state) {
  (void)state;
  static const char *const required[] = {
      "aggregate", "profile", "frame", "settlement", "guarantee", "exchange_rates",
      "sweep_theta", "sweep_krone_share", "sweep_local_pot", "sweep_central_month",
      "sweep_summary", "uncertainty", "uncertainty_groups", "growth_distribution",
      "mandate_uncertainty", "regions", "region_allocations", "scope", "stratum", "question",
      "option", "statistic", "value", "ci_low", "ci_high", "n", "n_eff", "group", "name",
      "chapter", "covered", "pct", "employees", "fte", "wage_bill_nok", "rise_nok",
      "nok_per_fte", "rise_pct", "annual_effect_pct", "area_effect_pct", "carryover_pct",
      "overheng_pct", "glidning_pct", "annual_growth_pct", "real_growth_pct", "cost_nok",
      "rise_p10_nok", "rise_p50_nok", "rise_p90_nok", "suppressed", "priority",
      "top3_frequency", "element", "month", "component", "step_years", "annual_nok",
      "new_annual_nok", "increase_nok", "from_group", "to_group", "points_per_point",
      "nok_per_fte_per_nok", "setting", "binding", "status", "total_growth_pct", "satisfaction",
      "low_pay_ratio_pct", "real_fall_share", "p_growth_above_frame", "quantile",
      "bin_low_pct", "bin_high_pct", "share", "p_real_fall", "pct_low", "pct_high",
      "growth_low_pct", "growth_high_pct", "region", "respondents", "l1_distance_pp",
      "national_pct", "difference_pp"};
  for (size_t i = 0; i < sizeof required / sizeof required[0]; i++) {
    if (mdt_label_find(required[i], "en") == NULL || mdt_label_find(required[i], "nb") == NULL)
      fail_msg("no label for '%s'", required[i]);
  }
  size_t n = mdt__label_count();
  assert_true(n >= sizeof required / sizeof required[0]);
  assert_null(mdt__label_key(n));
  for (size_t i = 0; i < n; i++) {
    const char *k = mdt__label_key(i);
    assert_true(mdt_label(k, "en")[0] != '\0');
    assert_true(mdt_label(k, "nb")[0] != '\0');
    for (size_t j = 0; j < i; j++)
      if (strcmp(k, mdt__label_key(j)) == 0)
        fail_msg("'%s' is in the dictionary twice", k);
  }
  assert_string_equal(mdt_label("overheng_pct", "nb"), "Overheng, %");
  assert_string_equal(mdt_label("fte", "nb"), "Årsverk");
  assert_string_equal(mdt_label("fte", "en"), "Full-time equivalents");
  assert_string_equal(mdt_label("fte", NULL), "Full-time equivalents");
  const char *unknown = "not_a_column";
  assert_ptr_equal(mdt_label(unknown, "nb"), unknown);
  assert_null(mdt_label_find(unknown, "en"));
  assert_null(mdt_label(NULL, "en"));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_sheets_and_cells, setup, teardown),
      cmocka_unit_test_setup_teardown(test_charts, setup, teardown),
      cmocka_unit_test_setup_teardown(test_norwegian, setup, teardown),
      cmocka_unit_test_setup_teardown(test_reproducible, setup, teardown),
      cmocka_unit_test_setup_teardown(test_usage_errors, setup, teardown),
      cmocka_unit_test_setup_teardown(test_cannot_write, setup, teardown),
      cmocka_unit_test(test_empty_table),
      cmocka_unit_test(test_binding_rows_marked),
      cmocka_unit_test_setup_teardown(test_print_setup, setup, teardown),
      cmocka_unit_test(test_stacked_from_long_rows),
      cmocka_unit_test(test_whole_numbers),
      cmocka_unit_test_setup_teardown(test_summary_sheet, setup, teardown),
      cmocka_unit_test(test_chart_after_long_table),
      cmocka_unit_test(test_labels),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
