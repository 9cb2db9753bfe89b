/* Reading a CSV table, the fields: a chunk tokenised (plain records by a fast path, the rest by
 * libcsv) into the batch's typed columns. */
#include <csv.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/csv_int.h"
#include "core/csv_scan.h"
#include "core/numparse.h"

/* --------------------------------------------------------------- batches -- */

int mdt__csv_batch_grow(mdt_csv_batch *b, size_t need) {
  if (need <= b->rows_cap)
    return 0;
  size_t cap = b->rows_cap ? b->rows_cap : 256;
  while (cap < need)
    cap *= 2;
  long *line = realloc(b->line, cap * sizeof *line);
  if (line == NULL)
    return -1;
  b->line = line;
  for (size_t j = 0; j < b->ncols; j++) {
    if (!b->present[j] || b->discard[j])
      continue;
    if (b->type[j] == MDT_CSV_STR) {
      size_t *o = realloc(b->str_off[j], cap * sizeof *o);
      if (o == NULL)
        return -1;
      b->str_off[j] = o;
    } else if (b->type[j] == MDT_CSV_REAL) {
      double *v = realloc(b->reals[j], cap * sizeof *v);
      if (v == NULL)
        return -1;
      b->reals[j] = v;
    } else {
      int64_t *v = realloc(b->ints[j], cap * sizeof *v);
      if (v == NULL)
        return -1;
      b->ints[j] = v;
    }
  }
  b->rows_cap = cap;
  return 0;
}

static int batch_add_string(mdt_csv_batch *b, const char *s, size_t len, size_t *off) {
  if (b->strbuf_len + len + 1 > b->strbuf_cap) {
    size_t cap = b->strbuf_cap ? b->strbuf_cap : 4096;
    while (cap < b->strbuf_len + len + 1)
      cap *= 2;
    char *grown = realloc(b->strbuf, cap);
    if (grown == NULL)
      return -1;
    b->strbuf = grown;
    b->strbuf_cap = cap;
  }
  *off = b->strbuf_len;
  if (len)
    memcpy(b->strbuf + b->strbuf_len, s, len);
  b->strbuf[b->strbuf_len + len] = '\0';
  b->strbuf_len += len + 1;
  return 0;
}

void mdt__csv_key_cache_init(key_cache *kc) {
  for (size_t k = 0; k < KEY_CACHE_SLOTS; k++)
    kc->len[k] = SIZE_MAX;
}

/* The first len (<= 16) bytes of text as two words, the rest zero. libcsv hands fields in its
 * own buffer of at least 128 bytes and the fast path in the chunk's text, which has 64 zero
 * bytes after its end (csv_read.c), so reading 16 bytes stays inside either. */
static inline void key_words(const char *text, size_t len, uint64_t *w0, uint64_t *w1) {
  uint64_t a, b;
  memcpy(&a, text, 8);
  memcpy(&b, text + 8, 8);
  if (len < 8) {
    a &= len ? (~UINT64_C(0) >> (64 - 8 * len)) : 0;
    b = 0;
  } else if (len < 16) {
    b &= len > 8 ? (~UINT64_C(0) >> (64 - 8 * (len - 8))) : 0;
  }
  *w0 = a;
  *w1 = b;
}

static inline __attribute__((always_inline)) long key_lookup(const mdt_csv_spec *sp,
                                                            key_cache *kc, const char *text,
                                                            size_t len) {
  if (len > 16 || kc == NULL)
    return sp->find(sp->keys, text, len);
  uint64_t w0, w1;
  key_words(text, len, &w0, &w1);
  uint64_t h = (w0 ^ (w1 * UINT64_C(0x9E3779B97F4A7C15)) ^ len) * UINT64_C(0xBF58476D1CE4E5B9);
  size_t slot = (size_t)(h >> (64 - KEY_CACHE_BITS));
  long v;
  if (kc->len[slot] == len && kc->w0[slot] == w0 && kc->w1[slot] == w1)
    v = kc->value[slot];
  else {
    v = sp->find(sp->keys, text, len);
    kc->len[slot] = len;
    kc->w0[slot] = w0;
    kc->w1[slot] = w1;
    kc->value[slot] = v;
  }
  return v;
}

typedef struct {
  mdt_csv *csv;
  chunk *ch;
  mdt_csv_batch *batch;
  col_desc *desc;         /* per header column */
  size_t nheader;
  int decimal_comma;
  long nl_unquoted;       /* '\n' seen outside quotes in the chunk */
  long nl_embedded;       /* '\n' inside quoted fields */
  size_t nfield;          /* fields seen in the current record */
  long row_line;          /* line (within the chunk, from 0) where the current record starts */
  size_t row;             /* the row being filled */
  int failed;
} read_state;

