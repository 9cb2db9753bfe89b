/* Large blocks kept from one step of a run for the next (see core/spare.h). */
#include "core/spare.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

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
  if (p != NULL)
    zero_fill(p, 0, bytes);
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
  if (s == NULL || s->n == 0)
    return malloc(size);
  size_t fit = s->n, largest = 0;
  for (size_t k = 0; k < s->n; k++) {
    if (s->size[k] >= size && (fit == s->n || s->size[k] < s->size[fit]))
      fit = k;
    if (s->size[k] > s->size[largest])
      largest = k;
  }
  if (fit < s->n)
    return remove_at(s, fit);
  void *block = remove_at(s, largest);
  void *grown = realloc(block, size);
  if (grown == NULL)
    free(block);
  return grown;
}

void mdt__spare_free(mdt__spare *s) {
  if (s == NULL)
    return;
  for (size_t k = 0; k < s->n; k++)
    free(s->block[k]);
  s->n = 0;
}
