/* Reading a CSV table, the file: chunks handed to worker threads, and batches in file order. */
#define _GNU_SOURCE /* memrchr */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/csv_int.h"
#include "core/thread.h"

/* --------------------------------------------------------------- batches -- */

static void batch_free_columns(mdt_csv_batch *b) {
  if (b == NULL)
    return;
  for (size_t j = 0; j < b->ncols; j++) {
    if (b->ints)
      free(b->ints[j]);
    if (b->reals)
      free(b->reals[j]);
    if (b->str_off)
      free(b->str_off[j]);
  }
  free(b->ints);
  free(b->reals);
  free(b->str_off);
  free(b->present);
  free(b->discard);
  free(b->type);
  free(b->line);
  free(b->strbuf);
  if (b->owns_layout) {
    free((char *)b->path);
    if (b->names)
      for (size_t j = 0; j < b->ncols; j++)
        free((char *)b->names[j]);
  }
  free(b->field_of);
  free(b->names);
}

void mdt_csv_table_free(mdt_csv_table *table) {
  if (table == NULL)
    return;
  batch_free_columns(table);
  free(table);
}

/* ------------------------------------------------------------- reading -- */

/*
 * The file is read in chunks of about CHUNK_BYTES that end at a record boundary (a line end
 * outside quotes). The calling thread and threads - 1 workers each have two slots of their
 * own; a thread with a free slot fills it with the next chunk of the file (one thread at a
 * time, in file order) and tokenises it at once, with a libcsv parser of its own, into typed
 * columns. The parsed chunks are handed on to the caller one at a time in file order, each by
 * the thread that parsed it when that thread is free, else by any thread with nothing else to
 * do. So a chunk's bytes and columns are read, parsed and handed on by one core, in its cache,
 * and a slot's buffers are written by that core only: when they went from core to core, as
 * the threads took whatever chunk came next, the aggregate of 10 M answers took 0.33 s of CPU
 * on two threads against 0.25 s on one. The caller's work on the rows waits for no one
 * thread. The chunks do not depend on the
 * number of threads, and one thread parses them the same way, so every result is the same
 * whatever the thread count.
 */
#define CHUNK_BYTES ((size_t)1 << 18)
#define CHUNK_PAD 64

enum { SLOT_FREE, SLOT_TAKEN, SLOT_DONE };

static void lock(reader *rd) {
  if (rd->sync)
    pthread_mutex_lock(&rd->mu);
}

static void unlock(reader *rd) {
  if (rd->sync)
    pthread_mutex_unlock(&rd->mu);
}

static void wake(reader *rd) {
  if (rd->sync)
    pthread_cond_broadcast(&rd->cv);
}

static mdt_status hand_on(reader *rd, chunk *c);
static mdt_status fill_chunk(mdt_csv *csv, filler *f, chunk *c, mdt_error *err);

/* Hands on chunk next_consume, which is parsed. Called and returns with the lock held;
 * releases it while the caller's function runs. */
static void hand_on_next(reader *rd) {
  chunk *c = &rd->ring[rd->slot_of[rd->next_consume % rd->nring]];
  rd->consuming = 1;
  unlock(rd);
  mdt_status st = hand_on(rd, c);
  lock(rd);
  rd->consuming = 0;
  if (st != MDT_OK)
    rd->status = st;
  c->state = SLOT_FREE;
  rd->next_consume++;
  wake(rd);
}

/* Fills the next free slot from the file and parses it, as thread me. Called and returns
 * with the lock held. */
