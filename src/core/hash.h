/*
 * core/hash.h: SHA-256 of input files for the run manifest (OpenSSL's libcrypto), at once or
 * on a thread of their own while the caller goes on (a batch).
 * Ownership: the caller owns the output buffer; a batch is the caller's, freed with
 * mdt_sha256_batch_free, and keeps its own copies of the paths.
 */
#ifndef MANDAT_HASH_H
#define MANDAT_HASH_H

#include <stddef.h>

#include "mandat/error.h"

/* Hex digest length plus the terminating NUL. */
#define MDT_SHA256_HEX_SIZE 65

/* Writes the lower-case hex SHA-256 of the file at path into hex. MDT_ENOINPUT when the
 * file cannot be read. */
mdt_status mdt_sha256_file(const char *path, char hex[MDT_SHA256_HEX_SIZE], mdt_error *err);

/* The SHA-256 of data[0..len) as hex. */
mdt_status mdt_sha256_bytes(const void *data, size_t len, char hex[MDT_SHA256_HEX_SIZE],
                            mdt_error *err);

/* The 32 bytes of a SHA-256 digest as lower-case hex. */
void mdt_sha256_hex(const unsigned char md[32], char hex[MDT_SHA256_HEX_SIZE]);

/* Files hashed on a thread of their own. */
typedef struct mdt_sha256_batch mdt_sha256_batch;

/* Starts hashing the files at paths[0..n) in order on a new thread. NULL when out of memory
 * or no thread can start: the caller then hashes each file itself. */
mdt_sha256_batch *mdt_sha256_batch_start(const char *const *paths, size_t n);

/* Waits for the batch and copies the digest of the file at path (the same string as given)
 * into hex: 1, or 0 when path is not in the batch or could not be read (the caller then
 * hashes it itself with mdt_sha256_file, which says why). b NULL: 0. */
int mdt_sha256_batch_get(mdt_sha256_batch *b, const char *path, char hex[MDT_SHA256_HEX_SIZE]);

/* Waits for the batch and frees it (NULL is a no-op). */
void mdt_sha256_batch_free(mdt_sha256_batch *b);

#endif
