#include "mandat/csv.h"

#include <csv.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mandat/numparse.h"

#define BLOCK_SIZE (1u << 20)
#define HEADER_MAX (1u << 20)

struct mdt_csv {
  int fd;
  char *path;
  char delimiter;
  size_t bom;            /* bytes of byte-order mark at the start (0 or 3) */
  size_t nheader;
  char **header;
  off_t data_offset;     /* byte offset of the first data row */
  long data_line;        /* physical line of the first data row */
  int consumed;
};

/* ---------------------------------------------------------------- UTF-8 -- */

/*
 * Length of the valid UTF-8 prefix of s[0..n). *incomplete is set when the bytes after the
 * prefix are the start of a sequence cut off by the end of the buffer (not an error yet).
 */
static size_t utf8_valid_prefix(const unsigned char *s, size_t n, int *incomplete) {
  size_t i = 0;
  *incomplete = 0;
  while (i < n) {
    /* ASCII runs, eight bytes at a time. */
    while (i + 8 <= n) {
      uint64_t w;
      memcpy(&w, s + i, 8);
      if (w & UINT64_C(0x8080808080808080))
        break;
      /* A NUL byte is not text. */
      if ((w - UINT64_C(0x0101010101010101)) & ~w & UINT64_C(0x8080808080808080))
        break;
      i += 8;
    }
    if (i >= n)
      break;
    unsigned char c = s[i];
    if (c < 0x80) {
      if (c == 0)
        return i;
      i++;
      continue;
    }
    size_t len;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF)
      len = 2;
    else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      if (c == 0xE0)
        lo = 0xA0;
      if (c == 0xED)
        hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      if (c == 0xF0)
        lo = 0x90;
      if (c == 0xF4)
        hi = 0x8F;
    } else
      return i;
    if (i + len > n) {
      /* Check what is there; if valid so far, the rest is in the next block. */
      for (size_t k = 1; i + k < n; k++) {
        unsigned char d = s[i + k];
        if (d < (k == 1 ? lo : 0x80) || d > (k == 1 ? hi : 0xBF))
          return i;
      }
      *incomplete = 1;
      return i;
    }
    if (s[i + 1] < lo || s[i + 1] > hi)
      return i;
    for (size_t k = 2; k < len; k++)
      if (s[i + k] < 0x80 || s[i + k] > 0xBF)
        return i;
    i += len;
  }
  return i;
}

/* ------------------------------------------------------------ locating -- */

static int is_utf8_lead(unsigned char c) { return (c & 0xC0) != 0x80; }

/*
 * Finds the physical line and character column of byte offset `offset` in the file by
 * reading it again (only on error paths).
 */
static void locate_offset(const char *path, size_t bom, off_t offset, long *line, long *col) {
  *line = 1;
  *col = 1;
  FILE *fp = fopen(path, "rb");
  if (fp == NULL)
    return;
  long l = 1, c = 1;
  for (off_t pos = 0; pos < offset; pos++) {
    int ch = fgetc(fp);
    if (ch == EOF)
      break;
    if ((size_t)pos < bom)
      continue;
    if (ch == '\n') {
      l++;
      c = 1;
    } else if (ch != '\r' && is_utf8_lead((unsigned char)ch))
      c++;
  }
  fclose(fp);
  *line = l;
  *col = c;
}

/*
 * Finds the line and column where field `field` (0-based) of the record starting on line
 * `line` begins, or where the record ends if it has fewer fields.
 */
static void locate_field(const char *path, char delim, long line, long field, long *out_line,
                         long *out_col) {
  *out_line = line;
  *out_col = 1;
  FILE *fp = fopen(path, "rb");
  if (fp == NULL)
    return;
  long l = 1;
  int ch;
  long c = 1;
  /* Skip the byte-order mark; it is not a character of line 1. */
  unsigned char bom[3];
  if (fread(bom, 1, 3, fp) != 3 || memcmp(bom, "\xEF\xBB\xBF", 3) != 0)
    rewind(fp);
  while (l < line && (ch = fgetc(fp)) != EOF)
    if (ch == '\n')
      l++;
  long f = 0;
  int in_quotes = 0;
  while (f < field && (ch = fgetc(fp)) != EOF) {
    if (ch == '"') {
      in_quotes = !in_quotes;
      c++;
    } else if (!in_quotes && (ch == '\n' || ch == '\r')) {
      break; /* record ended before the field */
    } else if (ch == '\n') {
      l++;
      c = 1;
    } else {
      if (!in_quotes && ch == delim)
        f++;
      if (is_utf8_lead((unsigned char)ch))
        c++;
    }
  }
  fclose(fp);
  *out_line = l;
  *out_col = c;
}

