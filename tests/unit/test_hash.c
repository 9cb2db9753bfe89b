/* SHA-256 against the FIPS 180-2 test vectors, at once and as a batch on its own thread. */
#include <stdlib.h>
#include <string.h>

#include "core/hash.h"
#include "testutil.h"

static void test_vectors(void **state) {
  (void)state;
  char hex[MDT_SHA256_HEX_SIZE];
  mdt_error err;
  /* FIPS 180-2 appendix B.1: "abc" */
  assert_int_equal(mdt_sha256_bytes("abc", 3, hex, &err), MDT_OK);
  assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  /* the empty message */
  assert_int_equal(mdt_sha256_bytes("", 0, hex, &err), MDT_OK);
  assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  /* B.2 through a file */
  const char *msg = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
  char *path = mdt_test_write_text("b2.txt", msg);
  assert_int_equal(mdt_sha256_file(path, hex, &err), MDT_OK);
  assert_string_equal(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  free(path);
  assert_int_equal(mdt_sha256_file("/nonexistent/file", hex, &err), MDT_ENOINPUT);
}

/* A batch gives each file's digest as mdt_sha256_file does, and nothing for a path it was
 * not given or could not read. */
static void test_batch(void **state) {
  (void)state;
  char *a = mdt_test_write_text("batch_a.txt", "abc");
  char *b = mdt_test_write_text("batch_b.txt", "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq");
  const char *paths[3] = {a, "/nonexistent/file", b};
  mdt_sha256_batch *batch = mdt_sha256_batch_start(paths, 3);
  assert_non_null(batch);
  char hex[MDT_SHA256_HEX_SIZE], want[MDT_SHA256_HEX_SIZE];
  mdt_error err;
  for (int k = 0; k < 2; k++) { /* asked twice: the same */
    assert_int_equal(mdt_sha256_batch_get(batch, b, hex), 1);
    assert_int_equal(mdt_sha256_file(b, want, &err), MDT_OK);
    assert_string_equal(hex, want);
    assert_int_equal(mdt_sha256_batch_get(batch, a, hex), 1);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  }
  assert_int_equal(mdt_sha256_batch_get(batch, "/nonexistent/file", hex), 0);
  assert_int_equal(mdt_sha256_batch_get(batch, "batch_c.txt", hex), 0);
  assert_int_equal(mdt_sha256_batch_get(NULL, a, hex), 0);
  mdt_sha256_batch_free(batch);
  mdt_sha256_batch_free(NULL);
  /* Freed without being asked: it waits for its thread. */
  mdt_sha256_batch_free(mdt_sha256_batch_start(paths, 3));
  free(a);
  free(b);
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_vectors), cmocka_unit_test(test_batch)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
