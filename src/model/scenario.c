#include "mandat/scenario.h"

#include <errno.h>
#include <ini.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/memfile.h"
#include "core/numparse.h"

const char *const mdt_scenario_rules[] = {"percent",  "krone", "percent_min_krone", "table",
                                          "priority", "mixed", NULL};

static const char *const known_sections[] = {
    "model", "frame",  "settlement", "weighting",   "sweeps",           "uncertainty",
    "regions", "output", "run",      "period",      "year2.frame",      "year2.settlement",
    NULL};

/* -------------------------------------------------------------- helpers -- */

static char *dup_str(const char *s) {
  size_t n = strlen(s) + 1;
  char *d = malloc(n);
  if (d)
    memcpy(d, s, n);
  return d;
}

/* dir/name, or name when it is absolute or dir is NULL; "." names dir itself. */
static char *join_path(const char *dir, const char *name) {
  if (name[0] == '/' || dir == NULL || dir[0] == '\0')
    return dup_str(name);
  if (strcmp(name, ".") == 0)
    return dup_str(dir);
  size_t n = strlen(dir) + strlen(name) + 2;
  char *p = malloc(n);
  if (p)
    snprintf(p, n, "%s/%s", dir, name);
  return p;
}

static void trim(char *s) {
  size_t n = strlen(s);
  while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
    s[--n] = '\0';
  size_t k = 0;
  while (s[k] == ' ' || s[k] == '\t')
    k++;
  if (k)
    memmove(s, s + k, n - k + 1);
}

static int parse_num(const char *s, double *out) {
  char buf[128];
  size_t n = strlen(s);
  if (n == 0 || n >= sizeof buf)
    return -1;
  memcpy(buf, s, n + 1);
  trim(buf);
  double v;
  if (mdt_parse_double(buf, strlen(buf), 0, &v) != 0 || !isfinite(v))
    return -1;
  *out = v;
  return 0;
}

/* ------------------------------------------------------------ the parse -- */

typedef struct parse_state parse_state;
typedef int (*setter)(parse_state *ps, const char *value);

typedef struct {
  const char *section;
  const char *key;
  setter set;
} key_desc;

struct parse_state {
  mdt_scenario *s;
  FILE *fp;
  long line;            /* lines read so far */
  char raw[4096];       /* the current raw line */
  int continuation;     /* the current line continues the previous key */
  char section[64];
  /* first error */
  mdt_status status;
  long err_line, err_col;
  char err_msg[600];
  /* the last key, applied once its continuation lines (if any) are in */
  char last_section[64], last_key[64];
  char *accum;
  int pending;
  long pending_line;
  char pending_raw[4096];
  /* two-year periods */
  int year;              /* the year being read (1 or 2) */
  mdt_scenario *scratch; /* year 1: [year2.*] keys are checked on it */
  size_t nstash;         /* year 2: [year2.*] keys, applied after the file */
  struct stash {
    char section[64], key[64];
    char *value;
    long line;
    char raw[4096];
  } *stash;
  char *line_buf; /* the reader's line, from getline */
  size_t line_cap;
  int read_errno;       /* set when the file could not be read */
};