static void fill_and_parse(reader *rd, int me, size_t slot, key_cache *caches,
                           col_desc *desc) {
  chunk *c = &rd->ring[slot];
  rd->slot_of[rd->nfilled % rd->nring] = slot;
  rd->filling = 1;
  c->state = SLOT_TAKEN;
  c->owner = me;
  unlock(rd);
  mdt_error err;
  mdt_error_clear(&err);
  mdt_status st = fill_chunk(rd->csv, &rd->fill, c, &err);
  int more = st == MDT_OK && !c->last && !(rd->fill.eof && rd->fill.tail_len == 0);
  lock(rd);
  rd->filling = 0;
  if (st != MDT_OK) {
    c->state = SLOT_FREE;
    rd->fill_status = st;
    rd->fill_err = err;
    rd->more = 0;
    wake(rd);
    return;
  }
  rd->nfilled++;
  rd->more = more;
  wake(rd); /* another thread may fill the next one meanwhile */
  unlock(rd);
  if (caches == NULL || desc == NULL)
    mdt__csv_chunk_fail_offset(c, MDT_ENOMEM, c->offset, "out of memory reading the table");
  else
    mdt__csv_parse_chunk(rd, c, caches, desc);
  lock(rd);
  c->state = SLOT_DONE;
  wake(rd);
}

/* Thread me's part of the read, until every chunk is handed on or the read fails: hand on
 * the next chunk when this thread parsed it, else fill and parse the next free slot, else hand
 * on the next chunk whoever parsed it, else wait. Called and returns with the lock held. */
static void take_part(reader *rd, int me, key_cache *caches, col_desc *desc) {
  while (!rd->stop && rd->status == MDT_OK && rd->fill_status == MDT_OK &&
         (rd->more || rd->next_consume < rd->nfilled)) {
    const chunk *next = rd->next_consume < rd->nfilled
                            ? &rd->ring[rd->slot_of[rd->next_consume % rd->nring]]
                            : NULL;
    int ready = next != NULL && !rd->consuming && next->state == SLOT_DONE;
    if (ready && next->owner == me) {
      hand_on_next(rd);
      continue;
    }
    size_t slot = rd->nring;
    if (rd->more && !rd->filling)
      for (size_t k = (size_t)me; k < rd->nring; k += (size_t)rd->nthreads)
        if (rd->ring[k].state == SLOT_FREE) {
          slot = k;
          break;
        }
    if (slot < rd->nring) {
      fill_and_parse(rd, me, slot, caches, desc);
      continue;
    }
    if (ready) {
      hand_on_next(rd);
      continue;
    }
    if (!rd->sync) { /* one thread always has one of the above to do */
      rd->status = MDT_EINTERNAL;
      mdt_error_set(rd->err, MDT_EINTERNAL, "reading %s stalled", rd->csv->path);
      break;
    }
    pthread_cond_wait(&rd->cv, &rd->mu);
  }
}

typedef struct {
  reader *rd;
  int me;
} worker_arg;

static void *worker_main(void *arg) {
  reader *rd = ((worker_arg *)arg)->rd;
  int me = ((worker_arg *)arg)->me;
  key_cache *caches = calloc(MAX_KEY_COLUMNS, sizeof *caches);
  col_desc *desc = calloc(rd->csv->nheader ? rd->csv->nheader : 1, sizeof *desc);
  if (caches != NULL)
    for (size_t k = 0; k < MAX_KEY_COLUMNS; k++)
      mdt__csv_key_cache_init(&caches[k]);
  lock(rd);
  while (!rd->stop) {
    take_part(rd, me, caches, desc);
    if (!rd->stop)
      pthread_cond_wait(&rd->cv, &rd->mu);
  }
  unlock(rd);
  free(caches);
  free(desc);
  return NULL;
}

/* The end of the last whole record in text[0..len): just after its line end outside quotes;
 * 0 when there is none. *quoted tells whether text[0..len) has a quote. */
static size_t last_boundary(const char *text, size_t len, int *quoted) {
  *quoted = memchr(text, '"', len) != NULL;
  if (!*quoted) {
    const char *lf = memrchr(text, '\n', len);
    return lf ? (size_t)(lf - text) + 1 : 0;
  }
  int in_quotes = 0;
  size_t cut = 0;
  for (size_t i = 0; i < len; i++) {
    if (text[i] == '"')
      in_quotes = !in_quotes;
    else if (text[i] == '\n' && !in_quotes)
      cut = i + 1;
  }
  return cut;
}

