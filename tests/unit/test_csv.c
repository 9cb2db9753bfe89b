/* Tests of the CSV reader: dialects, typed columns and every error path with its position. */
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/cp1252.h"
#include "core/csv.h"
#include "core/hash.h"
#include "testutil.h"

static const mdt_csv_spec people_specs[] = {
    {"id", MDT_CSV_STR, 1, 0},
    {"count", MDT_CSV_INT, 1, 0},
    {"share", MDT_CSV_REAL, 1, 0},
    {"fte", MDT_CSV_FIX4, 0, 0},
};

/* The table at path, read with people_specs; the test fails with the message otherwise. */
static mdt_csv_table *read_path_ok(const char *path) {
  mdt_csv_table *t = NULL;
  mdt_error err;
  mdt_error_clear(&err);
  if (mdt_csv_read_table(path, people_specs, 4, &t, &err) != MDT_OK)
    fail_msg("%s", mdt_test_errstr(&err));
  return t;
}

static mdt_csv_table *read_ok(const char *name, const char *text) {
  char *path = mdt_test_write_text(name, text);
  mdt_csv_table *t = read_path_ok(path);
  free(path);
  return t;
}

static mdt_error read_fail(const char *name, const char *text, size_t len) {
  char *path = mdt_test_write_file(name, text, len);
  mdt_csv_table *t = NULL;
  mdt_error err;
  mdt_error_clear(&err);
  mdt_status st = mdt_csv_read_table(path, people_specs, 4, &t, &err);
  assert_int_not_equal(st, MDT_OK);
  assert_null(t);
  assert_int_equal(st, err.status);
  assert_string_equal(err.file, path);
  free(path);
  return err;
}

static void test_comma_dialect(void **state) {
  (void)state;
  mdt_csv_table *t = read_ok("comma.csv", "id,count,share,fte\n"
                                          "0301,12,2.385,0.8\n"
                                          "1101,-7,1e-3,1\n");
  assert_int_equal(t->nrows, 2);
  assert_string_equal(mdt_csv_str(t, 0, 0), "0301"); /* leading zeros kept */
  assert_int_equal(t->ints[1][0], 12);
  assert_int_equal(t->ints[1][1], -7);
  assert_true(t->reals[2][0] == 2.385);
  assert_true(t->reals[2][1] == 0.001);
  assert_int_equal(t->ints[3][0], 8000);
  assert_int_equal(t->ints[3][1], 10000);
  assert_int_equal(t->line[0], 2);
  assert_int_equal(t->line[1], 3);
  mdt_csv_table_free(t);
}

static void test_semicolon_decimal_comma_bom_crlf(void **state) {
  (void)state;
  /* What Excel writes in a Norwegian locale: BOM, ';', decimal comma, CRLF, columns in
   * another order, and an extra column nobody asked for. */
  mdt_csv_table *t = read_ok("excel.csv", "\xEF\xBB\xBF"
                                          "share;extra;fte;count;id\r\n"
                                          "2,385;x;0,25;3;\"Bø\"\r\n"
                                          "0.5;y;1;4;Ås\r\n");
  assert_int_equal(t->nrows, 2);
  assert_true(t->reals[2][0] == 2.385);
  assert_true(t->reals[2][1] == 0.5);
  assert_int_equal(t->ints[3][0], 2500);
  assert_int_equal(t->ints[1][1], 4);
  assert_string_equal(mdt_csv_str(t, 0, 0), "Bø");
  assert_string_equal(mdt_csv_str(t, 0, 1), "Ås");
  assert_int_equal(t->line[1], 3);
  mdt_csv_table_free(t);
}

static void test_quoted_fields_and_blank_lines(void **state) {
  (void)state;
  mdt_csv_table *t = read_ok("quoted.csv", "id,count,share\n"
                                           "\"a, \"\"quoted\"\"\nname\",1,1.5\n"
                                           "\n"
                                           "b,2,2.5\n");
  assert_int_equal(t->nrows, 2);
  assert_string_equal(mdt_csv_str(t, 0, 0), "a, \"quoted\"\nname");
  /* The second record starts on physical line 5: the first spans lines 2-3, 4 is blank. */
  assert_int_equal(t->line[0], 2);
  assert_int_equal(t->line[1], 5);
  assert_int_equal(t->present[3], 0); /* optional fte absent */
  mdt_csv_table_free(t);
}

