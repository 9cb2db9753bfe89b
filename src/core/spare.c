/* Large blocks kept from one step of a run for the next (see core/spare.h). */
#include "core/spare.h"

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

/* The size of a transparent huge page on the targets that have them (x86-64, arm64 with 4 KiB
 * base pages). */
#define HUGE_PAGE ((uintptr_t)2 << 20)

/* Advises the pages of [lo, hi), rounded out to whole pages, when a whole huge page is inside;
 * 1 when the system took the advice. */
static int advise_pages(uintptr_t lo, uintptr_t hi) {
#if defined(MADV_HUGEPAGE)
  uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
  if (page == 0 || page > HUGE_PAGE || (page & (page - 1)) != 0)
    return 0;
  lo &= ~(page - 1);
  hi = (hi + page - 1) & ~(page - 1);
  uintptr_t first = (lo + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1); /* the first huge page's start */
  if (first >= hi || hi - first < HUGE_PAGE)
    return 0;
  return madvise((void *)lo, hi - lo, MADV_HUGEPAGE) == 0;
#else
  (void)lo;
  (void)hi;
  return 0;
#endif
}

int mdt__huge(void *p, size_t size) {
  if (p == NULL || size < MDT__HUGE_MIN)
    return 0;
#if defined(__GLIBC__)
  /* To the block's end: a block that is a mapping of its own is advised whole, so that it
   * stays one mapping, which realloc can grow in place or move (mremap takes only a whole
   * one; a mapping split by advice to part of it is copied instead). */
  size_t usable = malloc_usable_size(p);
  if (usable > size)
    size = usable;
#endif
  return advise_pages((uintptr_t)p, (uintptr_t)p + size);
}

/* Whether mdt__heap_huge has made malloc serve every thread from one arena. */
static int one_arena;

int mdt__malloc_one_arena(void) { return one_arena; }

int mdt__heap_huge(size_t pad) {
#if defined(__GLIBC__) && defined(MADV_HUGEPAGE) && defined(M_ARENA_MAX)
  if (pad < MDT__HUGE_MIN || pad > INT_MAX / 2)
    return 0;
  /* One arena for every thread, not trimmed, grown by pad at a time. */
  if (mallopt(M_ARENA_MAX, 1) != 1)
    return 0;
  one_arena = 1;
  if (mallopt(M_TRIM_THRESHOLD, INT_MAX) != 1 || mallopt(M_TOP_PAD, (int)pad) != 1)
    return 0;
  /* Grow it now: a block larger than what is left at its top, taken from the heap (for that
   * moment up to 32 MiB, malloc's most; then blocks from 128 KiB on, its default, are
   * mappings of their own again). */
  size_t want = mallinfo2().keepcost + 4096, most = (size_t)32 << 20;
  if (want > most || mallopt(M_MMAP_THRESHOLD, (int)most) != 1)
    return 0;
  void *grow = malloc(want);
  mallopt(M_MMAP_THRESHOLD, 128 << 10);
  if (grow == NULL)
    return 0;
  struct mallinfo2 after = mallinfo2();
  uintptr_t end = (uintptr_t)sbrk(0);
  int ok = 0;
  if (end != (uintptr_t)-1 && after.arena <= end)
    ok = advise_pages(end - after.arena, end);
  free(grow);
  return ok;
#else
  (void)pad;
  return 0;
#endif
}

/* Called through a volatile pointer, so that the compiler cannot turn malloc and memset
 * into the calloc this is meant to avoid. */
static void *(*volatile const zero_fill)(void *, int, size_t) = memset;

void *mdt__zeroed(size_t n, size_t size) {
  if (size != 0 && n > SIZE_MAX / size)
    return NULL;
  size_t bytes = n * size;
  if (bytes == 0)
    bytes = 1;
  void *p = malloc(bytes);
  if (p != NULL) {
    mdt__huge(p, bytes);
    zero_fill(p, 0, bytes);
  }
  return p;
}

void mdt__spare_put(mdt__spare *s, void *block, size_t size) {
  if (block == NULL)
    return;
  if (s == NULL || s->n == MDT__SPARE_MAX) {
    free(block);
    return;
  }
  s->block[s->n] = block;
  s->size[s->n] = size;
  s->n++;
}

/* Removes block k from s and returns it. */
static void *remove_at(mdt__spare *s, size_t k) {
  void *block = s->block[k];
  s->n--;
  s->block[k] = s->block[s->n];
  s->size[k] = s->size[s->n];
  return block;
}

void *mdt__spare_take(mdt__spare *s, size_t size) {
  if (size == 0)
    size = 1;
  if (s == NULL || s->n == 0) {
    if (s != NULL)
      s->fresh += size;
    void *fresh = malloc(size);
    mdt__huge(fresh, size);
    return fresh;
  }
  size_t fit = s->n, largest = 0;
  for (size_t k = 0; k < s->n; k++) {
    if (s->size[k] >= size && (fit == s->n || s->size[k] < s->size[fit]))
      fit = k;
    if (s->size[k] > s->size[largest])
      largest = k;
  }
  if (fit < s->n)
    return remove_at(s, fit);
  free(remove_at(s, largest));
  s->fresh += size;
  void *fresh = malloc(size);
  mdt__huge(fresh, size);
  return fresh;
}

void mdt__spare_free(mdt__spare *s) {
  if (s == NULL)
    return;
  for (size_t k = 0; k < s->n; k++)
    free(s->block[k]);
  s->n = 0;
}
