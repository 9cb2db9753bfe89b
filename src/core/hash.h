/*
 * core/hash.h: SHA-256 of input files for the run manifest (OpenSSL's libcrypto).
 * Ownership: the caller owns the output buffer; nothing is kept.
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

#endif