static int ensure_cap(char **buf, size_t *cap, size_t need) {
  if (need <= *cap)
    return 0;
  size_t c = *cap ? *cap : need;
  while (c < need)
    c *= 2;
  char *g = realloc(*buf, c);
  if (g == NULL)
    return -1;
  *buf = g;
  *cap = c;
  return 0;
}

/* Fills c with the next chunk of the file. */
static mdt_status fill_chunk(mdt_csv *csv, filler *f, chunk *c, mdt_error *err) {
  if (ensure_cap(&c->text, &c->cap, f->tail_len + mdt__csv_read_size(csv, CHUNK_BYTES) + 1) != 0)
    return mdt_error_set(err, MDT_ENOMEM, "out of memory reading %s", csv->path);
  if (f->tail_len)
    memcpy(c->text, f->tail, f->tail_len);
  c->len = f->tail_len;
  c->offset = f->tail_offset;
  size_t cut = 0;
  int quoted = -1; /* whether text[0..cut) has a quote: -1 when not known */
  for (;;) {
    size_t want = mdt__csv_read_size(csv, CHUNK_BYTES);
    if (ensure_cap(&c->text, &c->cap, c->len + want + 1) != 0)
      return mdt_error_set(err, MDT_ENOMEM, "out of memory reading %s", csv->path);
    ssize_t n = f->eof ? 0 : mdt__csv_source_read(csv, c->text + c->len, want);
    if (n < 0)
      return mdt_error_set_at(err, MDT_ENOINPUT, csv->path, 0, 0, "cannot read: %s",
                              strerror(errno));
    if ((size_t)n < want)
      f->eof = 1;
    c->len += (size_t)n;
    if (f->eof) {
      cut = c->len;
      break;
    }
    cut = last_boundary(c->text, c->len, &quoted);
    if (cut > 0)
      break; /* else one record is longer than a chunk: read on */
  }
  size_t rest = c->len - cut;
  if (ensure_cap(&f->tail, &f->tail_cap, rest + 1) != 0)
    return mdt_error_set(err, MDT_ENOMEM, "out of memory reading %s", csv->path);
  if (rest)
    memcpy(f->tail, c->text + cut, rest);
  f->tail_len = rest;
  f->tail_offset = c->offset + (off_t)cut;
  c->len = cut;
  /* Zeros after the text: the fast path reads 64 bytes at a time, and an id of up to 16 bytes
   * as two words (csv_parse.c). */
  if (ensure_cap(&c->text, &c->cap, cut + CHUNK_PAD) != 0)
    return mdt_error_set(err, MDT_ENOMEM, "out of memory reading %s", csv->path);
  memset(c->text + cut, 0, CHUNK_PAD);
  c->last = f->eof && rest == 0;
  /* No quote in all the text read is none in its first cut bytes either. */
  c->has_quote = quoted == 0 ? 0 : memchr(c->text, '"', cut) != NULL;
  return MDT_OK;
}

/* Turns a chunk's parse failure into err, with the position in the file. */
static mdt_status report_chunk_failure(const mdt_csv *csv, const chunk *c, mdt_error *err) {
  long l, col;
  if (c->fail_at_offset)
    mdt__csv_locate_offset(csv->path, csv->bom, c->fail_offset, &l, &col);
  else
    mdt__csv_locate_field(csv->path, csv->delimiter, c->first_line + c->fail_line, c->fail_field,
                          &l, &col);
  if (c->fail_col)
    return mdt_error_set_at(err, c->status, csv->path, l, col, "%s: %s", c->fail_col,
                            c->fail_msg);
  return mdt_error_set_at(err, c->status, csv->path, l, col, "%s", c->fail_msg);
}

