#include "mandat/answers.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/dict.h"
#include "core/spare.h"
#include "model/load.h"

/* Rows per batch: large enough to amortise the callback, small enough to stay in cache. */
#define BATCH_ROWS 65536

enum { A_RESPONDENT, A_QUESTION, A_OPTION, A_VALUE, A_N };

/* Ids are looked up while tokenising (in the reading threads): respondent and question
 * against their tables, option against the distinct option ids of all questions (unknown
 * ones pass as -1 so that the message can name the question). */
static long find_in_dict(const void *dict, const char *text, size_t len) {
  return mdt__dict_find(dict, text, len);
}

/* The id of member v (answers usually come member by member, in the members' order). */
static const char *member_id(const void *respondents, long v) {
  const mdt_respondents *r = respondents;
  return v >= 0 && (size_t)v < r->n ? r->id[v] : NULL;
}

/* Bitmaps, all sized by respondents times options so memory does not grow with answers. */
typedef struct {
  unsigned char *answered; /* respondent x option: this cell was answered */
  unsigned char *ranked;   /* respondent x rank cell: this rank was given in the question */
  unsigned char *chosen;   /* respondent x choice question: an option was chosen */
  size_t nrank;            /* rank cells per respondent (sum of noptions of no-tie rankings) */
  size_t nchoice;          /* choice questions */
  size_t *slot;            /* per question: first rank cell, or choice index; SIZE_MAX if none */
} seen_sets;

typedef struct {
  const mdt_respondents *r;
  const mdt_questionnaire *q;
  mdt_answers_fn fn;
  void *user;
  size_t total;   /* rows validated so far */
  seen_sets seen;
  mdt__dict *option_names; /* distinct option ids -> name index */
  long *option_of;         /* nquestions x nnames: global option index, or -1 */
  size_t nnames;
  int32_t *respondent;
  int32_t *option;
  double *value;
} stream_state;

/* Sets bit i of map; returns its previous value. */
static int test_and_set(unsigned char *map, size_t i) {
  unsigned char mask = (unsigned char)(1u << (i & 7));
  int was = (map[i >> 3] & mask) != 0;
  map[i >> 3] |= mask;
  return was;
}

/* A bitmap whose current byte is held in a register while the bits set fall in it: a store
 * and a load of the same byte for every answer (a respondent's next option, a question's next
 * rank) would chain the answers one after another through memory. held_flush writes the byte
 * back; the map's bytes are right only after it. */
typedef struct {
  unsigned char *map;
  size_t byte; /* SIZE_MAX: none held */
  unsigned bits;
} held_map;

static inline void held_flush(held_map *h) {
  if (h->byte != SIZE_MAX)
    h->map[h->byte] = (unsigned char)h->bits;
  h->byte = SIZE_MAX;
}

/* Bit i of the map, through the held byte (which becomes i's). */
static inline int held_test(held_map *h, size_t i) {
  if (i >> 3 != h->byte) {
    held_flush(h);
    h->byte = i >> 3;
    h->bits = h->map[h->byte];
  }
  return (h->bits >> (i & 7)) & 1;
}

static inline void held_set(held_map *h, size_t i) { /* after held_test(h, i) */
  h->bits |= 1u << (i & 7);
}

/* test_and_set through the held byte. */
static inline int held_test_and_set(held_map *h, size_t i) {
  int was = held_test(h, i);
  held_set(h, i);
  return was;
}

static unsigned char *bitmap_new(size_t rows, size_t cols) {
  if (cols != 0 && rows > (SIZE_MAX - 8) / cols)
    return NULL;
  return mdt__zeroed((rows * cols + 7) / 8 + 1, 1); /* read before written */
}

static int seen_init(seen_sets *s, const mdt_respondents *r, const mdt_questionnaire *q) {
  s->slot = malloc((q->nquestions + 1) * sizeof *s->slot);
  if (s->slot == NULL)
    return -1;
  for (size_t qi = 0; qi < q->nquestions; qi++) {
    const mdt_question *qu = &q->questions[qi];
    s->slot[qi] = SIZE_MAX;
    if (qu->type == MDT_Q_RANK && !qu->ties) {
      s->slot[qi] = s->nrank;
      s->nrank += qu->noptions;
    } else if (qu->type == MDT_Q_CHOICE) {
      s->slot[qi] = s->nchoice++;
    }
  }
  s->answered = bitmap_new(r->n, q->noptions);
  s->ranked = bitmap_new(r->n, s->nrank);
  s->chosen = bitmap_new(r->n, s->nchoice);
  return s->answered && s->ranked && s->chosen ? 0 : -1;
}

