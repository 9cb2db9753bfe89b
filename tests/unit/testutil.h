/*
 * Helpers shared by the unit tests: temporary files and fixture paths.
 * Ownership: returned paths are malloc'ed and freed by the caller with free().
 */
#ifndef MANDAT_TESTUTIL_H
#define MANDAT_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "mandat/error.h"

/* A fresh temporary directory for this test process (created once, removed at exit). */
const char *mdt_test_tmpdir(void);
/* Writes len bytes of data to a new file name in the temporary directory; returns its path. */
char *mdt_test_write_file(const char *name, const char *data, size_t len);
/* As mdt_test_write_file with a NUL-terminated string. */
char *mdt_test_write_text(const char *name, const char *text);
/* Path of a file under tests/fixtures (or an absolute path under the source tree). */
char *mdt_test_fixture(const char *relpath);
/* Formats err as "file:line:column: message" into a static buffer (for assertions). */
const char *mdt_test_errstr(const mdt_error *err);
/* Asserts that err has the given status, position and that its message contains needle. */
#define assert_error_at(err, st, ln, col, needle)                                              \
  do {                                                                                         \
    assert_int_equal((err)->status, (st));                                                     \
    assert_int_equal((err)->line, (ln));                                                       \
    assert_int_equal((err)->column, (col));                                                    \
    if (strstr((err)->message, (needle)) == NULL)                                              \
      fail_msg("message '%s' does not contain '%s'", (err)->message, (needle));                \
  } while (0)

#endif