static void state_fail(read_state *rs, mdt_status status, long field, const char *col,
                       const char *fmt, ...)
    __attribute__((format(printf, 5, 6), noinline, cold));

static void state_fail(read_state *rs, mdt_status status, long field, const char *col,
                       const char *fmt, ...) {
  if (rs->failed)
    return;
  chunk *c = rs->ch;
  rs->failed = 1;
  c->status = status;
  c->fail_at_offset = 0;
  c->fail_line = rs->row_line;
  c->fail_field = field;
  c->fail_col = col;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(c->fail_msg, sizeof c->fail_msg, fmt, ap);
  va_end(ap);
}

void mdt__csv_chunk_fail_offset(chunk *c, mdt_status status, off_t offset, const char *fmt, ...) {
  if (c->status != MDT_OK)
    return;
  c->status = status;
  c->fail_at_offset = 1;
  c->fail_offset = offset;
  c->fail_col = NULL;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(c->fail_msg, sizeof c->fail_msg, fmt, ap);
  va_end(ap);
}

static const char *type_expectation(mdt_csv_type t) {
  switch (t) {
  case MDT_CSV_INT:
    return "a whole number";
  case MDT_CSV_REAL:
    return "a number";
  case MDT_CSV_FIX4:
    return "a number with at most 4 decimals";
  case MDT_CSV_KEY:
    return "an id";
  default:
    return "text";
  }
}

static void field_failed(read_state *rs, const col_desc *d, size_t fi, const char *what,
                         const char *text, size_t len) __attribute__((noinline, cold));

static void field_failed(read_state *rs, const col_desc *d, size_t fi, const char *what,
                         const char *text, size_t len) {
  char found[160];
  if (len == 0)
    state_fail(rs, MDT_EDATA, (long)fi, d->name, "expected %s, found an empty field", what);
  else
    state_fail(rs, MDT_EDATA, (long)fi, d->name, "expected %s, found %s", what,
               mdt_csv_quote_found(text, len, found, sizeof found));
}

static inline __attribute__((always_inline)) void convert_field(read_state *rs, size_t fi,
                                                                const char *text, size_t len);