static void test_bad_number_position(void **state) {
  (void)state;
  mdt_error err = read_fail("badint.csv", "id,count,share\nx,1,1\nyy,12.5,2\n", 30);
  assert_error_at(&err, MDT_EDATA, 3, 4, "count: expected a whole number, found '12.5'");
  err = read_fail("badreal.csv", "id;count;share\nx;1;1,2,3\n", 25);
  assert_error_at(&err, MDT_EDATA, 2, 5, "share: expected a number, found '1,2,3'");
  /* Column counts characters, not bytes: 'Ø' is two bytes. */
  err = read_fail("utf8col.csv", "id,count,share\nØst,abc,1\n", strlen("id,count,share\nØst,abc,1\n"));
  assert_error_at(&err, MDT_EDATA, 2, 5, "found 'abc'");
  err = read_fail("fix.csv", "id,count,share,fte\nx,1,1,0.12345\n", 32);
  assert_error_at(&err, MDT_EDATA, 2, 7, "fte: expected a number with at most 4 decimals");
  err = read_fail("empty.csv", "id,count,share\nx,,1\n", 20);
  assert_error_at(&err, MDT_EDATA, 2, 3, "count: expected a whole number, found an empty field");
}

static void test_structure_errors(void **state) {
  (void)state;
  mdt_error err = read_fail("missing.csv", "id,share\nx,1\n", 13);
  assert_error_at(&err, MDT_EDATA, 1, 1, "expected a column named 'count' in the header, found 'id,share'");
  err = read_fail("few.csv", "id,count,share\nx,1\n", 19);
  assert_error_at(&err, MDT_EDATA, 2, 4, "expected 3 fields as in the header, found 2");
  err = read_fail("many.csv", "id,count,share\nx,1,2,3\n", 23);
  assert_error_at(&err, MDT_EDATA, 2, 7, "expected 3 fields as in the header, found more");
  err = read_fail("void.csv", "", 0);
  assert_error_at(&err, MDT_EDATA, 1, 1, "expected a header row, found an empty file");
  err = read_fail("dup.csv", "id,count,id\n", 12);
  assert_error_at(&err, MDT_EDATA, 1, 10, "found 'id' twice");
  err = read_fail("stray.csv", "id,count,share\n\"x\"y,1,1\n", 24);
  assert_error_at(&err, MDT_EDATA, 2, 4, "after a closing quote");
  err = read_fail("open.csv", "id,count,share\n\"x,1,1\n", 22);
  assert_int_equal(err.status, MDT_EDATA);
  assert_non_null(strstr(err.message, "closing quote"));
}

static void test_not_utf8(void **state) {
  (void)state;
  /* "Bærum" in Windows-1252 (as Excel saves plain CSV): the 0xE6 byte is not UTF-8, so the
   * file is read as Windows-1252 and the name comes back in UTF-8. */
  char *path = mdt_test_write_file("cp1252.csv", "id,count,share\nB\xE6rum,1,1\n", 25);
  mdt_csv_table *t = read_path_ok(path);
  mdt_error err;
  assert_int_equal(t->nrows, 1);
  assert_string_equal(mdt_csv_str(t, 0, 0), "B\xC3\xA6rum");
  mdt_csv_table_free(t);
  free(path);
  /* 0x81 is neither UTF-8 nor Windows-1252: an error at its position. */
  err = read_fail("neither.csv", "id,count,share\nB\x81rum,1,1\n", 25);
  assert_error_at(&err, MDT_EDATA, 2, 2, "expected UTF-8 text");
  err = read_fail("nul.csv", "id,count,share\nab,1\0,1\n", 23);
  assert_error_at(&err, MDT_EDATA, 2, 5, "NUL");
  err = read_fail("hdr.csv", "id,co\x8Dunt\n", 10); /* 0x8D: not Windows-1252 either */
  assert_error_at(&err, MDT_EDATA, 1, 6, "expected UTF-8 text");
}

