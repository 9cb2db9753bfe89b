/*
 * Internal: helpers the model loaders share (copying strings, quoting found values, the
 * "no rows" error).
 * Ownership: mdt__strdup and mdt__strvec_free deal in malloc'ed memory owned by the caller;
 * the formatting helpers write into caller buffers.
 */
#ifndef MANDAT_MODEL_LOAD_H
#define MANDAT_MODEL_LOAD_H

#include <stddef.h>

#include "core/csv.h"
#include "mandat/error.h"
#include "mandat/register.h"

/* A malloc'ed copy of s, or NULL when out of memory. */
char *mdt__strdup(const char *s);

/* Frees v[0..n) and v; NULL is a no-op. */
void mdt__strvec_free(char **v, size_t n);

/*
 * Writes x as the file would (2.5, or 2,5 when the file's delimiter is ';') with the fewest
 * digits that read back as x. Returns buf.
 */
char *mdt__format_number(double x, char delimiter, char *buf, size_t bufsize);

/* As mdt__format_number, in quotes, for a value found in the file ('2,5'). */
char *mdt__quote_number(double x, char delimiter, char *buf, size_t bufsize);

/* The STR field of row r, column col, quoted for a message (as mdt_csv_quote_found). */
char *mdt__quote_field(const mdt_csv_batch *b, size_t r, size_t col, char *buf,
                       size_t bufsize);

/* Fills err with "expected at least one <what>, found none" at the line after the header. */
mdt_status mdt__no_rows(const char *path, const char *what, mdt_error *err);

/* Room for rows that come in batches: from cap rows (first when 0) to at least need. By
 * doubling, but straight to the rows expected (mdt_csv_batch.rows_expected) when that is
 * enough, and by a quarter at least when it was short: a large column moved to grow makes
 * every other core the process runs on flush its TLB. *fallback is the doubling's, for when
 * the expected room cannot be had (an estimate may be high). */
size_t mdt__rows_room(size_t cap, size_t need, size_t expected, size_t first, size_t *fallback);

/* mdt_register_load_threads that also takes the SHA-256 of the file as it reads it
 * (mdt_csv_hash_begin) into sha256 (65 bytes: lower-case hex), or leaves sha256 "" when it
 * cannot (a memory file, a Windows-1252 file); sha256 NULL: as mdt_register_load_threads. */
mdt_status mdt__register_load_hashed(const char *path, const mdt_respondents *respondents,
                                     const mdt_groups *groups, int threads, mdt_register **out,
                                     char *sha256, mdt_error *err);

/* Size of the buffers used for quoted found values. */
#define MDT__FOUND_MAX 160

#endif