static void field_cb(void *s, size_t len, void *data) {
  read_state *rs = data;
  size_t fi = rs->nfield++;
  if (rs->failed)
    return;
  const char *text = s ? s : "";
  if (rs->ch->has_quote && len) {
    const char *p = text, *end = text + len;
    while ((p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
      rs->nl_embedded++;
      p++;
    }
  }
  if (fi >= rs->nheader) {
    state_fail(rs, MDT_EDATA, (long)fi, NULL, "expected %zu fields as in the header, found more",
               rs->nheader);
    return;
  }
  convert_field(rs, fi, text, len);
}

/* A plain number with nfrac (0 to 4) decimals times this is its value in 1/10 000. */
static const int64_t fix4_scale[5] = {10000, 1000, 100, 10, 1};

/* Converts field fi (< nheader) of the current row into its column (the row has not failed). */
static inline __attribute__((always_inline)) void convert_field(read_state *rs, size_t fi,
                                                                const char *text, size_t len) {
  const col_desc *d = &rs->desc[fi];
  size_t r = rs->row;
  const char sep = rs->decimal_comma ? ',' : '.';
  uint64_t digits;
  int nfrac;
  size_t ndigits;
  if (len == 0 && d->kind != COL_SKIP) {
    if (!d->empty_ok) {
      field_failed(rs, d, fi, type_expectation(rs->batch->type[d->spec]), text, 0);
      return;
    }
    if (d->kind == COL_CHECK)
      return; /* checked, not kept: no column to write to */
    if (d->kind == COL_REAL)
      d->reals[r] = NAN;
    else if (d->kind == COL_STR) {
      if (batch_add_string(rs->batch, "", 0, &d->str_off[r]) != 0)
        state_fail(rs, MDT_ENOMEM, (long)fi, NULL, "out of memory reading the table");
    } else
      d->ints[r] = MDT_CSV_EMPTY_INT;
    return;
  }
  switch (d->kind) {
  case COL_SKIP:
  case COL_CHECK:
    return;
  case COL_KEY: {
    long v = key_lookup(d->sp, d->cache, text, len);
    if (v < 0 && !d->sp->unknown_ok) {
      field_failed(rs, d, fi, d->sp->expect ? d->sp->expect : "a known id", text, len);
      return;
    }
    d->ints[r] = v < 0 ? -1 : v;
    return;
  }
  case COL_REAL:
    /* Most numbers in these files are plain ("8", "7.2", "413143"): converted here, exactly
     * as the parsers would (core/numparse.h), a single digit (scores, ranks) at once; the
     * parsers take the rest. */
    if (len == 1 && (unsigned)((unsigned char)text[0] - '0') <= 9u)
      d->reals[r] = (double)((unsigned char)text[0] - '0');
    else if (mdt_parse_plain(text, len, sep, &digits, &nfrac, &ndigits) && ndigits <= 15)
      d->reals[r] = (double)digits / mdt_pow10_exact[nfrac < 0 ? 0 : nfrac];
    else if (mdt_parse_double(text, len, rs->decimal_comma, &d->reals[r]) != 0)
      field_failed(rs, d, fi, "a number", text, len);
    return;
  case COL_INT:
    if (mdt_parse_plain(text, len, sep, &digits, &nfrac, &ndigits) && nfrac < 0)
      d->ints[r] = (int64_t)digits;
    else if (mdt_parse_int64_grouped(text, len, rs->decimal_comma, &d->ints[r]) != 0)
      field_failed(rs, d, fi, "a whole number", text, len);
    return;
  case COL_FIX4:
    if (mdt_parse_plain(text, len, sep, &digits, &nfrac, &ndigits) && nfrac <= 4 && ndigits <= 14)
      d->ints[r] = (int64_t)digits * fix4_scale[nfrac < 0 ? 0 : nfrac];
    else if (mdt_parse_fix4_grouped(text, len, rs->decimal_comma, &d->ints[r]) != 0)
      field_failed(rs, d, fi, "a number with at most 4 decimals", text, len);
    return;
  case COL_STR:
    if (batch_add_string(rs->batch, text, len, &d->str_off[r]) != 0)
      state_fail(rs, MDT_ENOMEM, (long)fi, NULL, "out of memory reading the table");
    return;
  }
}

static void row_cb(int c, void *data) {
  read_state *rs = data;
  size_t nf = rs->nfield;
  rs->nfield = 0;
  if (nf > 0 && !rs->failed) {
    if (nf < rs->nheader)
      state_fail(rs, MDT_EDATA, (long)nf, NULL, "expected %zu fields as in the header, found %zu",
                 rs->nheader, nf);
    else
      rs->batch->line[rs->row++] = rs->row_line;
  }
  /* The next record starts on the next line (a blank line or a CR of CRLF changes nothing). */
  if (c == '\n')
    rs->nl_unquoted++;
  rs->row_line = rs->nl_unquoted + rs->nl_embedded;
}

/* Sets up the per-column descriptors for chunk c's batch (whose columns hold rows rows). */
static void describe_columns(const reader *rd, read_state *rs, key_cache *caches) {
  const mdt_csv *csv = rd->csv;
  mdt_csv_batch *b = rs->batch;
  for (size_t h = 0; h < csv->nheader; h++) {
    col_desc *d = &rs->desc[h];
    memset(d, 0, sizeof *d);
    long j = rd->spec_of[h];
    d->name = csv->header[h];
    if (j < 0) {
      d->kind = COL_SKIP;
      continue;
    }
    d->spec = (size_t)j;
    d->sp = &rd->specs[j];
    d->empty_ok = b->present[j] == 2;
    if (d->sp->discard) {
      d->kind = COL_CHECK;
      continue;
    }
    switch (b->type[j]) {
    case MDT_CSV_STR:
      d->kind = COL_STR;
      d->str_off = b->str_off[j];
      break;
    case MDT_CSV_INT:
      d->kind = COL_INT;
      d->ints = b->ints[j];
      break;
    case MDT_CSV_REAL:
      d->kind = COL_REAL;
      d->reals = b->reals[j];
      break;
    case MDT_CSV_FIX4:
      d->kind = COL_FIX4;
      d->ints = b->ints[j];
      break;
    case MDT_CSV_KEY:
      d->kind = COL_KEY;
      d->ints = b->ints[j];
      d->cache = (size_t)j < MAX_KEY_COLUMNS ? &caches[j] : NULL;
      break;
    }
  }
}

/* The offset of the first carriage return in text[0..len) that is outside quotes and not
 * followed by '\n', or len when there is none. libcsv ends a record at such a CR, but the
 * rows of a chunk are counted by its '\n' bytes and its lines too: old Mac line ends are
 * refused rather than read with wrong line numbers (or more rows than counted). */
static size_t bare_cr(const char *text, size_t len) {
  if (memchr(text, '\r', len) == NULL)
    return len;
  int in_quotes = 0;
  for (size_t i = 0; i < len; i++) {
    if (text[i] == '"')
      in_quotes = !in_quotes;
    else if (text[i] == '\r' && !in_quotes && (i + 1 == len || text[i + 1] != '\n'))
      return i;
  }
  return len;
}

/* The offset of the quote that opens the field still open at the end of text[0..len). */
static size_t open_quote(const char *text, size_t len) {
  int in_quotes = 0;
  size_t at = 0;
  for (size_t i = 0; i < len; i++)
    if (text[i] == '"') {
      in_quotes = !in_quotes;
      if (in_quotes)
        at = i;
    }
  return at;
}

/* ------------------------------------------------------------ fast path -- */

/*
 * The common record (no quote anywhere in it, exactly as many fields as the header, no field
 * that begins or ends with a space, a tab or another control byte, not blank) is split here
 * at the delimiter, and
 * its fields go to field_cb and row_cb exactly as libcsv would hand them: libcsv's strict
 * parser gives such a record's fields byte for byte, one row callback per CR and LF. Every
 * other record (quotes, embedded line ends, ragged rows, spaces libcsv trims, blank lines) is
 * handed to libcsv, which stays the reference for every hard case. tests/fuzz/fuzz_csv_diff.c
 * feeds the same bytes to both ways and requires the same fields, rows and errors.
 */

/* The bytes that end a field, found 64 at a time (core/csv_scan.h): bits are taken from the
 * lowest up; the text has 64 zero bytes after its end (csv_read.c). */
typedef struct {
  const char *text;
  size_t len, base;
  uint64_t bits;
  char delim;
  int quotes; /* the text has a quote somewhere */
} scanner;

static inline void scan_seek(scanner *sc, size_t pos) {
  sc->base = pos & ~(size_t)63;
  sc->bits = pos < sc->len ? mdt__csv_special_mask(sc->text + sc->base, sc->delim) &
                                 (~UINT64_C(0) << (pos - sc->base))
                           : 0;
}

/* The offset of the next delimiter, line feed or quote, or len when there is none. */
static inline size_t scan_next(scanner *sc) {
  while (sc->bits == 0) {
    sc->base += 64;
    if (sc->base >= sc->len)
      return sc->len;
    sc->bits = mdt__csv_special_mask(sc->text + sc->base, sc->delim);
  }
  size_t i = sc->base + (size_t)__builtin_ctzll(sc->bits);
  sc->bits &= sc->bits - 1;
  return i; /* below len: the bytes after the text are zeros */
}

/* A byte libcsv trims from an unquoted field's ends (space, tab), or any other control byte:
 * a field that begins or ends with one goes to libcsv. */
static inline int maybe_trimmed(char ch) { return (unsigned char)ch <= ' '; }

/* Takes the record at text[pos..len) if it is a common one: its fields are delivered and the
 * offset just after it is returned, the scanner past it. Returns pos when libcsv must take
 * it (the scanner is then anywhere in it). */
static size_t fast_record(read_state *rs, scanner *sc, size_t pos, size_t *start,
                          size_t *flen) {
  const char *text = sc->text;
  size_t len = sc->len, nheader = rs->nheader, nf = 0, from = pos, i;
  int edge = 0; /* a field ends in a byte maybe trimmed */
  for (;;) {
    i = scan_next(sc);
    if (nf == nheader || (sc->quotes && i < len && text[i] == '"'))
      return pos;
    start[nf] = from;
    flen[nf++] = i - from;
    if (i == len || text[i] == '\n')
      break;
    edge |= i > from && (maybe_trimmed(text[from]) | maybe_trimmed(text[i - 1]));
    from = i + 1;
  }
  /* i is at the line end ('\n' or the end of the text); the last field is text[from..end). */
  int cr = i > pos && text[i - 1] == '\r';
  size_t end = i - (size_t)cr;
  flen[nf - 1] = end - from;
  edge |= end > from && (maybe_trimmed(text[from]) | maybe_trimmed(text[end - 1]));
  if (edge || nf != nheader || end == pos)
    return pos;
  for (size_t f = 0; f < nf && !rs->failed; f++)
    convert_field(rs, f, text + start[f], flen[f]);
  /* As row_cb for the row's CR (if any) and its LF. */
  if (!rs->failed)
    rs->batch->line[rs->row++] = rs->row_line;
  rs->nfield = 0;
  if (i < len) {
    rs->nl_unquoted++;
    rs->row_line = rs->nl_unquoted + rs->nl_embedded;
    return i + 1;
  }
  return len;
}

/* The end of the record starting at pos by quote parity (as the chunks are cut): just after
 * its line end outside quotes, or len. */
static size_t record_end(const char *text, size_t pos, size_t len) {
  int in_quotes = 0;
  for (size_t i = pos; i < len; i++) {
    if (text[i] == '"')
      in_quotes = !in_quotes;
    else if (text[i] == '\n' && !in_quotes)
      return i + 1;
  }
  return len;
}

/* Tokenises the chunk's text into rs: the fast path where it can, libcsv (parser p) for the
 * rest. A failure is left in rs or the chunk. */
static void tokenise(read_state *rs, struct csv_parser *p, chunk *c, int fast, size_t *start,
                    size_t *flen) {
  const char *text = c->text;
  size_t len = c->len, pos = 0;
  scanner sc = {text, len, 0, 0, rs->csv->delimiter, c->has_quote};
  if (fast)
    scan_seek(&sc, 0);
  while (pos < len && !rs->failed) {
    size_t next = fast ? fast_record(rs, &sc, pos, start, flen) : pos;
    if (next != pos) {
      pos = next;
      continue;
    }
    size_t end = fast ? record_end(text, pos, len) : len;
    size_t used = csv_parse(p, text + pos, end - pos, field_cb, row_cb, rs);
    if (rs->failed)
      break;
    if (used != end - pos) {
      if (csv_error(p) == CSV_ENOMEM)
        mdt__csv_chunk_fail_offset(c, MDT_ENOMEM, c->offset + (off_t)(pos + used),
                                   "out of memory reading the table");
      else
        mdt__csv_chunk_fail_offset(
            c, MDT_EDATA, c->offset + (off_t)(pos + used),
            "expected a delimiter or line end after a closing quote, found '%c'",
            text[pos + used]);
      return;
    }
    pos = end;
    if (fast)
      scan_seek(&sc, pos);
  }
  if (!rs->failed && csv_fini(p, field_cb, row_cb, rs) != 0)
    mdt__csv_chunk_fail_offset(
        c, MDT_EDATA, c->offset + (off_t)open_quote(c->text, c->len),
        "expected a closing quote for the quote that opens here, found the end "
        "of the file");
}

/* Tokenises one chunk into its batch. Runs in a worker thread or the caller's, each with its
 * own key caches and column descriptors. */
void mdt__csv_parse_chunk(const reader *rd, chunk *c, key_cache *caches, col_desc *desc) {
  mdt_csv *csv = rd->csv;
  c->batch.nrows = 0;
  c->batch.strbuf_len = 0;
  c->status = MDT_OK;
  c->nlines = 0;
  int incomplete = 0;
  size_t newlines = 0;
  size_t valid =
      mdt__csv_utf8_valid_prefix((const unsigned char *)c->text, c->len, &incomplete, &newlines);
  if (valid < c->len) {
    mdt__csv_chunk_fail_offset(c, MDT_EDATA, c->offset + (off_t)valid,
                               "expected UTF-8 text, found %s (save the file as UTF-8)",
                               c->text[valid] == 0 ? "a NUL byte" : "a byte that is not UTF-8");
    return;
  }
  size_t cr = bare_cr(c->text, c->len);
  if (cr < c->len) {
    mdt__csv_chunk_fail_offset(
        c, MDT_EDATA, c->offset + (off_t)cr,
        "expected a line end LF or CR LF, found a carriage return alone (old Mac "
        "line ends: save the file as CSV UTF-8)");
    return;
  }
  /* Every record ends with a '\n' (or the end of the file): this many rows at most, so
   * the columns are sized once per chunk. */
  size_t *spans = malloc(2 * (csv->nheader + 1) * sizeof *spans);
  if (spans == NULL || mdt__csv_batch_grow(&c->batch, newlines + 1) != 0) {
    free(spans);
    mdt__csv_chunk_fail_offset(c, MDT_ENOMEM, c->offset, "out of memory reading the table");
    return;
  }
  read_state rs = {0};
  rs.csv = csv;
  rs.ch = c;
  rs.batch = &c->batch;
  rs.desc = desc;
  rs.nheader = csv->nheader;
  rs.decimal_comma = csv->delimiter == ';';
  describe_columns(rd, &rs, caches);
  struct csv_parser p;
  if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_REPALL_NL | CSV_APPEND_NULL) != 0) {
    free(spans);
    mdt__csv_chunk_fail_offset(c, MDT_ENOMEM, c->offset, "out of memory reading the table");
    return;
  }
  csv_set_delim(&p, (unsigned char)csv->delimiter);
  csv_set_realloc_func(&p, realloc);
  tokenise(&rs, &p, c, !csv->libcsv_only, spans, spans + csv->nheader + 1);
  csv_free(&p);
  free(spans);
  c->batch.nrows = rs.row;
  c->nlines = rs.nl_unquoted + rs.nl_embedded;
}