static void fail_here(parse_state *ps, long col, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void fail_here(parse_state *ps, long col, const char *fmt, ...) {
  if (ps->status != MDT_OK)
    return;
  ps->status = MDT_EDATA;
  ps->err_line = ps->line;
  ps->err_col = col;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(ps->err_msg, sizeof ps->err_msg, fmt, ap);
  va_end(ap);
}

/* Column (1-based, in characters) where the value starts on the current line. */
static long value_column(const parse_state *ps) {
  const char *eq = strpbrk(ps->raw, "=:");
  const char *p = eq ? eq + 1 : ps->raw;
  if (ps->continuation)
    p = ps->raw;
  while (*p == ' ' || *p == '\t')
    p++;
  long col = 1;
  for (const char *q = ps->raw; q < p; q++)
    if ((*q & 0xC0) != 0x80)
      col++;
  return col;
}

static long key_column(const parse_state *ps) {
  const char *p = ps->raw;
  while (*p == ' ' || *p == '\t')
    p++;
  return (long)(p - ps->raw) + 1;
}

static int set_string(char **field, const char *value) {
  char *d = dup_str(value);
  if (d == NULL)
    return -1;
  free(*field);
  *field = d;
  return 0;
}

/* One number of a key that takes one (not a list): a decimal comma is accepted too
 * (frame_pct = 4,5, as a Norwegian writes it); in lists the comma separates items. */
static int parse_one_num(const char *s, double *out) {
  if (parse_num(s, out) == 0)
    return 0;
  char buf[128];
  size_t n = strlen(s);
  if (n == 0 || n >= sizeof buf || strchr(s, '.') != NULL)
    return -1;
  memcpy(buf, s, n + 1);
  trim(buf);
  double v;
  if (mdt_parse_double(buf, strlen(buf), 1, &v) != 0 || !isfinite(v))
    return -1;
  *out = v;
  return 0;
}

static int want_num(parse_state *ps, const char *value, double *out, double lo, double hi,
                    const char *what) {
  double v;
  if (parse_one_num(value, &v) != 0 || v < lo || v > hi) {
    fail_here(ps, value_column(ps), "expected %s, found '%s'", what, value);
    return 0;
  }
  *out = v;
  return 1;
}

static int want_month(parse_state *ps, const char *value, int *out) {
  double v;
  if (!want_num(ps, value, &v, 1, 12, "a month from 1 to 12"))
    return 0;
  if (v != floor(v)) {
    fail_here(ps, value_column(ps), "expected a month from 1 to 12, found '%s'", value);
    return 0;
  }
  *out = (int)v;
  return 1;
}

static int want_bool(parse_state *ps, const char *value, int *out) {
  if (!strcmp(value, "yes") || !strcmp(value, "true") || !strcmp(value, "1") ||
      !strcmp(value, "on"))
    *out = 1;
  else if (!strcmp(value, "no") || !strcmp(value, "false") || !strcmp(value, "0") ||
           !strcmp(value, "off"))
    *out = 0;
  else {
    fail_here(ps, value_column(ps), "expected yes or no, found '%s'", value);
    return 0;
  }
  return 1;
}

static int want_path(parse_state *ps, const char *value, char **field) {
  if (value[0] == '\0') {
    fail_here(ps, value_column(ps), "expected a file name, found nothing");
    return 0;
  }
  char *p = join_path(ps->s->dir, value);
  if (p == NULL) {
    ps->status = MDT_ENOMEM;
    return 0;
  }
  free(*field);
  *field = p;
  return 1;
}

/* Splits value at commas into at most max trimmed items in buf; returns the count or -1. */
static int split_list(const char *value, char *buf, size_t bufsize, char **items, int max) {
  size_t n = strlen(value);
  if (n >= bufsize)
    return -1;
  memcpy(buf, value, n + 1);
  int count = 0;
  char *p = buf;
  for (;;) {
    char *comma = strchr(p, ',');
    if (comma)
      *comma = '\0';
    trim(p);
    if (count == max)
      return -1;
    items[count++] = p;
    if (!comma)
      break;
    p = comma + 1;
  }
  return count;
}

/* A list of numbers "a, b, c" or a range "from:to:step" (both ends included). */
static int want_grid(parse_state *ps, const char *value, mdt_scenario_grid *grid, double lo,
                     double hi, const char *what) {
  double *vals = malloc(MDT_SCENARIO_MAX_LIST * sizeof *vals);
  if (vals == NULL) {
    ps->status = MDT_ENOMEM;
    return 0;
  }
  size_t n = 0;
  const char *colon = strchr(value, ':');
  if (colon) {
    char buf[256];
    char *items[4];
    double from, to, step;
    size_t len = strlen(value);
    int ok = len < sizeof buf;
    if (ok) {
      memcpy(buf, value, len + 1);
      int k = 0;
      char *p = buf;
      for (;;) {
        char *c = strchr(p, ':');
        if (c)
          *c = '\0';
        if (k == 3) {
          ok = 0;
          break;
        }
        items[k++] = p;
        if (!c)
          break;
        p = c + 1;
      }
      ok = ok && k == 3 && parse_num(items[0], &from) == 0 && parse_num(items[1], &to) == 0 &&
           parse_num(items[2], &step) == 0 && step > 0 && to >= from;
    }
    if (!ok) {
      fail_here(ps, value_column(ps), "expected a range from:to:step with step > 0, found '%s'",
                value);
      free(vals);
      return 0;
    }
    double count = floor((to - from) / step + 1e-9) + 1;
    if (count > MDT_SCENARIO_MAX_LIST) {
      fail_here(ps, value_column(ps), "expected at most %d grid points, found %.0f in '%s'",
                MDT_SCENARIO_MAX_LIST, count, value);
      free(vals);
      return 0;
    }
    for (size_t k = 0; k < (size_t)count; k++)
      vals[n++] = from + (double)k * step;
  } else {
    char buf[8192];
    char *items[MDT_SCENARIO_MAX_LIST];
    int k = split_list(value, buf, sizeof buf, items, MDT_SCENARIO_MAX_LIST);
    if (k < 0) {
      fail_here(ps, value_column(ps), "expected at most %d values, found more",
                MDT_SCENARIO_MAX_LIST);
      free(vals);
      return 0;
    }
    for (int j = 0; j < k; j++) {
      if (parse_num(items[j], &vals[n]) != 0) {
        fail_here(ps, value_column(ps), "expected %s (a list a, b, c or a range from:to:step), "
                                        "found '%s'",
                  what, items[j]);
        free(vals);
        return 0;
      }
      n++;
    }
  }
  for (size_t k = 0; k < n; k++)
    if (vals[k] < lo - 1e-12 || vals[k] > hi + 1e-12) {
      fail_here(ps, value_column(ps), "expected %s, found %g in '%s'", what, vals[k], value);
      free(vals);
      return 0;
    }
  free(grid->values);
  grid->values = vals;
  grid->n = n;
  return 1;
}

/* "GROUP:PCT" items (with_month: "GROUP:PCT@MONTH"). */
static int want_group_pcts(parse_state *ps, const char *value, mdt_scenario_group_pct **list,
                           size_t *count, int with_month) {
  char buf[8192];
  char *items[256];
  int k = split_list(value, buf, sizeof buf, items, 256);
  if (k < 0) {
    fail_here(ps, value_column(ps), "expected at most 256 items, found more");
    return 0;
  }
  mdt_scenario_group_pct *out = calloc((size_t)k, sizeof *out);
  if (out == NULL) {
    ps->status = MDT_ENOMEM;
    return 0;
  }
  const char *form = with_month ? "GROUP:PCT@MONTH" : "GROUP:PCT";
  for (int j = 0; j < k; j++) {
    char *colon = strchr(items[j], ':');
    char *at = with_month ? strchr(items[j], '@') : NULL;
    int ok = colon != NULL && colon != items[j] && (!with_month || (at != NULL && at > colon));
    if (ok) {
      *colon = '\0';
      if (at)
        *at = '\0';
      trim(items[j]);
      out[j].group = dup_str(items[j]);
      if (out[j].group == NULL) {
        for (int i = 0; i < j; i++)
          free(out[i].group);
        free(out);
        ps->status = MDT_ENOMEM;
        return 0;
      }
      ok = parse_num(colon + 1, &out[j].pct) == 0;
      if (ok && at) {
        /* Converted to int only once it is known to be a whole month (anything else, such
         * as 1e300, does not fit an int). */
        double m = 0;
        ok = parse_num(at + 1, &m) == 0 && m >= 1 && m <= 12 && m == floor(m);
        if (ok)
          out[j].month = (int)m;
      }
    }
    if (!ok) {
      fail_here(ps, value_column(ps), "expected items %s separated by commas, found '%s'", form,
                value);
      for (int i = 0; i <= j; i++)
        free(out[i].group);
      free(out);
      return 0;
    }
  }
  if (*list) {
    for (size_t i = 0; i < *count; i++)
      free((*list)[i].group);
    free(*list);
  }
  *list = out;
  *count = (size_t)k;
  return 1;
}

static int want_dist(parse_state *ps, const char *value, mdt_scenario_dist *d) {
  memset(d, 0, sizeof *d);
  d->given = 1;
  if (strcmp(value, "fixed") == 0) {
    d->use_frame = 1;
    return 1;
  }
  if (strncmp(value, "normal(", 7) == 0 && value[strlen(value) - 1] == ')') {
    char inner[128], buf[128];
    size_t n = strlen(value) - 8;
    if (n < sizeof inner) {
      memcpy(inner, value + 7, n);
      inner[n] = '\0';
      char *items[3];
      int k = split_list(inner, buf, sizeof buf, items, 3);
      if (k == 2 && parse_num(items[0], &d->value) == 0 && parse_num(items[1], &d->sd) == 0 &&
          d->sd >= 0) {
        d->normal = 1;
        return 1;
      }
    }
  } else if (parse_num(value, &d->value) == 0)
    return 1;
  fail_here(ps, value_column(ps),
            "expected 'fixed', a number or normal(mean, sd) with sd >= 0, found '%s'", value);
  return 0;
}

/* --- setters, one per key --- */

#define S (ps->s)

static int k_model_dir(parse_state *ps, const char *v) { return want_path(ps, v, &S->model_dir); }
static int k_frame_pct(parse_state *ps, const char *v) {
  S->has_frame = 1;
  return want_num(ps, v, &S->frame_pct, -100, 1000, "a frame in percent");
}
static int k_overheng(parse_state *ps, const char *v) {
  S->overheng_groups = strcmp(v, "groups") == 0;
  if (S->overheng_groups)
    return 1;
  return want_num(ps, v, &S->overheng_pct, -100, 1000,
                  "a carry-over in percent, or 'groups' (each group's own from groups.csv)");
}
static int k_glidning(parse_state *ps, const char *v) {
  if (S->glidning_from_history) {
    fail_here(ps, key_column(ps), "expected glidning_pct or glidning_history, found both");
    return 0;
  }
  S->glidning_groups = strcmp(v, "groups") == 0;
  if (S->glidning_groups)
    return 1;
  S->has_glidning = 1;
  return want_num(ps, v, &S->glidning_pct, -100, 1000,
                  "a glidning in percent, or 'groups' (each group's own from groups.csv)");
}
static int k_solve_on(parse_state *ps, const char *v) {
  if (strcmp(v, "covered") && strcmp(v, "area")) {
    fail_here(ps, value_column(ps), "expected covered or area, found '%s'", v);
    return 0;
  }
  S->solve_on_area = strcmp(v, "area") == 0;
  return 1;
}
static int k_step_moves(parse_state *ps, const char *v) {
  return want_bool(ps, v, &S->step_moves);
}
static int k_glidning_steps(parse_state *ps, const char *v) {
  return want_bool(ps, v, &S->glidning_includes_step_moves);
}
static int k_first_year(parse_state *ps, const char *v) {
  double d;
  if (!want_num(ps, v, &d, 1, 9999, "a year from 1 to 9999"))
    return 0;
  if (d != floor(d)) {
    fail_here(ps, value_column(ps), "expected a year from 1 to 9999, found '%s'", v);
    return 0;
  }
  S->first_year = (int)d;
  return 1;
}
static int k_glidning_history(parse_state *ps, const char *v) {
  if (S->has_glidning) {
    fail_here(ps, key_column(ps), "expected glidning_pct or glidning_history, found both");
    return 0;
  }
  char buf[512];
  char *items[4];
  int k = split_list(v, buf, sizeof buf, items, 4);
  if (k != 3 || parse_num(items[0], &S->glidning_history[0]) || parse_num(items[1], &S->glidning_history[1]) ||
      parse_num(items[2], &S->glidning_history[2])) {
    fail_here(ps, value_column(ps),
              "expected the last three years' glidning 'a, b, c' (oldest first), found '%s'", v);
    return 0;
  }
  S->glidning_from_history = 1;
  S->has_glidning = 1;
  S->glidning_pct = (S->glidning_history[0] + S->glidning_history[1] + S->glidning_history[2]) / 3;
  return 1;
}
static int k_price(parse_state *ps, const char *v) {
  S->has_price_forecast = 1;
  /* Prices falling by 100 % or more leave nothing to compare real wages against. */
  if (!want_num(ps, v, &S->price_forecast_pct, -100, 1000,
                "a price forecast in percent above -100 and at most 1000"))
    return 0;
  if (S->price_forecast_pct <= -100) {
    fail_here(ps, value_column(ps),
              "expected a price forecast in percent above -100 and at most 1000, found '%s'", v);
    return 0;
  }
  return 1;
}
static int k_rule(parse_state *ps, const char *v) {
  for (const char *const *r = mdt_scenario_rules; *r; r++)
    if (strcmp(*r, v) == 0)
      return set_string(&S->rule, v) == 0 || (ps->status = MDT_ENOMEM, 0);
  fail_here(ps, value_column(ps),
            "expected a rule (percent, krone, percent_min_krone, table, priority, mixed), found "
            "'%s'",
            v);
  return 0;
}
static int k_central_month(parse_state *ps, const char *v) {
  return want_month(ps, v, &S->central_month);
}
static int k_covered(parse_state *ps, const char *v) {
  if (v[0] == '\0') {
    fail_here(ps, value_column(ps), "expected group ids or chapter:X, found nothing");
    return 0;
  }
  return set_string(&S->covered, v) == 0 || (ps->status = MDT_ENOMEM, 0);
}
static int k_theta(parse_state *ps, const char *v) {
  return want_num(ps, v, &S->theta, -100, 100, "a number theta");
}
static int k_min_krone(parse_state *ps, const char *v) {
  S->has_min_krone = 1;
  return want_num(ps, v, &S->min_krone_nok, 0, 1e7, "an amount in NOK of at least 0");
}
static int k_krone_share(parse_state *ps, const char *v) {
  return want_num(ps, v, &S->krone_share, 0, 1, "a krone share from 0 to 1");
}
static int k_pct(parse_state *ps, const char *v) {
  S->has_pct = 1;
  return want_num(ps, v, &S->pct, 0, 1000, "a percent of at least 0");
}
static int k_krone_nok(parse_state *ps, const char *v) {
  S->has_krone_nok = 1;
  return want_num(ps, v, &S->krone_nok, 0, 1e7, "an amount in NOK of at least 0");
}
static int k_table_scale(parse_state *ps, const char *v) {
  S->has_table_scale = 1;
  return want_num(ps, v, &S->table_scale, 0, 1e6, "a factor of at least 0");
}
static int k_table(parse_state *ps, const char *v) { return want_path(ps, v, &S->table_path); }
static int k_base_table(parse_state *ps, const char *v) {
  return want_path(ps, v, &S->base_table_path);
}
/* "GROUP@MONTH" items. */
static int k_local_frame(parse_state *ps, const char *v) {
  char buf[8192];
  char *items[256];
  int k = split_list(v, buf, sizeof buf, items, 256);
  if (k < 0) {
    fail_here(ps, value_column(ps), "expected at most 256 items, found more");
    return 0;
  }
  mdt_scenario_group_month *out = calloc(k > 0 ? (size_t)k : 1, sizeof *out);
  if (out == NULL) {
    ps->status = MDT_ENOMEM;
    return 0;
  }
  for (int j = 0; j < k; j++) {
    char *at = strchr(items[j], '@');
    double m = 0;
    int ok = at != NULL && at != items[j] && parse_num(at + 1, &m) == 0 && m >= 1 && m <= 12 &&
             m == floor(m);
    if (ok) {
      *at = '\0';
      trim(items[j]);
      out[j].group = dup_str(items[j]);
      out[j].month = (int)m;
      ok = out[j].group != NULL;
    }
    if (!ok) {
      fail_here(ps, value_column(ps),
                "expected items GROUP@MONTH (month 1 to 12) separated by commas, found '%s'", v);
      for (int i = 0; i <= j; i++)
        free(out[i].group);
      free(out);
      return 0;
    }
  }
  for (size_t i = 0; i < S->nlocal_frame; i++)
    free(S->local_frame[i].group);
  free(S->local_frame);
  S->local_frame = out;
  S->nlocal_frame = (size_t)k;
  return 1;
}
static int k_guarantee(parse_state *ps, const char *v) {
  return want_path(ps, v, &S->guarantee_path);
}
static int k_new_guarantee(parse_state *ps, const char *v) {
  return want_path(ps, v, &S->new_guarantee_path);
}
static int k_local_pot(parse_state *ps, const char *v) {
  return want_num(ps, v, &S->local_pot_pct, 0, 100, "a local pot in percent (0 to 100)");
}
static int k_local_month(parse_state *ps, const char *v) {
  return want_month(ps, v, &S->local_month);
}
static int k_named(parse_state *ps, const char *v) {
  return want_group_pcts(ps, v, &S->named, &S->nnamed, 1);
}
static int k_floors(parse_state *ps, const char *v) {
  return want_group_pcts(ps, v, &S->floors, &S->nfloors, 0);
}
static int k_caps(parse_state *ps, const char *v) {
  return want_group_pcts(ps, v, &S->caps, &S->ncaps, 0);
}
static int k_overhead(parse_state *ps, const char *v) {
  return want_num(ps, v, &S->payroll_overhead_pct, 0, 1000, "an overhead in percent");
}
static int k_weights(parse_state *ps, const char *v) {
  static const char *const names[] = {"equal", "population", "employees", "fte", "wagebill"};
  const char *name = strncmp(v, "sqrt:", 5) == 0 ? v + 5 : v;
  for (size_t k = 0; k < sizeof names / sizeof names[0]; k++)
    if (strcmp(name, names[k]) == 0)
      return set_string(&S->weights, v) == 0 || (ps->status = MDT_ENOMEM, 0);
  fail_here(ps, value_column(ps),
            "expected a size measure (equal, population, employees, fte, wagebill, optionally "
            "prefixed 'sqrt:'), found '%s'",
            v);
  return 0;
}
static int k_sqrt(parse_state *ps, const char *v) { return want_bool(ps, v, &S->sqrt_weights); }
static int k_cap(parse_state *ps, const char *v) {
  if (!want_num(ps, v, &S->cap_share, 0, 1, "a share between 0 and 1"))
    return 0;
  if (S->cap_share >= 1) {
    fail_here(ps, value_column(ps), "expected a share between 0 and 1, found '%s'", v);
    return 0;
  }
  return 1;
}
static int k_poststrata(parse_state *ps, const char *v) {
  return set_string(&S->poststrata, v) == 0 || (ps->status = MDT_ENOMEM, 0);
}
static int k_rake(parse_state *ps, const char *v) {
  char buf[512];
  char *items[3];
  int k = split_list(v, buf, sizeof buf, items, 3);
  if (k != 2 || !items[0][0] || !items[1][0]) {
    fail_here(ps, value_column(ps), "expected two columns 'COL1, COL2', found '%s'", v);
    return 0;
  }
  if (set_string(&S->rake[0], items[0]) || set_string(&S->rake[1], items[1])) {
    ps->status = MDT_ENOMEM;
    return 0;
  }
  return 1;
}
static int k_by_group(parse_state *ps, const char *v) { return want_bool(ps, v, &S->by_group); }
static int k_adopted(parse_state *ps, const char *v) {
  if (strcmp(v, "all") == 0 || strcmp(v, "political") == 0) {
    S->adopted_political_only = strcmp(v, "political") == 0;
    return 1;
  }
  fail_here(ps, value_column(ps), "expected all or political, found '%s'", v);
  return 0;
}
static int k_adopted_weight(parse_state *ps, const char *v) {
  if (!want_num(ps, v, &S->adopted_weight, 0, 1e6, "a factor above 0"))
    return 0;
  if (!(S->adopted_weight > 0)) {
    fail_here(ps, value_column(ps),
              "expected a factor above 0 (to leave answers out: adopted = political), "
              "found '%s'",
              v);
    return 0;
  }
  return 1;
}
static int k_bootstrap(parse_state *ps, const char *v) {
  double d;
  if (!want_num(ps, v, &d, 0, 1000000, "a number of draws from 0 to 1000000"))
    return 0;
  S->bootstrap = (size_t)d;
  return 1;
}
static int k_max_failed_draws(parse_state *ps, const char *v) {
  return want_num(ps, v, &S->max_failed_draws, 0, 1, "a share of the draws from 0 to 1");
}
static int k_level(parse_state *ps, const char *v) {
  if (!want_num(ps, v, &S->level, 0, 1, "a coverage between 0 and 1"))
    return 0;
  if (S->level <= 0 || S->level >= 1) {
    fail_here(ps, value_column(ps), "expected a coverage between 0 and 1, found '%s'", v);
    return 0;
  }
  return 1;
}
static int k_sweep_theta(parse_state *ps, const char *v) {
  return want_grid(ps, v, &S->sweep_theta, -100, 100, "values of theta");
}
static int k_sweep_krone(parse_state *ps, const char *v) {
  return want_grid(ps, v, &S->sweep_krone_share, 0, 1, "krone shares from 0 to 1");
}
static int k_sweep_pot(parse_state *ps, const char *v) {
  return want_grid(ps, v, &S->sweep_local_pot, 0, 100, "local pots from 0 to 100 percent");
}
static int k_sweep_month(parse_state *ps, const char *v) {
  if (!want_grid(ps, v, &S->sweep_central_month, 1, 12, "months from 1 to 12"))
    return 0;
  for (size_t k = 0; k < S->sweep_central_month.n; k++)
    if (S->sweep_central_month.values[k] != floor(S->sweep_central_month.values[k])) {
      fail_here(ps, value_column(ps), "expected whole months from 1 to 12, found '%s'", v);
      return 0;
    }
  return 1;
}
static int k_draws(parse_state *ps, const char *v) {
  double d;
  if (!want_num(ps, v, &d, 0, 100000000, "a number of draws from 0 to 100000000"))
    return 0;
  S->draws = (size_t)d;
  return 1;
}
static int k_u_glidning(parse_state *ps, const char *v) { return want_dist(ps, v, &S->u_glidning); }
static int k_u_overheng(parse_state *ps, const char *v) { return want_dist(ps, v, &S->u_overheng); }
static int k_u_price(parse_state *ps, const char *v) { return want_dist(ps, v, &S->u_price); }
static int k_u_drift(parse_state *ps, const char *v) {
  return want_dist(ps, v, &S->u_headcount_drift);
}
static int k_u_mandate(parse_state *ps, const char *v) { return want_bool(ps, v, &S->u_mandate); }
static int k_region_column(parse_state *ps, const char *v) {
  return set_string(&S->region_column, v) == 0 || (ps->status = MDT_ENOMEM, 0);
}
static int k_regions(parse_state *ps, const char *v) { return want_bool(ps, v, &S->regions); }
static int k_lang(parse_state *ps, const char *v) {
  if (strcmp(v, "en") && strcmp(v, "nb")) {
    fail_here(ps, value_column(ps), "expected en or nb, found '%s'", v);
    return 0;
  }
  memcpy(S->lang, v, 3);
  return 1;
}
static int k_csv(parse_state *ps, const char *v) {
  if (strcmp(v, "tidy") != 0 && strcmp(v, "excel-nb") != 0) {
    fail_here(ps, value_column(ps), "expected tidy or excel-nb, found '%s'", v);
    return 0;
  }
  snprintf(S->csv, sizeof S->csv, "%s", v);
  return 1;
}
static int k_threads(parse_state *ps, const char *v) {
  double d;
  if (!want_num(ps, v, &d, 0, 64, "a thread count from 0 (all cores) to 64"))
    return 0;
  S->threads = (int)d;
  return 1;
}
static int k_suppress_below(parse_state *ps, const char *v) {
  double d;
  if (!want_num(ps, v, &d, 0, 1000000, "a whole number of register rows from 0 to 1000000") ||
      d != floor(d)) {
    fail_here(ps, value_column(ps),
              "expected a whole number of register rows from 0 to 1000000, found '%s'", v);
    return 0;
  }
  S->suppress_below = (size_t)d;
  return 1;
}
static int k_seed(parse_state *ps, const char *v) {
  double d;
  if (!want_num(ps, v, &d, 0, 4294967295.0, "a whole number seed from 0 to 4294967295") ||
      d != floor(d)) {
    fail_here(ps, value_column(ps), "expected a whole number seed from 0 to 4294967295, found '%s'",
              v);
    return 0;
  }
  S->seed = (unsigned long)d;
  return 1;
}

#undef S

static const key_desc keys[] = {
    {"model", "dir", k_model_dir},
    {"frame", "frame_pct", k_frame_pct},
    {"frame", "overheng_pct", k_overheng},
    {"frame", "glidning_pct", k_glidning},
    {"frame", "glidning_history", k_glidning_history},
    {"frame", "price_forecast_pct", k_price},
    {"frame", "solve_on", k_solve_on},
    {"frame", "step_moves", k_step_moves},
    {"frame", "glidning_includes_step_moves", k_glidning_steps},
    {"settlement", "rule", k_rule},
    {"settlement", "central_month", k_central_month},
    {"settlement", "covered", k_covered},
    {"settlement", "theta", k_theta},
    {"settlement", "min_krone_nok", k_min_krone},
    {"settlement", "krone_share", k_krone_share},
    {"settlement", "pct", k_pct},
    {"settlement", "krone_nok", k_krone_nok},
    {"settlement", "table_scale", k_table_scale},
    {"settlement", "table", k_table},
    {"settlement", "base_table", k_base_table},
    {"settlement", "local_frame", k_local_frame},
    {"settlement", "guarantee", k_guarantee},
    {"settlement", "new_guarantee", k_new_guarantee},
    {"settlement", "local_pot_pct", k_local_pot},
    {"settlement", "local_month", k_local_month},
    {"settlement", "named", k_named},
    {"settlement", "floors", k_floors},
    {"settlement", "caps", k_caps},
    {"settlement", "payroll_overhead_pct", k_overhead},
    {"weighting", "weights", k_weights},
    {"weighting", "sqrt", k_sqrt},
    {"weighting", "cap", k_cap},
    {"weighting", "poststrata", k_poststrata},
    {"weighting", "rake", k_rake},
    {"weighting", "by_group", k_by_group},
    {"weighting", "adopted", k_adopted},
    {"weighting", "adopted_weight", k_adopted_weight},
    {"weighting", "bootstrap", k_bootstrap},
    {"weighting", "level", k_level},
    {"weighting", "max_failed_draws", k_max_failed_draws},
    {"sweeps", "theta", k_sweep_theta},
    {"sweeps", "krone_share", k_sweep_krone},
    {"sweeps", "local_pot_pct", k_sweep_pot},
    {"sweeps", "central_month", k_sweep_month},
    {"uncertainty", "draws", k_draws},
    {"uncertainty", "glidning_pct", k_u_glidning},
    {"uncertainty", "overheng_pct", k_u_overheng},
    {"uncertainty", "price_forecast_pct", k_u_price},
    {"uncertainty", "headcount_drift_pct", k_u_drift},
    {"uncertainty", "mandate", k_u_mandate},
    {"regions", "column", k_region_column},
    {"regions", "enabled", k_regions},
    {"output", "lang", k_lang},
    {"output", "threads", k_threads},
    {"output", "csv", k_csv},
    {"output", "suppress_below", k_suppress_below},
    {"run", "seed", k_seed},
    {"period", "first_year", k_first_year},
};

static int remember_key(mdt_scenario *s, const char *section, const char *key, long line,
                        long column) {
  struct mdt_scenario_key *k = realloc(s->keys, (s->nkeys + 1) * sizeof *k);
  if (k == NULL)
    return -1;
  s->keys = k;
  k[s->nkeys].section = dup_str(section);
  k[s->nkeys].key = dup_str(key);
  k[s->nkeys].line = line;
  k[s->nkeys].column = column;
  if (!k[s->nkeys].section || !k[s->nkeys].key) {
    free(k[s->nkeys].section);
    free(k[s->nkeys].key);
    return -1;
  }
  s->nkeys++;
  return 0;
}

static const struct mdt_scenario_key *find_key(const mdt_scenario *s, const char *section,
                                               const char *key) {
  for (size_t k = 0; k < s->nkeys; k++)
    if (!strcmp(s->keys[k].section, section) && !strcmp(s->keys[k].key, key))
      return &s->keys[k];
  return NULL;
}

static const key_desc *lookup(const char *section, const char *key) {
  for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++)
    if (!strcmp(keys[k].section, section) && !strcmp(keys[k].key, key))
      return &keys[k];
  return NULL;
}

