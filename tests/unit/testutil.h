/*
 * Helpers shared by the unit tests: temporary files and fixture paths.
 * Ownership: returned paths are malloc'ed and freed by the caller with free().
 */
#ifndef MANDAT_TESTUTIL_H
#define MANDAT_TESTUTIL_H

#include <math.h>
#include <setjmp.h>
#include <string.h>
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
/* cmocka 1.1's assert_float_equal compares floats; mandat's numbers are doubles. */
#define assert_near(a, b, tol)                                                                 \
  do {                                                                                         \
    double a_ = (a), b_ = (b), t_ = (tol);                                                     \
    if (!(fabs(a_ - b_) <= t_))                                                                \
      fail_msg("%s = %.17g, expected %.17g (tolerance %g)", #a, a_, b_, t_);                   \
  } while (0)

/* Asserts that err has the given status, position and that its message contains needle. */
#define assert_error_at(err, st, ln, col, needle)                                              \
  do {                                                                                         \
    assert_int_equal((err)->status, (st));                                                     \
    assert_int_equal((err)->line, (ln));                                                       \
    assert_int_equal((err)->column, (col));                                                    \
    if (strstr((err)->message, (needle)) == NULL)                                              \
      fail_msg("message '%s' does not contain '%s'", (err)->message, (needle));                \
  } while (0)

/* ---- In-memory model tables for engine tests (independent of the CSV loaders). ---- */
#include "mandat/groups.h"
#include "mandat/questionnaire.h"
#include "mandat/respondents.h"

/* Loads the members and groups of tests/fixtures/mini; 0, or -1 after printing the error. */
int mdt_test_load_mini(mdt_respondents **resp, mdt_groups **groups);

/*
 * Members with the given employees (also used as population, fte = employees / 2) and
 * grouping columns: names[g] is the column name and labels[g][i] member i's level.
 * Free with mdt_test_respondents_free.
 */
mdt_respondents *mdt_test_respondents(size_t n, const double *employees, size_t ngroupings,
                                      const char *const *names,
                                      const char *const *const *labels);
void mdt_test_respondents_free(mdt_respondents *r);

/* A question for mdt_test_questionnaire: type, role, range and option ids (NULL-ended)
 * with the group index each option names (-1 for none). */
typedef struct {
  const char *id;
  mdt_question_type type;
  mdt_question_role role;
  double min, max;
  const char *options[9];
  long groups[9];
} mdt_test_question;

mdt_questionnaire *mdt_test_questionnaire(size_t nq, const mdt_test_question *qs);
void mdt_test_questionnaire_free(mdt_questionnaire *q);

#endif
