#include "mandat/respondents.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/dict.h"
#include "core/thread.h"
#include "model/load.h"

/* Columns with a fixed meaning; every other header column is a grouping column. */
enum {
  C_ID, C_NAME, C_KIND, C_REGION, C_POPULATION, C_EMPLOYEES, C_FTE, C_WAGEBILL, C_ADOPTED,
  C_FIXED
};

static const mdt_csv_spec fixed_specs[C_FIXED] = {
    {"id", MDT_CSV_STR, 1, 0},         {"name", MDT_CSV_STR, 1, 0},
    {"kind", MDT_CSV_STR, 1, 0},       {"region", MDT_CSV_STR, 1, 0},
    {"population", MDT_CSV_REAL, 1, 0}, {"employees", MDT_CSV_REAL, 1, 0},
    {"fte", MDT_CSV_REAL, 0, 1},       {"wagebill", MDT_CSV_REAL, 0, 1},
    {"adopted", MDT_CSV_STR, 0, 1},
};

/* The adoption's spellings: Norwegian as KS writes it, English, and an empty field. */
static const struct {
  const char *name;
  mdt_adoption value;
} adoption_names[] = {
    {"politisk", MDT_ADOPTED_POLITICAL},
    {"political", MDT_ADOPTED_POLITICAL},
    {"administrativt", MDT_ADOPTED_ADMINISTRATIVE},
    {"administrative", MDT_ADOPTED_ADMINISTRATIVE},
    {"ukjent", MDT_ADOPTED_UNKNOWN},
    {"unknown", MDT_ADOPTED_UNKNOWN},
    {"", MDT_ADOPTED_UNKNOWN},
};

int mdt_adoption_parse(const char *s, mdt_adoption *out) {
  for (size_t k = 0; k < sizeof adoption_names / sizeof adoption_names[0]; k++)
    if (strcmp(s, adoption_names[k].name) == 0) {
      *out = adoption_names[k].value;
      return 0;
    }
  return -1;
}

const char *mdt_adoption_name(mdt_adoption a) {
  switch (a) {
  case MDT_ADOPTED_POLITICAL:
    return "political";
  case MDT_ADOPTED_ADMINISTRATIVE:
    return "administrative";
  case MDT_ADOPTED_UNKNOWN:
    break;
  }
  return "unknown";
}

static int is_fixed(const char *name) {
  for (size_t j = 0; j < C_FIXED; j++)
    if (strcmp(fixed_specs[j].name, name) == 0)
      return 1;
  return 0;
}

void mdt_respondents_free(mdt_respondents *r) {
  if (r == NULL)
    return;
  if (r->text != NULL) { /* ids and names point into one block */
    free(r->id);
    free(r->name);
    free(r->text);
  } else {
    mdt__strvec_free(r->id, r->n);
    mdt__strvec_free(r->name, r->n);
  }
  free(r->kind);
  free(r->population);
  free(r->employees);
  free(r->fte);
  free(r->wagebill_nok);
  free(r->line);
  free(r->adopted);
  if (r->groupings != NULL)
    for (size_t k = 0; k < r->ngroupings; k++) {
      free(r->groupings[k].name);
      mdt__strvec_free(r->groupings[k].levels, r->groupings[k].nlevels);
      free(r->groupings[k].code);
    }
  free(r->groupings);
  free(r->path);
  mdt__dict_free(r->index);
  free(r);
}

/*
 * The spec list for this file: the fixed columns, then one text column per other header
 * name. Names point into csv's header, which must outlive the read.
 */
static mdt_csv_spec *build_specs(const mdt_csv *csv, size_t *nspecs) {
  size_t nh = mdt_csv_header_count(csv);
  mdt_csv_spec *specs = malloc((C_FIXED + nh) * sizeof *specs);
  if (specs == NULL)
    return NULL;
  memcpy(specs, fixed_specs, sizeof fixed_specs);
  size_t n = C_FIXED;
  for (size_t h = 0; h < nh; h++) {
    const char *name = mdt_csv_header_name(csv, h);
    if (is_fixed(name))
      continue;
    specs[n++] = (mdt_csv_spec){name, MDT_CSV_STR, 1, 0};
  }
  *nspecs = n;
  return specs;
}

/* Largest size accepted (persons, FTE or NOK per year): far above any member's, and low
 * enough that sums and squares over every member stay finite. */
