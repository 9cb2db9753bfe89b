/*
 * core/csv.h: reading CSV tables into typed columns (a fast path for plain records, libcsv
 * for the rest).
 *
 * Ownership: mdt_csv_open returns a reader the caller frees with mdt_csv_close; batches
 * passed to a callback belong to the reader and are valid only during the callback; a table
 * from mdt_csv_read_table belongs to the caller, who frees it with mdt_csv_table_free.
 *
 * Input: UTF-8 text (a byte-order mark is skipped; any other invalid byte is an error), a
 * header row, ',' or ';' as delimiter (whichever occurs more often outside quotes in the
 * header line), LF or CRLF line ends, RFC 4180 quoting, and with ';' a decimal comma.
 * Columns are found by header name in any order; blank lines are skipped.
 */
#ifndef MANDAT_CSV_H
#define MANDAT_CSV_H

#include <stddef.h>
#include <stdint.h>

#include "mandat/error.h"

typedef enum {
  MDT_CSV_STR,  /* text, kept as NUL-terminated strings */
  MDT_CSV_INT,  /* whole number, int64_t */
  MDT_CSV_REAL, /* decimal number, double */
  MDT_CSV_FIX4, /* decimal with at most 4 decimals, int64_t scaled by 10 000 */
  MDT_CSV_KEY   /* an id looked up while tokenising: int64_t index from the spec's find */
} mdt_csv_type;

/* What a loader wants from one column. */
typedef struct {
  const char *name;   /* header name, matched exactly */
  mdt_csv_type type;
  int required;       /* non-zero: a missing column is an error */
  int allow_empty;    /* non-zero: an empty field is allowed (REAL gives NaN, INT/FIX4/KEY
                         give MDT_CSV_EMPTY_INT, STR gives "") */
  /* MDT_CSV_KEY only: find(keys, text, len) gives the index of an id, or -1. find must be
   * safe to call from several threads at once (a read-only lookup). An unknown id is an
   * error "expected <expect>, found '…'", or with unknown_ok the value -1. */
  long (*find)(const void *keys, const char *text, size_t len);
  const void *keys;
  const char *expect;
  int unknown_ok;
  int discard;        /* non-zero: the column must be there and its fields are checked (not
                         empty unless allow_empty) but not kept */
  /* MDT_CSV_KEY, optional: id_of(ids, v) gives the id of index v as a string, or NULL when
   * there is none. Ids often come in the order of their index (a file of answers sorted by
   * member as the members' file is), so where an id is not the row before's it is first
   * compared with the id after that one, before it is looked up. Must be safe to call from
   * several threads at once. */
  const char *(*id_of)(const void *ids, long v);
  const void *ids;
} mdt_csv_spec;

/* The value an empty INT or FIX4 field takes when allow_empty is set. */
#define MDT_CSV_EMPTY_INT INT64_MIN

typedef struct mdt_csv mdt_csv;
typedef struct mdt_csv_batch mdt_csv_batch;

/* A batch of rows, or a whole table, in columns. Column j corresponds to specs[j]. */
struct mdt_csv_batch {
  size_t nrows;
  size_t ncols;           /* number of specs */
  long *line;             /* physical line (1-based) where each row starts */
  int *present;           /* per spec: non-zero if the file has the column */
  unsigned char *discard; /* per spec: the column is checked but its values are not kept */
  mdt_csv_type *type;     /* per spec */
  int64_t **ints;         /* per spec: column of INT/FIX4 values, else NULL */
  double **reals;         /* per spec: column of REAL values, else NULL */
  size_t **str_off;       /* per spec: offsets into strbuf of STR values, else NULL */
  char *strbuf;           /* arena of NUL-terminated strings */
  size_t strbuf_len, strbuf_cap;
  size_t rows_cap;
  /* An estimate of the rows of the whole file (0 when its size is not known), from its size
   * and the rows in its bytes read so far, a little over. Handed to mdt_csv_read's function,
   * to size what it keeps for the rows once rather than growing it: moving a large block to
   * grow it makes every other core the process runs on flush its TLB. */
  size_t rows_expected;
  /* Where the rows came from, for error positions. */
  const char *path;       /* file name as given */
  char delimiter;
  long *field_of;         /* per spec: 0-based header column, -1 if absent */
  const char **names;     /* per spec: header name */
  int owns_layout;        /* non-zero in a table: path, field_of and names are its own */
};

/* The table form: one batch holding every row, owned by the caller. */
typedef mdt_csv_batch mdt_csv_table;

/*
 * Opens path, checks that it is UTF-8 text with a header row, and detects the delimiter.
 * Errors: MDT_ENOINPUT (cannot open or read), MDT_EDATA (empty file, no header, bad UTF-8,
 * duplicate header names).
 */
mdt_status mdt_csv_open(mdt_csv **out, const char *path, mdt_error *err);
/* Closes the reader; NULL is a no-op. */
void mdt_csv_close(mdt_csv *csv);

