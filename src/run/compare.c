/* Alternatives side by side: see mandat/compare.h. Each alternative is held as the tables a
 * run writes (settlement, guarantee, indicators) and its settings flattened to text, whether
 * it was computed here or read back from a result folder, so both compare alike. */
#include "mandat/compare.h"

#include <csv.h>
#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "mandat/report.h"
#include "run/run_int.h"
#include "run/settings.h"

#define MAX_ALTERNATIVES 16
#define MAX_TABLES 8

typedef struct {
  char *key, *value;
} setting;

typedef struct {
  char name[64];                /* snake_case, unique */
  mdt_table *settlement, *guarantee, *indicators; /* copies, owned */
  setting *settings;
  size_t nsettings;
} alternative;

struct mdt_comparison {
  alternative alt[MAX_ALTERNATIVES];
  size_t n;
  mdt_table *tables[MAX_TABLES];
  size_t ntables;
};

/* ------------------------------------------------------------------ helpers -- */

static char *dup_s(const char *s) {
  char *d = malloc(strlen(s) + 1);
  if (d)
    strcpy(d, s);
  return d;
}

/* A copy of a table (same name, columns, kinds, cells). */
static mdt_table *copy_table(const mdt_table *t) {
  mdt_table *c = NULL;
  mdt_error err;
  if (t == NULL || mdt_table_new(t->name, t->title, t->ncols, (const char *const *)t->cols,
                                 t->kinds, &c, &err) != MDT_OK)
    return NULL;
  for (size_t r = 0; r < t->nrows; r++) {
    if (mdt_table_add_row(c) < 0) {
      mdt_table_free(c);
      return NULL;
    }
    for (size_t k = 0; k < t->ncols; k++) {
      const mdt_cell *x = mdt_table_cell(t, r, k);
      if (x->kind == 1)
        mdt_table_set_num(c, r, k, x->num);
      else if (x->kind == 2 && mdt_table_set_text(c, r, k, x->text) != 0) {
        mdt_table_free(c);
        return NULL;
      }
    }
  }
  return c;
}

/* name as ASCII snake_case ("scenario-priority.ini" -> "scenario_priority"), unique. */
static void alt_name(mdt_comparison *c, const char *name, char *out, size_t size) {
  const char *base = strrchr(name, '/');
  base = base ? base + 1 : name;
  size_t o = 0;
  for (const char *p = base; *p && o + 1 < size - 4; p++) {
    if (strcmp(p, ".ini") == 0)
      break;
    unsigned char ch = (unsigned char)*p;
    out[o++] = isalnum(ch) ? (char)tolower(ch) : '_';
  }
  while (o > 0 && out[o - 1] == '_')
    o--;
  out[o] = '\0';
  if (o == 0)
    snprintf(out, size, "alt%zu", c->n + 1);
  if (isdigit((unsigned char)out[0]) && o + 2 < size - 4) {
    memmove(out + 2, out, o + 1);
    out[0] = 'a';
    out[1] = '_';
  }
  char want[64];
  snprintf(want, sizeof want, "%s", out);
  for (int k = 2; k < 100; k++) {
    int taken = 0;
    for (size_t j = 0; j < c->n; j++)
      taken |= strcmp(c->alt[j].name, out) == 0;
    if (!taken)
      return;
    snprintf(out, size, "%.56s_%d", want, k);
  }
}

static int add_setting(alternative *a, const char *key, const char *value) {
  setting *s = realloc(a->settings, (a->nsettings + 1) * sizeof *s);
  if (s == NULL)
    return -1;
  a->settings = s;
  s[a->nsettings].key = dup_s(key);
  s[a->nsettings].value = dup_s(value);
  if (!s[a->nsettings].key || !s[a->nsettings].value) {
    free(s[a->nsettings].key);
    free(s[a->nsettings].value);
    return -1;
  }
  a->nsettings++;
  return 0;
}