static void seen_free(seen_sets *s) {
  free(s->answered);
  free(s->ranked);
  free(s->chosen);
  free(s->slot);
}

/* The distinct option ids and, per question, which global option each one is. */
static int build_option_names(stream_state *s) {
  const mdt_questionnaire *q = s->q;
  s->option_names = mdt__dict_new(q->noptions);
  if (s->option_names == NULL)
    return -1;
  for (size_t c = 0; c < q->noptions; c++) {
    const char *id = q->options[c].id;
    if (mdt__dict_put(s->option_names, id, strlen(id), (long)s->nnames, NULL) == 0)
      s->nnames++;
  }
  size_t cells = (q->nquestions ? q->nquestions : 1) * (s->nnames ? s->nnames : 1);
  s->option_of = malloc(cells * sizeof *s->option_of);
  if (s->option_of == NULL)
    return -1;
  for (size_t k = 0; k < cells; k++)
    s->option_of[k] = -1;
  for (size_t c = 0; c < q->noptions; c++) {
    const char *id = q->options[c].id;
    long name = mdt__dict_find(s->option_names, id, strlen(id));
    s->option_of[q->options[c].question * s->nnames + (size_t)name] = (long)c;
  }
  return 0;
}

/* Checks value v of respondent ri for option o of question qu (row i of b). */
static mdt_status check_value(stream_state *s, const mdt_csv_batch *b, size_t i, size_t ri,
                              size_t qi, double v, mdt_error *err) {
  const mdt_question *qu = &s->q->questions[qi];
  char found[MDT__FOUND_MAX], lo[MDT__FOUND_MAX], hi[MDT__FOUND_MAX];
  switch (qu->type) {
  case MDT_Q_SCORE:
  case MDT_Q_SHARE:
    if (v >= qu->min && v <= qu->max)
      return MDT_OK;
    return mdt_csv_fail(b, i, A_VALUE, err, MDT_EDATA,
                        "expected a %s from %s to %s for question '%s', found %s",
                        mdt_question_type_name(qu->type),
                        mdt__format_number(qu->min, b->delimiter, lo, sizeof lo),
                        mdt__format_number(qu->max, b->delimiter, hi, sizeof hi), qu->id,
                        mdt__quote_number(v, b->delimiter, found, sizeof found));
  case MDT_Q_RANK:
    if (!(v >= 1 && v <= (double)qu->noptions && v == floor(v)))
      return mdt_csv_fail(b, i, A_VALUE, err, MDT_EDATA,
                          "expected a whole rank from 1 to %zu for question '%s', found %s",
                          qu->noptions, qu->id,
                          mdt__quote_number(v, b->delimiter, found, sizeof found));
    if (!qu->ties &&
        test_and_set(s->seen.ranked, ri * s->seen.nrank + s->seen.slot[qi] + (size_t)v - 1))
      return mdt_csv_fail(b, i, A_VALUE, err, MDT_EDATA,
                          "expected each rank at most once per respondent in question '%s' "
                          "(ties are not allowed), found rank %zu again from %s",
                          qu->id, (size_t)v,
                          mdt__quote_field(b, i, A_RESPONDENT, found, sizeof found));
    return MDT_OK;
  case MDT_Q_CHOICE:
    if (v != 0 && v != 1)
      return mdt_csv_fail(b, i, A_VALUE, err, MDT_EDATA,
                          "expected 0 or 1 for choice question '%s', found %s", qu->id,
                          mdt__quote_number(v, b->delimiter, found, sizeof found));
    if (v == 1 && test_and_set(s->seen.chosen, ri * s->seen.nchoice + s->seen.slot[qi]))
      return mdt_csv_fail(b, i, A_VALUE, err, MDT_EDATA,
                          "expected at most one chosen option per respondent in question "
                          "'%s', found a second 1 from %s",
                          qu->id, mdt__quote_field(b, i, A_RESPONDENT, found, sizeof found));
    return MDT_OK;
  case MDT_Q_TEXT: /* has no options, so check_batch has already refused the row */
    break;
  }
  return mdt_error_set(err, MDT_EINTERNAL, "question '%s' has an unknown type", qu->id);
}

