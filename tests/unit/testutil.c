#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char tmpdir[512];

static void remove_tmpdir(void) {
  if (tmpdir[0]) {
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0)
      fprintf(stderr, "could not remove %s\n", tmpdir);
  }
}

const char *mdt_test_tmpdir(void) {
  if (!tmpdir[0]) {
    const char *base = getenv("TMPDIR");
    snprintf(tmpdir, sizeof tmpdir, "%s/mandat-test-XXXXXX", base && *base ? base : "/tmp");
    if (mkdtemp(tmpdir) == NULL) {
      perror("mkdtemp");
      abort();
    }
    atexit(remove_tmpdir);
  }
  return tmpdir;
}

char *mdt_test_write_file(const char *name, const char *data, size_t len) {
  size_t n = strlen(mdt_test_tmpdir()) + strlen(name) + 2;
  char *path = malloc(n);
  assert_non_null(path);
  snprintf(path, n, "%s/%s", mdt_test_tmpdir(), name);
  FILE *fp = fopen(path, "wb");
  assert_non_null(fp);
  assert_int_equal(fwrite(data, 1, len, fp), len);
  assert_int_equal(fclose(fp), 0);
  return path;
}

char *mdt_test_write_text(const char *name, const char *text) {
  return mdt_test_write_file(name, text, strlen(text));
}

char *mdt_test_fixture(const char *relpath) {
  size_t n = strlen(MDT_SOURCE_DIR) + strlen(relpath) + 32;
  char *path = malloc(n);
  assert_non_null(path);
  snprintf(path, n, "%s/tests/fixtures/%s", MDT_SOURCE_DIR, relpath);
  return path;
}

const char *mdt_test_errstr(const mdt_error *err) {
  static char buf[2048];
  return mdt_error_format(err, buf, sizeof buf);
}
