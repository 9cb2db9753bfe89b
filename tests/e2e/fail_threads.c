/* Test-only shim (LD_PRELOAD): every pthread_create fails with EAGAIN, as when a machine has
 * no threads left, to check that mandat reports an internal error (exit status 70). */
#include <errno.h>
#include <pthread.h>

int pthread_create(pthread_t *thread, const pthread_attr_t *attr, void *(*start)(void *),
                   void *arg) {
  (void)thread;
  (void)attr;
  (void)start;
  (void)arg;
  return EAGAIN;
}