static mdt_status batch_setup(mdt_csv_batch *b, const mdt_csv *csv, const mdt_csv_spec *specs,
                              size_t nspecs, long *spec_of, mdt_error *err) {
  memset(b, 0, sizeof *b);
  b->ncols = nspecs;
  b->path = csv->path;
  b->delimiter = csv->delimiter;
  size_t n1 = nspecs ? nspecs : 1;
  b->present = calloc(n1, sizeof *b->present);
  b->discard = calloc(n1, 1);
  b->type = calloc(n1, sizeof *b->type);
  b->ints = calloc(n1, sizeof *b->ints);
  b->reals = calloc(n1, sizeof *b->reals);
  b->str_off = calloc(n1, sizeof *b->str_off);
  b->field_of = calloc(n1, sizeof *b->field_of);
  b->names = calloc(n1, sizeof *b->names);
  if (!b->present || !b->discard || !b->type || !b->ints || !b->reals || !b->str_off ||
      !b->field_of || !b->names)
    return mdt_error_set(err, MDT_ENOMEM, "out of memory reading %s", csv->path);
  if (spec_of != NULL)
    for (size_t h = 0; h < csv->nheader; h++)
      spec_of[h] = -1;
  for (size_t j = 0; j < nspecs; j++) {
    long h = mdt_csv_find(csv, specs[j].name);
    b->type[j] = specs[j].type;
    b->discard[j] = specs[j].discard != 0;
    b->names[j] = specs[j].name;
    b->field_of[j] = h;
    if (h < 0) {
      if (specs[j].required) {
        char have[400];
        size_t o = 0;
        have[0] = '\0';
        for (size_t k = 0; k < csv->nheader && o + 4 < sizeof have; k++)
          o += (size_t)snprintf(have + o, sizeof have - o, "%s%s", k ? "," : "",
                                csv->header[k]);
        return mdt_error_set_at(err, MDT_EDATA, csv->path, 1, 1,
                                "expected a column named '%s' in the header, found '%s'",
                                specs[j].name, have);
      }
      continue;
    }
    if (spec_of != NULL) {
      if (spec_of[h] >= 0)
        return mdt_error_set(err, MDT_EINTERNAL, "column '%s' bound twice", specs[j].name);
      spec_of[h] = (long)j;
    }
    b->present[j] = specs[j].allow_empty ? 2 : 1;
  }
  return MDT_OK;
}

/* Appends the rows of src (a chunk's batch) to dst (the table). */
static int batch_append(mdt_csv_batch *dst, const mdt_csv_batch *src) {
  if (src->nrows == 0)
    return 0;
  size_t base = dst->nrows;
  if (mdt__csv_batch_grow(dst, base + src->nrows) != 0)
    return -1;
  size_t sbase = dst->strbuf_len;
  if (src->strbuf_len) {
    size_t need = sbase + src->strbuf_len;
    if (need > dst->strbuf_cap) {
      size_t cap = dst->strbuf_cap ? dst->strbuf_cap : 4096;
      while (cap < need)
        cap *= 2;
      char *g = realloc(dst->strbuf, cap);
      if (g == NULL)
        return -1;
      dst->strbuf = g;
      dst->strbuf_cap = cap;
    }
    memcpy(dst->strbuf + sbase, src->strbuf, src->strbuf_len);
    dst->strbuf_len = need;
  }
  memcpy(dst->line + base, src->line, src->nrows * sizeof *src->line);
  for (size_t j = 0; j < dst->ncols; j++) {
    if (!dst->present[j] || dst->discard[j])
      continue;
    if (dst->type[j] == MDT_CSV_STR)
      for (size_t r = 0; r < src->nrows; r++)
        dst->str_off[j][base + r] = src->str_off[j][r] + sbase;
    else if (dst->type[j] == MDT_CSV_REAL)
      memcpy(dst->reals[j] + base, src->reals[j], src->nrows * sizeof(double));
    else
      memcpy(dst->ints[j] + base, src->ints[j], src->nrows * sizeof(int64_t));
  }
  dst->nrows = base + src->nrows;
  return 0;
}