static int apply(parse_state *ps, const char *section, const char *name, const char *value);

/* Edits (insertions, deletions, substitutions, swaps of neighbours) from a to b, or 99. */
static size_t edit_distance(const char *a, const char *b) {
  size_t n = strlen(a), m = strlen(b), d[3][65];
  if (n > 64 || m > 64)
    return 99;
  for (size_t j = 0; j <= m; j++)
    d[0][j] = j;
  for (size_t i = 1; i <= n; i++) {
    size_t *r = d[i % 3], *p = d[(i - 1) % 3], *pp = d[(i + 1) % 3];
    r[0] = i;
    for (size_t j = 1; j <= m; j++) {
      size_t c = p[j - 1] + (a[i - 1] != b[j - 1]);
      c = c < p[j] + 1 ? c : p[j] + 1;
      c = c < r[j - 1] + 1 ? c : r[j - 1] + 1;
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && pp[j - 2] + 1 < c)
        c = pp[j - 2] + 1;
      r[j] = c;
    }
  }
  return d[n % 3][m];
}

/* " (did you mean 'KEY'?)" for the key of section closest to name, when it is close enough
 * to be a typo or name is how the key begins ("frame" for frame_pct); else "". */
static const char *did_you_mean(const char *section, const char *name, char *buf, size_t size) {
  const char *best = NULL;
  size_t n = strlen(name), best_d = n / 3 + 1 < 3 ? n / 3 + 1 : 3;
  for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
    if (strcmp(keys[k].section, section) != 0)
      continue;
    size_t d = n >= 3 && strncmp(keys[k].key, name, n) == 0 ? 1 : edit_distance(name, keys[k].key);
    if (d <= best_d && (best == NULL || d < best_d)) {
      best = keys[k].key;
      best_d = d;
    }
  }
  buf[0] = '\0';
  if (best != NULL)
    snprintf(buf, size, " (did you mean '%s'?)", best);
  return buf;
}