const char *mdt_csv_path(const mdt_csv *csv);
/* The detected delimiter, ',' or ';'. */
char mdt_csv_delimiter(const mdt_csv *csv);
/* Number of header columns and their names (0-based). */
size_t mdt_csv_header_count(const mdt_csv *csv);
const char *mdt_csv_header_name(const mdt_csv *csv, size_t i);
/* Index of the header column called name, or -1. */
long mdt_csv_find(const mdt_csv *csv, const char *name);

/*
 * Called with each batch of up to batch_rows rows. Returns MDT_OK to go on; any other status
 * stops the read, and that status is returned from mdt_csv_read (err filled by the callback).
 * With more than one thread (mdt_csv_set_threads) it may be called from any of the reading
 * threads, but never from two at once, and always in file order.
 */
typedef mdt_status (*mdt_csv_batch_fn)(const mdt_csv_batch *batch, void *user, mdt_error *err);

/*
 * Reads every data row, converting the columns named in specs[0..nspecs) and handing them
 * to fn in batches of at most batch_rows rows. A missing required column, a row with too few
 * or too many fields, and every value that does not convert are errors with file, line and
 * column (MDT_EDATA). The reader can be read only once.
 */
mdt_status mdt_csv_read(mdt_csv *csv, const mdt_csv_spec *specs, size_t nspecs,
                        size_t batch_rows, mdt_csv_batch_fn fn, void *user, mdt_error *err);

/*
 * Takes the SHA-256 of the file's bytes as mdt_csv_read reads them (a run's manifest names
 * its inputs by digest: the register need not be read a second time for it). Call between
 * mdt_csv_open and mdt_csv_read. Nothing is hashed for a memory file, a file read through
 * its conversion from Windows-1252, or when out of memory.
 */
void mdt_csv_hash_begin(mdt_csv *csv);
/* After mdt_csv_read: 1 and the lower-case hex digest in hex when every byte of the file was
 * hashed (mdt_csv_hash_begin, and the whole file read), else 0. */
int mdt_csv_hash_end(mdt_csv *csv, char hex[65]);

/* Tokenise with threads threads (1 to 64; default 1). The rows reach the caller in file
 * order in every case, so results do not depend on the thread count. */
void mdt_csv_set_threads(mdt_csv *csv, int threads);

/* Records are split by a fast path when they are plain (no quote, as many fields as the
 * header, no field with a leading or trailing space or tab, not blank) and by libcsv
 * otherwise; both give the same fields, rows and errors. With on non-zero every record goes
 * through libcsv, the reference (tests and benchmarks compare the two). The environment
 * variable MANDAT_CSV_LIBCSV=1 sets it for every reader. */
void mdt_csv_set_libcsv_only(mdt_csv *csv, int on);

/* Reads the rest of the open csv (its rows, after the header mdt_csv_open read) into one
 * table (*out, caller frees), with the reader's threads (mdt_csv_set_threads). The reader
 * stays open; the caller closes it. */
mdt_status mdt_csv_read_all(mdt_csv *csv, const mdt_csv_spec *specs, size_t nspecs,
                            mdt_csv_table **out, mdt_error *err);

/* As mdt_csv_read_table, tokenising with threads threads. */
mdt_status mdt_csv_read_table_threads(const char *path, const mdt_csv_spec *specs,
                                      size_t nspecs, int threads, mdt_csv_table **out,
                                      mdt_error *err);

/* Opens path and reads all of it into one table (*out, caller frees). */
mdt_status mdt_csv_read_table(const char *path, const mdt_csv_spec *specs, size_t nspecs,
                              mdt_csv_table **out, mdt_error *err);
void mdt_csv_table_free(mdt_csv_table *table);

/* The string in STR column col of row r. */
static inline const char *mdt_csv_str(const mdt_csv_batch *b, size_t col, size_t r) {
  return b->strbuf + b->str_off[col][r];
}

/*
 * Fills err with status and "<column name>: <message>" at the file, line and character
 * column of field col in row r of the batch (found by re-reading that line). Returns status.
 */
mdt_status mdt_csv_fail(const mdt_csv_batch *b, size_t r, size_t col, mdt_error *err,
                        mdt_status status, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

/* As mdt_csv_fail, at the start of row r (for errors about a whole row). */
mdt_status mdt_csv_fail_row(const mdt_csv_batch *b, size_t r, mdt_error *err,
                            mdt_status status, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* The text of field col in row r as written in the file (read again: for messages about
 * KEY columns, whose text is not kept), unquoted, into buf (always NUL-terminated).
 * Returns buf. */
char *mdt_csv_field_text(const mdt_csv_batch *b, size_t r, size_t col, char *buf,
                         size_t bufsize);

/* Writes the field text, quoted for messages ('…' with control bytes escaped, cut at 60
 * characters), into buf. Returns buf. */
char *mdt_csv_quote_found(const char *text, size_t len, char *buf, size_t bufsize);

#endif