/* Hands rows [from, from + n) of b to fn as a batch of their own. */
static mdt_status call_view(const mdt_csv_batch *b, size_t from, size_t n, mdt_csv_batch *view,
                            mdt_csv_batch_fn fn, void *user, mdt_error *err) {
  view->nrows = n;
  view->line = b->line + from;
  for (size_t j = 0; j < b->ncols; j++) {
    view->ints[j] = b->ints[j] ? b->ints[j] + from : NULL;
    view->reals[j] = b->reals[j] ? b->reals[j] + from : NULL;
    view->str_off[j] = b->str_off[j] ? b->str_off[j] + from : NULL;
  }
  view->strbuf = b->strbuf;
  view->strbuf_len = b->strbuf_len;
  return fn(view, user, err);
}

/* The rows the file has, as told by the rows in its bytes up to the end of chunk c (rows in
 * all) and its size; 0 when its size is not known. With 1/64 more, so that a file whose
 * later rows are a little longer is not found a few rows short; at most as many as the rest
 * of the file could hold (a row has a byte for each of its fields' ends at least). */
static size_t rows_expected(const reader *rd, const chunk *c, size_t rows) {
  const mdt_csv *csv = rd->csv;
  off_t done = c->offset + (off_t)c->len - csv->data_offset;
  if (csv->size < 0 || done <= 0 || rows == 0)
    return 0;
  if (c->last)
    return rows;
  double rest = (double)(csv->size - csv->data_offset - done);
  double est = (double)rows * ((double)(csv->size - csv->data_offset) / (double)done);
  est += est / 64;
  double most = (double)rows + rest / (double)(csv->nheader ? csv->nheader : 1);
  return (size_t)(est < most ? est : most);
}

/* Hands chunk c's rows on: to the caller's function in views of at most batch_rows rows, or
 * appended to the table (grown to the rows expected at once). */
static mdt_status hand_on(reader *rd, chunk *c) {
  c->first_line = rd->next_line;
  rd->next_line += c->nlines;
  if (c->status != MDT_OK)
    return report_chunk_failure(rd->csv, c, rd->err);
  rd->rows_done += c->batch.nrows;
  size_t expect = rows_expected(rd, c, rd->rows_done);
  long *line = c->batch.line, first = c->first_line; /* in locals: the loop is vectorised */
  for (size_t r = 0, n = c->batch.nrows; r < n; r++)
    line[r] += first;
  if (rd->fn == NULL) {
    /* Grown to the rows expected when it can be; else as the rows come. */
    if (expect > rd->table->rows_cap)
      (void)mdt__csv_batch_grow(rd->table, expect);
    if (batch_append(rd->table, &c->batch) != 0)
      return mdt_error_set(rd->err, MDT_ENOMEM, "out of memory reading %s", rd->csv->path);
    return MDT_OK;
  }
  mdt_status st = MDT_OK;
  size_t step = rd->batch_rows ? rd->batch_rows : c->batch.nrows;
  rd->view->rows_expected = expect;
  for (size_t from = 0; from < c->batch.nrows && st == MDT_OK; from += step) {
    size_t n = c->batch.nrows - from < step ? c->batch.nrows - from : step;
    st = call_view(&c->batch, from, n, rd->view, rd->fn, rd->user, rd->err);
  }
  return st;
}

static void chunk_free(chunk *c) {
  free(c->text);
  c->batch.owns_layout = 0;
  batch_free_columns(&c->batch);
}

/*
 * Reads every chunk with threads threads and hands the rows to fn in file order, in views of
 * at most batch_rows rows, or appends them to table when fn is NULL.
 */
