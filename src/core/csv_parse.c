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
  for (size_t k = 0; k < KEY_BY_VALUE; k++)
    kc->by_len[k] = SIZE_MAX;
  kc->last = -1;
}

/* The masks that keep the first len (0 to 16) bytes of two words, the rest zero: n bytes
 * of a word are kept by ~0 >> (64 - 8n), and the shift by 64 for n = 0 is left out. */
#define KEY_MASK(n) ((n) <= 0 ? UINT64_C(0) : ~UINT64_C(0) >> ((64 - 8 * ((n) > 8 ? 8 : (n))) & 63))
#define KEY_MASKS(n) {KEY_MASK(n), KEY_MASK((n) - 8)}
static const uint64_t key_mask[17][2] = {
    KEY_MASKS(0),  KEY_MASKS(1),  KEY_MASKS(2),  KEY_MASKS(3),  KEY_MASKS(4),  KEY_MASKS(5),
    KEY_MASKS(6),  KEY_MASKS(7),  KEY_MASKS(8),  KEY_MASKS(9),  KEY_MASKS(10), KEY_MASKS(11),
    KEY_MASKS(12), KEY_MASKS(13), KEY_MASKS(14), KEY_MASKS(15), KEY_MASKS(16)};

/* The first len (<= 16) bytes of text as two words, the rest zero. libcsv hands fields in its
 * own buffer of at least 128 bytes and the fast path in the chunk's text, which has 64
 * readable bytes after its end (csv_read.c), so reading 16 bytes stays inside either. */
static inline void key_words(const char *text, size_t len, uint64_t *w0, uint64_t *w1) {
  uint64_t a, b;
  memcpy(&a, text, 8);
  memcpy(&b, text + 8, 8);
  *w0 = a & key_mask[len][0];
  *w1 = b & key_mask[len][1];
}

/* An id not among those seen lately: first compared with the id after the one last looked
 * up (text has no NUL byte, so strncmp stops at that id's end), then looked up. Out of line,
 * so that the loops that call key_cached keep their values in registers. */
static __attribute__((noinline)) long key_miss(const mdt_csv_spec *sp, key_cache *kc,
                                               const char *text, size_t len) {
  const char *next;
  long v;
  if (sp->id_of != NULL && kc->last >= 0 && (next = sp->id_of(sp->ids, kc->last + 1)) != NULL &&
      strncmp(next, text, len) == 0 && next[len] == '\0')
    v = kc->last + 1;
  else
    v = sp->find(sp->keys, text, len);
  kc->last = v;
  return v;
}

/* The id text[0..len) (len <= 16, as the words w0, w1) from the cache, or looked up and
 * cached. */
static inline __attribute__((always_inline)) long key_cached(const mdt_csv_spec *sp,
                                                            key_cache *kc, const char *text,
                                                            size_t len, uint64_t w0,
                                                            uint64_t w1) {
  uint64_t h = (w0 ^ (w1 * UINT64_C(0x9E3779B97F4A7C15)) ^ len) * UINT64_C(0xBF58476D1CE4E5B9);
  size_t slot = (size_t)(h >> (64 - KEY_CACHE_BITS));
  if (kc->len[slot] == len && kc->w0[slot] == w0 && kc->w1[slot] == w1)
    return kc->value[slot];
  long v = key_miss(sp, kc, text, len);
  kc->len[slot] = len;
  kc->w0[slot] = w0;
  kc->w1[slot] = w1;
  kc->value[slot] = v;
  return v;
}

