/*
 * The CSV reader's fast path against libcsv, the reference: the 64-byte masks it scans with,
 * hand-made records at every edge where the two ways could part (spaces libcsv trims, blank
 * and whitespace-only lines, CR LF, a last line without a line end, quotes, ragged rows, the
 * ';' dialect), and 20 000 random small files from an alphabet of those bytes. For each, the
 * transcripts of the two ways (rows, lines, fields, or the error with its position) must be
 * the same bytes (tests/fuzz/csv_diff.h, shared with the differential fuzz target).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>

#include "../fuzz/csv_diff.h"
#include "core/csv_int.h"
#include "core/csv_scan.h"
#include "core/memfile.h"
#include "testutil.h"

/* Both ways over text (NUL-terminated unless len says otherwise); fails with both
 * transcripts when they differ. Returns the status both gave. */
static mdt_status same_both_ways(const char *text, size_t len, mdt_diff_mode mode,
                                 int threads) {
  mdt__memfile_set("diff.csv", text, len);
  mdt_transcript fast = {0}, ref = {0};
  mdt_status sf = mdt_csv_transcript("diff.csv", 0, threads, mode, &fast);
  mdt_status sr = mdt_csv_transcript("diff.csv", 1, 1, mode, &ref);
  mdt__memfile_set(NULL, NULL, 0);
  assert_false(fast.oom || ref.oom);
  if (sf != sr || fast.len != ref.len || memcmp(fast.text, ref.text, fast.len) != 0)
    fail_msg("input:\n%.*s\nfast path:\n%.*s\nlibcsv:\n%.*s", (int)len, text, (int)fast.len,
             fast.text, (int)ref.len, ref.text);
  free(fast.text);
  free(ref.text);
  return sf;
}

static void test_masks(void **state) {
  (void)state;
  gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(rng, 14);
  char buf[64];
  const char alphabet[] = ",;\n\r\"\t a1\x80\xff";
  for (int round = 0; round < 5000; round++) {
    for (size_t k = 0; k < sizeof buf; k++)
      buf[k] = round % 2 ? (char)gsl_rng_uniform_int(rng, 256)
                         : alphabet[gsl_rng_uniform_int(rng, sizeof alphabet - 1)];
    char delim = round % 3 ? ',' : ';';
    assert_true(mdt__csv_special_mask(buf, delim) ==
                mdt__csv_special_mask_portable(buf, delim));
    assert_true(mdt__csv_unplain_mask(buf) == mdt__csv_unplain_mask_portable(buf));
    assert_true(mdt__csv_space_mask(buf) == mdt__csv_space_mask_portable(buf));
    assert_true(mdt__csv_plain_block(buf) == mdt__csv_plain_block_portable(buf));
  }
  /* Blocks of plain bytes, half of them with one byte of trouble somewhere: the block test
   * must see it wherever it is. */
  const char plain[] = ",;\n\ra1\x80\xff", trouble[] = " \"\t\x01\x1f";
  for (int round = 0; round < 2000; round++) {
    for (size_t k = 0; k < sizeof buf; k++)
      buf[k] = plain[gsl_rng_uniform_int(rng, sizeof plain - 1)];
    int bad = round % 2;
    if (bad)
      buf[gsl_rng_uniform_int(rng, sizeof buf)] =
          trouble[gsl_rng_uniform_int(rng, sizeof trouble - 1)];
    assert_int_equal(mdt__csv_plain_block_portable(buf), !bad);
    assert_int_equal(mdt__csv_plain_block(buf), !bad);
  }
  /* By hand: in "a b\n\"\t\r\x01\x80" the quote (4), the tab (5) and the control byte (7)
   * keep a chunk from the bulk path; the space (1) only at a field's edge; the line feed (3),
   * the CR (6, allowed before a line feed), the letters and the byte from 0x80 up do not. */
  memset(buf, 'x', sizeof buf);
  memcpy(buf, "a b\n\"\t\r\x01\x80", 9);
  assert_true(mdt__csv_unplain_mask(buf) ==
              ((UINT64_C(1) << 4) | (UINT64_C(1) << 5) | (UINT64_C(1) << 7)));
  assert_true(mdt__csv_space_mask(buf) == (UINT64_C(1) << 1));
  /* By hand: "a,b\n\"c" has the delimiter at 1, the line feed at 3, the quote at 4. */
  memset(buf, 'x', sizeof buf);
  memcpy(buf, "a,b\n\"c", 6);
  buf[63] = ',';
  assert_true(mdt__csv_special_mask(buf, ',') ==
              ((UINT64_C(1) << 1) | (UINT64_C(1) << 3) | (UINT64_C(1) << 4) | (UINT64_C(1) << 63)));
  gsl_rng_free(rng);
}