#define SIZE_MAX_VALUE 1e15

/* Checks that size column col of row i is a finite number from 0 to SIZE_MAX_VALUE (NaN =
 * empty is allowed). */
static mdt_status check_size(const mdt_csv_table *t, size_t i, size_t col, mdt_error *err) {
  if (!t->present[col])
    return MDT_OK;
  double v = t->reals[col][i];
  if (isnan(v) || (v >= 0 && v <= SIZE_MAX_VALUE))
    return MDT_OK;
  char found[MDT__FOUND_MAX];
  return mdt_csv_fail(t, i, col, err, MDT_EDATA, "expected a number from 0 to %g, found %s",
                      SIZE_MAX_VALUE, mdt__quote_number(v, t->delimiter, found, sizeof found));
}

/* Ids are hashed this many rows ahead of their put, and their slots loaded meanwhile: the
 * slots of consecutive ids are far apart, and the index of 47 700 members is 1 MB. */
#define ID_AHEAD 8

static void hash_ahead(const mdt_csv_table *t, const mdt__dict *index, size_t i, uint64_t *h,
                       size_t *len) {
  const char *id = mdt_csv_str(t, C_ID, i);
  len[i % ID_AHEAD] = strlen(id);
  h[i % ID_AHEAD] = mdt__dict_hash(id, len[i % ID_AHEAD]);
  mdt__dict_prefetch(index, h[i % ID_AHEAD]);
}

static mdt_status check_rows(const mdt_csv_table *t, mdt_respondents *r, mdt_error *err) {
  char found[MDT__FOUND_MAX];
  uint64_t hash[ID_AHEAD];
  size_t len[ID_AHEAD];
  for (size_t i = 0; i < t->nrows && i < ID_AHEAD; i++)
    hash_ahead(t, r->index, i, hash, len);
  for (size_t i = 0; i < t->nrows; i++) {
    const char *id = mdt_csv_str(t, C_ID, i);
    uint64_t h = hash[i % ID_AHEAD];
    size_t n = len[i % ID_AHEAD];
    if (i + ID_AHEAD < t->nrows)
      hash_ahead(t, r->index, i + ID_AHEAD, hash, len);
    long first;
    int put = mdt__dict_put_hashed(r->index, h, id, n, (long)i, &first);
    if (put < 0)
      return mdt_error_set(err, MDT_ENOMEM, "out of memory reading %s", t->path);
    if (put > 0)
      return mdt_csv_fail(t, i, C_ID, err, MDT_EDATA,
                          "expected a unique member id, found %s again (first on line %ld)",
                          mdt__quote_field(t, i, C_ID, found, sizeof found), t->line[first]);
    const char *kind = mdt_csv_str(t, C_KIND, i);
    if (strcmp(kind, "kommune") == 0)
      r->kind[i] = MDT_KIND_KOMMUNE;
    else if (strcmp(kind, "fylkeskommune") == 0)
      r->kind[i] = MDT_KIND_FYLKESKOMMUNE;
    else
      return mdt_csv_fail(t, i, C_KIND, err, MDT_EDATA,
                          "expected kommune or fylkeskommune, found %s",
                          mdt__quote_field(t, i, C_KIND, found, sizeof found));
    if (t->present[C_ADOPTED] &&
        mdt_adoption_parse(mdt_csv_str(t, C_ADOPTED, i), &r->adopted[i]) != 0)
      return mdt_csv_fail(t, i, C_ADOPTED, err, MDT_EDATA,
                          "expected politisk, administrativt, ukjent (or political, "
                          "administrative, unknown) or an empty field, found %s",
                          mdt__quote_field(t, i, C_ADOPTED, found, sizeof found));
    static const size_t sizes[] = {C_POPULATION, C_EMPLOYEES, C_FTE, C_WAGEBILL};
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
      mdt_status st = check_size(t, i, sizes[k], err);
      if (st != MDT_OK)
        return st;
    }
  }
  return MDT_OK;
}