static inline __attribute__((always_inline)) long key_lookup(const mdt_csv_spec *sp,
                                                            key_cache *kc, const char *text,
                                                            size_t len) {
  if (len > 16 || kc == NULL)
    return sp->find(sp->keys, text, len);
  uint64_t w0, w1;
  key_words(text, len, &w0, &w1);
  return key_cached(sp, kc, text, len, w0, w1);
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

/* A field's text as a column's number, exactly as the parsers (core/numparse.h) convert it.
 * Most numbers in these files are plain ("8", "7.2", "413143"): converted here, a single
 * digit (scores, ranks) at once; the parsers take the rest. 0, or -1 when the text is not
 * such a number. */
static inline int to_real(const char *text, size_t len, int decimal_comma, double *out) {
  uint64_t digits;
  int nfrac;
  size_t ndigits;
  if (len == 1 && (unsigned)((unsigned char)text[0] - '0') <= 9u)
    *out = (double)((unsigned char)text[0] - '0');
  else if (mdt_parse_plain(text, len, decimal_comma ? ',' : '.', &digits, &nfrac, &ndigits) &&
           ndigits <= 15)
    *out = (double)digits / mdt_pow10_exact[nfrac < 0 ? 0 : nfrac];
  else if (mdt_parse_double(text, len, decimal_comma, out) != 0)
    return -1;
  return 0;
}

static inline int to_int(const char *text, size_t len, int decimal_comma, int64_t *out) {
  uint64_t digits;
  int nfrac;
  size_t ndigits;
  if (mdt_parse_plain(text, len, decimal_comma ? ',' : '.', &digits, &nfrac, &ndigits) &&
      nfrac < 0)
    *out = (int64_t)digits;
  else if (mdt_parse_int64_grouped(text, len, decimal_comma, out) != 0)
    return -1;
  return 0;
}

static inline int to_fix4(const char *text, size_t len, int decimal_comma, int64_t *out) {
  uint64_t digits;
  int nfrac;
  size_t ndigits;
  if (mdt_parse_plain(text, len, decimal_comma ? ',' : '.', &digits, &nfrac, &ndigits) &&
      nfrac <= 4 && ndigits <= 14)
    *out = (int64_t)digits * fix4_scale[nfrac < 0 ? 0 : nfrac];
  else if (mdt_parse_fix4_grouped(text, len, decimal_comma, out) != 0)
    return -1;
  return 0;
}

/* An empty field's value in a column that allows it. 0, or -1 when out of memory. */
static int put_empty(mdt_csv_batch *b, const col_desc *d, size_t r) {
  if (d->kind == COL_REAL)
    d->reals[r] = NAN;
  else if (d->kind == COL_STR)
    return batch_add_string(b, "", 0, &d->str_off[r]);
  else if (d->kind != COL_CHECK && d->kind != COL_SKIP)
    d->ints[r] = MDT_CSV_EMPTY_INT;
  return 0;
}

/* Converts field fi (< nheader) of the current row into its column (the row has not failed). */
static inline __attribute__((always_inline)) void convert_field(read_state *rs, size_t fi,
                                                                const char *text, size_t len) {
  const col_desc *d = &rs->desc[fi];
  size_t r = rs->row;
  if (len == 0 && d->kind != COL_SKIP) {
    if (!d->empty_ok)
      field_failed(rs, d, fi, type_expectation(rs->batch->type[d->spec]), text, 0);
    else if (put_empty(rs->batch, d, r) != 0)
      state_fail(rs, MDT_ENOMEM, (long)fi, NULL, "out of memory reading the table");
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
    if (to_real(text, len, rs->decimal_comma, &d->reals[r]) != 0)
      field_failed(rs, d, fi, "a number", text, len);
    return;
  case COL_INT:
    if (to_int(text, len, rs->decimal_comma, &d->ints[r]) != 0)
      field_failed(rs, d, fi, "a whole number", text, len);
    return;
  case COL_FIX4:
    if (to_fix4(text, len, rs->decimal_comma, &d->ints[r]) != 0)
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
 * lowest up. The text has 64 readable bytes after its end (csv_read.c), which the mask of
 * its last block leaves out whatever they are. */
typedef struct {
  const char *text;
  size_t len, base;
  uint64_t bits;
  char delim;
  int quotes; /* the text has a quote somewhere */
} scanner;

/* The mask of the block at base (< len), without bits at len or after. */
static inline uint64_t scan_block(const scanner *sc, size_t base) {
  uint64_t m = mdt__csv_special_mask(sc->text + base, sc->delim);
  return sc->len - base < 64 ? m & ((UINT64_C(1) << (sc->len - base)) - 1) : m;
}

static inline void scan_seek(scanner *sc, size_t pos) {
  sc->base = pos & ~(size_t)63;
  sc->bits = pos < sc->len ? scan_block(sc, sc->base) & (~UINT64_C(0) << (pos - sc->base)) : 0;
}

/* The offset of the next delimiter, line feed or quote, or len when there is none. */
static inline size_t scan_next(scanner *sc) {
  while (sc->bits == 0) {
    sc->base += 64;
    if (sc->base >= sc->len)
      return sc->len;
    sc->bits = scan_block(sc, sc->base);
  }
  size_t i = sc->base + (size_t)__builtin_ctzll(sc->bits);
  sc->bits &= sc->bits - 1;
  return i;
}

/* A byte libcsv trims from an unquoted field's ends (space, tab), or any other control byte:
 * a field that begins or ends with one goes to libcsv. */
static inline int maybe_trimmed(char ch) { return (unsigned char)ch <= ' '; }

/* Hands a plain record's nheader fields (text + start[f], flen[f] bytes) to the row, as
 * field_cb and row_cb would for libcsv's fields and its CR (if any) and line feed (lf: the
 * record ends with one, not with the text). */
static void deliver_record(read_state *rs, const char *text, const size_t *start,
                           const size_t *flen, int lf) {
  for (size_t f = 0; f < rs->nheader && !rs->failed; f++)
    convert_field(rs, f, text + start[f], flen[f]);
  if (!rs->failed)
    rs->batch->line[rs->row++] = rs->row_line;
  rs->nfield = 0;
  if (lf) {
    rs->nl_unquoted++;
    rs->row_line = rs->nl_unquoted + rs->nl_embedded;
  }
}

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
  deliver_record(rs, text, start, flen, i < len);
  return i < len ? i + 1 : len;
}

/* ------------------------------------------------------------ bulk path -- */

/*
 * A chunk with no quote and no byte up to ' ' but the line feed (no CR, tab, space or other
 * control byte: mdt__csv_unplain_mask) has no record that needs quoting or trimming. Its
 * records are taken in blocks: first every field end of up to a block's worth of records
 * that have exactly the header's fields and a line feed, then the block converted column by
 * column, where each column's conversion is one tight loop (an id the same as the row
 * before's is not looked up again). A record that is not such a record ends the block and
 * goes the way of every other record (fast_record or libcsv). A field whose conversion would
 * fail, or needs care (an empty one in a column that refuses it, an unknown id), makes its
 * row and the rows after it in the block go through convert_field one by one, so that every
 * value and every error is exactly the record-by-record one.
 */
#define BULK_FIELDS 8192 /* field ends per block: the block has BULK_FIELDS / nheader rows */

/* Non-zero when text[0..len) (with 64 readable bytes after it) has no byte that keeps a record
 * from the bulk path: no quote, no byte below ' ' but the line feed and the CR (every CR of a
 * chunk comes before a line feed: bare_cr), and no space next to a delimiter, a line end or
 * either end of the text (where libcsv would trim it). */
static int bulk_chunk(const char *text, size_t len, char delim) {
  uint64_t prev_special = UINT64_C(1) << 63, prev_space = 0; /* as if a line feed came before */
  for (size_t base = 0; base < len; base += 64) {
    if (prev_space == 0 && len - base >= 64 && mdt__csv_plain_block(text + base)) {
      /* No trouble and no space in the whole block (as below, without the masks). */
      char last = text[base + 63];
      prev_special = (uint64_t)(base + 63 < len && (last == delim || last == '\n')) << 63;
      continue;
    }
    uint64_t keep = len - base < 64 ? (UINT64_C(1) << (len - base)) - 1 : ~UINT64_C(0);
    if (mdt__csv_unplain_mask(text + base) & keep)
      return 0;
    uint64_t space = mdt__csv_space_mask(text + base) & keep;
    if (space == 0 && prev_space == 0) {
      /* No space here or just before: of the delimiters and line feeds only the last byte's
       * matters, for a space that may begin the next block. */
      char last = text[base + 63];
      prev_special = (uint64_t)(base + 63 < len && (last == delim || last == '\n')) << 63;
      continue;
    }
    /* A field ends at a delimiter, or at a line feed with or without a CR before it. */
    uint64_t special =
        (mdt__csv_special_mask(text + base, delim) | mdt__csv_special_mask(text + base, '\r')) &
        keep;
    if ((space & ((special << 1) | (special >> 1) | (prev_special >> 63))) ||
        ((prev_space >> 63) & special & 1))
      return 0;
    prev_special = special;
    prev_space = space;
  }
  return len == 0 || text[len - 1] != ' ';
}

/* A block's records: end[k] is the offset of the k-th delimiter or line feed from the
 * block's start, end[-1] the offset just before the block; field f of record r is
 * text[end[r * nh + f - 1] + 1 .. end[r * nh + f]), but for a CR that ends the last field
 * before its line feed (CR LF line ends, as Excel writes them). */
typedef struct {
  const char *text;
  const size_t *end;
  size_t nh;
  int crs; /* the chunk has CR LF line ends (or some) */
} block;

/* Field f of record r of the block: its text and length; with strip (the last column of a
 * chunk with CRs) without the CR before the line feed. */
static inline __attribute__((always_inline)) const char *
block_field_at(const block *bk, size_t r, size_t f, size_t *len, int strip) {
  const size_t *e = bk->end + r * bk->nh + f;
  const char *t = bk->text + (e[-1] + 1);
  size_t n = e[0] - e[-1] - 1;
  *len = strip && n > 0 && t[n - 1] == '\r' ? n - 1 : n;
  return t;
}

static inline int strips(const block *bk, size_t f) { return bk->crs && f + 1 == bk->nh; }

static const char *block_field(const block *bk, size_t r, size_t f, size_t *len) {
  return block_field_at(bk, r, f, len, strips(bk, f));
}

/* Each column's loop converts rows [0, n) of the block into rows base.. of the batch and
 * returns the first row it left for convert_field (n when none). Each has a copy for a
 * column whose fields may end in a CR (strip) and one for the others, so that a file with
 * LF line ends pays nothing for CR LF ones. */
static inline __attribute__((always_inline)) size_t
bulk_keys_at(const block *bk, size_t f, const col_desc *d, size_t base, size_t n, int strip) {
  int64_t *out = d->ints + base;
  const mdt_csv_spec *sp = d->sp;
  key_cache *kc = d->cache;
  const size_t *e = bk->end + f, nh = bk->nh;
  const char *text = bk->text;
  /* The id of the row before that was found (of up to 16 bytes), as two words and their
   * masks: a respondent's answers and a question's options come in runs of one id. */
  uint64_t pw0 = 0, pw1 = 0, pm0 = 0, pm1 = 0;
  size_t plen = SIZE_MAX;
  long pv = -1;
  for (size_t r = 0; r < n; r++, e += nh) {
    size_t len = e[0] - e[-1] - 1;
    const char *t = text + (e[-1] + 1);
    if (strip && len > 0 && t[len - 1] == '\r')
      len--;
    if (len == plen) {
      uint64_t a, b;
      memcpy(&a, t, 8);
      if (((a ^ pw0) & pm0) == 0) {
        if (pm1 == 0) { /* an id of up to 8 bytes */
          out[r] = pv;
          continue;
        }
        memcpy(&b, t + 8, 8);
        if (((b ^ pw1) & pm1) == 0) {
          out[r] = pv;
          continue;
        }
      }
    }
    long v;
    if (len - 1 >= 16 || kc == NULL) { /* empty, longer than 16 bytes, or no cache */
      if (len == 0)
        return r;
      v = sp->find(sp->keys, t, len);
    } else {
      uint64_t w0, w1;
      key_words(t, len, &w0, &w1);
      size_t next = (size_t)(pv + 1);
      if (next < KEY_BY_VALUE && kc->by_len[next] == len && kc->by_w0[next] == w0 &&
          kc->by_w1[next] == w1) {
        v = (long)next;
      } else {
        v = key_cached(sp, kc, t, len, w0, w1);
        if (v >= 0 && v < KEY_BY_VALUE) {
          kc->by_len[v] = len;
          kc->by_w0[v] = w0;
          kc->by_w1[v] = w1;
        }
      }
      if (v >= 0) {
        plen = len;
        pw0 = w0;
        pw1 = w1;
        pm0 = key_mask[len][0];
        pm1 = key_mask[len][1];
        pv = v;
      }
    }
    if (v < 0) {
      if (!sp->unknown_ok)
        return r;
      v = -1;
    }
    out[r] = v;
  }
  return n;
}

static size_t bulk_keys(const block *bk, size_t f, const col_desc *d, size_t base, size_t n) {
  return strips(bk, f) ? bulk_keys_at(bk, f, d, base, n, 1) : bulk_keys_at(bk, f, d, base, n, 0);
}

static inline __attribute__((always_inline)) size_t
bulk_numbers_at(const block *bk, size_t f, const col_desc *d, size_t base, size_t n,
                int decimal_comma, int strip) {
  for (size_t r = 0; r < n; r++) {
    size_t len;
    const char *t = block_field_at(bk, r, f, &len, strip);
    int bad;
    if (len == 0)
      return r;
    if (d->kind == COL_REAL)
      bad = to_real(t, len, decimal_comma, &d->reals[base + r]);
    else if (d->kind == COL_INT)
      bad = to_int(t, len, decimal_comma, &d->ints[base + r]);
    else
      bad = to_fix4(t, len, decimal_comma, &d->ints[base + r]);
    if (bad)
      return r;
  }
  return n;
}

static size_t bulk_numbers(const block *bk, size_t f, const col_desc *d, size_t base, size_t n,
                           int decimal_comma) {
  return strips(bk, f) ? bulk_numbers_at(bk, f, d, base, n, decimal_comma, 1)
                       : bulk_numbers_at(bk, f, d, base, n, decimal_comma, 0);
}

static size_t bulk_other(const block *bk, size_t f, const col_desc *d, mdt_csv_batch *b,
                         size_t base, size_t n) {
  for (size_t r = 0; r < n; r++) {
    size_t len;
    const char *t = block_field(bk, r, f, &len);
    if (len == 0)
      return r; /* convert_field knows what an empty field gives */
    if (d->kind == COL_STR && batch_add_string(b, t, len, &d->str_off[base + r]) != 0)
      return r;
  }
  return n;
}

/* Converts the block's n records into rows from rs->row on. */
static void bulk_convert(read_state *rs, const block *bk, size_t n, size_t *start,
                         size_t *flen) {
  size_t base = rs->row, good = n;
  for (size_t f = 0; f < bk->nh; f++) {
    const col_desc *d = &rs->desc[f];
    size_t upto = good;
    if (d->kind == COL_SKIP)
      continue;
    if (d->kind == COL_KEY)
      upto = bulk_keys(bk, f, d, base, good);
    else if (d->kind == COL_REAL || d->kind == COL_INT || d->kind == COL_FIX4)
      upto = bulk_numbers(bk, f, d, base, good, rs->decimal_comma);
    else
      upto = bulk_other(bk, f, d, rs->batch, base, good);
    if (upto < good)
      good = upto;
  }
  for (size_t r = 0; r < good; r++)
    rs->batch->line[base + r] = rs->row_line + (long)r;
  rs->row = base + good;
  rs->nl_unquoted += (long)good;
  rs->row_line = rs->nl_unquoted + rs->nl_embedded;
  for (size_t r = good; r < n && !rs->failed; r++) {
    for (size_t f = 0; f < bk->nh; f++) {
      const char *t = block_field(bk, r, f, &flen[f]);
      start[f] = (size_t)(t - bk->text);
    }
    deliver_record(rs, bk->text, start, flen, 1);
  }
}

/* The number of bits set in x (SWAR: the x86-64 baseline has no popcnt instruction, and
 * libgcc's would be a call). */
static inline unsigned bits_set(uint64_t x) {
  x -= (x >> 1) & UINT64_C(0x5555555555555555);
  x = (x & UINT64_C(0x3333333333333333)) + ((x >> 2) & UINT64_C(0x3333333333333333));
  x = (x + (x >> 4)) & UINT64_C(0x0f0f0f0f0f0f0f0f);
  return (unsigned)((x * UINT64_C(0x0101010101010101)) >> 56);
}

/* Writes at + the place of every bit set in bits, lowest first, to o[0..); returns how many.
 * Eight at a time whether or not that many are left: at most 64 slots, which o has, and those
 * after the last are written over later. A loop of one step a bit would end after a different
 * number of steps in nearly every block, a mispredicted branch each. */
static inline size_t flatten_bits(size_t *o, size_t at, uint64_t bits) {
  size_t n = bits_set(bits);
  while (bits) {
    for (unsigned i = 0; i < 8; i++) {
      o[i] = at + (bits ? (unsigned)__builtin_ctzll(bits) : 0u);
      bits &= bits - 1;
    }
    o += 8;
  }
  return n;
}

/* Takes the records from text[pos..) that fill up to BULK_FIELDS field ends (ends, with room
 * for 64 more and one before), stopping before the first that is not a plain one with a line
 * feed, and converts them. Returns the offset after the last record taken, pos when none
 * was, with the scanner there. */
static size_t bulk_records(read_state *rs, scanner *sc, size_t pos, size_t *ends,
                           size_t *start, size_t *flen, int crs) {
  const char *text = sc->text;
  size_t nh = rs->nheader, k = 0, *end = ends + 1;
  /* Every delimiter and line feed, a block of 64 bytes at a time. */
  for (;;) {
    uint64_t bits = sc->bits;
    k += flatten_bits(end + k, sc->base, bits);
    sc->bits = 0;
    if (k >= BULK_FIELDS || sc->base + 64 >= sc->len)
      break;
    sc->base += 64;
    sc->bits = scan_block(sc, sc->base);
  }
  /* The records among them: a line feed ends the last field of each. That no line feed ends
   * another field is checked once for the whole chunk (mdt__csv_parse_chunk): a record that
   * had one took a line feed more than it counted. */
  size_t n = 0, most = (k < BULK_FIELDS ? k : BULK_FIELDS) / nh;
  end[-1] = pos - 1; /* wraps for pos 0; field lengths come out right all the same */
  for (; n < most; n++) {
    const size_t *e = end + n * nh + nh - 1;
    if (text[*e] != '\n' || *e == e[-(ptrdiff_t)nh] + 1 ||
        (crs && *e == e[-(ptrdiff_t)nh] + 2 && text[*e - 1] == '\r'))
      break; /* a ragged record, or a blank line (one column) */
  }
  size_t at = n ? end[n * nh - 1] + 1 : pos;
  if (n > 0) {
    block bk = {text, end, nh, crs};
    bulk_convert(rs, &bk, n, start, flen);
  }
  scan_seek(sc, at);
  return at;
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

/* Tokenises the chunk's text into rs: the bulk path (with ends) or the fast path where it
 * can, libcsv (parser p) for the rest. A failure is left in rs or the chunk. Returns non-zero
 * when the bulk path took records. */
static int tokenise(read_state *rs, struct csv_parser *p, chunk *c, int fast, size_t *start,
                    size_t *flen, size_t *ends, int crs) {
  const char *text = c->text;
  size_t len = c->len, pos = 0;
  scanner sc = {text, len, 0, 0, rs->csv->delimiter, c->has_quote};
  int bulk = fast && ends != NULL && !c->has_quote && bulk_chunk(text, len, sc.delim),
      took = 0;
  if (fast)
    scan_seek(&sc, 0);
  while (pos < len && !rs->failed) {
    size_t next = bulk ? bulk_records(rs, &sc, pos, ends, start, flen, crs) : pos;
    took |= next != pos;
    if (next == pos && fast)
      next = fast_record(rs, &sc, pos, start, flen);
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
      return took;
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
  return took;
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
  int crs = memchr(c->text, '\r', c->len) != NULL;
  size_t cr = crs ? bare_cr(c->text, c->len) : c->len;
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
  /* The bulk path's field ends, for headers of up to 512 columns (blocks of 16 rows or
   * more); without them every record goes the record-by-record way. */
  size_t *ends = csv->nheader <= BULK_FIELDS / 16 && !csv->libcsv_only
                     ? malloc((BULK_FIELDS + 65) * sizeof *ends)
                     : NULL;
  read_state rs;
  for (;;) {
    memset(&rs, 0, sizeof rs);
    rs.csv = csv;
    rs.ch = c;
    rs.batch = &c->batch;
    rs.desc = desc;
    rs.nheader = csv->nheader;
    rs.decimal_comma = csv->delimiter == ';';
    describe_columns(rd, &rs, caches);
    struct csv_parser p;
    if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_REPALL_NL | CSV_APPEND_NULL) != 0) {
      mdt__csv_chunk_fail_offset(c, MDT_ENOMEM, c->offset, "out of memory reading the table");
      break;
    }
    csv_set_delim(&p, (unsigned char)csv->delimiter);
    csv_set_realloc_func(&p, realloc);
    int took =
        tokenise(&rs, &p, c, !csv->libcsv_only, spans, spans + csv->nheader + 1, ends, crs);
    csv_free(&p);
    /* Every line feed of a chunk the bulk path read is counted where a record ends. One that
     * was not ended a field inside what the bulk path took for a record: read the chunk again
     * without it, and so also when it failed (its message is then that of the record-by-record
     * way). */
    if (!took || (c->status == MDT_OK && rs.nl_unquoted == (long)newlines))
      break;
    c->status = MDT_OK;
    c->batch.strbuf_len = 0;
    free(ends);
    ends = NULL;
  }
  free(ends);
  free(spans);
  c->batch.nrows = rs.row;
  c->nlines = rs.nl_unquoted + rs.nl_embedded;
}