/* The UTF-8 check's count of line feeds (the rows a chunk is sized for) and where it stops,
 * against a byte loop, on ASCII long enough for many 255-block rounds of its vector count. */
static void test_utf8_prefix_counts(void **state) {
  (void)state;
  gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(rng, 7);
  size_t n = 100003;
  unsigned char *buf = malloc(n);
  assert_non_null(buf);
  for (int round = 0; round < 20; round++) {
    size_t expect_nl = 0;
    for (size_t k = 0; k < n; k++) {
      buf[k] = gsl_rng_uniform(rng) < 0.1 ? '\n' : (unsigned char)(' ' + gsl_rng_uniform_int(rng, 90));
      expect_nl += buf[k] == '\n';
    }
    size_t stop = n;
    if (round % 2) { /* a NUL or a stray continuation byte somewhere */
      stop = gsl_rng_uniform_int(rng, n);
      buf[stop] = round % 4 == 1 ? 0 : 0x80;
      expect_nl = 0;
      for (size_t k = 0; k < stop; k++)
        expect_nl += buf[k] == '\n';
    }
    int incomplete = 0;
    size_t nl = 0;
    assert_int_equal(mdt__csv_utf8_valid_prefix(buf, n, &incomplete, &nl), stop);
    assert_int_equal(nl, expect_nl);
  }
  free(buf);
  gsl_rng_free(rng);
}

static void test_edges(void **state) {
  (void)state;
  static const char *const cases[] = {
      "a,b,c\n1,2,3\n",
      "a,b,c\n1,2,3",                         /* no line end at the end */
      "a,b,c\r\n1,2,3\r\n4,5,6",              /* CR LF, last line bare */
      "a,b,c\n 1,2,3\n1 ,2,3\n1,\t2,3\n1,2,3 \n", /* spaces libcsv trims */
      "a,b,c\n1,2 x,3\n",                     /* an inner space stays */
      "a,b,c\n\n1,2,3\n   \n\t\n4,5,6\n\n",   /* blank and whitespace-only lines */
      "a\n\nx\n \n,\n",                        /* one column: blank lines, then two fields */
      "a,b,c\n1,2\n",                          /* too few fields */
      "a,b,c\n1,2,3,4\n",                      /* too many */
      "a,b,c\n1,2,\n,,\n",                     /* empty fields */
      "a,b,c\n1,\"2,5\",3\n4,\"x\"\"y\",6\n",  /* quoted */
      "a,b,c\n1,\"two\nlines\",3\n4,5,6\n",    /* a line end inside quotes */
      "a,b,c\n1,x\"y,3\n",                     /* a quote inside an unquoted field */
      "a,b,c\n1,\"x\"y,3\n",                   /* text after a closing quote */
      "a,b,c\n1,\"open,3\n4,5,6\n",            /* a quote never closed */
      "a;b;c\n1,5;2;3\n\"x;y\";2;3\n",         /* the ';' dialect */
      "a,b,c\n1,2,3\r4,5,6\n",                 /* a bare CR */
      "a,b,c\n1,\x01,3\n",                     /* a control byte */
      "a,b,c\n1,2,3\n\xff,2,3\n",              /* not UTF-8 */
      "\xef\xbb\xbf" "a,b\n1,2\n",             /* a byte-order mark */
      "a,b\n\"1\" ,2\n 1 , 2 \n",              /* spaces after a closing quote, around text */
      /* ids in the list's order (the guess of the next id holds), and an id that is the start
       * of the next one ("12345678" after "g1", whose next is "1234567890abcdef") */
      "a\n1\n22\nx\nOslo\n7.5\n12345678\nq01\ng1\n12345678\n1234567890abcdef\ng1\n",
  };
  for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++)
    for (int threads = 1; threads <= 2; threads++) {
      same_both_ways(cases[k], strlen(cases[k]), MDT_DIFF_TEXT, threads);
      same_both_ways(cases[k], strlen(cases[k]), MDT_DIFF_NUMBERS, threads);
      same_both_ways(cases[k], strlen(cases[k]), MDT_DIFF_KEYS, threads);
      same_both_ways(cases[k], strlen(cases[k]), MDT_DIFF_MIXED, threads);
    }
  /* The edges above reach both ways: the plain file reads without error, the ragged one fails. */
  assert_int_equal(same_both_ways(cases[0], strlen(cases[0]), MDT_DIFF_TEXT, 1), MDT_OK);
  assert_int_equal(same_both_ways(cases[7], strlen(cases[7]), MDT_DIFF_TEXT, 1), MDT_EDATA);
}