char *mdt_csv_quote_found(const char *text, size_t len, char *buf, size_t bufsize) {
  size_t o = 0;
  size_t chars = 0;
  if (bufsize < 8) {
    if (bufsize)
      buf[0] = '\0';
    return buf;
  }
  buf[o++] = '\'';
  for (size_t i = 0; i < len && o + 8 < bufsize; i++) {
    unsigned char ch = (unsigned char)text[i];
    if (is_utf8_lead(ch) && ++chars > 60) {
      memcpy(buf + o, "...", 3);
      o += 3;
      break;
    }
    if (ch < 0x20 || ch == 0x7F)
      o += (size_t)snprintf(buf + o, bufsize - o, "\\x%02X", ch);
    else
      buf[o++] = (char)ch;
  }
  buf[o++] = '\'';
  buf[o] = '\0';
  return buf;
}

static mdt_status vfail_at_field(const mdt_csv_batch *b, long line, long header_field,
                                 const char *colname, mdt_error *err, mdt_status status,
                                 const char *fmt, va_list ap)
    __attribute__((format(printf, 7, 0)));

static mdt_status vfail_at_field(const mdt_csv_batch *b, long line, long header_field,
                                 const char *colname, mdt_error *err, mdt_status status,
                                 const char *fmt, va_list ap) {
  char msg[600];
  vsnprintf(msg, sizeof msg, fmt, ap);
  long l = line, c = 1;
  if (header_field >= 0)
    locate_field(b->path, b->delimiter, line, header_field, &l, &c);
  if (colname != NULL)
    return mdt_error_set_at(err, status, b->path, l, c, "%s: %s", colname, msg);
  return mdt_error_set_at(err, status, b->path, l, c, "%s", msg);
}

mdt_status mdt_csv_fail(const mdt_csv_batch *b, size_t r, size_t col, mdt_error *err,
                        mdt_status status, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  mdt_status s = vfail_at_field(b, b->line[r], b->field_of[col], b->names[col], err, status,
                                fmt, ap);
  va_end(ap);
  return s;
}

mdt_status mdt_csv_fail_row(const mdt_csv_batch *b, size_t r, mdt_error *err,
                            mdt_status status, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  mdt_status s = vfail_at_field(b, b->line[r], 0, NULL, err, status, fmt, ap);
  va_end(ap);
  return s;
}

/* ------------------------------------------------------------- opening -- */

static void free_header(mdt_csv *csv) {
  if (csv->header) {
    for (size_t i = 0; i < csv->nheader; i++)
      free(csv->header[i]);
    free(csv->header);
  }
  csv->header = NULL;
  csv->nheader = 0;
}

void mdt_csv_close(mdt_csv *csv) {
  if (csv == NULL)
    return;
  if (csv->fd >= 0)
    close(csv->fd);
  free_header(csv);
  free(csv->path);
  free(csv);
}

const char *mdt_csv_path(const mdt_csv *csv) { return csv->path; }
char mdt_csv_delimiter(const mdt_csv *csv) { return csv->delimiter; }
size_t mdt_csv_header_count(const mdt_csv *csv) { return csv->nheader; }
const char *mdt_csv_header_name(const mdt_csv *csv, size_t i) {
  return i < csv->nheader ? csv->header[i] : NULL;
}

long mdt_csv_find(const mdt_csv *csv, const char *name) {
  for (size_t i = 0; i < csv->nheader; i++)
    if (strcmp(csv->header[i], name) == 0)
      return (long)i;
  return -1;
}

typedef struct {
  mdt_csv *csv;
  int failed;
  int nomem;
} header_state;

