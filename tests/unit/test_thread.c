/*
 * Worker threads started on another core (core/thread.h): the thread runs the function with
 * its argument and returns its result to pthread_join; it starts on a core other than its
 * creator's when the creator may use more than one, and then may use every core its creator
 * may (placed, not pinned); a creator held to one core gets a thread held to that core.
 */
#define _GNU_SOURCE /* sched_getcpu, pthread_{get,set}affinity_np */
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/thread.h"

typedef struct {
  int cpu;         /* where the function first ran */
  cpu_set_t cores; /* the cores the thread may use, as the function saw them */
  int arg_seen;
} seen;

static void *look(void *p) {
  seen *s = p;
  s->cpu = sched_getcpu();
  CPU_ZERO(&s->cores);
  (void)pthread_getaffinity_np(pthread_self(), sizeof s->cores, &s->cores);
  s->arg_seen = 1;
  return p;
}

/* Starts look on a thread; *before and *after are the creator's core either side. */
static void start_and_join(seen *s, int *before, int *after) {
  pthread_t t;
  void *ret = NULL;
  s->arg_seen = 0;
  *before = sched_getcpu();
  assert_int_equal(mdt__thread_create(&t, look, s), 0);
  *after = sched_getcpu();
  assert_int_equal(pthread_join(t, &ret), 0);
  assert_ptr_equal(ret, s);
  assert_int_equal(s->arg_seen, 1);
}

static void test_runs_elsewhere_then_free(void **state) {
  (void)state;
  cpu_set_t mine;
  assert_int_equal(pthread_getaffinity_np(pthread_self(), sizeof mine, &mine), 0);
  int stayed = 0;
  for (int k = 0; k < 20; k++) {
    seen s;
    int before, after;
    start_and_join(&s, &before, &after);
    assert_true(CPU_EQUAL(&s.cores, &mine)); /* every core back, whatever the machine */
    if (CPU_COUNT(&mine) >= 2 && before == after) {
      /* The creator stayed on one core while starting it: the thread began on another. */
      assert_int_not_equal(s.cpu, before);
      stayed++;
    }
  }
  if (CPU_COUNT(&mine) >= 2)
    assert_true(stayed > 0);
}

static void test_one_core_creator(void **state) {
  (void)state;
  cpu_set_t mine, one;
  assert_int_equal(pthread_getaffinity_np(pthread_self(), sizeof mine, &mine), 0);
  int here = sched_getcpu();
  assert_true(here >= 0);
  CPU_ZERO(&one);
  CPU_SET(here, &one);
  assert_int_equal(pthread_setaffinity_np(pthread_self(), sizeof one, &one), 0);
  seen s;
  int before, after;
  start_and_join(&s, &before, &after);
  assert_int_equal(pthread_setaffinity_np(pthread_self(), sizeof mine, &mine), 0);
  assert_true(CPU_EQUAL(&s.cores, &one)); /* no core its creator could not use */
  assert_int_equal(s.cpu, here);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_runs_elsewhere_then_free),
      cmocka_unit_test(test_one_core_creator),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