/* The settings object flattened to "section.key" = compact JSON text. */
static int flatten(alternative *a, const char *prefix, json_t *j) {
  if (json_is_object(j)) {
    const char *k;
    json_t *v;
    json_object_foreach(j, k, v) {
      char key[256];
      snprintf(key, sizeof key, "%s%s%s", prefix, prefix[0] ? "." : "", k);
      if (flatten(a, key, v) != 0)
        return -1;
    }
    return 0;
  }
  if (json_is_string(j))
    return add_setting(a, prefix, json_string_value(j));
  if (json_is_real(j)) { /* written out, never as 5e-05 */
    char num[400];
    return add_setting(a, prefix, mdt_report_format_number(json_real_value(j), num, sizeof num));
  }
  char *text = json_dumps(j, JSON_ENCODE_ANY | JSON_COMPACT | JSON_REAL_PRECISION(15));
  if (text == NULL)
    return -1;
  int rc = add_setting(a, prefix, text);
  free(text);
  return rc;
}

static void alternative_free(alternative *a) {
  mdt_table_free(a->settlement);
  mdt_table_free(a->guarantee);
  mdt_table_free(a->indicators);
  for (size_t k = 0; k < a->nsettings; k++) {
    free(a->settings[k].key);
    free(a->settings[k].value);
  }
  free(a->settings);
  memset(a, 0, sizeof *a);
}

/* -------------------------------------------------------------- the object -- */

mdt_status mdt_compare_new(mdt_comparison **out, mdt_error *err) {
  if (out == NULL)
    return mdt_error_set(err, MDT_EUSAGE, "mdt_compare_new: no result given");
  if ((*out = calloc(1, sizeof **out)) == NULL)
    return mdt_error_set(err, MDT_ENOMEM, "out of memory");
  return MDT_OK;
}

void mdt_compare_free(mdt_comparison *c) {
  if (c == NULL)
    return;
  for (size_t k = 0; k < c->n; k++)
    alternative_free(&c->alt[k]);
  for (size_t k = 0; k < c->ntables; k++)
    mdt_table_free(c->tables[k]);
  free(c);
}

static mdt_status room_for_one(mdt_comparison *c, mdt_error *err) {
  if (c == NULL)
    return mdt_error_set(err, MDT_EUSAGE, "no comparison given");
  if (c->ntables > 0)
    return mdt_error_set(err, MDT_EUSAGE, "the comparison is finished");
  if (c->n == MAX_ALTERNATIVES)
    return mdt_error_set(err, MDT_EUSAGE, "expected at most %d alternatives, found more",
                         MAX_ALTERNATIVES);
  return MDT_OK;
}

mdt_status mdt_compare_add_result(mdt_comparison *c, const char *name, const mdt_result *r,
                                  mdt_error *err) {
  mdt_status st = room_for_one(c, err);
  if (st != MDT_OK)
    return st;
  if (r == NULL || r->nyears < 1)
    return mdt_error_set(err, MDT_EUSAGE, "mdt_compare_add_result: no result given");
  alternative a;
  memset(&a, 0, sizeof a);
  alt_name(c, name ? name : "", a.name, sizeof a.name);
  a.settlement = copy_table(mdt_result_find(r, 0, "settlement"));
  a.indicators = copy_table(mdt_result_find(r, 0, "indicators"));
  const mdt_table *g = mdt_result_find(r, 0, "guarantee");
  a.guarantee = g ? copy_table(g) : NULL;
  json_t *set = mdt__run_settings_json(&r->years[0].p);
  int bad = a.settlement == NULL || a.indicators == NULL || (g != NULL && a.guarantee == NULL) ||
            set == NULL || flatten(&a, "", set) != 0;
  json_decref(set);
  if (bad) {
    alternative_free(&a);
    return mdt_error_set(err, MDT_ENOMEM, "out of memory keeping an alternative");
  }
  c->alt[c->n++] = a;
  return MDT_OK;
}

/* ------------------------------------------------------- reading a folder -- */

typedef struct {
  mdt_table *t;
  char **header;
  size_t nheader, col;
  long row;            /* data rows so far; -1 while reading the header */
  int bad;
  char msg[300];
} csv_read;

