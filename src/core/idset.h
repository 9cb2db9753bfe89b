/*
 * Internal: the ids seen so far in a file, to refuse an id given twice (the employee ids of a
 * register), with the line each was first on.
 *
 * Registers number their employees: while the ids are canonical whole numbers (digits, no
 * leading zero, at most 18 of them) that increase from row to row, they are kept as runs of
 * consecutive numbers on consecutive lines (one run for 1, 2, 3, … on lines 2, 3, 4, …), so
 * that checking five million ids costs a comparison each and no memory per id. From the first
 * id that breaks that order on, ids go into a hash map (core/dict.h) as well, and a canonical
 * number is also looked for among the runs. Two ids are the same when their texts are: "007"
 * and "7" are different ids, and only canonical numbers are ever kept as numbers.
 *
 * Ownership: the set copies what it keeps; the caller keeps its strings.
 */
#ifndef MANDAT_CORE_IDSET_H
#define MANDAT_CORE_IDSET_H

#include <stddef.h>

typedef struct mdt__idset mdt__idset;

/* A new empty set; NULL when out of memory. */
mdt__idset *mdt__idset_new(void);
/* Frees the set; NULL is a no-op. */
void mdt__idset_free(mdt__idset *s);
/*
 * Adds id[0..len), first seen on line. Returns 0 when it is new, 1 when it was there already
 * (the line it was first on goes to *first if not NULL; nothing is added), -1 when out of
 * memory.
 */
int mdt__idset_put(mdt__idset *s, const char *id, size_t len, long line, long *first);

#endif
