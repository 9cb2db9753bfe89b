/*
 * The hash map of ids and labels (core/dict.h). Its hash reads a key a word at a time, in
 * pieces that depend on the key's length: every key here lies at the very end of a block of
 * its own, so that a read past it is a fault under the sanitizers (.ci/run), and keys that
 * differ in one byte only, at every place and for every length from 0 to 40, must all be told
 * apart.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/dict.h"
#include "testutil.h"

#define MAXLEN 40

/* A copy of key[0..len) that ends where its block ends (no terminating zero). */
static char *at_block_end(const char *key, size_t len) {
  char *b = malloc(len ? len : 1);
  assert_non_null(b);
  memcpy(b, key, len);
  return b;
}

static void test_by_hand(void **state) {
  (void)state;
  mdt__dict *d = mdt__dict_new(4);
  long first = -7;
  assert_non_null(d);
  assert_int_equal(mdt__dict_put(d, "kommune", 7, 0, NULL), 0);
  assert_int_equal(mdt__dict_put(d, "fylkeskommune", 13, 1, NULL), 0);
  assert_int_equal(mdt__dict_put(d, "", 0, 2, NULL), 0);
  assert_int_equal(mdt__dict_put(d, "kommune", 7, 9, &first), 1);
  assert_int_equal(first, 0);
  assert_int_equal(mdt__dict_find(d, "kommune", 7), 0);
  assert_int_equal(mdt__dict_find(d, "fylkeskommune", 13), 1);
  assert_int_equal(mdt__dict_find(d, "", 0), 2);
  assert_int_equal(mdt__dict_find(d, "kommun", 6), -1);      /* a prefix */
  assert_int_equal(mdt__dict_find(d, "kommunen", 8), -1);    /* one byte more */
  assert_int_equal(mdt__dict_find(d, "fylkeskommunE", 13), -1);
  assert_int_equal((long)mdt__dict_size(d), 3);
  mdt__dict_free(d);
}

/* For every length, a base key and the keys that differ from it in one byte at each place:
 * 1 + len keys a length, 861 in all, through several growths of a dict made for 2. */
static void test_one_byte_apart(void **state) {
  (void)state;
  mdt__dict *d = mdt__dict_new(2);
  assert_non_null(d);
  char key[MAXLEN];
  long value = 0;
  for (int pass = 0; pass < 2; pass++) {
    value = 0;
    for (size_t len = 0; len <= MAXLEN; len++) {
      for (size_t k = 0; k < len; k++)
        key[k] = (char)('a' + (k * 7 + len) % 26);
      for (size_t at = 0; at <= len; at++) { /* at == len: the base key */
        char *b = at_block_end(key, len);
        if (at < len)
          b[at] = (char)(b[at] == 'Z' ? 'Y' : 'Z');
        if (pass == 0) {
          assert_int_equal(mdt__dict_put(d, b, len, value, NULL), 0);
        } else {
          long first = -7;
          assert_int_equal(mdt__dict_find(d, b, len), value);
          assert_int_equal(mdt__dict_put(d, b, len, value + 1000000, &first), 1);
          assert_int_equal(first, value);
        }
        free(b);
        value++;
      }
    }
  }
  assert_int_equal((long)mdt__dict_size(d), value);
  /* Keys never put: each base key with one byte more or less, and other bytes. */
  for (size_t len = 1; len <= MAXLEN; len++) {
    for (size_t k = 0; k < len; k++)
      key[k] = (char)('a' + (k * 7 + len) % 26);
    /* The first len - 1 bytes of the base key of length len differ in every byte from the
     * base key of length len - 1 (each is the next letter), so from all its one-byte variants
     * too when len - 1 >= 2; of length 0 it is the empty key, put first (value 0). */
    char *shorter = at_block_end(key, len - 1);
    assert_int_equal(mdt__dict_find(d, shorter, len - 1), len == 1 ? 0 : -1);
    free(shorter);
    char *other = at_block_end(key, len);
    memset(other, '#', len);
    assert_int_equal(mdt__dict_find(d, other, len), -1);
    free(other);
  }
  mdt__dict_free(d);
}

/* Many numbered ids, as a register's or a member list's: every one found again, and the ids
 * never put (and their prefixes) not found. */
static void test_numbered_ids(void **state) {
  (void)state;
  const long n = 200000;
  mdt__dict *d = mdt__dict_new(16);
  char id[32];
  assert_non_null(d);
  for (long i = 0; i < n; i++) {
    int len = snprintf(id, sizeof id, "%ld", i * 3);
    char *b = at_block_end(id, (size_t)len);
    assert_int_equal(mdt__dict_put(d, b, (size_t)len, i, NULL), 0);
    free(b);
  }
  for (long i = 0; i < 3 * n; i++) {
    int len = snprintf(id, sizeof id, "%ld", i);
    char *b = at_block_end(id, (size_t)len);
    long want = i % 3 == 0 ? i / 3 : -1;
    if (mdt__dict_find(d, b, (size_t)len) != want)
      fail_msg("id %s: found %ld, expected %ld", id, mdt__dict_find(d, b, (size_t)len), want);
    free(b);
  }
  assert_int_equal((long)mdt__dict_size(d), n);
  mdt__dict_free(d);
}

/* Keys put with their hash given (and their slots prefetched first, as a loop does a few keys
 * ahead): found as if put alone, a key given twice refused with its first value, and the
 * dict grown past its first size on the way. */
static void test_put_hashed(void **state) {
  (void)state;
  const long n = 5000;
  mdt__dict *d = mdt__dict_new(4);
  char id[32];
  assert_non_null(d);
  for (long i = 0; i < n; i++) {
    int len = snprintf(id, sizeof id, "m%ld", (i * 7919) % n);
    uint64_t h = mdt__dict_hash(id, (size_t)len);
    assert_int_equal(h, mdt__dict_hash(id, (size_t)len));
    mdt__dict_prefetch(d, h);
    assert_int_equal(mdt__dict_put_hashed(d, h, id, (size_t)len, i, NULL), 0);
  }
  for (long i = 0; i < n; i++) {
    int len = snprintf(id, sizeof id, "m%ld", (i * 7919) % n);
    assert_int_equal(mdt__dict_find(d, id, (size_t)len), i);
    long first = -1;
    assert_int_equal(mdt__dict_put_hashed(d, mdt__dict_hash(id, (size_t)len), id, (size_t)len,
                                          n + i, &first),
                     1);
    assert_int_equal(first, i);
  }
  assert_int_equal(mdt__dict_find(d, "m", 1), -1);
  assert_int_equal((long)mdt__dict_size(d), n);
  mdt__dict_free(d);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_put_hashed),
      cmocka_unit_test(test_by_hand),
      cmocka_unit_test(test_one_byte_apart),
      cmocka_unit_test(test_numbered_ids),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