static void header_field_cb(void *s, size_t len, void *data) {
  header_state *hs = data;
  mdt_csv *csv = hs->csv;
  if (hs->nomem)
    return;
  char **grown = realloc(csv->header, (csv->nheader + 1) * sizeof *grown);
  char *name = malloc(len + 1);
  if (grown == NULL || name == NULL) {
    if (grown)
      csv->header = grown;
    free(name);
    hs->nomem = 1;
    return;
  }
  csv->header = grown;
  if (len)
    memcpy(name, s, len);
  name[len] = '\0';
  csv->header[csv->nheader++] = name;
}

static void header_row_cb(int c, void *data) {
  (void)c;
  (void)data;
}

/* Reads up to n bytes at offset, retrying short reads. Returns bytes read or -1. */
static ssize_t read_full(int fd, void *buf, size_t n) {
  size_t got = 0;
  while (got < n) {
    ssize_t r = read(fd, (char *)buf + got, n - got);
    if (r < 0) {
      if (errno == EINTR)
        continue;
      return -1;
    }
    if (r == 0)
      break;
    got += (size_t)r;
  }
  return (ssize_t)got;
}

mdt_status mdt_csv_open(mdt_csv **out, const char *path, mdt_error *err) {
  *out = NULL;
  mdt_csv *csv = calloc(1, sizeof *csv);
  char *buf = NULL;
  mdt_status st = MDT_OK;
  if (csv == NULL)
    return mdt_error_set(err, MDT_ENOMEM, "out of memory opening %s", path);
  csv->fd = -1;
  csv->path = strdup(path);
  if (csv->path == NULL) {
    st = mdt_error_set(err, MDT_ENOMEM, "out of memory opening %s", path);
    goto fail;
  }
  csv->fd = open(path, O_RDONLY | O_CLOEXEC);
  if (csv->fd < 0) {
    st = mdt_error_set_at(err, MDT_ENOINPUT, path, 0, 0, "cannot open: %s", strerror(errno));
    goto fail;
  }
  buf = malloc(HEADER_MAX);
  if (buf == NULL) {
    st = mdt_error_set(err, MDT_ENOMEM, "out of memory opening %s", path);
    goto fail;
  }
  ssize_t n = read_full(csv->fd, buf, HEADER_MAX);
  if (n < 0) {
    st = mdt_error_set_at(err, MDT_ENOINPUT, path, 0, 0, "cannot read: %s", strerror(errno));
    goto fail;
  }
  size_t len = (size_t)n;
  if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
    csv->bom = 3;
  /* The header record ends at the first line end outside quotes. */
  size_t i = csv->bom;
  int in_quotes = 0;
  size_t commas = 0, semis = 0;
  for (; i < len; i++) {
    char ch = buf[i];
    if (ch == '"')
      in_quotes = !in_quotes;
    else if (!in_quotes && (ch == '\n' || ch == '\r'))
      break;
    else if (!in_quotes && ch == ',')
      commas++;
    else if (!in_quotes && ch == ';')
      semis++;
  }
  size_t hdr_end = i;
  int blank = 1;
  for (size_t k = csv->bom; k < hdr_end; k++)
    if (buf[k] != ' ' && buf[k] != '\t')
      blank = 0;
  if (blank) {
    st = mdt_error_set_at(err, MDT_EDATA, path, 1, 1, "expected a header row, found %s",
                          len <= csv->bom ? "an empty file" : "an empty line");
    goto fail;
  }
  if (hdr_end == len && (size_t)n == HEADER_MAX) {
    st = mdt_error_set_at(err, MDT_EDATA, path, 1, 1,
                          "expected a header row shorter than %u bytes", HEADER_MAX);
    goto fail;
  }
  int incomplete = 0;
  size_t valid = utf8_valid_prefix((unsigned char *)buf + csv->bom, hdr_end - csv->bom,
                                   &incomplete);
  if (valid != hdr_end - csv->bom) {
    long l, c;
    locate_offset(path, csv->bom, (off_t)(csv->bom + valid), &l, &c);
    st = mdt_error_set_at(err, MDT_EDATA, path, l, c,
                          "expected UTF-8 text, found byte 0x%02X (save the file as UTF-8)",
                          (unsigned char)buf[csv->bom + valid]);
    goto fail;
  }
  csv->delimiter = semis > commas ? ';' : ',';
  /* Tokenise the header with libcsv like any other row. */
  struct csv_parser p;
  if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0) {
    st = mdt_error_set(err, MDT_ENOMEM, "out of memory opening %s", path);
    goto fail;
  }
  csv_set_delim(&p, (unsigned char)csv->delimiter);
  header_state hs = {csv, 0, 0};
  size_t used = csv_parse(&p, buf + csv->bom, hdr_end - csv->bom, header_field_cb,
                          header_row_cb, &hs);
  int parse_bad = used != hdr_end - csv->bom;
  if (!parse_bad && csv_fini(&p, header_field_cb, header_row_cb, &hs) != 0)
    parse_bad = 1;
  csv_free(&p);
  if (hs.nomem) {
    st = mdt_error_set(err, MDT_ENOMEM, "out of memory opening %s", path);
    goto fail;
  }
  if (parse_bad) {
    long l, c;
    locate_offset(path, csv->bom, (off_t)(csv->bom + used), &l, &c);
    st = mdt_error_set_at(err, MDT_EDATA, path, l, c,
                          "expected a well-formed header row, found a stray quote");
    goto fail;
  }
  for (size_t a = 0; a < csv->nheader; a++) {
    if (csv->header[a][0] == '\0') {
      long l, c;
      locate_field(path, csv->delimiter, 1, (long)a, &l, &c);
      st = mdt_error_set_at(err, MDT_EDATA, path, l, c,
                            "expected a column name, found an empty header field");
      goto fail;
    }
    for (size_t b = 0; b < a; b++)
      if (strcmp(csv->header[a], csv->header[b]) == 0) {
        long l, c;
        locate_field(path, csv->delimiter, 1, (long)a, &l, &c);
        st = mdt_error_set_at(err, MDT_EDATA, path, l, c,
                              "expected unique column names, found '%s' twice",
                              csv->header[a]);
        goto fail;
      }
  }
  /* Data starts after the header's line end (CRLF or LF). */
  size_t data = hdr_end;
  if (data < len && buf[data] == '\r')
    data++;
  if (data < len && buf[data] == '\n')
    data++;
  csv->data_offset = (off_t)data;
  csv->data_line = 2;
  free(buf);
  *out = csv;
  return MDT_OK;
