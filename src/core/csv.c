#include "core/csv.h"

#include <csv.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "core/cp1252.h"
#include "core/hash.h"
#include "core/memfile.h"
#include "core/numparse.h"
#include "core/csv_int.h"

#define BLOCK_SIZE (1u << 20)
#define HEADER_MAX (1u << 20)

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

#if defined(__SSE2__)
/* The sum of the sixteen byte lanes of v. */
static inline size_t lane_sum(__m128i v) {
  __m128i sums = _mm_sad_epu8(v, _mm_setzero_si128());
  return (size_t)_mm_cvtsi128_si32(sums) + (size_t)_mm_extract_epi16(sums, 4);
}
#endif

/*
 * Length of the valid UTF-8 prefix of s[0..n). *incomplete is set when the bytes after the
 * prefix are the start of a sequence cut off by the end of the buffer (not an error yet).
 * When newlines is not NULL, it is set to the number of '\n' bytes in the prefix.
 */
size_t mdt__csv_utf8_valid_prefix(const unsigned char *s, size_t n, int *incomplete,
                                  size_t *newlines) {
  size_t i = 0, nl = 0;
  *incomplete = 0;
  while (i < n) {
#if defined(__SSE2__)
    /* ASCII runs, sixteen bytes at a time: no high bit, no NUL byte. */
    /* Line feeds are counted per byte lane (at most 255 blocks at a time) and summed. */
    const __m128i zero = _mm_setzero_si128(), lf = _mm_set1_epi8('\n');
    __m128i lanes = zero;
    unsigned blocks = 0;
    /* Sixty-four bytes a step first, tested together (the sixteen-byte loop below then finds
     * where a run ends); each step adds up to 4 to a lane. */
    while (i + 64 <= n) {
      const __m128i *p = (const __m128i *)(const void *)(s + i);
      __m128i x0 = _mm_loadu_si128(p), x1 = _mm_loadu_si128(p + 1), x2 = _mm_loadu_si128(p + 2),
              x3 = _mm_loadu_si128(p + 3);
      __m128i odd = _mm_or_si128(
          _mm_or_si128(_mm_or_si128(x0, _mm_cmpeq_epi8(x0, zero)),
                       _mm_or_si128(x1, _mm_cmpeq_epi8(x1, zero))),
          _mm_or_si128(_mm_or_si128(x2, _mm_cmpeq_epi8(x2, zero)),
                       _mm_or_si128(x3, _mm_cmpeq_epi8(x3, zero))));
      if (_mm_movemask_epi8(odd) != 0)
        break;
      lanes = _mm_sub_epi8(lanes, _mm_add_epi8(_mm_add_epi8(_mm_cmpeq_epi8(x0, lf),
                                                            _mm_cmpeq_epi8(x1, lf)),
                                               _mm_add_epi8(_mm_cmpeq_epi8(x2, lf),
                                                            _mm_cmpeq_epi8(x3, lf))));
      i += 64;
      if ((blocks += 4) >= 252) {
        nl += lane_sum(lanes);
        lanes = zero;
        blocks = 0;
      }
    }
    while (i + 16 <= n) {
      __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
      if (_mm_movemask_epi8(_mm_or_si128(x, _mm_cmpeq_epi8(x, zero))) != 0)
        break;
      lanes = _mm_sub_epi8(lanes, _mm_cmpeq_epi8(x, lf));
      i += 16;
      if (++blocks == 255) {
        nl += lane_sum(lanes);
        lanes = zero;
        blocks = 0;
      }
    }
    nl += lane_sum(lanes);
#endif
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
void mdt__csv_locate_offset(const char *path, size_t bom, off_t offset, long *line, long *col) {
  *line = 1;
  *col = 1;
  FILE *fp = mdt__memfile_fopen(path);
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
void mdt__csv_locate_field(const char *path, char delim, long line, long field, long *out_line,
                           long *out_col) {
  *out_line = line;
  *out_col = 1;
  FILE *fp = mdt__memfile_fopen(path);
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
  FILE *fp = field >= 0 ? mdt__memfile_fopen(b->path) : NULL;
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
    mdt__csv_locate_field(b->path, b->delimiter, line, header_field, &l, &c);
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
  EVP_MD_CTX_free(csv->sha);
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

/* Adds the bytes buf[0..n) read at offset at to the digest: the part past what it holds;
 * a gap before them makes the digest unobtainable. */
static void hash_read(mdt_csv *csv, const char *buf, size_t n, off_t at) {
  if (at > csv->hashed) {
    csv->hash_gap = 1;
    return;
  }
  off_t end = at + (off_t)n;
  if (end <= csv->hashed)
    return;
  size_t skip = (size_t)(csv->hashed - at);
  if (EVP_DigestUpdate(csv->sha, buf + skip, n - skip) != 1)
    csv->hash_gap = 1;
  csv->hashed = end;
}

void mdt_csv_hash_begin(mdt_csv *csv) {
  if (csv->sha != NULL || csv->mem != NULL || csv->converted || csv->fd < 0 || csv->size < 0)
    return;
  /* The header and what follows it up to the data: read again, as the data will be. */
  size_t head = (size_t)csv->data_offset;
  char *buf = malloc(head ? head : 1);
  EVP_MD_CTX *ctx = EVP_MD_CTX_new();
  if (buf == NULL || ctx == NULL || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1 ||
      pread(csv->fd, buf, head, 0) != (ssize_t)head ||
      EVP_DigestUpdate(ctx, buf, head) != 1) {
    EVP_MD_CTX_free(ctx);
    free(buf);
    return;
  }
  free(buf);
  csv->sha = ctx;
  csv->hashed = (off_t)head;
  csv->hash_gap = 0;
}

int mdt_csv_hash_end(mdt_csv *csv, char hex[65]) {
  EVP_MD_CTX *ctx = csv->sha;
  csv->sha = NULL;
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned len = 0;
  int ok = ctx != NULL && !csv->hash_gap && csv->hashed == csv->size &&
           EVP_DigestFinal_ex(ctx, md, &len) == 1 && len == 32;
  EVP_MD_CTX_free(ctx);
  if (!ok)
    return 0;
  mdt_sha256_hex(md, hex);
  return 1;
}

/* Reads up to n bytes from the file or the memory file. Returns bytes read or -1. */
ssize_t mdt__csv_source_read(mdt_csv *csv, void *buf, size_t n) {
  if (csv->mem == NULL) {
    ssize_t got = read_full(csv->fd, buf, n);
    if (got > 0) {
      if (csv->sha != NULL)
        hash_read(csv, buf, (size_t)got, csv->pos);
      csv->pos += got;
    }
    return got;
  }
  size_t left = csv->mem_len - csv->mem_pos;
  if (n > left)
    n = left;
  memcpy(buf, csv->mem + csv->mem_pos, n);
  csv->mem_pos += n;
  csv->pos += (off_t)n;
  return (ssize_t)n;
}

/* How many bytes to ask for when up to max are wanted: no more than the rest of the file
 * and one byte (which shows the end), so that a small file gets small buffers. */
size_t mdt__csv_read_size(const mdt_csv *csv, size_t max) {
  if (csv->size < 0 || csv->pos > csv->size)
    return max;
  off_t left = csv->size - csv->pos + 1;
  return (off_t)max < left ? max : (size_t)left;
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
  csv->size = -1;
  const char *ref = getenv("MANDAT_CSV_LIBCSV");
  csv->libcsv_only = ref != NULL && strcmp(ref, "1") == 0;
  csv->mem = mdt__memfile_find(path, &csv->mem_len);
  if (csv->mem == NULL)
    csv->fd = open(path, O_RDONLY | O_CLOEXEC);
  else
    csv->size = (off_t)csv->mem_len;
  struct stat sb;
  if (csv->fd >= 0 && fstat(csv->fd, &sb) == 0 && S_ISREG(sb.st_mode))
    csv->size = sb.st_size;
  if (csv->mem == NULL && csv->fd < 0) {
    st = mdt_error_set_at(err, MDT_ENOINPUT, path, 0, 0, "cannot open: %s", strerror(errno));
    goto fail;
  }
  if (csv->fd >= 0) { /* Windows-1252, as Excel saves plain CSV: read its UTF-8 conversion */
    int utf8_fd = -1;
    int conv = mdt__cp1252_to_utf8(csv->fd, path, &utf8_fd);
    if (conv < 0) {
      st = mdt_error_set(err, MDT_ENOMEM, "out of memory converting %s from Windows-1252", path);
      goto fail;
    }
    if (conv > 0) {
      close(csv->fd);
      csv->fd = utf8_fd;
      csv->converted = 1;
      if (fstat(csv->fd, &sb) == 0)
        csv->size = sb.st_size;
    }
  }
  size_t header_want = mdt__csv_read_size(csv, HEADER_MAX);
  buf = malloc(header_want);
  if (buf == NULL) {
    st = mdt_error_set(err, MDT_ENOMEM, "out of memory opening %s", path);
    goto fail;
  }
  ssize_t n = mdt__csv_source_read(csv, buf, header_want);
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
  size_t valid = mdt__csv_utf8_valid_prefix((unsigned char *)buf + csv->bom, hdr_end - csv->bom,
                                            &incomplete, NULL);
  if (valid != hdr_end - csv->bom) {
    long l, c;
    mdt__csv_locate_offset(path, csv->bom, (off_t)(csv->bom + valid), &l, &c);
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
  /* libcsv's buffer grows through the same realloc as everything else (the test build's
   * allocation-failure injection reaches it this way). */
  csv_set_realloc_func(&p, realloc);
  header_state hs = {csv, 0, 0};
  size_t used = csv_parse(&p, buf + csv->bom, hdr_end - csv->bom, header_field_cb,
                          header_row_cb, &hs);
  int parse_bad = used != hdr_end - csv->bom;
  int nomem = parse_bad && csv_error(&p) == CSV_ENOMEM;
  if (!parse_bad && csv_fini(&p, header_field_cb, header_row_cb, &hs) != 0)
    parse_bad = 1;
  csv_free(&p);
  if (hs.nomem || nomem) {
    st = mdt_error_set(err, MDT_ENOMEM, "out of memory opening %s", path);
    goto fail;
  }
  if (parse_bad) {
    long l, c;
    mdt__csv_locate_offset(path, csv->bom, (off_t)(csv->bom + used), &l, &c);
    st = mdt_error_set_at(err, MDT_EDATA, path, l, c,
                          "expected a well-formed header row, found a stray quote");
    goto fail;
  }
  for (size_t a = 0; a < csv->nheader; a++) {
    if (csv->header[a][0] == '\0') {
      long l, c;
      mdt__csv_locate_field(path, csv->delimiter, 1, (long)a, &l, &c);
      st = mdt_error_set_at(err, MDT_EDATA, path, l, c,
                            "expected a column name, found an empty header field");
      goto fail;
    }
    for (size_t b = 0; b < a; b++)
      if (strcmp(csv->header[a], csv->header[b]) == 0) {
        long l, c;
        mdt__csv_locate_field(path, csv->delimiter, 1, (long)a, &l, &c);
        st = mdt_error_set_at(err, MDT_EDATA, path, l, c,
                              "expected unique column names, found '%s' twice",
                              csv->header[a]);
        goto fail;
      }
  }
  if (hdr_end + 1 < len && buf[hdr_end] == '\r' && buf[hdr_end + 1] != '\n') {
    long l, c;
    mdt__csv_locate_offset(path, csv->bom, (off_t)hdr_end, &l, &c);
    st = mdt_error_set_at(err, MDT_EDATA, path, l, c,
                          "expected a line end LF or CR LF, found a carriage return alone (old "
                          "Mac line ends: save the file as CSV UTF-8)");
    goto fail;
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
