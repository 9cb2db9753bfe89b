#include "core/csv.h"

#include <csv.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/cp1252.h"
#include "core/numparse.h"

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
  int threads;           /* threads tokenising chunks (mdt_csv_set_threads) */
};

/* ---------------------------------------------------------------- UTF-8 -- */

#define BYTES_01 UINT64_C(0x0101010101010101)
#define BYTES_7F UINT64_C(0x7F7F7F7F7F7F7F7F)
#define BYTES_80 UINT64_C(0x8080808080808080)

/* How many bytes of the ASCII word w are '\n': a byte of x = w ^ '\n'... is zero exactly when
 * adding 0x7F to its low seven bits leaves the high bit clear and its own high bit is clear. */
static inline unsigned newlines_in_word(uint64_t w) {
  uint64_t x = w ^ (BYTES_01 * '\n');
  uint64_t zero = ~(((x & BYTES_7F) + BYTES_7F) | x | BYTES_7F);
  /* One bit per '\n' byte at the bottom of its byte; the multiply sums the bytes into the
   * top one (no library call for a population count on a baseline x86-64). */
  return (unsigned)(((zero >> 7) * BYTES_01) >> 56);
}

/*
 * Length of the valid UTF-8 prefix of s[0..n). *incomplete is set when the bytes after the
 * prefix are the start of a sequence cut off by the end of the buffer (not an error yet).
 * When newlines is not NULL, it is set to the number of '\n' bytes in the prefix.
 */
