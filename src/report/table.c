/* Result tables: typed cells written as tidy CSV and JSON (the workbook is in workbook.c). */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mandat/report.h"
#include "mandat/table.h"
#include "mandat/workbook.h"
#include "report/json_int.h"

enum { CELL_EMPTY = 0, CELL_NUM = 1, CELL_TEXT = 2 };

/* Excel's rules for a sheet name, which the table name becomes: 1 to 31 characters, none of
 * []:*?/\ and no apostrophe at either end. Only printable ASCII is allowed here so the same
 * name is also a safe file name. */
static int valid_name(const char *s) {
  size_t n = strlen(s);
  if (n == 0 || n > 31 || s[0] == '\'' || s[n - 1] == '\'')
    return 0;
  for (const char *p = s; *p; p++)
    if (*p < 0x20 || *p > 0x7e || strchr("[]:*?/\\", *p) != NULL)
      return 0;
  return 1;
}

static char *dup(const char *s) {
  size_t n = strlen(s) + 1;
  char *d = malloc(n);
  if (d != NULL)
    memcpy(d, s, n);
  return d;
}

mdt_status mdt_table_new(const char *name, const char *title, size_t ncols,
                         const char *const *names, const mdt_col_kind *kinds, mdt_table **out,
                         mdt_error *err) {
  *out = NULL;
  if (name == NULL || !valid_name(name))
    return mdt_error_set(err, MDT_EUSAGE,
                         "table name '%s' is not 1 to 31 printable ASCII characters without "
                         "[]:*?/\\",
                         name != NULL ? name : "(null)");
  if (ncols == 0 || names == NULL || kinds == NULL)
    return mdt_error_set(err, MDT_EUSAGE, "table '%s' needs at least one column", name);
  for (size_t k = 0; k < ncols; k++) {
    if (names[k] == NULL || names[k][0] == '\0')
      return mdt_error_set(err, MDT_EUSAGE, "table '%s': column %zu has no name", name, k + 1);
    if ((int)kinds[k] < (int)MDT_COL_TEXT || (int)kinds[k] > (int)MDT_COL_NOK)
      return mdt_error_set(err, MDT_EUSAGE, "table '%s': column '%s' has an unknown kind %d",
                           name, names[k], (int)kinds[k]);
    for (size_t j = 0; j < k; j++)
      if (strcmp(names[j], names[k]) == 0)
        return mdt_error_set(err, MDT_EUSAGE, "table '%s': two columns are named '%s'", name,
                             names[k]);
  }

  mdt_table *t = calloc(1, sizeof *t);
  if (t == NULL)
    goto fail;
  t->ncols = ncols;
  t->name = dup(name);
  t->title = dup(title != NULL ? title : "");
  t->cols = calloc(ncols, sizeof *t->cols);
  t->kinds = malloc(ncols * sizeof *t->kinds);
  if (t->name == NULL || t->title == NULL || t->cols == NULL || t->kinds == NULL)
    goto fail;
  for (size_t k = 0; k < ncols; k++) {
    if ((t->cols[k] = dup(names[k])) == NULL)
      goto fail;
    t->kinds[k] = kinds[k];
  }
  *out = t;
  return MDT_OK;

fail:
  mdt_table_free(t);
  return mdt_error_set(err, MDT_ENOMEM, "out of memory creating table '%s'", name);
}

void mdt_table_free(mdt_table *t) {
  if (t == NULL)
    return;
  if (t->cells != NULL)
    for (size_t i = 0; i < t->nrows * t->ncols; i++)
      free(t->cells[i].text);
  free(t->cells);
  if (t->cols != NULL)
    for (size_t k = 0; k < t->ncols; k++)
      free(t->cols[k]);
  free(t->cols);
  free(t->kinds);
  free(t->title);
  free(t->name);
  free(t);
}

long mdt_table_add_row(mdt_table *t) {
  if (t->nrows == t->cap) {
    size_t cap = t->cap != 0 ? 2 * t->cap : 16;
    if (cap > SIZE_MAX / sizeof(mdt_cell) / t->ncols)
      return -1;
    mdt_cell *cells = realloc(t->cells, cap * t->ncols * sizeof *cells);
    if (cells == NULL)
      return -1;
    t->cells = cells;
    t->cap = cap;
  }
  mdt_cell *row = &t->cells[t->nrows * t->ncols];
  for (size_t k = 0; k < t->ncols; k++)
    row[k] = (mdt_cell){.kind = CELL_EMPTY, .num = 0.0, .text = NULL};
  return (long)t->nrows++;
}

static mdt_cell *cell_at(mdt_table *t, size_t row, size_t col) {
  if (row >= t->nrows || col >= t->ncols)
    return NULL;
  return &t->cells[row * t->ncols + col];
}