/* Random small files: a header of 1 to 4 columns and rows of bytes that matter to a CSV
 * reader, mostly plain so that both ways are taken within one file. */
static void test_random_files(void **state) {
  (void)state;
  gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(rng, 2026);
  static const char *const pieces[] = {"1",  "22", "x",  "Oslo", ",",  ",",  ",",   "\n",
                                       "\n", " ",  "\t", "\"",   "\r\n", ";", "\"\"", "7.5"};
  const size_t npieces = sizeof pieces / sizeof pieces[0];
  char text[512];
  size_t ok = 0, failed = 0;
  for (int round = 0; round < 20000; round++) {
    int semi = round % 5 == 0;
    size_t ncols = 1 + gsl_rng_uniform_int(rng, 4), len = 0;
    for (size_t c = 0; c < ncols; c++)
      len += (size_t)snprintf(text + len, sizeof text - len, "%s%c", c ? (semi ? ";" : ",") : "",
                              (char)('a' + c));
    text[len++] = '\n';
    size_t rows = gsl_rng_uniform_int(rng, 8);
    for (size_t r = 0; r < rows && len < sizeof text - 64; r++) {
      int plain = gsl_rng_uniform(rng) < 0.7;
      if (plain) {
        for (size_t c = 0; c < ncols; c++)
          len += (size_t)snprintf(text + len, sizeof text - len, "%s%s", c ? (semi ? ";" : ",") : "",
                                  pieces[gsl_rng_uniform_int(rng, 4)]);
        text[len++] = '\n';
      } else {
        size_t n = 1 + gsl_rng_uniform_int(rng, 10);
        for (size_t k = 0; k < n; k++) {
          const char *p = pieces[gsl_rng_uniform_int(rng, npieces)];
          size_t pl = strlen(p);
          memcpy(text + len, p, pl);
          len += pl;
        }
      }
    }
    if (gsl_rng_uniform(rng) < 0.2 && len > 0 && text[len - 1] == '\n')
      len--; /* no line end at the end */
    text[len] = '\0';
    mdt_status st = same_both_ways(text, len, (mdt_diff_mode)(round % 4), 1 + round % 2);
    if (st == MDT_OK)
      ok++;
    else
      failed++;
  }
  /* Both outcomes were compared many times. */
  assert_true(ok > 1000);
  assert_true(failed > 1000);
  gsl_rng_free(rng);
}