static mdt_status csv_read_impl(mdt_csv *csv, const mdt_csv_spec *specs, size_t nspecs,
                                size_t batch_rows, int threads, mdt_csv_batch_fn fn, void *user,
                                mdt_csv_batch *table, mdt_error *err) {
  if (csv->consumed)
    return mdt_error_set(err, MDT_EINTERNAL, "%s was already read", csv->path);
  csv->consumed = 1;
  if (threads < 1)
    threads = 1;
  if (threads > 64)
    threads = 64;
  reader rd;
  memset(&rd, 0, sizeof rd);
  rd.csv = csv;
  /* Two slots a thread, its own, so that a slot's buffers (the text, the columns) stay in one
   * core's cache from one chunk to the next. */
  rd.nthreads = threads;
  rd.nring = 2 * (size_t)threads;
  rd.slot_of = calloc(rd.nring, sizeof *rd.slot_of);
  long *spec_of = calloc(csv->nheader ? csv->nheader : 1, sizeof *spec_of);
  rd.ring = calloc(rd.nring, sizeof *rd.ring);
  mdt_csv_batch view;
  memset(&view, 0, sizeof view);
  pthread_t tids[64];
  worker_arg args[64];
  int started = 0, sync_ok = 0;
  mdt_status st;
  mdt_error_clear(&rd.fill_err);
  /* The calling thread parses and hands on too: with threads > 1 it starts threads - 1
   * workers, so that no more threads are busy than were asked for. */
  key_cache *own_caches = calloc(MAX_KEY_COLUMNS, sizeof *own_caches);
  col_desc *own_desc = calloc(csv->nheader ? csv->nheader : 1, sizeof *own_desc);
  if (own_caches != NULL)
    for (size_t k = 0; k < MAX_KEY_COLUMNS; k++)
      mdt__csv_key_cache_init(&own_caches[k]);
  if (spec_of == NULL || rd.ring == NULL || rd.slot_of == NULL || own_caches == NULL ||
      own_desc == NULL) {
    st = mdt_error_set(err, MDT_ENOMEM, "out of memory reading %s", csv->path);
    goto done;
  }
  rd.spec_of = spec_of;
  rd.specs = specs;
  st = batch_setup(table, csv, specs, nspecs, spec_of, err);
  for (size_t k = 0; k < rd.nring && st == MDT_OK; k++)
    st = batch_setup(&rd.ring[k].batch, csv, specs, nspecs, NULL, err);
  if (st == MDT_OK && fn != NULL)
    st = batch_setup(&view, csv, specs, nspecs, NULL, err);
  if (st != MDT_OK)
    goto done;
  csv->pos = csv->data_offset;
  if (csv->mem != NULL)
    csv->mem_pos = (size_t)csv->data_offset;
  else if (lseek(csv->fd, csv->data_offset, SEEK_SET) < 0) {
    st = mdt_error_set_at(err, MDT_ENOINPUT, csv->path, 0, 0, "cannot read: %s",
                          strerror(errno));
    goto done;
  }
  rd.fill.tail_offset = csv->data_offset;
  rd.more = 1;
  rd.next_line = csv->data_line;
  rd.fn = fn;
  rd.user = user;
  rd.batch_rows = batch_rows;
  rd.view = &view;
  rd.table = table;
  rd.err = err;
  if (threads > 1) {
    pthread_mutex_init(&rd.mu, NULL);
    pthread_cond_init(&rd.cv, NULL);
    sync_ok = rd.sync = 1;
    for (int t = 0; t < threads - 1; t++) {
      args[started] = (worker_arg){&rd, started + 1};
      if (mdt__thread_create(&tids[started], worker_main, &args[started]) != 0)
        break;
      started++;
    }
    if (started == 0) {
      st = mdt_error_set(err, MDT_EINTERNAL, "cannot start a thread to read %s", csv->path);
      goto done;
    }
  }
  lock(&rd);
  take_part(&rd, 0, own_caches, own_desc);
  /* Stop the workers; one may be handing a chunk on still. */
  rd.stop = 1;
  wake(&rd);
  unlock(&rd);
  if (sync_ok)
    for (int t = 0; t < started; t++)
      pthread_join(tids[t], NULL);
  started = 0;
  /* A failure handing on comes from an earlier chunk than one to fill. */
  if (rd.status != MDT_OK)
    st = rd.status;
  else if (rd.fill_status != MDT_OK) {
    *err = rd.fill_err;
    st = rd.fill_status;
  }
done:
  if (sync_ok) {
    pthread_mutex_lock(&rd.mu);
    rd.stop = 1;
    pthread_cond_broadcast(&rd.cv);
    pthread_mutex_unlock(&rd.mu);
    for (int t = 0; t < started; t++)
      pthread_join(tids[t], NULL);
    pthread_mutex_destroy(&rd.mu);
    pthread_cond_destroy(&rd.cv);
  }
  if (rd.ring)
    for (size_t k = 0; k < rd.nring; k++)
      chunk_free(&rd.ring[k]);
  free(rd.ring);
  free(rd.slot_of);
  view.owns_layout = 0;
  view.line = NULL;
  view.strbuf = NULL;
  /* The view borrows the chunks' columns; batch_setup may have failed after allocating only
   * some of its arrays. */
  for (size_t j = 0; j < view.ncols; j++) {
    if (view.ints)
      view.ints[j] = NULL;
    if (view.reals)
      view.reals[j] = NULL;
    if (view.str_off)
      view.str_off[j] = NULL;
  }
  batch_free_columns(&view);
  free(rd.fill.tail);
  free(spec_of);
  free(own_caches);
  free(own_desc);
  return st;
}