/* A key of [year2.frame] or [year2.settlement]: checked on a scratch scenario in year 1 (so
 * that a typo fails at once), kept for after the file in year 2. */
static int apply_year2(parse_state *ps, const char *base, const char *name, const char *value) {
  if (strcmp(name, "overheng_pct") == 0 && strcmp(base, "frame") == 0) {
    fail_here(ps, key_column(ps),
              "expected no overheng_pct in [year2.frame] (year two's overheng is year one's "
              "carry-over), found one");
    return 0;
  }
  if (lookup(base, name) == NULL) {
    char hint[128];
    fail_here(ps, key_column(ps), "expected a key of [year2.%s], found '%s'%s", base, name,
              did_you_mean(base, name, hint, sizeof hint));
    return 0;
  }
  ps->s->period_years = 2;
  if (ps->year == 2) {
    struct stash *st = realloc(ps->stash, (ps->nstash + 1) * sizeof *st);
    if (st == NULL) {
      ps->status = MDT_ENOMEM;
      return 0;
    }
    ps->stash = st;
    struct stash *e = &st[ps->nstash];
    snprintf(e->section, sizeof e->section, "%s", base);
    snprintf(e->key, sizeof e->key, "%s", name);
    snprintf(e->raw, sizeof e->raw, "%s", ps->raw);
    e->line = ps->line;
    if ((e->value = dup_str(value)) == NULL) {
      ps->status = MDT_ENOMEM;
      return 0;
    }
    ps->nstash++;
    return 1;
  }
  mdt_scenario *keep = ps->s;
  ps->s = ps->scratch;
  int ok = apply(ps, base, name, value);
  ps->s = keep;
  return ok;
}