static void field_cb(void *s, size_t len, void *data) {
  csv_read *cr = data;
  if (cr->bad)
    return;
  char *text = malloc(len + 1);
  if (text == NULL) {
    cr->bad = 2;
    return;
  }
  memcpy(text, s, len);
  text[len] = '\0';
  if (cr->row < 0) {
    char **h = realloc(cr->header, (cr->nheader + 1) * sizeof *h);
    if (h == NULL) {
      free(text);
      cr->bad = 2;
      return;
    }
    cr->header = h;
    h[cr->nheader++] = text;
    return;
  }
  if (cr->col >= cr->t->ncols) {
    snprintf(cr->msg, sizeof cr->msg, "expected %zu fields, found more", cr->t->ncols);
    cr->bad = 1;
  } else if (len > 0) {
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (*end == '\0' && errno == 0 && cr->t->kinds[cr->col] != MDT_COL_TEXT)
      mdt_table_set_num(cr->t, (size_t)cr->row, cr->col, v);
    else if (mdt_table_set_text(cr->t, (size_t)cr->row, cr->col, text) != 0)
      cr->bad = 2;
  }
  cr->col++;
  free(text);
}

/* Columns whose values are text in the tables mandat writes (the rest are numbers). */
static int text_column(const char *name) {
  static const char *const text[] = {"group", "name", "chapter", "indicator", "scope",
                                     "component", "binding", NULL};
  for (const char *const *t = text; *t; t++)
    if (strcmp(*t, name) == 0)
      return 1;
  return 0;
}

static void row_cb(int c, void *data) {
  (void)c;
  csv_read *cr = data;
  if (cr->bad)
    return;
  if (cr->row < 0) {
    mdt_col_kind *kinds = malloc((cr->nheader ? cr->nheader : 1) * sizeof *kinds);
    if (kinds == NULL) {
      cr->bad = 2;
      return;
    }
    for (size_t k = 0; k < cr->nheader; k++)
      kinds[k] = text_column(cr->header[k]) ? MDT_COL_TEXT : MDT_COL_NUMBER;
    mdt_error err;
    if (mdt_table_new("read", "", cr->nheader, (const char *const *)cr->header, kinds, &cr->t,
                      &err) != MDT_OK)
      cr->bad = 2;
    free(kinds);
  } else if (cr->col != cr->t->ncols) {
    snprintf(cr->msg, sizeof cr->msg, "expected %zu fields, found %zu", cr->t->ncols, cr->col);
    cr->bad = 1;
    return;
  }
  cr->row++;
  cr->col = 0;
  if (!cr->bad && mdt_table_add_row(cr->t) < 0)
    cr->bad = 2;
}

/* A table mandat wrote, read back (the last, empty row that row_cb adds is dropped). */
static mdt_status read_table(const char *path, const char *name, mdt_table **out,
                             mdt_error *err) {
  FILE *fp = fopen(path, "rb");
  if (fp == NULL)
    return mdt_error_set_at(err, MDT_ENOINPUT, path, 0, 0, "cannot open: %s", strerror(errno));
  struct csv_parser p;
  csv_read cr;
  memset(&cr, 0, sizeof cr);
  cr.row = -1;
  mdt_status st = MDT_OK;
  if (csv_init(&p, CSV_APPEND_NULL) != 0) {
    fclose(fp);
    return mdt_error_set(err, MDT_ENOMEM, "out of memory");
  }
  char buf[65536];
  size_t n;
  while (!cr.bad && (n = fread(buf, 1, sizeof buf, fp)) > 0)
    if (csv_parse(&p, buf, n, field_cb, row_cb, &cr) != n)
      cr.bad = csv_error(&p) == CSV_ENOMEM ? 2 : 1;
  if (!cr.bad)
    csv_fini(&p, field_cb, row_cb, &cr);
  csv_free(&p);
  fclose(fp);
  if (cr.bad == 2)
    st = mdt_error_set(err, MDT_ENOMEM, "out of memory reading %s", path);
  else if (cr.bad)
    st = mdt_error_set_at(err, MDT_EDATA, path, cr.row + 2, 0, "%s",
                          cr.msg[0] ? cr.msg : "expected a table mandat writes");
  else if (cr.t == NULL)
    st = mdt_error_set_at(err, MDT_EDATA, path, 1, 1, "expected a header row, found nothing");
  for (size_t k = 0; k < cr.nheader; k++)
    free(cr.header[k]);
  free(cr.header);
  if (st != MDT_OK) {
    mdt_table_free(cr.t);
    return st;
  }
  cr.t->nrows = (size_t)cr.row; /* the row added after the last line is empty */
  free(cr.t->name);
  cr.t->name = dup_s(name);
  if (cr.t->name == NULL) {
    mdt_table_free(cr.t);
    return mdt_error_set(err, MDT_ENOMEM, "out of memory");
  }
  *out = cr.t;
  return MDT_OK;
}

