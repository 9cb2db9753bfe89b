/*
 * Internal: the structures behind core/csv.h, shared by the opening and header (csv.c), the
 * field handling (csv_parse.c) and the chunked, threaded reading (csv_read.c).
 */
#ifndef MANDAT_CORE_CSV_INT_H
#define MANDAT_CORE_CSV_INT_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/csv.h"

struct mdt_csv {
  int fd;                /* -1 when reading the memory file (core/memfile.h) */
  const char *mem;       /* the memory file's bytes, or NULL */
  size_t mem_len, mem_pos;
  off_t size;            /* the file's size when known (a regular file, memory), else -1 */
  off_t pos;             /* where the next read starts */
  char *path;
  char delimiter;
  size_t bom;            /* bytes of byte-order mark at the start (0 or 3) */
  size_t nheader;
  char **header;
  off_t data_offset;     /* byte offset of the first data row */
  long data_line;        /* physical line of the first data row */
  int consumed;
  int threads;           /* threads tokenising chunks (mdt_csv_set_threads) */
  int libcsv_only;       /* every record through libcsv (mdt_csv_set_libcsv_only) */
  int converted;         /* fd reads the file's UTF-8 conversion (from Windows-1252) */
  void *sha;             /* EVP_MD_CTX of mdt_csv_hash_begin, or NULL */
  off_t hashed;          /* bytes 0 .. hashed - 1 of the file are in sha */
  int hash_gap;          /* a read left a gap after hashed: the digest cannot be had */
};

/* A chunk of the file (see csv_read.c) and what it parsed into. */
typedef struct {
  char *text;
  size_t len, cap;
  off_t offset;       /* file offset of text[0] */
  long first_line;    /* physical line of text[0] (set when the chunk is handed on) */
  long nlines;        /* line ends in the chunk */
  int has_quote;
  int last;           /* the file's last chunk */
  int owner;          /* the thread that filled and parsed it (0: the calling thread) */
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

/* What filling the chunks keeps between them: the bytes read after the last chunk's end. */
typedef struct {
  char *tail;
  size_t tail_len, tail_cap;
  off_t tail_offset;
  int eof;
} filler;

typedef struct {
  mdt_csv *csv;
  const long *spec_of;  /* per header column: spec index or -1 */
  const mdt_csv_spec *specs;
  chunk *ring;
  size_t nring;         /* slots: slot k is thread k % nthreads's */
  int nthreads;
  size_t *slot_of;      /* chunk n (in file order) is in slot slot_of[n % nring] */
  int sync;             /* threads share the reader: the mutex guards what follows it */
  pthread_mutex_t mu;
  pthread_cond_t cv;    /* a chunk was filled, parsed or handed on, or the read stops */
  size_t nfilled;       /* chunks filled so far */
  size_t next_consume;  /* the next chunk (in file order) to hand on */
  int filling;          /* a thread is filling a chunk (one at a time, in file order) */
  int consuming;        /* a thread is handing a chunk on (one at a time, in file order) */
  int more;             /* the file has bytes no chunk has taken yet */
  mdt_status status;    /* the first failure handing chunks on */
  mdt_status fill_status; /* a failure filling a chunk (reading the file), with fill_err */
  mdt_error fill_err;
  int stop;
  filler fill;          /* (only the thread filling uses it) */
  /* What handing a chunk on needs (only the thread handing on uses them). */
  long next_line;       /* physical line of the next chunk's first byte */
  size_t rows_done;     /* rows handed on so far */
  mdt_csv_batch_fn fn;  /* the caller's function, or NULL to append to table */
  void *user;
  size_t batch_rows;
  mdt_csv_batch *view, *table;
  mdt_error *err;
} reader;

/* Ids a KEY column looked up lately, per column and worker, in a small direct-mapped table
 * (ids come from a small set, such as option ids, or in runs, such as one respondent's
 * answers, which the bulk path also catches by comparing each id with the row before's). An
 * id of up to 16 bytes is compared as two words. last is the value of the id looked up last
 * (outside the table), whose successor is tried first (mdt_csv_spec id_of). */
#define KEY_CACHE_BITS 6
#define KEY_CACHE_SLOTS (1u << KEY_CACHE_BITS)

#define KEY_BY_VALUE 64

typedef struct {
  uint64_t w0[KEY_CACHE_SLOTS], w1[KEY_CACHE_SLOTS];
  size_t len[KEY_CACHE_SLOTS]; /* SIZE_MAX: empty */
  long value[KEY_CACHE_SLOTS];
  long last; /* the value of the id last looked up (not found in the table), or -1 */
  /* The ids of values below KEY_BY_VALUE found so far, by value (len SIZE_MAX: not yet):
   * the bulk path first tries the value after the row before's, as a question's options
   * come one after another, without the table's hash. */
  uint64_t by_w0[KEY_BY_VALUE], by_w1[KEY_BY_VALUE];
  size_t by_len[KEY_BY_VALUE];
} key_cache;

#define MAX_KEY_COLUMNS 4

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

/* csv.c */
size_t mdt__csv_utf8_valid_prefix(const unsigned char *s, size_t n, int *incomplete,
                                  size_t *newlines);
void mdt__csv_locate_offset(const char *path, size_t bom, off_t offset, long *line, long *col);
void mdt__csv_locate_field(const char *path, char delim, long line, long field, long *out_line,
                           long *out_col);
ssize_t mdt__csv_source_read(mdt_csv *csv, void *buf, size_t n);
size_t mdt__csv_read_size(const mdt_csv *csv, size_t max);

/* csv_parse.c */
int mdt__csv_batch_grow(mdt_csv_batch *b, size_t need);
void mdt__csv_key_cache_init(key_cache *kc);
void mdt__csv_chunk_fail_offset(chunk *c, mdt_status status, off_t offset, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void mdt__csv_parse_chunk(const reader *rd, chunk *c, key_cache *caches, col_desc *desc);

#endif