/* Year 2: the kept keys over [frame] and [settlement], each with its own line for messages. */
static int apply_stash(parse_state *ps) {
  for (size_t k = 0; k < ps->nstash && ps->status == MDT_OK; k++) {
    struct stash *e = &ps->stash[k];
    ps->line = e->line;
    snprintf(ps->raw, sizeof ps->raw, "%s", e->raw);
    ps->continuation = 0;
    if (!strcmp(e->key, "glidning_pct") || !strcmp(e->key, "glidning_history")) {
      ps->s->glidning_from_history = 0;
      ps->s->has_glidning = 0;
      ps->s->glidning_groups = 0;
    }
    if (!apply(ps, e->section, e->key, e->value))
      return 0;
    for (size_t j = 0; j < ps->s->nkeys; j++)
      if (!strcmp(ps->s->keys[j].section, e->section) && !strcmp(ps->s->keys[j].key, e->key)) {
        ps->s->keys[j].line = e->line;
        ps->s->keys[j].column = value_column(ps);
      }
    if (find_key(ps->s, e->section, e->key) == NULL &&
        remember_key(ps->s, e->section, e->key, e->line, value_column(ps)) != 0) {
      ps->status = MDT_ENOMEM;
      return 0;
    }
  }
  return ps->status == MDT_OK;
}