static int cmp_strp(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Fills g from text column col of t: sorted distinct levels and each row's code. The
 * distinct labels are found with a hash, so only they are sorted, not every row's. */
static int build_grouping(const mdt_csv_table *t, size_t col, mdt_grouping *g) {
  size_t n = t->nrows;
  mdt__dict *seen = mdt__dict_new(64);
  const char **labels = NULL;
  size_t nlabels = 0, cap = 0;
  long *remap = NULL;
  g->name = mdt__strdup(t->names[col]);
  g->code = malloc((n ? n : 1) * sizeof *g->code);
  if (seen == NULL || g->name == NULL || g->code == NULL)
    goto fail;
  const char *prev = NULL; /* the row before's label and level: members come in runs of one */
  size_t prev_len = 0;
  long prev_k = -1;
  for (size_t i = 0; i < n; i++) {
    const char *label = mdt_csv_str(t, col, i);
    size_t len = strlen(label);
    if (prev != NULL && len == prev_len && memcmp(label, prev, len) == 0) {
      g->code[i] = (int32_t)prev_k;
      continue;
    }
    long k = mdt__dict_find(seen, label, len);
    if (k < 0) {
      if (nlabels == cap) {
        size_t c = cap ? 2 * cap : 16;
        const char **grown = realloc(labels, c * sizeof *grown);
        if (grown == NULL)
          goto fail;
        labels = grown;
        cap = c;
      }
      k = (long)nlabels;
      labels[nlabels++] = label;
      if (mdt__dict_put(seen, label, len, k, NULL) < 0)
        goto fail;
    }
    g->code[i] = (int32_t)k;
    prev = label;
    prev_len = len;
    prev_k = k;
  }
  /* Levels in byte order; codes renumbered to match. */
  const char **sorted = malloc((nlabels ? nlabels : 1) * sizeof *sorted);
  remap = malloc((nlabels ? nlabels : 1) * sizeof *remap);
  g->levels = calloc(nlabels ? nlabels : 1, sizeof *g->levels);
  if (sorted == NULL || remap == NULL || g->levels == NULL) {
    free(sorted);
    goto fail;
  }
  memcpy(sorted, labels, nlabels * sizeof *sorted);
  qsort(sorted, nlabels, sizeof *sorted, cmp_strp);
  g->nlevels = nlabels;
  for (size_t l = 0; l < nlabels; l++)
    if ((g->levels[l] = mdt__strdup(sorted[l])) == NULL) {
      free(sorted);
      goto fail;
    }
  for (size_t k = 0; k < nlabels; k++)
    remap[k] = mdt_grouping_level(g, labels[k]);
  for (size_t i = 0; i < n; i++)
    g->code[i] = (int32_t)remap[g->code[i]];
  free(sorted);
  free(remap);
  free(labels);
  mdt__dict_free(seen);
  return 0;
fail:
  free(remap);
  free(labels);
  mdt__dict_free(seen);
  return -1;
}

/* The groupings of t's rows into r: kind, region, then the extra columns in header order.
 * Returns -1 when out of memory. */
static int build_groupings(const mdt_csv_table *t, size_t nspecs, mdt_respondents *r) {
  size_t k = 0;
  if (build_grouping(t, C_KIND, &r->groupings[k++]) != 0 ||
      build_grouping(t, C_REGION, &r->groupings[k++]) != 0)
    return -1;
  for (size_t j = C_FIXED; j < nspecs; j++)
    if (build_grouping(t, j, &r->groupings[k++]) != 0)
      return -1;
  return 0;
}

/* The groupings built on a thread of their own while the calling thread checks the rows and
 * indexes the ids: both read the table only, and write different parts of r. */
typedef struct {
  const mdt_csv_table *t;
  size_t nspecs;
  mdt_respondents *r;
  int failed;
} groupings_job;

static void *groupings_main(void *arg) {
  groupings_job *job = arg;
  job->failed = build_groupings(job->t, job->nspecs, job->r) != 0;
  return NULL;
}

/* Moves the validated table into r's columns: the ids and names stay in the table's block of
 * text, which r takes over (tens of thousands of members are not a string each to allocate
 * and free). The groupings are built already. */
static int take_columns(mdt_csv_table *t, mdt_respondents *r) {
  size_t n = t->nrows;
  for (size_t i = 0; i < n; i++) {
    r->population[i] = t->reals[C_POPULATION][i];
    r->employees[i] = t->reals[C_EMPLOYEES][i];
    r->fte[i] = t->present[C_FTE] ? t->reals[C_FTE][i] : NAN;
    r->wagebill_nok[i] = t->present[C_WAGEBILL] ? t->reals[C_WAGEBILL][i] : NAN;
    r->line[i] = t->line[i];
  }
  r->text = t->strbuf;
  t->strbuf = NULL;
  t->strbuf_len = t->strbuf_cap = 0;
  for (size_t i = 0; i < n; i++) {
    r->id[i] = r->text + t->str_off[C_ID][i];
    r->name[i] = r->text + t->str_off[C_NAME][i];
  }
  return 0;
}

mdt_status mdt_respondents_load(const char *path, mdt_respondents **out, mdt_error *err) {
  return mdt_respondents_load_threads(path, 1, out, err);
}

mdt_status mdt_respondents_load_threads(const char *path, int threads, mdt_respondents **out,
                                        mdt_error *err) {
  *out = NULL;
  mdt_csv *csv = NULL;
  mdt_csv_spec *specs = NULL;
  mdt_csv_table *t = NULL;
  mdt_respondents *r = NULL;
  size_t nspecs = 0;
  mdt_status st = mdt_csv_open(&csv, path, err);
  if (st != MDT_OK)
    goto fail;
  specs = build_specs(csv, &nspecs);
  if (specs == NULL)
    goto nomem;
  mdt_csv_set_threads(csv, threads);
  st = mdt_csv_read_all(csv, specs, nspecs, &t, err); /* the header is read once */
  if (st != MDT_OK)
    goto fail;
  if (t->nrows == 0) {
    st = mdt__no_rows(path, "member", err);
    goto fail;
  }
  size_t n = t->nrows;
  r = calloc(1, sizeof *r);
  if (r == NULL)
    goto nomem;
  r->path = mdt__strdup(path);
  r->id = calloc(n, sizeof *r->id);
  r->name = calloc(n, sizeof *r->name);
  r->n = n;
  r->kind = malloc(n * sizeof *r->kind);
  r->population = malloc(n * sizeof *r->population);
  r->employees = malloc(n * sizeof *r->employees);
  r->fte = malloc(n * sizeof *r->fte);
  r->wagebill_nok = malloc(n * sizeof *r->wagebill_nok);
  r->line = malloc(n * sizeof *r->line);
  r->adopted = calloc(n, sizeof *r->adopted);
  r->groupings = calloc(2 + nspecs - C_FIXED, sizeof *r->groupings);
  r->ngroupings = 2 + nspecs - C_FIXED;
  r->index = mdt__dict_new(n);
  if (!r->path || !r->id || !r->name || !r->kind || !r->population || !r->employees ||
      !r->fte || !r->wagebill_nok || !r->line || !r->adopted || !r->groupings || !r->index)
    goto nomem;
  groupings_job gj = {t, nspecs, r, 0};
  pthread_t gtid;
  int gstarted = threads > 1 && mdt__thread_create(&gtid, groupings_main, &gj) == 0;
  st = check_rows(t, r, err);
  if (gstarted)
    pthread_join(gtid, NULL);
  else if (st == MDT_OK)
    gj.failed = build_groupings(t, nspecs, r) != 0;
  if (st != MDT_OK)
    goto fail;
  if (gj.failed || take_columns(t, r) != 0)
    goto nomem;
  mdt_csv_table_free(t);
  free(specs);
  mdt_csv_close(csv);
  *out = r;
  return MDT_OK;
nomem:
  st = mdt_error_set(err, MDT_ENOMEM, "out of memory reading %s", path);
fail:
  mdt_respondents_free(r);
  mdt_csv_table_free(t);
  free(specs);
  mdt_csv_close(csv);
  return st;
}

long mdt_respondents_find(const mdt_respondents *r, const char *id) {
  return mdt__dict_find(r->index, id, strlen(id));
}

long mdt_respondents_grouping_index(const mdt_respondents *r, const char *name) {
  for (size_t k = 0; r != NULL && name != NULL && k < r->ngroupings; k++)
    if (strcmp(r->groupings[k].name, name) == 0)
      return (long)k;
  return -1;
}

const mdt_grouping *mdt_respondents_grouping(const mdt_respondents *r, const char *name) {
  long k = mdt_respondents_grouping_index(r, name);
  return k < 0 ? NULL : &r->groupings[k];
}

long mdt_grouping_level(const mdt_grouping *g, const char *label) {
  size_t lo = 0, hi = g->nlevels;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    int c = strcmp(g->levels[mid], label);
    if (c == 0)
      return (long)mid;
    if (c < 0)
      lo = mid + 1;
    else
      hi = mid;
  }
  return -1;
}