static size_t utf8_valid_prefix(const unsigned char *s, size_t n, int *incomplete,
                                size_t *newlines) {
  size_t i = 0, nl = 0;
  *incomplete = 0;
  while (i < n) {
    /* ASCII runs, eight bytes at a time. */
    while (i + 8 <= n) {
      uint64_t w;
      memcpy(&w, s + i, 8);
      if (w & BYTES_80)
        break;
      /* A NUL byte is not text. */
      if ((w - BYTES_01) & ~w & BYTES_80)
        break;
      nl += newlines_in_word(w);
      i += 8;
    }
    if (i >= n)
      break;
    unsigned char c = s[i];
    if (c < 0x80) {
      if (c == 0)
        break;
      nl += c == '\n';
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
      goto out;
    if (i + len > n) {
      /* Check what is there; if valid so far, the rest is in the next block. */
      for (size_t k = 1; i + k < n; k++) {
        unsigned char d = s[i + k];
        if (d < (k == 1 ? lo : 0x80) || d > (k == 1 ? hi : 0xBF))
          goto out;
      }
      *incomplete = 1;
      goto out;
    }
    if (s[i + 1] < lo || s[i + 1] > hi)
      goto out;
    for (size_t k = 2; k < len; k++)
      if (s[i + k] < 0x80 || s[i + k] > 0xBF)
        goto out;
    i += len;
  }
out:
  if (newlines != NULL)
    *newlines = nl;
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

char *mdt_csv_field_text(const mdt_csv_batch *b, size_t r, size_t col, char *buf,
                         size_t bufsize) {
  if (bufsize == 0)
    return buf;
  buf[0] = '\0';
  long field = b->field_of[col];
  FILE *fp = field >= 0 ? fopen(b->path, "rb") : NULL;
  if (fp == NULL)
    return buf;
  long l = 1;
  int ch;
  unsigned char bom[3];
  if (fread(bom, 1, 3, fp) != 3 || memcmp(bom, "\xEF\xBB\xBF", 3) != 0)
    rewind(fp);
  while (l < b->line[r] && (ch = fgetc(fp)) != EOF)
    if (ch == '\n')
      l++;
  long f = 0;
  int in_quotes = 0;
  while (f < field && (ch = fgetc(fp)) != EOF) {
    if (ch == '"')
      in_quotes = !in_quotes;
    else if (!in_quotes && (ch == '\n' || ch == '\r'))
      break;
    else if (!in_quotes && ch == b->delimiter)
      f++;
  }
  size_t o = 0;
  int quoted = 0, first = 1;
  while ((ch = fgetc(fp)) != EOF && o + 1 < bufsize) {
    if (first && ch == '"') {
      quoted = 1;
      first = 0;
      continue;
    }
    first = 0;
    if (quoted && ch == '"') {
      int next = fgetc(fp);
      if (next == '"') {
        buf[o++] = '"';
        continue;
      }
      break;
    }
    if (!quoted && (ch == b->delimiter || ch == '\n' || ch == '\r'))
      break;
    buf[o++] = (char)ch;
  }
  buf[o] = '\0';
  fclose(fp);
  /* libcsv drops the spaces around an unquoted field: so does the message */
  while (!quoted && o > 0 && (buf[o - 1] == ' ' || buf[o - 1] == '\t'))
    buf[--o] = '\0';
  return buf;
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
  int utf8_fd = -1; /* Windows-1252, as Excel saves plain CSV: read its UTF-8 conversion */
  int conv = mdt__cp1252_to_utf8(csv->fd, path, &utf8_fd);
  if (conv < 0) {
    st = mdt_error_set(err, MDT_ENOMEM, "out of memory converting %s from Windows-1252", path);
    goto fail;
  }
  if (conv > 0) {
    close(csv->fd);
    csv->fd = utf8_fd;
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
                                   &incomplete, NULL);
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

/* ------------------------------------------------------------- reading -- */

/*
 * The file is read in chunks of about CHUNK_BYTES that end at a record boundary (a line end
 * outside quotes). Worker threads tokenise chunks with their own libcsv parser into typed
 * columns; the calling thread reads the next chunks and hands the parsed ones to the caller
 * in file order. The chunks do not depend on the number of threads, and one thread parses
 * them the same way, so every result is the same whatever the thread count.
 */
#define CHUNK_BYTES ((size_t)1 << 20)

enum { SLOT_FREE, SLOT_FILLED, SLOT_TAKEN, SLOT_DONE };

typedef struct {
  char *text;
  size_t len, cap;
  off_t offset;       /* file offset of text[0] */
  long first_line;    /* physical line of text[0] (set when the chunk is handed on) */
  long nlines;        /* line ends in the chunk */
  int has_quote;
  int last;           /* the file's last chunk */
  mdt_csv_batch batch;
  /* a failure while parsing */
  mdt_status status;
  int fail_at_offset; /* 1: at fail_offset; 0: at (fail_line, fail_field) */
  off_t fail_offset;
  long fail_line, fail_field;
  const char *fail_col;
  char fail_msg[600];
  int state;
} chunk;

typedef struct {
  mdt_csv *csv;
  const long *spec_of;  /* per header column: spec index or -1 */
  const mdt_csv_spec *specs;
  chunk *ring;
  size_t nring;
  pthread_mutex_t mu;
  pthread_cond_t cv_work, cv_done;
  size_t next_take;     /* the next chunk (in file order) a worker takes */
  size_t nfilled;       /* chunks filled so far */
  int stop;
} reader;

/* Ids a KEY column looked up lately, per column and worker: the last one (ids come in runs,
 * such as one respondent's answers) and a small direct-mapped table (ids from a small set,
 * such as option ids). An id of up to 16 bytes is compared as two words. */
#define KEY_CACHE_SLOTS 64

typedef struct {
  uint64_t last_w0, last_w1;
  size_t last_len; /* SIZE_MAX: nothing yet */
  long last_value;
  uint64_t w0[KEY_CACHE_SLOTS], w1[KEY_CACHE_SLOTS];
  size_t len[KEY_CACHE_SLOTS]; /* SIZE_MAX: empty */
  long value[KEY_CACHE_SLOTS];
} key_cache;

#define MAX_KEY_COLUMNS 4

static void key_cache_init(key_cache *kc) {
  kc->last_len = SIZE_MAX;
  for (size_t k = 0; k < KEY_CACHE_SLOTS; k++)
    kc->len[k] = SIZE_MAX;
}

/* The first len (<= 16) bytes of text as two words, the rest zero. libcsv hands fields in its
 * own buffer of at least 128 bytes, so reading 16 bytes stays inside it. */
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

static inline long key_lookup(const mdt_csv_spec *sp, key_cache *kc, const char *text,
                              size_t len) {
  if (len > 16 || kc == NULL)
    return sp->find(sp->keys, text, len);
  uint64_t w0, w1;
  key_words(text, len, &w0, &w1);
  if (len == kc->last_len && w0 == kc->last_w0 && w1 == kc->last_w1)
    return kc->last_value;
  uint64_t h = (w0 ^ (w1 * UINT64_C(0x9E3779B97F4A7C15)) ^ len) * UINT64_C(0xBF58476D1CE4E5B9);
  size_t slot = (size_t)(h >> 58);
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
  kc->last_len = len;
  kc->last_w0 = w0;
  kc->last_w1 = w1;
  kc->last_value = v;
  return v;
}

/* How one header column is converted, set up once per chunk so that a field costs a switch
 * and a store. */
enum { COL_SKIP, COL_CHECK, COL_STR, COL_INT, COL_REAL, COL_FIX4, COL_KEY };

typedef struct {
  int kind;
  int empty_ok;
  size_t spec;            /* index into the specs and the batch's columns */
  int64_t *ints;          /* the batch's column (INT, FIX4, KEY) */
  double *reals;          /* (REAL) */
  size_t *str_off;        /* (STR) */
  const mdt_csv_spec *sp;
  key_cache *cache;       /* (KEY) the worker's cache for this column, or NULL */
  const char *name;       /* header name, for messages */
} col_desc;

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

static void chunk_fail_offset(chunk *c, mdt_status status, off_t offset, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void chunk_fail_offset(chunk *c, mdt_status status, off_t offset, const char *fmt, ...) {
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
  const col_desc *d = &rs->desc[fi];
  size_t r = rs->row;
  if (len == 0 && d->kind != COL_SKIP) {
    if (!d->empty_ok) {
      field_failed(rs, d, fi, type_expectation(rs->batch->type[d->spec]), text, 0);
      return;
    }
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
  case COL_REAL: {
    /* Most values in these files are small whole numbers (scores, ranks, years): exact. */
    unsigned d0 = (unsigned char)text[0] - '0';
    if (len == 1 && d0 <= 9) {
      d->reals[r] = (double)d0;
      return;
    }
    unsigned d1 = (unsigned char)text[1] - '0';
    if (len == 2 && d0 <= 9 && d1 <= 9 && d0 != 0) {
      d->reals[r] = (double)(d0 * 10 + d1);
      return;
    }
    if (mdt_parse_double(text, len, rs->decimal_comma, &d->reals[r]) != 0)
      field_failed(rs, d, fi, "a number", text, len);
    return;
  }
  case COL_INT:
    if (mdt_parse_int64_grouped(text, len, rs->decimal_comma, &d->ints[r]) != 0)
      field_failed(rs, d, fi, "a whole number", text, len);
    return;
  case COL_FIX4:
    if (mdt_parse_fix4_grouped(text, len, rs->decimal_comma, &d->ints[r]) != 0)
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

/* Tokenises one chunk into its batch. Runs in a worker thread or the caller's, each with its
 * own key caches and column descriptors. */
static void parse_chunk(const reader *rd, chunk *c, key_cache *caches, col_desc *desc) {
  mdt_csv *csv = rd->csv;
  c->batch.nrows = 0;
  c->batch.strbuf_len = 0;
  c->status = MDT_OK;
  c->nlines = 0;
  int incomplete = 0;
  size_t newlines = 0;
  size_t valid =
      utf8_valid_prefix((const unsigned char *)c->text, c->len, &incomplete, &newlines);
  if (valid < c->len) {
    chunk_fail_offset(c, MDT_EDATA, c->offset + (off_t)valid,
                      "expected UTF-8 text, found %s (save the file as UTF-8)",
                      c->text[valid] == 0 ? "a NUL byte" : "a byte that is not UTF-8");
    return;
  }
  /* Every record ends with a line end (or the end of the file): this many rows at most, so
   * the columns are sized once per chunk. */
  if (batch_grow(&c->batch, newlines + 1) != 0) {
    chunk_fail_offset(c, MDT_ENOMEM, c->offset, "out of memory reading the table");
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
    chunk_fail_offset(c, MDT_ENOMEM, c->offset, "out of memory reading the table");
    return;
  }
  csv_set_delim(&p, (unsigned char)csv->delimiter);
  size_t used = csv_parse(&p, c->text, c->len, field_cb, row_cb, &rs);
  if (!rs.failed && used != c->len)
    chunk_fail_offset(c, MDT_EDATA, c->offset + (off_t)used,
                      "expected a delimiter or line end after a closing quote, found '%c'",
                      c->text[used]);
  else if (!rs.failed && csv_fini(&p, field_cb, row_cb, &rs) != 0)
    chunk_fail_offset(c, MDT_EDATA, c->offset + (off_t)c->len,
                      "expected a closing quote, found the end of the file");
  csv_free(&p);
  c->batch.nrows = rs.row;
  c->nlines = rs.nl_unquoted + rs.nl_embedded;
}

static void *worker_main(void *arg) {
  reader *rd = arg;
  key_cache *caches = calloc(MAX_KEY_COLUMNS, sizeof *caches);
  col_desc *desc = calloc(rd->csv->nheader ? rd->csv->nheader : 1, sizeof *desc);
  if (caches != NULL)
    for (size_t k = 0; k < MAX_KEY_COLUMNS; k++)
      key_cache_init(&caches[k]);
  pthread_mutex_lock(&rd->mu);
  for (;;) {
    while (!rd->stop && (rd->next_take >= rd->nfilled ||
                         rd->ring[rd->next_take % rd->nring].state != SLOT_FILLED))
      pthread_cond_wait(&rd->cv_work, &rd->mu);
    if (rd->stop)
      break;
    chunk *c = &rd->ring[rd->next_take % rd->nring];
    rd->next_take++;
    c->state = SLOT_TAKEN;
    pthread_mutex_unlock(&rd->mu);
    if (caches == NULL || desc == NULL)
      chunk_fail_offset(c, MDT_ENOMEM, c->offset, "out of memory reading the table");
    else
      parse_chunk(rd, c, caches, desc);
    pthread_mutex_lock(&rd->mu);
    c->state = SLOT_DONE;
    pthread_cond_broadcast(&rd->cv_done);
  }
  pthread_mutex_unlock(&rd->mu);
  free(caches);
  free(desc);
  return NULL;
}

/* The end of the last whole record in text[0..len): just after its line end outside quotes;
 * 0 when there is none. */
static size_t last_boundary(const char *text, size_t len) {
  if (memchr(text, '"', len) == NULL) {
    for (size_t i = len; i > 0; i--)
      if (text[i - 1] == '\n')
        return i;
    return 0;
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

/* What the calling thread keeps between chunks. */
typedef struct {
  char *tail;          /* bytes read after the last chunk's end */
  size_t tail_len, tail_cap;
  off_t tail_offset;
  long next_line;
  int eof;
} filler;

static int ensure_cap(char **buf, size_t *cap, size_t need) {
  if (need <= *cap)
    return 0;
  size_t c = *cap ? *cap : CHUNK_BYTES;
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
  if (ensure_cap(&c->text, &c->cap, f->tail_len + CHUNK_BYTES + 1) != 0)
    return mdt_error_set(err, MDT_ENOMEM, "out of memory reading %s", csv->path);
  if (f->tail_len)
    memcpy(c->text, f->tail, f->tail_len);
  c->len = f->tail_len;
  c->offset = f->tail_offset;
  size_t cut = 0;
  for (;;) {
    if (ensure_cap(&c->text, &c->cap, c->len + CHUNK_BYTES + 1) != 0)
      return mdt_error_set(err, MDT_ENOMEM, "out of memory reading %s", csv->path);
    ssize_t n = f->eof ? 0 : read_full(csv->fd, c->text + c->len, CHUNK_BYTES);
    if (n < 0)
      return mdt_error_set_at(err, MDT_ENOINPUT, csv->path, 0, 0, "cannot read: %s",
                              strerror(errno));
    if ((size_t)n < CHUNK_BYTES)
      f->eof = 1;
    c->len += (size_t)n;
    if (f->eof) {
      cut = c->len;
      break;
    }
    cut = last_boundary(c->text, c->len);
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
  c->last = f->eof && rest == 0;
  c->has_quote = memchr(c->text, '"', cut) != NULL;
  return MDT_OK;
}

/* Turns a chunk's parse failure into err, with the position in the file. */
static mdt_status report_chunk_failure(const mdt_csv *csv, const chunk *c, mdt_error *err) {
  long l, col;
  if (c->fail_at_offset)
    locate_offset(csv->path, csv->bom, c->fail_offset, &l, &col);
  else
    locate_field(csv->path, csv->delimiter, c->first_line + c->fail_line, c->fail_field, &l,
                 &col);
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
  if (batch_grow(dst, base + src->nrows) != 0)
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
  rd.nring = threads > 1 ? (size_t)threads + 2 : 1;
  long *spec_of = calloc(csv->nheader ? csv->nheader : 1, sizeof *spec_of);
  rd.ring = calloc(rd.nring, sizeof *rd.ring);
  mdt_csv_batch view;
  memset(&view, 0, sizeof view);
  filler f = {0};
  pthread_t tids[64];
  int started = 0, sync_ok = 0;
  size_t next_consume = 0;
  mdt_status st;
  /* The calling thread parses too: with threads > 1 it starts threads - 1 workers and,
   * while it waits for the chunk it must deliver next, parses whichever chunk is next to take,
   * so that no more threads are busy than were asked for. */
  key_cache *own_caches = calloc(MAX_KEY_COLUMNS, sizeof *own_caches);
  col_desc *own_desc = calloc(csv->nheader ? csv->nheader : 1, sizeof *own_desc);
  if (own_caches != NULL)
    for (size_t k = 0; k < MAX_KEY_COLUMNS; k++)
      key_cache_init(&own_caches[k]);
  if (spec_of == NULL || rd.ring == NULL || own_caches == NULL || own_desc == NULL) {
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
  if (lseek(csv->fd, csv->data_offset, SEEK_SET) < 0) {
    st = mdt_error_set_at(err, MDT_ENOINPUT, csv->path, 0, 0, "cannot read: %s",
                          strerror(errno));
    goto done;
  }
  f.tail_offset = csv->data_offset;
  f.next_line = csv->data_line;
  if (threads > 1) {
    pthread_mutex_init(&rd.mu, NULL);
    pthread_cond_init(&rd.cv_work, NULL);
    pthread_cond_init(&rd.cv_done, NULL);
    sync_ok = 1;
    for (int t = 0; t < threads - 1; t++) {
      if (pthread_create(&tids[started], NULL, worker_main, &rd) != 0)
        break;
      started++;
    }
    if (started == 0) {
      st = mdt_error_set(err, MDT_EINTERNAL, "cannot start a thread to read %s", csv->path);
      goto done;
    }
  }
  int more = 1;
  for (;;) {
    /* Fill every free slot ahead of the one to consume. */
    if (sync_ok)
      pthread_mutex_lock(&rd.mu);
    while (more && rd.nfilled < next_consume + rd.nring &&
           rd.ring[rd.nfilled % rd.nring].state == SLOT_FREE) {
      chunk *c = &rd.ring[rd.nfilled % rd.nring];
      if (sync_ok)
        pthread_mutex_unlock(&rd.mu);
      st = fill_chunk(csv, &f, c, err);
      if (sync_ok)
        pthread_mutex_lock(&rd.mu);
      if (st != MDT_OK)
        break;
      c->state = SLOT_FILLED;
      rd.nfilled++;
      more = !c->last && !(f.eof && f.tail_len == 0);
      if (sync_ok)
        pthread_cond_broadcast(&rd.cv_work);
    }
    if (st != MDT_OK || next_consume == rd.nfilled) {
      if (sync_ok)
        pthread_mutex_unlock(&rd.mu);
      break;
    }
    chunk *c = &rd.ring[next_consume % rd.nring];
    if (!sync_ok) {
      c->state = SLOT_TAKEN;
      parse_chunk(&rd, c, own_caches, own_desc);
      c->state = SLOT_DONE;
    } else {
      while (c->state != SLOT_DONE) {
        if (rd.next_take < rd.nfilled && rd.ring[rd.next_take % rd.nring].state == SLOT_FILLED) {
          chunk *mine = &rd.ring[rd.next_take % rd.nring];
          rd.next_take++;
          mine->state = SLOT_TAKEN;
          pthread_mutex_unlock(&rd.mu);
          parse_chunk(&rd, mine, own_caches, own_desc);
          pthread_mutex_lock(&rd.mu);
          mine->state = SLOT_DONE;
          pthread_cond_broadcast(&rd.cv_done);
        } else {
          pthread_cond_wait(&rd.cv_done, &rd.mu);
        }
      }
      pthread_mutex_unlock(&rd.mu);
    }
    c->first_line = f.next_line;
    f.next_line += c->nlines;
    if (c->status != MDT_OK) {
      st = report_chunk_failure(csv, c, err);
      break;
    }
    for (size_t r = 0; r < c->batch.nrows; r++)
      c->batch.line[r] += c->first_line;
    if (fn == NULL) {
      if (batch_append(table, &c->batch) != 0)
        st = mdt_error_set(err, MDT_ENOMEM, "out of memory reading %s", csv->path);
    } else {
      size_t step = batch_rows ? batch_rows : c->batch.nrows;
      for (size_t from = 0; from < c->batch.nrows && st == MDT_OK; from += step) {
        size_t n = c->batch.nrows - from < step ? c->batch.nrows - from : step;
        st = call_view(&c->batch, from, n, &view, fn, user, err);
      }
    }
    if (st != MDT_OK)
      break;
    if (sync_ok)
      pthread_mutex_lock(&rd.mu);
    c->state = SLOT_FREE;
    next_consume++;
    if (sync_ok)
      pthread_mutex_unlock(&rd.mu);
  }
done:
  if (sync_ok) {
    pthread_mutex_lock(&rd.mu);
    rd.stop = 1;
    pthread_cond_broadcast(&rd.cv_work);
    pthread_mutex_unlock(&rd.mu);
    for (int t = 0; t < started; t++)
      pthread_join(tids[t], NULL);
    pthread_mutex_destroy(&rd.mu);
    pthread_cond_destroy(&rd.cv_work);
    pthread_cond_destroy(&rd.cv_done);
  }
  if (rd.ring)
    for (size_t k = 0; k < rd.nring; k++)
      chunk_free(&rd.ring[k]);
  free(rd.ring);
  view.owns_layout = 0;
  view.line = NULL;
  view.strbuf = NULL;
  if (view.ints)
    for (size_t j = 0; j < view.ncols; j++)
      view.ints[j] = NULL, view.reals[j] = NULL, view.str_off[j] = NULL;
  batch_free_columns(&view);
  free(f.tail);
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

void mdt_csv_set_threads(mdt_csv *csv, int threads) {
  csv->threads = threads < 1 ? 1 : threads > 64 ? 64 : threads;
}

mdt_status mdt_csv_read_table_threads(const char *path, const mdt_csv_spec *specs,
                                      size_t nspecs, int threads, mdt_csv_table **out,
                                      mdt_error *err) {
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
  st = csv_read_impl(csv, specs, nspecs, 0, threads, NULL, NULL, t, err);
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

mdt_status mdt_csv_read_table(const char *path, const mdt_csv_spec *specs, size_t nspecs,
                              mdt_csv_table **out, mdt_error *err) {
  return mdt_csv_read_table_threads(path, specs, nspecs, 1, out, err);
}