void mdt_table_set_num(mdt_table *t, size_t row, size_t col, double v) {
  mdt_cell *c = cell_at(t, row, col);
  if (c == NULL)
    return;
  free(c->text);
  c->text = NULL;
  if (isfinite(v)) {
    c->kind = CELL_NUM;
    c->num = v == 0 ? 0.0 : v; /* no "-0" in any output */
  } else {
    c->kind = CELL_EMPTY;
    c->num = 0.0;
  }
}

int mdt_table_set_text(mdt_table *t, size_t row, size_t col, const char *s) {
  mdt_cell *c = cell_at(t, row, col);
  if (c == NULL)
    return -1;
  char *copy = NULL;
  if (s != NULL && (copy = dup(s)) == NULL)
    return -1; /* the cell keeps what it had */
  free(c->text);
  c->text = copy;
  c->kind = copy != NULL ? CELL_TEXT : CELL_EMPTY;
  c->num = 0.0;
  return 0;
}

long mdt_table_col(const mdt_table *t, const char *name) {
  if (name == NULL)
    return -1;
  for (size_t k = 0; k < t->ncols; k++)
    if (strcmp(t->cols[k], name) == 0)
      return (long)k;
  return -1;
}

int mdt_csv_dialect_parse(const char *name, mdt_csv_dialect *out) {
  if (name != NULL && strcmp(name, "tidy") == 0)
    *out = MDT_CSV_TIDY;
  else if (name != NULL && strcmp(name, "excel-nb") == 0)
    *out = MDT_CSV_EXCEL_NB;
  else
    return -1;
  return 0;
}

/* Decimals of a column kind in the Excel dialect. */
static int excel_decimals(mdt_col_kind kind) {
  switch (kind) {
  case MDT_COL_NOK:
  case MDT_COL_INT:
    return 0;
  case MDT_COL_SHARE:
    return 4;
  default:
    return 3;
  }
}

/* A number with fixed decimals and a decimal comma. */
static void excel_number(FILE *fp, double v, int decimals) {
  if (!isfinite(v))
    return;
  char buf[400];
  snprintf(buf, sizeof buf, "%.*f", decimals, v);
  if (strspn(buf, "-0.") == strlen(buf) && buf[0] == '-')
    memmove(buf, buf + 1, strlen(buf)); /* no "-0,000" */
  for (char *p = buf; *p; p++)
    if (*p == '.')
      *p = ',';
  fputs(buf, fp);
}

/* A text field of the Excel dialect: quoted when it holds ; " or a line end. */
static void excel_field(FILE *fp, const char *s) {
  if (strpbrk(s, ";\"\r\n") == NULL) {
    fputs(s, fp);
    return;
  }
  fputc('"', fp);
  for (; *s; s++) {
    if (*s == '"')
      fputc('"', fp);
    fputc(*s, fp);
  }
  fputc('"', fp);
}

static int group_column(const char *name) {
  return strcmp(name, "group") == 0 || strcmp(name, "from_group") == 0 ||
         strcmp(name, "to_group") == 0;
}

/* What the Excel dialect shows for a text cell: a group's name for its id, a label for a
 * catalogue key, else the text. */
static const char *excel_text(const mdt_csv_options *o, const char *col, const char *text) {
  if (group_column(col) && o->group_ids != NULL && o->group_names != NULL)
    for (size_t g = 0; g < o->ngroups; g++)
      if (strcmp(o->group_ids[g], text) == 0)
        return o->group_names[g];
  const char *l = mdt_label_find(text, o->lang);
  return l != NULL ? l : text;
}

/* A composite row label "KEY:GROUP" (e.g. named:c34) as "Label: group name". */
static void excel_composite(FILE *fp, const mdt_csv_options *o, const char *text) {
  const char *colon = strchr(text, ':');
  char key[64];
  size_t n = colon ? (size_t)(colon - text) : 0;
  if (colon == NULL || n >= sizeof key) {
    excel_field(fp, excel_text(o, "", text));
    return;
  }
  memcpy(key, text, n);
  key[n] = '\0';
  const char *l = mdt_label_find(key, o->lang);
  if (l == NULL) {
    excel_field(fp, text);
    return;
  }
  char buf[512];
  snprintf(buf, sizeof buf, "%s: %s", l, excel_text(o, "group", colon + 1));
  excel_field(fp, buf);
}