fail:
  free(buf);
  mdt_csv_close(csv);
  return st;
}

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

static int batch_grow(mdt_csv_batch *b, size_t need) {
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
    if (!b->present[j])
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

/* ------------------------------------------------------------- reading -- */

typedef struct {
  mdt_csv *csv;
  mdt_csv_batch *batch;
  long *spec_of;          /* per header column: spec index or -1 */
  size_t batch_rows;
  mdt_csv_batch_fn fn;
  void *user;
  mdt_error *err;
  /* position tracking */
  long nl_unquoted;       /* '\n' seen outside quotes in the data part */
  long nl_embedded;       /* '\n' inside quoted fields */
  int quotes_near;        /* this or the previous block had a quote character */
  size_t nfield;          /* fields seen in the current record */
  long row_line;
  /* failure inside a libcsv callback */
  mdt_status status;
  long fail_line;
  long fail_field;
  char fail_msg[600];
  const char *fail_col;
} read_state;

static void state_fail(read_state *rs, mdt_status status, long field, const char *col,
                       const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void state_fail(read_state *rs, mdt_status status, long field, const char *col,
                       const char *fmt, ...) {
  if (rs->status != MDT_OK)
    return;
  rs->status = status;
  rs->fail_line = rs->row_line;
  rs->fail_field = field;
  rs->fail_col = col;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(rs->fail_msg, sizeof rs->fail_msg, fmt, ap);
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
  default:
    return "text";
  }
}

static void field_cb(void *s, size_t len, void *data) {
  read_state *rs = data;
  if (rs->status != MDT_OK)
    return;
  const char *text = s ? s : "";
  if (rs->nfield == 0)
    rs->row_line = rs->csv->data_line + rs->nl_unquoted + rs->nl_embedded;
  size_t fi = rs->nfield++;
  if (rs->quotes_near && len) {
    const char *p = text, *end = text + len;
    while ((p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
      rs->nl_embedded++;
      p++;
    }
  }
  if (fi >= rs->csv->nheader) {
    state_fail(rs, MDT_EDATA, (long)fi, NULL, "expected %zu fields as in the header, found more",
               rs->csv->nheader);
    return;
  }
  long j = rs->spec_of[fi];
  if (j < 0)
    return;
  mdt_csv_batch *b = rs->batch;
  size_t r = b->nrows;
  if (batch_grow(b, r + 1) != 0) {
    state_fail(rs, MDT_ENOMEM, (long)fi, NULL, "out of memory reading the table");
    return;
  }
  const char *colname = rs->csv->header[fi];
  char found[160];
  mdt_csv_type t = b->type[j];
  if (len == 0 && t != MDT_CSV_STR) {
    /* present[j] == 2: the column is there and empty fields are allowed. */
    if (b->present[j] == 2) {
      if (t == MDT_CSV_REAL)
        b->reals[j][r] = NAN;
      else
        b->ints[j][r] = MDT_CSV_EMPTY_INT;
      return;
    }
    state_fail(rs, MDT_EDATA, (long)fi, colname, "expected %s, found an empty field",
               type_expectation(t));
    return;
  }
  switch (t) {
  case MDT_CSV_STR:
    if (len == 0 && b->present[j] != 2) {
      state_fail(rs, MDT_EDATA, (long)fi, colname, "expected %s, found an empty field",
                 type_expectation(t));
      return;
    }
    if (batch_add_string(b, text, len, &b->str_off[j][r]) != 0)
      state_fail(rs, MDT_ENOMEM, (long)fi, NULL, "out of memory reading the table");
    return;
  case MDT_CSV_INT:
    if (mdt_parse_int64(text, len, &b->ints[j][r]) != 0)
      state_fail(rs, MDT_EDATA, (long)fi, colname, "expected %s, found %s",
                 type_expectation(t), mdt_csv_quote_found(text, len, found, sizeof found));
    return;
  case MDT_CSV_REAL:
    if (mdt_parse_double(text, len, rs->csv->delimiter == ';', &b->reals[j][r]) != 0)
      state_fail(rs, MDT_EDATA, (long)fi, colname, "expected %s, found %s",
                 type_expectation(t), mdt_csv_quote_found(text, len, found, sizeof found));
    return;
  case MDT_CSV_FIX4:
    if (mdt_parse_fix4(text, len, rs->csv->delimiter == ';', &b->ints[j][r]) != 0)
      state_fail(rs, MDT_EDATA, (long)fi, colname, "expected %s, found %s",
                 type_expectation(t), mdt_csv_quote_found(text, len, found, sizeof found));
    return;
  }
}

static mdt_status flush_batch(read_state *rs) {
  mdt_csv_batch *b = rs->batch;
  if (b->nrows == 0 || rs->fn == NULL)
    return MDT_OK;
  mdt_status st = rs->fn(b, rs->user, rs->err);
  b->nrows = 0;
  b->strbuf_len = 0;
  return st;
}

static void row_cb(int c, void *data) {
  read_state *rs = data;
  if (c == '\n')
    rs->nl_unquoted++;
  if (rs->status != MDT_OK)
    return;
  if (rs->nfield == 0)
    return; /* a blank line */
  size_t nf = rs->nfield;
  rs->nfield = 0;
  if (nf < rs->csv->nheader) {
    state_fail(rs, MDT_EDATA, (long)nf, NULL, "expected %zu fields as in the header, found %zu",
               rs->csv->nheader, nf);
    return;
  }
  mdt_csv_batch *b = rs->batch;
  if (batch_grow(b, b->nrows + 1) != 0) {
    state_fail(rs, MDT_ENOMEM, 0, NULL, "out of memory reading the table");
    return;
  }
  b->line[b->nrows++] = rs->row_line;
  if (rs->fn != NULL && b->nrows >= rs->batch_rows) {
    mdt_status st = flush_batch(rs);
    if (st != MDT_OK && rs->status == MDT_OK) {
      rs->status = st;
      rs->fail_line = -1; /* err already filled by the callback */
    }
  }
}

/* Turns a failure recorded inside a libcsv callback into err. */
static mdt_status report_state_failure(read_state *rs) {
  if (rs->fail_line < 0)
    return rs->status;
  long l = rs->fail_line, c = 1;
  locate_field(rs->csv->path, rs->csv->delimiter, rs->fail_line, rs->fail_field, &l, &c);
  if (rs->fail_col)
    return mdt_error_set_at(rs->err, rs->status, rs->csv->path, l, c, "%s: %s", rs->fail_col,
                            rs->fail_msg);
  return mdt_error_set_at(rs->err, rs->status, rs->csv->path, l, c, "%s", rs->fail_msg);
}

static mdt_status batch_setup(mdt_csv_batch *b, const mdt_csv *csv, const mdt_csv_spec *specs,
                              size_t nspecs, long *spec_of, mdt_error *err) {
  memset(b, 0, sizeof *b);
  b->ncols = nspecs;
  b->path = csv->path;
  b->delimiter = csv->delimiter;
  b->present = calloc(nspecs ? nspecs : 1, sizeof *b->present);
  b->type = calloc(nspecs ? nspecs : 1, sizeof *b->type);
  b->ints = calloc(nspecs ? nspecs : 1, sizeof *b->ints);
  b->reals = calloc(nspecs ? nspecs : 1, sizeof *b->reals);
  b->str_off = calloc(nspecs ? nspecs : 1, sizeof *b->str_off);
  b->field_of = calloc(nspecs ? nspecs : 1, sizeof *b->field_of);
  b->names = calloc(nspecs ? nspecs : 1, sizeof *b->names);
  if (!b->present || !b->type || !b->ints || !b->reals || !b->str_off || !b->field_of ||
      !b->names)
    return mdt_error_set(err, MDT_ENOMEM, "out of memory reading %s", csv->path);
  for (size_t h = 0; h < csv->nheader; h++)
    spec_of[h] = -1;
  for (size_t j = 0; j < nspecs; j++) {
    long h = mdt_csv_find(csv, specs[j].name);
    b->type[j] = specs[j].type;
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
    if (spec_of[h] >= 0)
      return mdt_error_set(err, MDT_EINTERNAL, "column '%s' bound twice", specs[j].name);
    spec_of[h] = (long)j;
    b->present[j] = specs[j].allow_empty ? 2 : 1;
  }
  return MDT_OK;
}

static mdt_status csv_read_impl(mdt_csv *csv, const mdt_csv_spec *specs, size_t nspecs,
                                size_t batch_rows, mdt_csv_batch_fn fn, void *user,
                                mdt_csv_batch *b, mdt_error *err) {
  if (csv->consumed)
    return mdt_error_set(err, MDT_EINTERNAL, "%s was already read", csv->path);
  csv->consumed = 1;
  long *spec_of = calloc(csv->nheader ? csv->nheader : 1, sizeof *spec_of);
  unsigned char *buf = malloc(BLOCK_SIZE + 4);
  struct csv_parser p;
  int parser_ok = 0;
  mdt_status st;
  if (spec_of == NULL || buf == NULL) {
    st = mdt_error_set(err, MDT_ENOMEM, "out of memory reading %s", csv->path);
    goto done;
  }
  st = batch_setup(b, csv, specs, nspecs, spec_of, err);
  if (st != MDT_OK)
    goto done;
  if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_REPALL_NL | CSV_APPEND_NULL) != 0) {
    st = mdt_error_set(err, MDT_ENOMEM, "out of memory reading %s", csv->path);
    goto done;
  }
  parser_ok = 1;
  csv_set_delim(&p, (unsigned char)csv->delimiter);
  read_state rs = {0};
  rs.csv = csv;
  rs.batch = b;
  rs.spec_of = spec_of;
  rs.batch_rows = batch_rows ? batch_rows : 1;
  rs.fn = fn;
  rs.user = user;
  rs.err = err;
  rs.status = MDT_OK;
  if (lseek(csv->fd, csv->data_offset, SEEK_SET) < 0) {
    st = mdt_error_set_at(err, MDT_ENOINPUT, csv->path, 0, 0, "cannot read: %s",
                          strerror(errno));
    goto done;
  }
  off_t file_off = csv->data_offset; /* offset of buf[0] */
  size_t carry = 0;                  /* bytes of an incomplete UTF-8 sequence kept */
  int prev_quote = 0;
  for (;;) {
    ssize_t n = read_full(csv->fd, buf + carry, BLOCK_SIZE);
    if (n < 0) {
      st = mdt_error_set_at(err, MDT_ENOINPUT, csv->path, 0, 0, "cannot read: %s",
                            strerror(errno));
      goto done;
    }
    size_t avail = carry + (size_t)n;
    int eof = n == 0;
    if (avail == 0)
      break;
    int incomplete = 0;
    size_t valid = utf8_valid_prefix(buf, avail, &incomplete);
    if (valid < avail && (!incomplete || eof)) {
      long l, c;
      locate_offset(csv->path, csv->bom, file_off + (off_t)valid, &l, &c);
      st = mdt_error_set_at(err, MDT_EDATA, csv->path, l, c,
                            "expected UTF-8 text, found %s (save the file as UTF-8)",
                            buf[valid] == 0 ? "a NUL byte" : "a byte that is not UTF-8");
      goto done;
    }
    int has_quote = memchr(buf, '"', valid) != NULL;
    rs.quotes_near = has_quote || prev_quote;
    prev_quote = has_quote;
    size_t used = csv_parse(&p, buf, valid, field_cb, row_cb, &rs);
    if (rs.status != MDT_OK) {
      st = report_state_failure(&rs);
      goto done;
    }
    if (used != valid) {
      long l, c;
      locate_offset(csv->path, csv->bom, file_off + (off_t)used, &l, &c);
      st = mdt_error_set_at(err, MDT_EDATA, csv->path, l, c,
                            "expected a delimiter or line end after a closing quote, found "
                            "'%c'",
                            (char)buf[used]);
      goto done;
    }
    carry = avail - valid;
    if (carry)
      memmove(buf, buf + valid, carry);
    file_off += (off_t)valid;
    if (eof)
      break;
  }
  if (csv_fini(&p, field_cb, row_cb, &rs) != 0) {
    long l, c;
    locate_offset(csv->path, csv->bom, file_off, &l, &c);
    st = mdt_error_set_at(err, MDT_EDATA, csv->path, l, c,
                          "expected a closing quote, found the end of the file");
    goto done;
  }
  if (rs.status != MDT_OK) {
    st = report_state_failure(&rs);
    goto done;
  }
  st = flush_batch(&rs);
done:
  if (parser_ok)
    csv_free(&p);
  free(spec_of);
  free(buf);
  return st;
}

