/* The keys of a scenario file: the value parsers, one setter per key, and the key table. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/numparse.h"
#include "model/scenario_int.h"

/* ------------------------------------------------------- value parsers -- */

static int set_string(char **field, const char *value) {
  char *d = mdt__scn_dup_str(value);
  if (d == NULL)
    return -1;
  free(*field);
  *field = d;
  return 0;
}

/* One number of a key that takes one (not a list): a decimal comma is accepted too
 * (frame_pct = 4,5, as a Norwegian writes it); in lists the comma separates items. */
static int parse_one_num(const char *s, double *out) {
  if (mdt__scn_parse_num(s, out) == 0)
    return 0;
  char buf[128];
  size_t n = strlen(s);
  if (n == 0 || n >= sizeof buf || strchr(s, '.') != NULL)
    return -1;
  memcpy(buf, s, n + 1);
  mdt__scn_trim(buf);
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
    mdt__scn_fail_here(ps, mdt__scn_value_column(ps), "expected %s, found '%s'", what, value);
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
    mdt__scn_fail_here(ps, mdt__scn_value_column(ps), "expected a month from 1 to 12, found '%s'",
                       value);
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
    mdt__scn_fail_here(ps, mdt__scn_value_column(ps), "expected yes or no, found '%s'", value);
    return 0;
  }
  return 1;
}