/* Files the bulk path takes (no quote, no byte below ' ' but the line end, no space at a
 * field's edge), large enough for many of its blocks and more than one chunk of the reader,
 * with LF or CR LF line ends: mostly plain records of ids and numbers in runs or in order
 * (some with a space inside), with now and then a ragged record, a blank line, an empty
 * field, an unknown id, a field that is no number or begins or ends with a space, or a line
 * end at the end missing. Every way of reading them must give what libcsv gives. */
static void test_bulk_files(void **state) {
  (void)state;
  gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(rng, 1414);
  /* Ids (mdt__diff_ids), numbers, and both with text. */
  static const char *const numbers[] = {"1", "22", "7.5", "12345678", "-3", "1e3", "0.25", "99999"};
  static const char *const others[] = {"x", "Oslo", "q01", "g1", "1234567890abcdef",
                                       "an-id-longer-than-16-bytes", "Oslo kommune", "4 50000+"};
  const char *values[32];
  size_t cap = 3u << 20;
  char *text = malloc(cap);
  assert_non_null(text);
  size_t ok = 0, failed = 0;
  for (int round = 0; round < 48; round++) {
    /* Round by round: ids read as ids and text; numbers read as numbers and text; all of it
     * read every way. */
    int kind = round % 3;
    size_t nvalues = 0;
    if (kind != 1)
      for (size_t k = 0; k < sizeof mdt__diff_ids / sizeof mdt__diff_ids[0]; k++)
        values[nvalues++] = mdt__diff_ids[k];
    if (kind != 0)
      for (size_t k = 0; k < sizeof numbers / sizeof numbers[0]; k++)
        values[nvalues++] = numbers[k];
    if (kind == 2)
      for (size_t k = 0; k < sizeof others / sizeof others[0]; k++)
        values[nvalues++] = others[k];
    int semi = round % 6 == 5;
    char delim = semi ? ';' : ',';
    const char *eol = (round / 5) % 2 ? "\r\n" : "\n"; /* CR LF, as Excel writes */
    size_t eoln = strlen(eol);
    size_t ncols = 1 + (size_t)round % 5, len = 0;
    /* Rare trouble in some files, none in others; many files pass a chunk (256 KiB). */
    double trouble = round % 4 == 0 ? 0 : round % 4 == 1 ? 1e-4 : 0.01;
    size_t rows = round % 8 == 7 ? 150000 : 1 + gsl_rng_uniform_int(rng, 20000);
    for (size_t c = 0; c < ncols; c++)
      len += (size_t)snprintf(text + len, cap - len, "%s%c", c ? (semi ? ";" : ",") : "",
                              (char)('a' + c));
    memcpy(text + len, eol, eoln);
    len += eoln;
    size_t run[2] = {0, 0}, pick[3] = {0, 0, 0};
    for (size_t r = 0; r < rows && len < cap - 256; r++) {
      double u = gsl_rng_uniform(rng);
      if (u < trouble / 4) { /* one or two blank lines */
        memcpy(text + len, eol, eoln);
        len += eoln;
        if (gsl_rng_uniform(rng) < 0.5) {
          memcpy(text + len, eol, eoln);
          len += eoln;
        }
        continue;
      }
      size_t nf = ncols;
      if (u < trouble / 2) { /* a ragged record; or a short one and a long one, whose fields
                                add up to two records' */
        if (ncols > 1 && gsl_rng_uniform(rng) < 0.5) {
          for (size_t c = 0; c + 1 < ncols; c++)
            len += (size_t)snprintf(text + len, cap - len, "%s1", c ? (semi ? ";" : ",") : "");
          memcpy(text + len, eol, eoln);
          len += eoln;
        }
        nf = gsl_rng_uniform(rng) < 0.5 && ncols > 1 ? ncols - 1 : ncols + 1;
      }
      for (size_t c = 0; c < nf; c++) {
        if (c)
          text[len++] = delim;
        const char *v;
        if (gsl_rng_uniform(rng) < trouble) {
          static const char *const odd[] = {"", "nope", " 1", "22 ", " "};
          v = odd[gsl_rng_uniform_int(rng, 5)];
        }
        else {
          /* The first two columns in runs, as a respondent's answers to a question come. */
          if (c < 2 && run[c]-- == 0) {
            run[c] = gsl_rng_uniform_int(rng, c == 0 ? 24 : 6);
            pick[c] = gsl_rng_uniform_int(rng, nvalues);
          }
          /* The third column mostly in the order of the values (ids: in the order of
           * mdt__diff_ids, whose place is their value), as a question's options come:
           * the bulk path tries the id after the row before's first. */
          if (c == 2)
            pick[2] = gsl_rng_uniform(rng) < 0.1 ? gsl_rng_uniform_int(rng, nvalues)
                                                 : (pick[2] + 1) % nvalues;
          v = c < 2 ? values[pick[c]]
                    : c == 2 ? values[pick[2]] : values[gsl_rng_uniform_int(rng, nvalues)];
          if (semi && strcmp(v, "7.5") == 0)
            v = "7,5";
        }
        size_t vl = strlen(v);
        memcpy(text + len, v, vl);
        len += vl;
      }
      memcpy(text + len, eol, eoln);
      len += eoln;
    }
    if (round % 4 == 3)
      len -= eoln; /* no line end at the end */
    text[len] = '\0';
    for (mdt_diff_mode mode = MDT_DIFF_TEXT; mode <= MDT_DIFF_MIXED; mode++) {
      if ((kind == 0 && (mode == MDT_DIFF_NUMBERS || mode == MDT_DIFF_MIXED)) ||
          (kind == 1 && mode == MDT_DIFF_KEYS))
        continue;
      mdt_status st = same_both_ways(text, len, mode, 1 + (round + (int)mode) % 2);
      if (st == MDT_OK)
        ok++;
      else
        failed++;
    }
  }
  /* Both outcomes were compared. */
  assert_true(ok > 20);
  assert_true(failed > 20);
  free(text);
  gsl_rng_free(rng);
}

