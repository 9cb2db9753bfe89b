#include "core/dict.h"
#include "core/spare.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* A key stored: where its copy is in the arena, and its value. In the order put. */
typedef struct {
  uint64_t hash;
  size_t key_off;
  size_t key_len;
  long value;
} entry;

/* The table is of slots of 8 bytes, so that it stays small (a member list's ids are looked up
 * and put in an order of their own, each in a slot far from the one before): the high 32 bits
 * of the key's hash and 1 + the index of its entry, 0 for an empty slot, so that the table is
 * made empty by zeros (mdt__zeroed: the slots are read before they are written). */
struct mdt__dict {
  uint64_t *slots;
  size_t cap; /* power of two */
  size_t count;
  entry *entries;
  size_t entries_cap;
  char *arena;
  size_t arena_len, arena_cap;
};

static uint64_t load64(const char *p) {
  uint64_t v;
  memcpy(&v, p, sizeof v);
  return v;
}

static uint64_t load32(const char *p) {
  uint32_t v;
  memcpy(&v, p, sizeof v);
  return v;
}

/* A word at a time (the ids and labels are short: one or two steps), then a final mix so that
 * the low bits used for the slot index are well spread. A key of 4 to 8 bytes is read as its
 * first and last 4 (overlapping), one of 1 to 3 as its first, middle and last byte, a longer
 * one 8 bytes a step and its last 8: never a byte outside the key. */
static uint64_t hash_bytes(const char *s, size_t len) {
  const uint64_t k = UINT64_C(0x9E3779B97F4A7C15);
  uint64_t h = (uint64_t)len * k;
  if (len > 8) {
    const char *p = s;
    for (size_t left = len; left > 8; left -= 8, p += 8)
      h = (h ^ load64(p)) * UINT64_C(0xBF58476D1CE4E5B9), h ^= h >> 31;
    h ^= load64(s + len - 8);
  } else if (len >= 4) {
    h ^= load32(s) | load32(s + len - 4) << 32;
  } else if (len > 0) {
    h ^= (uint64_t)(unsigned char)s[0] | (uint64_t)(unsigned char)s[len / 2] << 8 |
         (uint64_t)(unsigned char)s[len - 1] << 16;
  }
  h ^= h >> 33;
  h *= UINT64_C(0xff51afd7ed558ccd);
  h ^= h >> 33;
  h *= UINT64_C(0xc4ceb9fe1a85ec53);
  h ^= h >> 33;
  return h;
}

static int slots_alloc(mdt__dict *d, size_t cap) {
  uint64_t *s = mdt__zeroed(cap, sizeof *s);
  if (s == NULL)
    return -1;
  d->slots = s;
  d->cap = cap;
  return 0;
}

mdt__dict *mdt__dict_new(size_t expected) {
  mdt__dict *d = calloc(1, sizeof *d);
  if (d == NULL)
    return NULL;
  size_t cap = 16;
  while (cap < expected * 2)
    cap *= 2;
  /* Room for the expected entries; their pages are touched only as entries are put. */
  if (slots_alloc(d, cap) != 0 ||
      (expected > 0 && (d->entries = malloc(expected * sizeof *d->entries)) == NULL)) {
    free(d->slots);
    free(d);
    return NULL;
  }
  d->entries_cap = expected;
  return d;
}

void mdt__dict_free(mdt__dict *d) {
  if (d == NULL)
    return;
  free(d->slots);
  free(d->entries);
  free(d->arena);
  free(d);
}

size_t mdt__dict_size(const mdt__dict *d) { return d->count; }

static uint64_t slot_of(uint64_t h, size_t e) { return (h & ~UINT64_C(0xffffffff)) | (e + 1); }

/* The slot that holds key, or the empty slot where it would go. */
static size_t probe(const mdt__dict *d, uint64_t h, const char *key, size_t len) {
  size_t mask = d->cap - 1;
  size_t i = (size_t)h & mask;
  uint64_t tag = h & ~UINT64_C(0xffffffff);
  for (;;) {
    uint64_t s = d->slots[i];
    if (s == 0)
      return i;
    if ((s & ~UINT64_C(0xffffffff)) == tag) {
      const entry *e = &d->entries[(s & 0xffffffffu) - 1];
      if (e->key_len == len && memcmp(d->arena + e->key_off, key, len) == 0)
        return i;
    }
    i = (i + 1) & mask;
  }
}

long mdt__dict_find(const mdt__dict *d, const char *key, size_t len) {
  uint64_t s = d->slots[probe(d, hash_bytes(key, len), key, len)];
  return s == 0 ? -1 : d->entries[(s & 0xffffffffu) - 1].value;
}

static int grow(mdt__dict *d) {
  uint64_t *old = d->slots;
  size_t old_cap = d->cap;
  if (slots_alloc(d, old_cap * 2) != 0) {
    d->slots = old;
    d->cap = old_cap;
    return -1;
  }
  size_t mask = d->cap - 1;
  for (size_t e = 0; e < d->count; e++) {
    size_t j = (size_t)d->entries[e].hash & mask;
    while (d->slots[j] != 0)
      j = (j + 1) & mask;
    d->slots[j] = slot_of(d->entries[e].hash, e);
  }
  free(old);
  return 0;
}

uint64_t mdt__dict_hash(const char *key, size_t len) { return hash_bytes(key, len); }

void mdt__dict_prefetch(const mdt__dict *d, uint64_t h) {
  __builtin_prefetch(&d->slots[(size_t)h & (d->cap - 1)], 1);
}

int mdt__dict_put(mdt__dict *d, const char *key, size_t len, long value, long *existing) {
  return mdt__dict_put_hashed(d, hash_bytes(key, len), key, len, value, existing);
}

int mdt__dict_put_hashed(mdt__dict *d, uint64_t h, const char *key, size_t len, long value,
                         long *existing) {
  size_t i = probe(d, h, key, len);
  if (d->slots[i] != 0) {
    if (existing)
      *existing = d->entries[(d->slots[i] & 0xffffffffu) - 1].value;
    return 1;
  }
  if (d->count >= UINT32_MAX - 1)
    return -1; /* the slots hold 32-bit entry numbers */
  if ((d->count + 1) * 4 > d->cap * 3) {
    if (grow(d) != 0)
      return -1;
    i = probe(d, h, key, len);
  }
  if (d->count == d->entries_cap) {
    size_t cap = d->entries_cap ? 2 * d->entries_cap : 16;
    entry *e = realloc(d->entries, cap * sizeof *e);
    if (e == NULL)
      return -1;
    d->entries = e;
    d->entries_cap = cap;
  }
  if (d->arena_len + len + 1 > d->arena_cap) {
    size_t cap = d->arena_cap ? d->arena_cap : 1024;
    while (cap < d->arena_len + len + 1)
      cap *= 2;
    char *a = realloc(d->arena, cap);
    if (a == NULL)
      return -1;
    d->arena = a;
    d->arena_cap = cap;
  }
  memcpy(d->arena + d->arena_len, key, len);
  d->arena[d->arena_len + len] = '\0';
  d->entries[d->count] = (entry){h, d->arena_len, len, value};
  d->slots[i] = slot_of(h, d->count);
  d->arena_len += len + 1;
  d->count++;
  return 0;
}
