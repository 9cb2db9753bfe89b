/*
 * Internal: writing CSV fields and numbers fast, without printf in per-row loops.
 * Ownership: the writer owns its buffer (mdt__writer_init/_close); text written goes to the
 * caller's FILE*, which the caller opens and closes.
 */
#ifndef MANDAT_MODEL_WRITE_H
#define MANDAT_MODEL_WRITE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "mandat/error.h"

/* Size of the writer's buffer; a single field never exceeds it (fields are cut by callers
 * to well below it). */
#define MDT__WRITER_BUF (1u << 16)

typedef struct {
  FILE *fp;
  char *buf;
  size_t len;
  int failed;       /* a write to fp failed */
  uint64_t bytes;   /* bytes handed to fp so far */
} mdt__writer;

/* 0 on success, -1 when out of memory. */
int mdt__writer_init(mdt__writer *w, FILE *fp);
/* Writes what is buffered; 0 on success, -1 when the FILE* reported an error. */
int mdt__writer_flush(mdt__writer *w);
/* Flushes and frees the buffer (not the FILE*). Returns as mdt__writer_flush. */
int mdt__writer_close(mdt__writer *w);

/* Makes room for n bytes (n <= MDT__WRITER_BUF), flushing when needed. */
static inline void mdt__writer_reserve(mdt__writer *w, size_t n) {
  if (w->len + n > MDT__WRITER_BUF)
    mdt__writer_flush(w);
}

static inline void mdt__put_char(mdt__writer *w, char c) {
  mdt__writer_reserve(w, 1);
  w->buf[w->len++] = c;
}

/* Raw bytes (no quoting). */
void mdt__put_raw(mdt__writer *w, const char *s, size_t n);
/* A NUL-terminated string, raw. */
static inline void mdt__put_str(mdt__writer *w, const char *s) {
  mdt__put_raw(w, s, strlen(s));
}

/* A text field, quoted as RFC 4180 asks when it holds ',', ';', '"' or a line end. */
void mdt__put_field(mdt__writer *w, const char *s);
/* A whole number in decimal. */
void mdt__put_i64(mdt__writer *w, int64_t v);
/* A fixed-point number with `decimals` digits after the point (v scaled by 10^decimals),
 * trailing zeros of the fraction and a bare point dropped: (7500, 4) gives "0.75". */
void mdt__put_fixed(mdt__writer *w, int64_t v, int decimals);
/* The shortest decimal text that reads back as x (as mdt__format_number with ','). */
void mdt__put_double(mdt__writer *w, double x);

/* The status for a failed writer: MDT_ECANTWRITE naming what (a path or "output"). */
mdt_status mdt__writer_error(const mdt__writer *w, const char *what, mdt_error *err);

#endif