/* The Windows-1252 test reads the first megabyte in pieces of 64 KiB: a UTF-8 sequence cut
 * by a piece's end is still UTF-8, and a Windows-1252 letter after the first piece is still
 * found. One row whose id is a long run of x with letters put at the offsets named. */
/* mdt__cp1252_head_is_utf8 on the file at path, its first head bytes. */
static int head_is_utf8(const char *path, size_t head, int cut) {
  int fd = open(path, O_RDONLY);
  assert_true(fd >= 0);
  int look = mdt__cp1252_head_is_utf8(fd, head, cut);
  close(fd);
  return look;
}

static mdt_csv_table *read_long_id(const char *name, const char *letters[], const size_t at[],
                                   size_t n) {
  const char *head = "id,count,share\n";
  size_t h = strlen(head), len = 140000;
  char *text = malloc(len);
  assert_non_null(text);
  memcpy(text, head, h);
  memset(text + h, 'x', len - h);
  for (size_t k = 0; k < n; k++)
    memcpy(text + at[k], letters[k], strlen(letters[k]));
  memcpy(text + len - 5, ",1,1\n", 5);
  char *path = mdt_test_write_file(name, text, len);
  /* The look alone: the whole file (UTF-8 or not), more than the file (short, unless it
   * found a byte that is not UTF-8 first), or up to a cut sequence. */
  int utf8 = strcmp(letters[0], "\xE6") != 0;
  assert_int_equal(head_is_utf8(path, len, 0), utf8);
  assert_int_equal(head_is_utf8(path, len + 1, 0), utf8 ? 2 : 0);
  if (utf8) {
    assert_int_equal(head_is_utf8(path, at[0] + 1, 1), 1);
    assert_int_equal(head_is_utf8(path, at[0] + 1, 0), 0);
  }
  mdt_csv_table *t = read_path_ok(path);
  assert_int_equal(t->nrows, 1);
  free(path);
  free(text);
  return t;
}

static void test_look_in_pieces(void **state) {
  (void)state;
  const size_t h = strlen("id,count,share\n"), idlen = 140000 - 5 - h;
  /* å (2 bytes) across the first piece's end (65536), € (3 bytes) across the second's, and
   * a 4-byte emoji across the third's: UTF-8, read as it is. */
  const char *utf8[] = {"\xC3\xA5", "\xE2\x82\xAC", "\xF0\x9F\x98\x80"};
  const size_t cut[] = {65535, 131070};
  mdt_csv_table *t = read_long_id("pieces_utf8.csv", utf8, cut, 2);
  const char *id = mdt_csv_str(t, 0, 0);
  assert_int_equal(strlen(id), idlen);
  assert_memory_equal(id + 65535 - h, "\xC3\xA5", 2);
  assert_memory_equal(id + 131070 - h, "\xE2\x82\xAC", 3);
  mdt_csv_table_free(t);
  const size_t cut4[] = {65534};
  t = read_long_id("pieces_utf8_4.csv", utf8 + 2, cut4, 1);
  assert_memory_equal(mdt_csv_str(t, 0, 0) + 65534 - h, "\xF0\x9F\x98\x80", 4);
  mdt_csv_table_free(t);
  /* A Windows-1252 æ at 70 000, in the second piece: the file is converted (æ is two bytes
   * in UTF-8, so the id grows by one). */
  const char *cp[] = {"\xE6"};
  const size_t at[] = {70000};
  t = read_long_id("pieces_1252.csv", cp, at, 1);
  id = mdt_csv_str(t, 0, 0);
  assert_int_equal(strlen(id), idlen + 1);
  assert_memory_equal(id + 70000 - h, "\xC3\xA6", 2);
  mdt_csv_table_free(t);
}

static void test_missing_file(void **state) {
  (void)state;
  mdt_csv_table *t = NULL;
  mdt_error err;
  assert_int_equal(mdt_csv_read_table("/nonexistent/x.csv", people_specs, 4, &t, &err),
                   MDT_ENOINPUT);
  assert_non_null(strstr(err.message, "cannot open"));
}

