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
#include "model/scenario_int.h"

const char *const mdt_scenario_rules[] = {"percent",  "krone", "percent_min_krone", "table",
                                          "priority", "mixed", NULL};

static const char *const known_sections[] = {
    "model", "frame",  "settlement", "weighting",   "sweeps",           "uncertainty",
    "regions", "output", "run",      "period",      "year2.frame",      "year2.settlement",
    NULL};

/* -------------------------------------------------------------- helpers -- */

char *mdt__scn_dup_str(const char *s) {
  size_t n = strlen(s) + 1;
  char *d = malloc(n);
  if (d)
    memcpy(d, s, n);
  return d;
}

/* dir/name, or name when it is absolute or dir is NULL; "." names dir itself. */
char *mdt__scn_join_path(const char *dir, const char *name) {
  if (name[0] == '/' || dir == NULL || dir[0] == '\0')
    return mdt__scn_dup_str(name);
  if (strcmp(name, ".") == 0)
    return mdt__scn_dup_str(dir);
  size_t n = strlen(dir) + strlen(name) + 2;
  char *p = malloc(n);
  if (p)
    snprintf(p, n, "%s/%s", dir, name);
  return p;
}

void mdt__scn_trim(char *s) {
  size_t n = strlen(s);
  while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
    s[--n] = '\0';
  size_t k = 0;
  while (s[k] == ' ' || s[k] == '\t')
    k++;
  if (k)
    memmove(s, s + k, n - k + 1);
}

int mdt__scn_parse_num(const char *s, double *out) {
  char buf[128];
  size_t n = strlen(s);
  if (n == 0 || n >= sizeof buf)
    return -1;
  memcpy(buf, s, n + 1);
  mdt__scn_trim(buf);
  double v;
  if (mdt_parse_double(buf, strlen(buf), 0, &v) != 0 || !isfinite(v))
    return -1;
  *out = v;
  return 0;
}

/* ------------------------------------------------------------ the parse -- */

void mdt__scn_fail_here(parse_state *ps, long col, const char *fmt, ...) {
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
long mdt__scn_value_column(const parse_state *ps) {
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

long mdt__scn_key_column(const parse_state *ps) {
  const char *p = ps->raw;
  while (*p == ' ' || *p == '\t')
    p++;
  return (long)(p - ps->raw) + 1;
}

static int remember_key(mdt_scenario *s, const char *section, const char *key, long line,
                        long column) {
  struct mdt_scenario_key *k = realloc(s->keys, (s->nkeys + 1) * sizeof *k);
  if (k == NULL)
    return -1;
  s->keys = k;
  k[s->nkeys].section = mdt__scn_dup_str(section);
  k[s->nkeys].key = mdt__scn_dup_str(key);
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

static int apply(parse_state *ps, const char *section, const char *name, const char *value);

/* A key of [year2.frame] or [year2.settlement]: checked on a scratch scenario in year 1 (so
 * that a typo fails at once), kept for after the file in year 2. */
static int apply_year2(parse_state *ps, const char *base, const char *name, const char *value) {
  if (strcmp(name, "overheng_pct") == 0 && strcmp(base, "frame") == 0) {
    mdt__scn_fail_here(
        ps, mdt__scn_key_column(ps),
        "expected no overheng_pct in [year2.frame] (year two's overheng is year one's "
        "carry-over), found one");
    return 0;
  }
  if (mdt__scn_lookup(base, name) == NULL) {
    char hint[128];
    mdt__scn_fail_here(ps, mdt__scn_key_column(ps), "expected a key of [year2.%s], found '%s'%s",
                       base, name, mdt__scn_did_you_mean(base, name, hint, sizeof hint));
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
    if ((e->value = mdt__scn_dup_str(value)) == NULL) {
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
        ps->s->keys[j].column = mdt__scn_value_column(ps);
      }
    if (find_key(ps->s, e->section, e->key) == NULL &&
        remember_key(ps->s, e->section, e->key, e->line, mdt__scn_value_column(ps)) != 0) {
      ps->status = MDT_ENOMEM;
      return 0;
    }
  }
  return ps->status == MDT_OK;
}

static int apply(parse_state *ps, const char *section, const char *name, const char *value) {
  if (strncmp(section, "year2.", 6) == 0)
    return apply_year2(ps, section + 6, name, value);
  const key_desc *d = mdt__scn_lookup(section, name);
  if (d == NULL) {
    int known = 0;
    for (const char *const *k = known_sections; *k; k++)
      known |= !strcmp(*k, section);
    char hint[128];
    if (!known)
      mdt__scn_fail_here(ps, 1, "expected a known section, found [%s]", section);
    else
      mdt__scn_fail_here(ps, mdt__scn_key_column(ps), "expected a key of [%s], found '%s'%s",
                         section, name, mdt__scn_did_you_mean(section, name, hint, sizeof hint));
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
    mdt__scn_fail_here(ps, mdt__scn_key_column(ps),
                       "expected each key once, found '%s' in [%s] again", name, section);
    return 0;
  }
  if (remember_key(ps->s, section, name, ps->line, mdt__scn_value_column(ps)) != 0) {
    ps->status = MDT_ENOMEM;
    return 0;
  }
  snprintf(ps->last_section, sizeof ps->last_section, "%s", section);
  snprintf(ps->last_key, sizeof ps->last_key, "%s", name);
  free(ps->accum);
  ps->accum = mdt__scn_dup_str(value);
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
        mdt__scn_fail_here(ps, (long)(p - ps->raw) + 1,
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
    mdt__scn_fail_here(ps, col, "expected text, found a NUL byte");
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
      mdt__scn_fail_here(ps, col,
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
  s->dir = mdt__scn_dup_str(dir && *dir ? dir : ".");
  s->model_dir = mdt__scn_dup_str(s->dir ? s->dir : ".");
  s->rule = mdt__scn_dup_str("percent");
  s->weights = mdt__scn_dup_str("employees");
  s->region_column = mdt__scn_dup_str("region");
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
  char *dir = mdt__scn_dup_str(path);
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
  s->path = mdt__scn_dup_str(path);
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
    s->guarantee_path = mdt__scn_join_path(s->model_dir, "guarantee.csv");
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
