/*
 * Internal to libmandat: a file that is not UTF-8 but is valid Windows-1252 (what a
 * Norwegian Excel saves as plain "CSV": å as the single byte 0xE5) is converted to UTF-8 with
 * iconv, into an anonymous memory file, before the CSV reader sees it; and where the library's
 * notices go.
 * Ownership: the caller owns both file descriptors.
 */
#ifndef MANDAT_CORE_CP1252_H
#define MANDAT_CORE_CP1252_H

#include <stddef.h>

#include "mandat/error.h"

/* Larger files are not converted (they are not what Excel saves; the reader reports the
 * first byte that is not UTF-8 as before). */
#define MDT_CP1252_MAX_BYTES (256u << 20)
/* How much of a file is looked at to tell UTF-8 from Windows-1252: a file whose first
 * non-UTF-8 byte comes later is read as UTF-8 and that byte reported with its position. */
#define MDT_CP1252_LOOK_BYTES (1u << 20)

/* When fd's file (named path, for the notice) is not valid UTF-8 but is valid Windows-1252:
 * converts it, sets *out_fd to a file of its UTF-8 text at offset 0, sends a notice, and
 * returns 1. Returns 0 (out_fd -1) when the file is UTF-8 or not Windows-1252 either, -1
 * when out of memory or the conversion fails. */
int mdt__cp1252_to_utf8(int fd, const char *path, int *out_fd);

/* Whether the first head bytes of fd are UTF-8 (a sequence cut off by the end allowed when
 * cut), read 64 KiB at a time into a small buffer: 1 when they are, 0 when not, 2 when the
 * file ends before head bytes (all of it UTF-8), -1 on a read error or out of memory. */
int mdt__cp1252_head_is_utf8(int fd, size_t head, int cut);

/* Sends a notice to the handler set with mdt_set_note_handler (nowhere by default). */
void mdt__note(const char *message);

#endif
