/*
 * The CSV reader's two ways of splitting a record, compared: the fast path for plain records
 * and libcsv for every record (mdt_csv_set_libcsv_only). mdt_csv_transcript reads a file
 * one way and writes down everything a loader can see: each row's line and fields, or the
 * error with its status, position and message. The differential fuzz target
 * (fuzz_csv_diff.c) and tests/unit/test_csv_fast.c require the two transcripts to be the
 * same bytes.
 */
#ifndef MDT_CSV_DIFF_H
#define MDT_CSV_DIFF_H

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/csv.h"
#include "mandat/error.h"

typedef struct {
  char *text;
  size_t len, cap;
  int oom;
} mdt_transcript;

static inline void mdt_transcript_add(mdt_transcript *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static inline void mdt_transcript_add(mdt_transcript *t, const char *fmt, ...) {
  if (t->oom)
    return;
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n < 0 || t->len + (size_t)n + 1 > t->cap) {
    size_t cap = t->cap ? t->cap : 256;
    while (n >= 0 && cap < t->len + (size_t)n + 1)
      cap *= 2;
    char *g = n < 0 ? NULL : realloc(t->text, cap);
    if (g == NULL) {
      t->oom = 1;
      return;
    }
    t->text = g;
    t->cap = cap;
  }
  va_start(ap, fmt);
  vsnprintf(t->text + t->len, t->cap - t->len, fmt, ap);
  va_end(ap);
  t->len += (size_t)n;
}

/* How the columns are read: every one as text (empty allowed), or every one as a number
 * (empty refused), so that field errors and their positions are compared too; or as ids
 * looked up in mdt__diff_ids (unknown ones refused in even columns, empty ones allowed in
 * every third; the fast way guesses the next id, the reference does not), or as whole
 * numbers, numbers with 4 decimals and numbers in turn (empty ones allowed in every other). */
typedef enum { MDT_DIFF_TEXT, MDT_DIFF_NUMBERS, MDT_DIFF_KEYS, MDT_DIFF_MIXED } mdt_diff_mode;

/* The ids of MDT_DIFF_KEYS: short ones, one of exactly 8 and 16 bytes, and one longer than
 * the reader's id cache takes. */
static const char *const mdt__diff_ids[] = {"1",        "22",       "x",
                                            "Oslo",     "7.5",      "12345678",
                                            "q01",      "g1",       "1234567890abcdef",
                                            "an-id-longer-than-16-bytes"};

static inline long mdt__diff_find(const void *keys, const char *text, size_t len) {
  (void)keys;
  for (size_t k = 0; k < sizeof mdt__diff_ids / sizeof mdt__diff_ids[0]; k++)
    if (strlen(mdt__diff_ids[k]) == len && memcmp(mdt__diff_ids[k], text, len) == 0)
      return (long)k;
  return -1;
}

/* The id after another in mdt__diff_ids, for the fast way's id guess (mdt_csv_spec id_of). */
static inline const char *mdt__diff_id_of(const void *ids, long v) {
  (void)ids;
  return v >= 0 && (size_t)v < sizeof mdt__diff_ids / sizeof mdt__diff_ids[0] ? mdt__diff_ids[v]
                                                                               : NULL;
}

static inline mdt_status mdt__diff_batch(const mdt_csv_batch *b, void *user, mdt_error *err) {
  (void)err;
  mdt_transcript *t = user;
  for (size_t r = 0; r < b->nrows; r++) {
    mdt_transcript_add(t, "L%ld", b->line[r]);
    for (size_t j = 0; j < b->ncols; j++) {
      if (b->type[j] == MDT_CSV_STR) {
        /* Fields may hold any byte but NUL: written with their length. */
        const char *s = mdt_csv_str(b, j, r);
        mdt_transcript_add(t, "|%zu:%s", strlen(s), s);
      } else if (b->type[j] == MDT_CSV_REAL) {
        double v = b->reals[j][r];
        mdt_transcript_add(t, "|%a", v);
      } else {
        mdt_transcript_add(t, "|%lld", (long long)b->ints[j][r]);
      }
    }
    mdt_transcript_add(t, "\n");
  }
  return MDT_OK;
}

/* Reads path (a file or the memory file) with libcsv alone or with the fast path, with
 * threads threads, into t. Returns the status of the read. */
static inline mdt_status mdt_csv_transcript(const char *path, int libcsv_only, int threads,
                                            mdt_diff_mode mode, mdt_transcript *t) {
  mdt_error err;
  mdt_error_clear(&err);
  mdt_csv *csv = NULL;
  mdt_status st = mdt_csv_open(&csv, path, &err);
  mdt_csv_spec *specs = NULL;
  if (st == MDT_OK) {
    size_t n = mdt_csv_header_count(csv);
    specs = calloc(n ? n : 1, sizeof *specs);
    if (specs == NULL) {
      mdt_csv_close(csv);
      t->oom = 1;
      return MDT_ENOMEM;
    }
    static const mdt_csv_type mixed[3] = {MDT_CSV_INT, MDT_CSV_FIX4, MDT_CSV_REAL};
    for (size_t h = 0; h < n; h++) {
      specs[h].name = mdt_csv_header_name(csv, h);
      specs[h].required = 1;
      switch (mode) {
      case MDT_DIFF_TEXT:
        specs[h].type = MDT_CSV_STR;
        specs[h].allow_empty = 1;
        break;
      case MDT_DIFF_NUMBERS:
        specs[h].type = MDT_CSV_REAL;
        break;
      case MDT_DIFF_KEYS:
        specs[h].type = MDT_CSV_KEY;
        specs[h].find = mdt__diff_find;
        specs[h].expect = "an id of the list";
        specs[h].unknown_ok = h % 2;
        specs[h].allow_empty = h % 3 == 2;
        /* The reference way looks every id up; the other first tries the id after the one
         * looked up last, which must come to the same values. */
        specs[h].id_of = libcsv_only ? NULL : mdt__diff_id_of;
        break;
      case MDT_DIFF_MIXED:
        specs[h].type = mixed[h % 3];
        specs[h].allow_empty = h % 2;
        break;
      }
    }
    mdt_csv_set_libcsv_only(csv, libcsv_only);
    mdt_csv_set_threads(csv, threads);
    mdt_transcript_add(t, "delimiter %c, %zu columns\n", mdt_csv_delimiter(csv), n);
    st = mdt_csv_read(csv, specs, n, 3, mdt__diff_batch, t, &err);
    mdt_csv_close(csv);
    free(specs);
  }
  if (st != MDT_OK) {
    char buf[2048];
    mdt_transcript_add(t, "status %d: %s\n", (int)st, mdt_error_format(&err, buf, sizeof buf));
  }
  return st;
}

#endif
