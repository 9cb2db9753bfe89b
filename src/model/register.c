#include "mandat/register.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/dict.h"
#include "core/idset.h"
#include "core/spare.h"
#include "model/load.h"

/* Rows per batch from the CSV reader: amortises the callback, stays in cache. */
#define BATCH_ROWS 65536
/* Highest salary accepted, so that fte x weight x salary sums stay far from overflow. */
#define SALARY_MAX INT64_C(1000000000)

enum { R_ID, R_RESPONDENT, R_GROUP, R_SENIORITY, R_FTE, R_SALARY, R_WEIGHT, R_N };

/* Ids of members and groups are looked up while tokenising (in the reading threads); an
 * employee's own id is checked but not kept. */
static long find_in_dict(const void *dict, const char *text, size_t len) {
  return mdt__dict_find(dict, text, len);
}

void mdt_register_free(mdt_register *reg) {
  if (reg == NULL)
    return;
  free(reg->respondent);
  free(reg->group);
  free(reg->seniority_years);
  free(reg->fte_e4);
  free(reg->salary_nok);
  free(reg->weight_e4);
  free(reg->path);
  free(reg);
}

/* Resizes every column to cap rows; -1 when out of memory (the columns stay valid). */
static int resize(mdt_register *reg, size_t cap) {
#define GROW(col)                                                                              \
  do {                                                                                         \
    void *p = realloc(reg->col, cap * sizeof *reg->col);                                       \
    if (p == NULL)                                                                             \
      return -1;                                                                               \
    reg->col = p;                                                                              \
    mdt__huge(p, cap * sizeof *reg->col);                                                      \
  } while (0)
  GROW(respondent);
  GROW(group);
  GROW(seniority_years);
  GROW(fte_e4);
  GROW(salary_nok);
  GROW(weight_e4);
#undef GROW
  return 0;
}

mdt_status mdt_register_new(size_t n, mdt_register **out, mdt_error *err) {
  *out = NULL;
  mdt_register *reg = calloc(1, sizeof *reg);
  size_t cap = n ? n : 1;
  if (reg == NULL)
    return mdt_error_set(err, MDT_ENOMEM, "out of memory for a register of %zu rows", n);
  reg->respondent = calloc(cap, sizeof *reg->respondent);
  reg->group = calloc(cap, sizeof *reg->group);
  reg->seniority_years = calloc(cap, sizeof *reg->seniority_years);
  reg->fte_e4 = calloc(cap, sizeof *reg->fte_e4);
  reg->salary_nok = calloc(cap, sizeof *reg->salary_nok);
  reg->weight_e4 = calloc(cap, sizeof *reg->weight_e4);
  if (!reg->respondent || !reg->group || !reg->seniority_years || !reg->fte_e4 ||
      !reg->salary_nok || !reg->weight_e4) {
    mdt_register_free(reg);
    return mdt_error_set(err, MDT_ENOMEM, "out of memory for a register of %zu rows", n);
  }
  reg->n = n;
  *out = reg;
  return MDT_OK;
}

/* A value in units of 1/10 000 as the file would write it, in quotes: '1.25', '0', '-0,5'. */
static char *quote_fix4(int64_t v, char delimiter, char *buf, size_t bufsize) {
  uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
  char frac[8];
  snprintf(frac, sizeof frac, "%04u", (unsigned)(u % MDT_FIX4_ONE));
  int nf = 4;
  while (nf > 0 && frac[nf - 1] == '0')
    nf--;
  frac[nf] = '\0';
  snprintf(buf, bufsize, "'%s%llu%s%s'", v < 0 ? "-" : "",
           (unsigned long long)(u / MDT_FIX4_ONE), nf ? (delimiter == ';' ? "," : ".") : "",
           frac);
  return buf;
}

typedef struct {
  mdt_register *reg;
  size_t cap;
  const mdt_respondents *r;
  const mdt_groups *g;
  mdt__idset *ids; /* employee ids and their lines, to refuse an employee listed twice */
} load_state;