static int is_dir(const char *p) {
  struct stat sb;
  return stat(p, &sb) == 0 && S_ISDIR(sb.st_mode);
}

/* The folder holding a year's tables: dir, or its first year's subfolder. */
static void year_folder(const char *dir, char *out, size_t size) {
  char probe[4200];
  snprintf(probe, sizeof probe, "%s/settlement.csv", dir);
  struct stat sb;
  snprintf(out, size, "%s", dir);
  if (stat(probe, &sb) == 0)
    return;
  snprintf(probe, sizeof probe, "%s/period.json", dir);
  FILE *fp = fopen(probe, "r");
  if (fp == NULL)
    return;
  json_error_t je;
  json_t *j = json_loadf(fp, 0, &je);
  fclose(fp);
  json_t *fy = j ? json_object_get(j, "first_year") : NULL;
  if (json_is_integer(fy))
    snprintf(out, size, "%s/%lld", dir, (long long)json_integer_value(fy));
  json_decref(j);
}

mdt_status mdt_compare_add_folder(mdt_comparison *c, const char *name, const char *dir,
                                  mdt_error *err) {
  mdt_status st = room_for_one(c, err);
  if (st != MDT_OK)
    return st;
  if (dir == NULL || !is_dir(dir))
    return mdt_error_set_at(err, MDT_ENOINPUT, dir ? dir : "?", 0, 0,
                            "expected a result folder that mandat run wrote, found none");
  alternative a;
  memset(&a, 0, sizeof a);
  alt_name(c, name ? name : dir, a.name, sizeof a.name);
  char folder[4200], path[4400];
  year_folder(dir, folder, sizeof folder);
  snprintf(path, sizeof path, "%s/settlement.csv", folder);
  st = read_table(path, "settlement", &a.settlement, err);
  if (st == MDT_OK) {
    snprintf(path, sizeof path, "%s/indicators.csv", folder);
    st = read_table(path, "indicators", &a.indicators, err);
  }
  if (st == MDT_OK) {
    snprintf(path, sizeof path, "%s/guarantee.csv", folder);
    struct stat sb;
    if (stat(path, &sb) == 0)
      st = read_table(path, "guarantee", &a.guarantee, err);
  }
  if (st == MDT_OK) {
    snprintf(path, sizeof path, "%s/manifest.json", folder);
    json_error_t je;
    json_t *m = json_load_file(path, 0, &je);
    json_t *set = m ? json_object_get(m, "settings") : NULL;
    if (m == NULL)
      st = mdt_error_set_at(err, errno == ENOENT ? MDT_ENOINPUT : MDT_EDATA, path, je.line,
                            je.column, "expected mandat's manifest: %s", je.text);
    else if (!json_is_object(set))
      st = mdt_error_set_at(err, MDT_EDATA, path, 0, 0, "expected a settings object, found none");
    else if (flatten(&a, "", set) != 0)
      st = mdt_error_set(err, MDT_ENOMEM, "out of memory");
    json_decref(m);
  }
  if (st != MDT_OK) {
    alternative_free(&a);
    return st;
  }
  c->alt[c->n++] = a;
  return MDT_OK;
}

/* ------------------------------------------------------------ the tables -- */

static double cell_num(const mdt_table *t, size_t r, const char *col) {
  long k = t ? mdt_table_col(t, col) : -1;
  if (k < 0 || r >= t->nrows)
    return NAN;
  const mdt_cell *c = mdt_table_cell(t, r, (size_t)k);
  return c->kind == 1 ? c->num : NAN;
}

static const char *cell_text(const mdt_table *t, size_t r, const char *col) {
  long k = t ? mdt_table_col(t, col) : -1;
  if (k < 0 || r >= t->nrows)
    return NULL;
  const mdt_cell *c = mdt_table_cell(t, r, (size_t)k);
  return c->kind == 2 ? c->text : NULL;
}