static int apply(parse_state *ps, const char *section, const char *name, const char *value) {
  if (strncmp(section, "year2.", 6) == 0)
    return apply_year2(ps, section + 6, name, value);
  const key_desc *d = lookup(section, name);
  if (d == NULL) {
    int known = 0;
    for (const char *const *k = known_sections; *k; k++)
      known |= !strcmp(*k, section);
    char hint[128];
    if (!known)
      fail_here(ps, 1, "expected a known section, found [%s]", section);
    else
      fail_here(ps, key_column(ps), "expected a key of [%s], found '%s'%s", section, name,
                did_you_mean(section, name, hint, sizeof hint));
    return 0;
  }
  return d->set(ps, value);
}

/* Applies the key waiting for its continuation lines, with its own line for messages. */
static int flush_pending(parse_state *ps) {
  if (!ps->pending)
    return 1;
  ps->pending = 0;
  long line = ps->line;
  char raw[sizeof ps->raw];
  int cont = ps->continuation;
  memcpy(raw, ps->raw, sizeof raw);
  ps->line = ps->pending_line;
  memcpy(ps->raw, ps->pending_raw, sizeof raw);
  ps->continuation = 0;
  int ok = apply(ps, ps->last_section, ps->last_key, ps->accum);
  ps->line = line;
  memcpy(ps->raw, raw, sizeof raw);
  ps->continuation = cont;
  return ok;
}

