/*
 * Internal: large blocks one step of a run has finished with, kept for the next step to write
 * into. Pages the process already has cost nothing to write to; a fresh block costs the kernel
 * a page fault for every 4 KiB of it when first written (the compiled columns of 4.6 M
 * employees are 115 MB, 28 000 faults), or one for every 2 MiB when advised (mdt__huge) but
 * then the whole 2 MiB cleared. A one-year run compiles the register into its own columns and
 * keeps what is left of them (mdt__microsim_new_taking): the members' column, which then holds
 * the cells index (microsim_cells.h).
 * mdt__zeroed, below, is for the other costly case: a fresh block read before it is written.
 *
 * Ownership: mdt__spare_put takes a block from malloc over; mdt__spare_take hands a block of
 * malloc's back, which the caller frees with free; mdt__spare_free frees what was not taken. A
 * zeroed mdt__spare is empty. Not thread-safe: a run's steps put and take on one thread.
 */
#ifndef MANDAT_CORE_SPARE_H
#define MANDAT_CORE_SPARE_H

#include <stddef.h>

#define MDT__SPARE_MAX 8

typedef struct {
  void *block[MDT__SPARE_MAX];
  size_t size[MDT__SPARE_MAX]; /* bytes that may be written, at least */
  size_t n;
  size_t fresh; /* bytes mdt__spare_take has taken new since s was zeroed, no kept block
                   holding them: what the kept blocks did not spare */
} mdt__spare;

/* Keeps block (size bytes) for a later take; frees it when s is NULL or full. NULL: no-op. */
void mdt__spare_put(mdt__spare *s, void *block, size_t size);
/* A block of at least size bytes, its contents undefined: the smallest kept block that holds
 * size, else a new one of malloc's (advised as huge pages, mdt__huge) in place of the largest,
 * which is freed first so that malloc may reuse its pages (grown with realloc instead, it was
 * copied when it lay in malloc's heap, see mdt__heap_huge), else malloc's. NULL when out of
 * memory. s may be NULL (malloc). */
void *mdt__spare_take(mdt__spare *s, size_t size);
/* Frees every block kept and empties s. NULL: no-op. */
void mdt__spare_free(mdt__spare *s);

/* n objects of size bytes, zeroed like calloc's, but with every page written now; free with
 * free. NULL when out of memory or n * size overflows. For a large block that is read before
 * it is written (hash slots, bitmaps, sums): calloc leaves a fresh mapping's pages to the
 * system, which maps each to its one shared page of zeros when it is first read, so that the
 * first write after that faults again and, in a process with threads, makes every other core
 * drop the old mapping from its TLB, an interrupt each way, dear in a virtual machine (the
 * aggregate of 10 M answers from 47 700 members sent 675 of them with calloc, 99 with this). */
void *mdt__zeroed(size_t n, size_t size);

/* Asks the system to back a block of malloc's with transparent huge pages (madvise
 * MADV_HUGEPAGE, on the pages the block lies on: with glibc, to the end of what it may hold,
 * so that a block that is a mapping of its own is advised whole and stays one mapping for
 * realloc), so that writing it first costs one page fault per 2 MiB instead of one per 4 KiB.
 * For a block not yet written, of at least MDT__HUGE_MIN bytes (smaller ones, or where the
 * system has no such advice, are left as they are). Returns 1 when the advice was taken, 0
 * otherwise. */
#define MDT__HUGE_MIN ((size_t)4 << 20)
int mdt__huge(void *p, size_t size);

/* For a program's main, before it starts threads: makes malloc (glibc's) serve every thread
 * from its main heap, never give the heap's top back, grow it pad bytes at a time, and grows
 * it now by pad bytes, the whole heap advised for huge pages as mdt__huge advises a block.
 * Blocks up to what is free at the heap's top then come from the heap, where realloc copies
 * (hence mdt__spare_take's new blocks). pad is at least MDT__HUGE_MIN. Returns 1 when done,
 * 0 when the C library or the system has no such settings (nothing is changed then, or only
 * malloc's settings). */
int mdt__heap_huge(size_t pad);
/* 1 once mdt__heap_huge has set malloc to one arena for every thread: two threads that both
 * allocate much (the workbook's writer and the tables', say) then wait on each other's
 * malloc, and are better run one after the other. */
int mdt__malloc_one_arena(void);

#endif