mdt_status mdt_csv_read(mdt_csv *csv, const mdt_csv_spec *specs, size_t nspecs,
                        size_t batch_rows, mdt_csv_batch_fn fn, void *user, mdt_error *err) {
  mdt_csv_batch b;
  memset(&b, 0, sizeof b);
  mdt_status st = csv_read_impl(csv, specs, nspecs, batch_rows, csv->threads, fn, user, &b, err);
  b.owns_layout = 0;
  batch_free_columns(&b);
  return st;
}

void mdt_csv_set_libcsv_only(mdt_csv *csv, int on) { csv->libcsv_only = on != 0; }

void mdt_csv_set_threads(mdt_csv *csv, int threads) {
  csv->threads = threads < 1 ? 1 : threads > 64 ? 64 : threads;
}

mdt_status mdt_csv_read_all(mdt_csv *csv, const mdt_csv_spec *specs, size_t nspecs,
                            mdt_csv_table **out, mdt_error *err) {
  *out = NULL;
  mdt_csv_table *t = calloc(1, sizeof *t);
  if (t == NULL)
    return mdt_error_set(err, MDT_ENOMEM, "out of memory reading %s", csv->path);
  mdt_status st = csv_read_impl(csv, specs, nspecs, 0, csv->threads, NULL, NULL, t, err);
  /* The table outlives the reader: give it its own copy of the layout. */
  if (st == MDT_OK) {
    t->path = strdup(csv->path);
    for (size_t j = 0; j < nspecs; j++)
      t->names[j] = NULL;
    t->owns_layout = 1;
    int ok = t->path != NULL;
    for (size_t j = 0; ok && j < nspecs; j++)
      ok = (t->names[j] = strdup(specs[j].name)) != NULL;
    if (!ok)
      st = mdt_error_set(err, MDT_ENOMEM, "out of memory reading %s", csv->path);
  }
  if (st != MDT_OK) {
    mdt_csv_table_free(t);
    return st;
  }
  *out = t;
  return MDT_OK;
}

mdt_status mdt_csv_read_table_threads(const char *path, const mdt_csv_spec *specs,
                                      size_t nspecs, int threads, mdt_csv_table **out,
                                      mdt_error *err) {
  *out = NULL;
  mdt_csv *csv = NULL;
  mdt_status st = mdt_csv_open(&csv, path, err);
  if (st != MDT_OK)
    return st;
  mdt_csv_set_threads(csv, threads);
  st = mdt_csv_read_all(csv, specs, nspecs, out, err);
  mdt_csv_close(csv);
  return st;
}

mdt_status mdt_csv_read_table(const char *path, const mdt_csv_spec *specs, size_t nspecs,
                              mdt_csv_table **out, mdt_error *err) {
  return mdt_csv_read_table_threads(path, specs, nspecs, 1, out, err);
}
