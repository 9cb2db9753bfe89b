#define _GNU_SOURCE /* sched_getcpu, pthread_{get,set}affinity_np, pthread_attr_setaffinity_np */
#include "core/thread.h"

#include <errno.h>
#include <sched.h>
#include <stdlib.h>

/* What the new thread needs before it runs the caller's function: the cores the creator may
 * use, to take them back. */
typedef struct {
  void *(*fn)(void *);
  void *arg;
  cpu_set_t cores;
} start;

static void *trampoline(void *p) {
  start s = *(start *)p;
  free(p);
  /* A superset of the cores it runs on: the thread stays where it is and may move later. */
  (void)pthread_setaffinity_np(pthread_self(), sizeof s.cores, &s.cores);
  return s.fn(s.arg);
}

int mdt__thread_create(pthread_t *t, void *(*fn)(void *), void *arg) {
  start *s = malloc(sizeof *s);
  int here = sched_getcpu();
  if (s == NULL || here < 0 || here >= CPU_SETSIZE ||
      pthread_getaffinity_np(pthread_self(), sizeof s->cores, &s->cores) != 0 ||
      CPU_COUNT(&s->cores) < 2 || !CPU_ISSET(here, &s->cores)) {
    free(s);
    return pthread_create(t, NULL, fn, arg);
  }
  cpu_set_t others = s->cores;
  CPU_CLR(here, &others);
  pthread_attr_t attr;
  if (pthread_attr_init(&attr) != 0) {
    free(s);
    return pthread_create(t, NULL, fn, arg);
  }
  s->fn = fn;
  s->arg = arg;
  int rc = pthread_attr_setaffinity_np(&attr, sizeof others, &others);
  int placed = rc == 0;
  if (placed)
    rc = pthread_create(t, &attr, trampoline, s);
  pthread_attr_destroy(&attr);
  if (rc == 0)
    return 0;
  free(s);
  /* A set of cores refused (one went offline since): started as pthread_create would. Any
   * other failure (no threads left) is the caller's to handle. */
  return !placed || rc == EINVAL ? pthread_create(t, NULL, fn, arg) : rc;
}