typedef struct {
  size_t batches, rows;
  int64_t sum;
  long last_line;
} stream_acc;

static mdt_status count_batch(const mdt_csv_batch *b, void *user, mdt_error *err) {
  (void)err;
  stream_acc *a = user;
  a->batches++;
  a->rows += b->nrows;
  for (size_t r = 0; r < b->nrows; r++)
    a->sum += b->ints[1][r];
  a->last_line = b->line[b->nrows - 1];
  return MDT_OK;
}

static mdt_status reject_seven(const mdt_csv_batch *b, void *user, mdt_error *err) {
  (void)user;
  for (size_t r = 0; r < b->nrows; r++)
    if (b->ints[1][r] == 7)
      return mdt_csv_fail(b, r, 1, err, MDT_EDATA, "expected anything but 7, found 7");
  return MDT_OK;
}

static void test_streaming_batches(void **state) {
  (void)state;
  /* 2500 rows across several batches; the sum 1+...+2500 = 3126250 by hand. */
  size_t cap = 64 * 2600;
  char *text = malloc(cap);
  size_t o = (size_t)snprintf(text, cap, "id,count,share\n");
  for (int i = 1; i <= 2500; i++)
    o += (size_t)snprintf(text + o, cap - o, "r%d,%d,0.5\n", i, i);
  char *path = mdt_test_write_file("stream.csv", text, o);
  mdt_csv *csv = NULL;
  mdt_error err;
  assert_int_equal(mdt_csv_open(&csv, path, &err), MDT_OK);
  assert_int_equal(mdt_csv_delimiter(csv), ',');
  assert_int_equal(mdt_csv_header_count(csv), 3);
  assert_int_equal(mdt_csv_find(csv, "share"), 2);
  assert_int_equal(mdt_csv_find(csv, "nope"), -1);
  stream_acc acc = {0};
  assert_int_equal(mdt_csv_read(csv, people_specs, 3, 1000, count_batch, &acc, &err), MDT_OK);
  assert_int_equal(acc.batches, 3);
  assert_int_equal(acc.rows, 2500);
  assert_int_equal(acc.sum, 3126250);
  assert_int_equal(acc.last_line, 2501);
  mdt_csv_close(csv);
  /* A callback's error carries the position of the offending field. */
  assert_int_equal(mdt_csv_open(&csv, path, &err), MDT_OK);
  assert_int_equal(mdt_csv_read(csv, people_specs, 3, 4, reject_seven, NULL, &err), MDT_EDATA);
  assert_error_at(&err, MDT_EDATA, 8, 4, "count: expected anything but 7");
  mdt_csv_close(csv);
  free(path);
  free(text);
}

/* Several chunks (256 KiB each) of short rows, some with two-byte UTF-8 letters and some
 * quoted with an embedded line end, read by one thread and by three: every row is there, in
 * order, on its own line. Each chunk's columns are sized from its count of line ends, so a miscount
 * would write past them (caught by the sanitizer build). */
static void test_many_chunks_threads(void **state) {
  (void)state;
  enum { ROWS = 300000 };
  size_t cap = (size_t)ROWS * 32 + 64;
  char *text = malloc(cap);
  assert_non_null(text);
  size_t o = (size_t)snprintf(text, cap, "id,count,share\n");
  for (int i = 1; i <= ROWS; i++) {
    if (i % 1000 == 0) /* a quoted id over two lines */
      o += (size_t)snprintf(text + o, cap - o, "\"r\n%d\",%d,0.5\n", i, i);
    else if (i % 3 == 0)
      o += (size_t)snprintf(text + o, cap - o, "\xc3\xa5%d,%d,0.5\n", i, i); /* "å" */
    else
      o += (size_t)snprintf(text + o, cap - o, "%d,%d,1\n", i, i);
  }
  assert_true(o > 3u * 1024 * 1024);
  char *path = mdt_test_write_file("chunks.csv", text, o);
  for (int threads = 1; threads <= 3; threads += 2) {
    mdt_csv_table *t = NULL;
    mdt_error err;
    mdt_error_clear(&err);
    if (mdt_csv_read_table_threads(path, people_specs, 3, threads, &t, &err) != MDT_OK)
      fail_msg("%s", mdt_test_errstr(&err));
    assert_int_equal(t->nrows, ROWS);
    long line = 2; /* the header is line 1 */
    for (size_t r = 0; r < t->nrows; r++) {
      long i = (long)r + 1;
      assert_int_equal(t->ints[1][r], i);
      assert_int_equal(t->line[r], line);
      line += i % 1000 == 0 ? 2 : 1;
    }
    assert_string_equal(mdt_csv_str(t, 0, 999), "r\n1000");
    assert_string_equal(mdt_csv_str(t, 0, 2), "\xc3\xa5" "3");
    mdt_csv_table_free(t);
  }
  free(path);
  free(text);
}

