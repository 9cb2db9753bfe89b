/*
 * Internal: a hash map from byte strings to long values (ids to row indexes).
 * Ownership: the dict copies every key it stores; the caller keeps its own strings.
 */
#ifndef MANDAT_CORE_DICT_H
#define MANDAT_CORE_DICT_H

#include <stddef.h>
#include <stdint.h>

typedef struct mdt__dict mdt__dict;

/* A new empty dict sized for about expected keys; NULL when out of memory. */
mdt__dict *mdt__dict_new(size_t expected);
/* Frees the dict and its key copies; NULL is a no-op. */
void mdt__dict_free(mdt__dict *d);
/* The value stored for key[0..len), or -1 when absent. */
long mdt__dict_find(const mdt__dict *d, const char *key, size_t len);
/*
 * Stores value for key[0..len) unless the key is there already. Returns 0 when stored,
 * 1 when the key existed (its value goes to *existing if not NULL), -1 when out of memory.
 */
int mdt__dict_put(mdt__dict *d, const char *key, size_t len, long value, long *existing);
/*
 * For many keys put in a row: the hash of key[0..len); a hint to load the slot a key of hash
 * h would go to (a slot far from the one before, for ids put in an order of their own), a few
 * keys ahead of its put; mdt__dict_put with that hash. The same as mdt__dict_put alone.
 */
uint64_t mdt__dict_hash(const char *key, size_t len);
void mdt__dict_prefetch(const mdt__dict *d, uint64_t h);
int mdt__dict_put_hashed(mdt__dict *d, uint64_t h, const char *key, size_t len, long value,
                         long *existing);
/* Number of keys stored. */
size_t mdt__dict_size(const mdt__dict *d);

#endif