mdt_status mdt_csv_read(mdt_csv *csv, const mdt_csv_spec *specs, size_t nspecs,
                        size_t batch_rows, mdt_csv_batch_fn fn, void *user, mdt_error *err) {
  mdt_csv_batch b;
  memset(&b, 0, sizeof b);
  mdt_status st = csv_read_impl(csv, specs, nspecs, batch_rows, fn, user, &b, err);
  b.owns_layout = 0;
  batch_free_columns(&b);
  return st;
}

mdt_status mdt_csv_read_table(const char *path, const mdt_csv_spec *specs, size_t nspecs,
                              mdt_csv_table **out, mdt_error *err) {
  *out = NULL;
  mdt_csv *csv = NULL;
  mdt_status st = mdt_csv_open(&csv, path, err);
  if (st != MDT_OK)
    return st;
  mdt_csv_table *t = calloc(1, sizeof *t);
  if (t == NULL) {
    mdt_csv_close(csv);
    return mdt_error_set(err, MDT_ENOMEM, "out of memory reading %s", path);
  }
  st = csv_read_impl(csv, specs, nspecs, 0, NULL, NULL, t, err);
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
      st = mdt_error_set(err, MDT_ENOMEM, "out of memory reading %s", path);
  }
  mdt_csv_close(csv);
  if (st != MDT_OK) {
    mdt_csv_table_free(t);
    return st;
  }
  *out = t;
  return MDT_OK;
}