static mdt_status write_excel(const mdt_table *t, FILE *fp, const mdt_csv_options *o,
                              mdt_error *err) {
  fputs("\xEF\xBB\xBF", fp); /* UTF-8 byte-order mark: Excel then reads æøå right */
  for (size_t k = 0; k < t->ncols; k++) {
    if (k > 0)
      fputc(';', fp);
    const char *c = t->cols[k];
    if (mdt_label_find(c, o->lang) == NULL && strncmp(c, "priority_", 9) == 0) {
      char buf[512]; /* a group's column: "Priority: its name" */
      snprintf(buf, sizeof buf, "%s: %s", mdt_label("priority", o->lang),
               excel_text(o, "group", c + 9));
      excel_field(fp, buf);
    } else
      excel_field(fp, mdt_label(c, o->lang));
  }
  fputs("\r\n", fp);
  for (size_t i = 0; i < t->nrows; i++) {
    for (size_t k = 0; k < t->ncols; k++) {
      if (k > 0)
        fputc(';', fp);
      const mdt_cell *c = mdt_table_cell(t, i, k);
      if (c->kind == CELL_NUM)
        excel_number(fp, c->num, excel_decimals(t->kinds[k]));
      else if (c->kind == CELL_TEXT && strchr(c->text, ':') != NULL && !strchr(c->text, ' '))
        excel_composite(fp, o, c->text);
      else if (c->kind == CELL_TEXT && strcmp(t->cols[k], "chapter") == 0) {
        /* "3.4" would become a date (3 April) in a Norwegian Excel: say what it is. */
        fputs(strcmp(o->lang, "nb") == 0 ? "kap. " : "ch. ", fp);
        excel_field(fp, c->text);
      } else if (c->kind == CELL_TEXT)
        excel_field(fp, excel_text(o, t->cols[k], c->text));
    }
    fputs("\r\n", fp);
  }
  if (fflush(fp) != 0 || ferror(fp))
    return mdt_error_set(err, MDT_ECANTWRITE, "cannot write table '%s' as CSV: %s", t->name,
                         strerror(errno));
  return MDT_OK;
}

mdt_status mdt_table_write_csv_as(const mdt_table *t, FILE *fp, const mdt_csv_options *opt,
                                  mdt_error *err) {
  if (opt != NULL && opt->dialect == MDT_CSV_EXCEL_NB) {
    mdt_csv_options o = *opt;
    if (o.lang == NULL)
      o.lang = "nb";
    return write_excel(t, fp, &o, err);
  }
  return mdt_table_write_csv(t, fp, err);
}

mdt_status mdt_table_write_csv(const mdt_table *t, FILE *fp, mdt_error *err) {
  for (size_t k = 0; k < t->ncols; k++) {
    if (k > 0)
      fputc(',', fp);
    mdt_report_csv_field(fp, t->cols[k]);
  }
  fputc('\n', fp);
  for (size_t i = 0; i < t->nrows; i++) {
    for (size_t k = 0; k < t->ncols; k++) {
      if (k > 0)
        fputc(',', fp);
      const mdt_cell *c = mdt_table_cell(t, i, k);
      if (c->kind == CELL_NUM)
        mdt_report_csv_number(fp, c->num);
      else if (c->kind == CELL_TEXT)
        mdt_report_csv_field(fp, c->text);
    }
    fputc('\n', fp);
  }
  /* Flushing here makes a full disk show now rather than at the caller's fclose. */
  if (fflush(fp) != 0 || ferror(fp))
    return mdt_error_set(err, MDT_ECANTWRITE, "cannot write table '%s' as CSV: %s", t->name,
                         strerror(errno));
  return MDT_OK;
}

/* 2^53: every integer up to here is a double exactly, and a JSON integer reader agrees. */
#define EXACT_INT_LIMIT 9007199254740992.0

static json_t *cell_json(const mdt_table *t, size_t k, const mdt_cell *c) {
  if (c->kind == CELL_TEXT)
    return json_string(c->text);
  if (c->kind != CELL_NUM)
    return json_null();
  if (t->kinds[k] == MDT_COL_INT && isfinite(c->num) && c->num == floor(c->num) &&
      fabs(c->num) <= EXACT_INT_LIMIT)
    return json_integer((json_int_t)c->num);
  return mdt__report_json_number(c->num);
}

json_t *mdt__table_json(const mdt_table *t) {
  json_t *rows = json_array();
  if (rows == NULL)
    return NULL;
  for (size_t i = 0; i < t->nrows; i++) {
    json_t *o = json_object();
    if (o == NULL || json_array_append_new(rows, o) != 0)
      goto fail;
    for (size_t k = 0; k < t->ncols; k++) {
      json_t *v = cell_json(t, k, mdt_table_cell(t, i, k));
      if (v == NULL || json_object_set_new(o, t->cols[k], v) != 0)
        goto fail;
    }
  }
  return rows;

fail:
  json_decref(rows);
  return NULL;
}

mdt_status mdt_table_write_json(const mdt_table *t, FILE *fp, mdt_error *err) {
  json_t *j = mdt__table_json(t);
  if (j == NULL)
    return mdt_error_set(err, MDT_ENOMEM, "out of memory (or text that is not UTF-8) writing "
                                          "the table %s as JSON", t ? t->name : "?");
  mdt_status st = mdt__report_write_json(fp, j, err);
  json_decref(j);
  return st;
}