/* check_value's checks without its messages, for the answers that pass them (the bitmaps
 * are set as check_value sets them): 1 when value v passes, 0 when check_value must say
 * why it does not. A duplicate rank or choice leaves its bit set, which check_value then
 * finds again. */
static inline int value_ok(stream_state *s, held_map *ranked, size_t ri, size_t qi, double v) {
  const mdt_question *qu = &s->q->questions[qi];
  switch (qu->type) {
  case MDT_Q_SCORE:
  case MDT_Q_SHARE:
    return v >= qu->min && v <= qu->max;
  case MDT_Q_RANK: {
    /* A whole rank from 1 to noptions (at most 255, the aggregator's limit, or more). */
    if (!(v >= 1 && v <= (double)qu->noptions) || (double)(int64_t)v != v)
      return 0;
    return qu->ties ||
           !held_test_and_set(ranked, ri * s->seen.nrank + s->seen.slot[qi] + (size_t)v - 1);
  }
  case MDT_Q_CHOICE:
    if (v != 0 && v != 1)
      return 0;
    return v == 0 || !test_and_set(s->seen.chosen, ri * s->seen.nchoice + s->seen.slot[qi]);
  case MDT_Q_TEXT:
    break;
  }
  return 0;
}

/* Checks rows from.. of b and writes out those that pass every check, in a loop of its own:
 * the messages live in check_row, so that the loop's values stay in registers. Returns the
 * first row it leaves to check_row (b->nrows when none): a row that fails a check, or of a
 * choice (or text) question. A row is tested in full before any of its bits is set, so that
 * check_row finds the bitmaps as they were before it. */
static size_t check_plain_rows(stream_state *s, const mdt_csv_batch *b, size_t from,
                               held_map *answered, held_map *ranked) {
  const int64_t *rcol = b->ints[A_RESPONDENT], *qcol = b->ints[A_QUESTION];
  const int64_t *ocol = b->ints[A_OPTION];
  const double *vcol = b->reals[A_VALUE];
  const long *option_of = s->option_of;
  const mdt_question *questions = s->q->questions;
  const size_t nnames = s->nnames, noptions = s->q->noptions, nrank = s->seen.nrank;
  const size_t *slot = s->seen.slot, n = b->nrows;
  int32_t *out_respondent = s->respondent, *out_option = s->option;
  double *out_value = s->value;
  /* A question's options come one after another: what the checks need of the question is
   * taken when it changes. */
  size_t last_q = SIZE_MAX, rank_at = SIZE_MAX; /* the question's first rank bit, if kept */
  const long *options = NULL;
  int rank = 0, plain = 0;
  double lo = 0, hi = -1;
  for (size_t i = from; i < n; i++) {
    size_t ri = (size_t)rcol[i], qi = (size_t)qcol[i];
    if (qi != last_q) {
      const mdt_question *qu = &questions[qi];
      last_q = qi;
      options = option_of + qi * nnames;
      rank = qu->type == MDT_Q_RANK;
      plain = rank || qu->type == MDT_Q_SCORE || qu->type == MDT_Q_SHARE;
      lo = rank ? 1 : qu->min;
      hi = rank ? (double)qu->noptions : qu->max;
      rank_at = rank && !qu->ties ? slot[qi] : SIZE_MAX;
    }
    if (!plain || ocol[i] < 0)
      return i;
    long o = options[ocol[i]];
    size_t bit = ri * noptions + (size_t)o;
    double v = vcol[i];
    if (o < 0 || held_test(answered, bit) || !(v >= lo && v <= hi))
      return i;
    if (rank) {
      if ((double)(int64_t)v != v)
        return i;
      if (rank_at != SIZE_MAX) {
        size_t rbit = ri * nrank + rank_at + (size_t)v - 1;
        if (held_test(ranked, rbit))
          return i;
        held_set(ranked, rbit);
      }
    }
    held_set(answered, bit);
    out_respondent[i] = (int32_t)ri;
    out_option[i] = (int32_t)o;
    out_value[i] = v;
  }
  return n;
}

