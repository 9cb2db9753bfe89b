/*
 * Internal to the engine: the 64-bit finaliser of splitmix64, which turns a seed and a chunk
 * number into the seed of that chunk's random stream (bootstrap draws, Monte Carlo draws).
 */
#ifndef MANDAT_ENGINE_MIX_H
#define MANDAT_ENGINE_MIX_H

#include <stdint.h>

static inline uint64_t mdt__mix64(uint64_t x) {
  x += UINT64_C(0x9e3779b97f4a7c15);
  x = (x ^ (x >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
  x = (x ^ (x >> 27)) * UINT64_C(0x94d049bb133111eb);
  return x ^ (x >> 31);
}

/* The seed of chunk's stream: the same formula for every parallel draw in mandat. */
static inline unsigned long mdt__chunk_seed(unsigned long seed, uint64_t chunk) {
  return (unsigned long)mdt__mix64((uint64_t)seed * UINT64_C(0x100000001b3) + chunk);
}

#endif
