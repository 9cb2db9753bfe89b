/*
 * cores: how many of the machine's cores a program gets right now. Times a fixed piece of
 * arithmetic on one thread, then the same piece on N threads at once, and prints
 * N x (one thread's time) / (the N threads' time): about N when every core is free, about 1
 * when the others are taken by other work on the host (which the load average inside a
 * virtual machine does not show). bench/run runs it at the start of each timed round: a
 * program on 2 threads then loses up to half its speed while one on 1 thread loses little,
 * and their ratio moves with it.
 *
 * usage: cores [N]   (N threads, default 2; bench/run compiles it with cc -O2 -pthread)
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define MAX_THREADS 64
#define STEPS 20000000u /* about 20 ms of dependent multiply-adds on one core */

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* A chain of dependent steps (a 64-bit LCG) that no compiler folds: it ends in *arg. */
static void *work(void *arg) {
  uint64_t x = *(uint64_t *)arg;
  for (unsigned k = 0; k < STEPS; k++)
    x = x * UINT64_C(6364136223846793005) + UINT64_C(1442695040888963407);
  *(uint64_t *)arg = x;
  return NULL;
}

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 2;
  if (n < 1 || n > MAX_THREADS) {
    fprintf(stderr, "usage: cores [N]   (1 <= N <= %d)\n", MAX_THREADS);
    return 2;
  }
  uint64_t seed[MAX_THREADS];
  for (int t = 0; t < n; t++)
    seed[t] = (uint64_t)t + 1;
  double t0 = now();
  work(&seed[0]);
  double one = now() - t0;
  pthread_t tid[MAX_THREADS];
  t0 = now();
  for (int t = 0; t < n; t++)
    if (pthread_create(&tid[t], NULL, work, &seed[t]) != 0) {
      perror("cores: pthread_create");
      return 70;
    }
  for (int t = 0; t < n; t++)
    pthread_join(tid[t], NULL);
  double many = now() - t0;
  uint64_t sum = 0;
  for (int t = 0; t < n; t++)
    sum += seed[t];
  printf("{\"threads\": %d, \"cores\": %.3f, \"one_s\": %.6f, \"all_s\": %.6f, \"check\": %llu}\n",
         n, many > 0 ? n * one / many : (double)n, one, many, (unsigned long long)(sum & 0xffff));
  return 0;
}