static int want_path(parse_state *ps, const char *value, char **field) {
  if (value[0] == '\0') {
    mdt__scn_fail_here(ps, mdt__scn_value_column(ps), "expected a file name, found nothing");
    return 0;
  }
  char *p = mdt__scn_join_path(ps->s->dir, value);
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
    mdt__scn_trim(p);
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
      ok = ok && k == 3 && mdt__scn_parse_num(items[0], &from) == 0 &&
           mdt__scn_parse_num(items[1], &to) == 0 && mdt__scn_parse_num(items[2], &step) == 0 &&
           step > 0 && to >= from;
    }
    if (!ok) {
      mdt__scn_fail_here(ps, mdt__scn_value_column(ps),
                         "expected a range from:to:step with step > 0, found '%s'", value);
      free(vals);
      return 0;
    }
    double count = floor((to - from) / step + 1e-9) + 1;
    if (count > MDT_SCENARIO_MAX_LIST) {
      mdt__scn_fail_here(ps, mdt__scn_value_column(ps),
                         "expected at most %d grid points, found %.0f in '%s'",
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
      mdt__scn_fail_here(ps, mdt__scn_value_column(ps), "expected at most %d values, found more",
                         MDT_SCENARIO_MAX_LIST);
      free(vals);
      return 0;
    }
    for (int j = 0; j < k; j++) {
      if (mdt__scn_parse_num(items[j], &vals[n]) != 0) {
        mdt__scn_fail_here(ps, mdt__scn_value_column(ps),
                           "expected %s (a list a, b, c or a range from:to:step), "
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
      mdt__scn_fail_here(ps, mdt__scn_value_column(ps), "expected %s, found %g in '%s'", what,
                         vals[k], value);
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
    mdt__scn_fail_here(ps, mdt__scn_value_column(ps), "expected at most 256 items, found more");
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
      mdt__scn_trim(items[j]);
      out[j].group = mdt__scn_dup_str(items[j]);
      if (out[j].group == NULL) {
        for (int i = 0; i < j; i++)
          free(out[i].group);
        free(out);
        ps->status = MDT_ENOMEM;
        return 0;
      }
      ok = mdt__scn_parse_num(colon + 1, &out[j].pct) == 0;
      if (ok && at) {
        /* Converted to int only once it is known to be a whole month (anything else, such
         * as 1e300, does not fit an int). */
        double m = 0;
        ok = mdt__scn_parse_num(at + 1, &m) == 0 && m >= 1 && m <= 12 && m == floor(m);
        if (ok)
          out[j].month = (int)m;
      }
    }
    if (!ok) {
      mdt__scn_fail_here(ps, mdt__scn_value_column(ps),
                         "expected items %s separated by commas, found '%s'", form, value);
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
      if (k == 2 && mdt__scn_parse_num(items[0], &d->value) == 0 &&
          mdt__scn_parse_num(items[1], &d->sd) == 0 && d->sd >= 0) {
        d->normal = 1;
        return 1;
      }
    }
  } else if (mdt__scn_parse_num(value, &d->value) == 0)
    return 1;
  mdt__scn_fail_here(ps, mdt__scn_value_column(ps),
                     "expected 'fixed', a number or normal(mean, sd) with sd >= 0, found '%s'",
                     value);
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
    mdt__scn_fail_here(ps, mdt__scn_key_column(ps),
                       "expected glidning_pct or glidning_history, found both");
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
    mdt__scn_fail_here(ps, mdt__scn_value_column(ps), "expected covered or area, found '%s'", v);
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
    mdt__scn_fail_here(ps, mdt__scn_value_column(ps), "expected a year from 1 to 9999, found '%s'",
                       v);
    return 0;
  }
  S->first_year = (int)d;
  return 1;
}
static int k_glidning_history(parse_state *ps, const char *v) {
  if (S->has_glidning) {
    mdt__scn_fail_here(ps, mdt__scn_key_column(ps),
                       "expected glidning_pct or glidning_history, found both");
    return 0;
  }
  char buf[512];
  char *items[4];
  int k = split_list(v, buf, sizeof buf, items, 4);
  if (k != 3 || mdt__scn_parse_num(items[0], &S->glidning_history[0]) ||
      mdt__scn_parse_num(items[1], &S->glidning_history[1]) ||
      mdt__scn_parse_num(items[2], &S->glidning_history[2])) {
    mdt__scn_fail_here(
        ps, mdt__scn_value_column(ps),
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
    mdt__scn_fail_here(
        ps, mdt__scn_value_column(ps),
        "expected a price forecast in percent above -100 and at most 1000, found '%s'", v);
    return 0;
  }
  return 1;
}
static int k_rule(parse_state *ps, const char *v) {
  for (const char *const *r = mdt_scenario_rules; *r; r++)
    if (strcmp(*r, v) == 0)
      return set_string(&S->rule, v) == 0 || (ps->status = MDT_ENOMEM, 0);
  mdt__scn_fail_here(
      ps, mdt__scn_value_column(ps),
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
    mdt__scn_fail_here(ps, mdt__scn_value_column(ps),
                       "expected group ids or chapter:X, found nothing");
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
    mdt__scn_fail_here(ps, mdt__scn_value_column(ps), "expected at most 256 items, found more");
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
    int ok = at != NULL && at != items[j] && mdt__scn_parse_num(at + 1, &m) == 0 && m >= 1 &&
             m <= 12 && m == floor(m);
    if (ok) {
      *at = '\0';
      mdt__scn_trim(items[j]);
      out[j].group = mdt__scn_dup_str(items[j]);
      out[j].month = (int)m;
      ok = out[j].group != NULL;
    }
    if (!ok) {
      mdt__scn_fail_here(
          ps, mdt__scn_value_column(ps),
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
  mdt__scn_fail_here(
      ps, mdt__scn_value_column(ps),
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
    mdt__scn_fail_here(ps, mdt__scn_value_column(ps),
                       "expected a share between 0 and 1, found '%s'", v);
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
    mdt__scn_fail_here(ps, mdt__scn_value_column(ps),
                       "expected two columns 'COL1, COL2', found '%s'", v);
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
  mdt__scn_fail_here(ps, mdt__scn_value_column(ps), "expected all or political, found '%s'", v);
  return 0;
}
static int k_adopted_weight(parse_state *ps, const char *v) {
  if (!want_num(ps, v, &S->adopted_weight, 0, 1e6, "a factor above 0"))
    return 0;
  if (!(S->adopted_weight > 0)) {
    mdt__scn_fail_here(ps, mdt__scn_value_column(ps),
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
    mdt__scn_fail_here(ps, mdt__scn_value_column(ps),
                       "expected a coverage between 0 and 1, found '%s'", v);
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
      mdt__scn_fail_here(ps, mdt__scn_value_column(ps),
                         "expected whole months from 1 to 12, found '%s'", v);
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
    mdt__scn_fail_here(ps, mdt__scn_value_column(ps), "expected en or nb, found '%s'", v);
    return 0;
  }
  memcpy(S->lang, v, 3);
  return 1;
}
static int k_csv(parse_state *ps, const char *v) {
  if (strcmp(v, "tidy") != 0 && strcmp(v, "excel-nb") != 0) {
    mdt__scn_fail_here(ps, mdt__scn_value_column(ps), "expected tidy or excel-nb, found '%s'", v);
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
    mdt__scn_fail_here(ps, mdt__scn_value_column(ps),
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
    mdt__scn_fail_here(ps, mdt__scn_value_column(ps),
                       "expected a whole number seed from 0 to 4294967295, found '%s'", v);
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

const key_desc *mdt__scn_lookup(const char *section, const char *key) {
  for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++)
    if (!strcmp(keys[k].section, section) && !strcmp(keys[k].key, key))
      return &keys[k];
  return NULL;
}

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
const char *mdt__scn_did_you_mean(const char *section, const char *name, char *buf, size_t size) {
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