/* A space at a field's edge next to every place in the bulk path's 64-byte blocks, with a
 * delimiter, a line feed or a CR LF just before or after it: libcsv trims it, and so must
 * every way. */
static void test_space_edges(void **state) {
  (void)state;
  char text[400];
  for (size_t at = 4; at < 200; at++)
    for (int kind = 0; kind < 5; kind++) {
      /* at: where the space goes; the row before it fills the text up to there. */
      size_t len = (size_t)snprintf(text, sizeof text, "a,b\n");
      while (len < at - 1)
        text[len++] = 'x';
      switch (kind) {
      case 0: /* "...x, 2\n": a space after a delimiter */
        len = at - 1;
        len += (size_t)snprintf(text + len, sizeof text - len, ", 2\nq,r\n");
        break;
      case 1: /* "...x,2\n 1,2\n": a space that begins a record */
        len = at - 3 > 4 ? at - 3 : 4;
        len += (size_t)snprintf(text + len, sizeof text - len, ",2\n 1,2\n");
        break;
      case 2: /* "...x ,2\n": a space before a delimiter */
        len = at;
        len += (size_t)snprintf(text + len, sizeof text - len, "x ,2\n");
        break;
      case 3: /* "...x,2 \n": a space before a line feed */
        len = at;
        len += (size_t)snprintf(text + len, sizeof text - len, ",2 \nq,r\n");
        break;
      default: /* "...x,2 \r\n": a space before a CR LF */
        len = at;
        len += (size_t)snprintf(text + len, sizeof text - len, ",2 \r\nq,r\r\n");
        break;
      }
      same_both_ways(text, len, MDT_DIFF_TEXT, 1);
      same_both_ways(text, len, MDT_DIFF_KEYS, 1);
    }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_masks),
      cmocka_unit_test(test_utf8_prefix_counts),
      cmocka_unit_test(test_edges),
      cmocka_unit_test(test_random_files),
      cmocka_unit_test(test_bulk_files),
      cmocka_unit_test(test_space_edges),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
