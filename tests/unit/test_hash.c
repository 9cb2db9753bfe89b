/* SHA-256 against the FIPS 180-2 test vectors. */
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

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_vectors)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
