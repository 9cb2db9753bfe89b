/*
 * Internal: starting a worker thread where it can run at once.
 *
 * Linux puts a new thread on the run queue of the core that created it. When that core is
 * busy (the creator goes on working, as every caller here does) the thread waits for the
 * scheduler's next balancing tick to be moved to an idle core: 0.1 to 4.9 ms on the 2-core
 * machine this was measured on (15 starts, 20 ms apart), about 2 ms on average. A run starts
 * a worker in each of its parallel steps, and a step split in halves waits for the late one.
 * mdt__thread_create starts the thread on the other cores the creator may use and, once it
 * runs, gives it back every core the creator may use: it is placed, not pinned.
 */
#ifndef MANDAT_CORE_THREAD_H
#define MANDAT_CORE_THREAD_H

#include <pthread.h>

/*
 * pthread_create(t, NULL, fn, arg), with the thread started on a core other than the
 * calling thread's when the calling thread may run on more than one; where that cannot be
 * arranged, as pthread_create alone. Returns 0 or pthread_create's error number.
 */
int mdt__thread_create(pthread_t *t, void *(*fn)(void *), void *arg);

#endif