/* The row of t whose column col holds text (and col2 the number y when col2 is given). */
static long find_row(const mdt_table *t, const char *col, const char *text, const char *col2,
                     double y) {
  for (size_t r = 0; t && r < t->nrows; r++) {
    const char *s = cell_text(t, r, col);
    if (s && strcmp(s, text) == 0 && (col2 == NULL || cell_num(t, r, col2) == y))
      return (long)r;
  }
  return -1;
}

/* A table: the key columns, one value column per alternative, then NAME_minus_FIRST for every
 * alternative after the first. */
static mdt_table *wide_table(const mdt_comparison *c, const char *name, const char *title,
                             const char *const *keys, const mdt_col_kind *kinds, size_t nkeys,
                             mdt_col_kind value_kind, int diffs) {
  const char *names[64];
  mdt_col_kind k2[64];
  char diff_names[MAX_ALTERNATIVES][140];
  size_t n = 0;
  for (size_t k = 0; k < nkeys; k++) {
    names[n] = keys[k];
    k2[n++] = kinds[k];
  }
  for (size_t a = 0; a < c->n; a++) {
    names[n] = c->alt[a].name;
    k2[n++] = value_kind;
  }
  for (size_t a = 1; diffs && a < c->n; a++) {
    snprintf(diff_names[a], sizeof diff_names[a], "%s_minus_%s", c->alt[a].name,
             c->alt[0].name);
    names[n] = diff_names[a];
    k2[n++] = value_kind;
  }
  mdt_table *t = NULL;
  mdt_error err;
  if (mdt_table_new(name, title, n, names, k2, &t, &err) != MDT_OK)
    return NULL;
  return t;
}

/* Sets the values of row r from v[0..n) and their differences from v[0]. */
static void set_values(mdt_table *t, size_t r, size_t first, const double *v, size_t n,
                       int diffs) {
  for (size_t a = 0; a < n; a++)
    mdt_table_set_num(t, r, first + a, v[a]);
  for (size_t a = 1; diffs && a < n; a++)
    mdt_table_set_num(t, r, first + n + a - 1, v[a] - v[0]);
}

static mdt_table *groups_table(const mdt_comparison *c) {
  static const char *const keys[] = {"group", "name", "measure"};
  static const mdt_col_kind kinds[] = {MDT_COL_TEXT, MDT_COL_TEXT, MDT_COL_TEXT};
  static const char *const measures[] = {"pct", "annual_effect_pct", "annual_growth_pct",
                                         "real_growth_pct", "cost_nok", "carryover_pct",
                                         "carryover_nok"};
  mdt_table *t = wide_table(c, "compare_groups", "Alternatives side by side, per group",
                            keys, kinds, 3, MDT_COL_NUMBER, 1);
  const mdt_table *base = c->alt[0].settlement;
  for (size_t r0 = 0; t && r0 < base->nrows; r0++) {
    const char *g = cell_text(base, r0, "group");
    if (g == NULL)
      continue;
    for (size_t m = 0; m < sizeof measures / sizeof measures[0]; m++) {
      double v[MAX_ALTERNATIVES];
      for (size_t a = 0; a < c->n; a++) {
        long r = find_row(c->alt[a].settlement, "group", g, NULL, 0);
        v[a] = r < 0 ? NAN : cell_num(c->alt[a].settlement, (size_t)r, measures[m]);
      }
      long row = mdt_table_add_row(t);
      const char *nm = cell_text(base, r0, "name");
      if (row < 0 || mdt_table_set_text(t, (size_t)row, 0, g) ||
          mdt_table_set_text(t, (size_t)row, 1, nm ? nm : "") ||
          mdt_table_set_text(t, (size_t)row, 2, measures[m])) {
        mdt_table_free(t);
        return NULL;
      }
      set_values(t, (size_t)row, 3, v, c->n, 1);
    }
  }
  return t;
}