static int handler(void *user, const char *section, const char *name, const char *value) {
  parse_state *ps = user;
  if (ps->status != MDT_OK)
    return 0;
  if (ps->pending && ps->continuation && !strcmp(section, ps->last_section) &&
      !strcmp(name, ps->last_key)) {
    /* A continuation line: the value goes on, as one list. */
    size_t n = strlen(ps->accum) + strlen(value) + 3;
    char *grown = realloc(ps->accum, n);
    if (grown == NULL) {
      ps->status = MDT_ENOMEM;
      return 0;
    }
    ps->accum = grown;
    size_t len = strlen(ps->accum);
    if (len > 0 && ps->accum[len - 1] != ',')
      strcat(ps->accum, ",");
    strcat(ps->accum, " ");
    strcat(ps->accum, value);
    return 1;
  }
  if (!flush_pending(ps))
    return 0;
  if (find_key(ps->s, section, name) != NULL) {
    fail_here(ps, key_column(ps), "expected each key once, found '%s' in [%s] again", name,
              section);
    return 0;
  }
  if (remember_key(ps->s, section, name, ps->line, value_column(ps)) != 0) {
    ps->status = MDT_ENOMEM;
    return 0;
  }
  snprintf(ps->last_section, sizeof ps->last_section, "%s", section);
  snprintf(ps->last_key, sizeof ps->last_key, "%s", name);
  free(ps->accum);
  ps->accum = dup_str(value);
  if (ps->accum == NULL) {
    ps->status = MDT_ENOMEM;
    return 0;
  }
  ps->pending = 1;
  ps->pending_line = ps->line;
  memcpy(ps->pending_raw, ps->raw, sizeof ps->raw);
  return 1;
}

/* Keeps the raw line for positions and checks section names (a section with no keys never
 * reaches the handler). line has no line end. */
static void note_line(parse_state *ps, const char *line) {
  snprintf(ps->raw, sizeof ps->raw, "%s", line);
  const char *p = ps->raw;
  while (*p == ' ' || *p == '\t')
    p++;
  ps->continuation = p != ps->raw && *p && *p != ';' && *p != '#';
  if (*p == '[' && ps->status == MDT_OK) {
    const char *end = strchr(p, ']');
    if (end != NULL) {
      char name[64];
      size_t len = (size_t)(end - p - 1);
      if (len >= sizeof name)
        len = sizeof name - 1;
      memcpy(name, p + 1, len);
      name[len] = '\0';
      int known = 0;
      for (const char *const *k = known_sections; *k; k++)
        known |= !strcmp(*k, name);
      if (!known)
        fail_here(ps, (long)(p - ps->raw) + 1,
                  "expected a known section ([model], [frame], [settlement], [weighting], "
                  "[sweeps], [uncertainty], [regions], [output], [run], [period], "
                  "[year2.frame], [year2.settlement]), found [%s]",
                  name);
    }
  }
}

/* An inline comment of a line as inih reads one (';' after a space or tab), or NULL. */
static char *inline_comment(char *s) {
  for (char *p = s; *p; p++)
    if (*p == ';' && p > s && (p[-1] == ' ' || p[-1] == '\t'))
      return p;
  return NULL;
}

/*
 * The line reader given to inih (ini_parse_stream), which parses the INI syntax: sections,
 * 'key = value' or 'key: value', ';' and '#' comments, inline ';' comments after a space,
 * indented continuation lines. Debian's inih reads into a fixed buffer of INI_MAX_LINE (200)
 * bytes and would split a longer line into wrong lines, so this reader reads whole lines with
 * getline, hands inih a long comment line as an empty comment and a long line without its
 * inline comment (which inih drops anyway), and refuses a line still too long at its column.
 * It also refuses NUL bytes, counts lines and keeps the raw line for positions. Returns NULL
 * at the end of the file and when it stops on an error (ps->status or ps->read_errno).
 */
static char *reader(char *str, int num, void *stream) {
  parse_state *ps = stream;
  if (ps->status != MDT_OK)
    return NULL;
  errno = 0;
  ssize_t n = getline(&ps->line_buf, &ps->line_cap, ps->fp);
  if (n < 0) {
    /* getline fails without setting the stream's error flag when it runs out of memory. */
    if (!feof(ps->fp))
      ps->read_errno = errno ? errno : EIO;
    return NULL;
  }
  ps->line++;
  char *line = ps->line_buf;
  char *nul = memchr(line, '\0', (size_t)n);
  if (nul != NULL) {
    long col = 1;
    for (const char *q = line; q < nul; q++)
      col += (*q & 0xC0) != 0x80;
    fail_here(ps, col, "expected text, found a NUL byte");
    return NULL;
  }
  while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
    line[--n] = '\0';
  const char *text = line;
  if (ps->line == 1 && strncmp(text, "\xEF\xBB\xBF", 3) == 0)
    text += 3; /* inih skips the byte-order mark too; positions count from after it */
  note_line(ps, text);
  if (ps->status != MDT_OK)
    return NULL;
  const char *start = text + strspn(text, " \t");
  if ((size_t)n + 2 > (size_t)num && (*start == ';' || *start == '#')) {
    snprintf(str, (size_t)num, ";\n");
    return str;
  }
  if ((size_t)n + 2 > (size_t)num) {
    char *comment = inline_comment(line);
    if (comment != NULL)
      *comment = '\0';
    if (strlen(line) + 2 > (size_t)num) {
      long col = 1;
      for (const char *q = text; q < line + num - 2; q++)
        col += (*q & 0xC0) != 0x80;
      fail_here(ps, col,
                "expected a line of at most %d bytes before its comment, found %zu bytes",
                num - 2, strlen(line));
      return NULL;
    }
  }
  snprintf(str, (size_t)num, "%s\n", line);
  return str;
}

/* -------------------------------------------------------------- objects -- */

void mdt_scenario_free(mdt_scenario *s) {
  if (s == NULL)
    return;
  free(s->path);
  free(s->dir);
  free(s->model_dir);
  free(s->rule);
  free(s->covered);
  free(s->table_path);
  free(s->base_table_path);
  for (size_t k = 0; k < s->nlocal_frame; k++)
    free(s->local_frame[k].group);
  free(s->local_frame);
  free(s->guarantee_path);
  free(s->new_guarantee_path);
  for (size_t k = 0; k < s->nnamed; k++)
    free(s->named[k].group);
  free(s->named);
  for (size_t k = 0; k < s->nfloors; k++)
    free(s->floors[k].group);
  free(s->floors);
  for (size_t k = 0; k < s->ncaps; k++)
    free(s->caps[k].group);
  free(s->caps);
  free(s->weights);
  free(s->poststrata);
  free(s->rake[0]);
  free(s->rake[1]);
  free(s->sweep_theta.values);
  free(s->sweep_krone_share.values);
  free(s->sweep_local_pot.values);
  free(s->sweep_central_month.values);
  free(s->region_column);
  for (size_t k = 0; k < s->nkeys; k++) {
    free(s->keys[k].section);
    free(s->keys[k].key);
  }
  free(s->keys);
  free(s);
}