static mdt_status ignore_batch(const mdt_csv_batch *b, void *user, mdt_error *err) {
  (void)b;
  (void)user;
  (void)err;
  return MDT_OK;
}

typedef struct {
  size_t rows, batches, low, high, last;
} expect_acc;

static mdt_status note_expected(const mdt_csv_batch *b, void *user, mdt_error *err) {
  (void)err;
  expect_acc *a = user;
  a->rows += b->nrows;
  a->batches++;
  if (b->rows_expected < a->rows)
    a->low++;
  if (b->rows_expected > a->high)
    a->high = b->rows_expected;
  a->last = b->rows_expected;
  return MDT_OK;
}

/* Reads path with threads threads in batches of batch_rows, noting what each batch expects. */
static expect_acc read_expected(const char *path, int threads, size_t batch_rows) {
  mdt_csv *csv = NULL;
  mdt_error err;
  assert_int_equal(mdt_csv_open(&csv, path, &err), MDT_OK);
  mdt_csv_set_threads(csv, threads);
  expect_acc acc = {0};
  assert_int_equal(mdt_csv_read(csv, people_specs, 3, batch_rows, note_expected, &acc, &err),
                   MDT_OK);
  mdt_csv_close(csv);
  return acc;
}

/* The rows a file is expected to have, as each batch is handed on: never fewer than the rows
 * handed on so far, at most a quarter over, and the exact count with the last chunk. The rows
 * grow from 6 bytes ("1,1,1\n") to 19 ("300000,300000,0.25\n"): by hand, the first chunk of
 * 262 144 bytes holds 18 345 rows (14.29 bytes each) against 16.76 on the whole, so the first
 * estimate is 300 000 * 16.76 / 14.29 * 65 / 64 = 357 359 (1.19 times), the largest. A file in
 * one chunk: exact at once. */
static void test_rows_expected(void **state) {
  (void)state;
  enum { ROWS = 300000 };
  size_t cap = (size_t)ROWS * 24 + 64;
  char *text = malloc(cap);
  assert_non_null(text);
  size_t o = (size_t)snprintf(text, cap, "id,count,share\n");
  for (int i = 1; i <= ROWS; i++)
    o += (size_t)snprintf(text + o, cap - o, i % 2 ? "%d,%d,1\n" : "%d,%d,0.25\n", i, i);
  char *path = mdt_test_write_file("expected.csv", text, o);
  for (int threads = 1; threads <= 2; threads++) {
    expect_acc acc = read_expected(path, threads, 4096);
    assert_int_equal(acc.rows, ROWS);
    assert_true(acc.batches > 20);
    assert_int_equal(acc.low, 0);
    assert_true(acc.high <= ROWS / 4 * 5);
    assert_int_equal(acc.last, ROWS);
  }
  free(path);
  o = (size_t)snprintf(text, cap, "id,count,share\na,1,1\nb,2,2\n");
  path = mdt_test_write_file("expected_small.csv", text, o);
  expect_acc acc = read_expected(path, 1, 1);
  assert_int_equal(acc.batches, 2);
  assert_int_equal(acc.high, 2);
  assert_int_equal(acc.last, 2);
  free(path);
  free(text);
}

/* The digest taken while reading (mdt_csv_hash_begin) is the file's own (mdt_sha256_file,
 * itself checked against FIPS 180-2 in test_hash): with a byte-order mark and CR LF line
 * ends, over several chunks with one thread and with three; none for a file read through its
 * Windows-1252 conversion, nor when the hash was not begun. */