/* Checks row i of b and writes it out, or says why it fails. */
static mdt_status check_row(stream_state *s, const mdt_csv_batch *b, size_t i,
                            held_map *answered, held_map *ranked, mdt_error *err) {
  char found[MDT__FOUND_MAX];
  size_t ri = (size_t)b->ints[A_RESPONDENT][i], qi = (size_t)b->ints[A_QUESTION][i];
  int64_t oc = b->ints[A_OPTION][i];
  const mdt_question *qu = &s->q->questions[qi];
  long o = oc >= 0 ? s->option_of[qi * s->nnames + (size_t)oc] : -1;
  if (o < 0)
    return mdt_csv_fail(b, i, A_OPTION, err, MDT_EDATA,
                        "expected an option of question '%s' from options.csv, found %s",
                        qu->id, mdt__quote_field(b, i, A_OPTION, found, sizeof found));
  if (held_test_and_set(answered, ri * s->q->noptions + (size_t)o)) {
    char who[MDT__FOUND_MAX];
    mdt_csv_quote_found(s->r->id[ri], strlen(s->r->id[ri]), who, sizeof who);
    const char *oid = s->q->options[o].id;
    return mdt_csv_fail(b, i, A_OPTION, err, MDT_EDATA,
                        "expected one answer per respondent and option, found a second "
                        "answer from %s to %s in question '%s'",
                        who, mdt_csv_quote_found(oid, strlen(oid), found, sizeof found),
                        qu->id);
  }
  double v = b->reals[A_VALUE][i];
  if (!value_ok(s, ranked, ri, qi, v)) {
    held_flush(ranked); /* check_value reads the map */
    mdt_status st = check_value(s, b, i, ri, qi, v, err);
    if (st != MDT_OK)
      return st;
  }
  s->respondent[i] = (int32_t)ri;
  s->option[i] = (int32_t)o;
  s->value[i] = v;
  return MDT_OK;
}

static mdt_status check_batch(const mdt_csv_batch *b, void *user, mdt_error *err) {
  stream_state *s = user;
  held_map answered = {s->seen.answered, SIZE_MAX, 0}, ranked = {s->seen.ranked, SIZE_MAX, 0};
  for (size_t i = 0; i < b->nrows; i++) {
    i = check_plain_rows(s, b, i, &answered, &ranked);
    if (i == b->nrows)
      break;
    mdt_status st = check_row(s, b, i, &answered, &ranked, err);
    if (st != MDT_OK)
      return st;
  }
  held_flush(&answered);
  held_flush(&ranked);
  s->total += b->nrows;
  if (s->fn == NULL)
    return MDT_OK;
  mdt_answer_batch out = {b->nrows, s->respondent, s->option, s->value, b->rows_expected};
  return s->fn(&out, s->user, err);
}

mdt_status mdt_answers_stream(const char *path, const mdt_respondents *r,
                              const mdt_questionnaire *q, mdt_answers_fn fn, void *user,
                              mdt_error *err) {
  return mdt_answers_stream_threads(path, r, q, 1, fn, user, err);
}