mdt_status mdt_scenario_new(const char *dir, mdt_scenario **out, mdt_error *err) {
  *out = NULL;
  mdt_scenario *s = calloc(1, sizeof *s);
  if (s == NULL)
    return mdt_error_set(err, MDT_ENOMEM, "out of memory");
  s->dir = dup_str(dir && *dir ? dir : ".");
  s->model_dir = dup_str(s->dir ? s->dir : ".");
  s->rule = dup_str("percent");
  s->weights = dup_str("employees");
  s->region_column = dup_str("region");
  if (!s->dir || !s->model_dir || !s->rule || !s->weights || !s->region_column) {
    mdt_scenario_free(s);
    return mdt_error_set(err, MDT_ENOMEM, "out of memory");
  }
  s->central_month = 5;
  s->local_month = 10;
  s->bootstrap = 1000;
  s->max_failed_draws = 0.05;
  s->level = 0.95;
  s->adopted_weight = 1;
  s->regions = 1;
  s->u_mandate = 1;
  memcpy(s->lang, "en", 3);
  memcpy(s->csv, "tidy", 5);
  s->seed = 1;
  s->step_moves = 1;
  s->glidning_includes_step_moves = 1;
  s->first_year = 1;
  s->period_years = 1;
  s->year = 1;
  s->suppress_below = 5; /* MDT_SUPPRESS_BELOW_ROWS */
  *out = s;
  return MDT_OK;
}

mdt_status mdt_scenario_load(const char *path, mdt_scenario **out, mdt_error *err) {
  return mdt_scenario_load_year(path, 1, out, err);
}

mdt_status mdt_scenario_load_year(const char *path, int year, mdt_scenario **out,
                                  mdt_error *err) {
  *out = NULL;
  if (year != 1 && year != 2)
    return mdt_error_set(err, MDT_EUSAGE, "expected year 1 or 2 of a period, found %d", year);
  FILE *fp = mdt__memfile_fopen(path);
  if (fp == NULL)
    return mdt_error_set_at(err, MDT_ENOINPUT, path, 0, 0, "cannot open: %s", strerror(errno));
  struct stat sb;
  if (fileno(fp) >= 0 && fstat(fileno(fp), &sb) == 0 && S_ISDIR(sb.st_mode)) {
    fclose(fp);
    return mdt_error_set_at(err, MDT_ENOINPUT, path, 0, 0,
                            "cannot read: expected a scenario file, found a directory");
  }
  char *dir = dup_str(path);
  if (dir == NULL) {
    fclose(fp);
    return mdt_error_set(err, MDT_ENOMEM, "out of memory");
  }
  char *slash = strrchr(dir, '/');
  if (slash)
    *slash = '\0';
  else
    strcpy(dir, ".");
  mdt_scenario *s = NULL;
  mdt_status st = mdt_scenario_new(dir, &s, err);
  free(dir);
  if (st != MDT_OK) {
    fclose(fp);
    return st;
  }
  s->path = dup_str(path);
  parse_state ps;
  memset(&ps, 0, sizeof ps);
  ps.s = s;
  ps.fp = fp;
  ps.status = MDT_OK;
  ps.year = year;
  s->year = year;
  if (year == 1 && mdt_scenario_new(s->dir, &ps.scratch, err) != MDT_OK) {
    fclose(fp);
    mdt_scenario_free(s);
    return MDT_ENOMEM;
  }
  long rc = ini_parse_stream(reader, &ps, handler, &ps);
  free(ps.line_buf);
  if (ps.read_errno != 0)
    rc = -1;
  else if (rc == -2)
    ps.status = MDT_ENOMEM;
  if (ps.status == MDT_OK && rc == 0)
    flush_pending(&ps);
  if (ps.status == MDT_OK && rc == 0)
    apply_stash(&ps);
  fclose(fp);
  free(ps.accum);
  mdt_scenario_free(ps.scratch);
  for (size_t k = 0; k < ps.nstash; k++)
    free(ps.stash[k].value);
  free(ps.stash);
  if (rc < 0 && ps.read_errno != ENOMEM) {
    mdt_scenario_free(s);
    return mdt_error_set_at(err, MDT_ENOINPUT, path, 0, 0, "cannot read: %s",
                            strerror(ps.read_errno));
  }
  if (ps.status == MDT_ENOMEM || rc < 0 || s->path == NULL) {
    mdt_scenario_free(s);
    return mdt_error_set(err, MDT_ENOMEM, "out of memory reading %s", path);
  }
  /* inih goes on after a line that is not INI; an error the handler met on a later line is
   * not the first one. */
  if (ps.status != MDT_OK && !(rc > 0 && rc < ps.err_line)) {
    st = mdt_error_set_at(err, ps.status, path, ps.err_line, ps.err_col, "%s", ps.err_msg);
    mdt_scenario_free(s);
    return st;
  }
  if (rc != 0) {
    st = mdt_error_set_at(err, MDT_EDATA, path, rc, 1,
                          "expected '[section]', 'key = value' or a comment, found a line that "
                          "is none of them");
    mdt_scenario_free(s);
    return st;
  }
  if (s->guarantee_path == NULL) {
    s->guarantee_path = join_path(s->model_dir, "guarantee.csv");
    if (s->guarantee_path == NULL) {
      mdt_scenario_free(s);
      return mdt_error_set(err, MDT_ENOMEM, "out of memory");
    }
  }
  *out = s;
  return MDT_OK;
}

mdt_status mdt_scenario_fail(const mdt_scenario *s, const char *section, const char *key,
                             mdt_error *err, mdt_status status, const char *fmt, ...) {
  char msg[700];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  const struct mdt_scenario_key *k = find_key(s, section, key);
  if (k != NULL)
    return mdt_error_set_at(err, status, s->path, k->line, k->column, "[%s] %s: %s", section, key,
                            msg);
  return mdt_error_set_at(err, status, s->path, 0, 0, "[%s] %s: %s", section, key, msg);
}

mdt_status mdt_scenario_set(mdt_scenario *s, const char *section, const char *key,
                            const char *value, mdt_error *err) {
  parse_state ps;
  memset(&ps, 0, sizeof ps);
  ps.s = s;
  ps.status = MDT_OK;
  snprintf(ps.raw, sizeof ps.raw, "%s = %s", key, value);
  apply(&ps, section, key, value);
  if (ps.status == MDT_ENOMEM)
    return mdt_error_set(err, MDT_ENOMEM, "out of memory");
  if (ps.status != MDT_OK)
    return mdt_error_set(err, MDT_EUSAGE, "[%s] %s: %s", section, key, ps.err_msg);
  return MDT_OK;
}