static void test_hash_while_reading(void **state) {
  (void)state;
  enum { ROWS = 200000 };
  size_t cap = (size_t)ROWS * 24 + 64;
  char *text = malloc(cap);
  assert_non_null(text);
  size_t o = (size_t)snprintf(text, cap, "\xEF\xBB\xBFid,count,share\r\n");
  for (int i = 1; i <= ROWS; i++)
    o += (size_t)snprintf(text + o, cap - o, "r%d,%d,0.5\r\n", i, i);
  assert_true(o > 2u * 1024 * 1024);
  char *path = mdt_test_write_file("hashed.csv", text, o);
  char *cp = mdt_test_write_file("hashed1252.csv", "id,count,share\nB\xE6rum,1,1\n", 25);
  char want[65], got[65];
  mdt_error err;
  assert_int_equal(mdt_sha256_file(path, want, &err), MDT_OK);
  for (int threads = 1; threads <= 3; threads += 2) {
    mdt_csv *csv = NULL;
    assert_int_equal(mdt_csv_open(&csv, path, &err), MDT_OK);
    mdt_csv_set_threads(csv, threads);
    mdt_csv_hash_begin(csv);
    assert_int_equal(mdt_csv_read(csv, people_specs, 3, 1000, ignore_batch, NULL, &err), MDT_OK);
    assert_int_equal(mdt_csv_hash_end(csv, got), 1);
    assert_string_equal(got, want);
    mdt_csv_close(csv);
  }
  mdt_csv *csv = NULL;
  assert_int_equal(mdt_csv_open(&csv, path, &err), MDT_OK);
  assert_int_equal(mdt_csv_read(csv, people_specs, 3, 1000, ignore_batch, NULL, &err), MDT_OK);
  assert_int_equal(mdt_csv_hash_end(csv, got), 0);
  mdt_csv_close(csv);
  assert_int_equal(mdt_csv_open(&csv, cp, &err), MDT_OK);
  mdt_csv_hash_begin(csv);
  assert_int_equal(mdt_csv_read(csv, people_specs, 3, 1000, ignore_batch, NULL, &err), MDT_OK);
  assert_int_equal(mdt_csv_hash_end(csv, got), 0);
  mdt_csv_close(csv);
  free(cp);
  free(path);
  free(text);
}

static void test_allow_empty(void **state) {
  (void)state;
  static const mdt_csv_spec specs[] = {
      {"id", MDT_CSV_STR, 1, 0}, {"v", MDT_CSV_REAL, 1, 1}, {"n", MDT_CSV_INT, 1, 1}};
  char *path = mdt_test_write_text("opt.csv", "id,v,n\na,,\nb,1.5,2\n");
  mdt_csv_table *t = NULL;
  mdt_error err;
  assert_int_equal(mdt_csv_read_table(path, specs, 3, &t, &err), MDT_OK);
  assert_true(isnan(t->reals[1][0]));
  assert_int_equal(t->ints[2][0], MDT_CSV_EMPTY_INT);
  assert_true(t->reals[1][1] == 1.5);
  /* Errors found after the read still point into the file. */
  mdt_csv_fail(t, 1, 1, &err, MDT_EDATA, "expected at most 1, found 1.5");
  assert_error_at(&err, MDT_EDATA, 3, 3, "v: expected at most 1");
  mdt_csv_table_free(t);
  free(path);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_comma_dialect),
      cmocka_unit_test(test_semicolon_decimal_comma_bom_crlf),
      cmocka_unit_test(test_quoted_fields_and_blank_lines),
      cmocka_unit_test(test_bad_number_position),
      cmocka_unit_test(test_structure_errors),
      cmocka_unit_test(test_not_utf8),
      cmocka_unit_test(test_look_in_pieces),
      cmocka_unit_test(test_missing_file),
      cmocka_unit_test(test_streaming_batches),
      cmocka_unit_test(test_many_chunks_threads),
      cmocka_unit_test(test_allow_empty),
      cmocka_unit_test(test_hash_while_reading),
      cmocka_unit_test(test_rows_expected),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
