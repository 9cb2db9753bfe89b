#include "core/memfile.h"

#include <stdint.h>
#include <string.h>

static const char *mem_name;
static const char *mem_data;
static size_t mem_len;

void mdt__memfile_set(const char *name, const void *data, size_t len) {
  mem_name = name;
  mem_data = data;
  mem_len = len;
}

const char *mdt__memfile_find(const char *path, size_t *len) {
  if (mem_name == NULL || path == NULL || strcmp(path, mem_name) != 0)
    return NULL;
  *len = mem_len;
  return mem_data != NULL ? mem_data : "";
}

FILE *mdt__memfile_fopen(const char *path) {
  size_t len;
  const char *data = mdt__memfile_find(path, &len);
  if (data == NULL)
    return fopen(path, "rb");
  /* fmemopen refuses a size of 0 on some C libraries: an empty file reads as /dev/null. */
  if (len == 0)
    return fopen("/dev/null", "rb");
  return fmemopen((void *)(uintptr_t)data, len, "rb");
}