static mdt_status check_batch(const mdt_csv_batch *b, void *user, mdt_error *err) {
  load_state *s = user;
  mdt_register *reg = s->reg;
  char found[MDT__FOUND_MAX];
  if (reg->n + b->nrows > s->cap) {
    size_t doubled, cap = mdt__rows_room(s->cap, reg->n + b->nrows, b->rows_expected,
                                         BATCH_ROWS, &doubled);
    if (resize(reg, cap) != 0) {
      if (cap == doubled || resize(reg, doubled) != 0)
        return mdt_error_set(err, MDT_ENOMEM, "out of memory reading %s", b->path);
      cap = doubled;
    }
    s->cap = cap;
  }
  const int64_t *fte = b->ints[R_FTE], *salary = b->ints[R_SALARY];
  const int64_t *weight = b->present[R_WEIGHT] ? b->ints[R_WEIGHT] : NULL;
  const double *seniority = b->reals[R_SENIORITY];
  const int64_t *rcol = b->ints[R_RESPONDENT], *gcol = b->ints[R_GROUP];
  size_t o = reg->n;
  for (size_t i = 0; i < b->nrows; i++, o++) {
    /* A row given twice would count the employee twice in every sum. */
    const char *id = mdt_csv_str(b, R_ID, i);
    long first = -1;
    int put = mdt__idset_put(s->ids, id, strlen(id), b->line[i], &first);
    if (put < 0)
      return mdt_error_set(err, MDT_ENOMEM, "out of memory reading %s", b->path);
    if (put > 0)
      return mdt_csv_fail(b, i, R_ID, err, MDT_EDATA,
                          "expected each employee id once, found '%s' again (first on line %ld)",
                          id, first);
    if (!(seniority[i] >= 0))
      return mdt_csv_fail(b, i, R_SENIORITY, err, MDT_EDATA,
                          "expected years of seniority >= 0, found %s",
                          mdt__quote_number(seniority[i], b->delimiter, found, sizeof found));
    if (!(fte[i] > 0 && fte[i] <= MDT_FIX4_ONE)) {
      return mdt_csv_fail(b, i, R_FTE, err, MDT_EDATA,
                          "expected a full-time equivalent above 0 and at most 1, found %s",
                          quote_fix4(fte[i], b->delimiter, found, sizeof found));
    }
    if (!(salary[i] > 0 && salary[i] <= SALARY_MAX))
      return mdt_csv_fail(b, i, R_SALARY, err, MDT_EDATA,
                          "expected a whole number of NOK from 1 to %lld, found '%lld'",
                          (long long)SALARY_MAX, (long long)salary[i]);
    if (weight != NULL && !(weight[i] > 0 && weight[i] <= INT32_MAX)) {
      return mdt_csv_fail(b, i, R_WEIGHT, err, MDT_EDATA,
                          "expected a weight above 0 and at most 214748.3647, found %s",
                          quote_fix4(weight[i], b->delimiter, found, sizeof found));
    }
    reg->respondent[o] = (int32_t)rcol[i];
    reg->group[o] = (int32_t)gcol[i];
    reg->seniority_years[o] = seniority[i];
    reg->fte_e4[o] = (int32_t)fte[i];
    reg->salary_nok[o] = salary[i];
    reg->weight_e4[o] = weight != NULL ? (int32_t)weight[i] : MDT_FIX4_ONE;
  }
  reg->n = o;
  return MDT_OK;
}

mdt_status mdt_register_load(const char *path, const mdt_respondents *respondents,
                             const mdt_groups *groups, mdt_register **out, mdt_error *err) {
  return mdt_register_load_threads(path, respondents, groups, 1, out, err);
}

mdt_status mdt_register_load_threads(const char *path, const mdt_respondents *respondents,
                                     const mdt_groups *groups, int threads, mdt_register **out,
                                     mdt_error *err) {
  return mdt__register_load_hashed(path, respondents, groups, threads, out, NULL, err);
}

mdt_status mdt__register_load_hashed(const char *path, const mdt_respondents *respondents,
                                     const mdt_groups *groups, int threads, mdt_register **out,
                                     char *sha256, mdt_error *err) {
  *out = NULL;
  if (sha256 != NULL)
    sha256[0] = '\0';
  mdt_csv *csv = NULL;
  mdt_status st;
  if (respondents->n > INT32_MAX || groups->n > INT32_MAX)
    return mdt_error_set_at(err, MDT_EDATA, path, 0, 0,
                            "expected at most %d members and groups, found %zu and %zu",
                            INT32_MAX, respondents->n, groups->n);
  mdt_register *reg = calloc(1, sizeof *reg);
  if (reg == NULL || (reg->path = mdt__strdup(path)) == NULL) {
    st = mdt_error_set(err, MDT_ENOMEM, "out of memory reading %s", path);
    goto fail;
  }
  st = mdt_csv_open(&csv, path, err);
  if (st != MDT_OK)
    goto fail;
  reg->has_weight = mdt_csv_find(csv, "weight") >= 0;
  load_state s = {reg, 0, respondents, groups, mdt__idset_new()};
  if (s.ids == NULL) {
    st = mdt_error_set(err, MDT_ENOMEM, "out of memory reading %s", path);
    goto fail;
  }
  const mdt_csv_spec specs[R_N] = {
      {"id", MDT_CSV_STR, 1, 0, NULL, NULL, NULL, 0, 0},
      {"respondent", MDT_CSV_KEY, 1, 0, find_in_dict, respondents->index,
       "a member id from respondents.csv", 0, 0},
      {"group", MDT_CSV_KEY, 1, 0, find_in_dict, groups->index, "a group id from groups.csv",
       0, 0},
      {"seniority_years", MDT_CSV_REAL, 1, 0, NULL, NULL, NULL, 0, 0},
      {"fte", MDT_CSV_FIX4, 1, 0, NULL, NULL, NULL, 0, 0},
      {"annual_salary", MDT_CSV_INT, 1, 0, NULL, NULL, NULL, 0, 0},
      {"weight", MDT_CSV_FIX4, 0, 0, NULL, NULL, NULL, 0, 0},
  };
  mdt_csv_set_threads(csv, threads);
  if (sha256 != NULL)
    mdt_csv_hash_begin(csv);
  st = mdt_csv_read(csv, specs, R_N, BATCH_ROWS, check_batch, &s, err);
  mdt__idset_free(s.ids);
  s.ids = NULL;
  if (st != MDT_OK)
    goto fail;
  if (sha256 != NULL && !mdt_csv_hash_end(csv, sha256))
    sha256[0] = '\0';
  if (reg->n == 0) {
    st = mdt__no_rows(path, "employee", err);
    goto fail;
  }
  /* Give back what the last doubling over-allocated. */
  if (s.cap > reg->n + reg->n / 8)
    resize(reg, reg->n);
  mdt_csv_close(csv);
  *out = reg;
  return MDT_OK;
fail:
  mdt_csv_close(csv);
  mdt_register_free(reg);
  return st;
}