static mdt_table *growth_table(const mdt_comparison *c) {
  static const char *const keys[] = {"group", "name"};
  static const mdt_col_kind kinds[] = {MDT_COL_TEXT, MDT_COL_TEXT};
  mdt_table *t = wide_table(c, "compare_growth", "Each group's annual growth by alternative",
                            keys, kinds, 2, MDT_COL_PCT, 0);
  const mdt_table *base = c->alt[0].settlement;
  for (size_t r0 = 0; t && r0 < base->nrows; r0++) {
    const char *g = cell_text(base, r0, "group");
    if (g == NULL || isnan(cell_num(base, r0, "annual_growth_pct")))
      continue;
    double v[MAX_ALTERNATIVES];
    for (size_t a = 0; a < c->n; a++) {
      long r = find_row(c->alt[a].settlement, "group", g, NULL, 0);
      v[a] = r < 0 ? NAN : cell_num(c->alt[a].settlement, (size_t)r, "annual_growth_pct");
    }
    long row = mdt_table_add_row(t);
    const char *nm = cell_text(base, r0, "name");
    if (row < 0 || mdt_table_set_text(t, (size_t)row, 0, g) ||
        mdt_table_set_text(t, (size_t)row, 1, nm ? nm : "")) {
      mdt_table_free(t);
      return NULL;
    }
    set_values(t, (size_t)row, 2, v, c->n, 0);
  }
  return t;
}

static mdt_table *guarantee_table(const mdt_comparison *c) {
  static const char *const keys[] = {"group", "step_years"};
  static const mdt_col_kind kinds[] = {MDT_COL_TEXT, MDT_COL_INT};
  mdt_table *t = wide_table(c, "compare_guarantee",
                            "The new guarantee pay per group and step by alternative", keys,
                            kinds, 2, MDT_COL_NOK, 1);
  const mdt_table *base = c->alt[0].guarantee;
  for (size_t r0 = 0; t && base && r0 < base->nrows; r0++) {
    const char *g = cell_text(base, r0, "group");
    double y = cell_num(base, r0, "step_years");
    if (g == NULL)
      continue;
    double v[MAX_ALTERNATIVES];
    for (size_t a = 0; a < c->n; a++) {
      long r = find_row(c->alt[a].guarantee, "group", g, "step_years", y);
      v[a] = r < 0 ? NAN : cell_num(c->alt[a].guarantee, (size_t)r, "new_annual_nok");
    }
    long row = mdt_table_add_row(t);
    if (row < 0 || mdt_table_set_text(t, (size_t)row, 0, g)) {
      mdt_table_free(t);
      return NULL;
    }
    mdt_table_set_num(t, (size_t)row, 1, y);
    set_values(t, (size_t)row, 2, v, c->n, 1);
  }
  return t;
}

static mdt_table *indicators_table(const mdt_comparison *c) {
  static const char *const keys[] = {"indicator"};
  static const mdt_col_kind kinds[] = {MDT_COL_TEXT};
  mdt_table *t = wide_table(c, "compare_indicators", "The settlements' key figures", keys,
                            kinds, 1, MDT_COL_NUMBER, 1);
  const mdt_table *base = c->alt[0].indicators;
  for (size_t r0 = 0; t && r0 < base->nrows; r0++) {
    const char *name = cell_text(base, r0, "indicator");
    if (name == NULL)
      continue;
    double v[MAX_ALTERNATIVES];
    for (size_t a = 0; a < c->n; a++) {
      long r = find_row(c->alt[a].indicators, "indicator", name, NULL, 0);
      v[a] = r < 0 ? NAN : cell_num(c->alt[a].indicators, (size_t)r, "value");
    }
    long row = mdt_table_add_row(t);
    if (row < 0 || mdt_table_set_text(t, (size_t)row, 0, name)) {
      mdt_table_free(t);
      return NULL;
    }
    set_values(t, (size_t)row, 1, v, c->n, 1);
  }
  return t;
}

static const char *setting_of(const alternative *a, const char *key) {
  for (size_t k = 0; k < a->nsettings; k++)
    if (strcmp(a->settings[k].key, key) == 0)
      return a->settings[k].value;
  return NULL;
}

