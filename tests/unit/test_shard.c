/*
 * Tests of a shard's identity (mandat/shard.h, mdt_shard_parse): K/N as written, and the task
 * index and count of Slurm job arrays (from 0 or from 1), Kubernetes indexed jobs and GNU
 * parallel, with every error path. The runs and merges themselves are tested end to end
 * (tests/e2e/test_shard_cli.sh, test_slurm.sh, test_parallel.sh).
 */
#include <stdlib.h>
#include <string.h>

#include "mandat/shard.h"
#include "testutil.h"

#define assert_message_has(err, needle)                                                        \
  do {                                                                                         \
    if (strstr((err).message, (needle)) == NULL)                                               \
      fail_msg("message '%s' does not contain '%s'", (err).message, (needle));                 \
  } while (0)

static void clear_env(void) {
  static const char *const vars[] = {"SLURM_ARRAY_TASK_ID", "SLURM_ARRAY_TASK_COUNT",
                                     "SLURM_ARRAY_TASK_MIN", "JOB_COMPLETION_INDEX",
                                     "PARALLEL_SEQ", "MANDAT_SHARD_COUNT"};
  for (size_t k = 0; k < sizeof vars / sizeof vars[0]; k++)
    unsetenv(vars[k]);
}

static void test_written(void **state) {
  (void)state;
  mdt_shard_id id;
  mdt_error err;
  assert_int_equal(mdt_shard_parse("3/7", 0, &id, &err), MDT_OK);
  assert_int_equal(id.k, 3);
  assert_int_equal(id.n, 7);
  assert_int_equal(mdt_shard_parse("1/1", 0, &id, &err), MDT_OK);
  assert_int_equal(id.k * 10 + id.n, 11);
  static const char *const bad[] = {"0/3", "4/3", "3", "/3", "3/", "a/3", "1/b", "-1/3",
                                    "1/-3", "1/0", "1/100001", "1/3x", " 1/3", "slurmy", ""};
  for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
    mdt_error_clear(&err);
    if (mdt_shard_parse(bad[k], 0, &id, &err) != MDT_EUSAGE)
      fail_msg("'%s' was accepted", bad[k]);
    assert_true(err.message[0] != '\0');
  }
  /* a count goes only with k8s and parallel */
  assert_int_equal(mdt_shard_parse("1/3", 3, &id, &err), MDT_EUSAGE);
  assert_int_equal(mdt_shard_parse(NULL, 0, &id, &err), MDT_EUSAGE);
}

static void test_slurm(void **state) {
  (void)state;
  mdt_shard_id id;
  mdt_error err;
  clear_env();
  assert_int_equal(mdt_shard_parse("slurm", 0, &id, &err), MDT_EUSAGE);
  assert_message_has(err, "SLURM_ARRAY_TASK_ID");
  /* --array=0-3: task 2 is the third shard */
  setenv("SLURM_ARRAY_TASK_ID", "2", 1);
  setenv("SLURM_ARRAY_TASK_MIN", "0", 1);
  setenv("SLURM_ARRAY_TASK_COUNT", "4", 1);
  assert_int_equal(mdt_shard_parse("slurm", 0, &id, &err), MDT_OK);
  assert_int_equal(id.k * 10 + id.n, 34);
  /* --array=1-4: task 2 is the second */
  setenv("SLURM_ARRAY_TASK_MIN", "1", 1);
  assert_int_equal(mdt_shard_parse("slurm", 0, &id, &err), MDT_OK);
  assert_int_equal(id.k * 10 + id.n, 24);
  /* --array=5-8 */
  setenv("SLURM_ARRAY_TASK_ID", "8", 1);
  setenv("SLURM_ARRAY_TASK_MIN", "5", 1);
  assert_int_equal(mdt_shard_parse("slurm", 0, &id, &err), MDT_OK);
  assert_int_equal(id.k * 10 + id.n, 44);
  /* without the minimum it cannot know whether the ids start at 0 or 1 */
  unsetenv("SLURM_ARRAY_TASK_MIN");
  assert_int_equal(mdt_shard_parse("slurm", 0, &id, &err), MDT_EUSAGE);
  assert_message_has(err, "SLURM_ARRAY_TASK_MIN is not set");
  /* a stepped array (--array=0-6:2) leaves ids beyond the count: refused */
  setenv("SLURM_ARRAY_TASK_ID", "6", 1);
  setenv("SLURM_ARRAY_TASK_MIN", "0", 1);
  assert_int_equal(mdt_shard_parse("slurm", 0, &id, &err), MDT_EUSAGE);
  setenv("SLURM_ARRAY_TASK_ID", "1", 1);
  setenv("SLURM_ARRAY_TASK_MIN", "2", 1);
  assert_int_equal(mdt_shard_parse("slurm", 0, &id, &err), MDT_EUSAGE);
  assert_message_has(err, "SLURM_ARRAY_TASK_MIN");
  setenv("SLURM_ARRAY_TASK_MIN", "x", 1);
  assert_int_equal(mdt_shard_parse("slurm", 0, &id, &err), MDT_EUSAGE);
  setenv("SLURM_ARRAY_TASK_MIN", "0", 1);
  unsetenv("SLURM_ARRAY_TASK_COUNT");
  assert_int_equal(mdt_shard_parse("slurm", 0, &id, &err), MDT_EUSAGE);
  assert_message_has(err, "SLURM_ARRAY_TASK_COUNT");
  assert_int_equal(mdt_shard_parse("slurm", 4, &id, &err), MDT_EUSAGE);
  clear_env();
}

static void test_k8s_parallel(void **state) {
  (void)state;
  mdt_shard_id id;
  mdt_error err;
  clear_env();
  /* Kubernetes counts from 0 */
  setenv("JOB_COMPLETION_INDEX", "0", 1);
  assert_int_equal(mdt_shard_parse("k8s", 5, &id, &err), MDT_OK);
  assert_int_equal(id.k * 10 + id.n, 15);
  assert_int_equal(mdt_shard_parse("k8s", 0, &id, &err), MDT_EUSAGE);
  assert_message_has(err, "MANDAT_SHARD_COUNT");
  setenv("MANDAT_SHARD_COUNT", "5", 1);
  setenv("JOB_COMPLETION_INDEX", "4", 1);
  assert_int_equal(mdt_shard_parse("k8s", 0, &id, &err), MDT_OK);
  assert_int_equal(id.k * 10 + id.n, 55);
  setenv("JOB_COMPLETION_INDEX", "5", 1);
  assert_int_equal(mdt_shard_parse("k8s", 0, &id, &err), MDT_EUSAGE);
  /* GNU parallel counts from 1; --shard-count wins over the environment */
  setenv("PARALLEL_SEQ", "3", 1);
  assert_int_equal(mdt_shard_parse("parallel", 3, &id, &err), MDT_OK);
  assert_int_equal(id.k * 10 + id.n, 33);
  assert_int_equal(mdt_shard_parse("parallel", 2, &id, &err), MDT_EUSAGE);
  setenv("PARALLEL_SEQ", "0", 1);
  assert_int_equal(mdt_shard_parse("parallel", 3, &id, &err), MDT_EUSAGE);
  unsetenv("PARALLEL_SEQ");
  assert_int_equal(mdt_shard_parse("parallel", 3, &id, &err), MDT_EUSAGE);
  assert_message_has(err, "PARALLEL_SEQ");
  clear_env();
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_written), cmocka_unit_test(test_slurm),
                                     cmocka_unit_test(test_k8s_parallel)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