mdt_status mdt_answers_stream_threads(const char *path, const mdt_respondents *r,
                                      const mdt_questionnaire *q, int threads,
                                      mdt_answers_fn fn, void *user, mdt_error *err) {
  stream_state s = {0};
  mdt_csv *csv = NULL;
  mdt_status st;
  if (r->n > INT32_MAX || q->noptions > INT32_MAX)
    return mdt_error_set_at(err, MDT_EDATA, path, 0, 0,
                            "expected at most %d members and options, found %zu and %zu",
                            INT32_MAX, r->n, q->noptions);
  st = mdt_csv_open(&csv, path, err);
  if (st != MDT_OK)
    return st;
  s.r = r;
  s.q = q;
  s.fn = fn;
  s.user = user;
  s.respondent = malloc(BATCH_ROWS * sizeof *s.respondent);
  s.option = malloc(BATCH_ROWS * sizeof *s.option);
  s.value = malloc(BATCH_ROWS * sizeof *s.value);
  if (seen_init(&s.seen, r, q) != 0 || build_option_names(&s) != 0 || !s.respondent ||
      !s.option || !s.value) {
    st = mdt_error_set(err, MDT_ENOMEM, "out of memory reading %s", path);
    goto done;
  }
  const mdt_csv_spec specs[A_N] = {
      {"respondent", MDT_CSV_KEY, 1, 0, find_in_dict, r->index,
       "a member id from respondents.csv", 0, 0, member_id, r},
      {"question", MDT_CSV_KEY, 1, 0, find_in_dict, q->qindex,
       "a question id from questions.csv", 0},
      {"option", MDT_CSV_KEY, 1, 0, find_in_dict, s.option_names, NULL, 1},
      {"value", MDT_CSV_REAL, 1, 0, NULL, NULL, NULL, 0},
  };
  mdt_csv_set_threads(csv, threads);
  st = mdt_csv_read(csv, specs, A_N, BATCH_ROWS, check_batch, &s, err);
  if (st == MDT_OK && s.total == 0)
    st = mdt__no_rows(path, "answer", err);
done:
  seen_free(&s.seen);
  mdt__dict_free(s.option_names);
  free(s.option_of);
  free(s.respondent);
  free(s.option);
  free(s.value);
  mdt_csv_close(csv);
  return st;
}

/* ------------------------------------------------------------- loading -- */

void mdt_answers_free(mdt_answers *a) {
  if (a == NULL)
    return;
  free(a->respondent);
  free(a->option);
  free(a->value);
  free(a->responded);
  free(a->path);
  free(a);
}

typedef struct {
  mdt_answers *a;
  size_t cap;
} collector;

/* Resizes the answers' columns to cap rows; -1 when out of memory (the columns stay valid). */
static int resize_answers(mdt_answers *a, size_t cap) {
  int32_t *resp = realloc(a->respondent, cap * sizeof *resp);
  if (resp != NULL)
    a->respondent = resp;
  int32_t *opt = realloc(a->option, cap * sizeof *opt);
  if (opt != NULL)
    a->option = opt;
  double *val = realloc(a->value, cap * sizeof *val);
  if (val != NULL)
    a->value = val;
  return resp == NULL || opt == NULL || val == NULL ? -1 : 0;
}

static mdt_status collect(const mdt_answer_batch *b, void *user, mdt_error *err) {
  collector *c = user;
  mdt_answers *a = c->a;
  if (a->n + b->n > c->cap) {
    size_t doubled, cap = mdt__rows_room(c->cap, a->n + b->n, b->expected, 1024, &doubled);
    if (resize_answers(a, cap) != 0) {
      if (cap == doubled || resize_answers(a, doubled) != 0)
        return mdt_error_set(err, MDT_ENOMEM, "out of memory reading %s", a->path);
      cap = doubled;
    }
    c->cap = cap;
  }
  memcpy(a->respondent + a->n, b->respondent, b->n * sizeof *b->respondent);
  memcpy(a->option + a->n, b->option, b->n * sizeof *b->option);
  memcpy(a->value + a->n, b->value, b->n * sizeof *b->value);
  for (size_t i = 0; i < b->n; i++)
    a->responded[b->respondent[i]] = 1;
  a->n += b->n;
  return MDT_OK;
}

mdt_status mdt_answers_load(const char *path, const mdt_respondents *r,
                            const mdt_questionnaire *q, mdt_answers **out, mdt_error *err) {
  *out = NULL;
  mdt_answers *a = calloc(1, sizeof *a);
  mdt_status st;
  if (a == NULL)
    return mdt_error_set(err, MDT_ENOMEM, "out of memory reading %s", path);
  a->nrespondents = r->n;
  a->responded = calloc(r->n, sizeof *a->responded);
  a->path = mdt__strdup(path);
  if (a->responded == NULL || a->path == NULL) {
    st = mdt_error_set(err, MDT_ENOMEM, "out of memory reading %s", path);
    goto fail;
  }
  collector c = {a, 0};
  st = mdt_answers_stream(path, r, q, collect, &c, err);
  if (st != MDT_OK)
    goto fail;
  *out = a;
  return MDT_OK;
fail:
  mdt_answers_free(a);
  return st;
}