/* Every setting any alternative has whose value is not the same in all of them. */
static mdt_table *settings_table(const mdt_comparison *c) {
  static const char *const keys[] = {"setting"};
  static const mdt_col_kind kinds[] = {MDT_COL_TEXT};
  const char *names[1 + MAX_ALTERNATIVES];
  mdt_col_kind k2[1 + MAX_ALTERNATIVES];
  names[0] = keys[0];
  k2[0] = kinds[0];
  for (size_t a = 0; a < c->n; a++) {
    names[1 + a] = c->alt[a].name;
    k2[1 + a] = MDT_COL_TEXT;
  }
  mdt_table *t = NULL;
  mdt_error err;
  if (mdt_table_new("compare_settings", "The settings that differ between the alternatives",
                    1 + c->n, names, k2, &t, &err) != MDT_OK)
    return NULL;
  for (size_t a = 0; a < c->n; a++)
    for (size_t k = 0; k < c->alt[a].nsettings; k++) {
      const char *key = c->alt[a].settings[k].key;
      int seen = 0, differs = 0;
      for (size_t b = 0; b < a && !seen; b++)
        seen = setting_of(&c->alt[b], key) != NULL;
      if (seen)
        continue;
      const char *v0 = setting_of(&c->alt[0], key);
      for (size_t b = 0; b < c->n; b++) {
        const char *vb = setting_of(&c->alt[b], key);
        differs |= (v0 == NULL) != (vb == NULL) || (v0 && vb && strcmp(v0, vb) != 0);
      }
      if (!differs)
        continue;
      long row = mdt_table_add_row(t);
      if (row < 0 || mdt_table_set_text(t, (size_t)row, 0, key)) {
        mdt_table_free(t);
        return NULL;
      }
      for (size_t b = 0; b < c->n; b++) {
        const char *vb = setting_of(&c->alt[b], key);
        if (mdt_table_set_text(t, (size_t)row, 1 + b, vb ? vb : "(none)") != 0) {
          mdt_table_free(t);
          return NULL;
        }
      }
    }
  return t;
}

mdt_status mdt_compare_finish(mdt_comparison *c, mdt_error *err) {
  if (c == NULL)
    return mdt_error_set(err, MDT_EUSAGE, "no comparison given");
  if (c->ntables > 0)
    return MDT_OK;
  if (c->n < 2)
    return mdt_error_set(err, MDT_EUSAGE, "expected at least two alternatives, found %zu", c->n);
  /* The same groups, or the comparison is of different things. */
  for (size_t a = 1; a < c->n; a++) {
    const mdt_table *x = c->alt[0].settlement, *y = c->alt[a].settlement;
    int same = x->nrows == y->nrows;
    for (size_t r = 0; same && r < x->nrows; r++) {
      const char *gx = cell_text(x, r, "group"), *gy = cell_text(y, r, "group");
      same = gx && gy && strcmp(gx, gy) == 0;
    }
    if (!same)
      return mdt_error_set(err, MDT_EDATA,
                           "alternative '%s': expected the same employee groups as '%s', found "
                           "others",
                           c->alt[a].name, c->alt[0].name);
  }
  mdt_table *(*builders[])(const mdt_comparison *) = {groups_table, growth_table,
                                                       guarantee_table, indicators_table,
                                                       settings_table};
  for (size_t k = 0; k < sizeof builders / sizeof builders[0]; k++) {
    mdt_table *t = builders[k](c);
    if (t == NULL) {
      for (size_t j = 0; j < c->ntables; j++)
        mdt_table_free(c->tables[j]);
      c->ntables = 0;
      return mdt_error_set(err, MDT_ENOMEM, "out of memory building the comparison");
    }
    if (t->nrows == 0 && strcmp(t->name, "compare_guarantee") == 0) {
      mdt_table_free(t); /* no guarantee table in the alternatives */
      continue;
    }
    c->tables[c->ntables++] = t;
  }
  return MDT_OK;
}

size_t mdt_compare_ntables(const mdt_comparison *c) { return c ? c->ntables : 0; }

const mdt_table *mdt_compare_table(const mdt_comparison *c, size_t k) {
  return c && k < c->ntables ? c->tables[k] : NULL;
}

const mdt_table *mdt_compare_find(const mdt_comparison *c, const char *name) {
  for (size_t k = 0; c && name && k < c->ntables; k++)
    if (strcmp(c->tables[k]->name, name) == 0)
      return c->tables[k];
  return NULL;
}

size_t mdt_compare_nalternatives(const mdt_comparison *c) { return c ? c->n : 0; }

const char *mdt_compare_name(const mdt_comparison *c, size_t k) {
  return c && k < c->n ? c->alt[k].name : NULL;
}
