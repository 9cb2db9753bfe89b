/*
 * Internal: one input file held in memory under a name, for the fuzzing harnesses
 * (tests/fuzz/), which feed bytes to the loaders without writing a file per input. When a
 * loader opens the path set here, the CSV reader and the scenario parser read the buffer
 * instead of the file system. Nothing else sets it; the caller owns the buffer and keeps it
 * alive until it clears the name.
 */
#ifndef MANDAT_CORE_MEMFILE_H
#define MANDAT_CORE_MEMFILE_H

#include <stddef.h>
#include <stdio.h>

/* Serve data[0..len) for path name from now on; name NULL stops serving. Not thread-safe:
 * set it before a load, not during one. */
void mdt__memfile_set(const char *name, const void *data, size_t len);
/* The buffer served for path and its length, or NULL when path is not the memory file. */
const char *mdt__memfile_find(const char *path, size_t *len);
/* fopen(path, "rb"), or a stream over the buffer when path is the memory file. */
FILE *mdt__memfile_fopen(const char *path);

#endif
